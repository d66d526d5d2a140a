//! AKS102: the target is offered.

use aksplan_catalog::Offered;
use aksplan_model::finding::{Finding, Severity};

use crate::Context;

crate::rule_code!(
    "AKS102",
    Error,
    "The target version is not offered",
    "## What it checks
The target version is offered by the version catalog (the embedded snapshot, or the
`az aks get-versions` file given with `--catalog`). When the cluster names an
`upgradeProfiles.controlPlane` file (`az aks get-upgrades`) and the target is the next minor or
a patch of the current one, the target must be among that file's upgrades.

When the catalog knows the minor but lists none of its patches (the embedded snapshot's newest
minors), an exact patch cannot be verified: a note says so.

## Why
`az aks upgrade` rejects versions AKS does not offer in the region, and `get-upgrades` is the
authority on what one cluster may move to (`aks-upgrade-rules.md` §2.1, §2.5).

## Example
```yaml
target: { kubernetesVersion: \"1.33.9\" }   # the catalog offers 1.33.0, 1.33.1, 1.33.2
```"
);

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    // A target shared by several clusters (`spec.target`) is judged against the catalog once.
    let mut judged: Vec<String> = Vec::new();
    for cluster in ctx.clusters() {
        let Some((target, pointer)) = cluster.target() else {
            continue;
        };
        let first_time = !judged.contains(&pointer);
        judged.push(pointer.clone());
        match ctx.catalog.offers(target) {
            _ if !first_time => {}
            Offered::Yes => {}
            Offered::MinorOnly => out.push(
                Finding::new(
                    CODE,
                    format!("the catalog lists no patches of `{}`, so `{target}` cannot be verified", target.minor_version()),
                )
                .severity(Severity::Info)
                .at(ctx.doc.label(&pointer))
                .pointer(pointer.clone())
                .help("pass `--catalog` with a recent `az aks get-versions -l LOCATION -o json`, or target the minor"),
            ),
            Offered::No => {
                let known: Vec<String> = match ctx.catalog.minor(target) {
                    Some(minor) => minor.patches.iter().flat_map(|p| p.keys()).map(ToString::to_string).collect(),
                    None => ctx.catalog.minors().map(|m| m.version.to_string()).collect(),
                };
                out.push(
                    Finding::new(CODE, format!("`{target}` is not offered by the version catalog"))
                        .at(ctx.doc.label(&pointer).with_message("not offered"))
                        .pointer(pointer.clone())
                        .help(format!("offered: {}", known.join(", "))),
                );
            }
        }
        // The cluster's own upgrade profile narrows the first hop.
        let (Some(profile), Some(current)) = (&cluster.resolved.upgrade_profile, cluster.current_version())
        else {
            continue;
        };
        if target.minor > current.minor + 1 || target.minor_version() < current.minor_version() {
            continue;
        }
        let offered = profile.upgrades.iter().any(|u| {
            u.kubernetes_version == target
                || (target.patch.is_none() && u.kubernetes_version.minor_version() == target)
        });
        if !offered && target.minor_version() != current.minor_version() {
            let list: Vec<String> = profile
                .upgrades
                .iter()
                .map(|u| u.kubernetes_version.to_string())
                .collect();
            out.push(
                Finding::new(
                    CODE,
                    format!(
                        "`az aks get-upgrades` for cluster `{}` does not offer `{target}`",
                        cluster.name()
                    ),
                )
                .at(ctx
                    .doc
                    .label(&pointer)
                    .with_message("not in the cluster's upgrades"))
                .also(
                    profile
                        .doc
                        .label("")
                        .with_message("the cluster's upgrade profile"),
                )
                .pointer(pointer.clone())
                .help(if list.is_empty() {
                    "the profile offers no upgrades; AKS suggests a new cluster and a migration".to_owned()
                } else {
                    format!("it offers: {}", list.join(", "))
                }),
            );
        }
    }
}

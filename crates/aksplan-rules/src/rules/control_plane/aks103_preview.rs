//! AKS103: preview versions are flagged.

use aksplan_model::finding::Finding;

use crate::Context;

crate::rule_code!(
    "AKS103",
    Warning,
    "The plan moves to or through a preview version",
    "## What it checks
No version on the way from the current control-plane minor to the target is a preview in the
version catalog (or marked `isPreview` in the cluster's `get-upgrades` file).

## Why
Preview versions are not for production, have no support SLA, and are never chosen by
auto-upgrade (`aks-upgrade-rules.md` §3.1, §2.5).

## Example
```yaml
target: { kubernetesVersion: \"1.30\" }    # 1.30 was preview in westus2 in July 2024
```"
);

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for cluster in ctx.clusters() {
        let (Some((target, pointer)), Some(current)) = (cluster.target(), cluster.current_version()) else {
            continue;
        };
        if target.major != current.major {
            continue;
        }
        let previews: Vec<String> = (current.minor + 1..=target.minor)
            .map(|minor| aksplan_model::version::KubeVersion::new(target.major, minor, None))
            .filter(|minor| ctx.catalog.minor(*minor).is_some_and(|m| m.is_preview))
            .map(|minor| format!("`{minor}`"))
            .collect();
        let profile_preview = cluster.resolved.upgrade_profile.as_ref().is_some_and(|profile| {
            profile.upgrades.iter().any(|u| {
                u.is_preview
                    && (u.kubernetes_version == target
                        || u.kubernetes_version.minor_version() == target.minor_version())
            })
        });
        if previews.is_empty() && !profile_preview {
            continue;
        }
        let what = if previews.is_empty() {
            format!("`{target}`")
        } else {
            previews.join(", ")
        };
        out.push(
            Finding::new(
                CODE,
                format!(
                    "cluster `{}` would run the preview version {what}",
                    cluster.name()
                ),
            )
            .at(ctx.doc.label(&pointer).with_message("preview"))
            .pointer(pointer)
            .help("preview versions have no support SLA; target a GA version for production clusters"),
        );
    }
}

//! AKS115: a pool runs an older node image than the newest known for its family.

use aksplan_catalog::{compare_node_image_releases, node_image_family};
use aksplan_model::finding::Finding;
use aksplan_model::plan::NodeImagePolicy;

use crate::Context;

crate::rule_code!("AKS115", Info, "A node pool runs an older node image than the newest known",
"## What it checks
Each pool's `nodeImageVersion` against the newest node image known for its family (OS, VM
generation, runtime: `AKSUbuntu-2204gen2containerd`, `AKSWindows-2022-containerd`, ...). The
pool's own `az aks nodepool get-upgrades` file (`upgradeProfiles.nodePools`, its
`latestNodeImageVersion`) is the authority; without one, the newest image the catalog has seen
(dated recordings, see `docs/catalog.md`) is used.

## Why
Node images carry the OS security fixes; AKS ships Linux images weekly and Windows images monthly
(`aks-upgrade-rules.md` §5.9, node-images.md). A Kubernetes upgrade also moves pools to the
latest image; a pool already at the target needs a node-image-only upgrade, which the plan asks
for with `target.nodeImage: latest`.

## Example
```yaml
nodePools:
  - { name: web, mode: User, orchestratorVersion: \"1.36.1\", nodeImageVersion: AKSUbuntu-2204gen2containerd-202401.09.0 }
upgradeProfiles:
  nodePools: { web: state/web-get-upgrades.json }   # latestNodeImageVersion: ...-202510.01.0
```");

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for cluster in ctx.clusters() {
        let policy = cluster
            .spec
            .target
            .as_ref()
            .unwrap_or(&cluster.plan.spec.target)
            .node_image;
        for (idx, pool) in cluster.pools().iter().enumerate() {
            let Some(image) = pool.node_image_version.as_deref() else {
                continue;
            };
            let Some((family, release)) = node_image_family(image) else {
                continue;
            };
            let from_profile = cluster
                .resolved
                .pool_upgrade_profiles
                .get(&*pool.name)
                .and_then(|profile| {
                    profile.latest_node_image_version.clone().map(|latest| {
                        (
                            latest,
                            format!("the pool's upgrade profile `{}`", profile.doc.source.name),
                        )
                    })
                });
            let (latest, source) = match from_profile {
                Some(found) => found,
                None => match ctx.catalog.latest_node_image(image) {
                    Some(known) => (
                        known.image.clone(),
                        match known.recorded {
                            Some(date) => format!("catalog source `{}`, recorded {date}", known.source),
                            None => format!("catalog source `{}`", known.source),
                        },
                    ),
                    None => continue,
                },
            };
            let Some((latest_family, latest_release)) = node_image_family(&latest) else {
                continue;
            };
            if latest_family != family || !compare_node_image_releases(latest_release, release).is_gt() {
                continue;
            }
            let plan_note = match policy {
                NodeImagePolicy::Latest => "`target.nodeImage: latest` moves it there",
                NodeImagePolicy::Keep => {
                    "`target.nodeImage: keep` leaves it unless a Kubernetes upgrade moves it"
                }
            };
            out.push(
                Finding::new(
                    CODE,
                    format!(
                        "node pool `{}` of cluster `{}` runs `{image}`; `{latest}` is newer ({source})",
                        pool.name,
                        cluster.name()
                    ),
                )
                .at(cluster
                    .pool_label(idx, "nodeImageVersion")
                    .with_message("older node image"))
                .help(plan_note),
            );
        }
    }
}

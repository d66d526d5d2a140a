//! AKS123: LTS on a minor that is LTS-capable.

use aksplan_model::finding::Finding;

use crate::Context;

crate::rule_code!(
    "AKS123",
    Warning,
    "LTS on a minor the catalog does not list as LTS-capable",
    "## What it checks
A cluster on the LTS plan runs a minor whose catalog entry lists `AKSLongTermSupport` among its
support plans, and so does its target.

## Why
`aks-upgrade-rules.md` §2.4: version-picking logic should filter on `capabilities.supportPlan`;
the set of LTS-capable minors changed over time (1.27, 1.30, 1.28/1.29, 1.31/1.32, then every
minor from 1.33).

## Example
```yaml
# --catalog get-versions-westus2-2024-07.json lists AKSLongTermSupport only on 1.27
current: { kubernetesVersion: \"1.28.9\", tier: Premium, supportPlan: AKSLongTermSupport }
```"
);

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for cluster in ctx.clusters() {
        if !cluster.is_lts() {
            continue;
        }
        if let Some(current) = cluster.current_version()
            && ctx.catalog.minor(current).is_some_and(|m| !m.lts_capable())
        {
            out.push(
                Finding::new(
                    CODE,
                    format!(
                        "cluster `{}` is on LTS, but `{}` is not LTS-capable in the catalog",
                        cluster.name(),
                        current.minor_version()
                    ),
                )
                .at(cluster.current_version_label().with_message("not LTS-capable"))
                .help("check `az aks get-versions` for `capabilities.supportPlan`"),
            );
        }
        if let Some((target, pointer)) = cluster.target()
            && ctx.catalog.minor(target).is_some_and(|m| !m.lts_capable())
        {
            out.push(
                Finding::new(CODE, format!("cluster `{}` is on LTS, but its target `{}` is not LTS-capable in the catalog", cluster.name(), target.minor_version()))
                    .at(ctx.doc.label(&pointer).with_message("not LTS-capable"))
                    .pointer(pointer)
                    .help("choose an LTS-capable target, or move the cluster to `KubernetesOfficial` while its version is in community support"),
            );
        }
    }
}

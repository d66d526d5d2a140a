//! AKS124: every minor the route passes through is offered to the cluster's support plan.

use aksplan_model::finding::Finding;
use aksplan_model::version::KubeVersion;

use crate::Context;

crate::rule_code!(
    "AKS124",
    Error,
    "The route passes through a minor AKS does not offer this cluster",
    "## What it checks
For a cluster not on the LTS plan whose current version is out of support on the plan's date,
every intermediate minor of the compiled route (one minor at a time) must be one AKS offers a
`KubernetesOfficial` cluster on that date: listed for `KubernetesOfficial` in the catalog, and
its community support not ended. The target itself is judged by AKS121; routes from a supported
version by AKS104, routes of LTS clusters by AKS104 and AKS105.

## Why
`aks-upgrade-rules.md` §2.1 and §2.4: once a minor's community support has ended, AKS offers it
only under LTS (1.32 from 2026-04-28, 1.33 from 2026-07-17), so an upgrade of a
`KubernetesOfficial` cluster to it is refused. A route through such minors looks valid by the
skew rules and fails at the first of them. The way out is to enrol the cluster in LTS (Premium
tier and `AKSLongTermSupport`), or, from a version already past its support, the recovery path:
one full upgrade straight to the lowest community minor AKS offers (AKS125), which aksplan does
not compile yet.

## Example
```yaml
spec:
  asOf: \"2026-12-01\"
  target: { kubernetesVersion: \"1.35\" }
  clusters:
    - name: aks-old
      current: { kubernetesVersion: \"1.31.10\", supportPlan: KubernetesOfficial, ... }
      # 1.31 -> 1.32 -> 1.33 -> 1.34 -> 1.35: 1.32 and 1.33 are LTS-only on 2026-12-01
```"
);

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for cluster in ctx.clusters() {
        // AKS104 judges routes from a supported version, AKS104/AKS105 those of LTS clusters.
        let unsupported = cluster.current_version().is_some_and(|current| {
            ctx.catalog.support_status(current, ctx.as_of, false)
                == aksplan_catalog::SupportStatus::Unsupported
        });
        if cluster.is_lts() || !unsupported {
            continue;
        }
        let hops = cluster.hops(ctx.catalog);
        let Some((_, intermediate)) = hops.split_last() else {
            continue;
        };
        let lts = cluster.is_lts();
        let plan = if lts {
            "AKSLongTermSupport"
        } else {
            "KubernetesOfficial"
        };
        let refused: Vec<KubeVersion> = intermediate
            .iter()
            .copied()
            .filter(|hop| {
                // A minor the catalog does not list is not offered (as AKS104 judges it).
                let Some(minor) = ctx.catalog.minor(*hop) else {
                    return true;
                };
                let listed = minor.support_plans.iter().any(|p| p == plan);
                let ended = !lts && minor.end_of_life.is_some_and(|end| end < ctx.as_of);
                !listed || ended
            })
            .collect();
        if refused.is_empty() {
            continue;
        }
        let minors: Vec<String> = refused
            .iter()
            .map(|v| format!("`{}.{}`", v.major, v.minor))
            .collect();
        let help = if lts {
            "pick a target AKS offers under LTS from here (`az aks get-upgrades`), or move in smaller changes"
                .to_owned()
        } else {
            let community = ctx
                .catalog
                .minors()
                .filter(|m| m.version.minor_version() > refused[0].minor_version())
                .find(|m| {
                    m.support_plans.iter().any(|p| p == "KubernetesOfficial")
                        && m.end_of_life.is_none_or(|end| end >= ctx.as_of)
                })
                .map(|m| format!("`{}.{}`", m.version.major, m.version.minor));
            format!(
                "enrol the cluster in LTS first (`tier: Premium`, `supportPlan: AKSLongTermSupport`); or, from a version past its support, upgrade it by hand in one full upgrade to the lowest community minor AKS offers{} (`az aks upgrade -k VERSION` without `--control-plane-only`), then plan from there",
                community.map(|m| format!(", {m}")).unwrap_or_default()
            )
        };
        out.push(
            Finding::new(
                CODE,
                format!(
                    "cluster `{}` would pass through {}, which AKS does not offer a {plan} cluster on {}: AKS would refuse the upgrade to the first of them",
                    cluster.name(),
                    minors.join(", "),
                    ctx.as_of
                ),
            )
            .at(cluster.current_version_label().with_message("the route starts here"))
            .also(cluster.target_label().with_message("target"))
            .pointer(cluster.pointer())
            .help(help),
        );
    }
}

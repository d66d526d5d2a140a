//! AKS124: every minor the route goes through is offered to the cluster on the plan's date.

use aksplan_catalog::SupportStatus;
use aksplan_model::finding::Finding;
use aksplan_model::version::KubeVersion;

use crate::Context;
use crate::skew::RouteKind;

crate::rule_code!(
    "AKS124",
    Error,
    "The route goes through a minor AKS does not offer this cluster on the plan's date",
    "## What it checks
Every control-plane hop of the compiled route (the recovery upgrade, an LTS jump, one minor at
a time, and the target) is to a minor AKS offers the cluster's support plan on the plan's date
(`asOf`): for `KubernetesOfficial`, from the minor's GA to the end of its community support
(and listed for that plan in a `get-versions` file); for `AKSLongTermSupport`, also an
LTS-capable minor until its LTS end. Reported here: routes of LTS clusters, recovery routes,
and a target not yet released on the date. The intermediate minors of a supported
`KubernetesOfficial` cluster are AKS104's, a target past its support AKS121's.

Stricter reading: the catalog's GA month is taken as the first day a minor is offered, though a
region may get it a few days sooner (§2.3: up to 10 business days of rollout go the other way).

## Why
`aks-upgrade-rules.md` §2.1, §2.3 and §2.4: AKS refuses an upgrade to a version it does not offer
the cluster's plan in the region: a minor before its release, a minor whose community support
ended (offered only under LTS: 1.32 from 2026-04-28, 1.33 from 2026-07-17), a minor past its LTS
end. A route through one looks valid by the skew rules and stops at that hop.

## Example
```yaml
spec:
  asOf: \"2025-12-01\"
  target: { kubernetesVersion: \"1.35\" }   # 1.35 reaches GA in March 2026
  clusters:
    - current: { kubernetesVersion: \"1.33.2\", supportPlan: KubernetesOfficial, ... }
```"
);

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for cluster in ctx.clusters() {
        let route = cluster.route(ctx.catalog, ctx.as_of);
        let lts = cluster.is_lts();
        let last = route.hops.len().saturating_sub(1);
        let refused: Vec<KubeVersion> = route
            .hops
            .iter()
            .enumerate()
            .filter(|(_, hop)| !hop.offered)
            // A minor the catalog does not know is AKS102's and AKS104's; one that is not
            // LTS-capable, for an LTS cluster, AKS105's and AKS123's.
            .filter(|(_, hop)| {
                ctx.catalog
                    .minor(hop.to())
                    .is_some_and(|m| !lts || m.lts_capable())
            })
            .filter(|(i, hop)| {
                if *i == last {
                    // A target past its support is AKS121's.
                    !matches!(
                        ctx.catalog.support_status(hop.to(), ctx.as_of, lts),
                        SupportStatus::PlatformSupport | SupportStatus::Unsupported
                    )
                } else {
                    // The intermediate minors of a supported non-LTS cluster are AKS104's.
                    lts || route.kind == RouteKind::Recovery
                }
            })
            .map(|(_, hop)| hop.to().minor_version())
            .collect();
        if refused.is_empty() {
            continue;
        }
        let plan = if lts {
            "AKSLongTermSupport"
        } else {
            "KubernetesOfficial"
        };
        let minors: Vec<String> = refused.iter().map(|v| format!("`{v}`")).collect();
        let not_yet: Vec<String> = refused
            .iter()
            .filter_map(|v| {
                let ga = ctx.catalog.minor(*v)?.ga?;
                (ga > ctx.as_of).then(|| format!("`{v}` reaches GA on {ga}"))
            })
            .collect();
        let help = if !not_yet.is_empty() {
            format!(
                "{}; target a minor AKS offers on {}, or date the plan (`asOf`) on or after that",
                not_yet.join(", "),
                ctx.as_of
            )
        } else if lts {
            "pick a target AKS offers under LTS from here (`az aks get-upgrades`)".to_owned()
        } else {
            "enrol the cluster in LTS first (`tier: Premium`, `supportPlan: AKSLongTermSupport`), or target the lowest community minor AKS offers".to_owned()
        };
        out.push(
            Finding::new(
                CODE,
                format!(
                    "cluster `{}` would upgrade to {}, which AKS does not offer a {plan} cluster on {}: AKS would refuse that upgrade",
                    cluster.name(),
                    minors.join(", "),
                    ctx.as_of
                ),
            )
            .at(cluster.target_label().with_message("not offered on the plan's date"))
            .also(cluster.current_version_label().with_message("the route starts here"))
            .pointer(cluster.pointer())
            .help(help),
        );
    }
}

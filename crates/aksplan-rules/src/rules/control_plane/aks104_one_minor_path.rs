//! AKS104: the control plane can reach the target one minor at a time.

use aksplan_catalog::SupportStatus;
use aksplan_model::finding::Finding;
use aksplan_model::version::KubeVersion;

use crate::Context;

crate::rule_code!(
    "AKS104",
    Error,
    "No one-minor path to the target",
    "## What it checks
A supported non-LTS control plane moves one minor at a time, so every minor between the
current one and the target must be offered to the cluster: by the catalog, and under the
cluster's support plan (a minor that AKS offers only under LTS is not a step for a cluster on
`KubernetesOfficial`), on the plan's date: from its GA to the end of its community support.

Skipping minors is allowed only from LTS to a higher LTS version (Premium tier, support plan
`AKSLongTermSupport`, LTS capability on both minors), and on the unsupported recovery paths
(full upgrade only). A gap that such a skip can bridge is not reported here; the skip's
conditions are checked by AKS105.

## Why
The apiserver must not skip minors (upstream version-skew policy, `aks-upgrade-rules.md` §1);
AKS lists only same-minor and next-minor upgrades for supported non-LTS patches (§2.1, §2.5).

## Example
```yaml
# --catalog get-versions-westus2-2025-09.json: 1.28 and 1.29 are offered only under LTS
current: { kubernetesVersion: \"1.27.9\", supportPlan: KubernetesOfficial }
target: { kubernetesVersion: \"1.30\" }
```

## Applies to
Every control-plane minor; the allowed skips are described in §2.1 of the rules reference."
);

/// Minors strictly between `current` and `target` that cannot be stepped on.
pub(crate) fn missing_steps(
    ctx: &Context<'_>,
    current: KubeVersion,
    target: KubeVersion,
    lts: bool,
) -> Vec<KubeVersion> {
    (current.minor + 1..target.minor)
        .map(|minor| KubeVersion::new(current.major, minor, None))
        .filter(|minor| match ctx.catalog.minor(*minor) {
            None => true,
            // Offered under the plan on the plan's date (an LTS cluster may skip instead).
            Some(_) => !lts && !ctx.catalog.offered(*minor, false, ctx.as_of),
        })
        .collect()
}

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for cluster in ctx.clusters() {
        let (Some((target, pointer)), Some(current)) = (cluster.target(), cluster.current_version()) else {
            continue;
        };
        if target.major != current.major || target.minor <= current.minor + 1 {
            continue;
        }
        let missing = missing_steps(ctx, current, target, cluster.is_lts());
        if missing.is_empty() {
            continue;
        }
        // An unsupported starting point may jump (recovery path): that is AKS120's business.
        let status = ctx.catalog.support_status(current, ctx.as_of, cluster.is_lts());
        if status == SupportStatus::Unsupported {
            continue;
        }
        // An LTS cluster may bridge the gap with an LTS-to-LTS skip, whose conditions AKS105 judges.
        let skip_possible = cluster.is_lts();
        if skip_possible {
            continue;
        }
        let names: Vec<String> = missing.iter().map(|m| format!("`{m}`")).collect();
        let (list, verb) = match names.as_slice() {
            [one] => (one.clone(), "is"),
            [rest @ .., last] => (format!("{} and {last}", rest.join(", ")), "are"),
            [] => (String::new(), "is"),
        };
        let support_plan = if cluster.is_lts() {
            "AKSLongTermSupport"
        } else {
            "KubernetesOfficial"
        };
        out.push(
            Finding::new(
                CODE,
                format!(
                    "cluster `{}` cannot move from `{current}` to `{target}` one minor at a time: {list} {verb} not offered under its support plan `{support_plan}`",
                    cluster.name()
                ),
            )
            .at(ctx.doc.label(&pointer).with_message("no path"))
            .also(cluster.current_version_label().with_message("from here"))
            .pointer(pointer)
            .help("enable LTS (Premium tier, `AKSLongTermSupport`) to step through LTS-only minors or skip between LTS versions, or choose a catalog that offers the missing minors"),
        );
    }
}

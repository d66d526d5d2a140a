//! AKS126: every version of the route is a patch AKS offers the cluster's support plan.

use aksplan_catalog::Resolution;
use aksplan_model::finding::{Finding, Severity};

use crate::Context;

crate::rule_code!(
    "AKS126",
    Error,
    "No patch of the route's minor is offered to the cluster's support plan",
    "## What it checks
Every version the control plane moves to is an exact patch AKS offers the cluster's support
plan. A minor target (`1.33`) means the latest patch offered to that plan, an intermediate hop
likewise; an exact target (`1.33.2`) must be one of them. AKS numbers its LTS-only patches from
100 (`1.28.100`): they are offered to clusters on `AKSLongTermSupport`, never to
`KubernetesOfficial`. When the catalog lists patches of a minor but none for the plan (the
embedded snapshot of 2026 lists only the LTS patches of 1.27 and 1.28), the route cannot be
written with a version the review can show: a warning, as the emitted script reads the exact patch live
(`az aks get-upgrades`) when the step runs and never sends the minor alias. An exact patch
not for the plan is an error. A cluster's own `upgradeProfiles.controlPlane`
(`az aks get-upgrades`) decides its first hop.

Stricter reading: a patch numbered 100 or more is taken as LTS-only even where a catalog lists
it for a minor that also has community patches.

## Why
`aks-upgrade-rules.md` §2.1 (\"AKS LTS patches use patch numbers ≥ 100\") and §2.4 (LTS supports
the two newest patches of each minor; `capabilities.supportPlan` says which plans a minor is
offered to): `az aks upgrade -k 1.28.101` on a `KubernetesOfficial` cluster is refused, and a
minor alias would pick a different patch than the plan shows.

## Example
```yaml
spec:
  target: { kubernetesVersion: \"1.28.101\" }   # an LTS patch
  clusters:
    - current: { kubernetesVersion: \"1.27.14\", tier: Free, supportPlan: KubernetesOfficial, ... }
```"
);

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for cluster in ctx.clusters() {
        let lts = cluster.is_lts();
        let route = cluster.route(ctx.catalog, ctx.as_of);
        // A hop to a minor AKS does not offer the plan at all is AKS104's or AKS124's.
        for hop in route.hops.iter().filter(|h| h.offered) {
            let Resolution::NotForPlan(version) = hop.resolution else {
                continue;
            };
            let listed: Vec<String> = ctx
                .catalog
                .patches_for(version, true)
                .unwrap_or_default()
                .iter()
                .map(|p| format!("`{p}`"))
                .collect();
            let plan = if lts {
                "AKSLongTermSupport"
            } else {
                "KubernetesOfficial"
            };
            let message = match version.patch {
                Some(_) => format!(
                    "cluster `{}` would upgrade to `{version}`, which AKS does not offer a {plan} cluster{}",
                    cluster.name(),
                    if aksplan_catalog::is_lts_patch(version) && !lts {
                        " (patches from 100 are LTS-only)"
                    } else {
                        ""
                    }
                ),
                None => format!(
                    "cluster `{}` would upgrade to `{version}`, but the catalog lists no patch of it that AKS offers a {plan} cluster (it lists {}): the script reads the patch live when the step runs",
                    cluster.name(),
                    listed.join(", ")
                ),
            };
            // A named patch AKS would refuse is an error. For a minor the script reads the exact
            // patch live (`az aks get-upgrades`) when the step runs, so the plan can still run,
            // but the review cannot show the patch: a warning.
            let severity = if version.patch.is_some() {
                Severity::Error
            } else {
                Severity::Warning
            };
            out.push(
                Finding::new(CODE, message)
                    .severity(severity)
                    .at(cluster.target_label().with_message("no patch for this support plan"))
                    .also(cluster.current_version_label().with_message("the route starts here"))
                    .pointer(cluster.pointer())
                    .help("pass `--catalog` with `az aks get-versions -l LOCATION -o json` saved on the plan's date, or give the cluster's `upgradeProfiles.controlPlane` (`az aks get-upgrades`); a cluster on LTS (`tier: Premium`, `supportPlan: AKSLongTermSupport`) may use LTS patches"),
            );
        }
    }
}

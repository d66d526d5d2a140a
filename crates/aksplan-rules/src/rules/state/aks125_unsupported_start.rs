//! AKS125: a cluster past its support is upgraded only in full.

use aksplan_catalog::SupportStatus;
use aksplan_model::finding::Finding;

use crate::Context;

crate::rule_code!(
    "AKS125",
    Error,
    "Control-plane-only upgrades from a version past its support",
    "## What it checks
A cluster not on the LTS plan whose current version is out of support on the plan's date (past
community support and past platform support, \"off the calendar\") is upgraded only with full
upgrades: the route's hops must not be control-plane-only. aksplan compiles full upgrades only for a cluster
whose auto-upgrade channel stays on with `strategy.channelConflict: fullUpgrade`.

## Why
`aks-upgrade-rules.md` §2.1: from an unsupported non-LTS version AKS allows only full-cluster
upgrades (no `--control-plane-only`), on the \"unsupported recovery path\"; the same section
defines \"unsupported non-LTS\" as off the calendar, so a version still in platform support (N-3,
on the calendar) is not held to it (AKS120 warns about it). The recovery path itself (one full upgrade to the lowest community minor AKS offers, which may skip
minors) is not compiled yet: upgrade such a cluster by hand to a supported version, then plan
from there.

## Example
```yaml
spec:
  asOf: \"2026-12-01\"
  clusters:
    - name: aks-old
      current: { kubernetesVersion: \"1.31.10\", supportPlan: KubernetesOfficial, ... }
      # community support of 1.31 ended 2025-11-01; the plan's hops are control-plane-only
```"
);

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for cluster in ctx.clusters() {
        if cluster.is_lts() || cluster.full_upgrades() {
            continue;
        }
        let Some(current) = cluster.current_version() else {
            continue;
        };
        if ctx.catalog.support_status(current, ctx.as_of, false) != SupportStatus::Unsupported {
            continue;
        }
        let past = "out of support";
        if cluster.hops(ctx.catalog).is_empty() {
            continue;
        }
        out.push(
            Finding::new(
                CODE,
                format!(
                    "cluster `{}` runs `{current}`, {past} on {}: AKS upgrades it only in full, but the plan's hops are control-plane-only",
                    cluster.name(),
                    ctx.as_of
                ),
            )
            .at(cluster.current_version_label().with_message("out of support"))
            .pointer(cluster.pointer())
            .help(
                "upgrade the cluster by hand in one full upgrade to the lowest community minor AKS offers (`az aks get-upgrades`, then `az aks upgrade -k VERSION` without `--control-plane-only`), then plan from there; or enrol it in LTS (`tier: Premium`, `supportPlan: AKSLongTermSupport`)",
            ),
        );
    }
}

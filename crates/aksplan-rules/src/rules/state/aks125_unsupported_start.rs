//! AKS125: a cluster past its support has a recovery upgrade to the target's way.

use aksplan_catalog::SupportStatus;
use aksplan_model::finding::Finding;

use crate::Context;
use crate::skew::{RouteKind, recovery_minor};

crate::rule_code!(
    "AKS125",
    Error,
    "No recovery upgrade from a version out of support",
    "## What it checks
A cluster not on the LTS plan whose current version is out of support on the plan's date (past
community support and past platform support: \"off the calendar\") leaves it the only way AKS
allows: one full upgrade (no `--control-plane-only`) to the lowest community minor AKS offers on
that date, which may skip minors (the recovery upgrade). aksplan compiles that upgrade as the
route's first step; this rule reports a plan whose target lies below that minor, so that no
recovery upgrade can reach it. The compiler's verifier holds every compiled route to the same
rule: a control-plane-only step from a version out of support is a defect.

Stricter readings: \"lowest supported community version\" is taken as the lowest minor AKS offers
`KubernetesOfficial` clusters on the plan's date, and the recovery upgrade goes no further than
that minor even when AKS would accept a higher one; a version in platform support (N-3, still on
the calendar) is not on the recovery path and steps one minor at a time (AKS120 warns about it).

## Why
`aks-upgrade-rules.md` §2.1 (recovery table): \"Unsupported non-LTS → lowest supported community
version: skip allowed, full-cluster upgrade only, use the oldest supported GA target AKS
offers.\" A route one minor at a time through minors that are out of community support is
refused at the first of them, and `--control-plane-only` is refused from an unsupported start.

## Example
```yaml
spec:
  asOf: \"2026-12-01\"
  target: { kubernetesVersion: \"1.33\" }   # LTS-only by then; the lowest community minor is 1.35
  clusters:
    - current: { kubernetesVersion: \"1.31.10\", supportPlan: KubernetesOfficial, ... }
```"
);

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for cluster in ctx.clusters() {
        if cluster.is_lts() {
            continue;
        }
        let (Some(current), Some((target, _))) = (cluster.current_version(), cluster.target()) else {
            continue;
        };
        if ctx.catalog.support_status(current, ctx.as_of, false) != SupportStatus::Unsupported {
            continue;
        }
        let route = cluster.route(ctx.catalog, ctx.as_of);
        if route.hops.is_empty() || route.kind == RouteKind::Recovery {
            continue;
        }
        let lowest = recovery_minor(ctx.catalog, current, ctx.as_of);
        let help = match lowest {
            Some(minor) => format!(
                "target `{minor}` (or later): AKS upgrades the cluster in one full upgrade to `{minor}`, the lowest community minor it offers on {}; or enrol the cluster in LTS (`tier: Premium`, `supportPlan: AKSLongTermSupport`)",
                ctx.as_of
            ),
            None => "the catalog knows no community minor above it on this date: pass `--catalog` with a recent `az aks get-versions`, or check `az aks get-upgrades`; AKS suggests a new cluster when it offers no upgrade".to_owned(),
        };
        out.push(
            Finding::new(
                CODE,
                format!(
                    "cluster `{}` runs `{current}`, out of support on {}: AKS upgrades it only in one full upgrade to the lowest community minor it offers{}, which the target `{target}` does not reach",
                    cluster.name(),
                    ctx.as_of,
                    lowest.map(|m| format!(" (`{m}`)")).unwrap_or_default()
                ),
            )
            .at(cluster.current_version_label().with_message("out of support"))
            .also(cluster.target_label().with_message("target"))
            .pointer(cluster.pointer())
            .help(help),
        );
    }
}

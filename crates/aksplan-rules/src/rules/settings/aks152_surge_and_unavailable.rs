//! AKS152: `maxSurge` and `maxUnavailable` both above 0 need the preview fallback.

use aksplan_model::finding::Finding;
use aksplan_model::plan::PoolMode;

use super::{at_field, each_pool, effective_surge, field_label, pool_name, positive};
use crate::Context;

crate::rule_code!(
    "AKS152",
    Warning,
    "maxSurge and maxUnavailable are both above 0",
    "## What it checks
A pool does not have both `maxSurge` and `maxUnavailable` above 0. When `maxSurge` is not set, the
AKS default counts (`10%` for pools on 1.32 or later, `1` before), so `maxUnavailable: 1` alone is
reported too. System pools are left to AKS151, which rejects their `maxUnavailable` anyway.

## Why
`aks-upgrade-rules.md` §5.1: both above 0 is the preview \"MaxUnavailable fallback\" (full surge,
then a surge of 1, then in-place with `maxUnavailable`), which needs the `aks-preview` CLI
extension (`aks-docs:articles/aks/upgrade-aks-node-pools-rolling.md`, 2026-05-29). The older
upgrade doc said the two can't both be active. Without the preview, set one of them to 0.

## Example
```yaml
nodePools:
  - name: apps
    mode: User
    orchestratorVersion: \"1.35.2\"
    upgradeSettings: { maxSurge: \"33%\", maxUnavailable: 1 }
```"
);

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    each_pool(ctx, |cluster, idx, pool, settings| {
        if pool.mode == PoolMode::System {
            return;
        }
        let Some(unavailable) = settings.max_unavailable.filter(|v| positive(*v)) else {
            return;
        };
        let surge = effective_surge(cluster, idx, settings);
        if !positive(surge) {
            return;
        }
        let surge_text = if settings.max_surge.is_some() {
            format!("`maxSurge: {surge}`")
        } else {
            format!("no `maxSurge` (AKS default `{surge}`)")
        };
        let mut finding = at_field(
            Finding::new(
                CODE,
                format!(
                    "{} has `maxUnavailable: {unavailable}` and {surge_text}: both above 0 needs the preview MaxUnavailable fallback",
                    pool_name(cluster, pool)
                ),
            ),
            cluster,
            idx,
            "upgradeSettings/maxUnavailable",
            "with a surge above 0",
        );
        if settings.max_surge.is_some() {
            finding = finding.also(field_label(cluster, idx, "upgradeSettings/maxSurge", "surge"));
        }
        out.push(finding.help(
            "for a GA upgrade set `maxSurge: 0` (in-place, `maxUnavailable` nodes at a time) or remove `maxUnavailable`; keep both only with the `aks-preview` extension",
        ));
    });
}

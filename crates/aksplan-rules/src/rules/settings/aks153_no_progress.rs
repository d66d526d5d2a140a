//! AKS153: `maxSurge` 0 with `maxUnavailable` 0 upgrades no node.

use aksplan_model::finding::Finding;
use aksplan_model::plan::PoolMode;

use super::{at_field, each_pool, field_label, pool_name, positive};
use crate::Context;

crate::rule_code!(
    "AKS153",
    Error,
    "maxSurge and maxUnavailable are both 0",
    "## What it checks
A pool with `maxSurge` set to `0` (or `0%`) has `maxUnavailable` above 0. A `maxUnavailable` that
is not set is the AKS default `0`, so `maxSurge: 0` alone is reported too.

## Why
`aks-upgrade-rules.md` §5.1: \"When `maxUnavailable` = 0, AKS requires `maxSurge` > 0\"
(`aks-docs:articles/aks/upgrade-aks-node-pools-rolling.md`; SDK defaults). With no surge node and
no node allowed to be unavailable, no node could be upgraded.

## Example
```yaml
nodePools:
  - name: apps
    mode: User
    orchestratorVersion: \"1.35.2\"
    upgradeSettings: { maxSurge: 0, maxUnavailable: 0 }
```"
);

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    each_pool(ctx, |cluster, idx, pool, settings| {
        let Some(surge) = settings.max_surge.filter(|v| !positive(*v)) else {
            return;
        };
        if settings.max_unavailable.is_some_and(positive) {
            return;
        }
        let unavailable = match settings.max_unavailable {
            Some(value) => format!("`maxUnavailable: {value}`"),
            None => "no `maxUnavailable` (AKS default `0`)".to_owned(),
        };
        let mut finding = at_field(
            Finding::new(
                CODE,
                format!(
                    "{} has `maxSurge: {surge}` and {unavailable}: no node could be upgraded",
                    pool_name(cluster, pool)
                ),
            ),
            cluster,
            idx,
            "upgradeSettings/maxSurge",
            "no surge",
        );
        if settings.max_unavailable.is_some() {
            finding = finding.also(field_label(
                cluster,
                idx,
                "upgradeSettings/maxUnavailable",
                "and no node unavailable",
            ));
        }
        let help = if pool.mode == PoolMode::System {
            "set `maxSurge` above 0 (e.g. `33%`); System pools cannot use `maxUnavailable`"
        } else {
            "set `maxSurge` above 0 (e.g. `33%`), or keep `maxSurge: 0` and set `maxUnavailable` to a node count such as `1`"
        };
        out.push(finding.help(help));
    });
}

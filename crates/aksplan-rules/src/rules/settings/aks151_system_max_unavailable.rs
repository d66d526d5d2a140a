//! AKS151: no `maxUnavailable` on System pools.

use aksplan_model::finding::Finding;
use aksplan_model::plan::PoolMode;

use super::{at_field, each_pool, field_label, pool_name, positive};
use crate::Context;

crate::rule_code!(
    "AKS151",
    Error,
    "maxUnavailable is set on a System pool",
    "## What it checks
A pool with `mode: System` has no `upgradeSettings.maxUnavailable` above 0. An explicit `0` (or
`0%`) is the AKS default, which `az aks nodepool list` prints for System pools too, and is not
reported.

## Why
`aks-upgrade-rules.md` §5.1 (\"`maxUnavailable` can't be set on System pools\") and §5.5
(`aks-docs:articles/aks/upgrade-aks-node-pools-rolling.md`, `use-system-pools.md`): AKS rejects the
setting on System pools, so the upgrade cannot use it.

## Example
```yaml
nodePools:
  - name: system
    mode: System
    orchestratorVersion: \"1.35.2\"
    upgradeSettings: { maxSurge: 0, maxUnavailable: 1 }
```"
);

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    each_pool(ctx, |cluster, idx, pool, settings| {
        if pool.mode != PoolMode::System {
            return;
        }
        let Some(unavailable) = settings.max_unavailable.filter(|v| positive(*v)) else {
            return;
        };
        out.push(
            at_field(
                Finding::new(
                    CODE,
                    format!(
                        "{} is a System pool but sets `maxUnavailable: {unavailable}`",
                        pool_name(cluster, pool)
                    ),
                ),
                cluster,
                idx,
                "upgradeSettings/maxUnavailable",
                "not allowed on a System pool",
            )
            .also(field_label(cluster, idx, "mode", "System pool"))
            .help("remove `maxUnavailable` and upgrade this pool with `maxSurge` above 0 (e.g. `33%`)"),
        );
    });
}

//! AKS156: Spot pools do not surge.

use aksplan_model::finding::Finding;
use aksplan_model::plan::ScaleSetPriority;

use super::{at_field, each_pool, field_label, pool_name, positive};
use crate::Context;

crate::rule_code!(
    "AKS156",
    Error,
    "A Spot pool sets a surge",
    "## What it checks
A pool with `scaleSetPriority: Spot` has no `maxSurge` above 0 (count or percentage).

## Why
`aks-upgrade-rules.md` §5.7 (`aks-docs:articles/aks/spot-node-pool.md`): upgrading a Spot pool
cordons its nodes and sends eviction notices, with no drain and **no surge nodes**. A surge set on
a Spot pool promises capacity the upgrade will not add; upgrade Spot pools with `maxSurge: 0` and a
`maxUnavailable` count instead.

## Example
```yaml
nodePools:
  - name: batch
    mode: User
    scaleSetPriority: Spot
    orchestratorVersion: \"1.35.2\"
    upgradeSettings: { maxSurge: \"33%\" }
```"
);

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    each_pool(ctx, |cluster, idx, pool, settings| {
        if pool.scale_set_priority != Some(ScaleSetPriority::Spot) {
            return;
        }
        let Some(surge) = settings.max_surge.filter(|v| positive(*v)) else {
            return;
        };
        out.push(
            at_field(
                Finding::new(
                    CODE,
                    format!(
                        "{} is a Spot pool but sets `maxSurge: {surge}`; Spot pools are upgraded without surge nodes",
                        pool_name(cluster, pool)
                    ),
                ),
                cluster,
                idx,
                "upgradeSettings/maxSurge",
                "no surge on Spot pools",
            )
            .also(field_label(cluster, idx, "scaleSetPriority", "Spot pool"))
            .help("set `maxSurge: 0` and `maxUnavailable` to a node count (e.g. `1`)"),
        );
    });
}

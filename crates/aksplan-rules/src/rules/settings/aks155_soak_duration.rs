//! AKS155: `nodeSoakDurationInMinutes` is 0 to 30.

use aksplan_model::finding::Finding;

use super::{at_field, each_pool, pool_name};
use crate::Context;

const MAX: u32 = 30;

crate::rule_code!(
    "AKS155",
    Error,
    "nodeSoakDurationInMinutes is out of range",
    "## What it checks
A pool's `upgradeSettings.nodeSoakDurationInMinutes` is from 0 to 30 minutes.

## Why
`aks-upgrade-rules.md` §5.1 and §9 item 7: the soak time after each upgraded node is 0–30 minutes
(SDK 39.1 `_validation`; `aks-docs:articles/aks/upgrade-aks-node-pools-rolling.md`); AKS rejects
anything longer. The default is 0; 0–5 minutes is the recommendation.

## Example
```yaml
nodePools:
  - name: apps
    mode: User
    orchestratorVersion: \"1.35.2\"
    upgradeSettings: { nodeSoakDurationInMinutes: 60 }   # at most 30
```"
);

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    each_pool(ctx, |cluster, idx, pool, settings| {
        let Some(minutes) = settings.node_soak_duration_in_minutes.filter(|m| *m > MAX) else {
            return;
        };
        out.push(
            at_field(
                Finding::new(
                    CODE,
                    format!(
                        "{} has `nodeSoakDurationInMinutes: {minutes}`, above the maximum of {MAX}",
                        pool_name(cluster, pool)
                    ),
                ),
                cluster,
                idx,
                "upgradeSettings/nodeSoakDurationInMinutes",
                format!("above {MAX}"),
            )
            .help(format!("use 0 to {MAX} minutes (AKS default 0)")),
        );
    });
}

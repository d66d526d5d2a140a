//! AKS150: `maxSurge` is a node count or a percentage from 1% to 100%.

use aksplan_model::finding::Finding;
use aksplan_model::plan::CountOrPercent;

use super::{at_field, each_pool, pool_name};
use crate::Context;

crate::rule_code!(
    "AKS150",
    Error,
    "maxSurge is out of range",
    "## What it checks
A pool's `upgradeSettings.maxSurge` is a node count (`0` or more) or a percentage from `1%` to
`100%`. `0%` and percentages above `100%` are reported.

## Why
`aks-upgrade-rules.md` §5.1 and §9 item 7: AKS takes `maxSurge` as an int ≥ 0 or a percent of
1–100% (SDK `_validation`; `aks-docs:articles/aks/upgrade-aks-node-pools-rolling.md`). A surge of no
nodes is written as the count `0` (together with a `maxUnavailable` above 0), never as `0%`.

## Example
```yaml
nodePools:
  - name: apps
    mode: User
    orchestratorVersion: \"1.35.2\"
    upgradeSettings: { maxSurge: \"150%\" }   # at most 100%
```"
);

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    each_pool(ctx, |cluster, idx, pool, settings| {
        let Some(CountOrPercent::Percent(percent)) = settings.max_surge else {
            return;
        };
        if (1..=100).contains(&percent) {
            return;
        }
        let (why, label, help) = if percent == 0 {
            (
                "a percentage of 0 is not allowed",
                "0%",
                "write a percentage from `1%` to `100%` (e.g. `33%`); for no surge write the count `0` and set `maxUnavailable` above 0",
            )
        } else {
            (
                "a percentage above 100 is not allowed",
                "above 100%",
                "write at most `100%` (every node of the pool surged at once), e.g. `33%`",
            )
        };
        out.push(
            at_field(
                Finding::new(
                    CODE,
                    format!("{} has `maxSurge: {percent}%`: {why}", pool_name(cluster, pool)),
                ),
                cluster,
                idx,
                "upgradeSettings/maxSurge",
                label,
            )
            .help(help),
        );
    });
}

//! AKS154: `drainTimeoutInMinutes` is 5 to 1440.

use aksplan_model::finding::Finding;

use super::{at_field, each_pool, pool_name};
use crate::Context;

const MIN: u32 = 5;
const MAX: u32 = 1440;

crate::rule_code!(
    "AKS154",
    Error,
    "drainTimeoutInMinutes is out of range",
    "## What it checks
A pool's `upgradeSettings.drainTimeoutInMinutes` is from 5 to 1440 minutes (24 hours).

## Why
`aks-upgrade-rules.md` §5.1 and §9 item 7. The sources conflict on the minimum: the API validation
(SDK 39.1 `_validation`) accepts 1–1440, but the service has rejected values below 5 since
2024-08 (\"Validation for minimum 5 minutes has been introduced\", AKS-CHANGELOG 2024-08-05; the
rolling-upgrade doc says 5 minutes to 24 hours). aksplan takes the conservative reading: 1 to 4
minutes are errors. The AKS default, when the field is not set, is 30.

`undrainableNodeBehavior` (`Schedule` or `Cordon`) needs no rule: the plan schema already accepts
only those two values.

## Example
```yaml
nodePools:
  - name: apps
    mode: User
    orchestratorVersion: \"1.35.2\"
    upgradeSettings: { drainTimeoutInMinutes: 2 }   # at least 5
```"
);

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    each_pool(ctx, |cluster, idx, pool, settings| {
        let Some(minutes) = settings.drain_timeout_in_minutes else {
            return;
        };
        let (why, label) = if minutes < MIN {
            (
                format!("below the minimum of {MIN} that AKS enforces since 2024-08"),
                format!("below {MIN}"),
            )
        } else if minutes > MAX {
            (
                format!("above the maximum of {MAX} (24 hours)"),
                format!("above {MAX}"),
            )
        } else {
            return;
        };
        out.push(
            at_field(
                Finding::new(
                    CODE,
                    format!(
                        "{} has `drainTimeoutInMinutes: {minutes}`, {why}",
                        pool_name(cluster, pool)
                    ),
                ),
                cluster,
                idx,
                "upgradeSettings/drainTimeoutInMinutes",
                label,
            )
            .help(format!(
                "use {MIN} to {MAX} minutes (AKS default 30), or remove the field"
            )),
        );
    });
}

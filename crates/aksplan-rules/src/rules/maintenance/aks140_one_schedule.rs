//! AKS140: a maintenance schedule sets exactly one recurrence.

use aksplan_model::finding::Finding;

use super::{configs, schedule_kinds};
use crate::Context;

crate::rule_code!(
    "AKS140",
    Error,
    "A maintenance schedule does not set exactly one recurrence",
    "## What it checks
The `schedule` of every maintenance configuration (the plan's `maintenance`, `current.maintenance`,
and a saved `az aks maintenanceconfiguration list` output) sets exactly one of `daily`, `weekly`,
`absoluteMonthly` and `relativeMonthly`.

## Why
`aks-upgrade-rules.md` §4 (`aks-docs:articles/aks/planned-maintenance.md`; SDK validation of
`azure-mgmt-containerservice` 39.1.0): `schedule` is \"exactly one of `daily`, `weekly`,
`absoluteMonthly`, `relativeMonthly` (required)\", and `az aks maintenanceconfiguration add`
takes a single `--schedule-type`.

## Example
```yaml
maintenance:
  aksManagedAutoUpgradeSchedule:
    schedule:
      weekly: { intervalWeeks: 1, dayOfWeek: Saturday }
      daily: { intervalDays: 1 }
    durationHours: 8
    startTime: \"22:00\"
```"
);

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for config in configs(ctx) {
        let kinds = schedule_kinds(config.window);
        let (message, label) = match kinds.as_slice() {
            [_] => continue,
            [] => (
                format!("the schedule of {} sets no recurrence", config.describe()),
                "no recurrence".to_owned(),
            ),
            [init @ .., last] => {
                let init: Vec<String> = init.iter().map(|k| format!("`{k}`")).collect();
                let named = format!("{} and `{last}`", init.join(", "));
                (
                    format!(
                        "the schedule of {} sets {} recurrences: {named}",
                        config.describe(),
                        kinds.len()
                    ),
                    format!("sets {named}"),
                )
            }
        };
        out.push(
            config
                .key_finding(CODE, message, "schedule", &label)
                .help("keep exactly one of `daily`, `weekly`, `absoluteMonthly` and `relativeMonthly`"),
        );
    }
}

//! AKS141: a maintenance window lasts 4 to 24 hours.

use aksplan_model::finding::Finding;

use super::configs;
use crate::Context;

crate::rule_code!(
    "AKS141",
    Error,
    "A maintenance window is shorter than 4 or longer than 24 hours",
    "## What it checks
The `durationHours` of every maintenance configuration (the plan's `maintenance`,
`current.maintenance`, and a saved `az aks maintenanceconfiguration list` output) is between 4
and 24.

## Why
`aks-upgrade-rules.md` §4 (`aks-docs:articles/aks/planned-maintenance.md`; SDK validation of
`azure-mgmt-containerservice` 39.1.0; `az aks maintenanceconfiguration add --duration <4..24>`):
the API enforces `durationHours` 4 to 24, and the docs ask for at least four hours whenever
auto-upgrade uses the window.

## Example
```yaml
maintenance:
  aksManagedNodeOSUpgradeSchedule:
    schedule: { weekly: { intervalWeeks: 1, dayOfWeek: Sunday } }
    durationHours: 2
    startTime: \"01:00\"
```"
);

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for config in configs(ctx) {
        let hours = config.window.duration_hours;
        if (4..=24).contains(&hours) {
            continue;
        }
        let (what, fix) = if hours < 4 {
            ("shorter than 4 hours", "at least `4`")
        } else {
            ("longer than 24 hours", "at most `24`")
        };
        out.push(
            config
                .finding(
                    CODE,
                    format!("{} lasts `{hours}` hours; AKS allows 4 to 24", config.describe()),
                    "durationHours",
                    what,
                )
                .help(format!("set `durationHours` to {fix}")),
        );
    }
}

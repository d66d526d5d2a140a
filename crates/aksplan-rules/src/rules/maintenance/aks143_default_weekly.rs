//! AKS143: the `default` configuration is weekly, every week.

use aksplan_model::finding::Finding;

use super::{configs, schedule_kinds};
use crate::Context;

crate::rule_code!(
    "AKS143",
    Error,
    "The default maintenance configuration is not weekly",
    "## What it checks
The `default` maintenance configuration (AKS weekly releases) uses a `weekly` schedule only, and
its `intervalWeeks` is absent or `1`. Checked in the plan's `maintenance`, in
`current.maintenance` and in a saved `az aks maintenanceconfiguration list` output.

`intervalWeeks: 1` is accepted because it is what AKS stores, but `az` rejects
`--interval-weeks` for `default`; the emitted `az aks maintenanceconfiguration` command leaves
it out.

## Why
`aks-upgrade-rules.md` §4 (`aks-docs:articles/aks/planned-maintenance.md`;
`azcli-2.91:maintenanceconfiguration.py`): `default` supports Weekly only; the CLI requires
`--schedule-type Weekly` and rejects `--interval-weeks` (\"the interval is always 1 week\"; it
sends 1). The docs' CLI example for `default` passes `--interval-weeks 1`, which CLI 2.91.0
rejects: the reference marks this as a conflict, and the conservative reading (only an interval
of one week is possible) is the one checked.

## Example
```yaml
maintenance:
  default:
    schedule: { weekly: { intervalWeeks: 2, dayOfWeek: Monday } }
    durationHours: 4
    startTime: \"09:00\"
```"
);

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for config in configs(ctx).into_iter().filter(|c| c.name == "default") {
        for kind in schedule_kinds(config.window)
            .into_iter()
            .filter(|k| *k != "weekly")
        {
            out.push(
                config
                    .key_finding(
                        CODE,
                        format!("{} has a `{kind}` schedule, but `default` is weekly only", config.describe()),
                        &format!("schedule/{kind}"),
                        "not weekly",
                    )
                    .help("use `schedule: { weekly: { dayOfWeek: ... } }`; `aksManagedAutoUpgradeSchedule` and `aksManagedNodeOSUpgradeSchedule` take the other schedule types"),
            );
        }
        if let Some(weeks) = config
            .window
            .schedule
            .weekly
            .as_ref()
            .and_then(|w| w.interval_weeks)
            .filter(|w| *w != 1)
        {
            out.push(
                config
                    .finding(
                        CODE,
                        format!(
                            "{} repeats every `{weeks}` weeks, but `default` always repeats every week",
                            config.describe()
                        ),
                        "schedule/weekly/intervalWeeks",
                        "must be 1 or absent",
                    )
                    .help("remove `intervalWeeks` from the `default` configuration"),
            );
        }
    }
}

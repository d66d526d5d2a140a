//! AKS142: maintenance schedule intervals and days are in range.

use std::ops::RangeInclusive;

use aksplan_model::finding::Finding;

use super::configs;
use crate::Context;

crate::rule_code!(
    "AKS142",
    Error,
    "A maintenance schedule interval or day is out of range",
    "## What it checks
In every maintenance configuration (the plan's `maintenance`, `current.maintenance`, and a saved
`az aks maintenanceconfiguration list` output):

- `daily.intervalDays` is 1 to 7;
- `weekly.intervalWeeks` is 1 to 4, and is given;
- `absoluteMonthly.intervalMonths` is 1 to 6 and `absoluteMonthly.dayOfMonth` 1 to 31;
- `relativeMonthly.intervalMonths` is 1 to 6.

The `default` configuration's `intervalWeeks` is left to AKS143, which allows only `1` there (or
none).

## Why
`aks-upgrade-rules.md` §4 (`aks-docs:articles/aks/planned-maintenance.md`; SDK validation of
`azure-mgmt-containerservice` 39.1.0; `azcli-2.91:maintenanceconfiguration.py`): these are the
API's limits, and every field of the chosen schedule type is required (\"Weekly needs
`--interval-weeks` and `--day-of-week`\").

## Example
```yaml
maintenance:
  aksManagedAutoUpgradeSchedule:
    schedule: { absoluteMonthly: { intervalMonths: 12, dayOfMonth: 1 } }
    durationHours: 8
    startTime: \"22:00\"
```"
);

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for config in configs(ctx) {
        let schedule = &config.window.schedule;
        let mut limits: Vec<(&str, Option<u32>, RangeInclusive<u32>)> = Vec::new();
        if let Some(daily) = &schedule.daily {
            limits.push(("daily/intervalDays", Some(daily.interval_days), 1..=7));
        }
        if let Some(weekly) = &schedule.weekly
            && config.name != "default"
        {
            limits.push(("weekly/intervalWeeks", weekly.interval_weeks, 1..=4));
        }
        if let Some(monthly) = &schedule.absolute_monthly {
            limits.push((
                "absoluteMonthly/intervalMonths",
                Some(monthly.interval_months),
                1..=6,
            ));
            limits.push(("absoluteMonthly/dayOfMonth", Some(monthly.day_of_month), 1..=31));
        }
        if let Some(monthly) = &schedule.relative_monthly {
            limits.push((
                "relativeMonthly/intervalMonths",
                Some(monthly.interval_months),
                1..=6,
            ));
        }
        for (path, value, range) in limits {
            let field = path.rsplit('/').next().unwrap_or(path);
            let (lo, hi) = (range.start(), range.end());
            let kind = path.split('/').next().unwrap_or(path);
            let finding = match value {
                Some(value) if range.contains(&value) => continue,
                Some(value) => config.finding(
                    CODE,
                    format!(
                        "`{field}` of {} is `{value}`; AKS allows {lo} to {hi}",
                        config.describe()
                    ),
                    &format!("schedule/{path}"),
                    &format!("must be {lo} to {hi}"),
                ),
                None => config.key_finding(
                    CODE,
                    format!("the `{kind}` schedule of {} has no `{field}`", config.describe()),
                    &format!("schedule/{kind}"),
                    &format!("needs `{field}`"),
                ),
            };
            out.push(finding.help(format!("set `{field}` to a value from {lo} to {hi}")));
        }
    }
}

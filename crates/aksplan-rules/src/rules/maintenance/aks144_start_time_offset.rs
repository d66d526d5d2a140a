//! AKS144: a maintenance window's `startTime` and `utcOffset` are well formed.

use aksplan_model::finding::Finding;

use super::configs;
use crate::Context;

crate::rule_code!(
    "AKS144",
    Error,
    "A maintenance window's startTime or utcOffset is malformed",
    "## What it checks
In every maintenance configuration (the plan's `maintenance`, `current.maintenance`, and a saved
`az aks maintenanceconfiguration list` output):

- `startTime` is `HH:MM`, from `00:00` to `23:59`;
- `utcOffset`, when given, is `+HH:MM` or `-HH:MM` with hours up to 14 and minutes below 60.

`startDate` and `notAllowedDates` are dates, checked with every other date of the plan (AKS016).

## Why
`aks-upgrade-rules.md` §4 (`aks-docs:articles/aks/planned-maintenance.md`; the validators of
`azcli-2.91:maintenanceconfiguration.py`): `startTime` is `HH:mm`, `00:00`–`23:59`, interpreted
in `utcOffset`; the CLI checks `--start-time` against `^\\d{2}:\\d{2}$` and `--utc-offset`
against `^[+-]\\d{2}:\\d{2}$`. The reference gives only the pattern for `utcOffset`; the limit
of 14 hours is aksplan's own (UTC offsets in use run from `-12:00` to `+14:00`).

## Example
```yaml
maintenance:
  aksManagedAutoUpgradeSchedule:
    schedule: { weekly: { intervalWeeks: 1, dayOfWeek: Saturday } }
    durationHours: 8
    startTime: \"9:00\"        # HH:MM: \"09:00\"
    utcOffset: \"+1:00\"       # \"+01:00\"
```"
);

/// Two ASCII digits as a number.
fn two_digits(text: &str) -> Option<u32> {
    (text.len() == 2 && text.bytes().all(|b| b.is_ascii_digit())).then(|| text.parse().ok())?
}

/// Why `text` is not a `startTime`, with the corrected value when it is obvious.
fn start_time_problem(text: &str) -> Option<(String, Option<String>)> {
    let Some((hours, minutes)) = text.split_once(':') else {
        return Some(("is not `HH:MM`".into(), None));
    };
    match (two_digits(hours), two_digits(minutes)) {
        (Some(h), Some(m)) if h <= 23 && m <= 59 => None,
        (Some(h), Some(_)) if h > 23 => Some((format!("has hour `{h}`, past 23"), None)),
        (Some(_), Some(m)) => Some((format!("has minute `{m}`, past 59"), None)),
        _ => {
            let padded = format!("{hours:0>2}:{minutes:0>2}");
            let fix = (padded != text && start_time_problem(&padded).is_none()).then_some(padded);
            Some(("is not `HH:MM`".into(), fix))
        }
    }
}

/// Why `text` is not a `utcOffset`, with the corrected value when it is obvious.
fn utc_offset_problem(text: &str) -> Option<(String, Option<String>)> {
    let unsigned = text.strip_prefix(['+', '-']);
    let sign = if text.starts_with('-') { "-" } else { "+" };
    let Some((hours, minutes)) = unsigned.unwrap_or(text).split_once(':') else {
        return Some(("is not `+HH:MM` or `-HH:MM`".into(), None));
    };
    match (unsigned.is_some(), two_digits(hours), two_digits(minutes)) {
        (true, Some(h), Some(m)) if h <= 14 && m < 60 => None,
        (true, Some(h), Some(_)) if h > 14 => Some((format!("has `{h}` hours, more than 14"), None)),
        (true, Some(_), Some(m)) => Some((format!("has `{m}` minutes, not below 60"), None)),
        _ => {
            let padded = format!("{sign}{hours:0>2}:{minutes:0>2}");
            let fix = (padded != text && utc_offset_problem(&padded).is_none()).then_some(padded);
            Some(("is not `+HH:MM` or `-HH:MM`".into(), fix))
        }
    }
}

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for config in configs(ctx) {
        let window = config.window;
        let mut problems = Vec::new();
        if let Some((why, fix)) = start_time_problem(&window.start_time) {
            let help = match fix {
                Some(fix) => format!("write `startTime: \"{fix}\"`"),
                None => "write `startTime` as `HH:MM`, from `00:00` to `23:59` (e.g. `\"22:00\"`)".to_owned(),
            };
            problems.push(("startTime", &window.start_time, why, help));
        }
        if let Some(offset) = &window.utc_offset
            && let Some((why, fix)) = utc_offset_problem(offset)
        {
            let help = match fix {
                Some(fix) => format!("write `utcOffset: \"{fix}\"`"),
                None => "write `utcOffset` as `+HH:MM` or `-HH:MM`, with hours up to 14 (e.g. `\"+01:00\"`)"
                    .to_owned(),
            };
            problems.push(("utcOffset", offset, why, help));
        }
        for (field, value, why, help) in problems {
            out.push(
                config
                    .finding(
                        CODE,
                        format!("`{field}` of {} is `{value}`, which {why}", config.describe()),
                        field,
                        &why,
                    )
                    .help(help),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_times() {
        for ok in ["00:00", "09:30", "23:59"] {
            assert_eq!(start_time_problem(ok), None, "{ok}");
        }
        assert_eq!(start_time_problem("9:00").unwrap().1.as_deref(), Some("09:00"));
        assert!(start_time_problem("24:00").unwrap().0.contains("hour `24`"));
        assert!(start_time_problem("12:60").unwrap().0.contains("minute `60`"));
        for bad in ["", "0900", "09:00:00", "ab:cd", "+9:00", "٠٩:٠٠"] {
            let (_, fix) = start_time_problem(bad).expect(bad);
            assert_eq!(fix, None, "{bad}");
        }
    }

    #[test]
    fn utc_offsets() {
        for ok in ["+00:00", "-08:00", "+05:30", "+14:00", "-12:00"] {
            assert_eq!(utc_offset_problem(ok), None, "{ok}");
        }
        assert_eq!(utc_offset_problem("+1:00").unwrap().1.as_deref(), Some("+01:00"));
        assert_eq!(utc_offset_problem("05:30").unwrap().1.as_deref(), Some("+05:30"));
        assert!(utc_offset_problem("+15:00").unwrap().0.contains("`15` hours"));
        assert!(utc_offset_problem("-01:60").unwrap().0.contains("`60` minutes"));
        for bad in ["", "UTC", "+0100", "+01:00:00"] {
            let (_, fix) = utc_offset_problem(bad).expect(bad);
            assert_eq!(fix, None, "{bad}");
        }
    }
}

//! Days a cluster's steps stay off: the `notAllowedDates` of its maintenance configurations.

use aksplan_model::time::parse_date;
use aksplan_rules::ClusterView;
use jiff::Timestamp;
use jiff::civil::Time;
use jiff::tz::Offset;

/// `+HH:MM` / `-HH:MM` of a maintenance configuration; `+00:00` when absent or unreadable (the
/// rules report an unreadable one, and the compiler does not run then).
fn parse_offset(text: Option<&str>) -> Offset {
    let Some(text) = text else {
        return Offset::UTC;
    };
    let (sign, rest) = match text.as_bytes().first() {
        Some(b'-') => (-1, &text[1..]),
        Some(b'+') => (1, &text[1..]),
        _ => (1, text),
    };
    let Some((hours, minutes)) = rest.split_once(':') else {
        return Offset::UTC;
    };
    match (hours.parse::<i32>(), minutes.parse::<i32>()) {
        (Ok(h), Ok(m)) => Offset::from_seconds(sign * (h * 3600 + m * 60)).unwrap_or(Offset::UTC),
        _ => Offset::UTC,
    }
}

/// Days a cluster's steps stay off: a `notAllowedDates` range, from the first day's midnight to
/// the midnight after the last, in its configuration's `utcOffset`.
#[derive(Debug, Clone)]
pub(super) struct Blackout {
    pub(super) start: Timestamp,
    pub(super) end: Timestamp,
    /// `2026-12-20 to 2027-01-03 (`aksManagedAutoUpgradeSchedule`)`.
    pub(super) text: String,
}

impl Blackout {
    pub(super) fn overlaps(&self, start: Timestamp, end: Timestamp) -> bool {
        if end <= start {
            self.start <= start && start < self.end
        } else {
            start < self.end && self.start < end
        }
    }

    /// The `notAllowedDates` of the cluster's maintenance configurations, current and planned.
    pub(super) fn of(view: &ClusterView<'_>) -> Vec<Blackout> {
        let mut out: Vec<Blackout> = Vec::new();
        let current = view.resolved.current.maintenance.clone().unwrap_or_default();
        let planned = view.resolved.maintenance.clone();
        for maintenance in [&planned, &current] {
            for (config, window) in maintenance.entries() {
                let offset = parse_offset(window.utc_offset.as_deref());
                for span in &window.not_allowed_dates {
                    let (Ok(first), Ok(last)) = (parse_date(&span.start), parse_date(&span.end)) else {
                        continue;
                    };
                    let Ok(after) = last.tomorrow() else { continue };
                    let (Ok(start), Ok(end)) = (
                        offset.to_timestamp(first.to_datetime(Time::midnight())),
                        offset.to_timestamp(after.to_datetime(Time::midnight())),
                    ) else {
                        continue;
                    };
                    if out.iter().any(|b| b.start == start && b.end == end) {
                        continue;
                    }
                    out.push(Blackout {
                        start,
                        end,
                        text: format!("{first} to {last} (`{config}`)"),
                    });
                }
            }
        }
        out
    }
}

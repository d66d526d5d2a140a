//! When AKS's own, channel-driven work runs: the next occurrence of a planned-maintenance window.
//!
//! After the change, a cluster whose auto-upgrade channel (or node OS channel) is on is upgraded
//! by AKS itself, inside `aksManagedAutoUpgradeSchedule` (or `aksManagedNodeOSUpgradeSchedule`).
//! The schedule reports when that next happens, so reviewers see when the cluster will next change
//! without anyone running a step. Recurrences follow `aks-upgrade-rules.md` §4: every N days, every
//! N weeks on a weekday, every N months on a day of the month or on the first…last weekday; the
//! window is inactive before `startDate`, and never starts on a `notAllowedDates` day. Without a
//! `startDate`, intervals are counted from the first day that could match (AKS counts from the
//! configuration's creation, which a plan does not know).

use aksplan_model::plan::{DayOfWeek, MaintenanceWindow, WeekIndex};
use jiff::civil::{Date, Weekday};
use jiff::tz::Offset;
use jiff::{Timestamp, ToSpan};

fn weekday(day: DayOfWeek) -> Weekday {
    match day {
        DayOfWeek::Monday => Weekday::Monday,
        DayOfWeek::Tuesday => Weekday::Tuesday,
        DayOfWeek::Wednesday => Weekday::Wednesday,
        DayOfWeek::Thursday => Weekday::Thursday,
        DayOfWeek::Friday => Weekday::Friday,
        DayOfWeek::Saturday => Weekday::Saturday,
        DayOfWeek::Sunday => Weekday::Sunday,
    }
}

fn offset_of(text: Option<&str>) -> Option<Offset> {
    let text = text.unwrap_or("+00:00");
    let sign = match text.chars().next()? {
        '+' => 1,
        '-' => -1,
        _ => return None,
    };
    let (hours, minutes) = text[1..].split_once(':')?;
    let seconds = sign * (hours.parse::<i32>().ok()? * 3600 + minutes.parse::<i32>().ok()? * 60);
    Offset::from_seconds(seconds).ok()
}

fn months_between(a: Date, b: Date) -> i64 {
    (i64::from(b.year()) - i64::from(a.year())) * 12 + i64::from(b.month()) - i64::from(a.month())
}

/// Whether the window recurs on `date`, counting intervals from `anchor`.
fn recurs_on(window: &MaintenanceWindow, date: Date, anchor: Date) -> bool {
    let schedule = &window.schedule;
    if let Some(daily) = &schedule.daily {
        let days = (date - anchor).get_days() as i64;
        return days >= 0 && days % i64::from(daily.interval_days.max(1)) == 0;
    }
    if let Some(weekly) = &schedule.weekly {
        if date.weekday() != weekday(weekly.day_of_week) {
            return false;
        }
        let anchor_week = anchor - (anchor.weekday().to_monday_zero_offset() as i64).days();
        let weeks = (date - anchor_week).get_days() as i64 / 7;
        return weeks % i64::from(weekly.interval_weeks.unwrap_or(1).max(1)) == 0;
    }
    if let Some(monthly) = &schedule.absolute_monthly {
        let months = months_between(anchor, date);
        return u32::from(date.day().unsigned_abs()) == monthly.day_of_month
            && months % i64::from(monthly.interval_months.max(1)) == 0;
    }
    if let Some(relative) = &schedule.relative_monthly {
        if date.weekday() != weekday(relative.day_of_week) {
            return false;
        }
        let months = months_between(anchor, date);
        if months % i64::from(relative.interval_months.max(1)) != 0 {
            return false;
        }
        let nth = (date.day() - 1) / 7;
        let last = date
            .checked_add(7.days())
            .map_or(true, |next| next.month() != date.month());
        return match relative.week_index {
            WeekIndex::First => nth == 0,
            WeekIndex::Second => nth == 1,
            WeekIndex::Third => nth == 2,
            WeekIndex::Fourth => nth == 3,
            WeekIndex::Last => last,
        };
    }
    false
}

/// The next window that starts at or after `after`: its start and end. `None` when the
/// configuration cannot be read or no occurrence falls within two years.
pub fn next_occurrence(
    window: &MaintenanceWindow,
    after: Timestamp,
) -> Option<(Timestamp, Timestamp, Offset)> {
    let offset = offset_of(window.utc_offset.as_deref())?;
    let (hour, minute) = window.start_time.split_once(':')?;
    let (hour, minute): (i8, i8) = (hour.parse().ok()?, minute.parse().ok()?);
    let first_day = offset.to_datetime(after).date();
    let start_date = window.start_date.as_deref().and_then(|d| d.parse::<Date>().ok());
    let anchor = start_date.unwrap_or(first_day);
    let blocked: Vec<(Date, Date)> = window
        .not_allowed_dates
        .iter()
        .filter_map(|span| Some((span.start.parse().ok()?, span.end.parse().ok()?)))
        .collect();
    let mut day = start_date.map_or(first_day, |s| s.max(first_day));
    for _ in 0..800 {
        if recurs_on(window, day, anchor) && !blocked.iter().any(|(from, to)| *from <= day && day <= *to) {
            let start = day
                .at(hour, minute, 0, 0)
                .to_zoned(jiff::tz::TimeZone::fixed(offset))
                .ok()?
                .timestamp();
            if start >= after {
                let end = start.checked_add(i64::from(window.duration_hours).hours()).ok()?;
                return Some((start, end, offset));
            }
        }
        day = day.tomorrow().ok()?;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use aksplan_model::plan::{DateSpan, RelativeMonthlySchedule, Schedule, WeeklySchedule};

    fn window(schedule: Schedule) -> MaintenanceWindow {
        MaintenanceWindow {
            schedule,
            duration_hours: 4,
            start_time: "02:00".into(),
            utc_offset: Some("+01:00".into()),
            start_date: None,
            not_allowed_dates: Vec::new(),
        }
    }

    #[test]
    fn weekly_and_not_allowed_dates() {
        let mut w = window(Schedule {
            weekly: Some(WeeklySchedule {
                interval_weeks: Some(1),
                day_of_week: DayOfWeek::Sunday,
            }),
            ..Default::default()
        });
        let after: Timestamp = "2026-12-13T06:00:00+01:00".parse().unwrap();
        let (start, end, _) = next_occurrence(&w, after).unwrap();
        assert_eq!(start.to_string(), "2026-12-20T01:00:00Z");
        assert_eq!(end.to_string(), "2026-12-20T05:00:00Z");
        w.not_allowed_dates = vec![DateSpan {
            start: "2026-12-19".into(),
            end: "2027-01-03".into(),
        }];
        let (start, _, _) = next_occurrence(&w, after).unwrap();
        assert_eq!(start.to_string(), "2027-01-10T01:00:00Z", "skips the freeze");
    }

    #[test]
    fn last_tuesday_of_the_month() {
        let w = window(Schedule {
            relative_monthly: Some(RelativeMonthlySchedule {
                interval_months: 1,
                day_of_week: DayOfWeek::Tuesday,
                week_index: WeekIndex::Last,
            }),
            ..Default::default()
        });
        let (start, _, _) = next_occurrence(&w, "2026-12-01T00:00:00Z".parse().unwrap()).unwrap();
        assert_eq!(start.to_string(), "2026-12-29T01:00:00Z");
    }
}

//! How times are written and counted: RFC 3339 for machines, `2026-12-05 22:00 +01:00` for
//! people, always at an offset the plan wrote (a change window's); and the minute arithmetic the
//! scheduler places steps with. The route and the reports write times with these functions.

use jiff::civil::Date;
use jiff::tz::Offset;
use jiff::{SignedDuration, Timestamp};

/// `2026-12-05T22:00:00+01:00`.
pub fn rfc3339(ts: Timestamp, offset: Offset) -> String {
    ts.display_with_offset(offset).to_string()
}

/// `+01:00`.
pub fn offset_text(offset: Offset) -> String {
    let seconds = offset.seconds();
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.unsigned_abs() / 60;
    format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

/// `2026-12-05 22:00 +01:00`.
pub fn local_text(ts: Timestamp, offset: Offset) -> String {
    let dt = offset.to_datetime(ts);
    format!(
        "{} {:02}:{:02} {}",
        dt.date(),
        dt.hour(),
        dt.minute(),
        offset_text(offset)
    )
}

/// `22:00`.
pub fn time_text(ts: Timestamp, offset: Offset) -> String {
    let dt = offset.to_datetime(ts);
    format!("{:02}:{:02}", dt.hour(), dt.minute())
}

/// The calendar date of `ts` at `offset`.
pub fn local_date(ts: Timestamp, offset: Offset) -> Date {
    offset.to_datetime(ts).date()
}

/// Whole minutes from `from` to `to` (0 when `to` is earlier).
pub(crate) fn minutes_between(from: Timestamp, to: Timestamp) -> u64 {
    u64::try_from(to.duration_since(from).as_secs()).unwrap_or(0) / 60
}

/// `ts` plus `seconds`, saturating at the end of time.
pub(crate) fn after_seconds(ts: Timestamp, seconds: u64) -> Timestamp {
    let seconds = i64::try_from(seconds).unwrap_or(i64::MAX);
    ts.checked_add(SignedDuration::from_secs(seconds))
        .unwrap_or(Timestamp::MAX)
}

/// `ts` plus `minutes`, saturating at the end of time.
pub(crate) fn after_minutes(ts: Timestamp, minutes: u64) -> Timestamp {
    after_seconds(ts, minutes.saturating_mul(60))
}

/// `1h 05m`, `20m`, `2d 3h` (as the route shows estimates).
pub fn duration_text(minutes: u64) -> String {
    let (days, hours, mins) = (minutes / 1440, (minutes % 1440) / 60, minutes % 60);
    match (days, hours) {
        (0, 0) => format!("{mins}m"),
        (0, _) => format!("{hours}h {mins:02}m"),
        _ => format!("{days}d {hours}h"),
    }
}

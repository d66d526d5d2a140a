//! The plan's change windows.

use aksplan_model::time::parse_timestamp;
use aksplan_rules::Context;
use jiff::tz::Offset;

use super::Window;
use crate::time::after_seconds;

/// The plan's change windows, in time order (ties in plan order).
pub(super) fn windows(ctx: &Context<'_>) -> Vec<Window> {
    let mut windows: Vec<Window> = ctx
        .plan
        .spec
        .change_windows
        .iter()
        .enumerate()
        .filter_map(|(index, window)| {
            let start = parse_timestamp(&window.start).ok()?;
            let offset = jiff::fmt::temporal::Pieces::parse(&window.start)
                .ok()
                .and_then(|pieces| pieces.to_numeric_offset())
                .unwrap_or(Offset::UTC);
            Some(Window {
                index,
                name: window.name.clone(),
                start,
                end: after_seconds(start, u64::from(window.duration_hours) * 3600),
                offset,
                duration_hours: window.duration_hours,
            })
        })
        .collect();
    windows.sort_by_key(|w| (w.start, w.index));
    windows
}

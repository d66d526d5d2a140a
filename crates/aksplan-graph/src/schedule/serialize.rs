//! The schedule as JSON: times in RFC 3339 at the offset they are shown in, each window with the
//! minutes it is used and the steps placed in it.

use serde::Serialize;
use serde::ser::{SerializeMap, SerializeStruct};

use super::{Placement, Schedule, Window};
use crate::time::rfc3339;

impl Serialize for Window {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Window", 5)?;
        st.serialize_field("index", &self.index)?;
        st.serialize_field("name", &self.name)?;
        st.serialize_field("start", &rfc3339(self.start, self.offset))?;
        st.serialize_field("end", &rfc3339(self.end, self.offset))?;
        st.serialize_field("durationHours", &self.duration_hours)?;
        st.end()
    }
}

impl Serialize for Placement {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Placement", 4)?;
        st.serialize_field("stepId", &self.step_id)?;
        st.serialize_field("window", &self.window_index)?;
        st.serialize_field("start", &rfc3339(self.start, self.offset))?;
        st.serialize_field("end", &rfc3339(self.end, self.offset))?;
        st.end()
    }
}

/// A window with the minutes it uses and, unless left out, the steps placed in it.
struct Used<'a> {
    schedule: &'a Schedule,
    window: &'a Window,
    steps: bool,
}

impl Serialize for Used<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (schedule, window) = (self.schedule, self.window);
        let mut map = s.serialize_map(Some(6 + usize::from(self.steps)))?;
        map.serialize_entry("index", &window.index)?;
        map.serialize_entry("name", &window.name)?;
        map.serialize_entry("start", &rfc3339(window.start, window.offset))?;
        map.serialize_entry("end", &rfc3339(window.end, window.offset))?;
        map.serialize_entry("durationHours", &window.duration_hours)?;
        map.serialize_entry("usedMinutes", &schedule.used_minutes(window.index))?;
        if self.steps {
            let steps: Vec<&str> = schedule
                .in_window(window.index)
                .iter()
                .map(|p| &*p.step_id)
                .collect();
            map.serialize_entry("steps", &steps)?;
        }
        map.end()
    }
}

impl Schedule {
    fn used(&self, steps: bool) -> Vec<Used<'_>> {
        self.windows
            .iter()
            .map(|window| Used {
                schedule: self,
                window,
                steps,
            })
            .collect()
    }

    fn channel_windows_json(&self) -> Vec<serde_json::Value> {
        self.channel_windows
            .iter()
            .map(|w| {
                serde_json::json!({
                    "cluster": w.cluster,
                    "channel": w.channel,
                    "configuration": w.configuration,
                    "start": w.next.map(|(start, _, offset)| rfc3339(start, offset)),
                    "end": w.next.map(|(_, end, offset)| rfc3339(end, offset)),
                })
            })
            .collect()
    }
}

impl Serialize for Schedule {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Schedule", 5)?;
        st.serialize_field("windows", &self.used(true))?;
        st.serialize_field("placements", &self.placements)?;
        st.serialize_field("unscheduled", &self.unscheduled)?;
        st.serialize_field("end", &self.end.map(|end| rfc3339(end, self.offset)))?;
        st.serialize_field("channelWindows", &self.channel_windows_json())?;
        st.end()
    }
}

/// The schedule as the policy input document shows it: without the placements (each step
/// carries its own) or each window's list of steps (the steps whose placement names the window),
/// its keys in the order that document has always had.
pub struct WithoutPlacements<'a>(pub &'a Schedule);

impl Serialize for WithoutPlacements<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let schedule = self.0;
        let mut st = s.serialize_struct("Schedule", 4)?;
        st.serialize_field("windows", &schedule.used(false))?;
        st.serialize_field("channelWindows", &schedule.channel_windows_json())?;
        st.serialize_field("unscheduled", &schedule.unscheduled)?;
        st.serialize_field("end", &schedule.end.map(|end| rfc3339(end, schedule.offset)))?;
        st.end()
    }
}

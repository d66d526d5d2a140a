//! Scheduling: the compiled steps placed into the plan's change windows (`docs/scheduling.md`).
//!
//! Greedy and earliest-fit, in graph order: a step starts at the end of its dependencies (or at
//! the start of the next window) and must start *and finish* inside one change window: the window
//! is what the change board approved, so no step is planned to run past it. Approval gates take no
//! time, at the start of the first window after the stage before them; `afterStageWait` soaks take
//! wall time and need no window. A stage's `maxConcurrency` caps how many of its clusters are
//! active at once (from the start of a cluster's first step to the end of its last), clusters
//! taking free slots in plan order. A cluster's steps stay off the days its maintenance
//! configurations list in `notAllowedDates` (current or planned). Pure: times come from the plan
//! (`changeWindows`, `asOf`), never from the clock; no hash maps, so the result is the same on
//! every run.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use aksplan_model::finding::Finding;
use aksplan_model::time::{parse_date, parse_timestamp};
use aksplan_model::version::KubeVersion;
use aksplan_rules::Context;
use jiff::civil::{Date, Time};
use jiff::tz::Offset;
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use serde::ser::{SerializeMap, SerializeStruct};

use crate::clusters::ClusterIndex;
pub use crate::codes::{NO_FIT_CODE, NO_WINDOWS_CODE, SCHEDULE_CODES as CODES, SUPPORT_CODE};
use crate::compile::Compiled;
use crate::index::StepIndex;
use crate::step::{Step, StepKind};

/// One change window of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    /// Its position in `spec.changeWindows`.
    pub index: usize,
    pub name: Option<String>,
    pub start: Timestamp,
    pub end: Timestamp,
    /// The offset the plan wrote the start in; times are shown in it.
    pub offset: Offset,
    pub duration_hours: u32,
}

/// Where and when a step runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    pub step_id: String,
    /// The index in `spec.changeWindows`; `None` for soaks, which take wall time outside windows.
    pub window_index: Option<usize>,
    pub start: Timestamp,
    pub end: Timestamp,
    /// The offset the times are shown in (the window's).
    pub offset: Offset,
}

/// The compiled steps placed in time.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// The plan's change windows, in time order.
    pub windows: Vec<Window>,
    /// In graph order.
    pub placements: Vec<Placement>,
    /// Ids of the steps that fit no window (or follow one that does not), in graph order.
    pub unscheduled: Vec<String>,
    pub findings: Vec<Finding>,
    /// When the last step finishes; `None` when some step is not scheduled (or none is).
    pub end: Option<Timestamp>,
    /// The offset `end` is shown in (the first window's).
    pub offset: Offset,
    /// After the change: when AKS's own, channel-driven work next runs, per cluster and channel.
    pub channel_windows: Vec<ChannelWindow>,
    /// Position in `placements` by step id: every emitter asks once per step.
    by_step: HashMap<String, usize>,
}

/// The next AKS maintenance window in which a channel left on by the plan acts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelWindow {
    pub cluster: String,
    /// `auto-upgrade `stable`` or `node OS `NodeImage``.
    pub channel: String,
    /// `aksManagedAutoUpgradeSchedule` or `aksManagedNodeOSUpgradeSchedule`.
    pub configuration: String,
    /// The next occurrence after the cluster's last step; `None` when the cluster has no such
    /// configuration (AKS may then act at any time).
    pub next: Option<(Timestamp, Timestamp, Offset)>,
}

impl Schedule {
    pub fn placement(&self, step_id: &str) -> Option<&Placement> {
        self.by_step
            .get(step_id)
            .and_then(|&idx| self.placements.get(idx))
    }

    /// The steps placed in window `index` (of `spec.changeWindows`), by start time.
    pub fn in_window(&self, index: usize) -> Vec<&Placement> {
        let mut placed: Vec<&Placement> = self
            .placements
            .iter()
            .filter(|p| p.window_index == Some(index))
            .collect();
        placed.sort_by_key(|p| p.start);
        placed
    }

    /// Minutes of window `index` during which at least one step runs.
    pub fn used_minutes(&self, index: usize) -> u64 {
        let mut total = 0;
        let mut covered: Option<Timestamp> = None;
        for placement in self.in_window(index) {
            let from = covered.map_or(placement.start, |c| c.max(placement.start));
            if placement.end > from {
                total += minutes_between(from, placement.end);
            }
            covered = Some(covered.map_or(placement.end, |c| c.max(placement.end)));
        }
        total
    }
}

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

impl Serialize for Schedule {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Used<'a>(&'a Schedule, &'a Window);
        impl Serialize for Used<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let (schedule, window) = (self.0, self.1);
                let mut map = s.serialize_map(Some(7))?;
                map.serialize_entry("index", &window.index)?;
                map.serialize_entry("name", &window.name)?;
                map.serialize_entry("start", &rfc3339(window.start, window.offset))?;
                map.serialize_entry("end", &rfc3339(window.end, window.offset))?;
                map.serialize_entry("durationHours", &window.duration_hours)?;
                map.serialize_entry("usedMinutes", &schedule.used_minutes(window.index))?;
                let steps: Vec<&str> = schedule
                    .in_window(window.index)
                    .iter()
                    .map(|p| p.step_id.as_str())
                    .collect();
                map.serialize_entry("steps", &steps)?;
                map.end()
            }
        }
        let windows: Vec<Used<'_>> = self.windows.iter().map(|w| Used(self, w)).collect();
        let mut st = s.serialize_struct("Schedule", 5)?;
        st.serialize_field("windows", &windows)?;
        st.serialize_field("placements", &self.placements)?;
        st.serialize_field("unscheduled", &self.unscheduled)?;
        st.serialize_field("end", &self.end.map(|end| rfc3339(end, self.offset)))?;
        let channel_windows: Vec<serde_json::Value> = self
            .channel_windows
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
            .collect();
        st.serialize_field("channelWindows", &channel_windows)?;
        st.end()
    }
}

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

fn minutes_between(from: Timestamp, to: Timestamp) -> u64 {
    u64::try_from(to.duration_since(from).as_secs()).unwrap_or(0) / 60
}

fn after_seconds(ts: Timestamp, seconds: u64) -> Timestamp {
    let seconds = i64::try_from(seconds).unwrap_or(i64::MAX);
    ts.checked_add(SignedDuration::from_secs(seconds))
        .unwrap_or(Timestamp::MAX)
}

fn after_minutes(ts: Timestamp, minutes: u64) -> Timestamp {
    after_seconds(ts, minutes.saturating_mul(60))
}

/// `1h 05m`, `20m`, `2d 3h` (as the route shows estimates).
fn duration_text(minutes: u64) -> String {
    let (days, hours, mins) = (minutes / 1440, (minutes % 1440) / 60, minutes % 60);
    match (days, hours) {
        (0, 0) => format!("{mins}m"),
        (0, _) => format!("{hours}h {mins:02}m"),
        _ => format!("{days}d {hours}h"),
    }
}

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

/// The plan's change windows, in time order (ties in plan order).
fn windows(ctx: &Context<'_>) -> Vec<Window> {
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

/// Days a cluster's steps stay off: a `notAllowedDates` range, from the first day's midnight to
/// the midnight after the last, in its configuration's `utcOffset`.
#[derive(Debug, Clone)]
struct Blackout {
    start: Timestamp,
    end: Timestamp,
    /// `2026-12-20 to 2027-01-03 (`aksManagedAutoUpgradeSchedule`)`.
    text: String,
}

impl Blackout {
    fn overlaps(&self, start: Timestamp, end: Timestamp) -> bool {
        if end <= start {
            self.start <= start && start < self.end
        } else {
            start < self.end && self.start < end
        }
    }
}

/// Why a step is not scheduled.
#[derive(Debug, Clone)]
enum Miss {
    /// Longer than every window.
    TooLong { longest_minutes: u64 },
    /// Ready at `ready`, but no window from then on has room; `dates` are the `notAllowedDates`
    /// that ruled out a window that had room otherwise.
    NoRoom { ready: Timestamp, dates: Vec<String> },
    /// An approval gate ready after the start of the last window.
    AfterLastWindow { ready: Timestamp },
    /// A step it depends on is not scheduled.
    WaitsFor(String),
    /// Every slot of the stage is held by a cluster that never finishes.
    NoSlot {
        stage: String,
        limit: u32,
        holder: String,
    },
}

#[derive(Debug, Clone)]
enum Outcome {
    Placed(Placement),
    Missed(Miss),
}

#[derive(Debug, Clone)]
enum Slot {
    Free(Timestamp),
    /// Held for good by a cluster whose later steps are not scheduled.
    Held(String),
}

struct Scheduler<'a, 'c> {
    ctx: &'a Context<'c>,
    compiled: &'a Compiled,
    index: &'a StepIndex<'a>,
    clusters: &'a ClusterIndex<'c>,
    /// Each stage's `maxConcurrency`, by name.
    stage_limits: BTreeMap<&'c str, Option<u32>>,
    windows: &'a [Window],
    /// The earliest start: midnight of `asOf`, in the first window's offset.
    earliest: Timestamp,
    outcomes: BTreeMap<String, Outcome>,
    slots: BTreeMap<String, Vec<Slot>>,
}

/// Each stage's `maxConcurrency`, by name (the first stage of a name, as a scan would find).
fn stage_limits<'c>(ctx: &Context<'c>) -> BTreeMap<&'c str, Option<u32>> {
    let plan: &'c aksplan_model::plan::Plan = ctx.plan;
    let mut limits = BTreeMap::new();
    for stage in plan.spec.rollout.iter().flat_map(|r| &r.stages) {
        limits.entry(stage.name.as_str()).or_insert(stage.max_concurrency);
    }
    limits
}

/// Places the compiled steps into the plan's change windows; see the module docs.
pub fn schedule(ctx: &Context<'_>, compiled: &Compiled) -> Schedule {
    let windows = windows(ctx);
    let offset = windows.first().map_or(Offset::UTC, |w| w.offset);
    let mut out = Schedule {
        windows,
        placements: Vec::new(),
        unscheduled: Vec::new(),
        findings: Vec::new(),
        end: None,
        offset,
        channel_windows: Vec::new(),
        by_step: HashMap::new(),
    };
    if out.windows.is_empty() {
        out.findings.push(
            Finding::new(
                NO_WINDOWS_CODE,
                "the plan has no `changeWindows`, so its steps are not scheduled",
            )
            .at(ctx.doc.key_label("/spec"))
            .pointer("/spec")
            .help(
                "add the windows the change board approved, e.g. `changeWindows: [{ name: CAB slot, start: 2026-12-05T22:00:00+01:00, durationHours: 8 }]`",
            ),
        );
        return out;
    }
    let earliest = offset
        .to_timestamp(ctx.as_of.to_datetime(Time::midnight()))
        .unwrap_or(Timestamp::MIN);
    let index = StepIndex::new(compiled);
    let clusters = ClusterIndex::new(ctx);
    let mut scheduler = Scheduler {
        ctx,
        compiled,
        index: &index,
        clusters: &clusters,
        stage_limits: stage_limits(ctx),
        windows: &out.windows,
        earliest,
        outcomes: BTreeMap::new(),
        slots: BTreeMap::new(),
    };
    let mut done_clusters: BTreeSet<&str> = BTreeSet::new();
    for step in &compiled.steps {
        if scheduler.outcomes.contains_key(&step.id) {
            continue;
        }
        match &step.cluster {
            Some(cluster) => {
                if done_clusters.insert(cluster.as_str()) {
                    scheduler.cluster(cluster);
                }
            }
            None => scheduler.free_step(step),
        }
    }
    let mut findings = scheduler.no_fit_findings();
    findings.extend(scheduler.support_findings());
    let outcomes = scheduler.outcomes;
    for step in &compiled.steps {
        match outcomes.get(&step.id) {
            Some(Outcome::Placed(placement)) => {
                out.by_step.insert(step.id.clone(), out.placements.len());
                out.placements.push(placement.clone());
            }
            _ => out.unscheduled.push(step.id.clone()),
        }
    }
    out.findings = findings;
    out.channel_windows = channel_windows(ctx, &clusters, &index, &out);
    if out.unscheduled.is_empty() {
        out.end = out.placements.iter().map(|p| p.end).max();
    }
    out
}

impl<'a> Scheduler<'a, '_> {
    /// When every dependency has finished, or the first that is not scheduled.
    fn ready(&self, step: &Step, not_before: Timestamp) -> Result<Timestamp, String> {
        let mut ready = not_before;
        for dep in &step.depends_on {
            match self.outcomes.get(dep) {
                Some(Outcome::Placed(placement)) => ready = ready.max(placement.end),
                // Not placed, or not reached (a dependency in a cluster scheduled later: the
                // compiler does not build such graphs): conservatively, not scheduled.
                _ => return Err(dep.clone()),
            }
        }
        Ok(ready)
    }

    /// The earliest start in a window that holds `minutes` from `ready` on, off the blackouts.
    fn fit(
        &self,
        ready: Timestamp,
        minutes: u64,
        blackouts: &[Blackout],
    ) -> Result<(&'a Window, Timestamp), Miss> {
        let longest_minutes = self
            .windows
            .iter()
            .map(|w| minutes_between(w.start, w.end))
            .max()
            .unwrap_or(0);
        if minutes > longest_minutes {
            return Err(Miss::TooLong { longest_minutes });
        }
        let mut dates: Vec<String> = Vec::new();
        let windows: &'a [Window] = self.windows;
        for window in windows {
            let mut start = ready.max(window.start);
            while start < window.end && after_minutes(start, minutes) <= window.end {
                let end = after_minutes(start, minutes);
                match blackouts.iter().find(|b| b.overlaps(start, end)) {
                    Some(blackout) => {
                        if !dates.contains(&blackout.text) {
                            dates.push(blackout.text.clone());
                        }
                        start = blackout.end;
                    }
                    None => return Ok((window, start)),
                }
            }
        }
        Err(Miss::NoRoom { ready, dates })
    }

    fn place(&mut self, step: &Step, window: Option<&Window>, start: Timestamp, end: Timestamp) {
        let placement = Placement {
            step_id: step.id.clone(),
            window_index: window.map(|w| w.index),
            start,
            end,
            offset: window.map_or_else(|| self.display_offset(start), |w| w.offset),
        };
        self.outcomes.insert(step.id.clone(), Outcome::Placed(placement));
    }

    /// The offset of the last window that starts at or before `ts` (else the first window's).
    fn display_offset(&self, ts: Timestamp) -> Offset {
        self.windows
            .iter()
            .rev()
            .find(|w| w.start <= ts)
            .or(self.windows.first())
            .map_or(Offset::UTC, |w| w.offset)
    }

    fn miss(&mut self, step: &Step, miss: Miss) {
        self.outcomes.insert(step.id.clone(), Outcome::Missed(miss));
    }

    /// Gates and soaks (steps of no cluster).
    fn free_step(&mut self, step: &Step) {
        let ready = match self.ready(step, self.earliest) {
            Ok(ready) => ready,
            Err(dep) => return self.miss(step, Miss::WaitsFor(dep)),
        };
        match &step.kind {
            StepKind::StageWait { seconds, .. } => {
                self.place(step, None, ready, after_seconds(ready, *seconds));
            }
            StepKind::ApprovalGate { .. } => match self.windows.iter().find(|w| w.start >= ready) {
                Some(window) => self.place(step, Some(window), window.start, window.start),
                None => self.miss(step, Miss::AfterLastWindow { ready }),
            },
            _ => match self.fit(ready, step.estimate_minutes, &[]) {
                Ok((window, start)) => {
                    self.place(
                        step,
                        Some(window),
                        start,
                        after_minutes(start, step.estimate_minutes),
                    );
                }
                Err(miss) => self.miss(step, miss),
            },
        }
    }

    fn stage_limit(&self, stage: &str) -> Option<u32> {
        self.stage_limits.get(stage).copied().flatten()
    }

    /// Every step of one cluster, in graph order, after it got a slot of its stage.
    fn cluster(&mut self, name: &str) {
        let steps: Vec<&Step> = self.index.cluster_steps(name).collect();
        let stage = self.index.route(name).and_then(|c| c.stage.clone());
        let limited = stage
            .as_ref()
            .and_then(|s| self.stage_limit(s).map(|limit| (s.clone(), limit)));
        let mut not_before = self.earliest;
        let mut slot = None;
        if let Some((stage, limit)) = &limited {
            let earliest = self.earliest;
            let slots = self
                .slots
                .entry(stage.clone())
                .or_insert_with(|| vec![Slot::Free(earliest); usize::try_from(*limit).unwrap_or(1).max(1)]);
            let free = slots
                .iter()
                .enumerate()
                .filter_map(|(i, s)| match s {
                    Slot::Free(at) => Some((*at, i)),
                    Slot::Held(_) => None,
                })
                .min();
            match free {
                Some((at, i)) => {
                    not_before = not_before.max(at);
                    slot = Some(i);
                }
                None => {
                    let holder = slots
                        .iter()
                        .find_map(|s| match s {
                            Slot::Held(holder) => Some(holder.clone()),
                            Slot::Free(_) => None,
                        })
                        .unwrap_or_default();
                    for step in steps {
                        self.miss(
                            step,
                            Miss::NoSlot {
                                stage: stage.clone(),
                                limit: *limit,
                                holder: holder.clone(),
                            },
                        );
                    }
                    return;
                }
            }
        }
        let blackouts = self.blackouts(name);
        let (mut last, mut missed) = (None::<Timestamp>, false);
        for step in steps {
            let ready = match self.ready(step, not_before) {
                Ok(ready) => ready,
                Err(dep) => {
                    missed = true;
                    self.miss(step, Miss::WaitsFor(dep));
                    continue;
                }
            };
            match self.fit(ready, step.estimate_minutes, &blackouts) {
                Ok((window, start)) => {
                    let end = after_minutes(start, step.estimate_minutes);
                    self.place(step, Some(window), start, end);
                    last = Some(last.map_or(end, |l| l.max(end)));
                }
                Err(miss) => {
                    missed = true;
                    self.miss(step, miss);
                }
            }
        }
        if let (Some((stage, _)), Some(i)) = (limited, slot)
            && let Some(slots) = self.slots.get_mut(&stage)
        {
            match (last, missed) {
                // Started but never finishes: the slot stays taken.
                (Some(_), true) => slots[i] = Slot::Held(name.to_owned()),
                (Some(end), false) => slots[i] = Slot::Free(end),
                // Never started: the slot stays free.
                (None, _) => {}
            }
        }
    }

    /// The `notAllowedDates` of the cluster's maintenance configurations, current and planned.
    fn blackouts(&self, name: &str) -> Vec<Blackout> {
        let mut out: Vec<Blackout> = Vec::new();
        let Some(view) = self.clusters.view(name) else {
            return out;
        };
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

    fn missed(&self, id: &str) -> Option<&Miss> {
        match self.outcomes.get(id) {
            Some(Outcome::Missed(miss)) => Some(miss),
            _ => None,
        }
    }

    fn cluster_label(&self, name: &str) -> (aksplan_model::finding::Label, String) {
        let index = self.clusters.plan_position(name).unwrap_or(0);
        let pointer = format!("/spec/clusters/{index}/name");
        (self.ctx.doc.label(&pointer), pointer)
    }

    fn local(&self, ts: Timestamp) -> String {
        local_text(ts, self.display_offset(ts))
    }

    /// AKS210: once per cluster with steps that are not scheduled, and once for a gate after the
    /// last window.
    fn no_fit_findings(&self) -> Vec<Finding> {
        let mut findings = Vec::new();
        for step in &self.compiled.steps {
            if step.cluster.is_none()
                && let Some(Miss::AfterLastWindow { ready }) = self.missed(&step.id)
            {
                let stage = match &step.kind {
                    StepKind::ApprovalGate { stage } => stage.clone(),
                    _ => step.id.clone(),
                };
                findings.push(
                    Finding::new(
                        NO_FIT_CODE,
                        format!(
                            "stage `{stage}` could start on {}, after the start of the last change window, so it is not scheduled",
                            self.local(*ready)
                        ),
                    )
                    .at(self.ctx.doc.key_label("/spec/changeWindows"))
                    .pointer("/spec/changeWindows")
                    .help(format!("add a change window that starts after {}", self.local(*ready))),
                );
            }
        }
        for cluster in &self.compiled.clusters {
            let name = cluster.name.as_str();
            let steps: Vec<&Step> = self.index.cluster_steps(name).collect();
            let missed: Vec<(&Step, &Miss)> = steps
                .iter()
                .filter_map(|s| self.missed(&s.id).map(|m| (*s, m)))
                .collect();
            let Some(&(first, miss)) = missed.first() else {
                continue;
            };
            let others = missed.len() - 1;
            let later = match others {
                0 => String::new(),
                1 => format!("; 1 later step of cluster `{name}` is not scheduled either"),
                n => format!("; {n} later steps of cluster `{name}` are not scheduled either"),
            };
            let count = if missed.len() == steps.len() {
                format!("none of its {} steps is scheduled", steps.len())
            } else {
                format!("{} of its {} steps are not scheduled", missed.len(), steps.len())
            };
            let took = duration_text(first.estimate_minutes);
            let (message, help) = match miss {
                Miss::TooLong { longest_minutes } => (
                    format!(
                        "step `{}` takes {took}, longer than any change window (the longest is {}){later}",
                        first.id,
                        duration_text(*longest_minutes)
                    ),
                    format!(
                        "add a change window of at least {took}, or make the step shorter (a larger `maxSurge` upgrades more nodes at once)"
                    ),
                ),
                Miss::NoRoom { ready, dates } => {
                    let mut help = format!(
                        "add a change window of at least {took} after {}",
                        self.local(*ready)
                    );
                    if !dates.is_empty() {
                        help.push_str(&format!(
                            "; the cluster's `notAllowedDates` {} rule out windows that had room",
                            dates.join(", ")
                        ));
                    }
                    (
                        format!(
                            "step `{}` ({took}) fits in no change window: it is ready at {}, and no window has {took} free from then on{later}",
                            first.id,
                            self.local(*ready)
                        ),
                        help,
                    )
                }
                Miss::WaitsFor(dep) => (
                    format!(
                        "cluster `{name}` is not scheduled: {count}, because they wait for `{dep}`, which is not scheduled"
                    ),
                    "see the finding about the step that does not fit; later stages wait for it".to_owned(),
                ),
                Miss::NoSlot { stage, limit, holder } => (
                    format!(
                        "cluster `{name}` is not scheduled: stage `{stage}` upgrades {limit} cluster{} at a time (`maxConcurrency`) and cluster `{holder}` does not finish in the change windows",
                        if *limit == 1 { "" } else { "s" }
                    ),
                    format!("see the finding about cluster `{holder}`"),
                ),
                Miss::AfterLastWindow { ready } => (
                    format!(
                        "step `{}` could start on {}, after the start of the last change window{later}",
                        first.id,
                        self.local(*ready)
                    ),
                    format!("add a change window that starts after {}", self.local(*ready)),
                ),
            };
            let scheduled = steps.len() - missed.len();
            let help = match (miss, scheduled) {
                (Miss::TooLong { .. } | Miss::NoRoom { .. }, 1) => {
                    format!("{help}; as planned, its 1 scheduled step would leave cluster `{name}` half-way")
                }
                (Miss::TooLong { .. } | Miss::NoRoom { .. }, n) if n > 1 => format!(
                    "{help}; as planned, its {n} scheduled steps would leave cluster `{name}` half-way"
                ),
                _ => help,
            };
            let (label, pointer) = self.cluster_label(name);
            let mut finding = Finding::new(NO_FIT_CODE, message)
                .at(label)
                .pointer(pointer)
                .help(help);
            finding.cluster = Some(name.to_owned());
            findings.push(finding);
        }
        findings
    }

    /// AKS211: a version held past its end of support.
    fn support_findings(&self) -> Vec<Finding> {
        let mut findings = Vec::new();
        let catalog = self.ctx.catalog;
        let last_window_end = self.windows.iter().map(|w| w.end).max();
        for cluster in &self.compiled.clusters {
            let Some(view) = self.clusters.view(&cluster.name) else {
                continue;
            };
            let hops: Vec<&Step> = self
                .index
                .cluster_steps(&cluster.name)
                .filter(|s| {
                    matches!(
                        s.kind,
                        StepKind::ControlPlaneUpgrade { .. } | StepKind::FullUpgrade { .. }
                    )
                })
                .collect();
            // The versions held, each with the step that leaves it.
            let held: Vec<KubeVersion> = std::iter::once(cluster.start.control_plane)
                .chain(cluster.hops.iter().copied())
                .collect();
            for (k, leave) in hops.iter().enumerate() {
                let Some(&version) = held.get(k) else { break };
                // Leaving a patch for another patch of the same minor keeps the same support.
                if held
                    .get(k + 1)
                    .is_some_and(|next| next.minor_version() == version.minor_version())
                {
                    continue;
                }
                let Some(minor) = catalog.minor(version) else {
                    continue;
                };
                let end_of_support = if cluster.lts {
                    minor.lts_end_of_life.or(minor.end_of_life)
                } else {
                    minor.end_of_life
                };
                let Some(end_of_support) = end_of_support else {
                    continue;
                };
                if end_of_support < self.ctx.as_of {
                    continue;
                }
                let minor_text = version.minor_version().to_string();
                let what = if k == 0 {
                    format!("`{minor_text}`")
                } else {
                    format!("the intermediate hop `{minor_text}`")
                };
                let message = match self.outcomes.get(&leave.id) {
                    Some(Outcome::Placed(placement)) => {
                        let left = local_date(placement.end, placement.offset);
                        if left <= end_of_support {
                            continue;
                        }
                        format!(
                            "cluster `{}` leaves {what} on {left}, after its end of support on {end_of_support}",
                            cluster.name
                        )
                    }
                    _ => {
                        let ends_in_windows = last_window_end
                            .is_some_and(|end| local_date(end, self.display_offset(end)) > end_of_support);
                        if !ends_in_windows {
                            continue;
                        }
                        format!(
                            "cluster `{}` does not leave {what} in the change windows, and its support ends on {end_of_support}, before the last window",
                            cluster.name
                        )
                    }
                };
                let mut help = format!(
                    "schedule step `{}` in a change window that ends on or before {end_of_support}",
                    leave.id
                );
                if !cluster.lts && minor.lts_capable() && minor.lts_end_of_life.is_some() {
                    help.push_str(", or move the cluster to Long-Term Support (Premium tier) before then");
                }
                let (label, pointer) = if k == 0 {
                    let pointer = if view.spec.current.is_some() {
                        format!("{}/current/kubernetesVersion", view.pointer())
                    } else {
                        view.pointer()
                    };
                    (view.current_version_label(), pointer)
                } else {
                    let pointer = view
                        .target()
                        .map_or_else(|| "/spec/target".to_owned(), |(_, p)| p);
                    (view.target_label(), pointer)
                };
                let mut finding = Finding::new(SUPPORT_CODE, message)
                    .at(label.with_message(format!("support ends on {end_of_support}")))
                    .pointer(pointer)
                    .help(help);
                finding.cluster = Some(cluster.name.clone());
                findings.push(finding);
            }
        }
        findings
    }
}

/// For each cluster that leaves an auto-upgrade or node OS channel on, the next AKS maintenance
/// window after its last step (or after the plan's date when nothing is scheduled).
fn channel_windows(
    ctx: &Context<'_>,
    clusters: &ClusterIndex<'_>,
    index: &StepIndex<'_>,
    schedule: &Schedule,
) -> Vec<ChannelWindow> {
    let compiled = index.compiled();
    use aksplan_model::plan::{NodeOsUpgradeChannel, UpgradeChannel};
    let mut out = Vec::new();
    for plan in &compiled.clusters {
        let Some(view) = clusters.view(&plan.name) else {
            continue;
        };
        let last_end = index
            .cluster_steps(&plan.name)
            .filter_map(|s| schedule.placement(&s.id).map(|p| p.end))
            .max();
        let after = last_end.or_else(|| {
            ctx.as_of
                .to_zoned(jiff::tz::TimeZone::UTC)
                .ok()
                .map(|z| z.timestamp())
        });
        let Some(after) = after else { continue };
        let channels = &view.resolved.channels;
        let maintenance = &view.resolved.maintenance;
        if let Some(channel) = channels.upgrade_channel.filter(|c| *c != UpgradeChannel::None) {
            let name = crate::compile::channel_name(Some(channel));
            out.push(ChannelWindow {
                cluster: plan.name.clone(),
                channel: format!("auto-upgrade `{name}`"),
                configuration: "aksManagedAutoUpgradeSchedule".into(),
                next: maintenance
                    .auto_upgrade
                    .as_ref()
                    .and_then(|w| crate::maintenance::next_occurrence(w, after)),
            });
        }
        if let Some(channel) = channels.node_os_upgrade_channel.filter(|c| {
            matches!(
                c,
                NodeOsUpgradeChannel::NodeImage | NodeOsUpgradeChannel::SecurityPatch
            )
        }) {
            out.push(ChannelWindow {
                cluster: plan.name.clone(),
                channel: format!("node OS `{channel:?}`"),
                configuration: "aksManagedNodeOSUpgradeSchedule".into(),
                next: maintenance
                    .node_os_upgrade
                    .as_ref()
                    .and_then(|w| crate::maintenance::next_occurrence(w, after)),
            });
        }
    }
    out
}

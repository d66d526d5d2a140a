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
//! (`changeWindows`, `asOf`), never from the clock; hash maps serve lookups only, never the order
//! of anything, so the result is the same on every run.
//!
//! `place.rs` places the steps, `findings.rs` reports what does not fit (AKS210-AKS212),
//! `channel_windows.rs` says when AKS's own channels act next; `windows.rs` and `blackouts.rs`
//! read the plan's change windows and `notAllowedDates`; times are written by `crate::time`.

mod blackouts;
mod channel_windows;
mod findings;
mod place;
mod serialize;
mod windows;

pub use serialize::WithoutPlacements;

use aksplan_model::finding::Finding;
use aksplan_rules::Context;
use jiff::Timestamp;
use jiff::civil::Time;
use jiff::tz::Offset;

use crate::clusters::ClusterIndex;
use crate::compile::Compiled;
use crate::index::StepIndex;
use crate::time::minutes_between;
use place::{Outcome, Scheduler};

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
    /// The step's own id text, shared.
    pub step_id: std::sync::Arc<str>,
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
    /// Positions in `placements`, sorted by step id (of equal ids, the later last): every
    /// emitter asks once per step. A map holding a copy of each id was 0.8 MB at 1,000 clusters.
    by_step: Vec<u32>,
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
        let id_at = |idx: u32| self.placements.get(idx as usize).map(|p| &*p.step_id);
        let after = self.by_step.partition_point(|&idx| id_at(idx) <= Some(step_id));
        let idx = *self.by_step.get(after.checked_sub(1)?)?;
        self.placements
            .get(idx as usize)
            .filter(|placement| *placement.step_id == *step_id)
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

/// Places the compiled steps into the plan's change windows; see the module docs.
pub fn schedule(ctx: &Context<'_>, compiled: &Compiled) -> Schedule {
    let windows = windows::windows(ctx);
    let offset = windows.first().map_or(Offset::UTC, |w| w.offset);
    let mut out = Schedule {
        windows,
        placements: Vec::new(),
        unscheduled: Vec::new(),
        findings: Vec::new(),
        end: None,
        offset,
        channel_windows: Vec::new(),
        by_step: Vec::new(),
    };
    if out.windows.is_empty() {
        out.findings.push(findings::no_windows(ctx));
        return out;
    }
    let earliest = offset
        .to_timestamp(ctx.as_of.to_datetime(Time::midnight()))
        .unwrap_or(Timestamp::MIN);
    let index = StepIndex::new(compiled);
    let clusters = ClusterIndex::new(ctx);
    let mut scheduler = Scheduler::new(ctx, &index, &clusters, &out.windows, earliest);
    scheduler.place_all();
    let mut findings = scheduler.no_fit_findings();
    findings.extend(scheduler.support_findings());
    let outcomes = scheduler.outcomes;
    // At their size: the placements live to the end of the run, and grown by doubling they
    // carried up to half again in slack (0.5 MB at 1,000 clusters); all steps are placed when
    // the windows suffice.
    out.placements.reserve_exact(compiled.steps.len());
    for step in &compiled.steps {
        match outcomes.get(&step.id) {
            Some(Outcome::Placed(placement)) => out.placements.push(placement.clone()),
            _ => out.unscheduled.push(step.id.to_string()),
        }
    }
    out.placements.shrink_to_fit();
    let placements = &out.placements;
    let mut by_step: Vec<u32> = (0..u32::try_from(placements.len()).unwrap_or(u32::MAX)).collect();
    // Stable: of equal ids, the later placement stays later, and is the one found.
    by_step.sort_by(|&a, &b| {
        let id = |idx: u32| placements.get(idx as usize).map(|p| &*p.step_id);
        id(a).cmp(&id(b))
    });
    out.by_step = by_step;
    out.findings = findings;
    out.channel_windows = channel_windows::channel_windows(ctx, &clusters, &index, &out);
    if out.unscheduled.is_empty() {
        out.end = out.placements.iter().map(|p| p.end).max();
    }
    out
}

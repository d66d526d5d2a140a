//! Placing steps in time: greedy and earliest-fit, in graph order (see the module docs of
//! `schedule`). Each step ends placed in a window (or, for a soak, in wall time) or missed, with
//! the reason the findings report.

use std::collections::{BTreeMap, BTreeSet};

use aksplan_rules::Context;
use jiff::Timestamp;
use jiff::tz::Offset;

use super::blackouts::Blackout;
use super::{Placement, Window};
use crate::clusters::ClusterIndex;
use crate::compile::Compiled;
use crate::index::StepIndex;
use crate::step::{Step, StepKind};
use crate::time::{after_minutes, after_seconds, minutes_between};

/// Why a step is not scheduled.
#[derive(Debug, Clone)]
pub(super) enum Miss {
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
pub(super) enum Outcome {
    Placed(Placement),
    Missed(Miss),
}

#[derive(Debug, Clone)]
enum Slot {
    Free(Timestamp),
    /// Held for good by a cluster whose later steps are not scheduled.
    Held(String),
}

pub(super) struct Scheduler<'a, 'c> {
    pub(super) ctx: &'a Context<'c>,
    pub(super) compiled: &'a Compiled,
    pub(super) index: &'a StepIndex<'a>,
    pub(super) clusters: &'a ClusterIndex<'c>,
    /// Each stage's `maxConcurrency`, by name.
    stage_limits: BTreeMap<&'c str, Option<u32>>,
    pub(super) windows: &'a [Window],
    /// The earliest start: midnight of `asOf`, in the first window's offset.
    earliest: Timestamp,
    pub(super) outcomes: BTreeMap<std::sync::Arc<str>, Outcome>,
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

impl<'a, 'c> Scheduler<'a, 'c> {
    pub(super) fn new(
        ctx: &'a Context<'c>,
        index: &'a StepIndex<'a>,
        clusters: &'a ClusterIndex<'c>,
        windows: &'a [Window],
        earliest: Timestamp,
    ) -> Self {
        Self {
            ctx,
            compiled: index.compiled(),
            index,
            clusters,
            stage_limits: stage_limits(ctx),
            windows,
            earliest,
            outcomes: BTreeMap::new(),
            slots: BTreeMap::new(),
        }
    }

    /// Places every step, in graph order: a cluster's steps all at once, when its first step
    /// comes up; gates and soaks on their own.
    pub(super) fn place_all(&mut self) {
        let compiled = self.compiled;
        let mut done_clusters: BTreeSet<&str> = BTreeSet::new();
        for step in &compiled.steps {
            if self.outcomes.contains_key(&step.id) {
                continue;
            }
            match &step.cluster {
                Some(cluster) => {
                    if done_clusters.insert(&**cluster) {
                        self.cluster(cluster);
                    }
                }
                None => self.free_step(step),
            }
        }
    }
    /// When every dependency has finished, or the first that is not scheduled.
    fn ready(&self, step: &Step, not_before: Timestamp) -> Result<Timestamp, String> {
        let mut ready = not_before;
        for dep in &step.depends_on {
            match self.outcomes.get(&**dep) {
                Some(Outcome::Placed(placement)) => ready = ready.max(placement.end),
                // Not placed, or not reached (a dependency in a cluster scheduled later: the
                // compiler does not build such graphs): conservatively, not scheduled.
                _ => return Err(dep.to_string()),
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
    pub(super) fn display_offset(&self, ts: Timestamp) -> Offset {
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
        let blackouts = self.clusters.view(name).map(Blackout::of).unwrap_or_default();
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
}

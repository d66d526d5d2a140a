//! What the schedule reports: steps that fit no window (AKS210), versions held past their end of
//! support (AKS211), and a plan without windows (AKS212).

use aksplan_model::finding::{Finding, Label};
use aksplan_model::version::KubeVersion;
use aksplan_rules::Context;
use jiff::Timestamp;

use super::place::{Miss, Outcome, Scheduler};
use crate::step::{Step, StepKind};
use crate::time::{duration_text, local_date, local_text};
use aksplan_model::codes::{NO_FIT, NO_WINDOWS, PAST_SUPPORT};

impl Scheduler<'_, '_> {
    fn missed(&self, id: &str) -> Option<&Miss> {
        match self.outcomes.get(id) {
            Some(Outcome::Missed(miss)) => Some(miss),
            _ => None,
        }
    }

    fn cluster_label(&self, name: &str) -> (Label, String) {
        let index = self.clusters.plan_position(name).unwrap_or(0);
        let pointer = format!("/spec/clusters/{index}/name");
        (self.ctx.doc.label(&pointer), pointer)
    }

    fn local(&self, ts: Timestamp) -> String {
        local_text(ts, self.display_offset(ts))
    }

    /// AKS210: once per cluster with steps that are not scheduled, and once for a gate after the
    /// last window.
    pub(super) fn no_fit_findings(&self) -> Vec<Finding> {
        let mut findings = Vec::new();
        for step in &self.compiled.steps {
            if step.cluster.is_none()
                && let Some(Miss::AfterLastWindow { ready }) = self.missed(&step.id)
            {
                let stage = match &step.kind {
                    StepKind::ApprovalGate { stage, .. } => stage.clone(),
                    _ => step.id.to_string(),
                };
                findings.push(
                    Finding::new(
                        NO_FIT,
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
            let mut finding = Finding::new(NO_FIT, message)
                .at(label)
                .pointer(pointer)
                .help(help);
            finding.cluster = Some(name.to_owned());
            findings.push(finding);
        }
        findings
    }

    /// AKS211: a version held past its end of support.
    pub(super) fn support_findings(&self) -> Vec<Finding> {
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
                let mut finding = Finding::new(PAST_SUPPORT, message)
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

/// AKS212: nothing to schedule into.
pub(super) fn no_windows(ctx: &Context<'_>) -> Finding {
    Finding::new(
        NO_WINDOWS,
        "the plan has no `changeWindows`, so its steps are not scheduled",
    )
    .at(ctx.doc.key_label("/spec"))
    .pointer("/spec")
    .help(
        "add the windows the change board approved, e.g. `changeWindows: [{ name: CAB slot, start: 2026-12-05T22:00:00+01:00, durationHours: 8 }]`",
    )
}

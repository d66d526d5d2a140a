//! The compiled plan for people (the route per cluster, in graph order) and for machines (the
//! execution graph as JSON).

use std::fmt::Write as _;

use aksplan_graph::time::{local_date, local_text, time_text};
use aksplan_graph::{Compiled, Schedule, StepKind};
use aksplan_model::plan::{Plan, PoolStrategy};
use serde_json::json;

/// `1h 05m`, `20m`, `2d 3h`: the scheduler's own format, so that the route and the scheduler's
/// findings write durations alike.
pub use aksplan_graph::time::duration_text as duration;

/// A readable summary: per stage and cluster the hops, then every step in graph order with its
/// estimate and the reason it exists, then the schedule.
pub fn render_route(plan: &Plan, compiled: &Compiled, schedule: &Schedule) -> String {
    // Clusters whose channels are restored after the change (once: not a scan per cluster).
    let restoring: std::collections::HashSet<&str> = compiled
        .steps
        .iter()
        .filter(|s| {
            matches!(
                s.kind,
                aksplan_graph::StepKind::ChannelChange { restore: true, .. }
            )
        })
        .filter_map(|s| s.cluster.as_deref())
        .collect();
    let mut out = String::new();
    let meta = &plan.metadata;
    let mut header = format!("plan `{}`", meta.name);
    if let Some(change) = &meta.change {
        let _ = write!(header, " · change {change}");
    }
    if let Some(owner) = &meta.owner {
        let _ = write!(header, " · owner {owner}");
    }
    let total: u64 = compiled.steps.iter().map(|s| s.estimate_minutes).sum();
    let _ = writeln!(out, "{header}");
    let _ = writeln!(
        out,
        "{} cluster(s), {} step(s), {} of work in sequence (before scheduling into windows)",
        compiled.clusters.len(),
        compiled.steps.len(),
        duration(total)
    );
    let pools = match plan.spec.strategy.pools {
        PoolStrategy::Minimal => "minimal",
        PoolStrategy::Lockstep => "lockstep",
    };
    let width = compiled.steps.iter().map(|s| s.id.len()).max().unwrap_or(10);
    let mut printed_stage: Option<Option<String>> = None;
    for (number, step) in compiled.steps.iter().enumerate() {
        let stage = match (&step.cluster, &step.kind) {
            (Some(cluster), _) => compiled
                .clusters
                .iter()
                .find(|c| *c.name == **cluster)
                .and_then(|c| c.stage.clone()),
            (None, StepKind::ApprovalGate { stage, .. } | StepKind::StageWait { stage, .. }) => {
                Some(stage.clone())
            }
            _ => None,
        };
        if printed_stage.as_ref() != Some(&stage) {
            let _ = writeln!(out);
            if let Some(name) = &stage {
                let _ = writeln!(out, "stage `{name}`");
            }
            for cluster in compiled.clusters.iter().filter(|c| c.stage == stage) {
                let mut route = vec![cluster.start.control_plane.to_string()];
                route.extend(cluster.hops.iter().map(ToString::to_string));
                let mode = match (cluster.recovery, cluster.full_upgrades, cluster.hops.len()) {
                    (true, _, 1) => "recovery: one full upgrade",
                    (true, true, _) => "recovery full upgrade, then full upgrades",
                    (true, false, _) => "recovery full upgrade, then control-plane-only hops",
                    (false, true, _) => "full upgrades",
                    (false, false, _) => "control-plane-only hops",
                };
                // Switched off and restored, or switched off for good (the plan sets `none`).
                let restored = restoring.contains(cluster.name.as_str());
                let channel = match (cluster.channel_switched, restored) {
                    (true, true) => ", auto-upgrade off for the change",
                    (true, false) => ", auto-upgrade off, kept off after",
                    (false, _) => "",
                };
                let _ = writeln!(
                    out,
                    "  cluster `{}`: {} ({mode}, pools: {pools}{channel})",
                    cluster.name,
                    route.join(" → ")
                );
            }
            printed_stage = Some(stage);
        }
        let _ = writeln!(
            out,
            "  {:>3}  {:<width$}  {:>7}  {}",
            number + 1,
            step.id,
            duration(step.estimate_minutes),
            step.provenance.reason
        );
    }
    out.push_str(&render_schedule(compiled, schedule));
    out
}

/// The schedule: per change window (in time order) the steps it holds, the soaks between them,
/// the finish, and the steps that fit no window.
pub fn render_schedule(compiled: &Compiled, schedule: &Schedule) -> String {
    let mut out = String::new();
    let _ = writeln!(out);
    if schedule.windows.is_empty() {
        let _ = writeln!(out, "schedule: none (the plan has no `changeWindows`)");
        return out;
    }
    let _ = writeln!(
        out,
        "schedule (every step starts and finishes inside one change window)"
    );
    // Windows and soaks, by start.
    enum Entry<'a> {
        Window(&'a aksplan_graph::Window),
        Soak(&'a aksplan_graph::Placement),
    }
    let mut entries: Vec<Entry<'_>> = schedule.windows.iter().map(Entry::Window).collect();
    entries.extend(
        schedule
            .placements
            .iter()
            .filter(|p| p.window_index.is_none())
            .map(Entry::Soak),
    );
    let key = |entry: &Entry<'_>| match entry {
        Entry::Window(w) => (w.start, 0),
        Entry::Soak(p) => (p.start, 1),
    };
    entries.sort_by_key(key);
    let width = schedule
        .placements
        .iter()
        .map(|p| p.step_id.len())
        .max()
        .unwrap_or(10);
    let index = aksplan_graph::StepIndex::new(compiled);
    for entry in entries {
        match entry {
            Entry::Window(window) => {
                let name = window
                    .name
                    .as_ref()
                    .map_or_else(String::new, |n| format!(" `{n}`"));
                let end = if local_date(window.end, window.offset) == local_date(window.start, window.offset)
                    || window.duration_hours <= 24
                {
                    time_text(window.end, window.offset)
                } else {
                    local_text(window.end, window.offset)
                };
                let placed = schedule.in_window(window.index);
                let head = format!(
                    "  window {}{name} {} – {end} ({}h)",
                    window.index + 1,
                    local_text(window.start, window.offset),
                    window.duration_hours
                );
                if placed.is_empty() {
                    let _ = writeln!(out, "{head}: not used");
                    continue;
                }
                let work = placed.iter().filter(|p| p.end > p.start).count();
                let _ = writeln!(
                    out,
                    "{head}: {} step{}, {} used",
                    work,
                    if work == 1 { "" } else { "s" },
                    duration(schedule.used_minutes(window.index))
                );
                for placement in placed {
                    let step = index.step(&placement.step_id);
                    let note = match step.map(|s| &s.kind) {
                        Some(StepKind::ApprovalGate { stage, .. }) => {
                            format!("approval before stage `{stage}` starts")
                        }
                        _ => String::new(),
                    };
                    let line = format!(
                        "    {}–{}  {:<width$}  {note}",
                        time_text(placement.start, placement.offset),
                        time_text(placement.end, placement.offset),
                        placement.step_id,
                    );
                    let _ = writeln!(out, "{}", line.trim_end());
                }
            }
            Entry::Soak(placement) => {
                let _ = writeln!(
                    out,
                    "  soak `{}` {} – {}",
                    placement.step_id,
                    local_text(placement.start, placement.offset),
                    local_text(placement.end, placement.offset)
                );
            }
        }
    }
    match schedule.end {
        Some(end) => {
            let _ = writeln!(out, "  finish: {}", local_text(end, schedule.offset));
        }
        None if schedule.placements.is_empty() => {
            let _ = writeln!(out, "  finish: none, no step fits the change windows");
        }
        None => {
            let _ = writeln!(
                out,
                "  finish: none, {} step{} do not fit the change windows",
                schedule.unscheduled.len(),
                if schedule.unscheduled.len() == 1 { "" } else { "s" }
            );
        }
    }
    if !schedule.unscheduled.is_empty() {
        let _ = writeln!(out, "  not scheduled:");
        for id in &schedule.unscheduled {
            let _ = writeln!(out, "    {id}");
        }
    }
    out.push_str(&render_channel_windows(schedule));
    out
}

/// After the change: what AKS itself will do, and when (the channels the plan leaves on).
fn render_channel_windows(schedule: &Schedule) -> String {
    let mut out = String::new();
    if schedule.channel_windows.is_empty() {
        return out;
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "after the change, AKS acts on its own (channels left on):");
    for window in &schedule.channel_windows {
        match window.next {
            Some((start, end, offset)) => {
                let _ = writeln!(
                    out,
                    "  cluster `{}`: {} next runs in `{}` {} – {}",
                    window.cluster,
                    window.channel,
                    window.configuration,
                    local_text(start, offset),
                    local_text(end, offset)
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "  cluster `{}`: {} has no `{}`: AKS may act at any time",
                    window.cluster, window.channel, window.configuration
                );
            }
        }
    }
    out
}

/// The execution graph as JSON: clusters with their routes, steps in graph order with
/// dependencies, provenance, states and estimates.
pub fn render_graph_json(plan: &Plan, compiled: &Compiled, schedule: &Schedule) -> String {
    let document = json!({
        "apiVersion": "aksplan.dev/execution-plan/v1alpha1",
        "plan": { "name": plan.metadata.name, "change": plan.metadata.change, "owner": plan.metadata.owner },
        "clusters": compiled.clusters,
        "steps": compiled.steps,
        "totalEstimateMinutes": compiled.steps.iter().map(|s| s.estimate_minutes).sum::<u64>(),
        "schedule": schedule,
    });
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}

//! The compiled plan for people (the route per cluster, in graph order) and for machines (the
//! execution graph as JSON).

use std::fmt::Write as _;

use aksplan_graph::{Compiled, StepKind};
use aksplan_model::plan::{Plan, PoolStrategy};
use serde_json::json;

/// `1h 05m`, `20m`, `2d 3h`.
pub fn duration(minutes: u64) -> String {
    let (days, hours, mins) = (minutes / 1440, (minutes % 1440) / 60, minutes % 60);
    match (days, hours) {
        (0, 0) => format!("{mins}m"),
        (0, _) => format!("{hours}h {mins:02}m"),
        _ => format!("{days}d {hours}h"),
    }
}

/// A readable summary: per stage and cluster the hops, then every step in graph order with its
/// estimate and the reason it exists.
pub fn render_route(plan: &Plan, compiled: &Compiled) -> String {
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
                .find(|c| &c.name == cluster)
                .and_then(|c| c.stage.clone()),
            (None, StepKind::ApprovalGate { stage } | StepKind::StageWait { stage, .. }) => {
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
                let mode = if cluster.full_upgrades {
                    "full upgrades"
                } else {
                    "control-plane-only hops"
                };
                let channel = if cluster.channel_switched {
                    ", auto-upgrade off for the change"
                } else {
                    ""
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
    out
}

/// The execution graph as JSON: clusters with their routes, steps in graph order with
/// dependencies, provenance, states and estimates.
pub fn render_graph_json(plan: &Plan, compiled: &Compiled) -> String {
    let document = json!({
        "apiVersion": "aksplan.dev/execution-plan/v1alpha1",
        "plan": { "name": plan.metadata.name, "change": plan.metadata.change, "owner": plan.metadata.owner },
        "clusters": compiled.clusters,
        "steps": compiled.steps,
        "totalEstimateMinutes": compiled.steps.iter().map(|s| s.estimate_minutes).sum::<u64>(),
    });
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}

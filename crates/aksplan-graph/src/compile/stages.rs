//! The rollout: stages in order, each behind its approval gate, its clusters compiled from the
//! end of the stage before, and its `afterStageWait` soak before the next stage.

use std::collections::HashSet;
use std::sync::Arc;

use aksplan_model::plan::Stage;
use aksplan_rules::{ClusterView, Context};

use super::ClusterPlan;
use super::builder::{Builder, provenance};
use super::cluster::compile_cluster;
use crate::clusters::ClusterIndex;
use crate::step::{Step, StepKind};

/// Every cluster's route and every step, in creation order.
pub(super) fn compile_stages(ctx: &Context<'_>, index: &ClusterIndex<'_>) -> (Vec<ClusterPlan>, Vec<Step>) {
    let mut builder = Builder::default();
    let mut clusters = Vec::new();
    let stages = stages(ctx, index);
    let mut tail: Vec<Arc<str>> = Vec::new();
    for (stage_index, (stage, members)) in stages.iter().enumerate() {
        let stage_pointer = format!("/spec/rollout/stages/{stage_index}");
        let mut entry = tail.clone();
        if let Some(stage) = stage
            && stage.gated()
        {
            let id = builder.add(Step {
                id: format!("stage/{}/approval", stage.name).into(),
                cluster: None,
                kind: StepKind::ApprovalGate {
                    stage: stage.name.clone(),
                    approver: stage.approver.clone(),
                },
                provenance: provenance(
                    match &stage.approver {
                        Some(who) => format!("stage `{}` starts only after an approval by {who}", stage.name),
                        None => format!("stage `{}` starts only after a human approval", stage.name),
                    },
                    None,
                    Some(format!(
                        "{stage_pointer}/{}",
                        if stage.approver.is_some() {
                            "approver"
                        } else {
                            "approval"
                        }
                    )),
                    None,
                ),
                before: None,
                after: None,
                estimate_minutes: 0,
                depends_on: entry.clone(),
            });
            entry = vec![id];
        }
        let mut stage_tail = Vec::new();
        for view in members {
            if let Some((plan, last)) =
                compile_cluster(ctx, view, stage.map(|s| s.name.clone()), &entry, &mut builder)
            {
                clusters.push(plan);
                stage_tail.extend(last);
            }
        }
        if stage_tail.is_empty() {
            stage_tail = entry;
        }
        tail = stage_tail;
        if let Some(stage) = stage
            && let Some(wait) = &stage.after_stage_wait
            && let Ok(seconds) = aksplan_model::time::parse_duration(wait)
            && stage_index + 1 < stages.len()
        {
            let id = builder.add(Step {
                id: format!("stage/{}/wait", stage.name).into(),
                cluster: None,
                kind: StepKind::StageWait {
                    stage: stage.name.clone(),
                    seconds,
                },
                provenance: provenance(
                    format!(
                        "soak: stage `{}` runs for {wait} before the next stage starts",
                        stage.name
                    ),
                    None,
                    Some(format!("{stage_pointer}/afterStageWait")),
                    None,
                ),
                before: None,
                after: None,
                estimate_minutes: seconds.div_ceil(60),
                depends_on: tail.clone(),
            });
            tail = vec![id];
        }
    }
    (clusters, builder.steps)
}

/// Stages in order, each with its clusters in the context's order; without a rollout, one
/// unnamed stage with every cluster.
fn stages<'i, 'c>(
    ctx: &Context<'c>,
    index: &'i ClusterIndex<'c>,
) -> Vec<(Option<&'c Stage>, Vec<&'i ClusterView<'c>>)> {
    let views = index.views();
    let plan: &'c aksplan_model::plan::Plan = ctx.plan;
    match &plan.spec.rollout {
        Some(rollout) => rollout
            .stages
            .iter()
            .map(|stage| {
                let members: HashSet<&str> = stage.clusters.iter().map(String::as_str).collect();
                (
                    Some(stage),
                    views.iter().filter(|v| members.contains(v.name())).collect(),
                )
            })
            .collect(),
        None => vec![(None, views.iter().collect())],
    }
}

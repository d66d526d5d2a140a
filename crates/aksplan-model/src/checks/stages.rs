//! Rollout stages name defined clusters, and each cluster is in exactly one stage.

use std::collections::BTreeMap;

use super::Context;
use crate::codes;
use crate::finding::Finding;
use crate::schema::closest;

pub fn check(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    let Some(rollout) = &ctx.plan.spec.rollout else {
        return;
    };
    let names: Vec<String> = ctx.plan.spec.clusters.iter().map(|c| c.name.clone()).collect();
    let mut placed: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (s, stage) in rollout.stages.iter().enumerate() {
        for (i, cluster) in stage.clusters.iter().enumerate() {
            let pointer = format!("/spec/rollout/stages/{s}/clusters/{i}");
            if names.iter().any(|n| n == cluster) {
                placed.entry(cluster).or_default().push(pointer);
                continue;
            }
            let mut finding = Finding::new(
                codes::STAGE_UNKNOWN_CLUSTER,
                format!(
                    "stage `{}` names the cluster `{cluster}`, which the plan does not define",
                    stage.name
                ),
            )
            .at(ctx.doc.label(&pointer).with_message("no such cluster"))
            .pointer(pointer);
            finding = match closest(cluster, &names) {
                Some(best) => finding.help(format!("did you mean `{best}`?")),
                None => finding.help("add the cluster under `spec.clusters`, or remove it from the stage"),
            };
            findings.push(finding);
        }
    }
    let mut reported: Vec<&str> = Vec::new();
    for (c, cluster) in ctx.plan.spec.clusters.iter().enumerate() {
        // A duplicate cluster name is reported by the names check; judge each name once.
        if reported.contains(&cluster.name.as_str()) {
            continue;
        }
        reported.push(&cluster.name);
        let pointer = format!("/spec/clusters/{c}/name");
        match placed.get(cluster.name.as_str()).map(Vec::as_slice) {
            None | Some([]) => findings.push(
                Finding::new(
                    codes::STAGE_COVERAGE,
                    format!(
                        "cluster `{}` is in no rollout stage, so it would never be upgraded",
                        cluster.name
                    ),
                )
                .at(ctx.doc.label(&pointer))
                .pointer(pointer)
                .help("add it to the `clusters` of one stage"),
            ),
            Some([_]) => {}
            Some([first, rest @ ..]) => {
                let mut finding = Finding::new(
                    codes::STAGE_COVERAGE,
                    format!(
                        "cluster `{}` is in {} rollout stages",
                        cluster.name,
                        rest.len() + 1
                    ),
                )
                .at(ctx.doc.label(&rest[0]).with_message("again here"))
                .also(ctx.doc.label(first).with_message("first here"))
                .pointer(rest[0].clone())
                .help("keep it in exactly one stage");
                for extra in &rest[1..] {
                    finding = finding.also(ctx.doc.label(extra).with_message("and here"));
                }
                findings.push(finding);
            }
        }
    }
}

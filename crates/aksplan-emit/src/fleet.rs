//! Azure Kubernetes Fleet Manager output (`docs/execution-plan.md`, "Fleet").
//!
//! One update strategy from the plan's rollout stages (the `properties.strategy.stages[]` shape
//! of `Microsoft.ContainerService/fleets/updateStrategies`: `name`, `groups: [{name}]`,
//! `afterStageWaitInSeconds`) and one update run per control-plane hop, since Fleet never moves a
//! cluster more than one minor per run. Property names from the Fleet REST/Bicep reference
//! (learn.microsoft.com/azure/templates/microsoft.containerservice/fleets/updatestrategies and
//! learn.microsoft.com/javascript/api/@azure/arm-containerservicefleet/updatestage).
//!
//! Fleet runs the groups of a stage in parallel and the members of a group one after the other
//! (learn.microsoft.com/azure/kubernetes-fleet/update-create-update-strategy).
//! A stage with `maxConcurrency: 1` therefore becomes one group holding all its clusters; any
//! other stage gets one group per cluster, and a `maxConcurrency` above 1 is carried as the
//! stage's `maxConcurrency` (a preview property) and noted in `notes`.

use std::collections::BTreeMap;

use aksplan_graph::{Compiled, StepKind};
use aksplan_model::plan::{NodeImagePolicy, Plan, Stage};
use aksplan_model::time::parse_duration;
use aksplan_model::version::KubeVersion;
use serde_json::{Value, json};

/// The Fleet document, pretty-printed, with a trailing newline.
pub fn render(plan: &Plan, compiled: &Compiled) -> String {
    let mut text = serde_json::to_string_pretty(&document(plan, compiled)).unwrap_or_default();
    text.push('\n');
    text
}

/// A Fleet resource name: lower-case letters, digits and `-`, at most 50 characters, starting
/// and ending with a letter or digit.
fn resource_name(text: &str) -> String {
    let mut name: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    while name.contains("--") {
        name = name.replace("--", "-");
    }
    let mut name: String = name.trim_matches('-').chars().take(50).collect();
    while name.ends_with('-') {
        name.pop();
    }
    if name.is_empty() {
        "aksplan".to_owned()
    } else {
        name
    }
}

/// The group of each cluster of a stage, in the stage's order.
fn stage_groups(stage: &Stage) -> Vec<(String, Vec<String>)> {
    if stage.max_concurrency == Some(1) && stage.clusters.len() > 1 {
        vec![(resource_name(&stage.name), stage.clusters.clone())]
    } else {
        stage
            .clusters
            .iter()
            .map(|c| (resource_name(c), vec![c.clone()]))
            .collect()
    }
}

/// The Fleet document as a JSON value.
pub fn document(plan: &Plan, compiled: &Compiled) -> Value {
    let strategy_name = resource_name(&plan.metadata.name);
    let stages: Vec<Stage> = match &plan.spec.rollout {
        Some(rollout) => rollout.stages.clone(),
        // Without rollout stages, one stage holding every cluster, each its own group.
        None => vec![Stage {
            name: "all".to_owned(),
            clusters: plan.spec.clusters.iter().map(|c| c.name.clone()).collect(),
            approval: false,
            after_stage_wait: None,
            max_concurrency: None,
        }],
    };

    let mut notes: Vec<String> = Vec::new();
    let mut members: Vec<Value> = Vec::new();
    let mut fleet_stages: Vec<Value> = Vec::new();
    for (k, stage) in stages.iter().enumerate() {
        let groups = stage_groups(stage);
        for (group, clusters) in &groups {
            for cluster in clusters {
                members.push(json!({ "cluster": cluster, "group": group }));
            }
        }
        let mut value = serde_json::Map::new();
        value.insert("name".into(), json!(resource_name(&stage.name)));
        let names: Vec<Value> = groups.iter().map(|(g, _)| json!({ "name": g })).collect();
        value.insert("groups".into(), Value::Array(names));
        if let Some(limit) = stage.max_concurrency.filter(|&m| m > 1) {
            value.insert("maxConcurrency".into(), json!(limit.to_string()));
            notes.push(format!(
                "stage `{}`: maxConcurrency {limit} is the preview `maxConcurrency` property; on API versions without it, all {} groups run in parallel",
                stage.name,
                groups.len()
            ));
        }
        if stage.max_concurrency == Some(1) && stage.clusters.len() > 1 {
            notes.push(format!(
                "stage `{}`: maxConcurrency 1, so its clusters share group `{}` and are updated one after the other",
                stage.name,
                resource_name(&stage.name)
            ));
        }
        // The last stage's wait has nothing to wait for.
        if k + 1 < stages.len()
            && let Some(wait) = &stage.after_stage_wait
        {
            match parse_duration(wait) {
                Ok(seconds) => {
                    value.insert("afterStageWaitInSeconds".into(), json!(seconds));
                }
                Err(_) => notes.push(format!(
                    "stage `{}`: afterStageWait `{wait}` is not a duration Fleet can take",
                    stage.name
                )),
            }
        }
        if stage.approval {
            notes.push(format!(
                "stage `{}` needs an approval: start the update run's stage by hand, or add a Fleet approval gate",
                stage.name
            ));
        }
        fleet_stages.push(Value::Object(value));
    }

    let node_image_selection = match plan.spec.target.node_image {
        NodeImagePolicy::Latest => "Latest",
        NodeImagePolicy::Keep => "Consistent",
    };

    // One run per control-plane version some cluster moves to, lowest first.
    let mut hops: BTreeMap<KubeVersion, bool> = BTreeMap::new();
    for step in &compiled.steps {
        match &step.kind {
            StepKind::ControlPlaneUpgrade { to } => {
                hops.entry(*to).or_insert(false);
            }
            StepKind::FullUpgrade { to } => {
                hops.insert(*to, true);
            }
            _ => {}
        }
    }
    // A hop whose pools also move to it (in some cluster) is a Full run.
    for step in &compiled.steps {
        if let StepKind::PoolUpgrade { to, .. } = &step.kind
            && let Some(full) = hops.get_mut(to)
        {
            *full = true;
        }
    }
    let mut runs: Vec<Value> = hops
        .iter()
        .map(|(version, full)| {
            let kind = if *full { "Full" } else { "ControlPlaneOnly" };
            update_run(
                &format!("{strategy_name}-{version}"),
                &strategy_name,
                kind,
                Some(version),
                node_image_selection,
            )
        })
        .collect();
    let node_images = compiled
        .steps
        .iter()
        .any(|s| matches!(s.kind, StepKind::PoolNodeImage { .. }));
    if node_images {
        runs.push(update_run(
            &format!("{strategy_name}-node-image"),
            &strategy_name,
            "NodeImageOnly",
            None,
            node_image_selection,
        ));
    }

    json!({
        "updateStrategy": {
            "name": strategy_name,
            "properties": { "strategy": { "stages": fleet_stages } },
        },
        "members": members,
        "updateRuns": runs,
        "notes": notes,
    })
}

fn update_run(
    name: &str,
    strategy: &str,
    kind: &str,
    version: Option<&KubeVersion>,
    node_image_selection: &str,
) -> Value {
    let name = resource_name(name);
    let mut upgrade = serde_json::Map::new();
    upgrade.insert("type".into(), json!(kind));
    let mut args = vec![
        "--name".to_owned(),
        name.clone(),
        "--upgrade-type".to_owned(),
        kind.to_owned(),
    ];
    if let Some(version) = version {
        upgrade.insert("kubernetesVersion".into(), json!(version.to_string()));
        args.extend(["--kubernetes-version".to_owned(), version.to_string()]);
    }
    args.extend([
        "--node-image-selection".to_owned(),
        node_image_selection.to_owned(),
        "--update-strategy-name".to_owned(),
        strategy.to_owned(),
    ]);
    json!({
        "name": name,
        "properties": {
            "managedClusterUpdate": {
                "upgrade": upgrade,
                "nodeImageSelection": { "type": node_image_selection },
            },
        },
        "cliArgs": args,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(resource_name("Fleet 2026/12 to 1.36"), "fleet-2026-12-to-1-36");
    }
}

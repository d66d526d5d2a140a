//! The Fleet Manager output: stages, groups and waits from the rollout, one update run per
//! control-plane hop, deterministic; snapshots of two examples.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Example, examples};

use aksplan_emit::fleet;
use serde_json::Value;

fn emit(file: &str) -> String {
    let example = Example::load(file);
    let (compiled, _) = example.compile();
    fleet::render(example.plan(), &compiled)
}

#[test]
fn stages_follow_the_rollout() {
    let document: Value = serde_json::from_str(&emit("fleet-three-stages.yaml")).unwrap();
    let stages = document["updateStrategy"]["properties"]["strategy"]["stages"]
        .as_array()
        .unwrap();
    let names: Vec<&str> = stages.iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["dev", "staging", "prod"]);
    // dev: afterStageWait 24h; staging: 2d; prod is last, so no wait.
    assert_eq!(stages[0]["afterStageWaitInSeconds"], 86_400);
    assert_eq!(stages[1]["afterStageWaitInSeconds"], 172_800);
    assert!(stages[2].get("afterStageWaitInSeconds").is_none());
    // staging runs its two clusters in parallel: a group each; prod (maxConcurrency 1) one group.
    assert_eq!(stages[1]["groups"].as_array().unwrap().len(), 2);
    assert_eq!(stages[2]["groups"], serde_json::json!([{ "name": "prod" }]));
}

#[test]
fn one_run_per_hop() {
    for file in examples() {
        let example = Example::load(&file);
        let (compiled, _) = example.compile();
        let document: Value = serde_json::from_str(&fleet::render(example.plan(), &compiled)).unwrap();
        let runs = document["updateRuns"].as_array().unwrap();
        let mut hops: Vec<String> = compiled
            .clusters
            .iter()
            .flat_map(|c| c.hops.iter().map(ToString::to_string))
            .collect();
        hops.sort();
        hops.dedup();
        let versions: Vec<&str> = runs
            .iter()
            .filter_map(|r| r["properties"]["managedClusterUpdate"]["upgrade"]["kubernetesVersion"].as_str())
            .collect();
        assert_eq!(versions.len(), hops.len(), "{file}: {versions:?} vs {hops:?}");
        for run in runs {
            let kind = run["properties"]["managedClusterUpdate"]["upgrade"]["type"]
                .as_str()
                .unwrap();
            assert!(
                matches!(kind, "Full" | "ControlPlaneOnly" | "NodeImageOnly"),
                "{file}: {kind}"
            );
            let name = run["name"].as_str().unwrap();
            assert!(
                name.len() <= 50 && !name.starts_with('-') && !name.ends_with('-'),
                "{name}"
            );
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{name}"
            );
        }
        assert_eq!(emit(&file), emit(&file), "{file}");
    }
}

#[test]
fn snapshot_single_cluster() {
    insta::assert_snapshot!("fleet_single_cluster", emit("single-cluster.yaml"));
}

#[test]
fn snapshot_fleet_three_stages() {
    insta::assert_snapshot!("fleet_fleet_three_stages", emit("fleet-three-stages.yaml"));
}

//! The Fleet Manager output: stages, groups and waits from the rollout, one update run per
//! control-plane hop, deterministic; snapshots of two examples.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use aksplan_catalog::Catalog;
use aksplan_graph::{Compiled, Schedule};
use aksplan_model::finding::Severity;
use aksplan_model::load::Loaded;
use aksplan_model::plan::Plan;
use aksplan_model::source::Format;
use aksplan_model::time::parse_date;
use aksplan_rules::Context;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every example plan, by file name, sorted.
fn examples() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root().join("examples"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml") || n.ends_with(".toml"))
        .collect();
    names.sort();
    names
}

struct Example {
    loaded: Loaded,
    catalog: Catalog,
}

impl Example {
    fn load(file: &str) -> Self {
        let path = root().join("examples").join(file);
        let bytes = std::fs::read(&path).unwrap();
        let format = if file.ends_with(".toml") {
            Format::Toml
        } else {
            Format::Yaml
        };
        let loaded = aksplan_model::load_plan(file, &bytes, format, path.parent().unwrap());
        let errors: Vec<String> = loaded
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| format!("{}: {}", f.code.id(), f.message))
            .collect();
        assert!(errors.is_empty(), "{file}: {errors:#?}");
        Self {
            loaded,
            catalog: Catalog::embedded(),
        }
    }

    fn plan(&self) -> &Plan {
        self.loaded.plan.as_ref().unwrap()
    }

    fn ctx(&self) -> Context<'_> {
        let plan = self.plan();
        let as_of = parse_date(plan.spec.as_of.as_deref().unwrap_or("2026-07-01")).unwrap();
        Context {
            doc: self.loaded.doc.as_ref().unwrap(),
            plan,
            clusters: &self.loaded.clusters,
            catalog: &self.catalog,
            as_of,
            manifests: &[],
        }
    }

    fn compile(&self) -> (Compiled, Schedule) {
        let ctx = self.ctx();
        let compiled = aksplan_graph::compile(&ctx);
        let schedule = aksplan_graph::schedule(&ctx, &compiled);
        (compiled, schedule)
    }
}

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

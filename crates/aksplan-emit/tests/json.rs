//! The JSON execution plan: every example validates against
//! `schemas/execution-plan.schema.json`, output is byte-identical across runs, argv follows
//! `aks-upgrade-rules.md` §6, and snapshots of two examples.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Example, examples, root};

use aksplan_emit::json::{self, Meta};
use serde_json::Value;

fn meta() -> Meta {
    Meta {
        plan_hash: "sha256:0000000000000000000000000000000000000000000000000000000000000000".to_owned(),
        catalog: Some("embedded".to_owned()),
        generator: Some("aksplan test".to_owned()),
        findings: Vec::new(),
    }
}

fn emit(file: &str) -> String {
    let example = Example::load(file);
    let (compiled, schedule) = example.compile();
    json::render(example.plan(), &compiled, &schedule, &meta())
}

#[test]
fn every_example_validates_against_the_schema() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schemas/execution-plan.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::draft202012::options().build(&schema).unwrap();
    let examples = examples();
    assert!(examples.len() >= 4, "{examples:?}");
    for file in examples {
        let document: Value = serde_json::from_str(&emit(&file)).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&document)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{file}: {errors:#?}");
        assert_eq!(document["apiVersion"], json::API_VERSION);
    }
}

#[test]
fn output_is_byte_identical_across_runs() {
    for file in examples() {
        assert_eq!(emit(&file), emit(&file), "{file}");
    }
}

#[test]
fn argv_follows_the_cli_rules() {
    for file in examples() {
        let document: Value = serde_json::from_str(&emit(&file)).unwrap();
        for step in document["steps"].as_array().unwrap() {
            let Some(argv) = step["argv"].as_array() else {
                assert!(
                    matches!(step["type"].as_str(), Some("approvalGate" | "stageWait")),
                    "{file}: {step}"
                );
                continue;
            };
            let argv: Vec<&str> = argv.iter().map(|a| a.as_str().unwrap()).collect();
            let id = step["id"].as_str().unwrap();
            assert!(matches!(argv[0], "az" | "kubectl"), "{id}: {argv:?}");
            if argv.contains(&"--node-image-only") {
                for flag in ["-k", "--max-surge", "--drain-timeout", "--max-unavailable"] {
                    assert!(!argv.contains(&flag), "{id}: {argv:?}");
                }
            }
            if argv[..3] == ["az", "aks", "upgrade"] || argv[..4] == ["az", "aks", "nodepool", "upgrade"] {
                assert!(
                    argv.contains(&"--yes") && argv.contains(&"--no-wait"),
                    "{id}: {argv:?}"
                );
            }
            for (i, arg) in argv.iter().enumerate() {
                if i > 0 && argv[i - 1] == "--utc-offset" {
                    assert!(!arg.starts_with('-'), "{id}: {argv:?}");
                }
            }
        }
    }
}

/// A step's argv as strings.
fn argv_of(step: &Value) -> Vec<&str> {
    step["argv"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect()
}

#[test]
fn control_plane_argv_is_exact() {
    let document: Value = serde_json::from_str(&emit("single-cluster.yaml")).unwrap();
    let step = document["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["type"] == "controlPlaneUpgrade")
        .unwrap();
    let argv = argv_of(step);
    let to = step["to"].as_str().unwrap();
    assert_eq!(&argv[..3], ["az", "aks", "upgrade"]);
    let k = argv.iter().position(|a| *a == "-k").unwrap();
    // The catalog lists no patch of the target minor: the argv names the placeholder and the
    // step says where the exact patch is read, never the minor alias.
    assert_eq!(to, "1.35");
    assert_eq!(argv[k + 1], "{version}");
    assert_eq!(
        step["versionFrom"],
        serde_json::json!({
            "minor": "1.35",
            "source": "getUpgrades",
            "ltsPatches": false,
            "placeholder": "{version}",
        })
    );
    assert!(argv.contains(&"--control-plane-only"));

    // Where the patch is known (the cluster's own get-upgrades), the argv names it exactly.
    let document: Value = serde_json::from_str(&emit("complete.yaml")).unwrap();
    let steps = document["steps"].as_array().unwrap();
    let step = steps
        .iter()
        .find(|s| s["id"] == "aks-dev-wus2/cp/1.28.10")
        .unwrap();
    let argv = argv_of(step);
    let k = argv.iter().position(|a| *a == "-k").unwrap();
    assert_eq!(argv[k + 1], "1.28.10");
    assert!(step.get("versionFrom").is_none());
    // No version step of a KubernetesOfficial cluster names an LTS-only patch.
    for step in steps.iter().filter(|s| s["cluster"] != "cliakstest000001") {
        let to = step["to"].as_str().unwrap_or_default();
        assert!(
            !to.ends_with(".100") && !to.ends_with(".101") && !to.ends_with(".103"),
            "{step}"
        );
    }
}

#[test]
fn snapshot_single_cluster() {
    insta::assert_snapshot!("json_single_cluster", emit("single-cluster.yaml"));
}

#[test]
fn snapshot_fleet_three_stages() {
    insta::assert_snapshot!("json_fleet_three_stages", emit("fleet-three-stages.yaml"));
}

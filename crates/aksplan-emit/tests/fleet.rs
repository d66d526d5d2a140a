//! The Fleet Manager output runs what the plan says (issue 16): each update run touches exactly
//! the clusters whose route takes its hop, names are valid and never shared, `maxConcurrency`
//! and approvals reach Fleet, catch-up runs keep pools to one minor per upgrade, and what Fleet
//! cannot do is an AKS220 finding.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use aksplan_catalog::Catalog;
use aksplan_emit::fleet;
use aksplan_model::finding::Severity;
use aksplan_pipeline::{Checked, NoPolicies, Options, PlanInput};
use common::{Example, examples, root};
use serde_json::Value;

fn emit(file: &str) -> String {
    let example = Example::load(file);
    let (compiled, _) = example.compile();
    fleet::render(example.plan(), &compiled, None).text
}

fn checked(yaml: &str) -> Checked {
    let options = Options::new(Arc::new(Catalog::embedded()), None, || {
        jiff::civil::date(2026, 7, 1)
    });
    let input = PlanInput::new(
        "fleet.yaml",
        yaml.as_bytes(),
        aksplan_model::source::Format::Yaml,
        Path::new("."),
    );
    let checked = aksplan_pipeline::run(input, &options, &mut NoPolicies);
    assert!(checked.accepted().is_some(), "{:#?}", checked.findings);
    checked
}

fn checked_file(relative: &str) -> Checked {
    let path = root().join(relative);
    let input = aksplan_pipeline::inputs::read_plan(path.to_str().unwrap(), None).unwrap();
    let options = Options::new(Arc::new(Catalog::embedded()), None, || {
        jiff::civil::date(2026, 7, 1)
    });
    let checked = aksplan_pipeline::run(input, &options, &mut NoPolicies);
    assert!(
        checked.accepted().is_some(),
        "{relative}: {:#?}",
        checked.findings
    );
    checked
}

fn fleet_of(checked: &Checked) -> (Value, Vec<aksplan_model::finding::Finding>) {
    let (plan, compiled, _) = checked.accepted().unwrap();
    let out = fleet::render(plan, compiled, checked.loaded.doc.as_ref());
    (serde_json::from_str(&out.text).unwrap(), out.findings)
}

fn run_for<'a>(document: &'a Value, version: &str) -> &'a Value {
    document["updateRuns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["properties"]["managedClusterUpdate"]["upgrade"]["kubernetesVersion"] == version)
        .unwrap_or_else(|| panic!("no run to {version}: {document:#}"))
}

fn groups_of(run: &Value) -> Vec<String> {
    run["properties"]["strategy"]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["groups"].as_array().unwrap().iter())
        .map(|g| g["name"].as_str().unwrap().to_owned())
        .collect()
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 50
        && !name.starts_with('-')
        && !name.ends_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Every example and compile fixture Fleet can run: each run's groups are exactly its members,
/// each member takes that version on its route (a hop, or a catch-up to its own control plane's
/// version), every hop of every route is in a run, and all names are valid and unique.
#[test]
fn every_run_touches_exactly_the_clusters_taking_its_hop() {
    let mut plans: Vec<String> = examples().iter().map(|e| format!("examples/{e}")).collect();
    for entry in std::fs::read_dir(root().join("fixtures/plans/compile")).unwrap() {
        plans.push(format!(
            "fixtures/plans/compile/{}",
            entry.unwrap().file_name().to_string_lossy()
        ));
    }
    for path in plans {
        let checked = checked_file(&path);
        let (document, findings) = fleet_of(&checked);
        if findings.iter().any(|f| f.severity == Severity::Error) {
            continue;
        }
        let (_, compiled, _) = checked.accepted().unwrap();
        let groups: BTreeSet<&str> = document["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["group"].as_str().unwrap())
            .collect();
        assert_eq!(
            groups.len(),
            document["members"].as_array().unwrap().len(),
            "{path}"
        );
        let mut covered: BTreeSet<(String, String)> = BTreeSet::new();
        let mut run_names = BTreeSet::new();
        for run in document["updateRuns"].as_array().unwrap() {
            assert!(valid_name(run["name"].as_str().unwrap()), "{path}: {run}");
            assert!(
                run_names.insert(run["name"].as_str().unwrap().to_owned()),
                "{path}: duplicate run"
            );
            let members: Vec<&str> = run["members"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m.as_str().unwrap())
                .collect();
            let mut expected: Vec<String> = document["members"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|m| members.contains(&m["cluster"].as_str().unwrap()))
                .map(|m| m["group"].as_str().unwrap().to_owned())
                .collect();
            let mut listed = groups_of(run);
            expected.sort();
            listed.sort();
            assert_eq!(listed, expected, "{path}: {}", run["name"]);
            let stages: Vec<&str> = run["properties"]["strategy"]["stages"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["name"].as_str().unwrap())
                .collect();
            assert!(stages.iter().all(|s| valid_name(s)), "{path}: {stages:?}");
            assert_eq!(
                stages.iter().collect::<BTreeSet<_>>().len(),
                stages.len(),
                "{path}"
            );
            assert_eq!(
                run["stagesFile"]["content"], run["properties"]["strategy"],
                "{path}"
            );
            let Some(version) =
                run["properties"]["managedClusterUpdate"]["upgrade"]["kubernetesVersion"].as_str()
            else {
                continue;
            };
            for member in members {
                let route = compiled.clusters.iter().find(|c| c.name == member).unwrap();
                let on_route = std::iter::once(route.start.control_plane)
                    .chain(route.hops.iter().copied())
                    .any(|v| v.to_string() == version);
                assert!(
                    on_route,
                    "{path}: {member} is in the run to {version}, off its route"
                );
                covered.insert((member.to_owned(), version.to_owned()));
            }
        }
        for route in &compiled.clusters {
            for hop in &route.hops {
                assert!(
                    covered.contains(&(route.name.clone(), hop.to_string())),
                    "{path}: {} {hop}",
                    route.name
                );
            }
        }
        assert_eq!(emit_twice(&checked), emit_twice(&checked), "{path}");
    }
}

fn emit_twice(checked: &Checked) -> String {
    let (plan, compiled, _) = checked.accepted().unwrap();
    fleet::render(plan, compiled, None).text
}

const TARGETS: &str = r#"
apiVersion: aksplan/v1
kind: UpgradePlan
metadata: { name: targets }
spec:
  target: { kubernetesVersion: "1.36" }
  rollout:
    stages:
      - { name: canary, clusters: [aks_dev, aks-dev], afterStageWait: 1h }
      - { name: Prod EU, clusters: [prod, done], approval: true, approver: prod-cab }
      - { name: prod_eu, clusters: [p1, p2, p3, p4, p5], maxConcurrency: 2 }
  clusters:
    - { name: aks_dev, resourceGroup: rg, target: { kubernetesVersion: "1.35" }, current: { kubernetesVersion: "1.34.1", nodePools: [ { name: system, mode: System, orchestratorVersion: "1.34.1" } ] } }
    - { name: aks-dev, resourceGroup: rg, current: { kubernetesVersion: "1.35.1", nodePools: [ { name: system, mode: System, orchestratorVersion: "1.35.1" } ] } }
    - { name: prod, resourceGroup: rg, current: { kubernetesVersion: "1.35.1", nodePools: [ { name: system, mode: System, orchestratorVersion: "1.35.1" } ] } }
    - { name: done, resourceGroup: rg, current: { kubernetesVersion: "1.36.1", nodePools: [ { name: system, mode: System, orchestratorVersion: "1.36.1" } ] } }
    - { name: p1, resourceGroup: rg, current: { kubernetesVersion: "1.35.1", nodePools: [ { name: system, mode: System, orchestratorVersion: "1.35.1" } ] } }
    - { name: p2, resourceGroup: rg, current: { kubernetesVersion: "1.35.1", nodePools: [ { name: system, mode: System, orchestratorVersion: "1.35.1" } ] } }
    - { name: p3, resourceGroup: rg, current: { kubernetesVersion: "1.35.1", nodePools: [ { name: system, mode: System, orchestratorVersion: "1.35.1" } ] } }
    - { name: p4, resourceGroup: rg, current: { kubernetesVersion: "1.35.1", nodePools: [ { name: system, mode: System, orchestratorVersion: "1.35.1" } ] } }
    - { name: p5, resourceGroup: rg, current: { kubernetesVersion: "1.35.1", nodePools: [ { name: system, mode: System, orchestratorVersion: "1.35.1" } ] } }
"#;

#[test]
fn runs_follow_each_clusters_own_target_and_the_stage_rules() {
    let (document, findings) = fleet_of(&checked(TARGETS));
    assert!(
        findings.iter().all(|f| f.severity != Severity::Error),
        "{findings:#?}"
    );
    let members = document["members"].as_array().unwrap();
    let group = |cluster: &str| {
        members.iter().find(|m| m["cluster"] == cluster).unwrap()["group"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    // `aks_dev` and `aks-dev` get different, valid groups.
    assert_ne!(group("aks_dev"), group("aks-dev"));
    assert!(valid_name(&group("aks_dev")), "{}", group("aks_dev"));

    // The 1.35 run: only `aks_dev` (its own target is 1.35); the 1.36 run never has it, nor
    // `done` (on 1.36.1 already).
    let run35 = run_for(&document, "1.35");
    assert_eq!(run35["members"], serde_json::json!(["aks_dev"]));
    let run36 = run_for(&document, "1.36");
    let members36: Vec<&str> = run36["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    assert!(
        !members36.contains(&"aks_dev") && !members36.contains(&"done"),
        "{members36:?}"
    );
    assert!(!groups_of(run36).contains(&group("done")));

    // Stages of the 1.36 run: canary, the gated `Prod EU`, and `prod_eu` in waves of 2.
    let stages = run36["properties"]["strategy"]["stages"].as_array().unwrap();
    let names: Vec<&str> = stages.iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 5, "{names:?}");
    assert_eq!(names[0], "canary");
    assert_ne!(
        names[1],
        names[2].trim_end_matches("-wave-1"),
        "`Prod EU` and `prod_eu` are two stages"
    );
    assert!(names.iter().all(|n| valid_name(n)), "{names:?}");
    for wave in &stages[2..] {
        assert!(wave["groups"].as_array().unwrap().len() <= 2, "{wave}");
    }
    assert_eq!(stages[0]["afterStageWaitInSeconds"], 3600);
    assert_eq!(
        stages[1]["beforeGates"],
        serde_json::json!([{ "displayName": "Approve stage Prod EU (prod-cab)", "type": "Approval" }])
    );
    assert_eq!(run36["apiVersion"], fleet::GATES_API_VERSION);
    assert_eq!(run35["apiVersion"], fleet::STABLE_API_VERSION);
}

#[test]
fn run_names_stay_unique_with_a_long_plan_name() {
    let long = TARGETS.replace(
        "metadata: { name: targets }",
        &format!("metadata: {{ name: {} }}", "x".repeat(80)),
    );
    let (document, _) = fleet_of(&checked(&long));
    let names: Vec<&str> = document["updateRuns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names.iter().collect::<BTreeSet<_>>().len(),
        names.len(),
        "{names:?}"
    );
    assert!(names.iter().all(|n| valid_name(n)), "{names:?}");
}

#[test]
fn a_pool_behind_gets_a_catch_up_run_or_an_error() {
    // full-upgrade: `web` a minor behind the control plane is caught up by a Full run to the
    // control plane's own version before the first hop.
    let (document, findings) = fleet_of(&checked_file("fixtures/plans/compile/full-upgrade.yaml"));
    assert!(
        findings.iter().all(|f| f.severity != Severity::Error),
        "{findings:#?}"
    );
    let catch_up = run_for(&document, "1.33.2");
    assert_eq!(catch_up["members"], serde_json::json!(["aks-api"]));
    assert_eq!(
        catch_up["properties"]["managedClusterUpdate"]["upgrade"]["type"],
        "Full"
    );

    // minimal: `legacy` three minors behind cannot be brought within one minor by any Fleet run.
    let (_, findings) = fleet_of(&checked_file("fixtures/plans/compile/minimal.yaml"));
    let errors: Vec<&str> = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.message.as_str())
        .collect();
    assert!(
        errors.iter().any(|m| m.contains("would move pool `legacy`")),
        "{errors:?}"
    );
    assert!(
        findings
            .iter()
            .all(|f| f.code.id() == "AKS220" && f.primary.is_some())
    );
}

#[test]
fn snapshot_single_cluster() {
    insta::assert_snapshot!("fleet_single_cluster", emit("single-cluster.yaml"));
}

#[test]
fn snapshot_fleet_three_stages() {
    insta::assert_snapshot!("fleet_fleet_three_stages", emit("fleet-three-stages.yaml"));
}

#[test]
fn a_soak_longer_than_fleet_allows_is_capped_and_reported() {
    let long = TARGETS.replace("afterStageWait: 1h", "afterStageWait: 30000d");
    let (document, findings) = fleet_of(&checked(&long));
    let run36 = run_for(&document, "1.36");
    assert_eq!(
        run36["properties"]["strategy"]["stages"][0]["afterStageWaitInSeconds"],
        i64::from(i32::MAX)
    );
    assert!(
        findings
            .iter()
            .any(|f| f.severity == Severity::Error && f.message.contains("longer than Fleet's longest wait")),
        "{findings:#?}"
    );
}

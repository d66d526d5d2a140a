//! The script and the JSON execution plan run the same commands: for every step of every example
//! and compile fixture, the script holds the command model's line, the JSON argv is the model's
//! argv, and bash splits the script's line back into exactly that argv.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Command;
use std::sync::Arc;

use aksplan_catalog::Catalog;
use aksplan_emit::command::{Word, step_command};
use aksplan_pipeline::{NoPolicies, Options};
use common::root;

fn plans() -> Vec<String> {
    let mut plans = Vec::new();
    for dir in ["examples", "fixtures/plans/compile"] {
        for entry in std::fs::read_dir(root().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "toml")) {
                plans.push(path.to_string_lossy().into_owned());
            }
        }
    }
    plans.sort();
    plans
}

/// What bash makes of `printf '%s\0' WORDS`: the words a program would receive.
fn bash_words(line: &str) -> Vec<String> {
    let output = Command::new("bash")
        .args(["-c", &format!("printf '%s\\0' {line}")])
        .output()
        .unwrap();
    assert!(output.status.success(), "{line}");
    String::from_utf8(output.stdout)
        .unwrap()
        .split('\0')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_script_and_the_json_plan_run_the_model_commands() {
    let options = Options::new(Arc::new(Catalog::embedded()), None, || {
        jiff::civil::date(2026, 7, 1)
    });
    let mut compared = 0;
    for path in plans() {
        let input = aksplan_pipeline::inputs::read_plan(&path, None).unwrap();
        let checked = aksplan_pipeline::run(input, &options, &mut NoPolicies);
        let (plan, compiled, schedule) = checked
            .accepted()
            .unwrap_or_else(|| panic!("{path}: {:#?}", checked.findings));
        let script = aksplan_emit::az::render(plan, compiled, &aksplan_emit::az::AzOptions::default());
        let document: serde_json::Value = serde_json::from_str(&aksplan_emit::json::render(
            plan,
            compiled,
            schedule,
            &Default::default(),
        ))
        .unwrap();
        for (step, json_step) in compiled.steps.iter().zip(document["steps"].as_array().unwrap()) {
            let Some(cluster) = step.cluster.as_deref() else {
                assert_eq!(json_step["argv"], serde_json::Value::Null, "{}", step.id);
                continue;
            };
            let cluster = plan.spec.clusters.iter().find(|c| c.name == cluster).unwrap();
            let route = compiled.clusters.iter().find(|c| c.name == cluster.name).unwrap();
            let commands = step_command(cluster, route.pools(), route.lts, step).unwrap();
            let line = commands.run.shell();
            assert!(
                script.contains(&line),
                "{path}: {}: the script lacks `{line}`",
                step.id
            );
            let argv = commands
                .run
                .clone()
                .in_subscription(cluster.subscription.as_deref())
                .argv();
            assert_eq!(json_step["argv"], serde_json::json!(argv), "{path}: {}", step.id);
            let expands = commands
                .run
                .0
                .iter()
                .any(|w| matches!(w, Word::ConfigFile | Word::Runtime(_) | Word::LiveVersion));
            if !expands {
                assert_eq!(bash_words(&line), commands.run.argv(), "{path}: {}", step.id);
            }
            for command in commands
                .wait
                .iter()
                .chain(&commands.setup)
                .chain(&commands.update)
            {
                assert!(
                    script.contains(&command.shell()),
                    "{path}: {}: `{}`",
                    step.id,
                    command.shell()
                );
            }
            compared += 1;
        }
    }
    assert!(compared > 40, "{compared} steps compared");
}

/// The only System pool replaced blue-green: its replacement is created as a System pool, before
/// the old one is cordoned, drained and deleted, so the cluster never loses its last one (AKS
/// refuses that; AKS116).
#[test]
fn a_blue_green_system_pool_is_replaced_by_a_system_pool_first() {
    let yaml = r#"
apiVersion: aksplan/v1
kind: UpgradePlan
metadata: { name: system-blue-green }
spec:
  asOf: "2026-07-01"
  target: { kubernetesVersion: "1.33.2" }
  clusters:
    - name: aks
      resourceGroup: rg
      current:
        kubernetesVersion: "1.33.0"
        nodePools:
          - { name: system, mode: System, orchestratorVersion: "1.33.0", count: 3, strategy: blueGreen }
          - { name: apps, mode: User, orchestratorVersion: "1.33.0", count: 3 }
"#;
    let options = Options::new(Arc::new(Catalog::embedded()), None, || {
        jiff::civil::date(2026, 7, 1)
    });
    let input = aksplan_pipeline::PlanInput::new(
        "system-blue-green.yaml",
        yaml.as_bytes(),
        aksplan_model::source::Format::Yaml,
        std::path::Path::new("."),
    );
    let checked = aksplan_pipeline::run(input, &options, &mut NoPolicies);
    let (plan, compiled, _) = checked
        .accepted()
        .unwrap_or_else(|| panic!("{:#?}", checked.findings));
    let cluster = &plan.spec.clusters[0];
    let route = &compiled.clusters[0];
    let position = |id: &str| compiled.steps.iter().position(|s| &*s.id == id).unwrap();
    let create = &compiled.steps[position("aks/pool/system/blue-green/create")];
    let argv = step_command(cluster, route.pools(), route.lts, create)
        .unwrap()
        .run
        .argv();
    let mode = argv.iter().position(|a| a == "--mode").unwrap();
    assert_eq!(argv[mode + 1], "System", "{argv:?}");
    assert!(position("aks/pool/system/blue-green/create") < position("aks/pool/system/blue-green/cordon"));
    assert!(position("aks/pool/system/blue-green/drain") < position("aks/pool/system/blue-green/delete"));
}

//! Every shipped example and valid fixture is accepted.

use super::*;

fn plans_in(dir: &str) -> Vec<String> {
    let mut plans: Vec<String> = std::fs::read_dir(root().join(dir))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml" | "toml" | "json")
            )
        })
        .map(|path| relative(&path))
        .collect();
    plans.sort();
    plans
}

#[test]
fn every_example_is_accepted() {
    let plans = plans_in("examples");
    assert!(plans.len() >= 3, "{plans:?}");
    for plan in plans {
        let output = run(&["check", &plan]);
        assert_eq!(output.status.code(), Some(0), "{plan}:\n{}", text(&output.stderr));
    }
}

#[test]
fn every_valid_fixture_is_accepted() {
    for plan in plans_in("fixtures/plans/valid") {
        let output = run(&["check", &plan]);
        assert_eq!(output.status.code(), Some(0), "{plan}:\n{}", text(&output.stderr));
    }
}

#[test]
fn yaml_and_toml_forms_of_a_plan_read_the_same() {
    let yaml = run(&["check", "--format", "json", "examples/single-cluster.yaml"]);
    let toml = run(&["check", "--format", "json", "examples/single-cluster.toml"]);
    assert_eq!(yaml.status.code(), Some(0));
    assert_eq!(toml.status.code(), Some(0));
}

#[test]
fn output_is_deterministic() {
    let first = run(&[
        "check",
        "--format",
        "json",
        "fixtures/plans/invalid/AKS020-duplicate-cluster.yaml",
    ]);
    let second = run(&[
        "check",
        "--format",
        "json",
        "fixtures/plans/invalid/AKS020-duplicate-cluster.yaml",
    ]);
    assert_eq!(first.stdout, second.stdout);
}

//! Rego builtins beyond the starter pack's (glob, YAML, JSON patch and schema, base64, hex, CIDR,
//! URL query, graph, semver): `fixtures/policy/builtins/` uses them as a team would. Its tests pass
//! under `aksplan test` and under OPA, and its results on every example are OPA's.

use std::collections::BTreeSet;

use serde_json::Value;

use super::policies::{opa_eval, opa_ready};
use super::*;

const DIR: &str = "fixtures/policy/builtins";
const PACKAGE: &str = "aksplan.portable";

/// The `test_*` rules of the fixture's test file.
fn test_names() -> Vec<String> {
    std::fs::read_to_string(root().join(DIR).join("portable_test.rego"))
        .unwrap()
        .lines()
        .filter_map(|l| l.strip_prefix("test_"))
        .map(|rest| {
            format!(
                "test_{}",
                rest.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .next()
                    .unwrap()
            )
        })
        .collect()
}

#[test]
fn the_builtin_fixtures_tests_pass_under_aksplan_test() {
    let output = run(&["test", DIR, "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stdout));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let passed: BTreeSet<String> = report["tests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["result"] == "pass")
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect();
    let expected: BTreeSet<String> = test_names().into_iter().collect();
    assert!(expected.len() >= 12, "{expected:?}");
    assert_eq!(passed, expected);
}

#[test]
fn the_builtin_fixtures_tests_pass_under_opa() {
    if !opa_ready("the_builtin_fixtures_tests_pass_under_opa") {
        return;
    }
    let value = opa_eval(&["-p", DIR, "data.aksplan.portable_test"]).unwrap();
    for name in test_names() {
        assert_eq!(
            value[&name],
            Value::Bool(true),
            "{name} fails under OPA: {value:#}"
        );
    }
}

#[test]
fn the_builtin_fixtures_results_are_opas_on_every_example() {
    if !opa_ready("the_builtin_fixtures_results_are_opas_on_every_example") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut compared = 0;
    for plan in super::policies::examples() {
        let input = dir.path().join("input.json");
        std::fs::write(&input, run(&["input", &plan]).stdout).unwrap();
        let opa = opa_eval(&[
            "-p",
            DIR,
            "--skip-tests",
            "-i",
            &input.to_string_lossy(),
            &format!("data.{PACKAGE}"),
        ])
        .unwrap();
        let mut theirs = BTreeSet::new();
        for (rule, value) in opa.as_object().unwrap() {
            if !rule.starts_with("warn") {
                continue;
            }
            for item in value.as_array().unwrap() {
                let msg = item
                    .as_str()
                    .map_or_else(|| item["msg"].as_str().unwrap().to_owned(), str::to_owned);
                theirs.insert((format!("{PACKAGE}.{rule}"), msg));
            }
        }
        let output = run(&[
            "check",
            &plan,
            "--policy",
            DIR,
            "--format",
            "json",
            "--fail-on",
            "never",
        ]);
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        let findings = report["findings"].as_array().unwrap();
        assert!(
            !findings.iter().any(|f| f["code"] == "AKS300"),
            "{plan}: {findings:#?}"
        );
        let ours: BTreeSet<(String, String)> = findings
            .iter()
            .filter(|f| f["code"].as_str().unwrap().starts_with(PACKAGE))
            .map(|f| {
                (
                    f["code"].as_str().unwrap().to_owned(),
                    f["message"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert_eq!(ours, theirs, "{plan}");
        compared += ours.len();
    }
    assert!(compared >= 6, "the examples should give results, got {compared}");
}

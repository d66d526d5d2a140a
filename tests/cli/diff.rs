//! `aksplan diff`: snapshots of the human and JSON output on two small plans
//! (`fixtures/diff/`: target 1.36 → 1.37, a waiver added, the window moved), same-vs-same,
//! an execution plan against its plan, and exit code 2 when a side cannot be read.

use super::*;

const OLD: &str = "fixtures/diff/old.yaml";
const NEW: &str = "fixtures/diff/new.yaml";

#[test]
fn diff_human_and_json_snapshots() {
    let output = run(&["diff", OLD, NEW]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    insta::assert_snapshot!("human", text(&output.stdout));
    let output = run(&["diff", OLD, NEW, "--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let json = text(&output.stdout);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["same"], false);
    insta::assert_snapshot!("json", json);
}

#[test]
fn diff_same_plan_is_exit_0() {
    let output = run(&["diff", OLD, OLD]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    insta::assert_snapshot!("same", text(&output.stdout));
    let output = run(&["diff", OLD, OLD, "--format", "json"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(text(&output.stdout).contains("\"same\": true"));
}

#[test]
fn diff_reads_execution_plans() {
    let dir = tempfile::tempdir().unwrap();
    let emitted = dir.path().join("old.json");
    let output = run(&["emit", OLD, "--format", "json", "-o", emitted.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let output = run(&["diff", emitted.to_str().unwrap(), OLD]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stdout));
    let output = run(&["diff", emitted.to_str().unwrap(), NEW]);
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stdout).contains("  ~ plan target: 1.36 -> 1.37\n"));
}

#[test]
fn diff_cannot_run_is_exit_2() {
    let output = run(&["diff", "fixtures/diff/no-such-plan.yaml", NEW]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    assert!(text(&output.stderr).contains("no-such-plan.yaml"));
}

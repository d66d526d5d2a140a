//! Waivers: an active one accepts its findings (still reported, as waived, in every format); an
//! expired one is an error and waives nothing; one that matches nothing is a warning.

use super::*;

fn with_waiver(replace: &[(&str, &str)]) -> (tempfile::TempDir, String) {
    let mut text = std::fs::read_to_string(root().join("fixtures/plans/waivers/base.yaml")).unwrap();
    for (from, to) in replace {
        assert!(text.contains(from), "{from}");
        text = text.replace(from, to);
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.yaml");
    std::fs::write(&path, text).unwrap();
    let path = path.to_string_lossy().into_owned();
    (dir, path)
}

fn json(path: &str) -> (Option<i32>, serde_json::Value) {
    let output = run(&["check", "--format", "json", path]);
    (
        output.status.code(),
        serde_json::from_slice(&output.stdout).unwrap(),
    )
}

#[test]
fn an_active_waiver_accepts_its_finding_and_says_so() {
    let (exit, report) = json("fixtures/plans/waivers/base.yaml");
    assert_eq!(exit, Some(0), "{report:#}");
    let waived: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "AKS112")
        .collect();
    assert_eq!(waived.len(), 1);
    assert_eq!(waived[0]["waived"]["ticket"], "CHG-4700");
    assert_eq!(waived[0]["waived"]["approvedBy"], "cab@contoso.example");
    assert_eq!(report["summary"]["waived"].as_u64().unwrap(), 1);
    let human = run(&["check", "fixtures/plans/waivers/base.yaml"]);
    let stderr = text(&human.stderr);
    assert!(
        stderr.contains("waived by CHG-4700 (approved by cab@contoso.example, until 2027-01-31)"),
        "{stderr}"
    );
    // The header says "waived" and keeps the message on its first line; who, until when and why
    // follow in the help (issue 19).
    let header = stderr
        .lines()
        .find(|l| l.contains("(waived):"))
        .expect("a waived header");
    assert!(!header.contains("CHG-4700"), "{header}");
    assert!(stderr.contains("help: waived by CHG-4700"), "{stderr}");
    assert!(stderr.contains("accepted: 0 errors"), "{stderr}");
    // SARIF marks it suppressed; GitHub shows it as a notice, not an error; JUnit does not fail.
    let sarif: serde_json::Value = serde_json::from_slice(
        &run(&["check", "--format", "sarif", "fixtures/plans/waivers/base.yaml"]).stdout,
    )
    .unwrap();
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "AKS112")
        .unwrap()
        .clone();
    assert_eq!(result["suppressions"][0]["kind"], "external");
    let github = text(&run(&["check", "--format", "github", "fixtures/plans/waivers/base.yaml"]).stdout);
    assert!(
        github
            .lines()
            .any(|l| l.starts_with("::notice") && l.contains("AKS112") && l.contains("waived")),
        "{github}"
    );
    assert!(!github.lines().any(|l| l.starts_with("::error")), "{github}");
    let junit = text(&run(&["check", "--format", "junit", "fixtures/plans/waivers/base.yaml"]).stdout);
    assert!(!junit.contains("<failure"), "{junit}");
}

#[test]
fn a_waiver_for_another_pool_does_not_apply() {
    let (_dir, path) = with_waiver(&[("nodePools/legacy", "nodePools/system")]);
    let (exit, report) = json(&path);
    assert_eq!(exit, Some(1));
    let codes: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"AKS112") && codes.contains(&"AKS029"),
        "{codes:?}"
    );
}

#[test]
fn an_expired_waiver_is_an_error_and_waives_nothing() {
    let (_dir, path) = with_waiver(&[("expires: 2027-01-31", "expires: 2026-11-15")]);
    let (exit, report) = json(&path);
    assert_eq!(exit, Some(1));
    let findings = report["findings"].as_array().unwrap();
    let expired = findings.iter().find(|f| f["code"] == "AKS028").unwrap();
    assert_eq!(expired["severity"], "error");
    assert_eq!(expired["line"], 22, "on the `expires` line");
    assert!(
        findings
            .iter()
            .any(|f| f["code"] == "AKS112" && f.get("waived").is_none())
    );
}

#[test]
fn a_waiver_that_matches_nothing_is_a_warning() {
    let (_dir, path) = with_waiver(&[("rule: AKS112", "rule: AKS121")]);
    let (exit, report) = json(&path);
    assert_eq!(exit, Some(1), "the AKS112 error is no longer waived");
    let unused = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "AKS029")
        .unwrap()
        .clone();
    assert_eq!(unused["severity"], "warning");
    assert_eq!(unused["line"], 17);
}

//! The exit-code contract and the small commands.

use super::*;

#[test]
fn missing_file_is_exit_2() {
    let output = run(&["check", "no/such/plan.yaml"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("AKS901"));
}

#[test]
fn unknown_extension_is_exit_2() {
    let output = run(&["check", "README.md"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("AKS902"));
}

#[test]
fn bad_usage_is_exit_2() {
    assert_eq!(run(&["chek"]).status.code(), Some(2));
    assert_eq!(run(&["check"]).status.code(), Some(2));
    assert_eq!(
        run(&["check", "--format", "xml", "examples/single-cluster.yaml"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn stdin_is_read_with_dash() {
    let plan = std::fs::read(root().join("examples/single-cluster.yaml")).unwrap();
    let output = aksplan().args(["check", "-"]).write_stdin(plan).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let toml = std::fs::read(root().join("examples/single-cluster.toml")).unwrap();
    let output = aksplan()
        .args(["check", "--input-format", "toml", "-"])
        .write_stdin(toml)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
}

#[test]
fn json_output_has_locations_and_pointers() {
    let output = run(&[
        "check",
        "--format",
        "json",
        "fixtures/plans/invalid/AKS014-unquoted-target.yaml",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let finding = &report["findings"][0];
    assert_eq!(finding["code"], "AKS014");
    assert_eq!(finding["severity"], "error");
    assert!(finding["line"].as_u64().unwrap() > 0 && finding["column"].as_u64().unwrap() > 0);
    assert_eq!(finding["pointer"], "/spec/target/kubernetesVersion");
    assert_eq!(report["summary"]["accepted"], false);
}

#[test]
fn human_output_has_no_colour_under_no_color() {
    let output = run(&["check", "fixtures/plans/invalid/AKS014-unquoted-target.yaml"]);
    assert!(!text(&output.stderr).contains('\u{1b}'));
}

#[test]
fn explain_prints_every_code() {
    let all = aksplan_rules::registry::all_codes();
    assert!(
        all.iter().any(|c| c.id() == "AKS112"),
        "rule codes are explained too"
    );
    for code in &all {
        let output = run(&["explain", code.id()]);
        assert_eq!(output.status.code(), Some(0));
        assert!(text(&output.stdout).contains("## Why"));
    }
    assert_eq!(run(&["explain", "AKS999"]).status.code(), Some(2));
}

#[test]
fn schema_command_prints_the_checked_in_schema() {
    let output = run(&["schema"]);
    let checked_in = std::fs::read_to_string(root().join("schemas/plan.schema.json")).unwrap();
    assert_eq!(text(&output.stdout), checked_in);
}

#[test]
fn generated_schema_is_fresh() {
    let checked_in = std::fs::read_to_string(root().join("schemas/plan.schema.json")).unwrap();
    assert_eq!(
        checked_in,
        aksplan_model::schema::plan_schema_text(),
        "schemas/plan.schema.json is stale: run `cargo xtask codegen`"
    );
}

#[test]
fn manifests_folder_problems() {
    let plan = "fixtures/plans/rules/pass/AKS171-migrated.yaml";
    let output = run(&[
        "check",
        plan,
        "--as-of",
        "2025-05-01",
        "--manifests",
        "no/such/folder",
    ]);
    assert_eq!(
        output.status.code(),
        Some(2),
        "an unreadable --manifests path is a usage error"
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("broken.yaml"),
        "apiVersion: v1\nkind: [unclosed\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("old.yml"),
        "apiVersion: flowcontrol.apiserver.k8s.io/v1beta3\nkind: FlowSchema\nmetadata: {name: x}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("notes.txt"),
        "apiVersion: flowcontrol.apiserver.k8s.io/v1beta3\nkind: FlowSchema\n",
    )
    .unwrap();
    let output = run(&[
        "check",
        "--format",
        "json",
        plan,
        "--as-of",
        "2025-05-01",
        "--manifests",
        dir.path().to_str().unwrap(),
    ]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let codes: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    // The broken manifest is reported where it breaks; the valid one is still checked; the
    // `.txt` file is not a manifest.
    assert!(codes.contains(&"AKS001"), "{codes:?}");
    assert_eq!(codes.iter().filter(|c| **c == "AKS171").count(), 1, "{codes:?}");
}

//! Every invalid fixture: its code, its location (in the snapshot), never a panic.

use super::*;

#[test]
fn invalid_plans_report_their_code_at_their_line() {
    let dir = root().join("fixtures/plans/invalid");
    let mut count = 0;
    insta::glob!("../../fixtures/plans/invalid", "*.*", |path| {
        count += 1;
        let name = relative(path);
        let file_name = path.file_name().unwrap().to_string_lossy().into_owned();
        let expected_code = file_name.split('-').next().unwrap().to_owned();
        let output = run(&["check", &name]);
        let code = output.status.code();
        assert!(
            matches!(code, Some(1 | 2)),
            "{name}: exit {code:?}\n{}",
            text(&output.stderr)
        );
        let stderr = text(&output.stderr);
        assert!(
            stderr.contains(&expected_code),
            "{name}: expected {expected_code} in\n{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{name} panicked:\n{stderr}");
        insta::assert_snapshot!(format!("exit: {}\n{}", code.unwrap_or(-1), stderr));
        let json = run(&["check", "--format", "json", &name]);
        assert_eq!(
            json.status.code(),
            code,
            "{name}: the exit code must not depend on the format"
        );
        let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
        assert!(
            report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["code"] == expected_code.as_str())
        );
    });
    assert!(count >= 40, "only {count} invalid fixtures in {}", dir.display());
}

#[test]
fn a_twenty_megabyte_plan_is_refused_quickly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.yaml");
    let line = "# padding padding padding padding padding padding padding padding padding padding\n";
    std::fs::write(&path, line.repeat(20 * 1024 * 1024 / line.len() + 1)).unwrap();
    let output = run(&["check", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("AKS002") && stderr.contains("16 MiB"), "{stderr}");
}

#[test]
fn a_twenty_megabyte_plan_on_stdin_is_refused_too() {
    let line = "# padding padding padding padding padding padding padding padding padding padding\n";
    let input = line.repeat(20 * 1024 * 1024 / line.len() + 1);
    let output = aksplan()
        .args(["check", "-"])
        .write_stdin(input)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stderr).contains("AKS002"));
}

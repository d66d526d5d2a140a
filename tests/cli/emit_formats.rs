//! `aksplan emit`: golden snapshots of every format (`az`, `json`, `fleet`, `markdown`,
//! `mermaid`, `dot`) for every example plan (`examples/*.yaml`), each emitted twice to show the
//! output is deterministic (identical bytes), and `-o` writing the same bytes as standard output.

use super::*;

const FORMATS: [&str; 6] = ["az", "json", "fleet", "markdown", "mermaid", "dot"];

/// The example plans: `examples/*.yaml`, sorted.
fn examples() -> Vec<PathBuf> {
    let mut plans: Vec<PathBuf> = std::fs::read_dir(root().join("examples"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().and_then(|e| e.to_str()) == Some("yaml"))
        .collect();
    plans.sort();
    assert!(!plans.is_empty(), "no example plans found");
    plans
}

fn emit(plan: &str, format: &str) -> Vec<u8> {
    let output = run(&["emit", plan, "--format", format]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "emit {plan} --format {format}:\n{}",
        text(&output.stderr)
    );
    output.stdout
}

/// Every example in one format: twice (identical bytes), then against the golden snapshot.
fn check_format(format: &str) {
    for path in examples() {
        let plan = relative(&path);
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let first = emit(&plan, format);
        let second = emit(&plan, format);
        assert!(
            first == second,
            "emit {plan} --format {format} is not deterministic"
        );
        insta::assert_snapshot!(format!("{format}_{stem}"), text(&first));
    }
}

#[test]
fn az() {
    check_format("az");
}

#[test]
fn json() {
    check_format("json");
}

#[test]
fn fleet() {
    check_format("fleet");
}

#[test]
fn markdown() {
    check_format("markdown");
}

#[test]
fn mermaid() {
    check_format("mermaid");
}

#[test]
fn dot() {
    check_format("dot");
}

#[test]
fn every_format_is_covered() {
    let help = text(&run(&["emit", "--help"]).stdout);
    for format in FORMATS {
        assert!(
            help.contains(format),
            "`{format}` missing from emit --help:\n{help}"
        );
    }
}

#[test]
fn markdown_to_a_file_matches_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("review.md");
    let plan = "examples/fleet-three-stages.yaml";
    let output = run(&["emit", plan, "--format", "markdown", "-o", out.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(output.stdout.is_empty());
    assert_eq!(std::fs::read(&out).unwrap(), emit(plan, "markdown"));
}

//! Every built-in rule has failing fixtures (`fixtures/plans/rules/<CODE>-<what>.yaml`: the code
//! is reported, at the line shown in the snapshot) and passing ones
//! (`fixtures/plans/rules/pass/<CODE>-<what>.yaml`: the code is not reported). A fixture's first
//! line may be `# args: ...` with extra `aksplan check` arguments (paths relative to the repo).

use super::*;

fn args_of(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .next()
        .and_then(|line| line.strip_prefix("# args:"))
        .map(|args| args.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default()
}

fn check_json(path: &Path) -> (Option<i32>, serde_json::Value) {
    let name = relative(path);
    let mut args = vec!["check".to_owned(), "--format".to_owned(), "json".to_owned(), name];
    args.extend(args_of(path));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = run(&args);
    (
        output.status.code(),
        serde_json::from_slice(&output.stdout).unwrap(),
    )
}

fn code_of(path: &Path) -> String {
    path.file_name()
        .unwrap()
        .to_string_lossy()
        .split('-')
        .next()
        .unwrap()
        .to_owned()
}

#[test]
fn failing_rule_fixtures_report_their_code() {
    insta::glob!("../../fixtures/plans/rules", "*.yaml", |path| {
        let code = code_of(path);
        let (exit, report) = check_json(path);
        let hits: Vec<&serde_json::Value> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == code.as_str())
            .collect();
        assert!(
            !hits.is_empty(),
            "{}: {code} not reported: {report:#}",
            path.display()
        );
        let error = hits.iter().any(|f| f["severity"] == "error");
        let any_error = report["summary"]["errors"].as_u64().unwrap() > 0;
        assert_eq!(exit, Some(if any_error { 1 } else { 0 }), "{}", path.display());
        if error {
            assert_eq!(exit, Some(1));
        }
        let mut args = vec!["check".to_owned(), relative(path)];
        args.extend(args_of(path));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let human = run(&args);
        insta::assert_snapshot!(format!(
            "exit: {}\n{}",
            human.status.code().unwrap_or(-1),
            text(&human.stderr)
        ));
    });
}

#[test]
fn passing_rule_fixtures_do_not_report_their_code() {
    insta::glob!("../../fixtures/plans/rules/pass", "*.yaml", |path| {
        let code = code_of(path);
        let (_, report) = check_json(path);
        let hits: Vec<&serde_json::Value> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == code.as_str())
            .collect();
        assert!(hits.is_empty(), "{}: {code} reported: {hits:#?}", path.display());
    });
}

#[test]
fn every_rule_has_a_failing_and_a_passing_fixture() {
    let list = |dir: &str| -> Vec<String> {
        std::fs::read_dir(root().join(dir))
            .unwrap()
            .filter_map(|e| {
                let path = e.unwrap().path();
                path.is_file().then(|| code_of(&path))
            })
            .collect()
    };
    let failing = list("fixtures/plans/rules");
    let passing = list("fixtures/plans/rules/pass");
    for code in aksplan_rules::registry::check_codes() {
        // The compiler's codes are exercised by the compile and schedule fixtures (AKS200, the
        // verifier, only by a corrupted graph: crates/aksplan-graph/tests/compile.rs).
        if code.category() != aksplan_model::codes::Category::Rule
            || aksplan_rules::registry::COMPILER.contains(&code)
        {
            continue;
        }
        assert!(
            failing.iter().any(|c| c == code.id()),
            "{} has no failing fixture",
            code.id()
        );
        assert!(
            passing.iter().any(|c| c == code.id()),
            "{} has no passing fixture",
            code.id()
        );
    }
}

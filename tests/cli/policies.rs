//! Rego policies: the starter pack (`policies/aksplan/`) on the examples, its parity with the
//! reference OPA engine, the input document's schema, `--policy builtin`, and what happens when
//! a policy is broken (syntax error, too slow, endless recursion).
//!
//! The OPA tests run `../shared/tools/opa-eval` (beside the repository), which fetches the OPA
//! bindings once. When it cannot run at all they fail, unless `AKSPLAN_SKIP_OPA=1` says to skip.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use serde_json::Value;

use super::*;

const PACK: &str = "policies/aksplan";
const PREVIEW_CATALOG: &str = "fixtures/az/get-versions-westus2-2024-07.json";

/// A policy result as both engines report it: code, message, severity, path.
type Result4 = (String, String, String, String);

/// The example plans (every `.yaml` and `.toml` in `examples/`).
pub(super) fn examples() -> Vec<String> {
    let mut plans: Vec<String> = std::fs::read_dir(root().join("examples"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "toml")))
        .map(|path| relative(&path))
        .collect();
    plans.sort();
    assert!(plans.len() >= 4, "{plans:?}");
    plans
}

/// The examples, and the fixtures that make every starter-pack policy fire, with their extra args.
fn cases() -> Vec<(String, Vec<&'static str>)> {
    let mut cases: Vec<(String, Vec<&'static str>)> =
        examples().into_iter().map(|p| (p, Vec::new())).collect();
    cases.push(("fixtures/policy/violations.yaml".into(), Vec::new()));
    cases.push((
        "fixtures/policy/preview-target.yaml".into(),
        vec!["--catalog", PREVIEW_CATALOG],
    ));
    cases
}

/// `aksplan input PLAN`.
fn input_document(plan: &str, extra: &[&str]) -> Value {
    let mut args = vec!["input", plan];
    args.extend_from_slice(extra);
    let output = run(&args);
    assert_eq!(output.status.code(), Some(0), "{plan}: {}", text(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

/// `aksplan check PLAN --format json` with the given args; the findings.
fn check_json(plan: &str, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["check", plan, "--format", "json", "--fail-on", "never"];
    all.extend_from_slice(args);
    let output = run(&all);
    let stderr = text(&output.stderr);
    assert!(!stderr.contains("panicked"), "{plan}: {stderr}");
    let report: Value =
        serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{plan}: {e}\n{stderr}"));
    report["findings"].as_array().unwrap().clone()
}

fn field(value: &Value, key: &str) -> String {
    value[key].as_str().unwrap_or_default().to_owned()
}

/// What aksplan reports for the starter pack on a plan.
fn aksplan_results(plan: &str, extra: &[&str]) -> BTreeSet<Result4> {
    let mut args = vec!["--policy", PACK];
    args.extend_from_slice(extra);
    let findings = check_json(plan, &args);
    let broken: Vec<&Value> = findings.iter().filter(|f| f["code"] == "AKS300").collect();
    assert!(broken.is_empty(), "{plan}: {broken:#?}");
    findings
        .iter()
        .filter(|f| field(f, "code").starts_with("POL"))
        .map(|f| {
            (
                field(f, "code"),
                field(f, "message"),
                field(f, "severity"),
                field(f, "pointer"),
            )
        })
        .collect()
}

/// The starter pack's policy files (not their tests), sorted.
fn pack_policies() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(PACK))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("rego"))
        .filter(|p| !p.to_string_lossy().ends_with("_test.rego"))
        .collect();
    files.sort();
    files
}

fn package_of(text: &str) -> String {
    text.lines()
        .find_map(|l| l.strip_prefix("package "))
        .unwrap()
        .trim()
        .to_owned()
}

/// `test_*` rules of a `_test.rego` file (rule heads start a line).
fn test_rules(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| l.starts_with("test_"))
        .map(|l| {
            l.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .next()
                .unwrap()
                .to_owned()
        })
        .collect()
}

#[test]
fn policies_starter_pack_has_ten_tested_policies_with_distinct_codes() {
    let files = pack_policies();
    assert!(files.len() >= 10, "{files:?}");
    let mut codes = BTreeSet::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let topic = file.file_stem().unwrap().to_string_lossy().into_owned();
        assert_eq!(package_of(&text), format!("aksplan.{topic}"), "{file:?}");
        assert!(text.contains("import rego.v1"), "{file:?}");
        assert!(
            text.contains("learn.microsoft.com"),
            "{file:?} should cite the AKS docs"
        );
        assert!(
            !text.contains("time.now_ns"),
            "{file:?}: use input.asOf, not the clock"
        );
        let file_codes: BTreeSet<&str> = text
            .match_indices("\"code\": \"")
            .map(|(at, m)| &text[at + m.len()..at + m.len() + 6])
            .collect();
        assert_eq!(file_codes.len(), 1, "{file:?}: {file_codes:?}");
        for code in file_codes {
            assert!(code.starts_with("POL"), "{file:?}: {code}");
            assert!(codes.insert(code.to_owned()), "{code} is used twice");
        }
        for key in ["\"msg\":", "\"help\":", "\"path\":"] {
            assert!(text.contains(key), "{file:?} lacks {key}");
        }
        let test = file.with_file_name(format!("{topic}_test.rego"));
        let test_text = std::fs::read_to_string(&test).unwrap_or_else(|_| panic!("{test:?} is missing"));
        assert_eq!(package_of(&test_text), format!("aksplan.{topic}"));
        assert!(test_rules(&test_text).len() >= 2, "{test:?}");
    }
}

#[test]
fn policies_starter_pack_gives_no_errors_on_the_examples() {
    for plan in examples() {
        let output = run(&["check", &plan, "--policy", "policies"]);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{plan}:\n{stderr}");
        let errors: Vec<Value> = check_json(&plan, &["--policy", "policies"])
            .into_iter()
            .filter(|f| f["severity"] == "error")
            .collect();
        assert!(errors.is_empty(), "{plan}: {errors:#?}");
    }
}

#[test]
fn policies_every_starter_pack_policy_fires_on_the_fixtures() {
    let mut fired = BTreeSet::new();
    for (plan, extra) in cases().into_iter().filter(|(p, _)| p.starts_with("fixtures/")) {
        fired.extend(aksplan_results(&plan, &extra).into_iter().map(|r| r.0));
    }
    let expected: BTreeSet<String> = (1..=10).map(|n| format!("POL{n:03}")).collect();
    assert_eq!(fired, expected);
}

#[test]
fn policies_input_documents_match_the_schema() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schemas/policy-input.schema.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    // Every property of a cluster and a pool says what it is.
    for def in ["cluster", "pool"] {
        let properties = schema["$defs"][def]["properties"].as_object().unwrap();
        assert!(properties.len() >= 10, "{def}");
        for (name, property) in properties {
            let description = property["description"].as_str().unwrap_or_default();
            assert!(description.len() > 10, "{def}.{name} has no description");
        }
    }
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut plans = cases();
    for dir in ["fixtures/plans/compile", "fixtures/plans/schedule"] {
        if let Ok(entries) = std::fs::read_dir(root().join(dir)) {
            plans.extend(entries.map(|e| (relative(&e.unwrap().path()), Vec::new())));
        }
    }
    let mut reads = BTreeSet::new();
    for (plan, extra) in plans {
        let document = input_document(&plan, &extra);
        let errors: Vec<String> = validator
            .iter_errors(&document)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{plan}: {errors:#?}");
        paths_of(&document, "input", &mut reads);
    }
    // And AKS302 never refuses a read of something a document has: a policy that reads every
    // path of every document above (items as `[_]`, keys that are not names as `[_]`, the plan
    // as written left out: it is open) is not refused.
    assert!(reads.len() > 300, "{}", reads.len());
    let mut policy = String::from("package all_reads\n\nimport rego.v1\n\n");
    for (i, path) in reads.iter().enumerate() {
        policy.push_str(&format!("deny_{i} contains \"x\" if {path} == \"-\"\n"));
    }
    let files = [aksplan_policy::PolicyFile {
        path: "every_read.rego".into(),
        text: policy,
    }];
    assert_eq!(aksplan_policy::misreads(&files), []);
}

/// The paths of `value` as Rego references from `at`, items and keys that are not names as `[_]`.
fn paths_of(value: &Value, at: &str, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                let named = key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    && key.starts_with(|c: char| c.is_ascii_alphabetic());
                let path = if named {
                    format!("{at}.{key}")
                } else {
                    format!("{at}[_]")
                };
                if path != "input.plan" {
                    out.insert(path.clone());
                    paths_of(item, &path, out);
                }
            }
        }
        Value::Array(items) => {
            let path = format!("{at}[_]");
            out.insert(path.clone());
            for item in items {
                paths_of(item, &path, out);
            }
        }
        _ => {}
    }
}

#[test]
fn policies_docs_list_the_starter_pack_and_their_rego_parses() {
    let doc = std::fs::read_to_string(root().join("docs/policies.md")).unwrap();
    for file in pack_policies() {
        let text = std::fs::read_to_string(&file).unwrap();
        let topic = file.file_stem().unwrap().to_string_lossy().into_owned();
        let at = text.find("\"code\": \"").unwrap() + 9;
        let code = &text[at..at + 6];
        let row = doc
            .lines()
            .find(|l| l.starts_with(&format!("| {code} |")))
            .unwrap_or_else(|| panic!("docs/policies.md has no row for {code}"));
        assert!(row.contains(&format!("`{topic}`")), "{row}");
    }
    // Every complete Rego example (one with a package) parses.
    let dir = tempfile::tempdir().unwrap();
    for (i, block) in doc.split("```rego\n").skip(1).enumerate() {
        let block = block.split("```").next().unwrap();
        if !block.trim_start().starts_with("package ") {
            continue;
        }
        let path = write_policy(dir.path(), &format!("doc{i}.rego"), block);
        let findings = check_json("examples/single-cluster.yaml", &["--policy", &path]);
        // It evaluates, and reads only what the input document has.
        let broken: Vec<&Value> = findings
            .iter()
            .filter(|f| f["code"] == "AKS300" || f["code"] == "AKS302")
            .collect();
        assert!(broken.is_empty(), "{block}\n{broken:#?}");
    }
}

// --- OPA parity ---------------------------------------------------------------------------------

fn opa_eval_path() -> PathBuf {
    root().join("../shared/tools/opa-eval")
}

/// Runs `opa-eval ARGS`; the value printed, or why it failed.
pub(super) fn opa_eval(args: &[&str]) -> std::result::Result<Value, String> {
    let output = std::process::Command::new(opa_eval_path())
        .args(args)
        .current_dir(root())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", opa_eval_path().display()))?;
    if !output.status.success() {
        return Err(format!(
            "{} {args:?} failed ({}):\n{}",
            opa_eval_path().display(),
            output.status,
            text(&output.stderr)
        ));
    }
    serde_json::from_slice(&output.stdout).map_err(|e| format!("opa-eval printed no JSON: {e}"))
}

/// Whether OPA can run here: fetched and working (checked once per test process). When it cannot,
/// the test fails, unless `AKSPLAN_SKIP_OPA=1` asks to skip it (and says so on stderr).
#[allow(clippy::print_stderr)]
pub(super) fn opa_ready(test: &str) -> bool {
    static READY: OnceLock<std::result::Result<(), String>> = OnceLock::new();
    let ready = READY.get_or_init(|| match opa_eval(&["1 + 1"]) {
        Ok(value) if value == 2 => Ok(()),
        Ok(value) => Err(format!("opa-eval answered {value} to `1 + 1`")),
        Err(err) => Err(err),
    });
    match ready {
        Ok(()) => true,
        Err(err) if std::env::var("AKSPLAN_SKIP_OPA").as_deref() == Ok("1") => {
            eprintln!("{test}: skipped, AKSPLAN_SKIP_OPA=1 and the reference OPA cannot run: {err}");
            false
        }
        Err(err) => panic!(
            "the reference OPA engine cannot run ({err}).\n\
             It needs ../shared/tools/opa-eval and, on first use, network access to PyPI (it caches \
             the bindings in ~/.cache/aksplan-tools/opa). Set AKSPLAN_SKIP_OPA=1 to skip the OPA tests."
        ),
    }
}

/// OPA's results of the starter pack's deny/warn/violation rules on an input document.
fn opa_results(input: &Path) -> BTreeSet<Result4> {
    let input = input.to_string_lossy();
    let packages = opa_eval(&["-p", PACK, "--skip-tests", "-i", &input, "data.aksplan"]).unwrap();
    let mut results = BTreeSet::new();
    for (package, rules) in packages.as_object().unwrap() {
        for (rule, value) in rules.as_object().unwrap() {
            let base = rule.split('_').next().unwrap();
            let severity = match base {
                "deny" | "violation" => "error",
                "warn" => "warning",
                _ => continue,
            };
            for item in value
                .as_array()
                .unwrap_or_else(|| panic!("{package}.{rule} is not a set"))
            {
                let item_severity = item["severity"].as_str().unwrap_or(severity);
                results.insert((
                    field(item, "code"),
                    field(item, "msg"),
                    item_severity.to_owned(),
                    field(item, "path"),
                ));
            }
        }
    }
    results
}

#[test]
fn policies_opa_parity_on_every_example() {
    if !opa_ready("policies_opa_parity_on_every_example") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut compared = 0;
    for (plan, extra) in cases() {
        let input = dir.path().join("input.json");
        std::fs::write(
            &input,
            serde_json::to_vec(&input_document(&plan, &extra)).unwrap(),
        )
        .unwrap();
        let opa = opa_results(&input);
        let ours = aksplan_results(&plan, &extra);
        let only_opa: Vec<&Result4> = opa.difference(&ours).collect();
        let only_ours: Vec<&Result4> = ours.difference(&opa).collect();
        assert!(
            only_opa.is_empty() && only_ours.is_empty(),
            "{plan}: regorus and OPA differ\nonly OPA: {only_opa:#?}\nonly aksplan: {only_ours:#?}"
        );
        compared += opa.len();
    }
    assert!(
        compared >= 20,
        "the fixtures should give many results, got {compared}"
    );
}

#[test]
fn policies_starter_pack_tests_pass_under_opa() {
    if !opa_ready("policies_starter_pack_tests_pass_under_opa") {
        return;
    }
    let packages = opa_eval(&["-p", PACK, "data.aksplan"]).unwrap();
    let mut count = 0;
    for file in pack_policies() {
        let test = file.with_file_name(format!(
            "{}_test.rego",
            file.file_stem().unwrap().to_string_lossy()
        ));
        let text = std::fs::read_to_string(&test).unwrap();
        let package = package_of(&text);
        let value = &packages[package.trim_start_matches("aksplan.")];
        for rule in test_rules(&text) {
            // A failing OPA test is undefined, so absent from the package's value.
            assert_eq!(
                value[&rule],
                Value::Bool(true),
                "data.{package}.{rule} fails under OPA"
            );
            count += 1;
        }
    }
    assert!(count >= 30, "{count} tests");
}

/// The same `test_*` rules under regorus: a generated policy denies each one that is not true.
#[test]
fn policies_starter_pack_tests_pass_under_regorus() {
    let mut runner = String::from("package aksplan_test_runner\n\nimport rego.v1\n\n");
    let mut count = 0;
    for file in pack_policies() {
        let test = file.with_file_name(format!(
            "{}_test.rego",
            file.file_stem().unwrap().to_string_lossy()
        ));
        let text = std::fs::read_to_string(&test).unwrap();
        let package = package_of(&text);
        for rule in test_rules(&text) {
            runner.push_str(&format!(
                "deny contains \"{package}.{rule}\" if not data.{package}.{rule}\n"
            ));
            runner.push_str(&format!(
                "warn contains \"{package}.{rule}\" if data.{package}.{rule}\n"
            ));
            count += 1;
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("runner.rego");
    std::fs::write(&path, runner).unwrap();
    let findings = check_json(
        "examples/single-cluster.yaml",
        &["--policy", PACK, "--policy", &path.to_string_lossy()],
    );
    let failed: Vec<String> = findings
        .iter()
        .filter(|f| f["code"] == "aksplan_test_runner.deny" || f["code"] == "AKS300")
        .map(|f| field(f, "message"))
        .collect();
    assert!(failed.is_empty(), "failing under regorus: {failed:#?}");
    let passed = findings
        .iter()
        .filter(|f| f["code"] == "aksplan_test_runner.warn")
        .count();
    assert_eq!(passed, count);
}

// --- The CLI around the policies ------------------------------------------------------------------

/// The human rendering of one finding: from its header to the blank line after it.
fn human_block(stderr: &str, code: &str) -> String {
    let start = stderr
        .find(&format!("[{code}]"))
        .unwrap_or_else(|| panic!("no {code} in:\n{stderr}"));
    let start = stderr[..start].rfind('\n').map_or(0, |i| i + 1);
    let end = stderr[start..]
        .find("\n\n")
        .map_or(stderr.len(), |i| start + i + 1);
    stderr[start..end].to_owned()
}

#[test]
fn policies_finding_lands_on_its_plan_line() {
    let plan = "examples/complete.yaml";
    let output = run(&["check", plan, "--policy", "policies/aksplan/max_surge.rego"]);
    assert_eq!(output.status.code(), Some(0));
    let block = human_block(&text(&output.stderr), "POL004");
    insta::assert_snapshot!("policy_finding_on_plan_line", block);
    // The line of the `win` pool's `maxSurge: 1`, found in the plan itself.
    let source = std::fs::read_to_string(root().join(plan)).unwrap();
    let win = source.find("- name: win").unwrap();
    let surge = win + source[win..].find("maxSurge:").unwrap();
    let line = source[..surge].matches('\n').count() + 1;
    let findings = check_json(plan, &["--policy", "policies/aksplan/max_surge.rego"]);
    let finding = findings.iter().find(|f| f["code"] == "POL004").unwrap();
    assert_eq!(finding["line"].as_u64(), Some(line as u64), "{finding:#}");
    assert_eq!(
        finding["pointer"],
        "/spec/clusters/2/current/nodePools/2/upgradeSettings/maxSurge"
    );
    assert!(block.contains(&format!("{plan}:{line}:")), "{block}");
}

#[test]
fn policies_builtin_pack_works_without_the_repository() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        root().join("fixtures/policy/violations.yaml"),
        dir.path().join("plan.yaml"),
    )
    .unwrap();
    let output = aksplan()
        .current_dir(dir.path())
        .args(["check", "plan.yaml", "--policy", "builtin", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let builtin: BTreeSet<(String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| field(f, "code").starts_with("POL"))
        .map(|f| (field(f, "code"), field(f, "message")))
        .collect();
    let from_disk: BTreeSet<(String, String)> = aksplan_results("fixtures/policy/violations.yaml", &[])
        .into_iter()
        .map(|r| (r.0, r.1))
        .collect();
    assert!(builtin.len() >= 10, "{builtin:#?}");
    assert_eq!(builtin, from_disk);
}

fn write_policy(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

/// `check` of the single-cluster example with one policy file `name` holding `policy`, which
/// stops the run (exit 2): the policy's path and the findings.
fn check_refused(name: &str, policy: &str) -> (String, Vec<Value>) {
    let dir = tempfile::tempdir().unwrap();
    let path = write_policy(dir.path(), name, policy);
    let output = run(&[
        "check",
        "examples/single-cluster.yaml",
        "--policy",
        &path,
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    (path, report["findings"].as_array().unwrap().clone())
}

#[test]
fn policies_syntax_error_is_aks300_at_the_policy_line() {
    let (path, findings) = check_refused(
        "bad.rego",
        "package team.bad\n\nimport rego.v1\n\ndeny contains msg if {\n\tsome c in input.clusters\n\tmsg := c.name ==\n}\n",
    );
    let finding = findings.iter().find(|f| f["code"] == "AKS300").unwrap();
    assert_eq!(finding["file"], path.as_str(), "{finding:#}");
    assert_eq!(finding["line"].as_u64(), Some(8), "{finding:#}");
    assert!(
        field(finding, "message").contains("does not parse"),
        "{finding:#}"
    );
}

/// A policy written for version 1 of the input document would never fire on version 2 (its
/// reads are undefined): it is refused before anything runs (AKS302, exit 2) at the line of each
/// read, and its rule that would fire reports nothing.
#[test]
fn policies_reading_input_that_is_never_there_are_refused_at_the_read() {
    let (path, findings) = check_refused(
        "v1.rego",
        "package team.v1\n\nimport rego.v1\n\ndeny_always contains \"always\" if true\n\ndeny contains id if {\n\tsome id, step in input.steps\n\tstep.before.controlPlane != step.after.controlPlane\n}\n\nwarn contains c.name if {\n\tsome c in input.cluster\n}\n",
    );
    let misreads: Vec<&Value> = findings.iter().filter(|f| f["code"] == "AKS302").collect();
    let lines: Vec<u64> = misreads.iter().filter_map(|f| f["line"].as_u64()).collect();
    // Both reads of line 9 (`before` and `after`), then line 13.
    assert_eq!(lines, [9, 9, 13], "{misreads:#?}");
    for finding in &misreads {
        assert_eq!(finding["file"], path.as_str(), "{finding:#}");
        assert_eq!(finding["severity"], "error", "{finding:#}");
    }
    assert!(field(misreads[0], "message").contains("policy rule `data.team.v1.deny`"));
    assert!(field(misreads[0], "message").contains("`input.steps[_].before` is an integer"));
    assert!(field(misreads[1], "message").contains("`input.steps[_].after` is an integer"));
    assert!(field(misreads[2], "message").contains("did you mean `clusters`?"));
    assert!(
        !findings.iter().any(|f| field(f, "message").contains("always")),
        "{findings:#?}"
    );
}

#[test]
fn policies_expensive_policy_stops_at_the_time_limit() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_policy(
        dir.path(),
        "slow.rego",
        "package team.slow\n\nimport rego.v1\n\ndeny contains x if {\n\tsome x in numbers.range(1, 100000000)\n\tx == -1\n}\n",
    );
    // The builtin is not interrupted by the VM's clock, so the parent's deadline stops it. With
    // the memory limit on, its 100-million-number array would hit that limit first
    // (tests/cli/policy_limits.rs); this test is about the deadline.
    let output = run_guarded(&[
        "check",
        "examples/single-cluster.yaml",
        "--policy",
        &path,
        "--policy-timeout",
        "500",
        "--policy-memory",
        "0",
    ]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("error[AKS300]"), "{stderr}");
    assert!(stderr.contains("ran past the time limit"), "{stderr}");
    assert!(stderr.contains("data.team.slow.deny"), "{stderr}");
}

#[test]
fn policies_recursive_function_is_aks300_naming_the_rule() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_policy(
        dir.path(),
        "recursive.rego",
        "package team.recursive\n\nimport rego.v1\n\nf(x) := f(x + 1)\n\ndeny contains \"loop\" if f(1)\n",
    );
    let output = run(&["check", "examples/single-cluster.yaml", "--policy", &path]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains("error[AKS300]"), "{stderr}");
    assert!(stderr.contains("`data.team.recursive.deny`"), "{stderr}");
}

/// The input document writes each step once (issue 20): clusters and pools list ids that key
/// into `steps`, each step's `before`/`after` index its cluster's `states` (each state written
/// once), its `placement` is the schedule's, and the plan copy leaves the current state to
/// `clusters`. Resolving the references gives back exactly the compiled plan's steps.
#[test]
fn policies_input_writes_each_step_once_and_resolves_to_the_compiled_steps() {
    for plan in examples() {
        let doc = input_document(&plan, &[]);
        assert_eq!(doc["apiVersion"], "aksplan.dev/policy-input/v2");
        let steps = doc["steps"].as_object().unwrap();
        let json_out = run(&["emit", &plan, "--format", "json"]);
        if json_out.status.code() != Some(0) {
            continue;
        }
        let compiled: Value = serde_json::from_slice(&json_out.stdout).unwrap();
        let compiled_steps = compiled["steps"].as_array().unwrap();
        assert_eq!(steps.len(), compiled_steps.len(), "{plan}");
        let mut listed = 0;
        for (name, cluster) in doc["clusters"].as_object().unwrap() {
            let states = cluster["states"].as_array().unwrap();
            for (i, a) in states.iter().enumerate() {
                assert!(
                    states[i + 1..].iter().all(|b| a != b),
                    "{plan}: state {i} of {name} twice"
                );
            }
            for id in cluster["steps"].as_array().unwrap() {
                let step = &steps[id.as_str().unwrap()];
                assert_eq!(step["cluster"], name.as_str());
                listed += 1;
            }
            for pool in cluster["pools"].as_object().unwrap().values() {
                for id in pool["steps"].as_array().unwrap() {
                    assert_eq!(steps[id.as_str().unwrap()]["pool"], pool["name"], "{plan}");
                }
            }
        }
        let clustered = steps.values().filter(|s| s.get("cluster").is_some()).count();
        assert_eq!(listed, clustered, "{plan}: every cluster step listed once");
        for spec in doc["plan"]["spec"]["clusters"].as_array().unwrap() {
            assert!(
                spec.get("current").is_none(),
                "{plan}: current copied into `plan`"
            );
        }
        // Each compiled step, its versions and placement resolved through the references.
        let unscheduled: Vec<&Value> = doc["schedule"]["unscheduled"]
            .as_array()
            .map(|u| u.iter().collect())
            .unwrap_or_default();
        for compiled_step in compiled_steps {
            let id = compiled_step["id"].as_str().unwrap();
            let step = &steps[id];
            assert_eq!(step["type"], compiled_step["type"], "{plan} {id}");
            assert_eq!(step["dependsOn"], compiled_step["dependsOn"], "{plan} {id}");
            for key in ["before", "after"] {
                let Some(state) = compiled_step.get(key) else {
                    assert!(step.get(key).is_none(), "{plan} {id} {key}");
                    continue;
                };
                let cluster = &doc["clusters"][step["cluster"].as_str().unwrap()];
                let index = step[key].as_u64().unwrap() as usize;
                assert_eq!(&cluster["states"][index], state, "{plan} {id} {key}");
            }
            if unscheduled.iter().any(|u| *u == id) {
                assert!(step["placement"].is_null(), "{plan} {id}");
            } else if !doc["schedule"].is_null() {
                assert!(step["placement"]["start"].is_string(), "{plan} {id}");
            }
        }
    }
}

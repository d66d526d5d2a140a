//! Policies fail closed: a runtime error in a policy (a failing builtin, conflicting values of a
//! complete rule, a type error) is AKS300 at the policy's line, naming the rule and the error, and
//! `check`, `plan` and `emit` exit with 2, never accepting the plan because the policy broke.
//! OPA reports the same three as errors on the same lines.

use super::*;

/// `(fixture, the rule, the line, words of regorus' message, OPA's error kind)`.
const CASES: &[(&str, &str, usize, &str, &str)] = &[
    (
        "builtin_error",
        "data.aksplan.errors.builtin_error.deny",
        8,
        "could not parse string as number",
        "eval_builtin_error",
    ),
    (
        "conflict",
        "data.aksplan.errors.conflict.deny",
        8,
        "rule conflicts with rule",
        "eval_conflict_error",
    ),
    (
        "type_error",
        "data.aksplan.errors.type_error.deny",
        7,
        "expects numeric argument",
        "eval_type_error",
    ),
];

fn policy(name: &str) -> String {
    format!("fixtures/policy/errors/{name}.rego")
}

/// `aksplan check PLAN --policy POLICY --format json`: the output and its AKS300 finding.
fn check_aks300(plan: &str, policy: &str) -> (std::process::Output, serde_json::Value) {
    let output = run(&["check", plan, "--policy", policy, "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "AKS300")
        .cloned()
        .unwrap_or_else(|| panic!("{policy}: no AKS300 in {report:#}"));
    (output, finding)
}

#[test]
fn a_policy_error_is_aks300_and_exit_2_in_check_plan_and_emit() {
    // An accepted plan: the only error can be the policy's.
    let plan = "examples/single-cluster.yaml";
    assert_eq!(run(&["check", plan, "--no-policy"]).status.code(), Some(0));
    for (name, rule, line, message, _) in CASES {
        let path = policy(name);
        for command in [&["check"][..], &["plan"], &["emit", "--format", "az"]] {
            let mut args = command.to_vec();
            args.extend([plan, "--policy", &path]);
            let output = run(&args);
            let command = command[0];
            let stderr = text(&output.stderr);
            assert_eq!(output.status.code(), Some(2), "{command} {name}:\n{stderr}");
            // (The message itself wraps at the terminal width; the JSON below holds it whole.)
            assert!(
                stderr.contains("error[AKS300]") && stderr.contains(rule),
                "{command} {name}:\n{stderr}"
            );
            assert!(
                stderr.contains(&format!("[{path}:{line}:")),
                "{command} {name}: not at line {line}:\n{stderr}"
            );
            assert!(
                stderr.contains("could not run: "),
                "{command} {name}: the summary is no verdict:\n{stderr}"
            );
            if command == "emit" {
                assert!(
                    output.stdout.is_empty(),
                    "emit wrote a script despite a broken policy"
                );
            }
        }
        // The machine formats say so too.
        let (output, finding) = check_aks300(plan, &path);
        let text = finding["message"].as_str().unwrap();
        assert!(text.contains(rule) && text.contains(message), "{finding:#}");
        assert_eq!(finding["file"], path.as_str(), "{finding:#}");
        assert_eq!(finding["line"], *line, "{finding:#}");
        assert_eq!(output.status.code(), Some(2));
    }
}

#[test]
fn opa_with_strict_builtin_errors_fails_on_the_same_policies() {
    if !super::policies::opa_ready("opa_with_strict_builtin_errors_fails_on_the_same_policies") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input.json");
    let output = run(&["input", "examples/single-cluster.yaml"]);
    std::fs::write(&input, &output.stdout).unwrap();
    for (name, rule, line, _, kind) in CASES {
        let path = policy(name);
        let input = input.to_string_lossy();
        let err = super::policies::opa_eval(&["-p", &path, "-i", &input, rule])
            .expect_err("OPA evaluates the broken policy without an error");
        assert!(
            err.contains(kind) && err.contains(&format!("{path}:{line}:")),
            "{name}: {err}"
        );
    }
}

#[test]
fn the_clock_and_randomness_are_refused_at_the_call() {
    let path = policy("clock");
    let (output, finding) = check_aks300("examples/single-cluster.yaml", &path);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    let message = finding["message"].as_str().unwrap();
    assert!(
        message.contains("`time.now_ns` is not available") && message.contains("input.asOf"),
        "{message}"
    );
    assert_eq!(finding["line"], 8, "{finding:#}");
    // In a test too: an error at the call, not a silent pass.
    let dir = tempfile::tempdir().unwrap();
    let test = dir.path().join("random_test.rego");
    std::fs::write(
        &test,
        "package r\n\nimport rego.v1\n\ntest_random if rand.intn(\"x\", 10) >= 0\n",
    )
    .unwrap();
    let output = run(&["test", &test.to_string_lossy()]);
    let stdout = text(&output.stdout);
    assert_ne!(output.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("`rand.intn` is not available"), "{stdout}");
}

//! The policy sandbox (issue 9, part 5): one policy per limit under `fixtures/policy/limits/`,
//! each stopped by exactly that limit. The finding is AKS300 naming the rule and the limit, its
//! help names the flag that raises it, and aksplan exits with 2 (not a panic's 101, not a signal).
//! Each limit is proven by its result, which names it; the hang guard only stops a run that
//! would otherwise never end.

use super::*;

/// `aksplan check --format json` of the single-cluster example with one policy of
/// `fixtures/policy/limits/`: the exit code, the AKS300 finding's message and help (empty when
/// there is none).
fn check_with_policy(policy: &str, extra: &[&str]) -> (Option<i32>, String, String) {
    let path = format!("fixtures/policy/limits/{policy}");
    let mut args = vec![
        "check",
        "--format",
        "json",
        "examples/single-cluster.yaml",
        "--policy",
        &path,
    ];
    args.extend_from_slice(extra);
    let output = run_guarded(&args);
    let stderr = text(&output.stderr);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|err| panic!("{err}: {}\n{stderr}", text(&output.stdout)));
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "AKS300")
        .cloned()
        .unwrap_or_default();
    let field = |key: &str| finding[key].as_str().unwrap_or_default().to_owned();
    (output.status.code(), field("message"), field("help"))
}

#[test]
fn a_policy_past_the_time_limit_is_stopped_by_the_clock() {
    let (code, message, help) = check_with_policy(
        "time.rego",
        &["--policy-timeout", "300", "--policy-instructions", "100000000000"],
    );
    assert_eq!(code, Some(2), "{message}");
    assert!(
        message.starts_with("policy rule `data.limits.time.deny` exceeded its limits: "),
        "{message}"
    );
    assert!(
        message.contains("time limit") && message.contains("limit=300ms"),
        "{message}"
    );
    assert!(!message.contains("instruction"), "{message}");
    assert!(help.starts_with("raise `--policy-timeout`"), "{help}");
}

#[test]
fn a_policy_past_the_instruction_limit_is_stopped_by_the_count() {
    let (code, message, help) = check_with_policy("instructions.rego", &["--policy-instructions", "100000"]);
    assert_eq!(code, Some(2), "{message}");
    assert!(
        message.starts_with("policy rule `data.limits.instructions.deny` exceeded its limits: "),
        "{message}"
    );
    assert!(message.contains("instruction limit of 100000"), "{message}");
    assert!(!message.contains("time limit"), "{message}");
    assert!(help.starts_with("raise `--policy-instructions`"), "{help}");
}

#[test]
fn a_policy_past_the_memory_limit_is_stopped_by_it() {
    let (code, message, help) = check_with_policy("memory.rego", &["--policy-memory", "256"]);
    assert_eq!(code, Some(2), "{message}");
    assert_eq!(
        message,
        "policy rule `data.limits.memory.deny` ran past the memory limit (256 MiB) and was stopped"
    );
    assert!(help.starts_with("raise `--policy-memory`"), "{help}");
}

#[test]
fn the_memory_limit_is_on_by_default() {
    // The array would take gigabytes: the default limit (1 GiB) stops it, without any flag.
    let (code, message, _) = check_with_policy("memory.rego", &[]);
    assert_eq!(code, Some(2), "{message}");
    assert_eq!(
        message,
        "policy rule `data.limits.memory.deny` ran past the memory limit (1024 MiB) and was stopped"
    );
}

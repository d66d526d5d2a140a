//! `aksplan plan`: the route of every example and compile fixture (snapshots of stdout and the
//! exit code; stderr too when the plan is refused, so the snapshot says why), and the JSON graph.

use super::*;

fn yaml_plans(dir: &str) -> Vec<String> {
    let mut plans: Vec<String> = std::fs::read_dir(root().join(dir))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().and_then(|e| e.to_str()) == Some("yaml"))
        .map(|path| relative(&path))
        .collect();
    plans.sort();
    plans
}

/// The route as an operator sees it.
fn route(plan: &str) -> String {
    let output = run(&["plan", plan]);
    let code = output.status.code().unwrap_or(-1);
    let stderr = text(&output.stderr);
    assert!(!stderr.contains("panicked"), "{plan} panicked:\n{stderr}");
    let mut shown = format!("exit: {code}\n{}", text(&output.stdout));
    if code != 0 {
        shown.push_str("--- stderr\n");
        shown.push_str(&stderr);
    }
    shown
}

fn snapshot_name(plan: &str) -> String {
    let stem = Path::new(plan).file_stem().unwrap().to_string_lossy();
    let dir = Path::new(plan)
        .parent()
        .unwrap()
        .file_name()
        .unwrap()
        .to_string_lossy();
    format!("{dir}_{stem}")
}

#[test]
fn plan_routes_of_the_examples() {
    let plans = yaml_plans("examples");
    assert!(plans.len() >= 4, "{plans:?}");
    for plan in plans {
        let shown = route(&plan);
        assert!(shown.starts_with("exit: 0\n"), "{plan}:\n{shown}");
        insta::assert_snapshot!(snapshot_name(&plan), shown);
    }
}

#[test]
fn plan_routes_of_the_compile_fixtures() {
    let plans = yaml_plans("fixtures/plans/compile");
    assert!(plans.len() >= 6, "{plans:?}");
    for plan in plans {
        insta::assert_snapshot!(snapshot_name(&plan), route(&plan));
    }
}

#[test]
fn plan_routes_of_the_schedule_fixtures() {
    for plan in [
        "fixtures/plans/schedule/does-not-fit.yaml",
        "fixtures/plans/schedule/end-of-support-miss.yaml",
    ] {
        if !root().join(plan).exists() {
            continue;
        }
        insta::assert_snapshot!(snapshot_name(plan), route(plan));
    }
}

#[test]
fn plan_minimal_and_lockstep_differ_only_in_when_pools_move() {
    let minimal = run(&["plan", "fixtures/plans/compile/minimal.yaml"]);
    let lockstep = run(&["plan", "fixtures/plans/compile/lockstep.yaml"]);
    assert_eq!(minimal.status.code(), Some(0));
    assert_eq!(lockstep.status.code(), Some(0));
    let pool_steps = |stdout: &[u8]| {
        let mut steps: Vec<String> = text(stdout)
            .lines()
            .filter_map(|line| line.split_whitespace().nth(1))
            .filter(|id| id.starts_with("aks-shop/pool/"))
            .map(str::to_owned)
            .collect();
        steps.sort();
        steps
    };
    // Without `nodepool get-upgrades` data every pool moves one minor per upgrade, so both
    // strategies reimage the same pools the same number of times.
    assert_eq!(pool_steps(&minimal.stdout), pool_steps(&lockstep.stdout));
}

#[test]
fn plan_json_is_a_graph_of_existing_steps() {
    let mut plans = yaml_plans("examples");
    plans.extend(yaml_plans("fixtures/plans/compile"));
    for plan in plans {
        let output = run(&["plan", "--format", "json", &plan]);
        if output.status.code() != Some(0) {
            // Refused plans print no graph (their route snapshot shows why).
            assert!(output.stdout.is_empty(), "{plan}");
            continue;
        }
        let graph: serde_json::Value = serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|err| panic!("{plan}: {err}\n{}", text(&output.stdout)));
        assert!(
            graph["apiVersion"].as_str().is_some_and(|v| !v.is_empty()),
            "{plan}"
        );
        let steps = graph["steps"].as_array().unwrap();
        assert!(!steps.is_empty(), "{plan}");
        let ids: Vec<&str> = steps.iter().map(|s| s["id"].as_str().unwrap()).collect();
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), ids.len(), "{plan}: duplicate step ids");
        for (idx, step) in steps.iter().enumerate() {
            for dep in step["dependsOn"].as_array().unwrap() {
                let dep = dep.as_str().unwrap();
                let at = ids.iter().position(|id| *id == dep);
                assert!(
                    at.is_some_and(|at| at < idx),
                    "{plan}: step `{}` depends on `{dep}`, which is not an earlier step",
                    ids[idx]
                );
            }
        }
    }
}

/// One analysis, one verdict, whichever command (issue 19): a step that fits no change window
/// (AKS210, a warning of the scheduler) is reported by `check` as by `plan`, and fails
/// `check --fail-on warning`.
#[test]
fn check_and_plan_give_one_verdict_on_scheduler_findings() {
    let fixture = "fixtures/plans/schedule/does-not-fit.yaml";
    let plan = run(&["plan", fixture]);
    assert!(text(&plan.stderr).contains("AKS210") || text(&plan.stdout).contains("AKS210"));
    let check = run(&["check", fixture, "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "AKS210"),
        "{report:#}"
    );
    let strict = run(&["check", fixture, "--fail-on", "warning"]);
    assert_eq!(strict.status.code(), Some(1), "{}", text(&strict.stderr));
}

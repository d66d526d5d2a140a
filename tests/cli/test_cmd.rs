//! `aksplan test`: the Rego unit-test runner, on the suites under `fixtures/policy-tests/`.

use super::*;

const PASSING: &str = "fixtures/policy-tests/passing";
const FAILING: &str = "fixtures/policy-tests/failing";
const LOW_COVERAGE: &str = "fixtures/policy-tests/low-coverage";

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", text(&output.stdout)))
}

fn last_line(output: &Output) -> String {
    text(&output.stdout).lines().last().unwrap_or_default().to_owned()
}

#[test]
fn a_passing_suite_exits_0() {
    let output = run(&["test", PASSING]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("PASS data.aksplan.windows_test.test_short_window_denied (fixtures/policy-tests/passing/windows_test.rego:5)\n"),
        "{stdout}"
    );
    assert_eq!(stdout.matches("PASS ").count(), 4, "{stdout}");
    assert_eq!(last_line(&output), "4 passed, 0 failed, 1 skipped");
    assert!(output.stderr.is_empty(), "{}", text(&output.stderr));
}

#[test]
fn a_failing_test_exits_1_with_its_location_and_value() {
    let output = run(&["test", FAILING]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    assert_eq!(last_line(&output), "1 passed, 2 failed, 0 skipped");
    insta::assert_snapshot!("failing_human", text(&output.stdout));
}

#[test]
fn coverage_below_the_threshold_exits_1() {
    let output = run(&["test", LOW_COVERAGE, "--threshold", "95"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    assert_eq!(last_line(&output), "1 passed, 0 failed, 0 skipped");
    insta::assert_snapshot!("low_coverage_threshold", text(&output.stdout));
    // The same suite meets a lower bar; `--coverage` alone never fails.
    assert_eq!(
        run(&["test", LOW_COVERAGE, "--threshold", "40"]).status.code(),
        Some(0)
    );
    assert_eq!(run(&["test", LOW_COVERAGE, "--coverage"]).status.code(), Some(0));
    let usage = run(&["test", LOW_COVERAGE, "--threshold", "120"]);
    assert_eq!(usage.status.code(), Some(2));
}

#[test]
fn test_files_are_left_out_of_coverage() {
    let output = run(&["test", PASSING, "--coverage", "--format", "json"]);
    let coverage = &json(&output)["coverage"];
    let paths: Vec<&str> = coverage["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["fixtures/policy-tests/passing/windows.rego"]);
    assert_eq!(coverage["percent"], 100.0);
}

#[test]
fn run_selects_tests_by_their_full_path() {
    let output = run(&["test", FAILING, "--run", r"windows_test\.test_short"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stdout));
    assert_eq!(last_line(&output), "1 passed, 0 failed, 0 skipped");
    let none = run(&["test", PASSING, "--run", "no_such_test"]);
    assert_eq!(none.status.code(), Some(0));
    assert_eq!(last_line(&none), "0 passed, 0 failed, 0 skipped");
    assert!(text(&none.stderr).contains("no `test_*` rules matching `--run`"));
    let bad = run(&["test", PASSING, "--run", "("]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("`--run`"), "{}", text(&bad.stderr));
}

#[test]
fn todo_rules_are_skipped() {
    let output = run(&["test", PASSING, "--format", "json"]);
    let document = json(&output);
    let todo = document["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "todo_holidays")
        .unwrap();
    assert_eq!(todo["result"], "skip");
    assert_eq!(document["summary"]["skipped"], 1);
    assert!(text(&output.stdout).contains("todo_holidays"));
    let human = text(&run(&["test", PASSING]).stdout);
    assert!(
        human.contains("SKIP data.aksplan.windows_test.todo_holidays (fixtures/policy-tests/passing/windows_test.rego:22)"),
        "{human}"
    );
}

#[test]
fn json_lists_tests_coverage_and_summary() {
    let output = run(&["test", FAILING, "--format", "json", "--coverage"]);
    assert_eq!(output.status.code(), Some(1));
    let document = json(&output);
    let keys: Vec<&String> = document.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["tests", "coverage", "summary"]);
    let tests = document["tests"].as_array().unwrap();
    assert_eq!(tests.len(), 3);
    assert_eq!(
        tests[1],
        serde_json::json!({
            "name": "test_three_hours_allowed",
            "package": "data.aksplan.windows_test",
            "file": "fixtures/policy-tests/failing/windows_test.rego",
            "line": 10,
            "result": "fail",
            "failedExpression": {
                "text": "count(data.aksplan.windows.deny) == 0 with input as {\"windows\": [{\"name\": \"b\", \"hours\": 3, \"day\": \"monday\"}]}",
                "line": 11,
                "column": 5,
                "operands": [
                    { "text": "count(data.aksplan.windows.deny)", "value": 1 },
                    { "text": "0", "value": 0 },
                ],
            },
        })
    );
    // Times only with --verbose: the default output is the same on every run.
    assert!(tests.iter().all(|t| t.get("micros").is_none()));
    let verbose = json(&run(&["test", FAILING, "--format", "json", "--verbose"]));
    assert!(verbose["tests"][0]["micros"].is_u64(), "{verbose:#}");
    assert_eq!(tests[2]["value"], 1, "a non-true value is reported");
    assert_eq!(
        document["summary"],
        serde_json::json!({"passed": 1, "failed": 2, "errors": 0, "skipped": 0})
    );
    let low = json(&run(&[
        "test",
        LOW_COVERAGE,
        "--format",
        "json",
        "--threshold",
        "95",
    ]));
    let file = &low["coverage"]["files"][0];
    assert_eq!(file["path"], "fixtures/policy-tests/low-coverage/pools.rego");
    assert!(
        file["covered"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!(7))
    );
    assert!(
        file["notCovered"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!(22))
    );
    assert_eq!(low["coverage"]["percent"], 40.0);
    assert_eq!(low["coverage"]["threshold"], 95.0);
    // Without `--coverage`, there is no coverage key.
    assert!(
        json(&run(&["test", PASSING, "--format", "json"]))
            .get("coverage")
            .is_none()
    );
}

#[test]
fn junit_has_a_suite_per_package_and_parses_strictly() {
    use quick_xml::events::Event;
    let output = run(&["test", FAILING, LOW_COVERAGE, "--format", "junit"]);
    assert_eq!(output.status.code(), Some(1));
    let xml = text(&output.stdout);
    let mut reader = quick_xml::Reader::from_str(&xml);
    reader.config_mut().check_end_names = true;
    let mut suites = Vec::new();
    let mut cases = Vec::new();
    let mut failures = Vec::new();
    let mut in_failure = false;
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => break,
            Ok(Event::Start(e) | Event::Empty(e)) => {
                let attr = |name: &str| {
                    e.try_get_attribute(name).unwrap().map(|a| {
                        a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .unwrap()
                            .into_owned()
                    })
                };
                match e.name().as_ref() {
                    "testsuite" => suites.push((
                        attr("name").unwrap(),
                        attr("tests").unwrap(),
                        attr("failures").unwrap(),
                    )),
                    "testcase" => cases.push((
                        attr("classname").unwrap(),
                        attr("name").unwrap(),
                        attr("line").unwrap(),
                    )),
                    "failure" => {
                        failures.push((attr("message").unwrap(), String::new()));
                        in_failure = true;
                    }
                    _ => {}
                }
            }
            Ok(Event::Text(t)) if in_failure => {
                failures.last_mut().unwrap().1.push_str(&t.xml10_content());
            }
            Ok(Event::End(e)) if e.name().as_ref() == "failure" => in_failure = false,
            Ok(_) => {}
            Err(err) => panic!("malformed JUnit at {}: {err}\n{xml}", reader.buffer_position()),
        }
    }
    assert_eq!(
        suites,
        [
            (
                "data.aksplan.windows_test".to_owned(),
                "3".to_owned(),
                "2".to_owned()
            ),
            (
                "data.aksplan.pools_test".to_owned(),
                "1".to_owned(),
                "0".to_owned()
            ),
        ]
    );
    assert_eq!(cases.len(), 4);
    assert_eq!(
        cases[1],
        (
            "data.aksplan.windows_test".to_owned(),
            "test_three_hours_allowed".to_owned(),
            "10".to_owned()
        )
    );
    assert_eq!(failures.len(), 2);
    assert!(
        failures[0]
            .0
            .starts_with("failed: `count(data.aksplan.windows.deny) == 0 with input as"),
        "{failures:?}"
    );
    assert!(
        failures[0].1.contains("count(data.aksplan.windows.deny) = 1"),
        "{failures:?}"
    );
    assert!(
        failures[0]
            .1
            .contains("fixtures/policy-tests/failing/windows_test.rego:10"),
        "{failures:?}"
    );
    assert_eq!(failures[1].0, "value: 1");
}

#[test]
fn a_syntax_error_exits_2_with_aks300_at_its_line() {
    let output = run(&["test", "fixtures/policy-tests/syntax-error"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("error[AKS300]"), "{stderr}");
    assert!(
        stderr.contains("fixtures/policy-tests/syntax-error/broken_test.rego:5:17"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn a_recursive_function_exits_2_with_aks300_not_a_crash() {
    for format in ["human", "json", "junit"] {
        let output = run(&["test", "fixtures/policy-tests/recursion", "--format", format]);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{format}: {}",
            text(&output.stderr)
        );
        let stderr = text(&output.stderr);
        assert!(stderr.contains("error[AKS300]"), "{stderr}");
        assert!(stderr.contains("data.aksplan.loop_test.test_loop"), "{stderr}");
        assert!(
            stderr.contains("fixtures/policy-tests/recursion/loop_test.rego:9:1"),
            "{stderr}"
        );
        assert!(
            !stderr.contains("overflowed"),
            "the child's panic stays hidden: {stderr}"
        );
    }
}

/// The time limit of `aksplan test` (`--policy-timeout`): the test fails with the limit named.
#[test]
fn a_test_past_the_time_limit_fails_with_the_limit_named() {
    let output = run_guarded(&[
        "test",
        "fixtures/policy-tests/limits/time_test.rego",
        "--policy-timeout",
        "300",
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let report = json(&output);
    let test = &report["tests"][0];
    assert_eq!(test["name"], "test_runs_for_hours", "{report}");
    assert_eq!(test["result"], "fail", "{report}");
    let error = test["error"].as_str().unwrap();
    assert!(
        error.contains("time limit") && error.contains("--policy-timeout"),
        "{error}"
    );
}

/// The memory limit of `aksplan test` (`--policy-memory`), on by default: AKS300 at the test,
/// exit 2, the flag that raises it in the help.
#[test]
fn a_test_past_the_memory_limit_is_stopped_by_it() {
    for (extra, limit) in [(&["--policy-memory", "256"][..], 256), (&[][..], 1024)] {
        let mut args = vec!["test", "fixtures/policy-tests/limits/memory_test.rego"];
        args.extend_from_slice(extra);
        let output = run_guarded(&args);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        // The report wraps long lines with a `│` gutter: compare the words.
        let flat = stderr
            .split_whitespace()
            .filter(|word| *word != "│")
            .collect::<Vec<_>>()
            .join(" ");
        assert!(flat.contains("error[AKS300]"), "{stderr}");
        assert!(
            flat.contains(&format!(
                "`data.limits.memory_test.test_allocates_gigabytes` exceeded its limits: ran past the memory limit ({limit} MiB) and was stopped"
            )),
            "{stderr}"
        );
        assert!(
            flat.contains("fixtures/policy-tests/limits/memory_test.rego:8:1"),
            "{stderr}"
        );
        assert!(flat.contains("help: raise `--policy-memory`"), "{stderr}");
    }
}

#[test]
fn an_unreadable_path_exits_2() {
    let output = run(&["test", "fixtures/policy-tests/no-such-folder"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("AKS901"),
        "{}",
        text(&output.stderr)
    );
}

/// The starter pack under `policies/` keeps its tests green and its coverage at 90% or more.
#[test]
fn the_starter_pack_passes_with_90_percent_coverage() {
    fn has_rego(dir: &Path) -> bool {
        std::fs::read_dir(dir).is_ok_and(|entries| {
            entries.filter_map(Result::ok).any(|e| {
                let path = e.path();
                path.extension().is_some_and(|x| x == "rego") || (path.is_dir() && has_rego(&path))
            })
        })
    }
    if !has_rego(&root().join("policies")) {
        eprintln!("no starter pack under policies/ yet; nothing to test");
        return;
    }
    let output = run(&["test", "policies", "--threshold", "90"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}\n{}",
        text(&output.stdout),
        text(&output.stderr)
    );
}

/// A call to a builtin the engine does not have is an error at its line (exit 2: the policy
/// cannot run here), not a failed assertion; the help names the list of builtins.
#[test]
fn a_builtin_the_engine_lacks_is_an_error_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("absent_test.rego");
    std::fs::write(
        &path,
        "package absent\n\nimport rego.v1\n\ntest_ok if true\n\ntest_cidr if net.cidr_intersects(\"10.0.0.0/8\", \"10.1.0.0/16\")\n",
    )
    .unwrap();
    let path = path.to_string_lossy().into_owned();
    let output = run(&["test", &path, "--verbose"]);
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(2), "{stdout}");
    assert!(stdout.contains("ERROR data.absent.test_cidr"), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "could not find function net.cidr_intersects at {path}:7:"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains("1 passed, 0 failed, 1 error, 0 skipped"),
        "{stdout}"
    );
    // --verbose: each test's time after its location.
    let passed = stdout.lines().find(|l| l.starts_with("PASS")).unwrap();
    assert!(passed.ends_with("s"), "{passed}");
    let report = json(&run(&["test", &path, "--format", "json"]));
    assert_eq!(report["tests"][1]["result"], "error", "{report:#}");
    assert_eq!(report["summary"]["errors"], 1);
}

//! Every findings format, on a plan with errors, warnings and notes; the exit-code contract under
//! `--fail-on`; SARIF validated against the official schema; JUnit parsed strictly.

use super::*;

const MIXED: &str = "fixtures/plans/report/mixed.yaml";

fn format(name: &str) -> Output {
    run(&["check", MIXED, "--format", name])
}

#[test]
fn snapshots_of_every_format() {
    for name in [
        "human",
        "json",
        "sarif",
        "junit",
        "github",
        "azure-devops",
        "markdown",
    ] {
        let output = format(name);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{name}: the exit code does not depend on the format"
        );
        let mut shown = if name == "human" {
            text(&output.stderr)
        } else {
            text(&output.stdout)
        };
        if name == "sarif" {
            // The rule table repeats every code's docs (checked by the schema test); snapshot the
            // results, which are what this plan produced.
            let sarif: serde_json::Value = serde_json::from_str(&shown).unwrap();
            shown = serde_json::to_string_pretty(&sarif["runs"][0]["results"]).unwrap();
        }
        insta::assert_snapshot!(format!("format_{}", name.replace('-', "_")), shown);
    }
}

#[test]
fn sarif_is_valid_sarif_2_1_0_with_one_rule_per_code() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schemas/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    // A plan with rule findings, one with load errors, one that is accepted.
    for plan in [
        MIXED,
        "fixtures/plans/invalid/AKS020-collects-every-model-error.yaml",
        "examples/single-cluster.yaml",
    ] {
        let output = run(&["check", plan, "--format", "sarif"]);
        let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&sarif)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{plan}: {errors:#?}");
        // Azure DevOps Advanced Security needs both (issue 19).
        assert_eq!(sarif["runs"][0]["automationDetails"]["id"], "aksplan/check/");
        assert!(
            sarif["runs"][0]["tool"]["driver"]["fullName"]
                .as_str()
                .unwrap()
                .starts_with("aksplan ")
        );
        let rules = sarif["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
        let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert!(ids.len() >= aksplan_rules::registry::check_codes().len());
        for result in sarif["runs"][0]["results"].as_array().unwrap() {
            let index = result["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[index]["id"], result["ruleId"]);
            if result["ruleId"].as_str().unwrap().starts_with("AKS") {
                assert!(
                    rules[index]["helpUri"]
                        .as_str()
                        .unwrap()
                        .contains("docs/rules.md#aks")
                );
            }
            let region = &result["locations"][0]["physicalLocation"]["region"];
            assert!(
                region["startLine"].as_u64().unwrap() >= 1 && region["startColumn"].as_u64().unwrap() >= 1
            );
        }
    }
}

#[test]
fn junit_is_well_formed_with_a_case_per_rule_and_cluster() {
    use quick_xml::events::Event;
    let output = format("junit");
    let xml = text(&output.stdout);
    let mut reader = quick_xml::Reader::from_str(&xml);
    reader.config_mut().check_end_names = true;
    let (mut cases, mut failures, mut suites) = (0, 0, 0);
    let mut names = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => break,
            Ok(Event::Start(e) | Event::Empty(e)) => match e.name().as_ref() {
                "testsuite" => suites += 1,
                "testcase" => {
                    cases += 1;
                    let name = e.try_get_attribute("name").unwrap().unwrap();
                    names.push(name.value.to_string());
                }
                "failure" => failures += 1,
                _ => {}
            },
            Ok(_) => {}
            Err(err) => panic!("malformed JUnit at {}: {err}\n{xml}", reader.buffer_position()),
        }
    }
    let rules = aksplan_rules::registry::check_codes()
        .iter()
        .filter(|c| c.category() == aksplan_model::codes::Category::Rule)
        .count();
    assert_eq!(suites, 1);
    assert!(cases >= 2 * rules, "two clusters × {rules} rules, got {cases}");
    assert!(names.iter().any(|n| n.starts_with("AKS112 aks-old")), "{names:?}");
    assert!(
        names.iter().any(|n| n.starts_with("AKS112 aks-ok")),
        "passing case for the clean cluster"
    );
    assert_eq!(
        failures, 3,
        "AKS121, AKS125 and AKS112 on aks-old; under the default --fail-on error the policy's TEAM-SUB warnings, the waived AKS120 and notes such as AKS113 do not fail"
    );
}

#[test]
fn github_annotations_carry_file_line_column_and_code() {
    let output = format("github");
    for line in text(&output.stdout).lines() {
        assert!(
            line.starts_with("::error file=")
                || line.starts_with("::warning file=")
                || line.starts_with("::notice file="),
            "{line}"
        );
        assert!(
            line.contains(",line=")
                && line.contains(",col=")
                && (line.contains(",title=AKS") || line.contains(",title=TEAM-")),
            "{line}"
        );
    }
}

#[test]
fn several_formats_at_once_and_files_written_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("out.sarif");
    let junit = dir.path().join("junit.xml");
    let output = run(&[
        "check",
        MIXED,
        "--format",
        &format!("sarif={}", sarif.display()),
        "--format",
        &format!("junit={}", junit.display()),
        "--format",
        "human",
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stderr).contains("error[AKS121]"));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["summary"]["errors"], 3);
    assert!(
        std::fs::read_to_string(&sarif)
            .unwrap()
            .contains("\"version\": \"2.1.0\"")
    );
    assert!(std::fs::read_to_string(&junit).unwrap().starts_with("<?xml"));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 2, "no temporary files left: {leftovers:?}");
    // Two formats on stdout cannot both be read: refused as a usage error.
    let output = run(&["check", MIXED, "--format", "json", "--format", "sarif"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn fail_on_decides_the_exit_code_in_every_format() {
    let warnings_only = "fixtures/plans/report/warnings-only.yaml";
    for name in [
        "human",
        "json",
        "sarif",
        "junit",
        "github",
        "azure-devops",
        "markdown",
    ] {
        assert_eq!(
            run(&["check", warnings_only, "--format", name]).status.code(),
            Some(0),
            "{name}"
        );
        assert_eq!(
            run(&["check", warnings_only, "--format", name, "--fail-on", "warning"])
                .status
                .code(),
            Some(1),
            "{name}"
        );
        assert_eq!(
            run(&["check", MIXED, "--format", name, "--fail-on", "never"])
                .status
                .code(),
            Some(0),
            "{name}"
        );
        assert_eq!(
            run(&["check", "no/such.yaml", "--format", name, "--fail-on", "never"])
                .status
                .code(),
            Some(2),
            "{name}"
        );
    }
}

#[test]
fn config_file_then_environment_then_flags() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    std::fs::write(
        dir.path().join("aksplan.toml"),
        "fail-on = \"warning\"\nformat = [\"json\"]\n",
    )
    .unwrap();
    let plan = dir.path().join("plan.yaml");
    std::fs::copy(root().join("fixtures/plans/report/warnings-only.yaml"), &plan).unwrap();
    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    let config = |envs: &[(&str, &str)], args: &[&str]| {
        let mut cmd = assert_cmd::Command::new(env!("CARGO_BIN_EXE_aksplan"));
        cmd.current_dir(&sub)
            .env_remove("AKSPLAN_FORMAT")
            .env_remove("AKSPLAN_FAIL_ON")
            .env_remove("AKSPLAN_CATALOG");
        for (k, v) in envs {
            cmd.env(k, v);
        }
        cmd.args(args).output().unwrap()
    };
    let shown = text(&config(&[], &["config"]).stdout);
    assert!(
        shown.contains("fail-on      warning") && shown.contains("aksplan.toml"),
        "{shown}"
    );
    let shown = text(&config(&[("AKSPLAN_FAIL_ON", "never")], &["config"]).stdout);
    assert!(
        shown.contains("fail-on      never    (environment variable AKSPLAN_FAIL_ON)"),
        "{shown}"
    );
    let shown = text(&config(&[("AKSPLAN_FAIL_ON", "never")], &["config", "--fail-on", "error"]).stdout);
    assert!(shown.contains("fail-on      error    (command line)"), "{shown}");
    // The file's `fail-on = "warning"` rejects a plan with warnings; the flag overrides it.
    let plan = plan.to_string_lossy().into_owned();
    assert_eq!(config(&[], &["check", &plan]).status.code(), Some(1));
    assert_eq!(
        config(&[], &["check", &plan, "--fail-on", "error"]).status.code(),
        Some(0)
    );
    // Policy folders from the file apply when no flag names any.
    std::fs::create_dir(dir.path().join("team-policies")).unwrap();
    std::fs::write(
        dir.path().join("team-policies/owner.rego"),
        "package team.owner\nimport rego.v1\ndeny contains {\"msg\": \"no owner\", \"code\": \"TEAM-OWNER\"} if not input.metadata.owner\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("aksplan.toml"), "policy = [\"team-policies\"]\n").unwrap();
    let shown = text(&config(&[], &["config"]).stdout);
    assert!(
        shown.contains("team-policies") && shown.contains("aksplan.toml"),
        "{shown}"
    );
    let output = config(&[], &["check", "--format", "json", &plan]);
    assert!(
        text(&output.stdout).contains("TEAM-OWNER"),
        "{}",
        text(&output.stdout)
    );
    let output = config(&[], &["check", "--format", "json", "--no-policy", &plan]);
    assert!(!text(&output.stdout).contains("TEAM-OWNER"));
    // A misspelt key is a usage error that names the key.
    std::fs::write(dir.path().join("aksplan.toml"), "fail_on = \"warning\"\n").unwrap();
    let output = config(&[], &["check", &plan]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("AKS905") && text(&output.stderr).contains("fail_on"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn version_completions_and_man_page() {
    let version = text(&run(&["--version"]).stdout);
    assert!(
        version.starts_with("aksplan 0.")
            && version.contains("commit ")
            && version.contains("catalog snapshot 20"),
        "{version}"
    );
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let output = run(&["completions", shell]);
        assert_eq!(output.status.code(), Some(0));
        let script = text(&output.stdout);
        assert!(script.contains("check"), "{shell}");
        // Only what a user types: no policy child, no man page; codes after `explain`, format
        // names (not file names) after `--format` (issue 19).
        assert!(!script.contains("__policy"), "{shell}");
        assert!(script.contains("AKS014"), "{shell}");
        assert!(script.contains("azure-devops"), "{shell}");
    }
    let bash = text(&run(&["completions", "bash"]).stdout);
    assert!(!bash.contains("aksplan,man)"), "{bash}");
    let explain = run(&["explain", "--list"]);
    assert!(
        text(&explain.stdout)
            .lines()
            .any(|l| l.starts_with("AKS126  error")),
        "{}",
        text(&explain.stdout)
    );
    let policy = run(&["explain", "TEAM-SUB"]);
    assert_eq!(policy.status.code(), Some(2));
    assert!(
        text(&policy.stderr).contains("a team's Rego policy reports it"),
        "{}",
        text(&policy.stderr)
    );
    assert!(!text(&policy.stderr).contains("docs/rules.md"));
    let help = text(&run(&["check", "--help"]).stdout);
    assert!(
        help.contains("concise:") && help.contains("azure-devops:"),
        "{help}"
    );
    let emit_help = text(&run(&["--help"]).stdout);
    assert!(
        emit_help.contains("`fleet` (Fleet Manager update runs)"),
        "{emit_help}"
    );
    let man = run(&["man"]);
    assert!(text(&man.stdout).starts_with(".ie \\n(.g .ds Aq"), "roff");
    let checked_in = std::fs::read_to_string(root().join("docs/man/aksplan.1")).unwrap();
    assert_eq!(
        text(&man.stdout),
        checked_in,
        "docs/man is stale: run `cargo xtask codegen`"
    );
}

/// Two plans that both name a cluster `aks-prod`: each JUnit suite holds its own file's failures
/// only (a cluster name does not tell the files apart).
#[test]
fn junit_attributes_findings_to_their_own_file() {
    let a = "fixtures/plans/rules/AKS112-four-minors-behind.yaml";
    let b = "fixtures/plans/rules/AKS120-platform-support.yaml";
    // --fail-on warning: the second plan has warnings only.
    let output = run(&["check", a, b, "--format", "junit", "--fail-on", "warning"]);
    let xml = text(&output.stdout);
    let suites: Vec<&str> = xml.split("<testsuite ").skip(1).collect();
    assert_eq!(suites.len(), 2, "{xml}");
    for (suite, own, other) in [(suites[0], a, b), (suites[1], b, a)] {
        assert!(suite.starts_with(&format!("name=\"{own}\"")), "{suite}");
        assert!(!suite.contains(other), "{own}'s suite mentions {other}:\n{suite}");
        assert!(
            suite.contains("<failure"),
            "{own} has failures of its own:\n{suite}"
        );
    }
}

/// Every unknown field is its own finding in every format, so CI shows all at once (the human
/// form used to carry the others as labels of the first, which machine formats dropped).
#[test]
fn every_unknown_field_is_its_own_record_in_machine_formats() {
    let plan = "fixtures/plans/invalid/AKS010-several-unknown-fields.yaml";
    let json: serde_json::Value =
        serde_json::from_slice(&run(&["check", plan, "--format", "json"]).stdout).unwrap();
    let fields: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "AKS010")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(fields.len(), 3, "{fields:#?}");
    let sarif: serde_json::Value =
        serde_json::from_slice(&run(&["check", plan, "--format", "sarif"]).stdout).unwrap();
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 3);
    let github = text(&run(&["check", plan, "--format", "github"]).stdout);
    assert_eq!(github.matches("::error ").count(), 3, "{github}");
}

/// A JUnit case fails exactly when its findings would reject the plan (`--fail-on`): an accepted
/// plan shows no failed test, a plan rejected for its warnings shows them.
#[test]
fn junit_failures_follow_fail_on() {
    let plan = "fixtures/plans/report/warnings-only.yaml";
    for (fail_on, exit, failures) in [("never", 0, 0), ("error", 0, 0), ("warning", 1, 2)] {
        let output = run(&["check", plan, "--format", "junit", "--fail-on", fail_on]);
        assert_eq!(output.status.code(), Some(exit), "--fail-on {fail_on}");
        let xml = text(&output.stdout);
        assert_eq!(
            xml.matches("<failure ").count(),
            failures,
            "--fail-on {fail_on}:\n{xml}"
        );
    }
}

/// `--format concise`: one line per finding, errors first; `--quiet` and `--min-severity` trim
/// the terminal output only, never the verdict or the machine formats (issue 19).
#[test]
fn concise_quiet_and_min_severity() {
    let plan = "fixtures/plans/report/mixed.yaml";
    let concise = run(&["check", plan, "--format", "concise"]);
    let stderr = text(&concise.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    let severities: Vec<&str> = lines
        .iter()
        .filter_map(|l| l.split(": ").nth(1))
        .filter_map(|rest| rest.split('[').next())
        .collect();
    assert!(
        lines[0].starts_with("fixtures/plans/report/mixed.yaml:7:32: error[AKS121] "),
        "{stderr}"
    );
    let first_warning = severities.iter().position(|s| *s == "warning").unwrap();
    let first_info = severities.iter().position(|s| *s == "info").unwrap();
    assert!(
        severities[..first_warning].iter().all(|s| *s == "error"),
        "{stderr}"
    );
    assert!(first_warning < first_info, "{stderr}");
    assert!(
        stderr.lines().last().unwrap().starts_with("rejected: 3 errors"),
        "{stderr}"
    );
    assert!(stderr.contains("warning[AKS120] (waived) "), "{stderr}");

    let quiet = text(&run(&["check", plan, "--format", "concise", "--quiet"]).stderr);
    assert!(!quiet.contains("info["), "{quiet}");
    assert!(quiet.contains("warning[TEAM-SUB]"), "{quiet}");
    let errors = run(&["check", plan, "--format", "concise", "--min-severity", "error"]);
    let errors_text = text(&errors.stderr);
    assert!(
        !errors_text.contains("warning[") && errors_text.contains("error[AKS112]"),
        "{errors_text}"
    );
    assert_eq!(errors.status.code(), Some(1));

    // Machine formats keep every finding.
    let json = run(&["check", plan, "--format", "json", "--quiet"]);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["severity"] == "info")
    );
    // Human output lists errors first too.
    let human = text(&run(&["check", plan]).stderr);
    let first_error = human.find("error[").unwrap();
    assert!(human.find("warning[").unwrap() > first_error && human.find("info[").unwrap() > first_error);
}

/// `--color auto` colours a terminal, but not a `TERM=dumb` one (issue 19). The terminal is a
/// pseudo-terminal from util-linux `script`, which CI machines have; the test says so when not.
#[test]
fn term_dumb_gets_no_colour() {
    let Ok(status) = std::process::Command::new("script").arg("--version").output() else {
        panic!("util-linux `script` is needed to give aksplan a terminal in this test");
    };
    assert!(status.status.success());
    let colours = |term: &str| {
        let out = std::process::Command::new("script")
            .args([
                "-qec",
                &format!(
                    "TERM={term} NO_COLOR= {} check fixtures/plans/report/mixed.yaml",
                    env!("CARGO_BIN_EXE_aksplan")
                ),
                "/dev/null",
            ])
            .current_dir(root())
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).contains('\x1b')
    };
    assert!(colours("xterm-256color"), "a terminal gets colour");
    assert!(!colours("dumb"), "TERM=dumb gets none");
}

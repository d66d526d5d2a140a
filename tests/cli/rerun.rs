//! The re-run test of the `az` script: a fake `az` (first on PATH) keeps the cluster's state in a
//! file; the script fails at step 3, is run again and skips the finished steps, and its drift
//! check stops on a state the plan did not expect before any upgrade.

use super::*;

const PLAN: &str = "examples/single-cluster.yaml";

/// A fake `az` over a state file (`CP=…`, `POOL_<name>=…`): answers the script's queries, waits
/// succeed at once, upgrades update the state and are logged to `$AZ_LOG` (one line each). An
/// upgrade whose arguments contain `$AZ_FAIL` fails.
const FAKE_AZ: &str = r#"#!/usr/bin/env bash
set -euo pipefail
# shellcheck disable=SC1090
source "$AZ_STATE"
save() { printf 'CP=%s\nPOOL_system=%s\nPOOL_apps=%s\n' "$CP" "$POOL_system" "$POOL_apps" >"$AZ_STATE"; }
flag() {
  local want=$1
  shift
  while (($#)); do
    if [[ $1 == "$want" ]]; then
      printf '%s\n' "$2"
      return
    fi
    shift
  done
}
# A minor alias would be resolved by AKS to its newest patch; the script should send exact ones.
exact() { if [[ $1 == *.*.* ]]; then printf '%s' "$1"; else printf '%s.2' "$1"; fi; }
fail_here() { [[ -n ${AZ_FAIL:-} && $args == *"$AZ_FAIL"* ]]; }
args="$*"
case "$args" in
  "account show"*) echo sub ;;
  "account set"*) ;;
  "aks show"*currentKubernetesVersion*) echo "$CP" ;;
  "aks show"*provisioningState*) echo Succeeded ;;
  "aks nodepool list"*)
    [[ $args =~ name==\'([A-Za-z0-9]+)\' ]] || exit 3
    var="POOL_${BASH_REMATCH[1]}"
    case "$args" in
      *currentOrchestratorVersion*) echo "${!var:-}" ;;
      *provisioningState*) echo Succeeded ;;
    esac
    ;;
  "aks wait"* | "aks nodepool wait"*) ;;
  # Every minor offers patches 1, 2 and 100 (LTS-only): the script must pick 2.
  "aks get-upgrades"* | "aks nodepool get-upgrades"*)
    for m in $(seq 20 45); do printf '1.%s.1\t1.%s.2\t1.%s.100\t' "$m" "$m" "$m"; done
    echo
    ;;
  "aks upgrade"*)
    printf '%s\n' "$args" >>"$AZ_LOG"
    if fail_here; then echo 'fake az: upgrade failed' >&2; exit 1; fi
    CP="$(exact "$(flag -k "$@")")"
    save
    ;;
  "aks nodepool upgrade"*)
    printf '%s\n' "$args" >>"$AZ_LOG"
    if fail_here; then echo 'fake az: upgrade failed' >&2; exit 1; fi
    declare "POOL_$(flag -n "$@")=$(exact "$(flag -k "$@")")"
    save
    ;;
  *) echo "fake az: unexpected: $args" >&2; exit 3 ;;
esac
"#;

struct Fake {
    dir: tempfile::TempDir,
}

impl Fake {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let output = run(&["emit", PLAN, "--format", "az"]);
        assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
        std::fs::write(dir.path().join("upgrade.sh"), &output.stdout).unwrap();
        let bin = dir.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        std::fs::write(bin.join("az"), FAKE_AZ).unwrap();
        let chmod = std::process::Command::new("chmod")
            .arg("+x")
            .arg(bin.join("az"))
            .status()
            .unwrap();
        assert!(chmod.success());
        std::fs::write(dir.path().join("az.log"), "").unwrap();
        Self { dir }
    }

    fn set_state(&self, cp: &str, system: &str, apps: &str) {
        std::fs::write(
            self.dir.path().join("state"),
            format!("CP={cp}\nPOOL_system={system}\nPOOL_apps={apps}\n"),
        )
        .unwrap();
    }

    fn state(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("state")).unwrap()
    }

    /// Takes the upgrade log written so far and empties it.
    fn take_log(&self) -> String {
        let path = self.dir.path().join("az.log");
        let log = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, "").unwrap();
        log
    }

    /// Runs the script: (exit code, stdout, stderr).
    fn run(&self, fail: Option<&str>) -> (Option<i32>, String, String) {
        let dir = self.dir.path();
        let mut cmd = std::process::Command::new("bash");
        cmd.arg(dir.join("upgrade.sh"))
            .current_dir(dir)
            .env(
                "PATH",
                format!(
                    "{}:{}",
                    dir.join("bin").display(),
                    std::env::var("PATH").unwrap_or_default()
                ),
            )
            .env("AZ_STATE", dir.join("state"))
            .env("AZ_LOG", dir.join("az.log"))
            .env("AKSPLAN_ASSUME_APPROVED", "1")
            .env_remove("AZ_FAIL");
        if let Some(fail) = fail {
            cmd.env("AZ_FAIL", fail);
        }
        let out = cmd.output().unwrap();
        (out.status.code(), text(&out.stdout), text(&out.stderr))
    }
}

#[test]
fn rerun_after_a_failure_skips_finished_steps_and_drift_stops_the_script() {
    let fake = Fake::new();
    fake.set_state("1.34.6", "1.34.6", "1.34.6");

    // First run: step 3 (pool system to 1.35) fails.
    let step3 =
        "nodepool upgrade --resource-group=rg-shop-prod-weu --cluster-name aks-shop-weu -n system -k 1.35.2";
    let (code, stdout, stderr) = fake.run(Some(step3));
    assert_ne!(code, Some(0), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("running step 1/6 aks-shop-weu/cp/1.35"),
        "{stdout}"
    );
    assert!(
        stdout.contains("running step 2/6 aks-shop-weu/cp/1.36"),
        "{stdout}"
    );
    assert!(
        stdout.contains("running step 3/6 aks-shop-weu/pool/system/1.35"),
        "{stdout}"
    );
    assert!(!stdout.contains("step 4/6"), "{stdout}");
    assert!(stderr.contains("fake az: upgrade failed"), "{stderr}");
    assert_eq!(fake.state(), "CP=1.36.2\nPOOL_system=1.34.6\nPOOL_apps=1.34.6\n");
    let log = fake.take_log();
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 3, "{log}");
    assert!(
        lines[0].starts_with("aks upgrade") && lines[0].contains("-k 1.35.2 "),
        "{log}"
    );
    assert!(
        lines[1].starts_with("aks upgrade") && lines[1].contains("-k 1.36.2 "),
        "{log}"
    );
    assert!(lines[2].contains(step3), "{log}");

    // Second run, the failure gone: steps 1-2 are skipped, the rest reach the target.
    let (code, stdout, stderr) = fake.run(None);
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("SKIPPED (already done): step 1/6"), "{stdout}");
    assert!(stdout.contains("SKIPPED (already done): step 2/6"), "{stdout}");
    for step in 3..=6 {
        assert!(stdout.contains(&format!("running step {step}/6")), "{stdout}");
    }
    assert!(stdout.ends_with("aksplan: done\n"), "{stdout}");
    let log = fake.take_log();
    assert!(!log.contains("aks upgrade"), "{log}");
    assert_eq!(log.lines().count(), 4, "{log}");
    // Every version sent is an exact patch read live (the catalog lists none of 1.35 and 1.36),
    // never a minor alias AKS would ignore for a pool, never an LTS-only patch.
    for line in log.lines() {
        assert!(
            line.contains("-k 1.35.2 ") || line.contains("-k 1.36.2 "),
            "{log}"
        );
    }
    assert_eq!(fake.state(), "CP=1.36.2\nPOOL_system=1.36.2\nPOOL_apps=1.36.2\n");

    // A state the plan did not expect: the drift check stops before any upgrade.
    fake.set_state("1.34.6", "1.34.2", "1.34.6");
    let (code, stdout, stderr) = fake.run(None);
    assert_eq!(code, Some(1), "{stdout}\n{stderr}");
    assert!(!stdout.contains("running step"), "{stdout}");
    assert!(
        stderr.contains(
            "drift: cluster aks-shop-weu pool system is not on the planned route \
             (1.34.6, 1.35., 1.36.): live 1.34.2"
        ),
        "{stderr}"
    );
    assert_eq!(fake.take_log(), "");
    assert_eq!(fake.state(), "CP=1.34.6\nPOOL_system=1.34.2\nPOOL_apps=1.34.6\n");
}

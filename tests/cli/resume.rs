//! Exact resumability of the `az` script (issue 15), against a stateful model of AKS
//! (`tests/cli/fake_aks.sh` behind a fake `az`, with a fake clock for `sleep` and `date`): a
//! transient failure is injected at every state-changing call, synchronous (the call fails) and
//! asynchronous (the call returns, the operation ends `Failed` half-way); each time the script
//! stops, and a re-run finishes the plan with nothing finished repeated, no soak slept twice and
//! the cluster exactly where the plan says.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::{Value, json};

use super::*;

/// A script of one plan with its model AKS, clock and journal in a temporary folder.
struct Model {
    dir: tempfile::TempDir,
    initial: Value,
}

/// What one run did.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    /// The state-changing calls, as `(argv, outcome)`.
    calls: Vec<(String, String)>,
    /// Seconds slept.
    slept: u64,
}

impl Model {
    fn new(plan: &str, initial: Value) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let output = run(&["emit", plan, "--format", "az"]);
        assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
        std::fs::write(dir.path().join("upgrade.sh"), &output.stdout).unwrap();
        let bin = dir.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        let fake = root().join("tests/cli/fake_aks.sh");
        let scripts = [
            ("az", format!("#!/bin/sh\nexec bash '{}' \"$@\"\n", fake.display())),
            // The clock: `sleep` moves it on, `date +%s` reads it.
            (
                "sleep",
                "#!/bin/sh\nnow=$(cat \"$CLOCK\")\necho $((now + $1)) >\"$CLOCK\"\necho \"$1\" >>\"$SLEEP_LOG\"\n".to_owned(),
            ),
            (
                "date",
                "#!/bin/sh\nif [ \"$1\" = +%s ]; then cat \"$CLOCK\"; else exec /bin/date \"$@\"; fi\n".to_owned(),
            ),
        ];
        for (name, body) in scripts {
            std::fs::write(bin.join(name), body).unwrap();
            let chmod = std::process::Command::new("chmod")
                .arg("+x")
                .arg(bin.join(name))
                .status()
                .unwrap();
            assert!(chmod.success());
        }
        let model = Self { dir, initial };
        model.reset();
        model
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The initial state, an empty journal, the clock at 1,000,000.
    fn reset(&self) {
        self.set_state(&self.initial.clone());
        let _ = std::fs::remove_file(self.path("upgrade.sh.journal"));
        std::fs::write(self.path("clock"), "1000000\n").unwrap();
    }

    /// The model's state: every fact file under `state/` by its path (the call counter aside).
    fn state(&self) -> std::collections::BTreeMap<String, String> {
        fn walk(
            dir: &std::path::Path,
            base: &std::path::Path,
            out: &mut std::collections::BTreeMap<String, String>,
        ) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, base, out);
                } else {
                    let key = path.strip_prefix(base).unwrap().to_string_lossy().into_owned();
                    if key != "calls" {
                        out.insert(key, std::fs::read_to_string(&path).unwrap());
                    }
                }
            }
        }
        let mut out = std::collections::BTreeMap::new();
        walk(&self.path("state"), &self.path("state"), &mut out);
        out
    }

    /// Writes a state given as JSON (`{"clusters": {NAME: {...}}}`) as the fake's fact files.
    fn set_state(&self, state: &Value) {
        let root = self.path("state");
        let _ = std::fs::remove_dir_all(&root);
        for (name, cluster) in state["clusters"].as_object().unwrap() {
            let c = root.join(name);
            std::fs::create_dir_all(c.join("maintenance")).unwrap();
            let write = |path: PathBuf, value: &Value| {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                let text = match value {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                std::fs::write(path, format!("{text}\n")).unwrap();
            };
            write(c.join("rg"), &cluster["resourceGroup"]);
            write(c.join("cp"), &cluster["cp"]);
            write(c.join("state"), &cluster["state"]);
            write(
                c.join("image"),
                &json!("AKSUbuntu-2204gen2containerd-202610.14.0"),
            );
            for (key, file) in [("upgrade", "upgrade"), ("nodeOs", "nodeos")] {
                if let Some(channel) = cluster["channels"].get(key) {
                    write(c.join(file), channel);
                }
            }
            for (pool, p) in cluster["pools"].as_object().unwrap() {
                let dir = c.join("pools").join(pool);
                write(dir.join("version"), &p["version"]);
                write(dir.join("state"), &p["state"]);
                std::fs::create_dir_all(dir.join("settings")).unwrap();
                for (key, value) in p["settings"].as_object().unwrap() {
                    write(dir.join("settings").join(key), value);
                }
            }
        }
        std::fs::write(root.join("calls"), "0\n").unwrap();
    }

    /// Runs the script; `fail` is `(call number, sync|async)`.
    fn run(&self, fail: Option<(usize, &str)>, approved: bool, env: &[(&str, &str)]) -> Run {
        // Each run counts its calls from 1.
        std::fs::write(self.path("state/calls"), "0\n").unwrap();
        std::fs::write(self.path("calls.log"), "").unwrap();
        std::fs::write(self.path("sleep.log"), "").unwrap();
        let mut cmd = std::process::Command::new("bash");
        cmd.arg(self.path("upgrade.sh"))
            .current_dir(self.dir.path())
            .stdin(std::process::Stdio::null())
            .env(
                "PATH",
                format!(
                    "{}:{}",
                    self.path("bin").display(),
                    std::env::var("PATH").unwrap_or_default()
                ),
            )
            .env("AKS_STATE", self.path("state"))
            .env("AKS_LOG", self.path("calls.log"))
            .env("CLOCK", self.path("clock"))
            .env("SLEEP_LOG", self.path("sleep.log"))
            .env_remove("AKS_FAIL_AT")
            .env_remove("AKS_DRIFT_AT")
            .env_remove("AKSPLAN_JOURNAL")
            .env_remove("AKSPLAN_ASSUME_APPROVED");
        if approved {
            cmd.env("AKSPLAN_ASSUME_APPROVED", "1");
        }
        if let Some((at, mode)) = fail {
            cmd.env("AKS_FAIL_AT", at.to_string()).env("AKS_FAIL_MODE", mode);
        }
        for (key, value) in env {
            cmd.env(key, value);
        }
        let out = cmd.output().unwrap();
        let calls = std::fs::read_to_string(self.path("calls.log"))
            .unwrap()
            .lines()
            .map(|line| {
                let (outcome, argv) = line.split_once('\t').unwrap();
                (argv.to_owned(), outcome.to_owned())
            })
            .collect();
        let slept = std::fs::read_to_string(self.path("sleep.log"))
            .unwrap()
            .lines()
            .map(|l| l.trim().parse::<u64>().unwrap())
            .sum();
        Run {
            code: out.status.code(),
            stdout: text(&out.stdout),
            stderr: text(&out.stderr),
            calls,
            slept,
        }
    }
}

fn pool(version: &str, settings: Value) -> Value {
    json!({ "version": version, "state": "Succeeded", "settings": settings })
}

/// `fixtures/resume/two-stages.yaml` as the model's live state.
fn two_stages() -> Value {
    json!({ "clusters": {
        "aks-canary": {
            "resourceGroup": "rg-canary", "cp": "1.33.2", "state": "Succeeded",
            "channels": { "upgrade": "patch", "nodeOs": "NodeImage" }, "maintenance": {},
            "pools": {
                "system": pool("1.33.2", json!({ "maxSurge": "50%" })),
                "apps": pool("1.33.2", json!({})),
            }
        },
        "aks-prod": {
            "resourceGroup": "rg-prod", "cp": "1.34.1", "state": "Succeeded",
            "channels": { "upgrade": "none" }, "maintenance": {},
            "pools": {
                "system": pool("1.34.1", json!({})),
                "apps": pool("1.33.2", json!({})),
            }
        }
    }})
}

/// `fixtures/plans/compile/full-upgrade.yaml` as the model's live state: auto-upgrade on, every
/// hop a full upgrade, `web` a minor behind.
fn full_upgrade() -> Value {
    json!({ "clusters": {
        "aks-api": {
            "resourceGroup": "rg-api", "cp": "1.33.2", "state": "Succeeded",
            "channels": { "upgrade": "patch", "nodeOs": "NodeImage" }, "maintenance": {},
            "pools": {
                "system": pool("1.33.2", json!({ "maxSurge": "33%" })),
                "web": pool("1.32.6", json!({ "maxSurge": "25%" })),
            }
        }
    }})
}

/// Interrupted at every state-changing call, both ways, then run again: the plan finishes.
fn every_interruption_resumes(plan: &str, initial: Value) {
    let model = Model::new(plan, initial);
    let clean = model.run(None, true, &[]);
    assert_eq!(clean.code, Some(0), "{}\n{}", clean.stdout, clean.stderr);
    let end = model.state();
    let soak = clean.slept;
    assert!(clean.calls.iter().all(|(_, outcome)| outcome == "ok"));
    let total = clean.calls.len();
    assert!(total >= 3, "{:?}", clean.calls);
    let mut trials = 0;
    for at in 1..=total {
        for mode in ["sync", "async"] {
            model.reset();
            let first = model.run(Some((at, mode)), true, &[]);
            let what = format!("{plan}: failure {mode} at call {at} ({})", clean.calls[at - 1].0);
            assert_eq!(
                first.code,
                Some(1),
                "{what}: the script must stop\n{}\n{}",
                first.stdout,
                first.stderr
            );
            let second = model.run(None, true, &[]);
            assert_eq!(
                second.code,
                Some(0),
                "{what}: the re-run fails\n{}\n{}",
                second.stdout,
                second.stderr
            );
            assert_eq!(model.state(), end, "{what}: the re-run ends elsewhere");
            // Nothing that finished is sent again (the failed call itself is retried).
            let finished: BTreeSet<&str> = first
                .calls
                .iter()
                .filter(|(_, outcome)| outcome == "ok")
                .map(|(argv, _)| argv.as_str())
                .collect();
            for (argv, _) in &second.calls {
                assert!(
                    !finished.contains(argv.as_str()),
                    "{what}: repeated `{argv}`\n{}",
                    second.stdout
                );
            }
            assert_eq!(first.slept + second.slept, soak, "{what}: soaked twice");
            // And a third run has nothing left to do.
            let third = model.run(None, true, &[]);
            assert_eq!(third.code, Some(0), "{what}\n{}", third.stderr);
            assert!(
                third.calls.is_empty(),
                "{what}: a finished plan changes {:?}",
                third.calls
            );
            trials += 1;
        }
    }
    assert_eq!(trials, 2 * total);
}

#[test]
fn interrupted_anywhere_a_rerun_finishes_with_nothing_repeated() {
    every_interruption_resumes("fixtures/resume/two-stages.yaml", two_stages());
}

#[test]
fn interrupted_full_upgrades_resume_with_every_pool() {
    every_interruption_resumes("fixtures/plans/compile/full-upgrade.yaml", full_upgrade());
}

#[test]
fn approval_gate_without_a_terminal_stops_with_exit_3_and_resumes() {
    let model = Model::new("fixtures/resume/two-stages.yaml", two_stages());
    let first = model.run(None, false, &[]);
    assert_eq!(first.code, Some(3), "{}\n{}", first.stdout, first.stderr);
    assert!(
        first
            .stderr
            .contains("aksplan: stopped before the approval gate: start of stage prod"),
        "{}",
        first.stderr
    );
    assert!(
        first.stderr.contains("AKSPLAN_ASSUME_APPROVED=1"),
        "{}",
        first.stderr
    );
    assert!(
        first.calls.iter().all(|(argv, _)| !argv.contains("aks-prod")),
        "{:?}",
        first.calls
    );
    assert_eq!(first.slept, 7200, "the canary soak ran before the gate");
    let journal = std::fs::read_to_string(model.path("upgrade.sh.journal")).unwrap();
    assert!(journal.contains("soak\tcanary\t1007200\n"), "{journal}");

    // Approved: the canary is not touched again, the soak is over, prod runs.
    let second = model.run(None, true, &[]);
    assert_eq!(second.code, Some(0), "{}\n{}", second.stdout, second.stderr);
    assert!(
        second.calls.iter().all(|(argv, _)| argv.contains("aks-prod")),
        "{:?}",
        second.calls
    );
    assert_eq!(second.slept, 0);
    assert!(
        second.stdout.contains("soak after stage canary is over"),
        "{}",
        second.stdout
    );

    // Recorded: a later run without a terminal passes the gate and changes nothing.
    let third = model.run(None, false, &[]);
    assert_eq!(third.code, Some(0), "{}\n{}", third.stdout, third.stderr);
    assert!(
        third
            .stdout
            .contains("start of stage prod: approved earlier (journal)"),
        "{}",
        third.stdout
    );
    assert!(third.calls.is_empty(), "{:?}", third.calls);
}

#[test]
fn a_soak_interrupted_half_way_sleeps_only_what_is_left() {
    let model = Model::new("fixtures/resume/two-stages.yaml", two_stages());
    // The first run stops at the gate after the soak; the journal holds the soak's end. Move the
    // clock back to half-way through the soak, as if the first run had been killed then.
    let first = model.run(None, false, &[]);
    assert_eq!(first.code, Some(3));
    std::fs::write(model.path("clock"), "1003600\n").unwrap();
    let second = model.run(None, true, &[]);
    assert_eq!(second.code, Some(0), "{}\n{}", second.stdout, second.stderr);
    assert_eq!(second.slept, 3600, "{}", second.stdout);
}

#[test]
fn a_finished_plan_is_left_alone_channels_included() {
    let model = Model::new("fixtures/resume/two-stages.yaml", two_stages());
    assert_eq!(model.run(None, true, &[]).code, Some(0));
    // Without the journal too: the live state alone shows every step done (versions, settings,
    // maintenance window content) and the channel switch-off not needed (the cluster is at its
    // end, its channel restored): nothing is sent.
    std::fs::remove_file(model.path("upgrade.sh.journal")).unwrap();
    let again = model.run(None, true, &[]);
    assert_eq!(again.code, Some(0), "{}\n{}", again.stdout, again.stderr);
    assert!(again.calls.is_empty(), "{:?}", again.calls);
    // A window changed by hand since is set again; nothing else runs.
    std::fs::write(
        model.path("state/aks-canary/maintenance/aksManagedNodeOSUpgradeSchedule/startTime"),
        "03:00\n",
    )
    .unwrap();
    let again = model.run(None, true, &[]);
    assert_eq!(again.code, Some(0), "{}\n{}", again.stdout, again.stderr);
    assert_eq!(again.calls.len(), 1, "{:?}", again.calls);
    assert!(
        again.calls[0]
            .0
            .starts_with("aks maintenanceconfiguration update"),
        "{:?}",
        again.calls
    );
}

#[test]
fn drift_during_the_run_stops_the_step_with_the_live_state() {
    let model = Model::new("fixtures/resume/two-stages.yaml", two_stages());
    // Someone upgrades aks-prod's control plane to a version off the route while the canary runs.
    let run = model.run(None, true, &[("AKS_DRIFT_AT", "3:aks-prod:1.34.9")]);
    assert_eq!(run.code, Some(1), "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(
            "drift: aks-prod/cp/1.35 cannot run now: it expects the control plane on 1.34.1 or 1.35. \
             (the state before it or after it), live: 1.34.9"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.calls.iter().all(|(argv, _)| !argv.contains("aks-prod")),
        "{:?}",
        run.calls
    );
}

#[test]
fn a_journal_of_another_plan_is_refused() {
    let model = Model::new("fixtures/resume/two-stages.yaml", two_stages());
    std::fs::write(model.path("upgrade.sh.journal"), "plan\tsha256:other\n").unwrap();
    let run = model.run(None, true, &[]);
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("is from another plan"), "{}", run.stderr);
    assert!(run.calls.is_empty());
    // AKSPLAN_JOURNAL (or `--journal FILE`) picks another journal; the path is printed first.
    let other = model.path("elsewhere.journal");
    let run = model.run(None, true, &[("AKSPLAN_JOURNAL", other.to_str().unwrap())]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stdout
            .starts_with(&format!("aksplan: journal {}\n", other.display())),
        "{}",
        run.stdout
    );
}

//! The `az` script emitter on real plans: flags per step kind, selection options, quoting of
//! hostile values (round-tripped through bash), and a run against a fake `az` that records argv.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use aksplan_catalog::Catalog;
use aksplan_emit::az::{AzOptions, check_options, quote, render};
use aksplan_model::plan::Plan;
use aksplan_model::source::Format;
use aksplan_pipeline::{NoPolicies, Options, PlanInput};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Loads and compiles plan text (the compiler runs whatever the rules say: a hostile value the
/// rules would reject must still come out quoted).
fn compile(text: &str) -> (Plan, aksplan_graph::Compiled) {
    let options = Options {
        compile: false,
        ..Options::new(Arc::new(Catalog::embedded()), None, || {
            jiff::civil::date(2026, 12, 1)
        })
    };
    let input = PlanInput::new("plan.yaml", text, Format::Yaml, root().join("examples"));
    let checked = aksplan_pipeline::run(input, &options, &mut NoPolicies);
    let ctx = checked.context().expect("the plan loads");
    let compiled = aksplan_graph::compile(&ctx);
    (ctx.plan.clone(), compiled)
}

fn example(name: &str) -> String {
    std::fs::read_to_string(root().join(name)).unwrap()
}

fn options() -> AzOptions {
    AzOptions {
        tool_version: "0.0.0-test".into(),
        plan_hash: "fnv1a64:0".into(),
        catalog: "test".into(),
        ..AzOptions::default()
    }
}

fn bash_ok(script: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sh");
    std::fs::write(&path, script).unwrap();
    let status = Command::new("bash").arg("-n").arg(&path).status().unwrap();
    assert!(status.success(), "bash -n rejects:\n{script}");
}

#[test]
fn quote_round_trips_through_bash() {
    let hostile = [
        "plain",
        "O'Brien",
        "''",
        "'",
        "a b\tc",
        "$(touch pwned) `id` ${HOME} $HOME",
        "back\\slash \"dq\" !bang *glob? [x]",
        "new\nline",
        "-08:00",
    ];
    for value in hostile {
        let out = Command::new("bash")
            .arg("-c")
            .arg(format!("printf %s {}", quote(value)))
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), value, "{value:?}");
    }
}

#[test]
fn deterministic_and_valid_bash() {
    let (plan, compiled) = compile(&example("examples/complete.yaml"));
    let a = render(&plan, &compiled, &options());
    let b = render(&plan, &compiled, &options());
    assert_eq!(a, b);
    assert!(a.starts_with("#!/usr/bin/env bash\n"));
    assert!(a.contains("\nset -euo pipefail\n"));
    bash_ok(&a);
}

/// The script handed on in pieces (as `emit` writes it, never whole in memory) is the script,
/// each piece ending with a whole step or a whole cluster's preflight (that of a large fleet is
/// a piece or more by itself).
#[test]
fn the_script_in_pieces_is_the_script() {
    let (plan, compiled) = compile(&example("examples/fleet-three-stages.yaml"));
    let whole = render(&plan, &compiled, &options());
    let mut pieces: Vec<String> = Vec::new();
    aksplan_emit::az::render_chunked(&plan, &compiled, &options(), 4096, &mut |piece| {
        pieces.push(piece.to_owned());
    });
    assert!(pieces.len() > 3, "{} pieces", pieces.len());
    assert_eq!(pieces.concat(), whole);
    for piece in &pieces[..pieces.len() - 1] {
        assert!(piece.len() >= 4096);
    }
    for (piece, next) in pieces.iter().zip(&pieces[1..]) {
        assert!(piece.ends_with('\n'));
        assert!(
            next.starts_with("\n# ==== step ")
                || next.starts_with("\n# cluster ")
                || next == "\nprintf 'aksplan: done\\n'\n",
            "{next:.40}"
        );
    }
    // The preflight is cut between clusters too.
    assert!(pieces[1..].iter().any(|p| p.starts_with("\n# cluster ")));
}

#[test]
fn flags_follow_the_cli_rules() {
    let (plan, compiled) = compile(&example("examples/complete.yaml"));
    let script = render(&plan, &compiled, &options());
    for line in script.lines().map(str::trim) {
        if line.contains("--node-image-only") {
            assert!(!line.contains(" -k "), "{line}");
            assert!(
                !line.contains("--max-surge") && !line.contains("--drain-timeout"),
                "{line}"
            );
            assert!(line.contains("--yes --no-wait"), "{line}");
        }
        if line.starts_with("az aks upgrade") || line.starts_with("az aks nodepool upgrade") {
            assert!(line.contains("--yes --no-wait"), "{line}");
        }
        if line.starts_with("az aks maintenanceconfiguration") && line.contains("-n 'default'") {
            assert!(!line.contains("--interval-weeks"), "{line}");
        }
        if line.contains("-08:00") && !line.contains("maintenance_matches") {
            assert!(line.contains("'--utc-offset=-08:00'"), "{line}");
        }
        assert!(!line.contains("--updated"), "{line}");
        // A resource group or subscription may start with `-`: always joined to its option.
        assert!(
            !line.contains(" -g ")
                && !line.contains("--resource-group ")
                && !line.contains("--subscription "),
            "{line}"
        );
    }
    // Every upgrade is followed by a wait on the exact state, not `--updated`.
    assert!(script.contains("az aks wait --resource-group="));
    assert!(script.contains("provisioningState=='\\''Succeeded'\\''"));
}

#[test]
fn selection_options() {
    let (plan, compiled) = compile(&example("examples/fleet-three-stages.yaml"));
    let all = render(&plan, &compiled, &options());
    let second = &compiled.steps[1].id;
    let from = AzOptions {
        from_step: Some(second.to_string()),
        ..options()
    };
    assert!(check_options(&plan, &compiled, &from).is_ok());
    let script = render(&plan, &compiled, &from);
    assert!(!script.contains(&format!(": {} ====", compiled.steps[0].id)));
    assert!(script.contains(&format!(": {second} ====")));
    assert!(script.len() < all.len());

    let stages: Vec<String> = plan
        .spec
        .rollout
        .as_ref()
        .unwrap()
        .stages
        .iter()
        .map(|s| s.name.clone())
        .collect();
    let until = AzOptions {
        until_stage: Some(stages[1].clone()),
        ..options()
    };
    let script = render(&plan, &compiled, &until);
    assert!(!script.contains(&format!("start of stage {}", stages[1])));
    bash_ok(&script);

    let cluster = plan.spec.clusters[0].name.clone();
    let one = AzOptions {
        cluster: Some(cluster.clone()),
        ..options()
    };
    let script = render(&plan, &compiled, &one);
    for other in plan.spec.clusters.iter().skip(1) {
        assert!(
            !script.contains(&format!("-n '{}'", other.name)),
            "{}",
            other.name
        );
    }
    bash_ok(&script);

    let bad = AzOptions {
        from_step: Some("no/such/step".into()),
        ..options()
    };
    assert!(
        check_options(&plan, &compiled, &bad)
            .unwrap_err()
            .contains("no/such/step")
    );
    let bad = AzOptions {
        cluster: Some("nope".into()),
        ..options()
    };
    assert!(check_options(&plan, &compiled, &bad).is_err());
}

/// A fake `az` that records each call's argv (fields `\x1f`, records `\x1e`) and answers every
/// query as if each step were already done.
const FAKE_AZ: &str = r#"#!/usr/bin/env bash
for a in "$@"; do printf '%s\037' "$a" >>"$AZ_LOG"; done
printf '\036' >>"$AZ_LOG"
case "$*" in
  *"--query currentKubernetesVersion"*) echo "$AZ_VERSION" ;;
  *currentOrchestratorVersion*) echo "$AZ_VERSION" ;;
  *provisioningState*) echo Succeeded ;;
  *NodeImageVersion* | *nodeImageVersion*) echo img-1 ;;
  *"account show"*) echo sub ;;
esac
exit 0
"#;

pub fn run_with_fake_az(
    script: &str,
    version: &str,
) -> (std::process::Output, Vec<Vec<String>>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let az = bin.join("az");
    std::fs::write(&az, FAKE_AZ).unwrap();
    std::fs::write(bin.join("kubectl"), "#!/usr/bin/env bash\nexit 0\n").unwrap();
    let chmod = Command::new("chmod")
        .arg("+x")
        .arg(&az)
        .arg(bin.join("kubectl"))
        .status()
        .unwrap();
    assert!(chmod.success());
    let path = dir.path().join("plan.sh");
    std::fs::write(&path, script).unwrap();
    let log = dir.path().join("az.log");
    let out = Command::new("bash")
        .arg(&path)
        .current_dir(dir.path())
        .env(
            "PATH",
            format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default()),
        )
        .env("AZ_LOG", &log)
        .env("AZ_VERSION", version)
        .env("AKSPLAN_ASSUME_APPROVED", "1")
        .output()
        .unwrap();
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    let calls = text
        .split('\u{1e}')
        .filter(|r| !r.is_empty())
        .map(|r| {
            r.split('\u{1f}')
                .filter(|f| !f.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .collect();
    (out, calls, dir)
}

#[test]
fn hostile_values_stay_quoted_and_reach_az_intact() {
    let owner = "O'Brien $(touch pwned) `touch pwned2`";
    let group = "rg-shop'prod $(touch pwned3)";
    let text = example("examples/single-cluster.yaml")
        .replace("owner: platform-team", &format!("owner: {:?}", owner))
        .replace(
            "resourceGroup: rg-shop-prod-weu",
            &format!("resourceGroup: {group:?}"),
        );
    let (plan, compiled) = compile(&text);
    assert_eq!(plan.metadata.owner.as_deref(), Some(owner));
    let script = render(&plan, &compiled, &options());
    bash_ok(&script);
    assert!(script.contains(&quote(group)));
    let (out, calls, dir) = run_with_fake_az(&script, "1.36.4");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("SKIPPED (already done)"), "{stdout}");
    assert!(stdout.ends_with("aksplan: done\n"), "{stdout}");
    for name in ["pwned", "pwned2", "pwned3"] {
        assert!(
            !dir.path().join(name).exists(),
            "{name} was created: a value was executed"
        );
    }
    // Every resource group the fake az saw is the hostile group, byte for byte.
    let groups: Vec<&str> = calls
        .iter()
        .filter_map(|argv| argv.iter().find_map(|a| a.strip_prefix("--resource-group=")))
        .collect();
    assert!(!groups.is_empty());
    assert!(groups.iter().all(|g| *g == group), "{groups:?}");
    // Nothing was started: every step looked done.
    assert!(
        !calls.iter().any(|argv| argv.iter().any(|a| a == "--no-wait")),
        "{calls:?}"
    );
}

#[test]
fn drift_stops_the_script() {
    let (plan, compiled) = compile(&example("examples/single-cluster.yaml"));
    let script = render(&plan, &compiled, &options());
    let (out, calls, _dir) = run_with_fake_az(&script, "1.33.1");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("drift: cluster aks-shop-weu control plane"),
        "{stderr}"
    );
    assert!(stderr.contains("1.33.1"), "{stderr}");
    assert!(!calls.iter().any(|argv| argv.iter().any(|a| a == "upgrade")));
}

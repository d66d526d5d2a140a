//! Developer tasks: `cargo xtask codegen [--check]` writes (or checks) the files generated from
//! code: `schemas/plan.schema.json` (from the plan types), `docs/rules.md` (from the code
//! registry) and `docs/man/aksplan.1` (from the CLI's clap definition). CI runs `--check`, so none
//! can drift from the code.
//!
//! `cargo xtask gen-fleet --clusters N --pools M --seed S -o DIR` writes `DIR/plan.yaml`, a
//! synthetic but realistic fleet plan for benchmarks (`scripts/bench.sh`, docs/performance.md).

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a developer tool run from a terminal: its messages are its output"
)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let check = args.iter().any(|a| a == "--check");
    match args.first().map(String::as_str) {
        Some("codegen") => codegen(check),
        Some("gen-fleet") => gen_fleet(&args[1..]),
        _ => {
            eprintln!("usage: cargo xtask codegen [--check]");
            eprintln!("       cargo xtask gen-fleet --clusters N --pools M [--seed S] -o DIR");
            ExitCode::from(2)
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The man page, from the binary's own clap definition (`aksplan man`). An error when the binary
/// does not build or run: an empty page must never be written or compared as the real one.
fn man_page() -> Result<String, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args(["run", "-q", "-p", "aksplan-cli", "--bin", "aksplan", "--", "man"])
        .current_dir(root())
        .output()
        .map_err(|err| format!("cannot run cargo: {err}"))?;
    if !out.status.success() || out.stdout.is_empty() {
        return Err(format!(
            "`aksplan man` failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn codegen(check: bool) -> ExitCode {
    let man = match man_page() {
        Ok(man) => man,
        Err(err) => {
            eprintln!("docs/man/aksplan.1: {err}");
            return ExitCode::FAILURE;
        }
    };
    let files = [
        (
            "schemas/plan.schema.json",
            aksplan_model::schema::plan_schema_text(),
        ),
        ("docs/rules.md", aksplan_rules::registry::rules_markdown()),
        ("docs/policy-builtins.md", aksplan_policy::builtins::markdown()),
        ("docs/man/aksplan.1", man),
    ];
    let mut stale = false;
    for (path, content) in files {
        let full = root().join(path);
        let current = std::fs::read_to_string(&full).unwrap_or_default();
        if current == content {
            continue;
        }
        if check {
            eprintln!("{path} is out of date: run `cargo xtask codegen`");
            stale = true;
        } else if let Err(err) = std::fs::write(&full, content) {
            eprintln!("cannot write {path}: {err}");
            return ExitCode::FAILURE;
        } else {
            eprintln!("wrote {path}");
        }
    }
    if stale {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn gen_fleet(args: &[String]) -> ExitCode {
    let mut clusters: Option<usize> = None;
    let mut pools: Option<usize> = None;
    let mut seed: u64 = 1;
    let mut out: Option<PathBuf> = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let value = it.next();
        let ok = match (arg.as_str(), value) {
            ("--clusters", Some(v)) => v.parse().map(|n| clusters = Some(n)).is_ok(),
            ("--pools", Some(v)) => v.parse().map(|n| pools = Some(n)).is_ok(),
            ("--seed", Some(v)) => v.parse().map(|n| seed = n).is_ok(),
            ("-o" | "--output", Some(v)) => {
                out = Some(PathBuf::from(v));
                true
            }
            _ => false,
        };
        if !ok {
            eprintln!("gen-fleet: bad argument `{arg}`");
            return ExitCode::from(2);
        }
    }
    let (Some(clusters), Some(pools), Some(out)) = (clusters, pools, out) else {
        eprintln!("usage: cargo xtask gen-fleet --clusters N --pools M [--seed S] -o DIR");
        return ExitCode::from(2);
    };
    if clusters == 0 || pools == 0 {
        eprintln!("gen-fleet: --clusters and --pools must be at least 1");
        return ExitCode::from(2);
    }
    let text = xtask::fleet::fleet_yaml(clusters, pools, seed);
    let path = out.join("plan.yaml");
    if let Err(err) = std::fs::create_dir_all(&out).and_then(|()| std::fs::write(&path, text)) {
        eprintln!("gen-fleet: cannot write {}: {err}", path.display());
        return ExitCode::FAILURE;
    }
    eprintln!("wrote {} ({clusters} clusters x {pools} pools)", path.display());
    ExitCode::SUCCESS
}

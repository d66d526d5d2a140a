//! End-to-end tests of the `aksplan` binary, driven by the fixtures under `fixtures/`.
//!
//! Every invalid plan under `fixtures/plans/invalid/` is named `<CODE>-<what>.<ext>`; the test runs
//! `aksplan check` on it, asserts the exit code is 1 or 2 (never a panic's 101), that the expected
//! code is reported, and snapshots the rendered diagnostics (no colour, fixed width).

// A panic in a test is a failing test, not a user-facing stack trace.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn aksplan() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_aksplan"));
    cmd.current_dir(root())
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        // Compiled policy programs go to the build folder, not the user's cache.
        .env("AKSPLAN_CACHE_DIR", root().join("target/test-policy-cache"))
        .env_remove("AKSPLAN_FORMAT");
    cmd
}

fn run(args: &[&str]) -> Output {
    aksplan().args(args).output().unwrap()
}

/// The hang guard of tests whose command could run away (policy limits, hostile inputs): a run
/// still going after this long is killed, and the test fails on the missing exit code. It is a
/// guard, not a measurement: tests prove a limit by its result, never by the time it took.
const HANG_GUARD: std::time::Duration = std::time::Duration::from_secs(120);

/// [`run`] with the [`HANG_GUARD`].
fn run_guarded(args: &[&str]) -> Output {
    aksplan().args(args).timeout(HANG_GUARD).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn relative(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/")
}

mod architecture;
mod catalog;
mod ci_docs;
mod corpus;
mod diff;
mod emit;
mod emit_formats;
mod examples;
mod formats;
mod hostile_names;
mod init;
mod invalid;
mod lifecycle;
mod plan;
mod policies;
mod policy_builtins;
mod policy_cache;
mod policy_errors;
mod policy_limits;
mod policy_pointers;
mod preflight;
mod real_world;
mod rerun;
mod resume;
mod rules;
mod snapshot;
mod test_cmd;
mod usage;
mod waivers;

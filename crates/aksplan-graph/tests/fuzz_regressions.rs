//! Plans the `check_pipeline` fuzz target (fuzz/fuzz_targets/check_pipeline.rs) once broke, as
//! the plan documents it generated, run through the same stages with the same properties (load,
//! rules, compile, verify, schedule; every label renderable; an accepted plan compiles into an
//! ordered graph the verifier accepts), each with a time limit, so that `cargo test` keeps them
//! fixed. See docs/reliability.md, "Fuzzing".

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use aksplan_catalog::Catalog;
use aksplan_model::codes;
use aksplan_model::finding::Finding;
use aksplan_model::source::Format;
use aksplan_pipeline::{NoPolicies, Options, PlanInput};

/// A hang guard, not a measurement: these plans need milliseconds; one still running after this
/// is the hang it was found for.
const LIMIT: Duration = Duration::from_secs(120);

fn assert_labels(name: &str, findings: &[Finding]) {
    for label in findings.iter().flat_map(|f| f.primary.iter().chain(&f.secondary)) {
        assert!(
            label.source.text.get(label.span.clone()).is_some(),
            "{name}: span {:?} cannot slice its source",
            label.span
        );
    }
}

fn run(path: &Path) {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).unwrap();
    let format = Format::from_path(&name).expect("a .yaml, .toml or .json file");
    // As the fuzz target runs them: the pipeline without policies, a fixed day for "today".
    let options = Options::new(Arc::new(Catalog::embedded()), None, || {
        jiff::civil::date(2026, 7, 1)
    });
    let checked = aksplan_pipeline::run(
        PlanInput::new(name.as_str(), bytes, format, "/nonexistent"),
        &options,
        &mut NoPolicies,
    );
    assert_labels(&name, &checked.findings);
    let Some((compiled, _)) = &checked.compiled else {
        return;
    };
    assert!(
        aksplan_graph::topological_order(&compiled.steps).is_ok(),
        "{name}: cyclic"
    );
    assert!(
        !compiled.findings.iter().any(|f| f.code == codes::VERIFY),
        "{name}: AKS200 on a plan the rules accept"
    );
}

#[test]
fn check_pipeline_regressions() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/fuzz-regressions/check_pipeline");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no plans in {}", dir.display());
    for file in files {
        // A hang is one of the bugs these plans found: run each on its own thread with a limit.
        let (done, finished) = mpsc::channel();
        let path = file.clone();
        let worker = std::thread::spawn(move || {
            run(&path);
            let _ = done.send(());
        });
        match finished.recv_timeout(LIMIT) {
            Ok(()) => worker.join().unwrap(),
            // The worker panicked (its assertion failed): report that panic.
            Err(mpsc::RecvTimeoutError::Disconnected) => worker.join().unwrap(),
            Err(mpsc::RecvTimeoutError::Timeout) => {
                panic!("{} did not finish within {LIMIT:?}", file.display())
            }
        }
    }
}

/// The first one: a target of `1.18446744073709551615` is now an AKS015 finding at the target.
#[test]
fn a_target_beyond_any_release_is_rejected_at_the_target() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/fuzz-regressions/check_pipeline/huge-target-minor.yaml");
    let bytes = std::fs::read(&path).unwrap();
    let loaded = aksplan_model::load_plan("plan.yaml", bytes, Format::Yaml, Path::new("/nonexistent"));
    let codes: Vec<(&str, Option<&str>)> = loaded
        .findings
        .iter()
        .map(|f| (f.code.id(), f.pointer.as_deref()))
        .collect();
    assert_eq!(codes, [("AKS015", Some("/spec/target/kubernetesVersion"))]);
}

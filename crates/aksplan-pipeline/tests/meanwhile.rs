//! `run_with`: the caller works on the compiled plan while the policies evaluate it, and the
//! policies' findings still decide.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::Duration;

use aksplan_catalog::Catalog;
use aksplan_graph::{Compiled, Schedule};
use aksplan_model::codes;
use aksplan_model::finding::Finding;
use aksplan_model::source::Format;
use aksplan_pipeline::{Meanwhile, Options, PlanInput, Policies};
use aksplan_rules::Context;

/// Policies whose evaluation finishes only once the caller has had the compiled plan: run in
/// turn (policies first), they would wait for it in vain and say so.
struct WaitForCaller {
    caller_done: Receiver<usize>,
    /// The thread that called `run_with`.
    caller: std::thread::ThreadId,
}

impl Policies for WaitForCaller {
    fn start(&mut self, _base: &Path) {}

    fn finish(&mut self, _ctx: &Context<'_>, compiled: Option<(&Compiled, &Schedule)>) -> Vec<Finding> {
        assert!(compiled.is_some());
        // On the caller's thread: the input is made where reading the plan freed memory (glibc
        // gives each thread an arena of its own), the output beside it.
        assert_eq!(
            std::thread::current().id(),
            self.caller,
            "the policies run on the caller's thread"
        );
        // A hang guard, not a timing: the caller answers at once when the two run side by side.
        let message = match self.caller_done.recv_timeout(Duration::from_secs(120)) {
            Ok(steps) => format!("evaluated beside the caller, who saw {steps} steps"),
            Err(_) => "the caller never ran beside the evaluation".to_owned(),
        };
        vec![Finding::new(codes::POLICY_ERROR, message)]
    }
}

fn plan() -> PlanInput {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/single-cluster.yaml");
    PlanInput::new(
        "single-cluster.yaml",
        std::fs::read(path).unwrap(),
        Format::Yaml,
        ".",
    )
}

#[test]
fn the_caller_has_the_compiled_plan_while_the_policies_evaluate_it() {
    let options = Options::new(Arc::new(Catalog::embedded()), None, || {
        jiff::civil::date(2026, 7, 1)
    });
    let (done, caller_done): (Sender<usize>, _) = channel();
    let mut seen = 0;
    let caller = std::thread::current().id();
    let mut meanwhile = |compiled: Meanwhile<'_>| {
        assert_ne!(
            std::thread::current().id(),
            caller,
            "the output is made on another thread"
        );
        seen = compiled.compiled.steps.len();
        done.send(seen).unwrap();
    };
    let checked = aksplan_pipeline::run_with(
        plan(),
        &options,
        &mut WaitForCaller { caller_done, caller },
        Some(&mut meanwhile),
    );
    assert!(seen > 0, "the caller got the compiled plan");
    let policy: Vec<&str> = checked
        .findings
        .iter()
        .filter(|f| f.code == codes::POLICY_ERROR)
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(
        policy,
        [format!("evaluated beside the caller, who saw {seen} steps").as_str()],
        "the policies' findings are the run's"
    );
    // Their error still rejects the plan: the caller's work is kept only if it is accepted.
    assert!(checked.accepted().is_none());
}

//! The built-in upgrade rules.
//!
//! One rule per file under `rules/`, each with a stable code (`AKS1xx`), a title, a severity and
//! docs (`## What it checks / ## Why / ## Example`, with the source in `aks-upgrade-rules.md`),
//! and a `check` function that adds findings at the plan line (or saved `az` line) they are about.
//! Rules never stop each other; they read the plan, the resolved current state and the version
//! catalog, and judge support **as of** the context's date.
//!
//! The arithmetic shared with the compiler's state verifier (skew windows, support status) lives
//! in `skew`, so that a plan and every intermediate state of its execution graph are judged by
//! the same code.

pub mod context;
pub mod registry;
pub mod rules;
pub mod skew;

pub use context::{ClusterView, Context};

use aksplan_model::finding::Finding;

/// Runs every rule; findings in no particular order (the caller sorts).
pub fn check(ctx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for rule in rules::all() {
        (rule.check)(ctx, &mut findings);
    }
    findings
}

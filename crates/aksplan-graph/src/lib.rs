//! The compiler: a checked plan becomes an execution graph of steps in one-minor hops, every
//! intermediate state verified against the upgrade rules.
//!
//! `compile` walks each cluster from its current state to its target: control-plane hops one
//! minor at a time (or an LTS-to-LTS jump the catalog lists), pool upgrades placed where the skew
//! window forces them (`minimal`) or after every hop (`lockstep`), in the plan's pool waves; then
//! blue-green replacements, node images, maintenance windows and channels. Clusters run stage by
//! stage, behind approval gates and `afterStageWait` soaks. `verify` replays the graph in order on
//! a simulated state and reports any step that would break a rule. This crate is the only code
//! that names petgraph types (`dag.rs`).

mod build;
mod dag;
pub mod estimate;
mod index;
pub mod maintenance;
pub mod schedule;
pub mod step;
pub mod verify;

pub use build::{ClusterPlan, Compiled, compile};
pub use dag::topological_order;
pub use index::StepIndex;
pub use schedule::{Placement, Schedule, Window, schedule};
pub use step::{ClusterState, Provenance, Step, StepKind};
pub use verify::verify;

/// The code of a verification finding: a compiled step breaks a rule in an intermediate state.
pub const VERIFY_CODE: aksplan_model::codes::Code =
    aksplan_model::codes::Code(&aksplan_model::codes::CodeInfo {
        id: "AKS200",
        title: "A compiled step would break an upgrade rule",
        severity: aksplan_model::finding::Severity::Error,
        category: aksplan_model::codes::Category::Rule,
        docs: "## What it checks
After compiling the plan into steps, aksplan replays them in graph order on a simulated cluster
state and checks, after every step: the control plane moves at most one minor (except an LTS
jump the catalog lists) and never down; no pool is newer than the control plane, on another
major, or further behind than the skew window (3 minors from 1.28, 2 before); pools move at
most one minor per upgrade (unless their `nodepool get-upgrades` file offers more); and at the
end every component has reached the target. The finding names the step, the broken rule and
the state of every component.

## Why
The rules of `aks-upgrade-rules.md` §1–§2 hold not only for the start and the end but for every
state in between: AKS rejects any step that would break them, mid-change, at 2 a.m.

## Example
```text
after step `aks-prod/cp/1.36.1`: AKS112: pool `legacy` (1.32.6) would be 4 minors behind the
control plane (1.36.1); state: control plane 1.36.1, legacy 1.32.6, system 1.36.1
```",
    });

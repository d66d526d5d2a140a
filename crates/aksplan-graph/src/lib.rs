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

mod clusters;
mod compile;
mod dag;
pub mod estimate;
mod index;
pub mod maintenance;
pub mod schedule;
pub mod step;
pub mod time;
pub mod verify;

pub use compile::{ClusterPlan, Compiled, Preflight, compile};
pub use dag::topological_order;
pub use index::StepIndex;
pub use schedule::{Placement, Schedule, Window, schedule};
pub use step::{ClusterState, PoolVersions, Provenance, Step, StepKind};
pub use verify::verify;

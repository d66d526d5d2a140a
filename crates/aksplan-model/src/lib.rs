//! The aksplan plan language: types, loading with exact source locations, the JSON Schema, and
//! the checks of the plan's own consistency.
//!
//! Pipeline inside this crate: bytes → `source::parse_plan_document` (a compact `tree::Node` +
//! source map) → typed `plan::Plan` (through `schema::validate` on the `serde_json` value,
//! every structural error at its span, only when the types refuse the tree:
//! `load::without_schema`) → `checks`
//! (duplicate names, orders, stages, dates) → `resolve` (current state from `az` JSON).
//! Nothing here prints; every problem is a `Finding`.

pub mod codes;
pub mod files;
pub mod finding;
pub mod source;
pub mod version;

pub use finding::{Finding, Label, Severity, Source};
pub use version::KubeVersion;
pub mod azure;
pub mod checks;
pub mod load;
pub mod plan;
pub mod resolve;
pub mod schema;
pub mod time;
pub mod tree;

pub use load::{Loaded, attribute_clusters, load_plan};
pub mod init;
pub mod live;
pub mod waivers;

//! Kubernetes API removals across the minors a plan crosses (`aks-upgrade-rules.md` §8).

use super::Rule;

pub mod aks170_removed_apis;
pub mod aks171_manifest_removed_api;
pub mod aks172_manifest_not_an_object;

pub use aks170_removed_apis::{REMOVALS, Removal, removals_between};

pub const RULES: &[Rule] = &[
    Rule {
        code: aks170_removed_apis::CODE,
        check: aks170_removed_apis::check,
    },
    Rule {
        code: aks171_manifest_removed_api::CODE,
        check: aks171_manifest_removed_api::check,
    },
    Rule {
        code: aks172_manifest_not_an_object::CODE,
        check: aks172_manifest_not_an_object::check,
    },
];

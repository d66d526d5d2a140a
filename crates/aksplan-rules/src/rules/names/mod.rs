//! Names and values the emitted scripts carry: the Azure naming rules (resource groups, clusters,
//! node pools, subscriptions) and shell safety.
//!
//! `problems` is the rules' own validator, for tests (and tools) that need to know whether a
//! value would pass without building a plan around it.

use aksplan_model::codes::Code;
use aksplan_model::plan::OsType;

use super::Rule;

mod aks180_resource_group_name;
mod aks181_cluster_name;
mod aks182_pool_name;
mod aks183_shell_unsafe;
mod aks184_subscription;

pub const RULES: &[Rule] = &[
    Rule {
        code: aks180_resource_group_name::CODE,
        check: aks180_resource_group_name::check,
    },
    Rule {
        code: aks181_cluster_name::CODE,
        check: aks181_cluster_name::check,
    },
    Rule {
        code: aks182_pool_name::CODE,
        check: aks182_pool_name::check,
    },
    Rule {
        code: aks183_shell_unsafe::CODE,
        check: aks183_shell_unsafe::check,
    },
    Rule {
        code: aks184_subscription::CODE,
        check: aks184_subscription::check,
    },
];

/// Where a value sits in the plan, which decides the rules that judge it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// A cluster's `name`: AKS181 and AKS183.
    ClusterName,
    /// A cluster's `resourceGroup`: AKS180 and AKS183.
    ResourceGroup,
    /// A cluster's `subscription`: AKS184 and AKS183.
    Subscription,
    /// A node pool's `name`: AKS182 and AKS183.
    PoolName(OsType),
    /// Any other value AKS183 checks (`location`, `vmSize`, `metadata.owner`, ...).
    Other,
    /// A rollout stage's `name`, free text the scripts print: AKS183 (no control or invisible
    /// characters).
    StageName,
}

/// Every objection of the naming rules to `value` as `field`: the rule's code and what is wrong
/// (the end of the rule's sentence). Empty when the rules accept the value, in which case `check`
/// reports nothing about it either.
pub fn problems(field: Field, value: &str) -> Vec<(Code, String)> {
    let mut out = Vec::new();
    let azure = match field {
        Field::ClusterName => aks181_cluster_name::problem(value).map(|p| (aks181_cluster_name::CODE, p)),
        Field::ResourceGroup => {
            aks180_resource_group_name::problem(value).map(|p| (aks180_resource_group_name::CODE, p))
        }
        Field::Subscription => aks184_subscription::problem(value).map(|p| (aks184_subscription::CODE, p)),
        Field::PoolName(os) => aks182_pool_name::problem(value, os).map(|p| (aks182_pool_name::CODE, p)),
        Field::Other | Field::StageName => None,
    };
    out.extend(azure);
    let kind = match field {
        Field::ResourceGroup => aks183_shell_unsafe::Kind::ResourceGroup,
        Field::Subscription => aks183_shell_unsafe::Kind::Subscription,
        Field::StageName => aks183_shell_unsafe::Kind::Text,
        Field::ClusterName | Field::PoolName(_) | Field::Other => aks183_shell_unsafe::Kind::Other,
    };
    out.extend(aks183_shell_unsafe::problem(value, kind).map(|p| (aks183_shell_unsafe::CODE, p)));
    out
}

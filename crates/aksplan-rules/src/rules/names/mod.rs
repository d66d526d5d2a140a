//! Names and values the emitted scripts carry: the Azure naming rules (resource groups, clusters,
//! node pools) and shell safety.

use super::Rule;

mod aks180_resource_group_name;
mod aks181_cluster_name;
mod aks182_pool_name;
mod aks183_shell_unsafe;

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
];

//! Preflight: what stops an upgrade half-way although every version rule holds (drains that can
//! never finish, surge nodes that cannot be created), judged from the live facts `currentFrom`
//! names (`aksplan snapshot` saves them). Formulas and AKS sources: `docs/preflight.md`.

use aksplan_model::plan::{NodePool, PoolUpgradeStrategy, ScaleSetPriority};

use super::Rule;
use super::settings::{effective_surge, surge_nodes};
use crate::ClusterView;

pub mod aks190_pdb_blocks_drain;
pub mod aks191_single_replica;
pub mod aks192_subnet_addresses;
pub mod aks193_vcpu_quota;

pub const RULES: &[Rule] = &[
    Rule {
        code: aks190_pdb_blocks_drain::CODE,
        check: aks190_pdb_blocks_drain::check,
    },
    Rule {
        code: aks191_single_replica::CODE,
        check: aks191_single_replica::check,
    },
    Rule {
        code: aks192_subnet_addresses::CODE,
        check: aks192_subnet_addresses::check,
    },
    Rule {
        code: aks193_vcpu_quota::CODE,
        check: aks193_vcpu_quota::check,
    },
];

/// The extra nodes pool `idx` adds while it is upgraded: a blue-green pool's whole replacement
/// pool, a rolling pool's surge (its `maxSurge`, or the AKS default, of its size rounded up),
/// none for a Spot pool. The size is `maxCount` for an autoscaled pool (it may have grown that
/// far), else `count`; `None` when the plan gives neither.
pub(crate) fn extra_nodes(cluster: &ClusterView<'_>, idx: usize, pool: &NodePool) -> Option<u64> {
    let size = match (pool.enable_auto_scaling == Some(true), pool.max_count, pool.count) {
        (true, Some(max), _) => u64::from(max),
        (_, _, Some(count)) => u64::from(count),
        _ => return None,
    };
    if pool.strategy == PoolUpgradeStrategy::BlueGreen {
        return Some(size);
    }
    if pool.scale_set_priority == Some(ScaleSetPriority::Spot) {
        return Some(0);
    }
    let settings = cluster.planned_settings(idx);
    Some(surge_nodes(size, effective_surge(cluster, idx, &settings)))
}

/// `1 node` / `3 nodes`.
pub(crate) fn nodes(n: u64) -> String {
    format!("{n} node{}", if n == 1 { "" } else { "s" })
}

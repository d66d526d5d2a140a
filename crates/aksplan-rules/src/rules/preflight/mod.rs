//! Preflight: what stops an upgrade half-way although every version rule holds (drains that can
//! never finish, surge nodes that cannot be created), judged from the live facts `currentFrom`
//! names (`aksplan snapshot` saves them). Formulas and AKS sources: `docs/preflight.md`.

use std::collections::BTreeMap;

use aksplan_model::live::{Subnet, UsageEntry};
use aksplan_model::plan::{
    NetworkPlugin, NodePool, PodIpAllocationMode, PoolUpgradeStrategy, ScaleSetPriority,
};

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
pub fn extra_nodes(cluster: &ClusterView<'_>, idx: usize, pool: &NodePool) -> Option<u64> {
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

/// The `maxPods` AKS gives an Azure CNI pool when none is set.
pub const DEFAULT_MAX_PODS: u64 = 30;

/// One pool's part of a [`Need`]: (pool index, extra nodes, addresses or vCPUs per node).
pub type PoolShare = (usize, u64, u64);

/// What one subnet or one quota must hold while one wave of the pool order is upgraded.
#[derive(Debug)]
pub struct Need<'a, T> {
    /// The wave (0-based) of [`ClusterView::pool_waves`].
    pub wave: usize,
    pub of: &'a T,
    /// Addresses, or vCPUs.
    pub amount: u64,
    /// (pool index, extra nodes, addresses or vCPUs per node), in wave order.
    pub pools: Vec<PoolShare>,
}

/// The addresses each saved subnet must have free, wave by wave: extra nodes × `1 + maxPods`
/// with Azure CNI without overlay (the stricter count when the plugin is not known), else × 1;
/// a pod subnet takes `maxPods` per extra node (rounded up to blocks of 16 with `StaticBlock`). Subnets the plan saved no output for are left out.
pub fn subnet_needs<'a>(cluster: &ClusterView<'a>) -> Vec<Need<'a, Subnet>> {
    let live = &cluster.resolved.live;
    let mut out = Vec::new();
    if live.subnets.is_empty() {
        return out;
    }
    let network = cluster.resolved.current.network.as_ref();
    let pods_on_nodes = network.is_none_or(|n| n.pods_on_node_subnet());
    let azure_cni = network.is_none_or(|n| n.network_plugin == Some(NetworkPlugin::Azure));
    let pools = cluster.pools();
    for (wave_no, wave) in cluster.pool_waves().iter().enumerate() {
        let mut needs: BTreeMap<String, (u64, Vec<PoolShare>)> = BTreeMap::new();
        for name in wave {
            let Some(idx) = pools.iter().position(|p| *p.name == **name) else {
                continue;
            };
            let pool = &pools[idx];
            let Some(extra) = extra_nodes(cluster, idx, pool).filter(|n| *n > 0) else {
                continue;
            };
            let max_pods = pool.max_pods.map_or(DEFAULT_MAX_PODS, u64::from);
            let pod_subnet = pool.pod_subnet_id.as_deref().filter(|_| azure_cni);
            let mut add = |id: &str, per_node: u64| {
                let need = needs.entry(id.to_ascii_lowercase()).or_default();
                need.0 += extra * per_node;
                need.1.push((idx, extra, per_node));
            };
            if let Some(id) = &pool.vnet_subnet_id {
                let per_node = if pods_on_nodes && pod_subnet.is_none() {
                    1 + max_pods
                } else {
                    1
                };
                add(id, per_node);
            }
            if let Some(id) = pod_subnet {
                // Static block allocation reserves whole /28 blocks per node.
                let per_node = if pool.pod_ip_allocation_mode == Some(PodIpAllocationMode::StaticBlock) {
                    max_pods.div_ceil(16) * 16
                } else {
                    max_pods
                };
                add(id, per_node);
            }
        }
        for (id, (amount, pools)) in needs {
            if let Some(subnet) = live.subnet(&id) {
                out.push(Need {
                    wave: wave_no,
                    of: subnet,
                    amount,
                    pools,
                });
            }
        }
    }
    out
}

/// The vCPUs each saved quota (the VM family's and the regional `cores`) must have left, wave by
/// wave, and the pools whose VM size is not in the saved VM sizes (their vCPUs are not known).
pub fn quota_needs<'a>(cluster: &ClusterView<'a>) -> (Vec<Need<'a, UsageEntry>>, Vec<usize>) {
    let live = &cluster.resolved.live;
    let mut out = Vec::new();
    let mut unknown = Vec::new();
    let Some(usage) = &live.vm_usage else {
        return (out, unknown);
    };
    let pools = cluster.pools();
    for (wave_no, wave) in cluster.pool_waves().iter().enumerate() {
        let mut needs: BTreeMap<String, (u64, Vec<PoolShare>)> = BTreeMap::new();
        for name in wave {
            let Some(idx) = pools.iter().position(|p| *p.name == **name) else {
                continue;
            };
            let pool = &pools[idx];
            let Some(extra) = extra_nodes(cluster, idx, pool).filter(|n| *n > 0) else {
                continue;
            };
            let sku = pool
                .vm_size
                .as_deref()
                .and_then(|size| live.vm_skus.get(&size.to_ascii_lowercase()));
            let Some(sku) = sku else {
                if !unknown.contains(&idx) {
                    unknown.push(idx);
                }
                continue;
            };
            for quota in [sku.family.to_ascii_lowercase(), "cores".to_owned()] {
                let need = needs.entry(quota).or_default();
                need.0 += extra * sku.vcpus;
                need.1.push((idx, extra, sku.vcpus));
            }
        }
        for (quota, (amount, pools)) in needs {
            if let Some(entry) = usage.entries.get(&quota) {
                out.push(Need {
                    wave: wave_no,
                    of: entry,
                    amount,
                    pools,
                });
            }
        }
    }
    (out, unknown)
}

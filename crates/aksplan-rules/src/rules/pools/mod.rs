//! Node pools against the control plane (`aks-upgrade-rules.md` §1, §2.2).

use super::Rule;

mod aks110_major;
mod aks111_newer;
mod aks112_behind;
mod aks113_kubelet_skew;
mod aks114_pool_hops;
mod aks115_node_image;

pub const RULES: &[Rule] = &[
    Rule {
        code: aks110_major::CODE,
        check: aks110_major::check,
    },
    Rule {
        code: aks111_newer::CODE,
        check: aks111_newer::check,
    },
    Rule {
        code: aks112_behind::CODE,
        check: aks112_behind::check,
    },
    Rule {
        code: aks113_kubelet_skew::CODE,
        check: aks113_kubelet_skew::check,
    },
    Rule {
        code: aks114_pool_hops::CODE,
        check: aks114_pool_hops::check,
    },
    Rule {
        code: aks115_node_image::CODE,
        check: aks115_node_image::check,
    },
];

use aksplan_model::finding::Finding;

use crate::Context;
use crate::skew::{PoolSkew, aks_pool_skew};

/// Runs `report` for every pool whose AKS skew against the current control plane matches.
fn each_pool_skew(
    ctx: &Context<'_>,
    out: &mut Vec<Finding>,
    report: impl Fn(&crate::ClusterView<'_>, usize, PoolSkew) -> Option<Finding>,
) {
    for cluster in ctx.clusters() {
        let Some(control_plane) = cluster.current_version() else {
            continue;
        };
        for idx in 0..cluster.pools().len() {
            let Some(pool) = cluster.pool_version(idx) else {
                continue;
            };
            if let Some(finding) = report(&cluster, idx, aks_pool_skew(control_plane, pool)) {
                out.push(finding);
            }
        }
    }
}

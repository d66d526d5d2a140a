//! Node pools against the control plane (`aks-upgrade-rules.md` §1, §2.2).

use super::Rule;

pub mod aks110_major;
pub mod aks111_newer;
pub mod aks112_behind;
pub mod aks113_kubelet_skew;
pub mod aks114_pool_hops;
pub mod aks115_node_image;
pub mod aks116_no_system_pool;

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
    Rule {
        code: aks116_no_system_pool::CODE,
        check: aks116_no_system_pool::check,
    },
];

use aksplan_model::codes::Code;
use aksplan_model::finding::Finding;

use crate::skew::{PoolSkew, aks_pool_skew};
use crate::{ClusterView, Context};

/// Runs `report` for every pool whose AKS skew against the current control plane matches.
fn each_pool_skew(
    ctx: &Context<'_>,
    out: &mut Vec<Finding>,
    report: impl Fn(&ClusterView<'_>, usize, PoolSkew) -> Option<Finding>,
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

/// `finding` at the pool's version, with the control plane's version as the second label.
fn at_pool_version(
    finding: Finding,
    cluster: &ClusterView<'_>,
    idx: usize,
    label: impl Into<String>,
) -> Finding {
    finding
        .at(cluster.pool_label(idx, "orchestratorVersion").with_message(label))
        .also(cluster.current_version_label().with_message("control plane"))
}

/// The finding of a pool whose version is `relation` the control plane's (AKS110, AKS111).
fn pool_version_finding(
    code: Code,
    cluster: &ClusterView<'_>,
    idx: usize,
    relation: &str,
    label: &str,
) -> Finding {
    let pool = &cluster.pools()[idx];
    let message = format!(
        "node pool `{}` of cluster `{}` is on `{}`, {relation} the control plane's `{}`",
        pool.name,
        cluster.name(),
        pool.orchestrator_version,
        cluster.resolved.current.kubernetes_version
    );
    at_pool_version(Finding::new(code, message), cluster, idx, label)
}

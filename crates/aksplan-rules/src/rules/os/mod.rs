//! Operating systems of node pools (`aks-upgrade-rules.md` §5.5, §5.6).

use aksplan_model::finding::Finding;
use aksplan_model::plan::{OsSku, OsType};

use super::Rule;
use crate::ClusterView;

pub mod aks160_windows_version;
mod aks161_system_not_linux;

pub const RULES: &[Rule] = &[
    Rule {
        code: aks160_windows_version::CODE,
        check: aks160_windows_version::check,
    },
    Rule {
        code: aks161_system_not_linux::CODE,
        check: aks161_system_not_linux::check,
    },
];

/// Whether pool `idx` runs Windows: `osType: Windows`, or a Windows `osSKU`.
fn is_windows(cluster: &ClusterView<'_>, idx: usize) -> bool {
    let pool = &cluster.pools()[idx];
    pool.os_type == OsType::Windows
        || matches!(
            pool.os_sku,
            Some(OsSku::Windows2019 | OsSku::Windows2022 | OsSku::Windows2025 | OsSku::WindowsAnnual)
        )
}

/// Whether pool `idx` writes `field` (in the plan, or in the saved `az` output with its `az`
/// spelling).
fn writes(cluster: &ClusterView<'_>, idx: usize, field: &str) -> bool {
    let Some(base) = cluster.resolved.pool_pointers.get(idx) else {
        return false;
    };
    let spellings: &[&str] = match field {
        "osSKU" => &["osSKU", "osSku"],
        other => &[other],
    };
    spellings.iter().any(|name| {
        cluster
            .resolved
            .pools_doc
            .map
            .has_value(&format!("{base}/{name}"))
    })
}

/// Places `finding` on the first of `fields` that pool `idx` writes (in the plan or the saved `az`
/// output; on the pool's name when none is written), with its plan pointer when the pool is
/// written in the plan.
fn at_pool_field(
    finding: Finding,
    cluster: &ClusterView<'_>,
    idx: usize,
    fields: &[&str],
    label: &str,
) -> Finding {
    let field = fields
        .iter()
        .copied()
        .find(|f| writes(cluster, idx, f))
        .unwrap_or("name");
    let finding = finding.at(cluster.pool_label(idx, field).with_message(label));
    match cluster.pool_pointer_in_plan(idx) {
        Some(base) => finding.pointer(format!("{base}/{field}")),
        None => finding,
    }
}

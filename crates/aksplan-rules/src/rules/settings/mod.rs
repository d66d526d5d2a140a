//! Node pool upgrade settings (`aks-upgrade-rules.md` §5.1, §5.5, §5.7).

use aksplan_model::finding::{Finding, Label};
use aksplan_model::plan::{CountOrPercent, NodePool, UpgradeSettings};
use aksplan_model::version::KubeVersion;

use super::Rule;
use crate::{ClusterView, Context};

pub mod aks150_max_surge_range;
pub mod aks151_system_max_unavailable;
pub mod aks152_surge_and_unavailable;
pub mod aks153_no_progress;
pub mod aks154_drain_timeout;
pub mod aks155_soak_duration;
pub mod aks156_spot_surge;
pub mod aks157_instance_limit;

pub const RULES: &[Rule] = &[
    Rule {
        code: aks150_max_surge_range::CODE,
        check: aks150_max_surge_range::check,
    },
    Rule {
        code: aks151_system_max_unavailable::CODE,
        check: aks151_system_max_unavailable::check,
    },
    Rule {
        code: aks152_surge_and_unavailable::CODE,
        check: aks152_surge_and_unavailable::check,
    },
    Rule {
        code: aks153_no_progress::CODE,
        check: aks153_no_progress::check,
    },
    Rule {
        code: aks154_drain_timeout::CODE,
        check: aks154_drain_timeout::check,
    },
    Rule {
        code: aks155_soak_duration::CODE,
        check: aks155_soak_duration::check,
    },
    Rule {
        code: aks156_spot_surge::CODE,
        check: aks156_spot_surge::check,
    },
    Rule {
        code: aks157_instance_limit::CODE,
        check: aks157_instance_limit::check,
    },
];

/// Runs `visit` for every pool of every resolved cluster, with its upgrade settings (empty when
/// the pool has none).
fn each_pool(ctx: &Context<'_>, mut visit: impl FnMut(&ClusterView<'_>, usize, &NodePool, &UpgradeSettings)) {
    let none = UpgradeSettings::default();
    for cluster in ctx.clusters() {
        for (idx, pool) in cluster.pools().iter().enumerate() {
            visit(
                &cluster,
                idx,
                pool,
                pool.upgrade_settings.as_ref().unwrap_or(&none),
            );
        }
    }
}

/// The plan pointer of a pool field (`upgradeSettings/maxSurge`), or of the pool when the field is
/// not written; `None` when the pool comes from a saved `az` file.
fn field_pointer(cluster: &ClusterView<'_>, idx: usize, field: &str) -> Option<String> {
    let pool = cluster.pool_pointer_in_plan(idx)?;
    let pointer = format!("{pool}/{field}");
    Some(if cluster.doc.map.has_value(&pointer) {
        pointer
    } else {
        pool
    })
}

/// Places `finding` on a pool field (in the plan or in the saved `az` output), with its pointer
/// when the pool is written in the plan.
fn at_field(
    finding: Finding,
    cluster: &ClusterView<'_>,
    idx: usize,
    field: &str,
    label: impl Into<String>,
) -> Finding {
    let finding = finding.at(cluster.pool_label(idx, field).with_message(label));
    match field_pointer(cluster, idx, field) {
        Some(pointer) => finding.pointer(pointer),
        None => finding,
    }
}

/// A secondary label on a pool field.
fn field_label(cluster: &ClusterView<'_>, idx: usize, field: &str, label: impl Into<String>) -> Label {
    cluster.pool_label(idx, field).with_message(label)
}

/// `node pool `NAME` of cluster `CLUSTER``, as messages name a pool.
fn pool_name(cluster: &ClusterView<'_>, pool: &NodePool) -> String {
    format!("node pool `{}` of cluster `{}`", pool.name, cluster.name())
}

/// Whether a count or percentage is above zero.
fn positive(value: CountOrPercent) -> bool {
    match value {
        CountOrPercent::Count(n) | CountOrPercent::Percent(n) => n > 0,
    }
}

/// Surge nodes for a pool of `size` nodes: a percentage rounds up; never more than the pool.
pub(crate) fn surge_nodes(size: u64, surge: CountOrPercent) -> u64 {
    let nodes = match surge {
        CountOrPercent::Count(n) => u64::from(n),
        CountOrPercent::Percent(p) => (size * u64::from(p)).div_ceil(100),
    };
    nodes.min(size)
}

/// The `maxSurge` AKS uses when none is set: `10%` for pools on 1.32 or later, `1` before
/// (AKS-CHANGELOG 2025-03-16). The larger default is taken when any upgrade step of the plan starts
/// with the pool on 1.32 or later: the pool is there now, or the target is 1.33 or later.
fn default_surge(pool_version: Option<KubeVersion>, target: Option<KubeVersion>) -> CountOrPercent {
    let on_132 = pool_version.is_some_and(|v| (v.major, v.minor) >= (1, 32));
    let passes_132 = target.is_some_and(|v| (v.major, v.minor) >= (1, 33));
    if on_132 || passes_132 {
        CountOrPercent::Percent(10)
    } else {
        CountOrPercent::Count(1)
    }
}

/// The surge AKS applies to pool `idx`: its `maxSurge`, or the default.
pub(crate) fn effective_surge(
    cluster: &ClusterView<'_>,
    idx: usize,
    settings: &UpgradeSettings,
) -> CountOrPercent {
    settings
        .max_surge
        .unwrap_or_else(|| default_surge(cluster.pool_version(idx), cluster.target().map(|(v, _)| v)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Option<KubeVersion> {
        KubeVersion::parse(text).ok()
    }

    #[test]
    fn default_surge_is_ten_percent_from_1_32() {
        assert_eq!(default_surge(v("1.31.5"), v("1.32")), CountOrPercent::Count(1));
        assert_eq!(default_surge(v("1.32.0"), v("1.32")), CountOrPercent::Percent(10));
        assert_eq!(default_surge(v("1.31.5"), v("1.33")), CountOrPercent::Percent(10));
        assert_eq!(default_surge(None, None), CountOrPercent::Count(1));
    }
}

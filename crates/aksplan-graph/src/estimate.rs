//! The duration model (documented in `docs/compile.md`).
//!
//! Control plane: a constant. A pool upgrade (Kubernetes or node image): `ceil(count / surge)`
//! batches, each costing provision/reimage + drain + soak. Surge comes from `maxSurge`: a count,
//! or a percentage of the pool rounded up; unset, AKS's default (10% for pools on 1.32 and later,
//! else 1); never more than the pool. Spot pools do not surge: they go `maxUnavailable` nodes at a
//! time (default 1). A pool with `maxSurge: 0` goes `maxUnavailable` nodes at a time.

use aksplan_model::plan::{CountOrPercent, Estimates, NodePool, ScaleSetPriority, UpgradeSettings};
use aksplan_model::version::KubeVersion;

/// Nodes replaced at once.
pub fn batch_size(pool: &NodePool, settings: Option<&UpgradeSettings>, version: KubeVersion) -> u64 {
    let count = u64::from(pool.count.or(pool.min_count).unwrap_or(3)).max(1);
    let resolve = |value: CountOrPercent| match value {
        CountOrPercent::Count(n) => u64::from(n),
        CountOrPercent::Percent(p) => (count * u64::from(p)).div_ceil(100),
    };
    // The plan's settings for the change over the pool's own, field by field (as `nodepool update`
    // leaves the fields it does not set).
    let merged = settings.map(|s| s.over(pool.upgrade_settings.as_ref()));
    let settings = merged.as_ref().or(pool.upgrade_settings.as_ref());
    let unavailable = settings.and_then(|s| s.max_unavailable).map(resolve).unwrap_or(0);
    if pool.scale_set_priority == Some(ScaleSetPriority::Spot) {
        return unavailable.max(1).min(count);
    }
    let default_surge = if (version.major, version.minor) >= (1, 32) {
        CountOrPercent::Percent(10)
    } else {
        CountOrPercent::Count(1)
    };
    let surge = settings
        .and_then(|s| s.max_surge)
        .map_or_else(|| resolve(default_surge), resolve);
    (surge + unavailable).max(1).min(count)
}

/// Minutes to upgrade (or reimage) a pool. A pool some PodDisruptionBudget stops every drain of
/// (`drain_blocked`, from the live facts) waits the whole drain timeout in every batch.
pub fn pool_minutes(
    pool: &NodePool,
    settings: Option<&UpgradeSettings>,
    version: KubeVersion,
    estimates: &Estimates,
    drain_blocked: bool,
) -> u64 {
    let count = u64::from(pool.count.or(pool.min_count).unwrap_or(3)).max(1);
    let batches = count.div_ceil(batch_size(pool, settings, version));
    let merged = settings.map(|s| s.over(pool.upgrade_settings.as_ref()));
    let settings = merged.as_ref().or(pool.upgrade_settings.as_ref());
    let drain_timeout = settings
        .and_then(|s| s.drain_timeout_in_minutes)
        .map_or(30, u64::from);
    let drain = if drain_blocked {
        drain_timeout
    } else {
        u64::from(estimates.drain_minutes).min(drain_timeout)
    };
    let soak = settings
        .and_then(|s| s.node_soak_duration_in_minutes)
        .map_or(0, u64::from);
    batches * (u64::from(estimates.node_minutes) + drain + soak)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(count: u32, surge: Option<CountOrPercent>) -> NodePool {
        NodePool {
            name: "p".into(),
            mode: aksplan_model::plan::PoolMode::User,
            os_type: Default::default(),
            os_sku: None,
            orchestrator_version: "1.33.2".into(),
            node_image_version: None,
            count: Some(count),
            vm_size: None,
            scale_set_priority: None,
            enable_auto_scaling: None,
            min_count: None,
            max_count: None,
            upgrade_settings: surge.map(|s| UpgradeSettings {
                max_surge: Some(s),
                ..Default::default()
            }),
            strategy: Default::default(),
            max_pods: None,
            vnet_subnet_id: None,
            pod_subnet_id: None,
            pod_ip_allocation_mode: None,
            node_taints: Vec::new(),
            node_labels: Default::default(),
        }
    }

    #[test]
    fn batches_follow_surge() {
        let v = KubeVersion::parse("1.33.2").unwrap();
        let old = KubeVersion::parse("1.31.2").unwrap();
        let e = Estimates::default();
        // 12 nodes, 25% -> 3 per batch -> 4 batches x (10 + 5) minutes.
        assert_eq!(
            pool_minutes(&pool(12, Some(CountOrPercent::Percent(25))), None, v, &e, false),
            60
        );
        // Blocked drains wait the whole timeout (30 minutes by default): 4 x (10 + 30).
        assert_eq!(
            pool_minutes(&pool(12, Some(CountOrPercent::Percent(25))), None, v, &e, true),
            160
        );
        // 33% of 10 rounds up to 4 -> 3 batches.
        assert_eq!(
            batch_size(&pool(10, Some(CountOrPercent::Percent(33))), None, v),
            4
        );
        // Unset: 10% (rounded up to 1) from 1.32, else 1.
        assert_eq!(batch_size(&pool(30, None), None, v), 3);
        assert_eq!(batch_size(&pool(30, None), None, old), 1);
        // Never more than the pool.
        assert_eq!(batch_size(&pool(2, Some(CountOrPercent::Count(5))), None, v), 2);
    }
}

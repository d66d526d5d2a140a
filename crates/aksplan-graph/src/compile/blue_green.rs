//! Blue-green replacements, at the final control-plane version: a new pool at that version (on a
//! Windows Server version it supports), then cordon, drain and delete the old one.

use std::sync::Arc;

use aksplan_model::plan::{NodePool, OsSku, OsType, PoolUpgradeStrategy};
use aksplan_model::version::KubeVersion;
use aksplan_rules::rules::os::aks160_windows_version;

use super::builder::provenance;
use super::cluster::ClusterBuild;
use crate::estimate::pool_minutes;
use crate::step::StepKind;

/// A blue-green replacement name within AKS's length limit (Linux 12, Windows 6).
fn replacement_name(pool: &NodePool, taken: &[String]) -> String {
    let limit = if pool.os_type == OsType::Windows { 6 } else { 12 };
    for suffix in ["b", "g", "2", "3", "4"] {
        let mut base: String = pool.name.to_string();
        base.truncate(limit - suffix.len());
        let candidate = format!("{base}{suffix}");
        if *candidate != *pool.name && !taken.contains(&candidate) {
            return candidate;
        }
    }
    format!("{}x", &pool.name[..pool.name.len().min(limit - 1)])
}

/// The OS SKU of a blue-green replacement: a Windows Server version the target supports.
fn replacement_sku(pool: &NodePool, target: KubeVersion) -> Option<OsSku> {
    let minor = (target.major, target.minor);
    match pool.os_sku {
        Some(OsSku::Windows2019) if minor >= (1, 37) => Some(OsSku::Windows2025),
        Some(OsSku::Windows2019) if minor >= (1, 33) => Some(OsSku::Windows2022),
        Some(OsSku::Windows2022) if minor >= (1, 37) => Some(OsSku::Windows2025),
        None if pool.os_type == OsType::Windows && minor >= (1, 37) => Some(OsSku::Windows2025),
        other => other,
    }
}

impl ClusterBuild<'_, '_> {
    /// Every blue-green pool below the control plane is replaced.
    pub(super) fn blue_green(&mut self) {
        let view = self.view;
        let blue_green: Vec<NodePool> = view
            .pools()
            .iter()
            .filter(|p| p.strategy == PoolUpgradeStrategy::BlueGreen)
            .cloned()
            .collect();
        for pool in blue_green {
            self.replace(&pool);
        }
    }

    fn replace(&mut self, pool: &NodePool) {
        let view = self.view;
        let name = self.name();
        let config_minutes = self.config_minutes();
        let Some(&version) = self.state.pools.get(&pool.name) else {
            return;
        };
        let cp = self.state.control_plane;
        if version >= cp {
            return;
        }
        let taken: Vec<String> = self.state.pools.keys().map(str::to_owned).collect();
        let new_pool = replacement_name(pool, &taken);
        let os_sku = replacement_sku(pool, cp);
        let pool_pointer =
            view.pool_pointer_in_plan(view.pools().iter().position(|p| p.name == pool.name).unwrap_or(0));
        let field = pool_pointer.map(|p| format!("{p}/strategy"));
        let minutes = pool_minutes(
            pool,
            None,
            cp,
            self.estimates(),
            view.resolved.live.drain_blocked(&pool.name),
        );
        let mut after = (*self.state).clone();
        after.pools.insert(&new_pool, cp);
        let sku_note = match (pool.os_sku, os_sku) {
            (Some(old), Some(new)) if old != new => {
                format!(" on `{new:?}` (`{old:?}` cannot run `{}`)", cp.minor_version())
            }
            _ => String::new(),
        };
        self.sequential(
            format!("{name}/pool/{}/blue-green/create", pool.name),
            StepKind::BlueGreenCreate {
                pool: Arc::clone(&pool.name),
                new_pool: new_pool.clone(),
                to: cp,
                os_sku,
            },
            provenance(
                format!(
                    "blue-green: new pool `{new_pool}` at `{cp}`{sku_note} replaces `{}`",
                    pool.name
                ),
                Some(aks160_windows_version::CODE),
                field.clone(),
                None,
            ),
            Some(after),
            minutes,
        );
        self.sequential(
            format!("{name}/pool/{}/blue-green/cordon", pool.name),
            StepKind::BlueGreenCordon {
                pool: Arc::clone(&pool.name),
            },
            provenance(
                format!("blue-green: no new pods on `{}`", pool.name),
                None,
                field.clone(),
                None,
            ),
            None,
            config_minutes,
        );
        self.sequential(
            format!("{name}/pool/{}/blue-green/drain", pool.name),
            StepKind::BlueGreenDrain {
                pool: Arc::clone(&pool.name),
            },
            provenance(
                format!("blue-green: move the pods of `{}` to `{new_pool}`", pool.name),
                None,
                field.clone(),
                None,
            ),
            None,
            minutes,
        );
        let mut after = (*self.state).clone();
        after.pools.remove(&pool.name);
        self.sequential(
            format!("{name}/pool/{}/blue-green/delete", pool.name),
            StepKind::BlueGreenDelete {
                pool: Arc::clone(&pool.name),
            },
            provenance(
                format!("blue-green: delete the drained pool `{}`", pool.name),
                None,
                field,
                None,
            ),
            Some(after),
            config_minutes,
        );
        self.upgraded.push(pool.name.to_string());
    }
}

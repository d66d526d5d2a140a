//! Pool steps: the plan's upgrade settings first, then rounds of pool upgrades in the plan's
//! waves. A round moves every pool that has somewhere to go one step (a wave after the one
//! before it); rounds repeat until no pool moves.

use std::sync::Arc;

use aksplan_catalog::Catalog;
use aksplan_model::codes::Code;
use aksplan_model::plan::PoolUpgradeStrategy;
use aksplan_model::version::KubeVersion;
use aksplan_rules::ClusterView;

use super::builder::provenance;
use super::cluster::ClusterBuild;
use crate::estimate::pool_minutes;
use crate::step::{Step, StepKind};

/// Where a pool on a version goes next in a round, if anywhere.
pub(super) type Next<'r, 'a, 'c> =
    &'r dyn Fn(&ClusterBuild<'a, 'c>, &str, KubeVersion) -> Option<KubeVersion>;

/// Why a pool moves to a version.
pub(super) type Reason<'r> = &'r dyn Fn(&str, KubeVersion) -> String;

/// Pools grouped into waves ([`ClusterView::pool_waves`]: the rules judge the same waves).
pub(super) fn waves(view: &ClusterView<'_>) -> Vec<Vec<String>> {
    view.pool_waves()
}

/// The exact version a pool gets when it moves to `minor` under a control plane on `cp`: the
/// control plane's own version on its minor, else the minor's latest patch offered to the
/// cluster's support plan (the minor itself when the catalog lists none: the script reads the
/// patch live).
fn pool_version_for(catalog: &Catalog, minor: u64, cp: KubeVersion, lts: bool) -> KubeVersion {
    if minor == cp.minor {
        return cp;
    }
    catalog
        .resolve_for(KubeVersion::new(cp.major, minor, None), lts)
        .version()
}

impl<'a, 'c> ClusterBuild<'a, 'c> {
    /// Upgrade settings the plan sets, before any pool moves (one step per pool, in parallel).
    pub(super) fn pool_settings(&mut self) {
        let view = self.view;
        let name = self.name();
        let config_minutes = self.config_minutes();
        let cluster_pointer = view.pointer();
        let mut settings_steps = Vec::new();
        for (pool, settings) in &view.spec.pool_settings {
            if !self.state.pools.contains_key(pool) {
                continue;
            }
            // The pool's name as the plan's pools hold it, shared.
            let shared = self
                .pool(pool)
                .map_or_else(|| Arc::from(pool.as_str()), |p| Arc::clone(&p.name));
            let id = self.builder.add(Step {
                id: format!("{name}/pool/{pool}/settings").into(),
                cluster: Some(name.clone()),
                kind: StepKind::PoolSettings {
                    pool: shared,
                    settings: settings.clone(),
                },
                provenance: provenance(
                    format!("the plan sets the upgrade settings of pool `{pool}` for the change"),
                    None,
                    Some(format!("{cluster_pointer}/poolSettings/{pool}")),
                    None,
                ),
                before: None,
                after: None,
                estimate_minutes: config_minutes,
                depends_on: self.frontier.clone(),
            });
            settings_steps.push(id);
        }
        if !settings_steps.is_empty() {
            self.frontier = settings_steps;
        }
    }

    /// The pools left below the control plane follow it to the target (after the last hop).
    pub(super) fn pools_to_target(&mut self, last_hop: Option<KubeVersion>) {
        self.pool_rounds(
            &Self::follow_control_plane,
            &|pool, to| format!("pool `{pool}` to `{to}`, towards the target"),
            None,
            last_hop,
        );
    }

    /// Rounds of pool steps until no pool moves.
    pub(super) fn pool_rounds(
        &mut self,
        next: Next<'_, 'a, 'c>,
        reason: Reason<'_>,
        rule: Option<Code>,
        hop: Option<KubeVersion>,
    ) {
        while self.pool_round(next, reason, rule, hop) {}
    }

    /// One round of pool steps in waves: `next(pool, version)` says where a pool goes, if
    /// anywhere. Whether any pool moved.
    fn pool_round(
        &mut self,
        next: Next<'_, 'a, 'c>,
        reason: Reason<'_>,
        rule: Option<Code>,
        hop: Option<KubeVersion>,
    ) -> bool {
        let mut round: Vec<Arc<str>> = Vec::new();
        let mut previous_wave: Vec<Arc<str>> = Vec::new();
        for wave in waves(self.view) {
            let mut this_wave = Vec::new();
            for pool_name in &wave {
                let Some(current) = self.state.pools.get(pool_name).copied() else {
                    continue;
                };
                let Some(to) = next(self, pool_name, current) else {
                    continue;
                };
                let Some(pool) = self.pool(pool_name).cloned() else {
                    continue;
                };
                let mut after = (*self.state).clone();
                after.pools.insert(pool_name, to);
                let after = self.builder.state(after);
                let mut depends_on = self.frontier.clone();
                depends_on.extend(previous_wave.iter().cloned());
                let minutes = pool_minutes(
                    &pool,
                    self.settings_for(pool_name),
                    to,
                    self.estimates(),
                    self.view.resolved.live.drain_blocked(pool_name),
                );
                let id = self.builder.add(Step {
                    id: format!("{}/pool/{pool_name}/{to}", self.name()).into(),
                    cluster: Some(self.name()),
                    kind: StepKind::PoolUpgrade {
                        pool: Arc::clone(&pool.name),
                        to,
                    },
                    provenance: provenance(reason(pool_name, to), rule, None, hop),
                    before: Some(Arc::clone(&self.state)),
                    after: Some(Arc::clone(&after)),
                    estimate_minutes: minutes,
                    depends_on,
                });
                self.state = after;
                if !self.upgraded.contains(pool_name) {
                    self.upgraded.push(pool_name.clone());
                }
                this_wave.push(id);
            }
            if !this_wave.is_empty() {
                round.extend(this_wave.iter().cloned());
                previous_wave = this_wave;
            }
        }
        if round.is_empty() {
            return false;
        }
        self.frontier = round;
        true
    }

    /// The next version of a pool moving towards `goal_minor`: one minor, or straight there when
    /// the pool's own `nodepool get-upgrades` offers it (only from the version it was saved at).
    pub(super) fn step_towards(
        &self,
        pool: &str,
        current: KubeVersion,
        goal_minor: u64,
    ) -> Option<KubeVersion> {
        if current.minor >= goal_minor {
            return None;
        }
        let cp = self.state.control_plane;
        let offered_jump = self
            .view
            .resolved
            .pool_upgrade_profiles
            .get(pool)
            .is_some_and(|profile| {
                profile
                    .kubernetes_version
                    .is_some_and(|v| v.minor == current.minor)
                    && profile
                        .upgrades
                        .iter()
                        .any(|u| u.kubernetes_version.minor == goal_minor)
            });
        let minor = if offered_jump {
            goal_minor
        } else {
            current.minor + 1
        };
        let lts = self.view.is_lts();
        // The pool's own upgrade list, taken at the version it is on now, names the exact patch
        // AKS offers it (the catalog may list none for the cluster's plan).
        let from_profile = self
            .view
            .resolved
            .pool_upgrade_profiles
            .get(pool)
            .and_then(|profile| {
                if profile.kubernetes_version != Some(current) || minor == cp.minor {
                    return None;
                }
                profile
                    .upgrades
                    .iter()
                    .filter(|u| !u.is_preview && u.kubernetes_version.minor == minor)
                    .map(|u| u.kubernetes_version)
                    .filter(|v| lts || !aksplan_catalog::is_lts_patch(*v))
                    .max()
            });
        Some(from_profile.unwrap_or_else(|| pool_version_for(self.ctx.catalog, minor, cp, lts)))
    }

    /// A pool (not blue-green) follows the control plane: towards its minor, then to its exact
    /// version.
    pub(super) fn follow_control_plane(&self, pool: &str, current: KubeVersion) -> Option<KubeVersion> {
        if self.is_blue_green(pool) {
            return None;
        }
        let cp = self.state.control_plane;
        if current.minor < cp.minor {
            self.step_towards(pool, current, cp.minor)
        } else if current < cp {
            Some(cp)
        } else {
            None
        }
    }

    pub(super) fn is_blue_green(&self, pool: &str) -> bool {
        self.pool(pool)
            .is_some_and(|p| p.strategy == PoolUpgradeStrategy::BlueGreen)
    }
}

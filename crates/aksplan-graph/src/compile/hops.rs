//! One control-plane hop with the pool rounds it needs: under `lockstep`, pools catch up to the
//! control plane's minor first; pools that would fall out of the skew window at the new version
//! move before it; then the hop itself (control plane only, or a full upgrade that takes every
//! pool along); under `lockstep`, pools follow it.

use aksplan_model::codes::Code;
use aksplan_model::plan::PoolStrategy;
use aksplan_model::version::KubeVersion;
use aksplan_rules::rules::control_plane::aks104_one_minor_path;
use aksplan_rules::rules::pools::aks112_behind;
use aksplan_rules::rules::state::aks125_unsupported_start;
use aksplan_rules::skew::{Hop, aks_window};

use super::builder::provenance;
use super::channels::{ChannelChoice, channel_name};
use super::cluster::ClusterBuild;
use crate::estimate::pool_minutes;
use crate::step::StepKind;

/// The version a cluster is going to.
pub(super) struct Target {
    /// As the plan names it (`1.35` or `1.35.3`).
    pub(super) named: KubeVersion,
    /// The catalog's exact version (the latest patch of a named minor, or the minor itself).
    pub(super) exact: KubeVersion,
    /// The plan field that sets it.
    pub(super) pointer: String,
}

impl ClusterBuild<'_, '_> {
    pub(super) fn hop(&mut self, route_hop: Hop, target: &Target, channels: &ChannelChoice) {
        let hop = route_hop.to();
        if route_hop.recovery {
            // The recovery upgrade takes every pool along, however far behind: nothing before it.
            let from = self.state.control_plane;
            self.full_upgrade(
                hop,
                target,
                format!(
                    "recovery from `{from}`, out of support on {}: one full upgrade to `{hop}`, the lowest community minor AKS offers; AKS allows no control-plane-only upgrade from an unsupported version",
                    self.ctx.as_of
                ),
                aks125_unsupported_start::CODE,
            );
            return;
        }
        let lockstep = self.ctx.plan.spec.strategy.pools == PoolStrategy::Lockstep;
        // From a version out of support every hop is a full upgrade (AKS125 reports a plan whose
        // target no recovery upgrade reaches).
        let full_upgrades = channels.full_upgrades || route_hop.full;
        let window = aks_window(hop);
        // Lockstep: pools behind the control plane's minor catch up before the hop, so that no
        // pool trails by more than one minor after any hop.
        if lockstep && !full_upgrades {
            self.pool_rounds(
                &|b, pool, v| {
                    if b.is_blue_green(pool) {
                        return None;
                    }
                    b.step_towards(pool, v, b.state.control_plane.minor)
                },
                &|pool, to| {
                    format!(
                        "lockstep: pool `{pool}` catches up to `{to}` before the control-plane hop to `{hop}`"
                    )
                },
                None,
                Some(hop),
            );
        }
        // Pools that would fall out of the window at the new control plane move first.
        let floor = hop.minor.saturating_sub(window);
        self.pool_rounds(
            &|b, pool, v| {
                if full_upgrades && !b.is_blue_green(pool) {
                    b.step_towards(pool, v, b.state.control_plane.minor)
                } else {
                    b.step_towards(pool, v, floor)
                }
            },
            &|pool, to| {
                if full_upgrades && to.minor > floor {
                    format!("pool `{pool}` catches up to `{to}` first: the full upgrade to `{hop}` moves every pool one minor")
                } else {
                    format!("keeps pool `{pool}` within {window} minors of the control-plane hop to `{hop}`")
                }
            },
            Some(aks112_behind::CODE),
            Some(hop),
        );
        if full_upgrades {
            let (why, code) = if channels.full_upgrades {
                (
                    format!(
                        "hop to `{hop}`: control plane and every pool together, as auto-upgrade channel `{}` requires",
                        channel_name(channels.current.upgrade_channel)
                    ),
                    aks104_one_minor_path::CODE,
                )
            } else {
                (
                    format!(
                        "hop to `{hop}`: control plane and every pool together, as AKS requires from a version out of support on {}",
                        self.ctx.as_of
                    ),
                    aks125_unsupported_start::CODE,
                )
            };
            self.full_upgrade(hop, target, why, code);
            return;
        }
        self.control_plane_upgrade(hop, target);
        if lockstep {
            self.pool_rounds(
                &Self::follow_control_plane,
                &|pool, to| format!("lockstep: pool `{pool}` follows the control plane to `{to}`"),
                None,
                Some(hop),
            );
        }
    }

    /// `az aks upgrade` without `--control-plane-only`: the control plane and every pool.
    fn full_upgrade(&mut self, hop: KubeVersion, target: &Target, why: String, code: Code) {
        let view = self.view;
        let estimates = self.estimates();
        let mut after = (*self.state).clone();
        after.control_plane = hop;
        for version in after.pools.values_mut() {
            *version = hop;
        }
        let minutes = u64::from(estimates.control_plane_minutes)
            + view
                .pools()
                .iter()
                .map(|p| {
                    pool_minutes(
                        p,
                        view.spec.pool_settings.get(&*p.name),
                        hop,
                        estimates,
                        view.resolved.live.drain_blocked(&p.name),
                    )
                })
                .sum::<u64>();
        let name = self.name();
        self.sequential(
            format!("{name}/full/{hop}"),
            StepKind::FullUpgrade { to: hop },
            provenance(why, Some(code), Some(target.pointer.clone()), Some(hop)),
            Some(after),
            minutes,
        );
        let all: Vec<String> = self.state.pools.keys().map(str::to_owned).collect();
        self.upgraded.extend(all);
    }

    /// `az aks upgrade --control-plane-only`.
    fn control_plane_upgrade(&mut self, hop: KubeVersion, target: &Target) {
        let mut after = (*self.state).clone();
        after.control_plane = hop;
        let name = self.name();
        let minutes = u64::from(self.estimates().control_plane_minutes);
        self.sequential(
            format!("{name}/cp/{hop}"),
            StepKind::ControlPlaneUpgrade { to: hop },
            provenance(
                if hop == target.exact {
                    format!("the target `{}`", target.named)
                } else {
                    format!(
                        "one-minor hop to `{}` on the way to `{}`",
                        hop.minor_version(),
                        target.named
                    )
                },
                Some(aks104_one_minor_path::CODE),
                Some(target.pointer.clone()),
                Some(hop),
            ),
            Some(after),
            minutes,
        );
    }
}

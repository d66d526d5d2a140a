//! One cluster: its start, its control-plane route, and its phases in the order they run.

use std::sync::Arc;

use aksplan_model::plan::{Estimates, NodePool, UpgradeSettings};
use aksplan_model::version::KubeVersion;
use aksplan_rules::skew::RouteKind;
use aksplan_rules::{ClusterView, Context};

use super::ClusterPlan;
use super::builder::Builder;
use super::channels::ChannelChoice;
use super::hops::Target;
use crate::step::{ClusterState, PoolVersions, Provenance, Step, StepKind};

/// A cluster being compiled: its version state and the steps the next one waits for. The phases
/// are methods, one module each.
pub(super) struct ClusterBuild<'a, 'c> {
    pub(super) ctx: &'a Context<'c>,
    pub(super) view: &'a ClusterView<'c>,
    pub(super) builder: &'a mut Builder,
    pub(super) state: Arc<ClusterState>,
    /// The cluster's name ([`ClusterBuild::name`]).
    pub(super) name: Arc<str>,
    pub(super) frontier: Vec<Arc<str>>,
    /// Pools that got a Kubernetes upgrade (no node-image-only step needed afterwards).
    pub(super) upgraded: Vec<String>,
}

impl ClusterBuild<'_, '_> {
    /// The cluster's name, the one text its steps share.
    pub(super) fn name(&self) -> Arc<str> {
        Arc::clone(&self.name)
    }

    pub(super) fn pool(&self, name: &str) -> Option<&NodePool> {
        self.view.pools().iter().find(|p| *p.name == *name)
    }

    pub(super) fn settings_for(&self, pool: &str) -> Option<&UpgradeSettings> {
        self.view.spec.pool_settings.get(pool)
    }

    pub(super) fn estimates(&self) -> &Estimates {
        &self.ctx.plan.spec.estimates
    }

    /// Minutes of a configuration change (settings, channels, maintenance, cordon).
    pub(super) fn config_minutes(&self) -> u64 {
        u64::from(self.estimates().config_minutes)
    }

    /// Adds a step after the frontier; it becomes the frontier.
    pub(super) fn sequential(
        &mut self,
        id: String,
        kind: StepKind,
        provenance: Provenance,
        after: Option<ClusterState>,
        minutes: u64,
    ) {
        let after = after.map(|after| self.builder.state(after));
        let before = after.as_ref().map(|_| Arc::clone(&self.state));
        let id = self.builder.add(Step {
            id: id.into(),
            cluster: Some(self.name()),
            kind,
            provenance,
            before,
            after: after.clone(),
            estimate_minutes: minutes,
            depends_on: self.frontier.clone(),
        });
        if let Some(after) = after {
            self.state = after;
        }
        self.frontier = vec![id];
    }
}

/// The cluster's versions before the change (pools whose version cannot be read are left out).
fn start_state(view: &ClusterView<'_>, control_plane: KubeVersion) -> ClusterState {
    let pools: PoolVersions = view
        .pools()
        .iter()
        .filter_map(|p| {
            KubeVersion::parse(&p.orchestrator_version)
                .ok()
                .map(|v| (p.name.clone(), v))
        })
        .collect();
    ClusterState { control_plane, pools }
}

/// Compiles one cluster after the steps in `entry`: its route, and the steps the next stage
/// waits for. `None` when the cluster has no readable current version or target.
pub(super) fn compile_cluster(
    ctx: &Context<'_>,
    view: &ClusterView<'_>,
    stage: Option<String>,
    entry: &[Arc<str>],
    builder: &mut Builder,
) -> Option<(ClusterPlan, Vec<Arc<str>>)> {
    let current = view.current_version()?;
    let (named, pointer) = view.target()?;
    let start = start_state(view, current);
    let lts = view.is_lts();
    let route = view.route(ctx.catalog, ctx.as_of);
    let target = Target {
        named,
        exact: route
            .hops
            .last()
            .map_or_else(|| ctx.catalog.resolve_for(named, lts).version(), |h| h.to()),
        pointer,
    };
    let hops = route.versions();
    let channels = ChannelChoice::new(ctx, view, !hops.is_empty());
    let start = builder.state(start);
    let state = Arc::clone(&start);
    let mut build = ClusterBuild {
        ctx,
        view,
        builder,
        state,
        name: Arc::from(view.name()),
        frontier: entry.to_vec(),
        upgraded: Vec::new(),
    };
    if channels.switched {
        build.channel_off(&channels);
    }
    build.pool_settings();
    for hop in &route.hops {
        build.hop(*hop, &target, &channels);
    }
    // Pools to the target (minimal strategy, and any pool lockstep left behind).
    if !channels.full_upgrades {
        build.pools_to_target(hops.last().copied());
    }
    build.blue_green();
    build.node_images();
    build.maintenance();
    build.channels_after(&channels);
    let plan = ClusterPlan {
        name: view.name().to_owned(),
        stage,
        hops,
        start,
        end: build.state,
        full_upgrades: channels.full_upgrades,
        recovery: route.kind == RouteKind::Recovery,
        channel_switched: channels.switched,
        lts,
        current: std::sync::Arc::clone(&view.resolved.current),
        preflight: super::Preflight::of(view),
    };
    Some((plan, build.frontier))
}

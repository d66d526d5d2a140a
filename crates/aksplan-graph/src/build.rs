//! Building the steps: per cluster, per stage.

use std::collections::{BTreeMap, HashSet};

use aksplan_catalog::Catalog;
use aksplan_model::codes::Code;
use aksplan_model::finding::Finding;
use aksplan_model::plan::{
    ChannelConflict, Channels, NodeImagePolicy, NodePool, OsSku, OsType, PoolMode, PoolStrategy,
    PoolUpgradeStrategy, UpgradeChannel,
};
use aksplan_model::version::KubeVersion;
use aksplan_rules::rules::channels::aks135_control_plane_only;
use aksplan_rules::rules::control_plane::aks104_one_minor_path;
use aksplan_rules::rules::os::aks160_windows_version;
use aksplan_rules::rules::pools::{aks112_behind, aks115_node_image};
use aksplan_rules::skew::{aks_window, control_plane_hops};
use aksplan_rules::{ClusterView, Context};
use serde::Serialize;

use crate::clusters::ClusterIndex;
use crate::estimate::pool_minutes;
use crate::step::{ClusterState, Provenance, Step, StepKind};

/// One cluster's route.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterPlan {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// Control-plane versions, in order.
    #[serde(serialize_with = "versions")]
    pub hops: Vec<KubeVersion>,
    pub start: ClusterState,
    pub end: ClusterState,
    /// Whether hops are full upgrades (control plane and pools together).
    pub full_upgrades: bool,
    /// Whether the auto-upgrade channel is switched off for the change.
    pub channel_switched: bool,
    /// Whether this cluster is on the LTS plan (LTS jumps are allowed).
    #[serde(skip)]
    pub lts: bool,
}

fn versions<S: serde::Serializer>(versions: &[KubeVersion], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(versions.iter().map(ToString::to_string))
}

/// The compiled plan: steps in graph order, each cluster's route, and the verifier's findings.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Compiled {
    pub clusters: Vec<ClusterPlan>,
    pub steps: Vec<Step>,
    #[serde(skip)]
    pub findings: Vec<Finding>,
}

#[derive(Default)]
struct Builder {
    steps: Vec<Step>,
    /// The ids in `steps`, so that a repeated id is found without scanning every step.
    ids: std::collections::HashSet<String>,
}

impl Builder {
    fn add(&mut self, mut step: Step) -> String {
        // Ids are stable; a repeated id (the same pool upgraded to the same version twice cannot
        // happen, but a blue-green replacement name may collide) gets a numbered suffix.
        let base = step.id.clone();
        let mut n = 2;
        while self.ids.contains(&step.id) {
            step.id = format!("{base}#{n}");
            n += 1;
        }
        let id = step.id.clone();
        self.ids.insert(id.clone());
        self.steps.push(step);
        id
    }
}

fn provenance(
    reason: impl Into<String>,
    rule: Option<Code>,
    plan_field: Option<String>,
    hop: Option<KubeVersion>,
) -> Provenance {
    Provenance {
        reason: reason.into(),
        rule,
        plan_field,
        hop: hop.map(|h| h.to_string()),
    }
}

/// Compiles every resolved cluster of the plan, stage by stage, then verifies the result.
pub fn compile(ctx: &Context<'_>) -> Compiled {
    let mut builder = Builder::default();
    let mut clusters = Vec::new();
    let index = ClusterIndex::new(ctx);
    let views = index.views();
    // Stages in order, each with its clusters in the context's order; without a rollout, one
    // unnamed stage with every cluster.
    let stages: Vec<(Option<&aksplan_model::plan::Stage>, Vec<&ClusterView<'_>>)> =
        match &ctx.plan.spec.rollout {
            Some(rollout) => rollout
                .stages
                .iter()
                .map(|stage| {
                    let members: HashSet<&str> = stage.clusters.iter().map(String::as_str).collect();
                    (
                        Some(stage),
                        views.iter().filter(|v| members.contains(v.name())).collect(),
                    )
                })
                .collect(),
            None => vec![(None, views.iter().collect())],
        };
    let mut tail: Vec<String> = Vec::new();
    for (stage_index, (stage, members)) in stages.iter().enumerate() {
        let stage_pointer = format!("/spec/rollout/stages/{stage_index}");
        let mut entry = tail.clone();
        if let Some(stage) = stage
            && stage.approval
        {
            let id = builder.add(Step {
                id: format!("stage/{}/approval", stage.name),
                cluster: None,
                kind: StepKind::ApprovalGate {
                    stage: stage.name.clone(),
                },
                provenance: provenance(
                    format!("stage `{}` starts only after a human approval", stage.name),
                    None,
                    Some(format!("{stage_pointer}/approval")),
                    None,
                ),
                before: None,
                after: None,
                estimate_minutes: 0,
                depends_on: entry.clone(),
            });
            entry = vec![id];
        }
        let mut stage_tail = Vec::new();
        for view in members {
            if let Some((plan, last)) =
                compile_cluster(ctx, view, stage.map(|s| s.name.clone()), &entry, &mut builder)
            {
                clusters.push(plan);
                stage_tail.extend(last);
            }
        }
        if stage_tail.is_empty() {
            stage_tail = entry;
        }
        tail = stage_tail;
        if let Some(stage) = stage
            && let Some(wait) = &stage.after_stage_wait
            && let Ok(seconds) = aksplan_model::time::parse_duration(wait)
            && stage_index + 1 < stages.len()
        {
            let id = builder.add(Step {
                id: format!("stage/{}/wait", stage.name),
                cluster: None,
                kind: StepKind::StageWait {
                    stage: stage.name.clone(),
                    seconds,
                },
                provenance: provenance(
                    format!(
                        "soak: stage `{}` runs for {wait} before the next stage starts",
                        stage.name
                    ),
                    None,
                    Some(format!("{stage_pointer}/afterStageWait")),
                    None,
                ),
                before: None,
                after: None,
                estimate_minutes: seconds.div_ceil(60),
                depends_on: tail.clone(),
            });
            tail = vec![id];
        }
    }
    let mut compiled = Compiled {
        clusters,
        steps: builder.steps,
        findings: Vec::new(),
    };
    match crate::dag::topological_order(&compiled.steps) {
        Ok(order) => {
            let mut steps = std::mem::take(&mut compiled.steps);
            let mut slots: Vec<Option<Step>> = steps.drain(..).map(Some).collect();
            compiled.steps = order.into_iter().filter_map(|idx| slots[idx].take()).collect();
        }
        Err(message) => compiled.findings.push(
            Finding::new(
                crate::VERIFY_CODE,
                format!("the compiled graph is not a graph of steps: {message}"),
            )
            .at(ctx.doc.label("/spec")),
        ),
    }
    // A full upgrade (`az aks upgrade` without `--control-plane-only`) upgrades every pool in
    // place, blue-green pools included: the two choices contradict each other.
    for plan in compiled.clusters.iter().filter(|c| c.full_upgrades) {
        let Some(view) = index.view(&plan.name) else {
            continue;
        };
        for (idx, pool) in view.pools().iter().enumerate() {
            if pool.strategy == PoolUpgradeStrategy::BlueGreen {
                let mut finding = Finding::new(
                    crate::VERIFY_CODE,
                    format!(
                        "cluster `{}`: pool `{}` asks for a blue-green replacement, but `channelConflict: fullUpgrade` upgrades every pool in place at each hop",
                        plan.name, pool.name
                    ),
                )
                .at(view.pool_label(idx, "strategy"))
                .help("use `spec.strategy.channelConflict: switchToNone`, or turn the cluster's auto-upgrade channel off in the plan");
                finding.cluster = Some(plan.name.clone());
                compiled.findings.push(finding);
            }
        }
    }
    compiled.findings.extend(crate::verify(ctx, &compiled));
    compiled
}

/// Pools grouped into waves: the plan's `poolOrder`, else System pools, then the others.
fn waves(view: &ClusterView<'_>) -> Vec<Vec<String>> {
    if let Some(order) = &view.spec.pool_order {
        return order.iter().map(|wave| wave.pools().to_vec()).collect();
    }
    let pools = view.pools();
    let system: Vec<String> = pools
        .iter()
        .filter(|p| p.mode == PoolMode::System)
        .map(|p| p.name.clone())
        .collect();
    let others: Vec<String> = pools
        .iter()
        .filter(|p| p.mode != PoolMode::System)
        .map(|p| p.name.clone())
        .collect();
    [system, others].into_iter().filter(|w| !w.is_empty()).collect()
}

/// The exact version a pool gets when it moves to `minor` under a control plane on `cp`.
fn pool_version_for(catalog: &Catalog, minor: u64, cp: KubeVersion) -> KubeVersion {
    if minor == cp.minor {
        return cp;
    }
    let version = KubeVersion::new(cp.major, minor, None);
    catalog.resolve(version).unwrap_or(version)
}

/// A blue-green replacement name within AKS's length limit (Linux 12, Windows 6).
fn replacement_name(pool: &NodePool, taken: &[String]) -> String {
    let limit = if pool.os_type == OsType::Windows { 6 } else { 12 };
    for suffix in ["b", "g", "2", "3", "4"] {
        let mut base: String = pool.name.clone();
        base.truncate(limit - suffix.len());
        let candidate = format!("{base}{suffix}");
        if candidate != pool.name && !taken.contains(&candidate) {
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

struct ClusterBuild<'a, 'c> {
    ctx: &'a Context<'c>,
    view: &'a ClusterView<'c>,
    builder: &'a mut Builder,
    state: ClusterState,
    frontier: Vec<String>,
    /// Pools that got a Kubernetes upgrade (no node-image-only step needed afterwards).
    upgraded: Vec<String>,
}

impl ClusterBuild<'_, '_> {
    fn name(&self) -> String {
        self.view.name().to_owned()
    }

    fn pool(&self, name: &str) -> Option<&NodePool> {
        self.view.pools().iter().find(|p| p.name == name)
    }

    fn settings_for(&self, pool: &str) -> Option<&aksplan_model::plan::UpgradeSettings> {
        self.view.spec.pool_settings.get(pool)
    }

    fn estimates(&self) -> &aksplan_model::plan::Estimates {
        &self.ctx.plan.spec.estimates
    }

    /// Adds a step after the frontier; it becomes the frontier.
    fn sequential(
        &mut self,
        id: String,
        kind: StepKind,
        provenance: Provenance,
        after: Option<ClusterState>,
        minutes: u64,
    ) {
        let before = after.as_ref().map(|_| self.state.clone());
        let id = self.builder.add(Step {
            id,
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

    /// One round of pool steps in waves: `next(pool, version)` says where a pool goes, if anywhere.
    fn pool_round(
        &mut self,
        next: &dyn Fn(&Self, &str, KubeVersion) -> Option<KubeVersion>,
        reason: &dyn Fn(&str, KubeVersion) -> String,
        rule: Option<Code>,
        hop: Option<KubeVersion>,
    ) -> bool {
        let mut round: Vec<String> = Vec::new();
        let mut previous_wave: Vec<String> = Vec::new();
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
                let mut after = self.state.clone();
                after.pools.insert(pool_name.clone(), to);
                let mut depends_on = self.frontier.clone();
                depends_on.extend(previous_wave.iter().cloned());
                let minutes = pool_minutes(&pool, self.settings_for(pool_name), to, self.estimates());
                let id = self.builder.add(Step {
                    id: format!("{}/pool/{pool_name}/{to}", self.name()),
                    cluster: Some(self.name()),
                    kind: StepKind::PoolUpgrade {
                        pool: pool_name.clone(),
                        to,
                    },
                    provenance: provenance(reason(pool_name, to), rule, None, hop),
                    before: Some(self.state.clone()),
                    after: Some(after.clone()),
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
    fn step_towards(&self, pool: &str, current: KubeVersion, goal_minor: u64) -> Option<KubeVersion> {
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
        Some(pool_version_for(self.ctx.catalog, minor, cp))
    }

    fn is_blue_green(&self, pool: &str) -> bool {
        self.pool(pool)
            .is_some_and(|p| p.strategy == PoolUpgradeStrategy::BlueGreen)
    }
}

fn compile_cluster(
    ctx: &Context<'_>,
    view: &ClusterView<'_>,
    stage: Option<String>,
    entry: &[String],
    builder: &mut Builder,
) -> Option<(ClusterPlan, Vec<String>)> {
    let current = view.current_version()?;
    let (target, target_pointer) = view.target()?;
    let name = view.name().to_owned();
    let catalog = ctx.catalog;
    let target_exact = catalog.resolve(target).unwrap_or(target);
    let pools: BTreeMap<String, KubeVersion> = view
        .pools()
        .iter()
        .filter_map(|p| {
            KubeVersion::parse(&p.orchestrator_version)
                .ok()
                .map(|v| (p.name.clone(), v))
        })
        .collect();
    let start = ClusterState {
        control_plane: current,
        pools,
    };
    let lts = view.is_lts();
    let hops = control_plane_hops(catalog, current, target_exact, lts);
    // Channels: the auto-upgrade channel in force during the change.
    let current_channels = view.resolved.current.channels.clone().unwrap_or_default();
    let auto_upgrade = current_channels
        .upgrade_channel
        .is_some_and(|c| c != UpgradeChannel::None);
    let conflict = ctx.plan.spec.strategy.channel_conflict;
    let full_upgrades = auto_upgrade && conflict == ChannelConflict::FullUpgrade && !hops.is_empty();
    let channel_switched = auto_upgrade && conflict == ChannelConflict::SwitchToNone;
    let mut build = ClusterBuild {
        ctx,
        view,
        builder,
        state: start.clone(),
        frontier: entry.to_vec(),
        upgraded: Vec::new(),
    };
    let config_minutes = u64::from(ctx.plan.spec.estimates.config_minutes);
    let cluster_pointer = view.pointer();
    if channel_switched {
        let to = Channels {
            upgrade_channel: Some(UpgradeChannel::None),
            node_os_upgrade_channel: current_channels.node_os_upgrade_channel,
        };
        build.sequential(
            format!("{name}/channel/off"),
            StepKind::ChannelChange { to, restore: false },
            provenance(
                format!(
                    "auto-upgrade channel `{}` forbids control-plane-only steps; switched to `none` for the change and restored after",
                    serde_json::to_value(current_channels.upgrade_channel).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
                ),
                Some(aks135_control_plane_only::CODE),
                Some("/spec/strategy/channelConflict".into()),
                None,
            ),
            None,
            config_minutes,
        );
    }
    // Upgrade settings the plan sets, before any pool moves (one step per pool, in parallel).
    let mut settings_steps = Vec::new();
    for (pool, settings) in &view.spec.pool_settings {
        if !build.state.pools.contains_key(pool) {
            continue;
        }
        let id = build.builder.add(Step {
            id: format!("{name}/pool/{pool}/settings"),
            cluster: Some(name.clone()),
            kind: StepKind::PoolSettings {
                pool: pool.clone(),
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
            depends_on: build.frontier.clone(),
        });
        settings_steps.push(id);
    }
    if !settings_steps.is_empty() {
        build.frontier = settings_steps;
    }
    let strategy = ctx.plan.spec.strategy.pools;
    for &hop in &hops {
        let window = aks_window(hop);
        // Lockstep: pools behind the control plane's minor catch up before the hop, so that no
        // pool trails by more than one minor after any hop.
        if strategy == PoolStrategy::Lockstep && !full_upgrades {
            loop {
                let moved = build.pool_round(
                    &|b, pool, v| {
                        if b.is_blue_green(pool) {
                            return None;
                        }
                        b.step_towards(pool, v, b.state.control_plane.minor)
                    },
                    &|pool, to| {
                        format!("lockstep: pool `{pool}` catches up to `{to}` before the control-plane hop to `{hop}`")
                    },
                    None,
                    Some(hop),
                );
                if !moved {
                    break;
                }
            }
        }
        // Pools that would fall out of the window at the new control plane move first.
        loop {
            let floor = hop.minor.saturating_sub(window);
            let moved = build.pool_round(
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
            if !moved {
                break;
            }
        }
        if full_upgrades {
            let mut after = build.state.clone();
            after.control_plane = hop;
            for version in after.pools.values_mut() {
                *version = hop;
            }
            let minutes = u64::from(ctx.plan.spec.estimates.control_plane_minutes)
                + view
                    .pools()
                    .iter()
                    .map(|p| {
                        pool_minutes(
                            p,
                            view.spec.pool_settings.get(&p.name),
                            hop,
                            &ctx.plan.spec.estimates,
                        )
                    })
                    .sum::<u64>();
            build.sequential(
                format!("{name}/full/{hop}"),
                StepKind::FullUpgrade { to: hop },
                provenance(
                    format!("hop to `{hop}`: control plane and every pool together, as auto-upgrade channel `{}` requires", serde_json::to_value(current_channels.upgrade_channel).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()),
                    Some(aks104_one_minor_path::CODE),
                    Some(target_pointer.clone()),
                    Some(hop),
                ),
                Some(after),
                minutes,
            );
            let all: Vec<String> = build.state.pools.keys().cloned().collect();
            build.upgraded.extend(all);
            continue;
        }
        let mut after = build.state.clone();
        after.control_plane = hop;
        build.sequential(
            format!("{name}/cp/{hop}"),
            StepKind::ControlPlaneUpgrade { to: hop },
            provenance(
                if hop == target_exact {
                    format!("the target `{target}`")
                } else {
                    format!(
                        "one-minor hop to `{}` on the way to `{target}`",
                        hop.minor_version()
                    )
                },
                Some(aks104_one_minor_path::CODE),
                Some(target_pointer.clone()),
                Some(hop),
            ),
            Some(after),
            u64::from(ctx.plan.spec.estimates.control_plane_minutes),
        );
        if strategy == PoolStrategy::Lockstep {
            loop {
                let moved = build.pool_round(
                    &|b, pool, v| {
                        if b.is_blue_green(pool) {
                            return None;
                        }
                        let cp = b.state.control_plane;
                        if v.minor < cp.minor {
                            b.step_towards(pool, v, cp.minor)
                        } else if v < cp {
                            Some(cp)
                        } else {
                            None
                        }
                    },
                    &|pool, to| format!("lockstep: pool `{pool}` follows the control plane to `{to}`"),
                    None,
                    Some(hop),
                );
                if !moved {
                    break;
                }
            }
        }
    }
    // Pools to the target (minimal strategy, and any pool lockstep left behind).
    if !full_upgrades {
        loop {
            let moved = build.pool_round(
                &|b, pool, v| {
                    if b.is_blue_green(pool) {
                        return None;
                    }
                    let cp = b.state.control_plane;
                    if v.minor < cp.minor {
                        b.step_towards(pool, v, cp.minor)
                    } else if v < cp {
                        Some(cp)
                    } else {
                        None
                    }
                },
                &|pool, to| format!("pool `{pool}` to `{to}`, towards the target"),
                None,
                hops.last().copied(),
            );
            if !moved {
                break;
            }
        }
    }
    // Blue-green replacements, at the final control-plane version.
    let blue_green: Vec<NodePool> = view
        .pools()
        .iter()
        .filter(|p| p.strategy == PoolUpgradeStrategy::BlueGreen)
        .cloned()
        .collect();
    for pool in blue_green {
        let Some(&version) = build.state.pools.get(&pool.name) else {
            continue;
        };
        let cp = build.state.control_plane;
        if version >= cp {
            continue;
        }
        let taken: Vec<String> = build.state.pools.keys().cloned().collect();
        let new_pool = replacement_name(&pool, &taken);
        let os_sku = replacement_sku(&pool, cp);
        let pool_pointer =
            view.pool_pointer_in_plan(view.pools().iter().position(|p| p.name == pool.name).unwrap_or(0));
        let field = pool_pointer.map(|p| format!("{p}/strategy"));
        let minutes = pool_minutes(&pool, None, cp, &ctx.plan.spec.estimates);
        let mut after = build.state.clone();
        after.pools.insert(new_pool.clone(), cp);
        let sku_note = match (pool.os_sku, os_sku) {
            (Some(old), Some(new)) if old != new => {
                format!(" on `{new:?}` (`{old:?}` cannot run `{}`)", cp.minor_version())
            }
            _ => String::new(),
        };
        build.sequential(
            format!("{name}/pool/{}/blue-green/create", pool.name),
            StepKind::BlueGreenCreate {
                pool: pool.name.clone(),
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
        build.sequential(
            format!("{name}/pool/{}/blue-green/cordon", pool.name),
            StepKind::BlueGreenCordon {
                pool: pool.name.clone(),
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
        build.sequential(
            format!("{name}/pool/{}/blue-green/drain", pool.name),
            StepKind::BlueGreenDrain {
                pool: pool.name.clone(),
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
        let mut after = build.state.clone();
        after.pools.remove(&pool.name);
        build.sequential(
            format!("{name}/pool/{}/blue-green/delete", pool.name),
            StepKind::BlueGreenDelete {
                pool: pool.name.clone(),
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
        build.upgraded.push(pool.name.clone());
    }
    // Node images: pools the plan does not otherwise touch, when it asks for the latest image.
    let policy = view
        .spec
        .target
        .as_ref()
        .unwrap_or(&ctx.plan.spec.target)
        .node_image;
    if policy == NodeImagePolicy::Latest {
        let untouched: Vec<String> = build
            .state
            .pools
            .keys()
            .filter(|p| !build.upgraded.contains(p))
            .cloned()
            .collect();
        let mut previous: Vec<String> = Vec::new();
        let mut all = Vec::new();
        for wave in waves(view) {
            let mut this = Vec::new();
            for pool_name in wave.iter().filter(|p| untouched.contains(p)) {
                let Some(pool) = view.pools().iter().find(|p| &p.name == pool_name) else {
                    continue;
                };
                let mut depends_on = build.frontier.clone();
                depends_on.extend(previous.iter().cloned());
                let id = build.builder.add(Step {
                    id: format!("{name}/pool/{pool_name}/node-image"),
                    cluster: Some(name.clone()),
                    kind: StepKind::PoolNodeImage { pool: pool_name.clone() },
                    provenance: provenance(
                        format!("pool `{pool_name}` gets no Kubernetes upgrade; `nodeImage: latest` moves it to the newest node image"),
                        Some(aks115_node_image::CODE),
                        Some(view.spec.target.as_ref().map_or("/spec/target/nodeImage".to_owned(), |_| format!("{cluster_pointer}/target/nodeImage"))),
                        None,
                    ),
                    before: None,
                    after: None,
                    estimate_minutes: pool_minutes(pool, view.spec.pool_settings.get(pool_name), build.state.control_plane, &ctx.plan.spec.estimates),
                    depends_on,
                });
                this.push(id);
            }
            if !this.is_empty() {
                all.extend(this.iter().cloned());
                previous = this;
            }
        }
        if !all.is_empty() {
            build.frontier = all;
        }
    }
    // Maintenance configurations the plan changes.
    let current_maintenance = view.resolved.current.maintenance.clone().unwrap_or_default();
    for (config, window) in view.resolved.maintenance.entries() {
        let before = current_maintenance
            .entries()
            .into_iter()
            .find(|(n, _)| *n == config)
            .map(|(_, w)| w.clone());
        if before.as_ref() == Some(window) {
            continue;
        }
        build.sequential(
            format!("{name}/maintenance/{config}"),
            StepKind::MaintenanceSet {
                name: config.to_owned(),
                window: Box::new(window.clone()),
            },
            provenance(
                format!("the plan sets the `{config}` maintenance configuration"),
                None,
                Some(format!("{cluster_pointer}/maintenance/{config}")),
                None,
            ),
            None,
            config_minutes,
        );
    }
    // Channels: restore (or set what the plan asks for).
    let desired = view.resolved.channels.clone();
    // After a switch the channel is `none`; restoring to `none` would be a no-op step.
    let during = if channel_switched {
        Channels {
            upgrade_channel: Some(UpgradeChannel::None),
            node_os_upgrade_channel: current_channels.node_os_upgrade_channel,
        }
    } else {
        current_channels.clone()
    };
    let desired_effective = Channels {
        upgrade_channel: desired.upgrade_channel.or(Some(UpgradeChannel::None)),
        node_os_upgrade_channel: desired.node_os_upgrade_channel.or(during.node_os_upgrade_channel),
    };
    let during_effective = Channels {
        upgrade_channel: during.upgrade_channel.or(Some(UpgradeChannel::None)),
        ..during.clone()
    };
    if desired_effective != during_effective {
        build.sequential(
            format!(
                "{name}/channel/{}",
                if channel_switched { "restore" } else { "set" }
            ),
            StepKind::ChannelChange {
                to: desired,
                restore: channel_switched,
            },
            provenance(
                if channel_switched {
                    "restore the auto-upgrade channels after the change".to_owned()
                } else {
                    "the plan sets the cluster's channels".to_owned()
                },
                None,
                Some(if view.spec.channels.is_some() {
                    format!("{cluster_pointer}/channels")
                } else {
                    "/spec/strategy/channelConflict".into()
                }),
                None,
            ),
            None,
            config_minutes,
        );
    }
    let end = build.state.clone();
    let last = build.frontier.clone();
    let plan = ClusterPlan {
        name,
        stage,
        hops,
        start,
        end,
        full_upgrades,
        channel_switched,
        lts,
    };
    Some((plan, last))
}

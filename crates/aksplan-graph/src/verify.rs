//! Verification: replay the steps in graph order on a simulated state and check the upgrade
//! rules after every step. The simulation applies each step's *kind* to the state it computed
//! itself; it never trusts the `after` a step claims, so a wrong graph cannot hide.

use std::collections::BTreeMap;

use aksplan_catalog::SupportStatus;
use aksplan_model::codes::{self, Code};
use aksplan_model::finding::Finding;
use aksplan_model::version::KubeVersion;
use aksplan_rules::Context;
use aksplan_rules::rules::control_plane::{aks101_no_downgrade, aks104_one_minor_path};
use aksplan_rules::rules::pools::{aks110_major, aks111_newer, aks112_behind, aks114_pool_hops};
use aksplan_rules::rules::state::aks125_unsupported_start;
use aksplan_rules::skew::{ControlPlaneMove, PoolSkew, aks_pool_skew, control_plane_move, recovery_minor};

use crate::clusters::ClusterIndex;
use crate::compile::Compiled;
use crate::step::{ClusterState, Step, StepKind};

struct Violation {
    rule: Code,
    detail: String,
}

/// Findings for every step that breaks a rule, and every cluster that does not reach its target.
pub fn verify(ctx: &Context<'_>, compiled: &Compiled) -> Vec<Finding> {
    let mut states: BTreeMap<String, ClusterState> = compiled
        .clusters
        .iter()
        .map(|c| (c.name.clone(), ClusterState::clone(&c.start)))
        .collect();
    let lts: BTreeMap<&str, bool> = compiled
        .clusters
        .iter()
        .map(|c| (c.name.as_str(), c.lts))
        .collect();
    let clusters = ClusterIndex::new(ctx);
    let mut findings = Vec::new();
    let order = match crate::dag::topological_order(&compiled.steps) {
        Ok(order) => order,
        Err(message) => {
            return vec![
                Finding::new(codes::VERIFY, format!("the steps cannot be ordered: {message}"))
                    .at(ctx.doc.label("/spec")),
            ];
        }
    };
    for idx in order {
        let step = &compiled.steps[idx];
        let Some(cluster) = &step.cluster else { continue };
        let Some(state) = states.get_mut(&**cluster) else {
            continue;
        };
        let violations = apply(
            ctx,
            &clusters,
            state,
            step,
            lts.get(&**cluster).copied().unwrap_or(false),
        );
        for violation in violations {
            findings.push(finding(
                ctx,
                &clusters,
                cluster,
                &format!("after step `{}`", step.id),
                &violation,
                state,
            ));
        }
    }
    for plan in &compiled.clusters {
        let Some(state) = states.get(&plan.name) else {
            continue;
        };
        let Some(target) = plan.hops.last().copied().or(Some(plan.start.control_plane)) else {
            continue;
        };
        let mut problems = Vec::new();
        if state.control_plane != target {
            problems.push(format!(
                "the control plane ends on `{}`, not `{target}`",
                state.control_plane
            ));
        }
        for (pool, version) in &state.pools {
            if version.minor != state.control_plane.minor {
                problems.push(format!(
                    "pool `{pool}` ends on `{version}`, not on the control plane's minor"
                ));
            }
        }
        for detail in problems {
            let violation = Violation {
                rule: aks104_one_minor_path::CODE,
                detail,
            };
            findings.push(finding(
                ctx,
                &clusters,
                &plan.name,
                "at the end",
                &violation,
                state,
            ));
        }
    }
    findings
}

fn finding(
    ctx: &Context<'_>,
    clusters: &ClusterIndex<'_>,
    cluster: &str,
    when: &str,
    violation: &Violation,
    state: &ClusterState,
) -> Finding {
    let index = clusters.plan_position(cluster);
    let pointer = index.map_or_else(|| "/spec/target".to_owned(), |i| format!("/spec/clusters/{i}"));
    let mut f = Finding::new(
        codes::VERIFY,
        format!(
            "cluster `{cluster}`, {when}: {}: {}; state: {}",
            violation.rule,
            violation.detail,
            state.describe()
        ),
    )
    .at(ctx.doc.label(&format!("{pointer}/name")))
    .pointer(pointer)
    .help("this is a defect in the compiled graph, not in the plan: please report it");
    f.cluster = Some(cluster.to_owned());
    f
}

/// Applies a step to the state and returns what it breaks.
fn apply(
    ctx: &Context<'_>,
    clusters: &ClusterIndex<'_>,
    state: &mut ClusterState,
    step: &Step,
    lts: bool,
) -> Vec<Violation> {
    let mut violations = Vec::new();
    // Returns whether the move is an LTS jump the catalog lists (a full upgrade carries pools on
    // the control plane's minor along with it).
    let cp_move =
        |state: &ClusterState, to: KubeVersion, full: bool, violations: &mut Vec<Violation>| -> bool {
            let from = state.control_plane;
            let unsupported =
                !lts && ctx.catalog.support_status(from, ctx.as_of, false) == SupportStatus::Unsupported;
            let recovery = if lts {
                None
            } else {
                recovery_minor(ctx.catalog, from, ctx.as_of)
            };
            if unsupported && !full {
                violations.push(Violation {
                    rule: aks125_unsupported_start::CODE,
                    detail: format!(
                        "a control-plane-only upgrade from `{from}`, out of support on {}",
                        ctx.as_of
                    ),
                });
            }
            // The recovery upgrade: one full upgrade to the lowest community minor.
            if full && recovery == Some(to.minor_version()) {
                return true;
            }
            match control_plane_move(ctx.catalog, from, to, lts) {
                ControlPlaneMove::OneMinor => false,
                ControlPlaneMove::LtsJump => true,
                ControlPlaneMove::Down => {
                    violations.push(Violation {
                        rule: aks101_no_downgrade::CODE,
                        detail: format!("the control plane would go from `{from}` to `{to}`"),
                    });
                    false
                }
                ControlPlaneMove::Skip => {
                    violations.push(Violation {
                        rule: aks104_one_minor_path::CODE,
                        detail: format!("the control plane would skip from `{from}` to `{to}`"),
                    });
                    false
                }
            }
        };
    let pool_move = |state: &ClusterState,
                     pool: &str,
                     to: KubeVersion,
                     carried: bool,
                     violations: &mut Vec<Violation>| {
        let Some(&from) = state.pools.get(pool) else {
            violations.push(Violation {
                rule: codes::VERIFY,
                detail: format!("pool `{pool}` does not exist at this point"),
            });
            return;
        };
        if to < from || to.major != from.major {
            violations.push(Violation {
                rule: aks101_no_downgrade::CODE,
                detail: format!("pool `{pool}` would go from `{from}` down to `{to}`"),
            });
        }
        if to.minor > from.minor + 1 && !carried {
            let offered = step
                .cluster
                .as_deref()
                .and_then(|name| clusters.view(name))
                .and_then(|view| view.resolved.pool_upgrade_profiles.get(pool))
                .is_some_and(|p| p.upgrades.iter().any(|u| u.kubernetes_version.minor == to.minor));
            if !offered {
                violations.push(Violation {
                    rule: aks114_pool_hops::CODE,
                    detail: format!("pool `{pool}` would skip from `{from}` to `{to}` in one upgrade"),
                });
            }
        }
    };
    match &step.kind {
        StepKind::ControlPlaneUpgrade { to } => {
            cp_move(state, *to, false, &mut violations);
            state.control_plane = *to;
        }
        StepKind::FullUpgrade { to } => {
            let jump = cp_move(state, *to, true, &mut violations);
            // The recovery upgrade carries every pool, however far behind (§2.1); an LTS jump
            // those on the control plane's minor.
            let recovery = !lts
                && recovery_minor(ctx.catalog, state.control_plane, ctx.as_of) == Some(to.minor_version());
            let names: Vec<String> = state.pools.keys().map(str::to_owned).collect();
            for pool in names {
                let carried = recovery
                    || (jump
                        && state
                            .pools
                            .get(&pool)
                            .is_some_and(|v| v.minor >= state.control_plane.minor));
                pool_move(state, &pool, *to, carried, &mut violations);
                state.pools.insert(pool, *to);
            }
            state.control_plane = *to;
        }
        StepKind::PoolUpgrade { pool, to } => {
            pool_move(state, pool, *to, false, &mut violations);
            state.pools.insert(pool, *to);
        }
        StepKind::BlueGreenCreate { new_pool, to, .. } => {
            state.pools.insert(new_pool, *to);
        }
        StepKind::BlueGreenDelete { pool } => {
            state.pools.remove(pool);
        }
        _ => {}
    }
    // The skew window after every step that changes a version.
    if matches!(
        step.kind,
        StepKind::ControlPlaneUpgrade { .. }
            | StepKind::FullUpgrade { .. }
            | StepKind::PoolUpgrade { .. }
            | StepKind::BlueGreenCreate { .. }
    ) {
        for (pool, version) in &state.pools {
            let detail = match aks_pool_skew(state.control_plane, *version) {
                PoolSkew::Ok => continue,
                PoolSkew::MajorMismatch => (
                    aks110_major::CODE,
                    format!("pool `{pool}` (`{version}`) has another major than the control plane"),
                ),
                PoolSkew::Newer => (
                    aks111_newer::CODE,
                    format!(
                        "pool `{pool}` (`{version}`) would be newer than the control plane (`{}`)",
                        state.control_plane
                    ),
                ),
                PoolSkew::TooFarBehind { behind, allowed } => (
                    aks112_behind::CODE,
                    format!(
                        "pool `{pool}` (`{version}`) would be {behind} minors behind the control plane (`{}`), {allowed} allowed",
                        state.control_plane
                    ),
                ),
            };
            violations.push(Violation {
                rule: detail.0,
                detail: detail.1,
            });
        }
    }
    violations
}

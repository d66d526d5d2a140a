//! Property test of the compiler: random valid plans (as YAML text, through the real loader)
//! compile into an acyclic graph that the verifier accepts, and an independent replay of the
//! steps reaches the target without ever leaving the AKS skew window.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use aksplan_catalog::Catalog;
use aksplan_graph::{StepKind, topological_order};
use aksplan_model::finding::Severity;
use aksplan_model::source::Format;
use aksplan_model::version::KubeVersion;
use aksplan_pipeline::{NoPolicies, Options, PlanInput};
use aksplan_rules::skew::{PoolSkew, aks_pool_skew, aks_window};
use proptest::prelude::*;

/// Raw choices for one pool; `derive` maps them into a valid version under the control plane.
#[derive(Debug, Clone)]
struct PoolSeed {
    behind: u8,
    patch: u8,
    count: u32,
    surge: Option<(bool, u8)>,
}

#[derive(Debug, Clone)]
struct ClusterSeed {
    control_plane: usize,
    target: u8,
    lts: bool,
    channel: Option<u8>,
    pools: Vec<PoolSeed>,
}

#[derive(Debug, Clone)]
struct PlanSeed {
    lockstep: bool,
    full_upgrade: bool,
    clusters: Vec<ClusterSeed>,
}

fn pool_seed() -> impl Strategy<Value = PoolSeed> {
    (
        any::<u8>(),
        any::<u8>(),
        1u32..=20,
        proptest::option::of((any::<bool>(), any::<u8>())),
    )
        .prop_map(|(behind, patch, count, surge)| PoolSeed {
            behind,
            patch,
            count,
            surge,
        })
}

fn cluster_seed() -> impl Strategy<Value = ClusterSeed> {
    (
        any::<usize>(),
        any::<u8>(),
        any::<bool>(),
        proptest::option::of(any::<u8>()),
        proptest::collection::vec(pool_seed(), 1..=6),
    )
        .prop_map(|(control_plane, target, lts, channel, pools)| ClusterSeed {
            control_plane,
            target,
            lts,
            channel,
            pools,
        })
}

fn plan_seed() -> impl Strategy<Value = PlanSeed> {
    (
        any::<bool>(),
        any::<bool>(),
        proptest::collection::vec(cluster_seed(), 1..=3),
    )
        .prop_map(|(lockstep, full_upgrade, clusters)| PlanSeed {
            lockstep,
            full_upgrade,
            clusters,
        })
}

/// The patches the embedded catalog lists for a minor, in order.
fn patches(catalog: &Catalog, minor: u64) -> Vec<KubeVersion> {
    catalog
        .minor(KubeVersion::new(1, minor, None))
        .and_then(|m| m.patches.as_ref())
        .map(|p| p.keys().copied().collect())
        .unwrap_or_default()
}

/// What the test knows about a generated cluster, independently of the compiler.
struct Expected {
    name: String,
    lts: bool,
    start_control_plane: KubeVersion,
    start_pools: BTreeMap<String, KubeVersion>,
    /// Where the control plane must end.
    end: KubeVersion,
}

/// Renders the seed as a plan; returns the YAML and what each cluster must reach.
fn render(seed: &PlanSeed, catalog: &Catalog) -> (String, Vec<Expected>) {
    let control_planes: Vec<KubeVersion> = (27..=33).flat_map(|m| patches(catalog, m)).collect();
    let mut yaml = String::new();
    let mut expected = Vec::new();
    writeln!(
        yaml,
        "apiVersion: aksplan/v1\nkind: UpgradePlan\nmetadata:\n  name: proptest\nspec:\n  asOf: 2025-05-01\n  target:\n    kubernetesVersion: \"1.37\"\n  strategy:\n    pools: {}\n    channelConflict: {}\n  clusters:",
        if seed.lockstep { "lockstep" } else { "minimal" },
        if seed.full_upgrade { "fullUpgrade" } else { "switchToNone" },
    )
    .unwrap();
    for (ci, cluster) in seed.clusters.iter().enumerate() {
        let cp = control_planes[cluster.control_plane % control_planes.len()];
        let target_minor = cp.minor + u64::from(cluster.target) % (37 - cp.minor + 1);
        let target = KubeVersion::new(1, target_minor, None);
        // The target's latest patch offered to the cluster's support plan (LTS patches from 100
        // only on LTS), or the minor when the catalog lists none for the plan.
        let target_exact = catalog.resolve_for(target, cluster.lts).version();
        let end = if target_minor > cp.minor || target_exact > cp {
            target_exact
        } else {
            cp
        };
        let name = format!("aks-c{ci}");
        writeln!(
            yaml,
            "    - name: {name}\n      resourceGroup: rg-{ci}\n      target:\n        kubernetesVersion: \"{}\"\n      current:\n        kubernetesVersion: \"{cp}\"",
            target
        )
        .unwrap();
        if cluster.lts {
            yaml.push_str("        tier: Premium\n        supportPlan: AKSLongTermSupport\n");
        }
        if let Some(channel) = cluster.channel {
            let channel = ["none", "patch", "stable", "rapid", "node-image"][usize::from(channel) % 5];
            writeln!(yaml, "        channels:\n          upgradeChannel: {channel}").unwrap();
        }
        yaml.push_str("        nodePools:\n");
        let mut start_pools = BTreeMap::new();
        for (pi, pool) in cluster.pools.iter().enumerate() {
            let behind = u64::from(pool.behind) % (aks_window(cp) + 1);
            let minor = cp.minor - behind;
            let version = if minor == cp.minor {
                let same: Vec<KubeVersion> =
                    patches(catalog, minor).into_iter().filter(|p| *p <= cp).collect();
                same[usize::from(pool.patch) % same.len()]
            } else {
                let listed = patches(catalog, minor);
                if listed.is_empty() {
                    KubeVersion::new(1, minor, Some(u64::from(pool.patch % 16)))
                } else {
                    listed[usize::from(pool.patch) % listed.len()]
                }
            };
            let pool_name = if pi == 0 {
                "system".to_owned()
            } else {
                format!("user{pi}")
            };
            let mode = if pi == 0 { "System" } else { "User" };
            writeln!(
                yaml,
                "          - name: {pool_name}\n            mode: {mode}\n            orchestratorVersion: \"{version}\"\n            count: {}",
                pool.count
            )
            .unwrap();
            if let Some((percent, value)) = pool.surge {
                let surge = if percent {
                    format!("\"{}%\"", 1 + value % 100)
                } else {
                    format!("{}", 1 + value % 5)
                };
                writeln!(
                    yaml,
                    "            upgradeSettings:\n              maxSurge: {surge}"
                )
                .unwrap();
            }
            start_pools.insert(pool_name, version);
        }
        expected.push(Expected {
            name,
            lts: cluster.lts,
            start_control_plane: cp,
            start_pools,
            end,
        });
    }
    (yaml, expected)
}

fn check(seed: &PlanSeed) -> Result<(), TestCaseError> {
    let catalog = Catalog::embedded();
    let (yaml, expected) = render(seed, &catalog);
    // Judged on 2025-05-01 whatever the plan says; compiled here (also what the rules would
    // stop: the compiler and its verifier must hold on every graph).
    let day = jiff::civil::date(2025, 5, 1);
    let options = Options {
        compile: false,
        ..Options::new(Arc::new(catalog.clone()), Some(day), || {
            jiff::civil::date(2025, 5, 1)
        })
    };
    let checked = aksplan_pipeline::run(
        PlanInput::new("proptest.yaml", yaml.as_bytes(), Format::Yaml, "."),
        &options,
        &mut NoPolicies,
    );
    let errors: Vec<String> = checked
        .loaded
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| format!("{}: {}", f.code.id(), f.message))
        .collect();
    prop_assert!(errors.is_empty(), "loading failed: {errors:?}\n{yaml}");
    let Some(ctx) = checked.context() else {
        return Err(TestCaseError::fail(format!("no plan\n{yaml}")));
    };
    let compiled = aksplan_graph::compile(&ctx);
    let order = topological_order(&compiled.steps);
    prop_assert!(order.is_ok(), "not acyclic: {order:?}\n{yaml}");
    let verifier: Vec<&str> = compiled
        .findings
        .iter()
        .filter(|f| f.code == aksplan_model::codes::VERIFY)
        .map(|f| f.message.as_str())
        .collect();
    prop_assert!(verifier.is_empty(), "AKS200: {verifier:#?}\n{yaml}");

    // Independent replay, in graph order.
    let mut states: BTreeMap<&str, (KubeVersion, BTreeMap<String, KubeVersion>)> = expected
        .iter()
        .map(|e| (e.name.as_str(), (e.start_control_plane, e.start_pools.clone())))
        .collect();
    for idx in order.unwrap_or_default() {
        let step = &compiled.steps[idx];
        let Some(cluster) = step.cluster.as_deref() else {
            continue;
        };
        let info = expected
            .iter()
            .find(|e| e.name == cluster)
            .expect("known cluster");
        let (cp, pools) = states.get_mut(cluster).expect("known cluster");
        match &step.kind {
            StepKind::ControlPlaneUpgrade { to } | StepKind::FullUpgrade { to } => {
                let from = *cp;
                let one_minor = to.minor == from.minor + 1;
                let patch_to_target = to.minor == from.minor && to > &from && *to == info.end;
                let lts_jump =
                    info.lts && to.minor > from.minor + 1 && catalog.upgrade_listed(from, *to) == Some(true);
                // The recovery upgrade (§2.1): not on LTS, from a version off the calendar on the
                // plan's date, one full upgrade to the lowest minor offered to community clusters.
                let as_of = jiff::civil::date(2025, 5, 1);
                let recovery = !info.lts
                    && matches!(step.kind, StepKind::FullUpgrade { .. })
                    && catalog.support_status(from, as_of, false)
                        == aksplan_catalog::SupportStatus::Unsupported
                    && (from.minor + 1..=to.minor)
                        .find(|m| catalog.offered(KubeVersion::new(1, *m, None), false, as_of))
                        == Some(to.minor);
                // From off the calendar AKS allows full upgrades only.
                prop_assert!(
                    info.lts
                        || matches!(step.kind, StepKind::FullUpgrade { .. })
                        || catalog.support_status(from, as_of, false)
                            != aksplan_catalog::SupportStatus::Unsupported,
                    "step `{}` is control-plane-only from {from}, out of support\n{yaml}",
                    step.id
                );
                prop_assert!(
                    one_minor || patch_to_target || lts_jump || recovery,
                    "step `{}` moves the control plane {from} -> {to}\n{yaml}",
                    step.id
                );
                *cp = *to;
                if matches!(step.kind, StepKind::FullUpgrade { .. }) {
                    for (pool, version) in pools.iter_mut() {
                        // One minor, or along with an LTS jump from the control plane's minor.
                        prop_assert!(
                            to.minor <= version.minor + 1
                                || recovery
                                || (lts_jump && version.minor >= from.minor),
                            "full upgrade `{}` moves pool `{pool}` {version} -> {to}\n{yaml}",
                            step.id
                        );
                        *version = *to;
                    }
                }
            }
            StepKind::PoolUpgrade { pool, to } => {
                let from = pools.get(&**pool).copied();
                prop_assert!(from.is_some(), "step `{}`: no pool `{pool}`", step.id);
                let from = from.unwrap_or(*to);
                prop_assert!(
                    *to > from && to.minor <= from.minor + 1,
                    "step `{}` moves pool `{pool}` {from} -> {to}\n{yaml}",
                    step.id
                );
                pools.insert(pool.to_string(), *to);
            }
            StepKind::BlueGreenCreate { new_pool, to, .. } => {
                pools.insert(new_pool.clone(), *to);
            }
            StepKind::BlueGreenDelete { pool } => {
                pools.remove(&**pool);
            }
            _ => continue,
        }
        // Lockstep: no pool trails by more than one minor (or the span of an LTS jump) after a hop.
        if seed.lockstep && matches!(step.kind, StepKind::ControlPlaneUpgrade { .. }) {
            let span = step
                .before
                .as_ref()
                .map_or(1, |b| cp.minor - b.control_plane.minor)
                .max(1);
            for (pool, version) in pools.iter() {
                prop_assert!(
                    cp.minor <= version.minor + span,
                    "lockstep: after step `{}` pool `{pool}` is on {version} under {cp}\n{yaml}",
                    step.id
                );
            }
        }
        for (pool, version) in pools.iter() {
            prop_assert_eq!(
                aks_pool_skew(*cp, *version),
                PoolSkew::Ok,
                "after step `{}`: pool `{}` on {} under control plane {}\n{}",
                &step.id,
                pool,
                version,
                cp,
                &yaml
            );
        }
    }
    for info in &expected {
        let (cp, pools) = &states[info.name.as_str()];
        prop_assert_eq!(
            *cp,
            info.end,
            "cluster `{}` ends on {}\n{}",
            &info.name,
            cp,
            &yaml
        );
        for (pool, version) in pools {
            prop_assert_eq!(
                version.minor,
                cp.minor,
                "cluster `{}`: pool `{}` ends on {}\n{}",
                &info.name,
                pool,
                version,
                &yaml
            );
        }
        let route = compiled.clusters.iter().find(|c| c.name == info.name);
        prop_assert!(route.is_some(), "no route for `{}`", &info.name);
        if let Some(route) = route {
            prop_assert_eq!(
                route.hops.last().copied().unwrap_or(route.start.control_plane),
                info.end
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn compiled_routes_stay_within_the_rules(seed in plan_seed()) {
        check(&seed)?;
    }
}

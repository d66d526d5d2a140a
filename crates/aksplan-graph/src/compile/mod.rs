//! Compiling a checked plan into steps: the stages in order (`stages.rs`), each cluster in
//! phases (`cluster.rs` and the phase modules), then graph order, the checks that need the whole
//! route, and the verifier.
//!
//! A cluster's phases, in the order its steps run: channel off (`channels.rs`), pool settings
//! (`pools.rs`), the control-plane hops with the pool rounds each one needs (`hops.rs`), the
//! remaining pool rounds (`pools.rs`), blue-green replacements (`blue_green.rs`), node images
//! (`node_images.rs`), maintenance configurations (`maintenance.rs`), channel restore or set
//! (`channels.rs`).

mod blue_green;
mod builder;
mod channels;
mod cluster;
mod hops;
mod maintenance;
mod node_images;
mod pools;
mod stages;

use std::sync::Arc;

use aksplan_model::finding::Finding;
use aksplan_model::plan::PoolUpgradeStrategy;
use aksplan_model::version::KubeVersion;
use aksplan_rules::Context;
use serde::Serialize;

use crate::clusters::ClusterIndex;
use crate::step::{ClusterState, Step};

pub(crate) use channels::channel_name;

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
    /// Shared with the steps that start and end there (each state is held once).
    pub start: Arc<ClusterState>,
    pub end: Arc<ClusterState>,
    /// Whether hops are full upgrades (control plane and pools together).
    pub full_upgrades: bool,
    /// Whether the route starts with the recovery upgrade from a version out of support: one
    /// full upgrade to the lowest community minor AKS offers.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub recovery: bool,
    /// Whether the auto-upgrade channel is switched off for the change.
    pub channel_switched: bool,
    /// Whether this cluster is on the LTS plan (LTS jumps are allowed).
    #[serde(skip)]
    pub lts: bool,
    /// The cluster as it is now (from the plan or `currentFrom`), shared with its resolved
    /// cluster ([`ClusterPlan::pools`]); a copy of every pool was 2 MiB, and as many allocations
    /// as the pools have names, at 1,000 clusters.
    #[serde(skip)]
    pub current: Arc<aksplan_model::plan::CurrentState>,
    /// The live facts behind the preflight rules (AKS190–AKS193), summed up for the review.
    #[serde(skip)]
    pub preflight: Preflight,
}

impl ClusterPlan {
    /// The pools as they are now: what a blue-green replacement copies (mode, OS, count, size),
    /// so that a System pool is replaced by a System pool.
    pub fn pools(&self) -> &[aksplan_model::plan::NodePool] {
        &self.current.node_pools
    }
}

/// One cluster's live facts as the review report shows them: what was saved, which pools no
/// drain can finish on, and the largest surge of one wave against the room left.
#[derive(Debug, Clone, Default)]
pub struct Preflight {
    /// Whether `currentFrom` names the workloads (`kubectl get pdb,deploy,sts`).
    pub workloads_saved: bool,
    /// Whether it names at least one subnet the pools use.
    pub subnets_saved: bool,
    /// Whether it names the regional vCPU usage.
    pub quota_saved: bool,
    /// Pool → the PodDisruptionBudgets (`namespace/name`) that stop every drain of it.
    pub drain_blocked: std::collections::BTreeMap<String, Vec<String>>,
    /// Single-replica workloads without a PDB (`deployment/ns/name`).
    pub single_replicas: Vec<String>,
    /// Subnet name, the most addresses one wave's surge takes from it, the addresses free.
    pub subnets: Vec<(String, u64, u64)>,
    /// Quota name, the most vCPUs one wave's surge takes from it, the vCPUs left.
    pub quotas: Vec<(String, u64, u64)>,
}

impl Preflight {
    pub(crate) fn of(view: &aksplan_rules::ClusterView<'_>) -> Self {
        use aksplan_rules::rules::preflight::{quota_needs, subnet_needs};
        let live = &view.resolved.live;
        let mut drain_blocked: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        for blocker in live.drain_blockers() {
            for pool in live.blocked_pools(&blocker, view.pools()) {
                drain_blocked
                    .entry(pool.name.to_string())
                    .or_default()
                    .push(blocker.pdb.display());
            }
        }
        let most = |rows: Vec<(String, u64, u64)>| {
            let mut by_name: std::collections::BTreeMap<String, (u64, u64)> = Default::default();
            for (name, need, room) in rows {
                let entry = by_name.entry(name).or_insert((0, room));
                entry.0 = entry.0.max(need);
            }
            by_name
                .into_iter()
                .map(|(name, (need, room))| (name, need, room))
                .collect()
        };
        let subnets = most(
            subnet_needs(view)
                .into_iter()
                .map(|n| (n.of.name.clone(), n.amount, n.of.free()))
                .collect(),
        );
        let quotas = most(
            quota_needs(view)
                .0
                .into_iter()
                .map(|n| {
                    (
                        n.of.local_name.clone(),
                        n.amount,
                        n.of.limit.saturating_sub(n.of.current),
                    )
                })
                .collect(),
        );
        Self {
            workloads_saved: live.workloads_read,
            subnets_saved: !live.subnets.is_empty(),
            quota_saved: live.vm_usage.is_some(),
            drain_blocked,
            single_replicas: live.single_replicas().iter().map(|c| c.display()).collect(),
            subnets,
            quotas,
        }
    }
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

/// Compiles every resolved cluster of the plan, stage by stage, then verifies the result.
pub fn compile(ctx: &Context<'_>) -> Compiled {
    let index = ClusterIndex::new(ctx);
    let (clusters, steps) = stages::compile_stages(ctx, &index);
    let mut compiled = Compiled {
        clusters,
        steps,
        findings: Vec::new(),
    };
    put_in_graph_order(ctx, &mut compiled);
    // The steps live to the end of the run, beside everything made from them; the slack of the
    // array's doublings (up to half of it) need not.
    compiled.steps.shrink_to_fit();
    compiled
        .findings
        .extend(full_upgrade_conflicts(&index, &compiled.clusters));
    compiled.findings.extend(crate::verify(ctx, &compiled));
    compiled
}

/// Sorts the steps into graph order; a graph that cannot be ordered is a finding.
fn put_in_graph_order(ctx: &Context<'_>, compiled: &mut Compiled) {
    match crate::dag::topological_order(&compiled.steps) {
        Ok(order) => {
            if !permute(&mut compiled.steps, &order) {
                compiled.findings.push(
                    Finding::new(
                        aksplan_model::codes::VERIFY,
                        "the graph order of the steps is not an order of them all (a bug in aksplan)",
                    )
                    .at(ctx.doc.label("/spec")),
                );
            }
        }
        Err(message) => compiled.findings.push(
            Finding::new(
                aksplan_model::codes::VERIFY,
                format!("the compiled graph is not a graph of steps: {message}"),
            )
            .at(ctx.doc.label("/spec")),
        ),
    }
}

/// Puts `items[order[k]]` at `k`, in place: moving them into a second array (and a third of
/// slots) held the steps two or three times over at the peak of a large plan's compile.
/// `false`, and the items untouched, when `order` is not a permutation of their indexes.
fn permute<T>(items: &mut [T], order: &[usize]) -> bool {
    if order.len() != items.len() {
        return false;
    }
    // `to[i]`: where the item now at `i` goes.
    let mut to = vec![usize::MAX; items.len()];
    for (place, &from) in order.iter().enumerate() {
        match to.get_mut(from) {
            Some(slot) if *slot == usize::MAX => *slot = place,
            _ => return false,
        }
    }
    // Each swap puts one item in its place for good: at most n swaps.
    for i in 0..items.len() {
        while to[i] != i {
            let j = to[i];
            items.swap(i, j);
            to.swap(i, j);
        }
    }
    true
}

/// A full upgrade (`az aks upgrade` without `--control-plane-only`) upgrades every pool in
/// place, blue-green pools included: the two choices contradict each other.
fn full_upgrade_conflicts(index: &ClusterIndex<'_>, clusters: &[ClusterPlan]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for plan in clusters.iter().filter(|c| c.full_upgrades || c.recovery) {
        let Some(view) = index.view(&plan.name) else {
            continue;
        };
        for (idx, pool) in view.pools().iter().enumerate() {
            if pool.strategy == PoolUpgradeStrategy::BlueGreen {
                let mut finding = Finding::new(
                    aksplan_model::codes::VERIFY,
                    if plan.full_upgrades {
                        format!(
                            "cluster `{}`: pool `{}` asks for a blue-green replacement, but `channelConflict: fullUpgrade` upgrades every pool in place at each hop",
                            plan.name, pool.name
                        )
                    } else {
                        format!(
                            "cluster `{}`: pool `{}` asks for a blue-green replacement, but the recovery upgrade from a version out of support (one full upgrade, the only one AKS allows from there) upgrades every pool in place",
                            plan.name, pool.name
                        )
                    },
                )
                .at(view.pool_label(idx, "strategy"))
                .help(if plan.full_upgrades {
                    "use `spec.strategy.channelConflict: switchToNone`, or turn the cluster's auto-upgrade channel off in the plan"
                } else {
                    "replace the pool after the recovery upgrade, in a plan from the supported version; or enrol the cluster in LTS first"
                });
                finding.cluster = Some(plan.name.clone());
                findings.push(finding);
            }
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::permute;

    #[test]
    fn permute_puts_each_item_where_the_order_says() {
        // Every permutation of up to six items, against the obvious copy.
        fn all(n: usize) -> Vec<Vec<usize>> {
            if n == 0 {
                return vec![Vec::new()];
            }
            let mut out = Vec::new();
            for rest in all(n - 1) {
                for at in 0..=rest.len() {
                    let mut p = rest.clone();
                    p.insert(at, n - 1);
                    out.push(p);
                }
            }
            out
        }
        for n in 0..=6 {
            for order in all(n) {
                let items: Vec<String> = (0..n).map(|i| format!("s{i}")).collect();
                let expected: Vec<String> = order.iter().map(|&i| items[i].clone()).collect();
                let mut permuted = items.clone();
                assert!(permute(&mut permuted, &order));
                assert_eq!(permuted, expected, "{order:?}");
            }
        }
    }

    #[test]
    fn permute_refuses_what_is_not_a_permutation() {
        for order in [vec![0, 0], vec![1], vec![0, 2], vec![2, 0, 1, 1]] {
            let mut items = vec!["a", "b"];
            assert!(!permute(&mut items, &order), "{order:?}");
            assert_eq!(items, ["a", "b"]);
        }
    }
}

//! AKS191: single-replica workloads without a PodDisruptionBudget go down during the drain.

use aksplan_model::finding::Finding;
use aksplan_model::plan::ScaleSetPriority;

use crate::Context;

/// Workloads labelled in one finding; the rest are counted.
const SHOWN: usize = 5;

crate::rule_code!(
    "AKS191",
    Warning,
    "Single-replica workloads go down while their node drains",
    "## What it checks
From the workloads saved in `currentFrom.workloads`: Deployments and StatefulSets with one replica
that no PodDisruptionBudget covers. One finding per pool the plan upgrades that their pods may be
scheduled on (node selector, required node affinity, taints), naming the workloads.

## Why
A drain evicts the only pod; the workload is down until its replacement is scheduled and ready on
another node (`aks-upgrade-rules.md` §5.2–5.3: every node of an upgraded pool is cordoned and
drained). A PDB would not help a single replica either (it would block the drain, AKS190): run two
replicas, or accept the downtime in the change window.

## Example
```yaml
# kubectl get deploy -n shop cart   →   READY 1/1, no PDB
currentFrom:
  show: state/aks-prod.json
  workloads: state/aks-prod/workloads.json
```"
);

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for cluster in ctx.clusters() {
        let live = &cluster.resolved.live;
        let singles = live.single_replicas();
        if singles.is_empty() {
            continue;
        }
        for (idx, pool) in cluster.pools().iter().enumerate() {
            let here: Vec<_> = singles.iter().filter(|c| c.may_run_on(pool)).collect();
            if here.is_empty() {
                continue;
            }
            let names: Vec<String> = here
                .iter()
                .take(SHOWN)
                .map(|c| format!("`{}`", c.display()))
                .collect();
            let more = here.len().saturating_sub(SHOWN);
            let list = if more > 0 {
                format!("{} and {more} more", names.join(", "))
            } else {
                names.join(", ")
            };
            let how = if pool.scale_set_priority == Some(ScaleSetPriority::Spot) {
                "evicted without a drain"
            } else {
                "drained"
            };
            let mut finding = Finding::new(
                CODE,
                format!(
                    "{} single-replica workload{} without a PodDisruptionBudget may run on pool `{}` of cluster `{}` and go down while its node is {how}: {list}",
                    here.len(),
                    if here.len() == 1 { "" } else { "s" },
                    pool.name,
                    cluster.name()
                ),
            )
            .at(cluster.pool_label(idx, "name").with_message("upgraded: every node is drained"))
            .help("run at least 2 replicas with a PDB that allows 1 disruption, or accept the downtime in the change window");
            if let Some(pointer) = cluster.pool_pointer_in_plan(idx) {
                finding = finding.pointer(pointer);
            }
            for workload in here.iter().take(SHOWN) {
                finding = finding.also(workload.at.label().with_message("1 replica, no PDB"));
            }
            out.push(finding);
        }
    }
}

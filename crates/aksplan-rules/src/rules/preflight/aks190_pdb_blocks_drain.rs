//! AKS190: a PodDisruptionBudget allows no eviction, so the pools its pods run on never drain.

use aksplan_model::finding::{Finding, Severity};
use aksplan_model::plan::UndrainableNodeBehavior;

use crate::Context;

crate::rule_code!(
    "AKS190",
    Error,
    "A PodDisruptionBudget blocks every drain of a pool",
    "## What it checks
From the workloads saved in `currentFrom.workloads` (`kubectl get pdb,deploy,sts -A -o json`,
which `aksplan snapshot` saves): no PodDisruptionBudget allows zero evictions of the pods it covers
on a pool the plan upgrades. A PDB allows none when its `maxUnavailable` is `0` (or a percentage
that rounds up to 0), or when its `minAvailable` equals the pods it covers (`100%`, or a count equal
to the replicas). The pods it covers are the replicas of the Deployments and StatefulSets in its
namespace whose pod labels its selector matches (an empty selector matches all); when it matches
none of them, its `status.expectedPods`. The pools blocked are those the workloads' pods may be
scheduled on (node selector, required node affinity, the pool's taints); every pool when no
workload in the snapshot matches the PDB. Spot pools are not drained and are skipped.

The finding is an error. With `undrainableNodeBehavior: Cordon` on the pool (its own setting or the
plan's `poolSettings`) it is a warning: the upgrade goes on, but the blocked nodes stay behind.

## Why
`aks-upgrade-rules.md` §5.3 (`support:.../error-code-poddrainfailure.md`, `upgrade-options.md`):
AKS evicts pods honouring PDBs and waits up to `drainTimeoutInMinutes` (default 30) per node; when
pods remain, the upgrade fails with `UpgradeFailed` (\"Cannot evict pod as it would violate the
pod's disruption budget\") and the cluster is left `Failed` half-way. With `Cordon`, the blocked
nodes are cordoned and labelled `kubernetes.azure.com/upgrade-status=Quarantined`, one surge node is
kept per blocked node, and the nodes stay on the old version until the PDB is fixed.

## Example
```yaml
# kubectl get pdb -n shop web   →   MIN AVAILABLE 2, ALLOWED DISRUPTIONS 0 (2 replicas)
currentFrom:
  show: state/aks-prod.json
  workloads: state/aks-prod/workloads.json
```"
);

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for cluster in ctx.clusters() {
        let live = &cluster.resolved.live;
        let pools = cluster.pools();
        for blocker in live.drain_blockers() {
            for pool in live.blocked_pools(&blocker, pools) {
                let Some(idx) = pools.iter().position(|p| p.name == pool.name) else {
                    continue;
                };
                let settings = cluster.planned_settings(idx);
                let timeout = settings.drain_timeout_in_minutes.unwrap_or(30);
                let pdb = blocker.pdb;
                let on = if blocker.workloads.is_empty() {
                    format!(
                        "its {} pods (no Deployment or StatefulSet in the snapshot matches it, so every pool is taken as theirs)",
                        blocker.pods
                    )
                } else {
                    blocker
                        .workloads
                        .iter()
                        .map(|c| format!("`{}`", c.display()))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let mut finding = Finding::new(
                    CODE,
                    format!(
                        "PodDisruptionBudget `{}` ({}) allows no eviction of {on}, so no node of pool `{}` of cluster `{}` that runs them can be drained",
                        pdb.display(),
                        blocker.reason,
                        pool.name,
                        cluster.name()
                    ),
                )
                .at(cluster.pool_label(idx, "name").with_message("this pool's drain is blocked"))
                .also(pdb.at.label().with_message("allows no eviction"));
                if let Some(pointer) = cluster.pool_pointer_in_plan(idx) {
                    finding = finding.pointer(pointer);
                }
                for workload in blocker.workloads.iter().take(3) {
                    finding = finding.also(workload.at.label().with_message(format!(
                        "{} replica{}",
                        workload.replicas,
                        if workload.replicas == 1 { "" } else { "s" }
                    )));
                }
                finding = if settings.undrainable_node_behavior == Some(UndrainableNodeBehavior::Cordon) {
                    finding.severity(Severity::Warning).help(format!(
                        "with `undrainableNodeBehavior: Cordon` the upgrade goes on after {timeout} minutes per blocked node, but those nodes are cordoned, labelled `kubernetes.azure.com/upgrade-status=Quarantined` and stay on the old version, each keeping a surge node; let the PDB allow 1 disruption before the change"
                    ))
                } else {
                    finding.help(format!(
                        "let the PDB allow at least 1 disruption (`maxUnavailable: 1`, or `minAvailable` below the replicas) before the change; otherwise each blocked node waits {timeout} minutes and the upgrade fails with `UpgradeFailed`, or set `undrainableNodeBehavior: Cordon` to go on without the blocked nodes"
                    ))
                };
                out.push(finding);
            }
        }
    }
}

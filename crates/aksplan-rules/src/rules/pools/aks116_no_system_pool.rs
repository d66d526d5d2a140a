//! AKS116: a cluster has a System pool.

use aksplan_model::finding::Finding;
use aksplan_model::plan::PoolMode;

use crate::Context;

crate::rule_code!(
    "AKS116",
    Error,
    "A cluster has no System pool",
    "## What it checks
Every cluster whose node pools are known (written in the plan or read from `currentFrom`) has at
least one pool with `mode: System`.

## Why
`aks-upgrade-rules.md` §5.5 (`aks-docs:articles/aks/use-system-pools.md`): every AKS cluster
must have at least one System pool, which runs the critical system pods (CoreDNS,
metrics-server); AKS refuses to delete or change the last one. A plan that shows no System pool
describes a cluster AKS cannot have: the state was copied wrong (the System pool left out, or
written `mode: User`), or the pools read are not the cluster's. Upgrading it by such a plan would
be planned on a state that is not the real one. A blue-green replacement of a System pool is
created with `mode: System` before the old pool is deleted, so the cluster keeps one.

## Example
```yaml
current:
  kubernetesVersion: \"1.35.2\"
  nodePools:
    - name: apps
      mode: User          # and no other pool: the cluster shows no System pool
      orchestratorVersion: \"1.35.2\"
```"
);

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for cluster in ctx.clusters() {
        let pools = cluster.pools();
        if pools.is_empty() || pools.iter().any(|p| p.mode == PoolMode::System) {
            continue;
        }
        let names: Vec<String> = pools.iter().map(|p| format!("`{}`", p.name)).collect();
        out.push(
            Finding::new(
                CODE,
                format!(
                    "cluster `{}` has no System pool: none of its pools ({}) has `mode: System`",
                    cluster.name(),
                    names.join(", ")
                ),
            )
            .at(cluster
                .pool_label(0, "mode")
                .with_message("no pool has `mode: System`"))
            .pointer(cluster.pointer())
            .help(
                "AKS requires a System pool in every cluster: set `mode: System` on the pool that is one, \
                 or read the pools again with `az aks nodepool list`",
            ),
        );
    }
}

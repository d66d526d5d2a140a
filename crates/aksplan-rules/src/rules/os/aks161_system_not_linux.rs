//! AKS161: System pools run Linux.

use aksplan_model::finding::Finding;
use aksplan_model::plan::{OsType, PoolMode};

use super::{at_pool_field, is_windows};
use crate::Context;

crate::rule_code!(
    "AKS161",
    Error,
    "A System pool is not Linux",
    "## What it checks
Every pool with `mode: System` is a Linux pool: no `osType: Windows` and no Windows `osSKU`.

## Why
`aks-upgrade-rules.md` §5.5 (`aks-docs:articles/aks/use-system-pools.md`): System pools must be
Linux (and support at least 30 pods). Windows pools can only be User pools, so a plan that shows a
Windows System pool does not describe a cluster AKS can run or upgrade.

## Example
```yaml
nodePools:
  - name: win
    mode: System          # System pools must be Linux
    osType: Windows
    orchestratorVersion: \"1.35.2\"
```"
);

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for cluster in ctx.clusters() {
        for (idx, pool) in cluster.pools().iter().enumerate() {
            if pool.mode != PoolMode::System || !is_windows(&cluster, idx) {
                continue;
            }
            let windows_field = if pool.os_type == OsType::Windows {
                "osType"
            } else {
                "osSKU"
            };
            out.push(
                at_pool_field(
                    Finding::new(
                        CODE,
                        format!(
                            "node pool `{}` of cluster `{}` is a System pool on Windows; System pools must be Linux",
                            pool.name,
                            cluster.name()
                        ),
                    ),
                    &cluster,
                    idx,
                    &["mode"],
                    "System pool",
                )
                .also(cluster.pool_label(idx, windows_field).with_message("Windows"))
                .help(format!(
                    "make `{}` a User pool (`mode: User`); if it is the cluster's only System pool, add a Linux System pool first",
                    pool.name
                )),
            );
        }
    }
}

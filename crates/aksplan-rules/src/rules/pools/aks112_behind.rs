//! AKS112: a pool is at most 3 minors behind (2 before 1.28).

use aksplan_model::finding::Finding;

use super::{at_pool_version, each_pool_skew};
use crate::Context;
use crate::skew::PoolSkew;

crate::rule_code!(
    "AKS112",
    Error,
    "A node pool is too many minors behind the control plane",
    "## What it checks
Every node pool is at most 3 minor versions behind the control plane when the control plane is
on 1.28 or later, and at most 2 before 1.28.

## Why
`aks-upgrade-rules.md` §2.2: AKS moved from n-2 to n-3 for control planes on 1.28 and later
(AKS-CHANGELOG 2024-04-11). A pool outside the window blocks every further control-plane
upgrade (`NodePoolMcVersionIncompatible`): it has to be upgraded first.

## Example
```yaml
current:
  kubernetesVersion: \"1.33.2\"
  nodePools: [ { name: legacy, mode: User, orchestratorVersion: \"1.29.15\" } ]   # N-4
```

## Applies to
Control planes before 1.28: window 2; from 1.28: window 3."
);

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    each_pool_skew(ctx, out, |cluster, idx, skew| {
        let PoolSkew::TooFarBehind { behind, allowed } = skew else {
            return None;
        };
        let pool = &cluster.pools()[idx];
        let message = format!(
            "node pool `{}` of cluster `{}` is {behind} minors behind the control plane `{}` (at most {allowed} allowed)",
            pool.name,
            cluster.name(),
            cluster.resolved.current.kubernetes_version
        );
        let label = format!("{behind} minors behind");
        Some(
            at_pool_version(Finding::new(CODE, message), cluster, idx, label)
                .help("upgrade this pool (to a version the current control plane allows) before the control plane moves again"),
        )
    });
}

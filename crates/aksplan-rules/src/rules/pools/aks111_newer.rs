//! AKS111: a pool is never newer than the control plane.

use aksplan_model::finding::Finding;

use super::{each_pool_skew, pool_version_finding};
use crate::Context;
use crate::skew::PoolSkew;

crate::rule_code!(
    "AKS111",
    Error,
    "A node pool is newer than the control plane",
    "## What it checks
No node pool runs a newer version than the control plane, compared on major.minor.patch
(`1.30.10` is newer than `1.30.9`; LTS patches compare numerically, `1.27.102` is newer than
`1.27.100`).

## Why
`aks-upgrade-rules.md` §2.2 (upgrade-node-pools.md): \"The node pool version can't be greater
than the control `major.minor.patch` version\"; upstream, a kubelet is never newer than the
apiserver (§1).

## Example
```yaml
current:
  kubernetesVersion: \"1.30.9\"
  nodePools: [ { name: web, mode: User, orchestratorVersion: \"1.30.10\" } ]
```"
);

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    each_pool_skew(ctx, out, |cluster, idx, skew| {
        (skew == PoolSkew::Newer).then(|| {
            pool_version_finding(CODE, cluster, idx, "newer than", "newer than the control plane")
                .help("check the saved state: AKS never lets a pool pass the control plane")
        })
    });
}

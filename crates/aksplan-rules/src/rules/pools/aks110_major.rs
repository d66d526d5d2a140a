//! AKS110: same major as the control plane.

use aksplan_model::finding::Finding;

use super::{each_pool_skew, pool_version_finding};
use crate::Context;
use crate::skew::PoolSkew;

crate::rule_code!(
    "AKS110",
    Error,
    "A node pool has another major version than the control plane",
    "## What it checks
Every node pool has the same major version as the control plane.

## Why
`aks-upgrade-rules.md` §2.2 (upgrade-aks-control-plane.md): AKS requires node pools to share the
control plane's major version.

## Example
```yaml
current:
  kubernetesVersion: \"1.30.9\"
  nodePools: [ { name: system, mode: System, orchestratorVersion: \"2.0.0\" } ]
```"
);

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    each_pool_skew(ctx, out, |cluster, idx, skew| {
        (skew == PoolSkew::MajorMismatch).then(|| {
            pool_version_finding(CODE, cluster, idx, "another major than", "pool version")
                .help("check the version for a typo; AKS pools always share the control plane's major")
        })
    });
}

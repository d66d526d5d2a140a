//! AKS113: the upstream kubelet / kube-proxy skew.

use aksplan_model::finding::Finding;

use crate::Context;
use crate::skew::{PoolSkew, upstream_kubelet_skew};

crate::rule_code!(
    "AKS113",
    Info,
    "A node pool breaks the upstream kubelet skew policy",
    "## What it checks
The Kubernetes version-skew policy for node components: a kubelet (and kube-proxy) is never
newer than the apiserver, and at most 3 minors older, 2 when the kubelet is older than 1.25.
Stated apart from AKS's own window (AKS110–AKS112) because the two are defined differently
(the upstream window depends on the kubelet's version, AKS's on the control plane's). With
today's windows every upstream violation is also an AKS111/AKS112 error, so this rule reports at
info level, as the upstream reason behind the AKS error; should AKS widen its window again, it
is what still warns about the node components.

## Why
`aks-upgrade-rules.md` §1 (kubernetes.io version-skew policy; the window grew from n-2 to n-3 in
Kubernetes 1.28). Nodes outside it may lose features or fail to register after the next
control-plane upgrade.

## Example
```yaml
current:
  kubernetesVersion: \"1.27.9\"
  nodePools: [ { name: old, mode: User, orchestratorVersion: \"1.24.9\" } ]   # kubelet < 1.25: n-2
```"
);

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for cluster in ctx.clusters() {
        let Some(apiserver) = cluster.current_version() else {
            continue;
        };
        for (idx, pool) in cluster.pools().iter().enumerate() {
            let Some(kubelet) = cluster.pool_version(idx) else {
                continue;
            };
            let message = match upstream_kubelet_skew(apiserver, kubelet) {
                PoolSkew::Ok | PoolSkew::MajorMismatch => continue,
                PoolSkew::Newer => format!(
                    "the kubelet of node pool `{}` (`{kubelet}`) would be newer than the apiserver (`{apiserver}`)",
                    pool.name
                ),
                PoolSkew::TooFarBehind { behind, allowed } => format!(
                    "the kubelet of node pool `{}` (`{kubelet}`) is {behind} minors older than the apiserver (`{apiserver}`); the Kubernetes skew policy allows {allowed}",
                    pool.name
                ),
            };
            out.push(
                Finding::new(CODE, message)
                    .at(cluster
                        .pool_label(idx, "orchestratorVersion")
                        .with_message("kubelet and kube-proxy version"))
                    .also(cluster.current_version_label().with_message("apiserver"))
                    .help("upgrade the pool before the control plane moves again"),
            );
        }
    }
}

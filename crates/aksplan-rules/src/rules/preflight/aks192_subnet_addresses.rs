//! AKS192: the subnet has too few free addresses for the surge nodes.

use std::collections::BTreeMap;

use aksplan_model::finding::Finding;

use super::{extra_nodes, nodes};
use crate::Context;

/// The `maxPods` AKS gives an Azure CNI pool when none is set.
const DEFAULT_MAX_PODS: u64 = 30;

crate::rule_code!(
    "AKS192",
    Error,
    "A subnet has too few free addresses for the surge nodes",
    "## What it checks
For every subnet saved in `currentFrom.subnets` (`az network vnet subnet show`; the addresses in
use from `currentFrom.vnetUsage`, `az network vnet list-usage`, when given, else the subnet's IP
configurations): the free addresses cover the extra nodes of the pools that take addresses from it
and are upgraded together (one wave of the pool order).

- Extra nodes: a rolling pool's surge (`maxSurge`, or the AKS default, of its size rounded up; the
  size is `maxCount` for an autoscaled pool); a blue-green pool's whole replacement pool; none for
  Spot.
- Addresses per node: `1 + maxPods` with Azure CNI without overlay (`maxPods` 30 when not known),
  else 1. A pool with a pod subnet (`podSubnetId`) takes 1 per node from its node subnet and
  `maxPods` per node from the pod subnet. When the network plugin is not known the stricter Azure CNI
  count is used.
- Free addresses: the usable addresses (the prefix's size less the 5 Azure reserves) less those in
  use.

## Why
`aks-upgrade-rules.md` §5.1 (`upgrade-aks-node-pools-rolling.md`): \"Surge needs subscription quota
and subnet IPs: Total IPs = (nodes + maxSurge) × (1 + maxPods)\"; the nodes already there hold their
addresses, so the surge needs `surge × (1 + maxPods)` free. Without them the upgrade fails with
`SubnetIsFull` (§6, `error-code-subnetisfull-upgrade.md`) after the control plane has moved.

## Example
```yaml
# subnet 10.240.0.0/24: 251 usable, 200 in use; pool `user` 20 nodes, maxPods 30, maxSurge 33%
# -> 7 surge nodes x 31 = 217 addresses needed, 51 free
```"
);

/// What one subnet must hold for one wave.
#[derive(Default)]
struct Need {
    addresses: u64,
    /// (pool index, extra nodes, addresses per node)
    pools: Vec<(usize, u64, u64)>,
}

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for cluster in ctx.clusters() {
        let live = &cluster.resolved.live;
        if live.subnets.is_empty() {
            continue;
        }
        let pods_on_nodes = cluster
            .resolved
            .current
            .network
            .as_ref()
            .is_none_or(|n| n.pods_on_node_subnet());
        let azure_cni = cluster
            .resolved
            .current
            .network
            .as_ref()
            .is_none_or(|n| n.network_plugin == Some(aksplan_model::plan::NetworkPlugin::Azure));
        let pools = cluster.pools();
        for (wave_no, wave) in cluster.pool_waves().iter().enumerate() {
            let mut needs: BTreeMap<String, Need> = BTreeMap::new();
            for name in wave {
                let Some(idx) = pools.iter().position(|p| &p.name == name) else {
                    continue;
                };
                let pool = &pools[idx];
                let Some(extra) = extra_nodes(&cluster, idx, pool).filter(|n| *n > 0) else {
                    continue;
                };
                let max_pods = pool.max_pods.map_or(DEFAULT_MAX_PODS, u64::from);
                let pod_subnet = pool.pod_subnet_id.as_deref().filter(|_| azure_cni);
                if let Some(id) = &pool.vnet_subnet_id {
                    let per_node = if pods_on_nodes && pod_subnet.is_none() {
                        1 + max_pods
                    } else {
                        1
                    };
                    let need = needs.entry(id.to_ascii_lowercase()).or_default();
                    need.addresses += extra * per_node;
                    need.pools.push((idx, extra, per_node));
                }
                if let Some(id) = pod_subnet {
                    let need = needs.entry(id.to_ascii_lowercase()).or_default();
                    need.addresses += extra * max_pods;
                    need.pools.push((idx, extra, max_pods));
                }
            }
            for (id, need) in needs {
                let Some(subnet) = live.subnet(&id) else { continue };
                let free = subnet.free();
                if need.addresses <= free {
                    continue;
                }
                let (first, _, per_node) = need.pools[0];
                let parts: Vec<String> = need
                    .pools
                    .iter()
                    .map(|(idx, extra, per_node)| {
                        format!(
                            "pool `{}`: {} × {per_node} addresses",
                            pools[*idx].name,
                            nodes(*extra)
                        )
                    })
                    .collect();
                let who = if need.pools.len() == 1 {
                    format!("pool `{}` of cluster `{}`", pools[first].name, cluster.name())
                } else {
                    format!(
                        "wave {} of the pool order of cluster `{}`",
                        wave_no + 1,
                        cluster.name()
                    )
                };
                let mut finding = Finding::new(
                    CODE,
                    format!(
                        "{who} needs {} addresses in subnet `{}` for its surge nodes ({}), which has {free} free ({} usable, {} in use)",
                        need.addresses,
                        subnet.name,
                        parts.join("; "),
                        subnet.usable,
                        subnet.used
                    ),
                )
                .at(cluster
                    .pool_label(first, "vnetSubnetId")
                    .with_message(format!("{} addresses needed", need.addresses)))
                .also(subnet.at.label().with_message(format!("{free} free")));
                if let Some(pointer) = cluster.pool_pointer_in_plan(first) {
                    finding = finding.pointer(pointer);
                }
                for (idx, _, _) in need.pools.iter().skip(1) {
                    finding = finding.also(
                        cluster
                            .pool_label(*idx, "vnetSubnetId")
                            .with_message("same subnet, same wave"),
                    );
                }
                let fits = free / per_node;
                let help = if need.pools.len() > 1 {
                    "upgrade the pools that share this subnet in separate waves (`poolOrder`), lower their `maxSurge`, or free or add addresses".to_owned()
                } else if fits > 0 {
                    format!(
                        "lower `maxSurge` to at most `{fits}` (the free addresses fit {} of {per_node} addresses), or free or add addresses (AKS fails with `SubnetIsFull`)",
                        nodes(fits)
                    )
                } else {
                    "free addresses in the subnet or add address space before the change; not even one surge node fits (AKS fails with `SubnetIsFull`)".to_owned()
                };
                out.push(finding.help(help));
            }
        }
    }
}

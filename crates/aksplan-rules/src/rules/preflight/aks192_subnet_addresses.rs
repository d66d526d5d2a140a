//! AKS192: the subnet has too few free addresses for the surge nodes.

use aksplan_model::finding::Finding;

use super::{nodes, subnet_needs};
use crate::Context;

crate::rule_code!(
    "AKS192",
    Error,
    "A subnet has too few free addresses for the surge nodes",
    "## What it checks
For every subnet saved in `currentFrom.subnets` (`az network vnet subnet show`; the addresses in
use from `currentFrom.vnetUsage`, the VNet's usages (`az rest ... /virtualNetworks/VNET/usages`), when given, else the subnet's IP
configurations): the free addresses cover the extra nodes of the pools that take addresses from it
and are upgraded together (one wave of the pool order).

- Extra nodes: a rolling pool's surge (`maxSurge`, or the AKS default, of its size rounded up; the
  size is `maxCount` for an autoscaled pool); a blue-green pool's whole replacement pool; none for
  Spot.
- Addresses per node: `1 + maxPods` with Azure CNI without overlay (`maxPods` 30 when not known),
  else 1. A pool with a pod subnet (`podSubnetId`) takes 1 per node from its node subnet and
  `maxPods` per node from the pod subnet
  (rounded up to whole blocks of 16 with `podIPAllocationMode: StaticBlock`). When the network plugin is not known the stricter Azure CNI
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

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for cluster in ctx.clusters() {
        let pools = cluster.pools();
        for need in subnet_needs(&cluster) {
            let subnet = need.of;
            let free = subnet.free();
            if need.amount <= free {
                continue;
            }
            let wave_no = need.wave;
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
                        need.amount,
                        subnet.name,
                        parts.join("; "),
                        subnet.usable,
                        subnet.used
                    ),
                )
                .at(cluster
                    .pool_label(first, "vnetSubnetId")
                    .with_message(format!("{} addresses needed", need.amount)))
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

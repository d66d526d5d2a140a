//! AKS133: node OS channel `Unmanaged` is `None` on Windows pools.

use aksplan_model::finding::Finding;
use aksplan_model::plan::NodeOsUpgradeChannel;

use super::{Field, after_place, list_names, node_os_after, windows_pools};
use crate::Context;

crate::rule_code!(
    "AKS133",
    Warning,
    "Unmanaged does nothing on Windows pools",
    "## What it checks
A cluster whose node OS channel is `Unmanaged` once the change is done and that has Windows node
pools: on those pools the channel behaves as `None`.

## Why
`aks-upgrade-rules.md` §3.2 and §5.6 (`aks-docs:articles/aks/auto-upgrade-node-os-image.md`):
with `Unmanaged` the OS applies updates itself, but Windows nodes do not self-apply updates, so
on Windows `Unmanaged` is the same as `None`: those pools get no OS updates until their node
image or Kubernetes version is upgraded.

## Example
```yaml
channels: { nodeOSUpgradeChannel: Unmanaged }
current:
  nodePools:
    - { name: win, mode: User, osType: Windows, osSKU: Windows2022, orchestratorVersion: \"1.35.2\" }
```"
);

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for cluster in ctx.clusters() {
        if node_os_after(&cluster) != Some(NodeOsUpgradeChannel::Unmanaged) {
            continue;
        }
        let windows = windows_pools(&cluster);
        if windows.is_empty() {
            continue;
        }
        let names = list_names(windows.iter().map(|&idx| cluster.pools()[idx].name.as_str()));
        let (pools, they) = if windows.len() == 1 {
            ("pool", "it gets")
        } else {
            ("pools", "they get")
        };
        let mut finding = after_place(&cluster, Field::NodeOs).primary(
            Finding::new(
                CODE,
                format!(
                    "node OS channel `Unmanaged` of cluster `{}` behaves as `None` on Windows {pools} {names}: {they} no OS updates",
                    cluster.name()
                ),
            ),
            "`None` on Windows",
        );
        for idx in windows {
            finding = finding.also(cluster.pool_label(idx, "osType").with_message("Windows pool"));
        }
        out.push(finding.help(
            "use `nodeOSUpgradeChannel: NodeImage` to keep Windows nodes patched, or plan regular node image upgrades for these pools",
        ));
    }
}

//! AKS131: node OS channel `SecurityPatch` with Windows pools.

use aksplan_model::finding::Finding;
use aksplan_model::plan::NodeOsUpgradeChannel;

use super::{Field, after_place, list_names, node_os_after, windows_pools};
use crate::Context;

crate::rule_code!(
    "AKS131",
    Error,
    "SecurityPatch with Windows pools",
    "## What it checks
A cluster whose node OS channel is `SecurityPatch` once the change is done has no Windows node
pools.

## Why
`aks-upgrade-rules.md` §3.2 and §5.6 (`aks-docs:articles/aks/auto-upgrade-node-os-image.md`):
`SecurityPatch` is not supported on Windows pools.

## Example
```yaml
channels: { nodeOSUpgradeChannel: SecurityPatch }
current:
  nodePools:
    - { name: win, mode: User, osType: Windows, osSKU: Windows2022, orchestratorVersion: \"1.35.2\" }
```"
);

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for cluster in ctx.clusters() {
        if node_os_after(&cluster) != Some(NodeOsUpgradeChannel::SecurityPatch) {
            continue;
        }
        let windows = windows_pools(&cluster);
        if windows.is_empty() {
            continue;
        }
        let names = list_names(windows.iter().map(|&idx| cluster.pools()[idx].name.as_str()));
        let (pools, verb) = if windows.len() == 1 {
            ("pool", "does")
        } else {
            ("pools", "do")
        };
        let mut finding = after_place(&cluster, Field::NodeOs).primary(
            Finding::new(
                CODE,
                format!(
                    "cluster `{}` would use node OS channel `SecurityPatch`, which Windows {pools} {names} {verb} not support",
                    cluster.name()
                ),
            ),
            "not supported on Windows",
        );
        for idx in windows {
            finding = finding.also(cluster.pool_label(idx, "osType").with_message("Windows pool"));
        }
        out.push(finding.help(
            "choose `nodeOSUpgradeChannel: NodeImage` (or `None`) for this cluster; Windows nodes get OS updates through new node images",
        ));
    }
}

//! AKS133: node OS channel `Unmanaged` is `None` on Windows pools.

use aksplan_model::finding::Finding;
use aksplan_model::plan::NodeOsUpgradeChannel;

use super::{PoolsOnChannel, is_windows};
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
    PoolsOnChannel {
        code: CODE,
        channel: NodeOsUpgradeChannel::Unmanaged,
        affected: is_windows,
        message: |cluster, names, one| {
            let (pools, they) = if one { ("pool", "it gets") } else { ("pools", "they get") };
            format!(
                "node OS channel `Unmanaged` of cluster `{cluster}` behaves as `None` on Windows {pools} {names}: {they} no OS updates"
            )
        },
        label: "`None` on Windows",
        pool_label: ("osType", "Windows pool"),
        help: "use `nodeOSUpgradeChannel: NodeImage` to keep Windows nodes patched, or plan regular node image upgrades for these pools",
    }
    .check(ctx, out);
}

//! AKS131: node OS channel `SecurityPatch` with Windows pools.

use aksplan_model::finding::Finding;
use aksplan_model::plan::NodeOsUpgradeChannel;

use super::{PoolsOnChannel, is_windows};
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
    PoolsOnChannel {
        code: CODE,
        channel: NodeOsUpgradeChannel::SecurityPatch,
        affected: is_windows,
        message: |cluster, names, one| {
            let (pools, verb) = if one { ("pool", "does") } else { ("pools", "do") };
            format!(
                "cluster `{cluster}` would use node OS channel `SecurityPatch`, which Windows {pools} {names} {verb} not support"
            )
        },
        label: "not supported on Windows",
        pool_label: ("osType", "Windows pool"),
        help: "choose `nodeOSUpgradeChannel: NodeImage` (or `None`) for this cluster; Windows nodes get OS updates through new node images",
    }
    .check(ctx, out);
}

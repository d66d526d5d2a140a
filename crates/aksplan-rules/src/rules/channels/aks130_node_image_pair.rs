//! AKS130: cluster channel `node-image` goes with node OS channel `NodeImage`.

use aksplan_model::finding::Finding;
use aksplan_model::plan::{NodeOsUpgradeChannel, UpgradeChannel};

use super::{Field, after_place, node_os_after, node_os_name, upgrade_after};
use crate::Context;

crate::rule_code!(
    "AKS130",
    Error,
    "Cluster channel node-image with another node OS channel",
    "## What it checks
Once the change is done (the plan's `channels` over the current ones), a cluster whose
auto-upgrade channel is `node-image` has no node OS channel, or `NodeImage`. Any other node OS
channel (`None`, `Unmanaged`, `SecurityPatch`) is reported, whether the plan sets it or it is the
current one the plan keeps.

## Why
`aks-upgrade-rules.md` §3.2 (`aks-docs:articles/aks/auto-upgrade-node-os-image.md`): cluster
channel `node-image` forces the node OS channel to `NodeImage`, and the node OS channel can't be
changed while the cluster channel is `node-image`. §3.1 (`auto-upgrade-cluster.md`): with API
`11-02-preview` or later, choosing `node-image` switches the node OS channel to `NodeImage`
itself, so a plan that keeps another node OS channel describes a state AKS will not be in.

## Example
```yaml
channels:
  upgradeChannel: node-image
  nodeOSUpgradeChannel: SecurityPatch
```

## Applies to
The channels after the change. The legacy cluster channel `node-image` is planned for
deprecation; the node OS channel `NodeImage` (with another cluster channel, or `none`) does the
same."
);

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for cluster in ctx.clusters() {
        if upgrade_after(&cluster) != Some(UpgradeChannel::NodeImage) {
            continue;
        }
        let Some(node_os) = node_os_after(&cluster).filter(|c| *c != NodeOsUpgradeChannel::NodeImage) else {
            continue;
        };
        let finding = Finding::new(
            CODE,
            format!(
                "cluster `{}` would have upgrade channel `node-image` with node OS channel `{}`",
                cluster.name(),
                node_os_name(node_os)
            ),
        );
        out.push(
            after_place(&cluster, Field::NodeOs)
                .primary(finding, "must be `NodeImage`")
                .also(
                    after_place(&cluster, Field::Upgrade)
                        .label
                        .with_message("`node-image` forces `NodeImage`"),
                )
                .help("set `channels.nodeOSUpgradeChannel: NodeImage`, or choose another `upgradeChannel` (the node OS channel `NodeImage` replaces the legacy `node-image` channel)"),
        );
    }
}

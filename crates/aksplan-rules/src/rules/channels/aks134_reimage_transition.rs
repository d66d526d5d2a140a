//! AKS134: a node OS channel change that reimages the nodes.

use aksplan_model::finding::Finding;
use aksplan_model::plan::NodeOsUpgradeChannel;

use super::{Field, current_place, node_os_name, planned_pointer};
use crate::Context;

crate::rule_code!(
    "AKS134",
    Warning,
    "The node OS channel change reimages the nodes",
    "## What it checks
A plan that changes a cluster's node OS channel (`channels.nodeOSUpgradeChannel`, compared with
the current one) in one of the ways AKS documents as reimaging the nodes:
`Unmanaged` → `None`, unset → `Unmanaged`, `SecurityPatch` → `Unmanaged`, `NodeImage` →
`Unmanaged`, `None` → `Unmanaged`.

When nothing says what the current node OS channel is (no `current.channels`, no
`autoUpgradeProfile` in the saved `az aks show` output), it is taken as unset, so a change to
`Unmanaged` is reported: the conservative reading.

## Why
`aks-upgrade-rules.md` §3.2 (`aks-docs:articles/aks/auto-upgrade-node-os-image.md`): these
channel changes reimage the nodes. A reimage is a rolling, disruptive node replacement on top of
the upgrade itself; the change window and the workloads' disruption budgets must allow for it.

## Example
```yaml
channels: { nodeOSUpgradeChannel: Unmanaged }
current:
  channels: { nodeOSUpgradeChannel: NodeImage }
```"
);

/// Whether changing the node OS channel from `from` (`None`: unset) to `to` reimages the nodes.
fn reimages(from: Option<NodeOsUpgradeChannel>, to: NodeOsUpgradeChannel) -> bool {
    use NodeOsUpgradeChannel as C;
    matches!(
        (from, to),
        (Some(C::Unmanaged), C::None)
            | (
                None | Some(C::SecurityPatch | C::NodeImage | C::None),
                C::Unmanaged
            )
    )
}

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for cluster in ctx.clusters() {
        let Some(pointer) = planned_pointer(&cluster, Field::NodeOs) else {
            continue;
        };
        let Some(to) = cluster
            .spec
            .channels
            .as_ref()
            .and_then(|c| c.node_os_upgrade_channel)
        else {
            continue;
        };
        let from = cluster
            .resolved
            .current
            .channels
            .as_ref()
            .and_then(|c| c.node_os_upgrade_channel);
        if !reimages(from, to) {
            continue;
        }
        let from_text = from.map_or("unset".to_owned(), |c| format!("`{}`", node_os_name(c)));
        let mut finding = Finding::new(
            CODE,
            format!(
                "changing the node OS channel of cluster `{}` from {from_text} to `{}` reimages every node",
                cluster.name(),
                node_os_name(to)
            ),
        )
        .at(cluster.doc.label(&pointer).with_message("reimages the nodes"))
        .pointer(pointer);
        if from.is_some() {
            finding = finding.also(
                current_place(&cluster, Field::NodeOs)
                    .label
                    .with_message(format!("now {from_text}")),
            );
        }
        out.push(finding.help(
            "allow for a rolling reimage of every pool in the change window (surge settings and disruption budgets apply), or keep the current node OS channel",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use NodeOsUpgradeChannel as C;

    #[test]
    fn the_documented_transitions_reimage() {
        let all = [C::None, C::Unmanaged, C::SecurityPatch, C::NodeImage];
        let expected = [
            (Some(C::Unmanaged), C::None),
            (None, C::Unmanaged),
            (Some(C::SecurityPatch), C::Unmanaged),
            (Some(C::NodeImage), C::Unmanaged),
            (Some(C::None), C::Unmanaged),
        ];
        let froms = std::iter::once(None).chain(all.iter().copied().map(Some));
        for from in froms {
            for to in all {
                assert_eq!(
                    reimages(from, to),
                    expected.contains(&(from, to)),
                    "{from:?} -> {to:?}"
                );
            }
        }
    }
}

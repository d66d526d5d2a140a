//! Auto-upgrade channels: the cluster channel, the node OS channel, and what they allow
//! (`aks-upgrade-rules.md` §3, §2.1, §5.6, §5.7).

use aksplan_model::codes::Code;
use aksplan_model::finding::{Finding, Label};
use aksplan_model::plan::{NodeOsUpgradeChannel, NodePool, OsType, UpgradeChannel};

use super::Rule;
use crate::{ClusterView, Context};

pub mod aks130_node_image_pair;
pub mod aks131_security_patch_windows;
pub mod aks132_security_patch_gpu;
pub mod aks133_unmanaged_windows;
pub mod aks134_reimage_transition;
pub mod aks135_control_plane_only;

pub const RULES: &[Rule] = &[
    Rule {
        code: aks130_node_image_pair::CODE,
        check: aks130_node_image_pair::check,
    },
    Rule {
        code: aks131_security_patch_windows::CODE,
        check: aks131_security_patch_windows::check,
    },
    Rule {
        code: aks132_security_patch_gpu::CODE,
        check: aks132_security_patch_gpu::check,
    },
    Rule {
        code: aks133_unmanaged_windows::CODE,
        check: aks133_unmanaged_windows::check,
    },
    Rule {
        code: aks134_reimage_transition::CODE,
        check: aks134_reimage_transition::check,
    },
    Rule {
        code: aks135_control_plane_only::CODE,
        check: aks135_control_plane_only::check,
    },
];

/// The two channel fields, by their plan names.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Field {
    Upgrade,
    NodeOs,
}

impl Field {
    fn plan_name(self) -> &'static str {
        match self {
            Field::Upgrade => "upgradeChannel",
            Field::NodeOs => "nodeOSUpgradeChannel",
        }
    }

    /// The spellings in `autoUpgradeProfile` of `az aks show` output.
    fn az_names(self) -> &'static [&'static str] {
        match self {
            Field::Upgrade => &["upgradeChannel"],
            Field::NodeOs => &["nodeOSUpgradeChannel", "nodeOsUpgradeChannel"],
        }
    }
}

/// Where a channel value is written, and the plan pointer when it is in the plan.
struct Place {
    label: Label,
    pointer: Option<String>,
}

impl Place {
    /// Adds this place as the finding's primary location (and its pointer when in the plan).
    fn primary(self, finding: Finding, message: impl Into<String>) -> Finding {
        let finding = finding.at(self.label.with_message(message));
        match self.pointer {
            Some(pointer) => finding.pointer(pointer),
            None => finding,
        }
    }
}

/// Pointer of the plan's `channels.<field>` for this cluster, when the plan sets it.
fn planned_pointer(cluster: &ClusterView<'_>, field: Field) -> Option<String> {
    let pointer = format!("{}/channels/{}", cluster.pointer(), field.plan_name());
    cluster.doc.map.has_value(&pointer).then_some(pointer)
}

/// Where the channel value in force once the change is done is written: the plan's `channels`
/// when it sets this channel, the current state otherwise.
fn after_place(cluster: &ClusterView<'_>, field: Field) -> Place {
    match planned_pointer(cluster, field) {
        Some(pointer) => Place {
            label: cluster.doc.label(&pointer),
            pointer: Some(pointer),
        },
        None => current_place(cluster, field),
    }
}

/// Where the channel in force now is written: the plan's `current.channels`, or the saved
/// `az aks show` output (`autoUpgradeProfile`).
fn current_place(cluster: &ClusterView<'_>, field: Field) -> Place {
    if cluster.spec.current.is_some() {
        let base = format!("{}/current", cluster.pointer());
        let pointer = [
            format!("{base}/channels/{}", field.plan_name()),
            format!("{base}/channels"),
        ]
        .into_iter()
        .find(|p| cluster.doc.map.has_value(p))
        .unwrap_or(base);
        return Place {
            label: cluster.doc.label(&pointer),
            pointer: Some(pointer),
        };
    }
    match cluster.resolved.state_docs.first() {
        Some(show) => {
            let base = if show.map.has_value("/properties") {
                "/properties/autoUpgradeProfile"
            } else {
                "/autoUpgradeProfile"
            };
            let pointer = field
                .az_names()
                .iter()
                .map(|name| format!("{base}/{name}"))
                .find(|p| show.map.has_value(p))
                .unwrap_or_else(|| base.to_owned());
            Place {
                label: show.label(&pointer),
                pointer: None,
            }
        }
        None => Place {
            label: cluster.doc.label(&cluster.pointer()),
            pointer: Some(cluster.pointer()),
        },
    }
}

/// The node OS channel once the change is done.
fn node_os_after(cluster: &ClusterView<'_>) -> Option<NodeOsUpgradeChannel> {
    cluster.resolved.channels.node_os_upgrade_channel
}

/// The cluster channel once the change is done.
fn upgrade_after(cluster: &ClusterView<'_>) -> Option<UpgradeChannel> {
    cluster.resolved.channels.upgrade_channel
}

fn is_windows(pool: &NodePool) -> bool {
    pool.os_type == OsType::Windows
}

/// Pools that a node OS channel does not serve (AKS131 to AKS133): one finding per cluster whose
/// channel once the change is done is `channel`, at that channel, with each such pool labelled.
struct PoolsOnChannel {
    code: Code,
    channel: NodeOsUpgradeChannel,
    affected: fn(&NodePool) -> bool,
    /// The message from the cluster name, the pool names, and whether there is a single pool.
    message: fn(&str, &str, bool) -> String,
    label: &'static str,
    /// The pool field each pool's label points at, and that label's text.
    pool_label: (&'static str, &'static str),
    help: &'static str,
}

impl PoolsOnChannel {
    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        for cluster in ctx.clusters() {
            if node_os_after(&cluster) != Some(self.channel) {
                continue;
            }
            let affected: Vec<usize> = (0..cluster.pools().len())
                .filter(|&idx| (self.affected)(&cluster.pools()[idx]))
                .collect();
            if affected.is_empty() {
                continue;
            }
            let names = list_names(affected.iter().map(|&idx| &*cluster.pools()[idx].name));
            let message = (self.message)(cluster.name(), &names, affected.len() == 1);
            let mut finding =
                after_place(&cluster, Field::NodeOs).primary(Finding::new(self.code, message), self.label);
            let (field, text) = self.pool_label;
            for idx in affected {
                finding = finding.also(cluster.pool_label(idx, field).with_message(text));
            }
            out.push(finding.help(self.help));
        }
    }
}

/// `a`, `a` and `b`, `a`, `b` and `c`: pool names in backticks.
fn list_names<'n>(names: impl IntoIterator<Item = &'n str>) -> String {
    let names: Vec<String> = names.into_iter().map(|n| format!("`{n}`")).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The plan spelling of a node OS channel.
fn node_os_name(channel: NodeOsUpgradeChannel) -> &'static str {
    match channel {
        NodeOsUpgradeChannel::None => "None",
        NodeOsUpgradeChannel::Unmanaged => "Unmanaged",
        NodeOsUpgradeChannel::SecurityPatch => "SecurityPatch",
        NodeOsUpgradeChannel::NodeImage => "NodeImage",
    }
}

/// The plan spelling of a cluster channel.
fn upgrade_name(channel: UpgradeChannel) -> &'static str {
    match channel {
        UpgradeChannel::None => "none",
        UpgradeChannel::Patch => "patch",
        UpgradeChannel::Stable => "stable",
        UpgradeChannel::Rapid => "rapid",
        UpgradeChannel::NodeImage => "node-image",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_names() {
        assert_eq!(list_names([]), "");
        assert_eq!(list_names(["a"]), "`a`");
        assert_eq!(list_names(["a", "b"]), "`a` and `b`");
        assert_eq!(list_names(["a", "b", "c"]), "`a`, `b` and `c`");
    }
}

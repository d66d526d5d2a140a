//! The auto-upgrade channel during the change: switched off first and restored last, or left on
//! with every hop a full upgrade (`spec.strategy.channelConflict`); and the channels the plan sets.

use aksplan_model::plan::{ChannelConflict, Channels, UpgradeChannel};
use aksplan_rules::rules::channels::aks135_control_plane_only;
use aksplan_rules::{ClusterView, Context};

use super::builder::provenance;
use super::cluster::ClusterBuild;
use crate::step::StepKind;

/// What the compiler does about a cluster's auto-upgrade channel.
pub(super) struct ChannelChoice {
    /// The channels before the change.
    pub(super) current: Channels,
    /// The channel stays on and every hop is a full upgrade (control plane and pools together).
    pub(super) full_upgrades: bool,
    /// The channel is switched to `none` for the change and restored after.
    pub(super) switched: bool,
}

impl ChannelChoice {
    /// `has_hops`: whether the control plane moves at all (without hops there is nothing to
    /// upgrade in full).
    pub(super) fn new(ctx: &Context<'_>, view: &ClusterView<'_>, has_hops: bool) -> Self {
        let current = view.resolved.current.channels.clone().unwrap_or_default();
        let auto_upgrade = current.upgrade_channel.is_some_and(|c| c != UpgradeChannel::None);
        let conflict = ctx.plan.spec.strategy.channel_conflict;
        Self {
            full_upgrades: view.full_upgrades() && has_hops,
            switched: auto_upgrade && conflict == ChannelConflict::SwitchToNone,
            current,
        }
    }
}

/// A channel as the plan writes it (`stable`, `node-image`); empty when unset.
pub(crate) fn channel_name(channel: Option<UpgradeChannel>) -> String {
    serde_json::to_value(channel)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

impl ClusterBuild<'_, '_> {
    /// The first step: the auto-upgrade channel to `none`, so that control-plane-only steps are
    /// allowed.
    pub(super) fn channel_off(&mut self, channels: &ChannelChoice) {
        let to = Channels {
            upgrade_channel: Some(UpgradeChannel::None),
            node_os_upgrade_channel: channels.current.node_os_upgrade_channel,
        };
        let name = self.name();
        let minutes = self.config_minutes();
        // Restored after, unless the plan itself sets `none` for good (then nothing restores it).
        let kept_off =
            self.view.spec.channels.as_ref().and_then(|c| c.upgrade_channel) == Some(UpgradeChannel::None);
        let after = if kept_off {
            "switched to `none` first, which the plan keeps after the change"
        } else {
            "switched to `none` for the change and restored after"
        };
        self.sequential(
            format!("{name}/channel/off"),
            StepKind::ChannelChange { to, restore: false },
            provenance(
                format!(
                    "auto-upgrade channel `{}` forbids control-plane-only steps; {after}",
                    channel_name(channels.current.upgrade_channel)
                ),
                Some(aks135_control_plane_only::CODE),
                Some("/spec/strategy/channelConflict".into()),
                None,
            ),
            None,
            minutes,
        );
    }

    /// The last step: restore the channels switched off (or set what the plan asks for).
    pub(super) fn channels_after(&mut self, channels: &ChannelChoice) {
        let view = self.view;
        let channel_switched = channels.switched;
        let current_channels = &channels.current;
        let desired = view.resolved.channels.clone();
        // After a switch the channel is `none`; restoring to `none` would be a no-op step.
        let during = if channel_switched {
            Channels {
                upgrade_channel: Some(UpgradeChannel::None),
                node_os_upgrade_channel: current_channels.node_os_upgrade_channel,
            }
        } else {
            current_channels.clone()
        };
        let desired_effective = Channels {
            upgrade_channel: desired.upgrade_channel.or(Some(UpgradeChannel::None)),
            node_os_upgrade_channel: desired.node_os_upgrade_channel.or(during.node_os_upgrade_channel),
        };
        let during_effective = Channels {
            upgrade_channel: during.upgrade_channel.or(Some(UpgradeChannel::None)),
            ..during.clone()
        };
        if desired_effective == during_effective {
            return;
        }
        let name = self.name();
        let minutes = self.config_minutes();
        self.sequential(
            format!(
                "{name}/channel/{}",
                if channel_switched { "restore" } else { "set" }
            ),
            StepKind::ChannelChange {
                to: desired,
                restore: channel_switched,
            },
            provenance(
                if channel_switched {
                    "restore the auto-upgrade channels after the change".to_owned()
                } else {
                    "the plan sets the cluster's channels".to_owned()
                },
                None,
                Some(if view.spec.channels.is_some() {
                    format!("{}/channels", view.pointer())
                } else {
                    "/spec/strategy/channelConflict".into()
                }),
                None,
            ),
            None,
            minutes,
        );
    }
}

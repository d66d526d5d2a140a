//! After the change: when AKS's own, channel-driven work next runs on each cluster.

use aksplan_model::plan::{NodeOsUpgradeChannel, UpgradeChannel};
use aksplan_rules::Context;

use super::{ChannelWindow, Schedule};
use crate::clusters::ClusterIndex;
use crate::index::StepIndex;

/// For each cluster that leaves an auto-upgrade or node OS channel on, the next AKS maintenance
/// window after its last step (or after the plan's date when nothing is scheduled).
pub(super) fn channel_windows(
    ctx: &Context<'_>,
    clusters: &ClusterIndex<'_>,
    index: &StepIndex<'_>,
    schedule: &Schedule,
) -> Vec<ChannelWindow> {
    let compiled = index.compiled();
    let mut out = Vec::new();
    for plan in &compiled.clusters {
        let Some(view) = clusters.view(&plan.name) else {
            continue;
        };
        let last_end = index
            .cluster_steps(&plan.name)
            .filter_map(|s| schedule.placement(&s.id).map(|p| p.end))
            .max();
        let after = last_end.or_else(|| {
            ctx.as_of
                .to_zoned(jiff::tz::TimeZone::UTC)
                .ok()
                .map(|z| z.timestamp())
        });
        let Some(after) = after else { continue };
        let channels = &view.resolved.channels;
        let maintenance = &view.resolved.maintenance;
        if let Some(channel) = channels.upgrade_channel.filter(|c| *c != UpgradeChannel::None) {
            let name = crate::compile::channel_name(Some(channel));
            out.push(ChannelWindow {
                cluster: plan.name.clone(),
                channel: format!("auto-upgrade `{name}`"),
                configuration: "aksManagedAutoUpgradeSchedule".into(),
                next: maintenance
                    .auto_upgrade
                    .as_ref()
                    .and_then(|w| crate::maintenance::next_occurrence(w, after)),
            });
        }
        if let Some(channel) = channels.node_os_upgrade_channel.filter(|c| {
            matches!(
                c,
                NodeOsUpgradeChannel::NodeImage | NodeOsUpgradeChannel::SecurityPatch
            )
        }) {
            out.push(ChannelWindow {
                cluster: plan.name.clone(),
                channel: format!("node OS `{channel:?}`"),
                configuration: "aksManagedNodeOSUpgradeSchedule".into(),
                next: maintenance
                    .node_os_upgrade
                    .as_ref()
                    .and_then(|w| crate::maintenance::next_occurrence(w, after)),
            });
        }
    }
    out
}

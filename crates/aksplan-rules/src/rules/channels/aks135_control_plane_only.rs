//! AKS135: an auto-upgrade channel during a change that needs control-plane-only steps.

use aksplan_model::finding::{Finding, Label};
use aksplan_model::plan::{ScaleSetPriority, UpgradeChannel};
use aksplan_model::version::KubeVersion;

use super::{Field, after_place, list_names, upgrade_after, upgrade_name};
use crate::Context;

crate::rule_code!(
    "AKS135",
    Warning,
    "An auto-upgrade channel blocks the control-plane-only steps",
    "## What it checks
A cluster whose auto-upgrade channel during the change (the plan's `channels.upgradeChannel`
over the current one) is set and not `none`, while the plan needs control-plane-only steps:

- the target is more than one minor above the current control plane, so the control plane
  steps through minors ahead of the pools;
- the cluster has Spot pools (`scaleSetPriority: Spot`), which must be upgraded separately from
  the control plane;
- the cluster has a `poolOrder` with more than one wave, so the pools are upgraded after the
  control plane, wave by wave.

The legacy channel `node-image` counts as a channel here: the source says \"any auto-upgrade
channel\", and reading it that way is the conservative choice.

## Why
`aks-upgrade-rules.md` §2.1 (`aks-docs:articles/aks/auto-upgrade-cluster.md`): with any
auto-upgrade channel set, AKS upgrades the control plane and all pools together, and
`az aks upgrade --control-plane-only` fails with
`NotAllAgentPoolOrchestratorVersionSpecifiedAndUnchanged`. §5.7
(`aks-docs:articles/aks/spot-node-pool.md`): \"You can't upgrade the control plane and node pools
at the same time\" when the cluster has Spot pools. §9 rule 5: `--control-plane-only` is
forbidden while `upgradeChannel` is not `none`.

## Example
```yaml
current:
  channels: { upgradeChannel: stable }
  nodePools:
    - { name: spot, mode: User, scaleSetPriority: Spot, orchestratorVersion: \"1.35.2\" }
```"
);

/// How many minors `target` is above `current`, when both are known and of the same major.
fn minors_above(current: Option<KubeVersion>, target: Option<KubeVersion>) -> Option<u64> {
    let (current, target) = (current?, target?);
    (current.major == target.major && target.minor > current.minor).then(|| target.minor - current.minor)
}

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for cluster in ctx.clusters() {
        let Some(channel) = upgrade_after(&cluster).filter(|c| *c != UpgradeChannel::None) else {
            continue;
        };
        let mut reasons: Vec<String> = Vec::new();
        let mut labels: Vec<Label> = Vec::new();

        let target = cluster.target();
        if let Some(gap) = minors_above(cluster.current_version(), target.as_ref().map(|(v, _)| *v))
            && gap > 1
            && let Some((target, _)) = &target
        {
            reasons.push(format!(
                "the target `{target}` is {gap} minors above the control plane `{}`",
                cluster.resolved.current.kubernetes_version
            ));
            labels.push(cluster.target_label().with_message(format!("{gap} minors up")));
        }

        let spot: Vec<usize> = (0..cluster.pools().len())
            .filter(|&idx| cluster.pools()[idx].scale_set_priority == Some(ScaleSetPriority::Spot))
            .collect();
        if !spot.is_empty() {
            let names = list_names(spot.iter().map(|&idx| &*cluster.pools()[idx].name));
            let pools = if spot.len() == 1 { "pool" } else { "pools" };
            reasons.push(format!(
                "Spot {pools} {names} must be upgraded separately from the control plane"
            ));
            labels.extend(spot.iter().map(|&idx| {
                cluster
                    .pool_label(idx, "scaleSetPriority")
                    .with_message("Spot pool")
            }));
        }

        if let Some(order) = &cluster.spec.pool_order
            && order.len() > 1
        {
            reasons.push(format!("`poolOrder` upgrades the pools in {} waves", order.len()));
            labels.push(
                cluster
                    .doc
                    .key_label(&format!("{}/poolOrder", cluster.pointer()))
                    .with_message(format!("{} waves", order.len())),
            );
        }

        if reasons.is_empty() {
            continue;
        }
        let spot_or_waves = !spot.is_empty() || cluster.spec.pool_order.as_ref().is_some_and(|o| o.len() > 1);
        let mut finding = after_place(&cluster, Field::Upgrade).primary(
            Finding::new(
                CODE,
                format!(
                    "cluster `{}` has auto-upgrade channel `{}` during the change, which blocks the control-plane-only steps it needs: {}",
                    cluster.name(),
                    upgrade_name(channel),
                    reasons.join("; ")
                ),
            ),
            "blocks `--control-plane-only`",
        );
        for label in labels {
            finding = finding.also(label);
        }
        // The compiler resolves the conflict as `spec.strategy.channelConflict` says; the finding
        // then tells reviewers what will happen instead of warning about what cannot.
        let finding = match ctx.plan.spec.strategy.channel_conflict {
            aksplan_model::plan::ChannelConflict::SwitchToNone => finding.severity(aksplan_model::finding::Severity::Info).help(
                "the compiled plan switches the channel to `none` before the first step and restores it after the last (`spec.strategy.channelConflict: switchToNone`)",
            ),
            aksplan_model::plan::ChannelConflict::FullUpgrade if spot_or_waves => finding.help(
                "`channelConflict: fullUpgrade` upgrades control plane and pools together, which Spot pools and `poolOrder` waves do not allow; use `switchToNone`",
            ),
            aksplan_model::plan::ChannelConflict::FullUpgrade => finding.severity(aksplan_model::finding::Severity::Info).help(
                "the compiled plan upgrades control plane and pools together at every hop (`spec.strategy.channelConflict: fullUpgrade`)",
            ),
        };
        out.push(finding);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Option<KubeVersion> {
        KubeVersion::parse(text).ok()
    }

    #[test]
    fn counts_minors_above() {
        assert_eq!(minors_above(v("1.34.3"), v("1.36")), Some(2));
        assert_eq!(minors_above(v("1.35.2"), v("1.36")), Some(1));
        assert_eq!(minors_above(v("1.36.1"), v("1.36")), None);
        assert_eq!(minors_above(v("1.36.1"), v("2.38")), None);
        assert_eq!(minors_above(None, v("1.36")), None);
    }
}

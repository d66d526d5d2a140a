//! AKS157: pool size plus surge stays within 1,000 VMSS instances.

use aksplan_model::finding::Finding;
use aksplan_model::plan::ScaleSetPriority;

use super::{at_field, each_pool, effective_surge, field_label, pool_name, surge_nodes};
use crate::Context;

/// The most VMSS instances a pool may reach during an upgrade.
const LIMIT: u64 = 1000;

crate::rule_code!(
    "AKS157",
    Error,
    "A pool plus its surge exceeds 1,000 instances",
    "## What it checks
A pool's size plus its surge nodes stays within 1,000 VMSS instances. The size is `count`, or
`maxCount` when `enableAutoScaling` is true (the autoscaler may have grown the pool that far). The
surge is `maxSurge`: a count, or a percentage of the size **rounded up**, at most the size itself.
Without `maxSurge` the AKS default is used: `10%` for a pool on 1.32 or later, else `1`; the
larger default is assumed when any upgrade step of the plan starts with the pool on 1.32 or later
(the target is 1.33 or later). Spot pools add no surge. Pools with no size given are skipped.

## Why
`aks-upgrade-rules.md` §5.1: \"If pool size plus surge would exceed 1,000 VMSS instances, AKS
rejects the upgrade before it starts\"; surge percentages are of the pool size at upgrade time,
rounded up, and capped at the nodes left to upgrade
(`aks-docs:articles/aks/upgrade-aks-node-pools-rolling.md`; default 10% from AKS-CHANGELOG
2025-03-16).

## Example
```yaml
nodePools:
  - name: web
    mode: User
    orchestratorVersion: \"1.35.2\"
    count: 950
    upgradeSettings: { maxSurge: \"10%\" }   # 950 + 95 = 1,045
```"
);

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    each_pool(ctx, |cluster, idx, pool, settings| {
        let autoscaled = pool.enable_auto_scaling == Some(true);
        let (size, field) = match (autoscaled, pool.max_count, pool.count) {
            (true, Some(max), _) => (u64::from(max), "maxCount"),
            (_, _, Some(count)) => (u64::from(count), "count"),
            _ => return,
        };
        let surge = effective_surge(cluster, idx, settings);
        let surge_count = if pool.scale_set_priority == Some(ScaleSetPriority::Spot) {
            0
        } else {
            surge_nodes(size, surge)
        };
        let total = size + surge_count;
        if total <= LIMIT {
            return;
        }
        let surge_text = if settings.max_surge.is_some() {
            format!("`maxSurge: {surge}`")
        } else {
            format!("the default surge `{surge}`")
        };
        let mut finding = at_field(
            Finding::new(
                CODE,
                format!(
                    "{} would reach {total} VMSS instances during the upgrade (`{field}: {size}` plus {surge_count} surge nodes from {surge_text}), over the limit of {LIMIT}",
                    pool_name(cluster, pool)
                ),
            ),
            cluster,
            idx,
            field,
            format!("{size} + {surge_count} surge = {total}"),
        );
        if settings.max_surge.is_some() {
            finding = finding.also(field_label(
                cluster,
                idx,
                "upgradeSettings/maxSurge",
                format!("{surge_count} surge nodes"),
            ));
        }
        let help = if size < LIMIT {
            let verb = if settings.max_surge.is_some() {
                "lower"
            } else {
                "set"
            };
            format!(
                "{verb} `maxSurge` to at most `{}` (or use `maxSurge: 0` with a `maxUnavailable` count on a User pool), or shrink the pool before upgrading",
                LIMIT - size
            )
        } else {
            format!(
                "shrink the pool below {LIMIT} nodes before upgrading, or move part of it to another pool"
            )
        };
        out.push(finding.help(help));
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use aksplan_model::plan::CountOrPercent;

    #[test]
    fn percent_rounds_up() {
        assert_eq!(surge_nodes(950, CountOrPercent::Percent(10)), 95);
        assert_eq!(surge_nodes(951, CountOrPercent::Percent(10)), 96);
        assert_eq!(surge_nodes(3, CountOrPercent::Percent(33)), 1);
        assert_eq!(surge_nodes(1, CountOrPercent::Percent(1)), 1);
        assert_eq!(surge_nodes(0, CountOrPercent::Percent(50)), 0);
    }

    #[test]
    fn surge_is_capped_at_the_pool_size() {
        assert_eq!(surge_nodes(600, CountOrPercent::Percent(100)), 600);
        assert_eq!(surge_nodes(600, CountOrPercent::Percent(150)), 600);
        assert_eq!(surge_nodes(5, CountOrPercent::Count(20)), 5);
        assert_eq!(surge_nodes(995, CountOrPercent::Count(5)), 5);
    }

    #[test]
    fn limit_arithmetic() {
        // 910 nodes + ceil(91) = 1001: over; 909 + ceil(90.9) = 1000: at the limit.
        assert!(910 + surge_nodes(910, CountOrPercent::Percent(10)) > LIMIT);
        assert_eq!(909 + surge_nodes(909, CountOrPercent::Percent(10)), LIMIT);
    }
}

//! AKS193: the region's vCPU quota is too small for the surge nodes.

use aksplan_model::finding::{Finding, Severity};

use super::{nodes, quota_needs};
use crate::Context;

crate::rule_code!(
    "AKS193",
    Error,
    "The regional vCPU quota is too small for the surge nodes",
    "## What it checks
From the quota saved in `currentFrom.vmUsage` (`az vm list-usage -l LOCATION`) and the VM sizes in
`currentFrom.vmSkus` (`az vm list-skus`): the vCPUs the extra nodes of one wave of the pool order
take fit in what is left of their VM family's quota (`limit - currentValue` of the family's entry,
e.g. `standardDSv5Family`) and of the regional total (`cores`, \"Total Regional vCPUs\").

Extra nodes are counted as in AKS192: a rolling pool's surge, a blue-green pool's whole replacement,
none for Spot (Spot quota is separate). A pool whose VM size is not in the saved VM sizes is
reported as a warning: its quota cannot be checked.

The quota is the subscription's in the region: clusters of one subscription and region upgraded at
the same time share it, and the check is per cluster. Leave headroom for the others.

## Why
`aks-upgrade-rules.md` §5.1 and §6 (`upgrade-options.md`, `error-code-subnetisfull-upgrade.md`):
surge nodes need subscription quota; AKS checks it before the upgrade and fails with
`QuotaExceeded` otherwise. Pools on 1.35 or later retry with a surge of 1 when the full surge cannot
be provisioned (AKS-CHANGELOG 2026-01-04); the upgrade then runs far slower than planned, so the
stricter reading reports it too.

## Example
```yaml
# standardDSv5Family: limit 100, in use 96; pool `user` Standard_D8s_v5, 10 nodes, maxSurge 33%
# -> 4 surge nodes x 8 vCPUs = 32 needed, 4 left
```"
);

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for cluster in ctx.clusters() {
        let pools = cluster.pools();
        let (needs, unknown) = quota_needs(&cluster);
        for idx in unknown {
            let pool = &pools[idx];
            let size = pool.vm_size.as_deref().unwrap_or("(not given)");
            let mut finding = Finding::new(
                CODE,
                format!(
                    "the vCPU quota for pool `{}` of cluster `{}` cannot be checked: its VM size `{size}` is not in the saved VM sizes",
                    pool.name,
                    cluster.name()
                ),
            )
            .severity(Severity::Warning)
            .at(cluster.pool_label(idx, "vmSize").with_message("size not in `vmSkus`"))
            .help("save `az vm list-skus -l LOCATION --resource-type virtualMachines -o json` with this size in `currentFrom.vmSkus` (`aksplan snapshot` does)");
            if let Some(pointer) = cluster.pool_pointer_in_plan(idx) {
                finding = finding.pointer(pointer);
            }
            out.push(finding);
        }
        for need in needs {
            let entry = need.of;
            let left = entry.limit.saturating_sub(entry.current);
            if need.amount <= left {
                continue;
            }
            let parts: Vec<String> = need
                .pools
                .iter()
                .map(|(idx, extra, vcpus)| {
                    format!("pool `{}`: {} × {vcpus} vCPUs", pools[*idx].name, nodes(*extra))
                })
                .collect();
            let (first, _, per_node) = need.pools[0];
            let mut finding = Finding::new(
                CODE,
                format!(
                    "the surge nodes of cluster `{}` need {} vCPUs of the quota `{}` ({}), which has {left} left ({} of {} in use)",
                    cluster.name(),
                    need.amount,
                    entry.local_name,
                    parts.join("; "),
                    entry.current,
                    entry.limit
                ),
            )
            .at(cluster
                .pool_label(first, "vmSize")
                .with_message(format!("{} vCPUs needed", need.amount)))
            .also(entry.at.label().with_message(format!("{left} vCPUs left")));
            if let Some(pointer) = cluster.pool_pointer_in_plan(first) {
                finding = finding.pointer(pointer);
            }
            let fits = left / per_node.max(1);
            let help = if need.pools.len() == 1 && fits > 0 {
                format!(
                    "lower `maxSurge` to at most `{fits}`, or request a quota increase of {} vCPUs for `{}` before the change (AKS fails with `QuotaExceeded`)",
                    need.amount - left,
                    entry.local_name
                )
            } else {
                format!(
                    "request a quota increase of {} vCPUs for `{}`, or upgrade fewer pools at once with a lower `maxSurge` (AKS fails with `QuotaExceeded`)",
                    need.amount - left,
                    entry.local_name
                )
            };
            out.push(finding.help(help));
        }
    }
}

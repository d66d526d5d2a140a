//! AKS160: the Windows Server version of a pool supports the target.

use aksplan_model::finding::Finding;
use aksplan_model::plan::OsSku;

use super::{at_pool_field, is_windows};
use crate::Context;

crate::rule_code!(
    "AKS160",
    Error,
    "A Windows pool's Windows Server version does not support the target",
    "## What it checks
A Windows pool on `osSKU: Windows2019` is not taken to Kubernetes 1.33 or later, and one on
`Windows2022` not to 1.37 or later. A Windows pool without an `osSKU` is taken to be `Windows2022`,
the default since Kubernetes 1.25 (a pool created before 1.25 may really be `Windows2019`: write its
`osSKU`).

## Why
`aks-upgrade-rules.md` §5.6 and §9 item 11: Windows Server 2019 can't be used on 1.33+ and Windows
Server 2022 is not supported on 1.37+ (`aks-docs:articles/aks/upgrade-windows-os.md`, includes
`windows-server-2019-retirement.md` and `windows-server-2022-retirement.md`). The Windows Server
version of a pool can't be changed in place and can't be mixed within a pool: such a pool needs a
new pool with a newer `osSKU` and a blue-green move (§7.1).

## Example
```yaml
target: { kubernetesVersion: \"1.36\" }
# ...
nodePools:
  - name: win19
    mode: User
    osType: Windows
    osSKU: Windows2019     # not on 1.33 or later
    orchestratorVersion: \"1.35.2\"
```

## Applies to
`Windows2019` from target 1.33, `Windows2022` (or no `osSKU`) from target 1.37. `Windows2025` and
`WindowsAnnual` pools are not checked."
);

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for cluster in ctx.clusters() {
        let Some((target, _)) = cluster.target() else {
            continue;
        };
        for (idx, pool) in cluster.pools().iter().enumerate() {
            // A blue-green replacement is created on a Windows Server version the target supports.
            if !is_windows(&cluster, idx)
                || pool.strategy == aksplan_model::plan::PoolUpgradeStrategy::BlueGreen
            {
                continue;
            }
            let (sku, assumed) = match pool.os_sku {
                Some(OsSku::Windows2019) => ("Windows2019", false),
                Some(OsSku::Windows2022) => ("Windows2022", false),
                None => ("Windows2022", true),
                Some(_) => continue,
            };
            let last_minor = if sku == "Windows2019" { 32 } else { 36 };
            if (target.major, target.minor) <= (1, last_minor) {
                continue;
            }
            let sku_text = if assumed {
                format!("has no `osSKU`, so it is taken as `{sku}` (the default since 1.25), which")
            } else {
                format!("runs `{sku}`, which")
            };
            let newer = if target.minor >= 37 {
                "`osSKU: Windows2025`"
            } else {
                "`osSKU: Windows2022` or `Windows2025`"
            };
            out.push(
                at_pool_field(
                    Finding::new(
                        CODE,
                        format!(
                            "Windows node pool `{}` of cluster `{}` {sku_text} AKS does not support on 1.{} or later; the target is `{target}`",
                            pool.name,
                            cluster.name(),
                            last_minor + 1
                        ),
                    ),
                    &cluster,
                    idx,
                    &["osSKU", "osType"],
                    &format!("{sku}: at most 1.{last_minor}"),
                )
                .help(format!(
                    "the Windows Server version of a pool cannot change in place: add a new Windows pool with {newer} at the target, move the workloads to it (blue-green), then delete `{}`",
                    pool.name
                )),
            );
        }
    }
}

//! AKS132: node OS channel `SecurityPatch` with Azure Linux pools on GPU VM sizes.

use aksplan_model::finding::Finding;
use aksplan_model::plan::{NodeOsUpgradeChannel, NodePool, OsSku};

use super::PoolsOnChannel;
use crate::Context;

crate::rule_code!(
    "AKS132",
    Error,
    "SecurityPatch with Azure Linux GPU pools",
    "## What it checks
A cluster whose node OS channel is `SecurityPatch` once the change is done has no Azure Linux
pool (`osSKU` `AzureLinux`, `AzureLinux3`, `AzureLinuxOSGuard`, `CBLMariner` or `Mariner`) on a
GPU VM size. GPU sizes are the N-series GPU families: `vmSize` starting with `Standard_NC`,
`Standard_ND`, `Standard_NG` or `Standard_NV` (case-insensitive). `Standard_NG` (AMD GPUs) is
included to be safe; `Standard_NP` (FPGA) is not a GPU size.

## Why
`aks-upgrade-rules.md` §3.2 (`aks-docs:articles/aks/auto-upgrade-node-os-image.md`; older notes
say \"Mariner … NVIDIA GPU\", AKS-CHANGELOG 2023): `SecurityPatch` is not supported on Azure
Linux on GPU-enabled VM sizes.

The same section says `SecurityPatch` is not supported on Flatcar Container Linux or on Azure
Linux with OS Guard at all, whatever the VM size; this rule reports only the GPU case (an OS
Guard pool on a GPU size is reported here).

## Example
```yaml
channels: { nodeOSUpgradeChannel: SecurityPatch }
current:
  nodePools:
    - { name: gpu, mode: User, osSKU: AzureLinux, vmSize: Standard_NC24ads_A100_v4, orchestratorVersion: \"1.35.2\" }
```"
);

fn is_azure_linux(sku: Option<OsSku>) -> bool {
    matches!(
        sku,
        Some(
            OsSku::AzureLinux
                | OsSku::AzureLinux3
                | OsSku::AzureLinuxOSGuard
                | OsSku::CBLMariner
                | OsSku::Mariner
        )
    )
}

/// An N-series GPU size: `Standard_NC…`, `Standard_ND…`, `Standard_NG…`, `Standard_NV…`.
fn is_gpu_size(vm_size: &str) -> bool {
    let lower = vm_size.to_ascii_lowercase();
    lower
        .strip_prefix("standard_n")
        .and_then(|rest| rest.chars().next())
        .is_some_and(|family| matches!(family, 'c' | 'd' | 'g' | 'v'))
}

fn is_affected(pool: &NodePool) -> bool {
    is_azure_linux(pool.os_sku) && pool.vm_size.as_deref().is_some_and(is_gpu_size)
}

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    PoolsOnChannel {
        code: CODE,
        channel: NodeOsUpgradeChannel::SecurityPatch,
        affected: is_affected,
        message: |cluster, names, one| {
            let (pools, verb) = if one { ("pool", "does") } else { ("pools", "do") };
            format!(
                "cluster `{cluster}` would use node OS channel `SecurityPatch`, which Azure Linux GPU {pools} {names} {verb} not support"
            )
        },
        label: "not supported on Azure Linux GPU pools",
        pool_label: ("vmSize", "Azure Linux on a GPU size"),
        help: "choose `nodeOSUpgradeChannel: NodeImage` (or `None`) for this cluster, or run these GPU workloads on an Ubuntu pool",
    }
    .check(ctx, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gpu_sizes_are_the_n_series_gpu_families() {
        for size in [
            "Standard_NC6s_v3",
            "standard_nc24ads_a100_v4",
            "Standard_ND96asr_v4",
            "Standard_NV36ads_A10_v5",
            "Standard_NG32ads_V620_v1",
        ] {
            assert!(is_gpu_size(size), "{size}");
        }
        for size in ["Standard_D4s_v5", "Standard_NP10s", "Standard_E8s_v5", "NC6", ""] {
            assert!(!is_gpu_size(size), "{size}");
        }
    }
}

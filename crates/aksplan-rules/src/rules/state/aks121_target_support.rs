//! AKS121: the target is supported on the plan's date.

use aksplan_catalog::SupportStatus;
use aksplan_model::finding::Finding;

use crate::Context;

crate::rule_code!(
    "AKS121",
    Error,
    "The target version is out of support on the plan's date",
    "## What it checks
The target version is within community support on the plan's date (`asOf`, or `--as-of`), or
within LTS support for a cluster on the LTS plan.

## Why
Upgrading to a version that is already out of support buys nothing but another upgrade; AKS
removes unsupported patches from new node pools and scale-outs (`aks-upgrade-rules.md` §2.3).

## Example
```yaml
spec:
  asOf: 2026-12-01
  target: { kubernetesVersion: \"1.33\" }   # community support ended July 2026
```"
);

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for cluster in ctx.clusters() {
        let Some((target, pointer)) = cluster.target() else {
            continue;
        };
        let status = ctx.catalog.support_status(target, ctx.as_of, cluster.is_lts());
        let what = match status {
            SupportStatus::PlatformSupport => "in platform support only",
            SupportStatus::Unsupported => "out of support",
            _ => continue,
        };
        let end = ctx
            .catalog
            .minor(target)
            .and_then(|m| m.end_of_life)
            .map(|d| d.to_string())
            .unwrap_or_default();
        let lts_end = ctx
            .catalog
            .minor(target)
            .and_then(|m| m.lts_end_of_life)
            .map(|d| d.to_string())
            .unwrap_or_default();
        let newest = ctx
            .catalog
            .newest_ga_minor(ctx.as_of)
            .map(|v| v.to_string())
            .unwrap_or_default();
        out.push(
            Finding::new(CODE, format!("the target `{target}` of cluster `{}` is {what} on {} (community support ended {end})", cluster.name(), ctx.as_of))
                .at(ctx.doc.label(&pointer).with_message(what))
                .pointer(pointer.clone())
                .help(if cluster.is_lts() {
                    format!("its LTS support ended {lts_end}; target a newer minor (the newest GA is `{newest}`)")
                } else {
                    format!("target a supported minor (the newest GA is `{newest}`), or put the cluster on LTS (Premium tier) until {lts_end}")
                }),
        );
    }
}

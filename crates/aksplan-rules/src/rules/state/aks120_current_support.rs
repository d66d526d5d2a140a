//! AKS120: the cluster's current version is out of (full) support.

use aksplan_catalog::SupportStatus;
use aksplan_model::finding::{Finding, Severity};

use crate::Context;

crate::rule_code!(
    "AKS120",
    Warning,
    "The cluster's current version is out of support",
    "## What it checks
The support status of each cluster's current control-plane version on the plan's date (`asOf`,
or `--as-of`): in platform support (N-3: only upgrades out, scaling, node images are supported),
or out of support altogether. The catalog's calendar decides; LTS clusters are judged against
the LTS end of life.

## Why
`aks-upgrade-rules.md` §2.3. An out-of-support cluster is exactly what an upgrade plan is for, so
this is a warning, not a rejection; but its path is different: from an unsupported version AKS
allows only full upgrades (no `--control-plane-only`) on an \"unsupported recovery path\" (§2.1),
and AKS may auto-upgrade clusters about to fall to N-4.

## Example
```yaml
spec:
  asOf: 2026-12-01
  clusters:
    - current: { kubernetesVersion: \"1.31.10\" }   # community support ended November 2025
```"
);

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for cluster in ctx.clusters() {
        let Some(current) = cluster.current_version() else {
            continue;
        };
        let status = ctx.catalog.support_status(current, ctx.as_of, cluster.is_lts());
        let end = ctx
            .catalog
            .minor(current)
            .and_then(|m| m.end_of_life)
            .map(|d| d.to_string())
            .unwrap_or_default();
        let (severity, message, help) = match status {
            SupportStatus::PlatformSupport => (
                Severity::Warning,
                format!(
                    "cluster `{}` runs `{current}`, which on {} has only platform support (N-3): its community support ended {end}",
                    cluster.name(),
                    ctx.as_of
                ),
                "platform support covers upgrading out, scaling and node images, nothing else; AKS may auto-upgrade clusters about to fall to N-4",
            ),
            SupportStatus::Unsupported => (
                Severity::Warning,
                format!(
                    "cluster `{}` runs `{current}`, which is out of support on {}: its community support ended {end}",
                    cluster.name(),
                    ctx.as_of
                ),
                "from an unsupported version AKS allows only full upgrades (no control-plane-only steps), on an unsupported recovery path: the route starts with one full upgrade to the lowest community minor AKS offers (AKS125)",
            ),
            SupportStatus::Unknown => (
                Severity::Info,
                format!(
                    "the catalog has no support dates for `{}`",
                    current.minor_version()
                ),
                "pass `--catalog` with a recent `az aks get-versions` output",
            ),
            SupportStatus::Supported | SupportStatus::Lts | SupportStatus::Preview => continue,
        };
        out.push(
            Finding::new(CODE, message)
                .severity(severity)
                .at(cluster.current_version_label().with_message("current version"))
                .help(help),
        );
    }
}

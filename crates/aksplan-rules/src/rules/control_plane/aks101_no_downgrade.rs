//! AKS101: no downgrades.

use aksplan_model::finding::Finding;

use crate::Context;

crate::rule_code!(
    "AKS101",
    Error,
    "The target is older than the current version",
    "## What it checks
A cluster's target version is not older than its current control-plane version, and not older
than any of its node pools.

## Why
AKS does not support downgrades of the control plane or of node pools (`aks-upgrade-rules.md`
§2.1, `upgrade-node-pools.md`; the only exception is a node-pool rollback within 7 days, §5.9,
which is not an upgrade plan).

## Example
```yaml
target: { kubernetesVersion: \"1.30\" }
clusters:
  - current: { kubernetesVersion: \"1.31.4\" }    # 1.31 cannot go back to 1.30
```"
);

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for cluster in ctx.clusters() {
        let (Some((target, pointer)), Some(current)) = (cluster.target(), cluster.current_version()) else {
            continue;
        };
        let older = if target.patch.is_some() {
            target < current
        } else {
            target.minor_version() < current.minor_version()
        };
        if older {
            out.push(
                Finding::new(
                    CODE,
                    format!(
                        "cluster `{}` would go from `{current}` down to `{target}`",
                        cluster.name()
                    ),
                )
                .at(ctx
                    .doc
                    .label(&pointer)
                    .with_message("older than the current version"))
                .also(cluster.current_version_label().with_message("current version"))
                .pointer(pointer.clone())
                .help(format!(
                    "AKS does not downgrade; choose a target of `{}` or later",
                    current.minor_version()
                )),
            );
            continue;
        }
        for (idx, pool) in cluster.pools().iter().enumerate() {
            let Some(version) = cluster.pool_version(idx) else {
                continue;
            };
            // Another major is AKS110's finding; comparing across majors says nothing useful here.
            if version.major != target.major {
                continue;
            }
            let pool_older = if target.patch.is_some() && version.patch.is_some() {
                target < version
            } else {
                target.minor_version() < version.minor_version()
            };
            if pool_older {
                out.push(
                    Finding::new(
                        CODE,
                        format!("node pool `{}` of cluster `{}` is on `{version}`, newer than the target `{target}`", pool.name, cluster.name()),
                    )
                    .at(ctx.doc.label(&pointer).with_message("older than a pool"))
                    .also(cluster.pool_label(idx, "orchestratorVersion").with_message("this pool"))
                    .pointer(pointer.clone())
                    .help("node pools cannot be downgraded; raise the target"),
                );
            }
        }
    }
}

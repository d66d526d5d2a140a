//! AKS105: an LTS-to-LTS skip has what it needs.

use aksplan_model::finding::Finding;

use super::aks104_one_minor_path::missing_steps;
use crate::Context;

crate::rule_code!(
    "AKS105",
    Error,
    "An LTS-to-LTS skip lacks its conditions",
    "## What it checks
When a cluster on the LTS plan reaches its target only by skipping minors, the skip is allowed
only from an LTS version to a higher LTS version: both the current and the target minor are
LTS-capable (`capabilities.supportPlan` lists `AKSLongTermSupport` in the catalog). The other
condition, the Premium tier, holds for every LTS cluster and is checked by AKS122.

## Why
`aks-upgrade-rules.md` §2.1 (supported-kubernetes-versions.md, \"Can I skip multiple AKS
versions\"): LTS → higher LTS may skip; §2.4: LTS requires the Premium tier and the
`AKSLongTermSupport` plan, and only LTS-capable minors qualify.

## Example
```yaml
current: { kubernetesVersion: \"1.27.102\", tier: Standard, supportPlan: AKSLongTermSupport }
target: { kubernetesVersion: \"1.30\" }      # needs tier: Premium
```"
);

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for cluster in ctx.clusters() {
        let (Some((target, pointer)), Some(current)) = (cluster.target(), cluster.current_version()) else {
            continue;
        };
        if !cluster.is_lts() || target.major != current.major || target.minor <= current.minor + 1 {
            continue;
        }
        // Only a plan that cannot step through every minor (under the LTS plan it is on) needs a skip.
        if missing_steps(ctx, current, target, true).is_empty() {
            continue;
        }
        let mut missing = Vec::new();
        for (which, version) in [("current", current), ("target", target)] {
            if !ctx.catalog.minor(version).is_some_and(|m| m.lts_capable()) {
                missing.push(format!(
                    "LTS capability of the {which} minor `{}`",
                    version.minor_version()
                ));
            }
        }
        if missing.is_empty() {
            continue;
        }
        out.push(
            Finding::new(
                CODE,
                format!("cluster `{}` would skip from `{current}` to `{target}` without {}", cluster.name(), missing.join(" and ")),
            )
            .at(ctx.doc.label(&pointer).with_message("needs an LTS-to-LTS skip"))
            .also(cluster.current_version_label().with_message("from here"))
            .pointer(pointer)
            .help("an LTS skip needs LTS-capable minors at both ends; choose an LTS-capable target or step through the minors"),
        );
    }
}

//! AKS122: LTS needs the Premium tier.

use aksplan_model::finding::Finding;

use crate::Context;

crate::rule_code!(
    "AKS122",
    Error,
    "LTS without the Premium tier",
    "## What it checks
A cluster with support plan `AKSLongTermSupport` is on the Premium tier.

## Why
`aks-upgrade-rules.md` §2.4: LTS requires `--tier premium`; the CLI rejects it otherwise (\"AKS Long
Term Support is only available for Premium tier clusters\").

## Example
```yaml
current: { kubernetesVersion: \"1.30.14\", tier: Standard, supportPlan: AKSLongTermSupport }
```"
);

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for cluster in ctx.clusters() {
        if !cluster.is_lts() || cluster.is_premium() {
            continue;
        }
        let tier = cluster
            .resolved
            .current
            .tier
            .map_or("no tier given (the Free tier unless set)".to_owned(), |t| {
                format!("the {t:?} tier")
            });
        out.push(
            Finding::new(CODE, format!("cluster `{}` is on LTS with {tier}", cluster.name()))
                .at(cluster.current_field_label("supportPlan").with_message("LTS"))
                .also(if cluster.resolved.current.tier.is_some() {
                    cluster.current_field_label("tier").with_message("needs Premium")
                } else {
                    cluster.current_field_label("supportPlan").with_message("needs `tier: Premium`")
                })
                .help("LTS requires `tier: Premium` (`az aks update --tier premium --k8s-support-plan AKSLongTermSupport`)"),
        );
    }
}

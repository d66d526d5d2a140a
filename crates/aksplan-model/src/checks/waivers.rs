//! A waiver's scope names something the plan defines.

use super::Context;
use crate::codes;
use crate::finding::Finding;
use crate::schema::closest;

pub fn check(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    let cluster_names: Vec<String> = ctx.plan.spec.clusters.iter().map(|c| c.name.clone()).collect();
    for (w, waiver) in ctx.plan.spec.waivers.iter().enumerate() {
        let pointer = format!("/spec/waivers/{w}/scope");
        let parts: Vec<&str> = waiver.scope.split('/').collect();
        let problem: Option<(String, Option<String>)> = match parts.as_slice() {
            ["plan"] => None,
            ["clusters", cluster] | ["clusters", cluster, "nodePools", _]
                if !cluster_names.iter().any(|n| n == cluster) =>
            {
                Some((
                    format!("waiver scope names the cluster `{cluster}`, which the plan does not define"),
                    closest(cluster, &cluster_names).map(|best| format!("did you mean `clusters/{best}`?")),
                ))
            }
            ["clusters", _] => None,
            ["clusters", cluster, "nodePools", pool] => {
                let pools: Vec<String> = ctx
                    .clusters
                    .iter()
                    .find(|c| c.name == *cluster)
                    .map(|c| c.current.node_pools.iter().map(|p| p.name.to_string()).collect())
                    .unwrap_or_default();
                // Unresolved clusters (broken currentFrom) are reported elsewhere; don't pile on.
                let resolved = ctx.clusters.iter().any(|c| c.name == *cluster);
                (resolved && !pools.iter().any(|p| p == pool)).then(|| {
                    (
                        format!(
                            "waiver scope names the pool `{pool}`, which cluster `{cluster}` does not have"
                        ),
                        closest(pool, &pools)
                            .map(|best| format!("did you mean `clusters/{cluster}/nodePools/{best}`?")),
                    )
                })
            }
            _ => Some((
                format!("`{}` is not a waiver scope", waiver.scope),
                Some("write `plan`, `clusters/NAME` or `clusters/NAME/nodePools/POOL`".into()),
            )),
        };
        if let Some((message, help)) = problem {
            findings.push(
                Finding::new(codes::WAIVER_SCOPE, message)
                    .at(ctx.doc.label(&pointer))
                    .pointer(pointer)
                    .help_opt(help.or_else(|| {
                        Some("write `plan`, `clusters/NAME` or `clusters/NAME/nodePools/POOL`".into())
                    })),
            );
        }
    }
}

//! Each cluster has exactly one source of current state, and there is something to upgrade.

use super::Context;
use crate::codes;
use crate::finding::Finding;

pub fn check_source(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    let spec = &ctx.plan.spec;
    if spec.clusters.is_empty() {
        findings.push(
            Finding::new(codes::EMPTY_PLAN, "the plan has no clusters")
                .at(ctx.doc.label("/spec/clusters"))
                .pointer("/spec/clusters")
                .help("add at least one cluster under `spec.clusters`"),
        );
    }
    for (c, cluster) in spec.clusters.iter().enumerate() {
        let pointer = format!("/spec/clusters/{c}");
        match (&cluster.current, &cluster.current_from) {
            (Some(_), Some(_)) => findings.push(
                Finding::new(codes::CURRENT_STATE, format!("cluster `{}` has both `current` and `currentFrom`", cluster.name))
                    .at(ctx.doc.key_label(&format!("{pointer}/currentFrom")).with_message("remove one of these"))
                    .also(ctx.doc.key_label(&format!("{pointer}/current")))
                    .pointer(format!("{pointer}/currentFrom"))
                    .help("keep `currentFrom` to plan from saved `az` output, or `current` to write the state in the plan"),
            ),
            (None, None) => findings.push(
                Finding::new(codes::CURRENT_STATE, format!("cluster `{}` has no current state", cluster.name))
                    .at(ctx.doc.label(&format!("{pointer}/name")))
                    .pointer(pointer)
                    .help("add `current:` (versions and node pools) or `currentFrom: state/CLUSTER.json` (saved `az aks show -o json`)"),
            ),
            _ => {}
        }
    }
}

pub fn check_not_empty(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    for cluster in ctx.clusters {
        if cluster.current.node_pools.is_empty() {
            findings.push(
                Finding::new(
                    codes::EMPTY_PLAN,
                    format!("cluster `{}` has no node pools", cluster.name),
                )
                .at(cluster.pools_doc.label(&cluster.pools_pointer))
                .pointer(cluster.pools_pointer.clone())
                .help("every AKS cluster has at least one System pool; list the pools under `nodePools`"),
            );
        }
    }
}

//! Names are unique where the plan refers to things by name.

use std::collections::BTreeMap;

use super::Context;
use crate::codes;
use crate::finding::Finding;
use crate::source::Document;

fn duplicates<'a>(
    doc: &Document,
    what: &str,
    context: &str,
    items: impl Iterator<Item = (&'a str, String)>,
    label_doc: &dyn Fn(&str) -> crate::finding::Label,
    findings: &mut Vec<Finding>,
) {
    let _ = doc;
    let mut first: BTreeMap<&str, String> = BTreeMap::new();
    for (name, pointer) in items {
        match first.get(name) {
            Some(first_pointer) => findings.push(
                Finding::new(
                    codes::DUPLICATE_NAME,
                    format!("{what} `{name}`{context} is defined twice"),
                )
                .at(label_doc(&pointer).with_message("second definition"))
                .also(label_doc(first_pointer).with_message("first defined here"))
                .pointer(pointer)
                .help(format!("give each {what} its own name")),
            ),
            None => {
                first.insert(name, pointer);
            }
        }
    }
}

pub fn check_clusters_and_stages(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    let label = |pointer: &str| ctx.doc.label(pointer);
    let clusters = ctx
        .plan
        .spec
        .clusters
        .iter()
        .enumerate()
        .map(|(c, cluster)| (cluster.name.as_str(), format!("/spec/clusters/{c}/name")));
    duplicates(ctx.doc, "cluster", "", clusters, &label, findings);
    if let Some(rollout) = &ctx.plan.spec.rollout {
        let stages = rollout
            .stages
            .iter()
            .enumerate()
            .map(|(s, stage)| (stage.name.as_str(), format!("/spec/rollout/stages/{s}/name")));
        duplicates(ctx.doc, "stage", "", stages, &label, findings);
    }
}

pub fn check_pools(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    for cluster in ctx.clusters {
        let label = |pointer: &str| cluster.pools_doc.label(pointer);
        let pools = cluster
            .current
            .node_pools
            .iter()
            .zip(&cluster.pool_pointers)
            .map(|(pool, pointer)| (&*pool.name, format!("{pointer}/name")));
        duplicates(
            ctx.doc,
            "node pool",
            &format!(" of cluster `{}`", cluster.name),
            pools,
            &label,
            findings,
        );
    }
}

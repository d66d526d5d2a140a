//! Checks of the plan's own consistency (not yet of the upgrade it describes): names, orders,
//! stages, dates, versions, where the current state comes from. Each check adds findings and
//! never stops the others; each finding points at the plan value it is about.

mod current;
mod dates;
mod header;
mod names;
mod pool_order;
mod stages;
mod versions;
mod waivers;

use crate::finding::Finding;
use crate::plan::Plan;
use crate::resolve::ResolvedCluster;
use crate::source::Document;

pub use header::check_header;

/// What the checks look at: the plan, its document (for spans), and the resolved clusters.
pub struct Context<'a> {
    pub doc: &'a Document,
    pub plan: &'a Plan,
    pub clusters: &'a [ResolvedCluster],
}

/// Checks that need only the plan text.
pub fn check_plan(doc: &Document, plan: &Plan) -> Vec<Finding> {
    let ctx = Context {
        doc,
        plan,
        clusters: &[],
    };
    let mut findings = Vec::new();
    versions::check(&ctx, &mut findings);
    dates::check(&ctx, &mut findings);
    names::check_clusters_and_stages(&ctx, &mut findings);
    stages::check(&ctx, &mut findings);
    current::check_source(&ctx, &mut findings);
    findings
}

/// Checks that need each cluster's resolved current state (its pools).
pub fn check_resolved(doc: &Document, plan: &Plan, clusters: &[ResolvedCluster]) -> Vec<Finding> {
    let ctx = Context { doc, plan, clusters };
    let mut findings = Vec::new();
    names::check_pools(&ctx, &mut findings);
    current::check_not_empty(&ctx, &mut findings);
    pool_order::check(&ctx, &mut findings);
    waivers::check(&ctx, &mut findings);
    findings
}

//! The plan's clusters by name, built once.
//!
//! The compiler, the verifier and the scheduler look a cluster up once per cluster, per step or
//! per finding; `ctx.clusters().find(..)` there would be quadratic in the fleet. Lookups keep the
//! first cluster of a name, as a scan would (a repeated name is an error, and the compiler does
//! not run then).

use std::collections::HashMap;

use aksplan_rules::{ClusterView, Context};

pub(crate) struct ClusterIndex<'a> {
    /// Every cluster whose state could be resolved, in the context's order.
    views: Vec<ClusterView<'a>>,
    /// Position in `views`.
    by_name: HashMap<&'a str, usize>,
    /// Position in the plan's `spec.clusters` (resolved or not).
    in_plan: HashMap<&'a str, usize>,
}

impl<'a> ClusterIndex<'a> {
    pub(crate) fn new(ctx: &Context<'a>) -> Self {
        let views: Vec<ClusterView<'a>> = ctx.clusters().collect();
        let mut by_name = HashMap::with_capacity(views.len());
        for (idx, view) in views.iter().enumerate() {
            let spec: &'a aksplan_model::plan::Cluster = view.spec;
            by_name.entry(spec.name.as_str()).or_insert(idx);
        }
        let plan: &'a aksplan_model::plan::Plan = ctx.plan;
        let mut in_plan = HashMap::with_capacity(plan.spec.clusters.len());
        for (idx, cluster) in plan.spec.clusters.iter().enumerate() {
            in_plan.entry(cluster.name.as_str()).or_insert(idx);
        }
        Self {
            views,
            by_name,
            in_plan,
        }
    }

    /// Every resolved cluster, in the context's order.
    pub(crate) fn views(&self) -> &[ClusterView<'a>] {
        &self.views
    }

    /// The resolved cluster of this name.
    pub(crate) fn view(&self, name: &str) -> Option<&ClusterView<'a>> {
        self.by_name.get(name).and_then(|&idx| self.views.get(idx))
    }

    /// The position of the cluster of this name in the plan's `spec.clusters`.
    pub(crate) fn plan_position(&self, name: &str) -> Option<usize> {
        self.in_plan.get(name).copied()
    }
}

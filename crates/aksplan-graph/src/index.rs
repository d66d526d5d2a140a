//! Lookups over a compiled plan by step id and by cluster, built once.
//!
//! Emitters and the scheduler ask, per step, "where is this step", "which steps of this cluster
//! come later" and "what is this cluster's route". Scanning `steps` for each of those is
//! quadratic in the fleet (1,000 clusters make ~20,000 steps); the index answers in `O(1)` or
//! `O(steps of one cluster)`.

use std::collections::HashMap;

use crate::compile::{ClusterPlan, Compiled};
use crate::step::Step;

/// Index of a [`Compiled`] plan; borrows it.
#[derive(Debug)]
pub struct StepIndex<'a> {
    compiled: &'a Compiled,
    position: HashMap<&'a str, usize>,
    by_cluster: HashMap<&'a str, Vec<usize>>,
    routes: HashMap<&'a str, &'a ClusterPlan>,
}

impl<'a> StepIndex<'a> {
    pub fn new(compiled: &'a Compiled) -> Self {
        let mut position = HashMap::with_capacity(compiled.steps.len());
        let mut by_cluster: HashMap<&str, Vec<usize>> = HashMap::new();
        for (idx, step) in compiled.steps.iter().enumerate() {
            position.entry(&*step.id).or_insert(idx);
            if let Some(cluster) = &step.cluster {
                by_cluster.entry(&**cluster).or_default().push(idx);
            }
        }
        let routes = compiled.clusters.iter().map(|c| (c.name.as_str(), c)).collect();
        Self {
            compiled,
            position,
            by_cluster,
            routes,
        }
    }

    /// The plan this indexes.
    pub fn compiled(&self) -> &'a Compiled {
        self.compiled
    }

    /// The position of a step in graph order.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.position.get(id).copied()
    }

    /// A step by id.
    pub fn step(&self, id: &str) -> Option<&'a Step> {
        self.position(id).and_then(|idx| self.compiled.steps.get(idx))
    }

    /// A cluster's route.
    pub fn route(&self, cluster: &str) -> Option<&'a ClusterPlan> {
        self.routes.get(cluster).copied()
    }

    /// A cluster's steps, in graph order.
    pub fn cluster_steps(&self, cluster: &str) -> impl Iterator<Item = &'a Step> + '_ {
        let steps = &self.compiled.steps;
        self.by_cluster
            .get(cluster)
            .into_iter()
            .flatten()
            .filter_map(move |&idx| steps.get(idx))
    }

    /// The steps of `step`'s cluster from `step` on (itself included), in graph order.
    pub fn cluster_steps_from(&self, step: &Step) -> impl Iterator<Item = &'a Step> + '_ {
        let from = self.position(&step.id).unwrap_or(0);
        let steps = &self.compiled.steps;
        let indices: &[usize] = step
            .cluster
            .as_deref()
            .and_then(|c| self.by_cluster.get(c))
            .map_or(&[], Vec::as_slice);
        let start = indices.partition_point(|&idx| idx < from);
        indices
            .get(start..)
            .unwrap_or_default()
            .iter()
            .filter_map(move |&idx| steps.get(idx))
    }
}

//! The graph itself: petgraph stays inside this module.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

use petgraph::Direction;
use petgraph::stable_graph::{NodeIndex, StableDiGraph};

use crate::step::Step;

/// The steps in graph order: dependencies first, ties broken by the order the steps were
/// created (so the same plan always gives the same order). `Err` names a step on a cycle, or a
/// dependency that names no step.
pub fn topological_order(steps: &[Step]) -> Result<Vec<usize>, String> {
    let mut graph: StableDiGraph<usize, ()> = StableDiGraph::new();
    let nodes: Vec<NodeIndex> = (0..steps.len()).map(|idx| graph.add_node(idx)).collect();
    let by_id: BTreeMap<&str, usize> = steps.iter().enumerate().map(|(idx, s)| (&*s.id, idx)).collect();
    for (idx, step) in steps.iter().enumerate() {
        for dep in &step.depends_on {
            let Some(&from) = by_id.get(&**dep) else {
                return Err(format!(
                    "step `{}` depends on `{dep}`, which is not a step",
                    step.id
                ));
            };
            graph.add_edge(nodes[from], nodes[idx], ());
        }
    }
    // Kahn's algorithm with a min-heap on creation order: deterministic and readable.
    let mut indegree: Vec<usize> = nodes
        .iter()
        .map(|n| graph.neighbors_directed(*n, Direction::Incoming).count())
        .collect();
    let mut ready: BinaryHeap<Reverse<usize>> = indegree
        .iter()
        .enumerate()
        .filter(|(_, d)| **d == 0)
        .map(|(i, _)| Reverse(i))
        .collect();
    let mut order = Vec::with_capacity(steps.len());
    while let Some(Reverse(idx)) = ready.pop() {
        order.push(idx);
        let mut next: Vec<usize> = graph
            .neighbors_directed(nodes[idx], Direction::Outgoing)
            .map(|n| graph[n])
            .collect();
        next.sort_unstable();
        next.dedup();
        for succ in next {
            let edges = graph.edges_connecting(nodes[idx], nodes[succ]).count();
            indegree[succ] -= edges;
            if indegree[succ] == 0 {
                ready.push(Reverse(succ));
            }
        }
    }
    if order.len() != steps.len() {
        let stuck = (0..steps.len())
            .find(|idx| !order.contains(idx))
            .map(|idx| steps[idx].id.clone())
            .unwrap_or_default();
        return Err(format!("the steps form a cycle through `{stuck}`"));
    }
    Ok(order)
}

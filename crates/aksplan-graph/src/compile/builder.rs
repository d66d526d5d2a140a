//! The steps as they are created, with unique ids.

use std::collections::HashSet;
use std::sync::Arc;

use aksplan_model::codes::Code;
use aksplan_model::version::KubeVersion;

use crate::step::{ClusterState, Provenance, Step};

#[derive(Default)]
pub(super) struct Builder {
    pub(super) steps: Vec<Step>,
    /// The ids in `steps` (the very texts handed out by [`Builder::add`]), so that a repeated
    /// id is found without scanning every step.
    ids: HashSet<Arc<str>>,
    /// Every distinct cluster state made so far. Clusters alike (the same pools on the same
    /// versions, as a fleet's mostly are) pass through the same states, each held once: made per
    /// step, the ~10,000 states of 1,000 clusters × 8 pools were ~5 MiB.
    states: HashSet<Arc<ClusterState>>,
    /// Every distinct text of the steps' provenance (reasons, plan fields, hops), once: the
    /// 10,363 steps of 1,000 clusters say a few hundred things.
    texts: aksplan_model::tree::Strings,
}

impl Builder {
    /// Adds a step and returns its id, shared by the steps that will depend on it.
    pub(super) fn add(&mut self, mut step: Step) -> Arc<str> {
        // Its provenance says what other steps say: one text each.
        step.provenance.reason = self.texts.get(&step.provenance.reason);
        step.provenance.hop = step.provenance.hop.as_deref().map(|hop| self.texts.get(hop));
        step.provenance.plan_field = step
            .provenance
            .plan_field
            .as_deref()
            .map(|field| self.texts.get(field));
        // Ids are stable; a repeated id (the same pool upgraded to the same version twice cannot
        // happen, but a blue-green replacement name may collide) gets a numbered suffix.
        let base = Arc::clone(&step.id);
        let mut n = 2;
        while self.ids.contains(&*step.id) {
            step.id = Arc::from(format!("{base}#{n}"));
            n += 1;
        }
        // One text for the step, the set and every step that names it.
        let id = Arc::clone(&step.id);
        self.ids.insert(Arc::clone(&id));
        self.steps.push(step);
        id
    }
}

impl Builder {
    /// `state`, or the equal one made before.
    pub(super) fn state(&mut self, state: ClusterState) -> Arc<ClusterState> {
        if let Some(made) = self.states.get(&state) {
            return Arc::clone(made);
        }
        let state = Arc::new(state);
        self.states.insert(Arc::clone(&state));
        state
    }
}

pub(super) fn provenance(
    reason: impl Into<String>,
    rule: Option<Code>,
    plan_field: Option<String>,
    hop: Option<KubeVersion>,
) -> Provenance {
    Provenance {
        reason: Arc::from(reason.into()),
        rule,
        plan_field: plan_field.map(Arc::from),
        hop: hop.map(|h| Arc::from(h.to_string())),
    }
}

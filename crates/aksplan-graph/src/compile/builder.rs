//! The steps as they are created, with unique ids.

use std::collections::HashSet;

use aksplan_model::codes::Code;
use aksplan_model::version::KubeVersion;

use crate::step::{Provenance, Step};

#[derive(Default)]
pub(super) struct Builder {
    pub(super) steps: Vec<Step>,
    /// The ids in `steps`, so that a repeated id is found without scanning every step.
    ids: HashSet<String>,
}

impl Builder {
    /// Adds a step and returns its id.
    pub(super) fn add(&mut self, mut step: Step) -> String {
        // Ids are stable; a repeated id (the same pool upgraded to the same version twice cannot
        // happen, but a blue-green replacement name may collide) gets a numbered suffix.
        let base = step.id.clone();
        let mut n = 2;
        while self.ids.contains(&step.id) {
            step.id = format!("{base}#{n}");
            n += 1;
        }
        let id = step.id.clone();
        self.ids.insert(id.clone());
        self.steps.push(step);
        id
    }
}

pub(super) fn provenance(
    reason: impl Into<String>,
    rule: Option<Code>,
    plan_field: Option<String>,
    hop: Option<KubeVersion>,
) -> Provenance {
    Provenance {
        reason: reason.into(),
        rule,
        plan_field,
        hop: hop.map(|h| h.to_string()),
    }
}

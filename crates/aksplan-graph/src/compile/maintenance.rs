//! The maintenance configurations the plan changes: one step each, in the plan's order.

use aksplan_model::plan::Maintenance;

use super::builder::provenance;
use super::cluster::ClusterBuild;
use crate::step::StepKind;

impl ClusterBuild<'_, '_> {
    pub(super) fn maintenance(&mut self) {
        let view = self.view;
        let name = self.name();
        let config_minutes = self.config_minutes();
        let cluster_pointer = view.pointer();
        let current_maintenance: Maintenance = view.resolved.current.maintenance.clone().unwrap_or_default();
        for (config, window) in view.resolved.maintenance.entries() {
            let before = current_maintenance
                .entries()
                .into_iter()
                .find(|(n, _)| *n == config)
                .map(|(_, w)| w.clone());
            if before.as_ref() == Some(window) {
                continue;
            }
            self.sequential(
                format!("{name}/maintenance/{config}"),
                StepKind::MaintenanceSet {
                    name: config.to_owned(),
                    window: Box::new(window.clone()),
                },
                provenance(
                    format!("the plan sets the `{config}` maintenance configuration"),
                    None,
                    Some(format!("{cluster_pointer}/maintenance/{config}")),
                    None,
                ),
                None,
                config_minutes,
            );
        }
    }
}

//! Planned-maintenance configurations (`aks-upgrade-rules.md` §4): the ones the plan sets and
//! the ones in force now, written in the plan or read from a saved
//! `az aks maintenanceconfiguration list` output.

use std::sync::Arc;

use aksplan_model::codes::Code;
use aksplan_model::finding::Finding;
use aksplan_model::plan::{Maintenance, MaintenanceWindow};
use aksplan_model::source::Document;
use serde_json::Value;

use super::Rule;
use crate::{ClusterView, Context};

pub mod aks140_one_schedule;
pub mod aks141_duration;
pub mod aks142_intervals;
pub mod aks143_default_weekly;
pub mod aks144_start_time_offset;

pub const RULES: &[Rule] = &[
    Rule {
        code: aks140_one_schedule::CODE,
        check: aks140_one_schedule::check,
    },
    Rule {
        code: aks141_duration::CODE,
        check: aks141_duration::check,
    },
    Rule {
        code: aks142_intervals::CODE,
        check: aks142_intervals::check,
    },
    Rule {
        code: aks143_default_weekly::CODE,
        check: aks143_default_weekly::check,
    },
    Rule {
        code: aks144_start_time_offset::CODE,
        check: aks144_start_time_offset::check,
    },
];

/// One maintenance configuration as the rules see it, and where it is written.
struct Config<'a> {
    cluster: String,
    /// The AKS name: `default`, `aksManagedAutoUpgradeSchedule`, `aksManagedNodeOSUpgradeSchedule`.
    name: &'static str,
    window: &'a MaintenanceWindow,
    /// The document the window is written in (the plan, or the saved `az` output).
    doc: &'a Arc<Document>,
    /// Pointer of the window in `doc`.
    base: String,
    /// Whether it is a configuration in force now (rather than one the plan sets).
    current: bool,
    /// For a window read from a saved `az` file: the plan, and the pointer of the `currentFrom`
    /// value that named the file.
    saved: Option<(&'a Arc<Document>, String)>,
}

impl Config<'_> {
    /// `the maintenance configuration `default` of cluster `aks-prod``, with where it comes from.
    fn describe(&self) -> String {
        let now = if self.current { "current " } else { "" };
        let from = if self.saved.is_some() {
            " (in the saved `az aks maintenanceconfiguration list` output)"
        } else {
            ""
        };
        format!(
            "the {now}maintenance configuration `{}` of cluster `{}`{from}",
            self.name, self.cluster
        )
    }

    /// Pointer of `field` (e.g. `schedule/weekly/intervalWeeks`) of the window in its document.
    fn field_pointer(&self, field: &str) -> String {
        if field.is_empty() {
            self.base.clone()
        } else {
            format!("{}/{field}", self.base)
        }
    }

    /// A finding placed on the value of `field` of the window: in the plan, there; for a saved
    /// `az` file, on the plan's `currentFrom` value that named the file, and on the value in the
    /// file.
    fn finding(&self, code: Code, message: String, field: &str, label: &str) -> Finding {
        self.place(code, message, field, false, label)
    }

    /// Like `finding`, on the key of `field` (for a mapping such as `schedule`).
    fn key_finding(&self, code: Code, message: String, field: &str, label: &str) -> Finding {
        self.place(code, message, field, true, label)
    }

    fn place(&self, code: Code, message: String, field: &str, key: bool, label: &str) -> Finding {
        let pointer = self.field_pointer(field);
        let here = if key {
            self.doc.key_label(&pointer)
        } else {
            self.doc.label(&pointer)
        }
        .with_message(label);
        match &self.saved {
            None => Finding::new(code, message).at(here).pointer(pointer),
            Some((plan, from)) => {
                let finding = Finding::new(code, message)
                    .at(plan
                        .label(from)
                        .with_message(format!("`{}` read from here", self.name)))
                    .pointer(from.clone());
                // The window was found in the saved file: show it there too.
                if Arc::ptr_eq(self.doc, plan) {
                    finding
                } else {
                    finding.also(here)
                }
            }
        }
    }
}

/// Every maintenance configuration of every cluster: the plan's `maintenance`, the plan's
/// `current.maintenance`, and those read from a `currentFrom` `maintenanceConfigurations` file.
fn configs<'a>(ctx: &Context<'a>) -> Vec<Config<'a>> {
    let mut out = Vec::new();
    for cluster in ctx.clusters() {
        let base = cluster.pointer();
        let spec = cluster.spec;
        let in_plan =
            |maintenance: &'a Maintenance, prefix: String, current: bool, out: &mut Vec<Config<'a>>| {
                for (name, window) in maintenance.entries() {
                    out.push(Config {
                        cluster: spec.name.clone(),
                        name,
                        window,
                        doc: ctx.doc,
                        base: format!("{prefix}/{name}"),
                        current,
                        saved: None,
                    });
                }
            };
        if let Some(planned) = &spec.maintenance {
            in_plan(planned, format!("{base}/maintenance"), false, &mut out);
        }
        if let Some(current) = &spec.current {
            if let Some(maintenance) = &current.maintenance {
                in_plan(maintenance, format!("{base}/current/maintenance"), true, &mut out);
            }
        } else if spec.current_from.is_some() {
            saved_configs(ctx, &cluster, &mut out);
        }
    }
    out
}

/// The configurations read from the cluster's saved `maintenanceConfigurations` file.
fn saved_configs<'a>(ctx: &Context<'a>, cluster: &ClusterView<'a>, out: &mut Vec<Config<'a>>) {
    let resolved = cluster.resolved;
    let Some(maintenance) = &resolved.current.maintenance else {
        return;
    };
    let files = cluster.spec.current_from.as_ref().map(|from| from.files());
    let from = [
        format!("{}/currentFrom/maintenanceConfigurations", cluster.pointer()),
        format!("{}/currentFrom", cluster.pointer()),
    ]
    .into_iter()
    .find(|p| ctx.doc.map.has_value(p))
    .unwrap_or_else(|| cluster.pointer());
    // The list output is the last document read for the cluster.
    let list_doc = files
        .and_then(|f| f.maintenance_configurations)
        .and(resolved.state_docs.last());
    for (name, window) in maintenance.entries() {
        let (doc, base) = match list_doc.and_then(|doc| window_pointer(&doc.value, name).map(|p| (doc, p))) {
            Some(found) => found,
            None => (ctx.doc, from.clone()),
        };
        out.push(Config {
            cluster: cluster.spec.name.clone(),
            name,
            window,
            doc,
            base,
            current: true,
            saved: Some((ctx.doc, from.clone())),
        });
    }
}

/// Pointer of the `maintenanceWindow` of configuration `name` in a saved list (or `show`)
/// output, flattened or in ARM form (`properties.maintenanceWindow`).
fn window_pointer(value: &Value, name: &str) -> Option<String> {
    let items: Vec<(String, &Value)> = match value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("/{i}"), v))
            .collect(),
        object @ Value::Object(_) => vec![(String::new(), object)],
        _ => Vec::new(),
    };
    items.into_iter().find_map(|(prefix, item)| {
        if item.get("name").and_then(Value::as_str) != Some(name) {
            return None;
        }
        if item.get("maintenanceWindow").is_some_and(Value::is_object) {
            Some(format!("{prefix}/maintenanceWindow"))
        } else if item
            .pointer("/properties/maintenanceWindow")
            .is_some_and(Value::is_object)
        {
            Some(format!("{prefix}/properties/maintenanceWindow"))
        } else {
            None
        }
    })
}

/// The schedule kinds a window sets, by their field names.
fn schedule_kinds(window: &MaintenanceWindow) -> Vec<&'static str> {
    let schedule = &window.schedule;
    [
        ("daily", schedule.daily.is_some()),
        ("weekly", schedule.weekly.is_some()),
        ("absoluteMonthly", schedule.absolute_monthly.is_some()),
        ("relativeMonthly", schedule.relative_monthly.is_some()),
    ]
    .into_iter()
    .filter_map(|(kind, set)| set.then_some(kind))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_windows_in_saved_lists() {
        let list = serde_json::json!([
            { "name": "aksManagedAutoUpgradeSchedule", "maintenanceWindow": { "durationHours": 8 } },
            { "name": "default", "properties": { "maintenanceWindow": { "durationHours": 2 } } },
            { "name": "aksManagedNodeOSUpgradeSchedule", "maintenanceWindow": null }
        ]);
        assert_eq!(
            window_pointer(&list, "aksManagedAutoUpgradeSchedule").as_deref(),
            Some("/0/maintenanceWindow")
        );
        assert_eq!(
            window_pointer(&list, "default").as_deref(),
            Some("/1/properties/maintenanceWindow")
        );
        assert_eq!(window_pointer(&list, "aksManagedNodeOSUpgradeSchedule"), None);
        let show = serde_json::json!({ "name": "default", "maintenanceWindow": {} });
        assert_eq!(
            window_pointer(&show, "default").as_deref(),
            Some("/maintenanceWindow")
        );
    }
}

//! The script's live-state probes are JMESPath tests run by `az --query`; here they are evaluated
//! by a JMESPath implementation against what the real `az` prints (`fixtures/az`, recorded ARM
//! responses printed by azure-cli 2.91), so that a probe that can never be true (a precedence
//! slip such as `!a.b`, a number compared with a string) cannot pass unnoticed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use aksplan_emit::command::{maintenance_query, settings_tests};
use aksplan_model::plan::{MaintenanceWindow, UpgradeSettings};
use common::root;
use serde_json::Value;

fn az_json(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(root().join("fixtures/az").join(name)).unwrap()).unwrap()
}

fn holds(query: &str, data: &Value) -> bool {
    let expr = jmespath::compile(query).unwrap_or_else(|e| panic!("{query}: {e}"));
    let result = expr
        .search(jmespath::Variable::from_json(&data.to_string()).unwrap())
        .unwrap();
    result.as_boolean() == Some(true)
}

/// The planned window as the plan would write it, from the window `az` shows (nulls dropped).
fn window_of(shown: &Value) -> MaintenanceWindow {
    fn drop_nulls(value: &Value) -> Value {
        match value {
            Value::Object(map) => Value::Object(
                map.iter()
                    .filter(|(_, v)| !v.is_null())
                    .map(|(k, v)| (k.clone(), drop_nulls(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
    serde_json::from_value(drop_nulls(&shown["maintenanceWindow"])).unwrap()
}

#[test]
fn the_maintenance_probe_is_true_exactly_for_the_planned_window() {
    let shown = az_json("maintenanceconfiguration-show-absolutemonthly-notalloweddates.json");
    let window = window_of(&shown);
    assert_eq!(window.not_allowed_dates.len(), 2);
    assert!(
        holds(&maintenance_query(&window), &shown),
        "{}",
        maintenance_query(&window)
    );

    let mut other = window.clone();
    other.start_time = "10:00".into();
    assert!(!holds(&maintenance_query(&other), &shown));
    let mut other = window.clone();
    other.not_allowed_dates.pop();
    assert!(!holds(&maintenance_query(&other), &shown));
    let mut other = window.clone();
    other.not_allowed_dates.clear();
    assert!(!holds(&maintenance_query(&other), &shown));

    // No dates planned, none shown (`null`): true.
    let mut without = shown.clone();
    without["maintenanceWindow"]["notAllowedDates"] = Value::Null;
    assert!(
        holds(&maintenance_query(&other), &without),
        "{}",
        maintenance_query(&other)
    );
}

#[test]
fn the_settings_probe_is_true_exactly_for_the_planned_settings() {
    let shown = az_json("nodepool-show-drain-timeout.json");
    let planned: UpgradeSettings =
        serde_json::from_value(serde_json::json!({ "drainTimeoutInMinutes": 60 })).unwrap();
    let query = settings_tests(&planned).join(" && ");
    assert!(holds(&query, &shown), "{query}");
    let other: UpgradeSettings =
        serde_json::from_value(serde_json::json!({ "drainTimeoutInMinutes": 61 })).unwrap();
    assert!(!holds(&settings_tests(&other).join(" && "), &shown));

    let shown = az_json("nodepool-show-soak-duration.json");
    let settings = &shown["upgradeSettings"];
    let mut planned = serde_json::Map::new();
    for key in ["maxSurge", "nodeSoakDurationInMinutes", "drainTimeoutInMinutes"] {
        if !settings[key].is_null() {
            planned.insert(key.into(), settings[key].clone());
        }
    }
    assert!(!planned.is_empty());
    let planned: UpgradeSettings = serde_json::from_value(Value::Object(planned)).unwrap();
    let query = settings_tests(&planned).join(" && ");
    assert!(holds(&query, &shown), "{query}");
}

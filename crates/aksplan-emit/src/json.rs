//! The versioned JSON execution plan (`aksplan.dev/execution-plan/v1`), described by
//! `schemas/execution-plan.schema.json` and `docs/execution-plan.md`.
//!
//! Pure and deterministic: everything comes from the plan, the compiled graph, the schedule and
//! the [`Meta`] the caller passes (no clock, no environment, no hash maps).

use aksplan_graph::{Compiled, Schedule, Step};
use aksplan_model::finding::Finding;
use aksplan_model::plan::Plan;
use serde_json::{Map, Value, json};

/// The `apiVersion` of the document.
pub const API_VERSION: &str = "aksplan.dev/execution-plan/v1";

/// What the document carries besides the plan itself, computed by the caller.
#[derive(Debug, Clone, Default)]
pub struct Meta {
    /// A content hash of the plan file (e.g. `sha256:…`).
    pub plan_hash: String,
    /// The catalog used (version or content hash), when known.
    pub catalog: Option<String>,
    /// The generator, e.g. `aksplan 0.1.0`.
    pub generator: Option<String>,
    /// Findings of the earlier phases (load, rules) to include, before the compiler's and the
    /// scheduler's own.
    pub findings: Vec<Finding>,
}

/// The execution plan document, pretty-printed, with a trailing newline.
pub fn render(plan: &Plan, compiled: &Compiled, schedule: &Schedule, meta: &Meta) -> String {
    let document = document(plan, compiled, schedule, meta);
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}

/// The execution plan document as a JSON value.
pub fn document(plan: &Plan, compiled: &Compiled, schedule: &Schedule, meta: &Meta) -> Value {
    let mut identity = Map::new();
    identity.insert("name".into(), json!(plan.metadata.name));
    if let Some(change) = &plan.metadata.change {
        identity.insert("change".into(), json!(change));
    }
    if let Some(owner) = &plan.metadata.owner {
        identity.insert("owner".into(), json!(owner));
    }
    identity.insert("hash".into(), json!(meta.plan_hash));
    identity.insert("target".into(), json!(plan.spec.target.kubernetes_version));

    let mut generated = Map::new();
    if let Some(generator) = &meta.generator {
        generated.insert("generator".into(), json!(generator));
    }
    if let Some(catalog) = &meta.catalog {
        generated.insert("catalog".into(), json!(catalog));
    }

    // Clusters by name, once: a scan per cluster or per step would be quadratic in the fleet.
    let pools: std::collections::HashMap<&str, (&[aksplan_model::plan::NodePool], bool)> = compiled
        .clusters
        .iter()
        .map(|c| (c.name.as_str(), (c.pools(), c.lts)))
        .collect();
    let clusters_by_name: ClustersByName<'_> = plan
        .spec
        .clusters
        .iter()
        .rev()
        .map(|c| {
            (
                c.name.as_str(),
                (c, pools.get(c.name.as_str()).copied().unwrap_or((&[], false))),
            )
        })
        .collect();
    let clusters: Vec<Value> = compiled
        .clusters
        .iter()
        .map(|c| {
            let mut value = serde_json::to_value(c).unwrap_or(Value::Null);
            if let (Value::Object(map), Some((spec, _))) = (&mut value, clusters_by_name.get(c.name.as_str()))
            {
                map.insert("resourceGroup".into(), json!(spec.resource_group));
                if let Some(subscription) = &spec.subscription {
                    map.insert("subscription".into(), json!(subscription));
                }
            }
            value
        })
        .collect();

    let index = aksplan_graph::StepIndex::new(compiled);
    let steps: Vec<Value> = compiled
        .steps
        .iter()
        .enumerate()
        .map(|(n, step)| step_value(&clusters_by_name, schedule, &index, n + 1, step))
        .collect();

    let windows: Vec<Value> = schedule
        .windows
        .iter()
        .map(|w| {
            let mut value = serde_json::to_value(w).unwrap_or(Value::Null);
            if let Value::Object(map) = &mut value {
                map.insert("usedMinutes".into(), json!(schedule.used_minutes(w.index)));
            }
            value
        })
        .collect();

    let end = schedule.end.map(|_| {
        serde_json::to_value(schedule)
            .ok()
            .and_then(|v| v.get("end").cloned())
            .unwrap_or(Value::Null)
    });

    let findings: Vec<Value> = meta
        .findings
        .iter()
        .chain(&compiled.findings)
        .chain(&schedule.findings)
        .map(finding_value)
        .collect();

    json!({
        "apiVersion": API_VERSION,
        "kind": "ExecutionPlan",
        "plan": identity,
        "generated": generated,
        "clusters": clusters,
        "steps": steps,
        "totalEstimateMinutes": compiled.steps.iter().map(|s| s.estimate_minutes).sum::<u64>(),
        "schedule": {
            "windows": windows,
            "unscheduled": schedule.unscheduled,
            "end": end.unwrap_or(Value::Null),
        },
        "findings": findings,
        "waivers": plan.spec.waivers,
    })
}

/// A cluster of the plan with its pools as they are now, by name.
/// A cluster of the plan with its pools as they are now and whether it is on the LTS plan.
type ClustersByName<'a> = std::collections::HashMap<
    &'a str,
    (
        &'a aksplan_model::plan::Cluster,
        (&'a [aksplan_model::plan::NodePool], bool),
    ),
>;

fn step_value(
    clusters: &ClustersByName<'_>,
    schedule: &Schedule,
    index: &aksplan_graph::StepIndex<'_>,
    number: usize,
    step: &Step,
) -> Value {
    let mut value = serde_json::to_value(step).unwrap_or(Value::Null);
    let Value::Object(fields) = &mut value else {
        return value;
    };
    // Stable key order: id, number, the rest as the graph crate serialises them, then ours.
    let mut map = Map::new();
    map.insert("id".into(), json!(step.id));
    map.insert("number".into(), json!(number));
    for (key, field) in std::mem::take(fields) {
        if key != "id" {
            map.insert(key, field);
        }
    }
    if let Some(pool) = step.kind.pool() {
        map.entry("pool").or_insert_with(|| json!(pool));
    }
    let placement = schedule.placement(&step.id).map(|p| {
        let placed = serde_json::to_value(p).unwrap_or(Value::Null);
        let window = p
            .window_index
            .and_then(|i| schedule.windows.iter().find(|w| w.index == i));
        json!({
            "window": p.window_index,
            "windowName": window.and_then(|w| w.name.clone()),
            "start": placed.get("start").cloned().unwrap_or(Value::Null),
            "end": placed.get("end").cloned().unwrap_or(Value::Null),
        })
    });
    map.insert("schedule".into(), placement.unwrap_or(Value::Null));
    let found = step
        .cluster
        .as_deref()
        .and_then(|name| clusters.get(name).copied());
    let cluster = found.map(|(cluster, _)| cluster);
    let commands =
        found.and_then(|(cluster, (pools, lts))| crate::command::step_command(cluster, pools, lts, step));
    let argv = commands.as_ref().zip(cluster).map(|(commands, cluster)| {
        commands
            .run
            .clone()
            .in_subscription(cluster.subscription.as_deref())
            .argv()
    });
    map.insert("argv".into(), argv.map_or(Value::Null, |a| json!(a)));
    // A version the catalog could not make exact: the argv holds `{version}`, read when the step
    // runs, as the script does.
    if let Some(live) = commands.as_ref().and_then(|c| c.live_version.as_ref()) {
        let mut from = Map::new();
        from.insert("minor".into(), json!(live.minor.to_string()));
        from.insert(
            "source".into(),
            json!(if live.pool.is_some() {
                "nodepoolGetUpgrades"
            } else {
                "getUpgrades"
            }),
        );
        if let Some(pool) = &live.pool {
            from.insert("pool".into(), json!(pool));
        }
        from.insert("ltsPatches".into(), json!(live.lts));
        from.insert("placeholder".into(), json!(crate::command::VERSION_PLACEHOLDER));
        map.insert("versionFrom".into(), Value::Object(from));
    }
    // What the script checks: when the step is done (the journal decides where the live state
    // cannot), and what the live state must be for it to run.
    if cluster.is_some() {
        let done = crate::command::done(step, index);
        let mut probe = Map::new();
        probe.insert("journal".into(), json!(done.journal_only()));
        probe.insert(
            "anyOf".into(),
            serde_json::to_value(&done.any_of).unwrap_or(Value::Null),
        );
        probe.insert(
            "ready".into(),
            serde_json::to_value(crate::command::ready(step)).unwrap_or(Value::Null),
        );
        map.insert("probe".into(), Value::Object(probe));
    }
    if let Some(back) = cluster.and_then(|c| crate::command::back_out(c, step)) {
        map.insert(
            "backOut".into(),
            serde_json::to_value(back).unwrap_or(Value::Null),
        );
    }
    // A maintenance window with notAllowedDates goes in a file (no flag carries them).
    if let Some(content) = commands.and_then(|c| c.config_file) {
        map.insert(
            "configFile".into(),
            json!({ "name": crate::command::CONFIG_FILE, "content": content }),
        );
    }
    Value::Object(map)
}

fn finding_value(finding: &Finding) -> Value {
    let mut map = Map::new();
    map.insert("code".into(), json!(finding.code.id()));
    map.insert("severity".into(), json!(finding.severity.to_string()));
    map.insert("message".into(), json!(finding.message));
    if let Some(cluster) = &finding.cluster {
        map.insert("cluster".into(), json!(cluster));
    }
    if let Some(pool) = &finding.pool {
        map.insert("pool".into(), json!(pool));
    }
    if let Some(pointer) = &finding.pointer {
        map.insert("pointer".into(), json!(pointer));
    }
    if let Some(waived) = &finding.waived {
        map.insert(
            "waived".into(),
            serde_json::to_value(waived).unwrap_or(Value::Null),
        );
    }
    Value::Object(map)
}

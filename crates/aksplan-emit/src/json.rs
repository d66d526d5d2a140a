//! The versioned JSON execution plan (`aksplan.dev/execution-plan/v1`), described by
//! `schemas/execution-plan.schema.json` and `docs/execution-plan.md`.
//!
//! Pure and deterministic: everything comes from the plan, the compiled graph, the schedule and
//! the [`Meta`] the caller passes (no clock, no environment, no hash maps).

use aksplan_graph::{Compiled, Schedule, Step, StepKind};
use aksplan_model::finding::Finding;
use aksplan_model::plan::{MaintenanceWindow, Plan, UpgradeSettings};
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

    let clusters: Vec<Value> = compiled
        .clusters
        .iter()
        .map(|c| {
            let mut value = serde_json::to_value(c).unwrap_or(Value::Null);
            if let (Value::Object(map), Some(spec)) = (&mut value, cluster_spec(plan, &c.name)) {
                map.insert("resourceGroup".into(), json!(spec.resource_group));
                if let Some(subscription) = &spec.subscription {
                    map.insert("subscription".into(), json!(subscription));
                }
            }
            value
        })
        .collect();

    let steps: Vec<Value> = compiled
        .steps
        .iter()
        .enumerate()
        .map(|(n, step)| step_value(plan, schedule, n + 1, step))
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

fn step_value(plan: &Plan, schedule: &Schedule, number: usize, step: &Step) -> Value {
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
    if let Some(pool) = step_pool(&step.kind) {
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
    map.insert("argv".into(), argv(plan, step).map_or(Value::Null, |a| json!(a)));
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

fn step_pool(kind: &StepKind) -> Option<&str> {
    match kind {
        StepKind::PoolUpgrade { pool, .. }
        | StepKind::PoolNodeImage { pool }
        | StepKind::PoolSettings { pool, .. }
        | StepKind::BlueGreenCreate { pool, .. }
        | StepKind::BlueGreenCordon { pool }
        | StepKind::BlueGreenDrain { pool }
        | StepKind::BlueGreenDelete { pool } => Some(pool),
        _ => None,
    }
}

fn cluster_spec<'a>(plan: &'a Plan, name: &str) -> Option<&'a aksplan_model::plan::Cluster> {
    plan.spec.clusters.iter().find(|c| c.name == name)
}

fn s(text: impl Into<String>) -> String {
    text.into()
}

/// The exact command vector of a step: `az …` (`aks-upgrade-rules.md` §6) or `kubectl …` for the
/// blue-green cordon and drain; `None` for approval gates and soaks, which run no command.
///
/// Every command that would prompt gets `--yes`; long operations get `--no-wait` (the caller
/// waits with `az aks wait --custom`); `--node-image-only` never goes with `-k` or surge flags;
/// a negative utc offset is written `--utc-offset=-08:00`. A cluster with a `subscription` gets
/// `--subscription` so each vector runs on its own. The resource group and the subscription are
/// joined to their option (`--resource-group=-rg-dev`): Azure allows both to start with `-`, which
/// az's parser would take for an option even without a shell in between.
pub fn argv(plan: &Plan, step: &Step) -> Option<Vec<String>> {
    let name = step.cluster.as_deref()?;
    let spec = cluster_spec(plan, name);
    let rg = format!(
        "--resource-group={}",
        spec.map_or("", |c| c.resource_group.as_str())
    );
    let subscription = spec.and_then(|c| c.subscription.as_deref());
    let cluster_args = |v: &mut Vec<String>| v.extend([rg.clone(), s("-n"), s(name)]);
    let pool_args = |v: &mut Vec<String>, pool: &str| {
        v.extend([rg.clone(), s("--cluster-name"), s(name), s("-n"), s(pool)]);
    };
    let mut v: Vec<String> = Vec::new();
    match &step.kind {
        StepKind::ApprovalGate { .. } | StepKind::StageWait { .. } => return None,
        StepKind::ControlPlaneUpgrade { to } => {
            v.extend([s("az"), s("aks"), s("upgrade")]);
            cluster_args(&mut v);
            v.extend([s("-k"), to.to_string(), s("--control-plane-only")]);
            v.extend([s("--yes"), s("--no-wait")]);
        }
        StepKind::FullUpgrade { to } => {
            v.extend([s("az"), s("aks"), s("upgrade")]);
            cluster_args(&mut v);
            v.extend([s("-k"), to.to_string(), s("--yes"), s("--no-wait")]);
        }
        StepKind::PoolUpgrade { pool, to } => {
            v.extend([s("az"), s("aks"), s("nodepool"), s("upgrade")]);
            pool_args(&mut v, pool);
            v.extend([s("-k"), to.to_string(), s("--yes"), s("--no-wait")]);
        }
        StepKind::PoolNodeImage { pool } => {
            v.extend([s("az"), s("aks"), s("nodepool"), s("upgrade")]);
            pool_args(&mut v, pool);
            v.extend([s("--node-image-only"), s("--yes"), s("--no-wait")]);
        }
        StepKind::PoolSettings { pool, settings } => {
            v.extend([s("az"), s("aks"), s("nodepool"), s("update")]);
            pool_args(&mut v, pool);
            settings_args(&mut v, settings);
            v.push(s("--no-wait"));
        }
        StepKind::ChannelChange { to, .. } => {
            v.extend([s("az"), s("aks"), s("update")]);
            cluster_args(&mut v);
            if let Some(channel) = to.upgrade_channel {
                v.extend([s("--auto-upgrade-channel"), enum_text(&channel)]);
            }
            if let Some(channel) = to.node_os_upgrade_channel {
                v.extend([s("--node-os-upgrade-channel"), enum_text(&channel)]);
            }
            v.push(s("--no-wait"));
        }
        StepKind::MaintenanceSet { name: config, window } => {
            v.extend([s("az"), s("aks"), s("maintenanceconfiguration"), s("add")]);
            pool_args(&mut v, config);
            maintenance_args(&mut v, config, window);
        }
        StepKind::BlueGreenCreate {
            new_pool,
            to,
            os_sku,
            pool,
        } => {
            v.extend([s("az"), s("aks"), s("nodepool"), s("add")]);
            pool_args(&mut v, new_pool);
            v.extend([s("-k"), to.to_string()]);
            let old = spec
                .and_then(|c| c.current.as_ref())
                .and_then(|cur| cur.node_pools.iter().find(|p| &p.name == pool));
            if let Some(old) = old {
                v.extend([s("--mode"), enum_text(&old.mode)]);
                if let Some(count) = old.count {
                    v.extend([s("--node-count"), count.to_string()]);
                }
                if let Some(size) = &old.vm_size {
                    v.extend([s("--node-vm-size"), size.clone()]);
                }
            }
            if let Some(sku) = os_sku {
                v.extend([s("--os-sku"), enum_text(sku)]);
            }
            v.push(s("--no-wait"));
        }
        StepKind::BlueGreenCordon { pool } => {
            return Some(vec![
                s("kubectl"),
                s("--context"),
                s(name),
                s("cordon"),
                s("-l"),
                format!("agentpool={pool}"),
            ]);
        }
        StepKind::BlueGreenDrain { pool } => {
            return Some(vec![
                s("kubectl"),
                s("--context"),
                s(name),
                s("drain"),
                s("-l"),
                format!("agentpool={pool}"),
                s("--ignore-daemonsets"),
                s("--delete-emptydir-data"),
            ]);
        }
        StepKind::BlueGreenDelete { pool } => {
            v.extend([s("az"), s("aks"), s("nodepool"), s("delete")]);
            pool_args(&mut v, pool);
            v.push(s("--no-wait"));
        }
    }
    if let Some(subscription) = subscription {
        v.push(format!("--subscription={subscription}"));
    }
    Some(v)
}

fn enum_text<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(text)) => text,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

fn settings_args(v: &mut Vec<String>, settings: &UpgradeSettings) {
    if let Some(surge) = settings.max_surge {
        v.extend([s("--max-surge"), surge.to_string()]);
    }
    if let Some(unavailable) = settings.max_unavailable {
        v.extend([s("--max-unavailable"), unavailable.to_string()]);
    }
    if let Some(minutes) = settings.drain_timeout_in_minutes {
        v.extend([s("--drain-timeout"), minutes.to_string()]);
    }
    if let Some(minutes) = settings.node_soak_duration_in_minutes {
        v.extend([s("--node-soak-duration"), minutes.to_string()]);
    }
    if let Some(behavior) = settings.undrainable_node_behavior {
        v.extend([s("--undrainable-node-behavior"), enum_text(&behavior)]);
    }
}

/// `az aks maintenanceconfiguration add` flags (`aks-upgrade-rules.md` §4): `default` is weekly
/// without `--interval-weeks`; a negative offset is written with `=`.
fn maintenance_args(v: &mut Vec<String>, config: &str, window: &MaintenanceWindow) {
    let schedule = &window.schedule;
    if let Some(daily) = &schedule.daily {
        v.extend([s("--schedule-type"), s("Daily")]);
        v.extend([s("--interval-days"), daily.interval_days.to_string()]);
    } else if let Some(weekly) = &schedule.weekly {
        v.extend([s("--schedule-type"), s("Weekly")]);
        if config != "default" {
            v.extend([
                s("--interval-weeks"),
                weekly.interval_weeks.unwrap_or(1).to_string(),
            ]);
        }
        v.extend([s("--day-of-week"), enum_text(&weekly.day_of_week)]);
    } else if let Some(monthly) = &schedule.absolute_monthly {
        v.extend([s("--schedule-type"), s("AbsoluteMonthly")]);
        v.extend([s("--interval-months"), monthly.interval_months.to_string()]);
        v.extend([s("--day-of-month"), monthly.day_of_month.to_string()]);
    } else if let Some(monthly) = &schedule.relative_monthly {
        v.extend([s("--schedule-type"), s("RelativeMonthly")]);
        v.extend([s("--interval-months"), monthly.interval_months.to_string()]);
        v.extend([s("--day-of-week"), enum_text(&monthly.day_of_week)]);
        v.extend([s("--week-index"), enum_text(&monthly.week_index)]);
    }
    v.extend([s("--duration"), window.duration_hours.to_string()]);
    v.extend([s("--start-time"), window.start_time.clone()]);
    if let Some(offset) = &window.utc_offset {
        v.push(format!("--utc-offset={offset}"));
    }
    if let Some(date) = &window.start_date {
        v.extend([s("--start-date"), date.clone()]);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn maintenance_args_follow_the_cli_rules() {
        let window: MaintenanceWindow = serde_json::from_value(json!({
            "schedule": { "weekly": { "intervalWeeks": 1, "dayOfWeek": "Sunday" } },
            "durationHours": 4,
            "startTime": "01:00",
            "utcOffset": "-08:00"
        }))
        .unwrap();
        let mut v = Vec::new();
        maintenance_args(&mut v, "default", &window);
        assert_eq!(
            v,
            [
                "--schedule-type",
                "Weekly",
                "--day-of-week",
                "Sunday",
                "--duration",
                "4",
                "--start-time",
                "01:00",
                "--utc-offset=-08:00"
            ]
        );
        let mut v = Vec::new();
        maintenance_args(&mut v, "aksManagedAutoUpgradeSchedule", &window);
        assert!(v.windows(2).any(|w| w == ["--interval-weeks", "1"]));
    }
}

//! The input document policies see (`aksplan input PLAN` prints it).
//!
//! Shaped so that natural policies stay linear: clusters and pools are maps keyed by name, and
//! each lists its own steps, so "every step of this cluster" is a lookup, not a group-by over a
//! flat list (measured with OPA on 1,000 clusters × 8 pools: ~17 s as a group-by, ~0.5 s nested).
//! Nothing is written twice (v2): a step lives in the top-level `steps` map and is listed by id
//! under its cluster and pool; the versions before and after it index its cluster's `states`; its
//! placement in the schedule is its own. Copies made the document 7× the plan (12× printed).
//! Every cluster and pool carries `pointer`, the JSON pointer of its entry in the plan, so a
//! policy can put its finding on the right line with `"path": sprintf("%s/...", [c.pointer])`.

use std::collections::BTreeMap;

use aksplan_model::plan::Plan;
use aksplan_model::resolve::ResolvedCluster;
use serde_json::value::RawValue;
use serde_json::{Map, Value, json};

/// The input document, its two large maps (`clusters`, `steps`: nine tenths of it) held as
/// compact JSON text entry by entry: each entry is built as a value, written out and dropped, so
/// the whole document never exists as a `serde_json::Value` tree (~10 × its text in memory; 130
/// MiB at 1,000 clusters × 8 pools). Serialises as the document; [`Document::to_value`] gives the
/// tree to whoever wants one (`aksplan input`, tests).
pub struct Document {
    /// `apiVersion`, `asOf`, `metadata`, `plan`.
    head: Vec<(&'static str, Value)>,
    clusters: Vec<(String, Box<RawValue>)>,
    /// `stages`, `changeWindows`, `waivers`, `compiled`.
    middle: Vec<(&'static str, Value)>,
    steps: Vec<(String, Box<RawValue>)>,
    schedule: Value,
}

impl Document {
    /// The document as a tree.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// A map of raw entries, in order.
struct RawMap<'a>(&'a [(String, Box<RawValue>)]);

impl serde::Serialize for RawMap<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

impl serde::Serialize for Document {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.head.len() + self.middle.len() + 3))?;
        for (key, value) in &self.head {
            map.serialize_entry(key, value)?;
        }
        map.serialize_entry("clusters", &RawMap(&self.clusters))?;
        for (key, value) in &self.middle {
            map.serialize_entry(key, value)?;
        }
        map.serialize_entry("steps", &RawMap(&self.steps))?;
        map.serialize_entry("schedule", &self.schedule)?;
        map.end()
    }
}

/// One entry as compact JSON text.
fn raw(value: &Value) -> Box<RawValue> {
    serde_json::value::to_raw_value(value)
        .unwrap_or_else(|_| RawValue::from_string("null".to_owned()).unwrap_or_default())
}

/// Catalog facts about one version, as of the plan's date.
#[derive(Debug, Clone, Default)]
pub struct VersionFacts {
    pub version: String,
    pub support: String,
    pub end_of_life: Option<String>,
    pub lts_end_of_life: Option<String>,
    pub lts_capable: bool,
    pub preview: bool,
}

impl VersionFacts {
    fn to_json(&self) -> Value {
        json!({
            "version": self.version,
            "support": self.support,
            "endOfLife": self.end_of_life,
            "ltsEndOfLife": self.lts_end_of_life,
            "ltsCapable": self.lts_capable,
            "preview": self.preview,
        })
    }
}

/// What the compiler produced, as JSON (`aksplan-graph`'s serialization), when it ran.
pub struct CompiledJson<'a> {
    /// `[{name, hops, start, end, fullUpgrades, channelSwitched, stage}]`.
    pub clusters: Vec<Value>,
    /// Steps in graph order (`{id, cluster, type, pool?, ...}`), each serialised as it is taken:
    /// all of them at once, states and all, were the largest transient of a 1,000-cluster run.
    pub steps: Box<dyn Iterator<Item = Value> + 'a>,
    /// The schedule, when there is one.
    pub schedule: Option<Value>,
}

fn to_value<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// An object from entries, in order. Unlike `json!`, which serializes every value it is given
/// (a deep copy of each), the values move in: the document of 1,000 clusters is ~30 MB.
fn object<const N: usize>(entries: [(&str, Value); N]) -> Value {
    Value::Object(entries.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

/// Builds the input document.
pub fn build(
    plan: &Plan,
    clusters: &[ResolvedCluster],
    as_of: &str,
    facts: &dyn Fn(&str, bool) -> VersionFacts,
    compiled: Option<CompiledJson<'_>>,
) -> Document {
    let is_compiled = compiled.is_some();
    let (route_list, step_values, schedule) = match compiled {
        Some(c) => (c.clusters, c.steps, c.schedule),
        None => (
            Vec::new(),
            Box::new(std::iter::empty()) as Box<dyn Iterator<Item = Value>>,
            None,
        ),
    };
    // Every step carries the pointer of the plan entry it acts on, as clusters and pools do.
    // A step is written once, in the top-level `steps` map; its cluster and pool list its id,
    // and the cluster's versions before and after it are indexes into the cluster's `states`
    // (consecutive steps share a state: the one after a step is the one before the next).
    let by_cluster: BTreeMap<&str, &ResolvedCluster> =
        clusters.iter().map(|c| (c.name.as_str(), c)).collect();
    let mut states: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    let mut steps_by_id: Vec<(String, Box<RawValue>)> = Vec::new();
    // Ids by cluster, and by cluster and pool, in graph order.
    let mut steps_of: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    let mut pool_steps_of: BTreeMap<(String, String), Vec<Value>> = BTreeMap::new();
    let mut routes: BTreeMap<&str, &Value> = BTreeMap::new();
    // Each step carries its own placement (`window`, `start`, `end`): a lookup for a policy,
    // where the schedule's list of placements was a scan per step (and a second copy of every id).
    let mut schedule = schedule.unwrap_or(Value::Null);
    let mut placements: BTreeMap<String, Value> = BTreeMap::new();
    // A window's steps are the steps whose `placement.window` is its index; not listed again.
    if let Some(Value::Array(windows)) = schedule.get_mut("windows") {
        for window in windows {
            if let Value::Object(map) = window {
                map.remove("steps");
            }
        }
    }
    if let Some(Value::Array(items)) = schedule.as_object_mut().and_then(|m| m.remove("placements")) {
        for mut item in items {
            if let Some(Value::String(id)) = item.as_object_mut().and_then(|m| m.remove("stepId")) {
                placements.insert(id, item);
            }
        }
    }
    for step in step_values {
        let mut step = with_pointer(step, plan, &by_cluster);
        let Value::Object(map) = &mut step else {
            continue;
        };
        let Some(id) = map.get("id").and_then(Value::as_str).map(str::to_owned) else {
            continue;
        };
        map.insert(
            "placement".to_owned(),
            placements.remove(&id).unwrap_or(Value::Null),
        );
        let cluster = map.get("cluster").and_then(Value::as_str).map(str::to_owned);
        if let Some(cluster) = &cluster {
            let known = states.entry(cluster.clone()).or_default();
            for key in ["before", "after"] {
                if let Some(state) = map.remove(key) {
                    let index = known.iter().position(|s| *s == state).unwrap_or_else(|| {
                        known.push(state);
                        known.len() - 1
                    });
                    map.insert(key.to_owned(), Value::from(index));
                }
            }
            steps_of
                .entry(cluster.clone())
                .or_default()
                .push(Value::from(id.as_str()));
            if let Some(pool) = map.get("pool").and_then(Value::as_str) {
                pool_steps_of
                    .entry((cluster.clone(), pool.to_owned()))
                    .or_default()
                    .push(Value::from(id.as_str()));
            }
        }
        steps_by_id.push((id, raw(&step)));
    }
    for route in &route_list {
        if let Some(name) = route.get("name").and_then(Value::as_str) {
            routes.entry(name).or_insert(route);
        }
    }
    let stage_of: BTreeMap<&str, &str> = plan
        .spec
        .rollout
        .iter()
        .flat_map(|r| &r.stages)
        .rev()
        .flat_map(|s| s.clusters.iter().map(move |c| (c.as_str(), s.name.as_str())))
        .collect();
    let mut by_name: Vec<(String, Box<RawValue>)> = Vec::with_capacity(clusters.len());
    for resolved in clusters {
        let spec = &plan.spec.clusters[resolved.index];
        let pointer = format!("/spec/clusters/{}", resolved.index);
        let target = spec.target.as_ref().unwrap_or(&plan.spec.target);
        let lts = resolved.current.support_plan == Some(aksplan_model::plan::SupportPlan::AKSLongTermSupport);
        let mut pools = Map::new();
        for (idx, pool) in resolved.current.node_pools.iter().enumerate() {
            let mut entry = to_value(pool);
            let pool_steps = pool_steps_of
                .remove(&(resolved.name.clone(), pool.name.clone()))
                .unwrap_or_default();
            if let Value::Object(map) = &mut entry {
                // A pointer into the plan only when the pool is written there.
                let in_plan = spec.current.is_some();
                map.insert(
                    "pointer".into(),
                    if in_plan {
                        Value::from(format!("{pointer}/current/nodePools/{idx}"))
                    } else {
                        Value::from(pointer.clone())
                    },
                );
                map.insert("steps".into(), Value::Array(pool_steps));
                map.insert("settings".into(), to_value(&spec.pool_settings.get(&pool.name)));
                if resolved.live.workloads_read {
                    map.insert(
                        "drainBlocked".into(),
                        Value::Bool(resolved.live.drain_blocked(&pool.name)),
                    );
                }
            }
            pools.insert(pool.name.clone(), entry);
        }
        let route = routes
            .get(resolved.name.as_str())
            .map_or(Value::Null, |r| (*r).clone());
        let stage = stage_of.get(resolved.name.as_str()).copied();
        let entry = object([
            ("name", Value::from(resolved.name.as_str())),
            ("pointer", Value::from(pointer)),
            ("resourceGroup", to_value(&spec.resource_group)),
            ("subscription", to_value(&spec.subscription)),
            ("location", to_value(&spec.location)),
            ("stage", to_value(&stage)),
            (
                "current",
                object([
                    (
                        "kubernetesVersion",
                        to_value(&resolved.current.kubernetes_version),
                    ),
                    ("tier", to_value(&resolved.current.tier)),
                    ("supportPlan", to_value(&resolved.current.support_plan)),
                    ("network", to_value(&resolved.current.network)),
                    ("channels", to_value(&resolved.current.channels)),
                    ("maintenance", to_value(&resolved.current.maintenance)),
                    (
                        "facts",
                        facts(&resolved.current.kubernetes_version, lts).to_json(),
                    ),
                ]),
            ),
            (
                "target",
                object([
                    ("kubernetesVersion", to_value(&target.kubernetes_version)),
                    ("nodeImage", to_value(&target.node_image)),
                    ("facts", facts(&target.kubernetes_version, lts).to_json()),
                ]),
            ),
            ("channels", to_value(&resolved.channels)),
            ("maintenance", to_value(&resolved.maintenance)),
            ("poolOrder", to_value(&spec.pool_order)),
            ("pools", Value::Object(pools)),
            ("route", route),
            (
                "steps",
                Value::Array(steps_of.remove(resolved.name.as_str()).unwrap_or_default()),
            ),
            (
                "states",
                Value::Array(states.remove(resolved.name.as_str()).unwrap_or_default()),
            ),
        ]);
        by_name.push((resolved.name.clone(), raw(&entry)));
    }
    let stages: Vec<Value> = plan
        .spec
        .rollout
        .as_ref()
        .map(|r| {
            r.stages
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let mut v = to_value(s);
                    if let Value::Object(map) = &mut v {
                        map.insert("pointer".into(), Value::from(format!("/spec/rollout/stages/{i}")));
                        map.insert("index".into(), Value::from(i));
                    }
                    v
                })
                .collect()
        })
        .unwrap_or_default();
    let indexed = |pointer_of: &dyn Fn(usize) -> String, values: Value| match values {
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .enumerate()
                .map(|(i, mut item)| {
                    if let Value::Object(map) = &mut item {
                        map.insert("pointer".into(), Value::from(pointer_of(i)));
                        map.insert("index".into(), Value::from(i));
                    }
                    item
                })
                .collect(),
        ),
        other => other,
    };
    let windows = indexed(
        &|i| format!("/spec/changeWindows/{i}"),
        to_value(&plan.spec.change_windows),
    );
    let waivers = indexed(&|i| format!("/spec/waivers/{i}"), to_value(&plan.spec.waivers));
    Document {
        head: vec![
            ("apiVersion", Value::from("aksplan.dev/policy-input/v2")),
            ("asOf", Value::from(as_of)),
            ("metadata", to_value(&plan.metadata)),
            ("plan", plan_as_written(plan)),
        ],
        clusters: by_name,
        middle: vec![
            ("stages", Value::Array(stages)),
            ("changeWindows", windows),
            ("waivers", waivers),
            ("compiled", Value::from(is_compiled)),
        ],
        steps: steps_by_id,
        schedule,
    }
}

/// The plan as written, without each cluster's `current`: the current state is under
/// `clusters` (with its pools), resolved the same way whether the plan writes it or reads it
/// from `currentFrom`. Copying it here too made it a third of the document.
fn plan_as_written(plan: &Plan) -> Value {
    let mut value = to_value(plan);
    if let Some(Value::Array(clusters)) = value.pointer_mut("/spec/clusters") {
        for cluster in clusters {
            if let Value::Object(map) = cluster {
                map.remove("current");
            }
        }
    }
    value
}

/// A compiled step with `pointer`: the plan entry it acts on. A pool step points at its pool
/// (where the plan writes the pool, else at the cluster), a cluster step at its cluster, a stage
/// gate or soak at the plan field that made it (its provenance), else at its stage.
fn with_pointer(mut step: Value, plan: &Plan, clusters: &BTreeMap<&str, &ResolvedCluster>) -> Value {
    let text = |key: &str| step.get(key).and_then(Value::as_str);
    let cluster = text("cluster").and_then(|name| clusters.get(name));
    let pointer = match cluster {
        Some(resolved) => {
            let base = format!("/spec/clusters/{}", resolved.index);
            let written = plan.spec.clusters[resolved.index].current.is_some();
            let pool =
                text("pool").and_then(|name| resolved.current.node_pools.iter().position(|p| p.name == name));
            match pool {
                Some(idx) if written => format!("{base}/current/nodePools/{idx}"),
                _ => base,
            }
        }
        None => step
            .get("provenance")
            .and_then(|p| p.get("planField"))
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| {
                let stage = text("stage")?;
                let index = plan
                    .spec
                    .rollout
                    .as_ref()?
                    .stages
                    .iter()
                    .position(|s| s.name == stage)?;
                Some(format!("/spec/rollout/stages/{index}"))
            })
            .unwrap_or_else(|| "/spec".to_owned()),
    };
    if let Value::Object(map) = &mut step {
        map.insert("pointer".into(), Value::from(pointer));
    }
    step
}

/// Catalog facts for the input document.
fn facts(
    catalog: &aksplan_catalog::Catalog,
    as_of: jiff::civil::Date,
) -> impl Fn(&str, bool) -> VersionFacts + '_ {
    move |text: &str, lts: bool| {
        let Ok(version) = aksplan_model::KubeVersion::parse(text) else {
            return VersionFacts {
                version: text.to_owned(),
                support: "unknown".into(),
                ..Default::default()
            };
        };
        let minor = catalog.minor(version);
        let support = match catalog.support_status(version, as_of, lts) {
            aksplan_catalog::SupportStatus::Preview => "preview",
            aksplan_catalog::SupportStatus::Supported => "supported",
            aksplan_catalog::SupportStatus::Lts => "lts",
            aksplan_catalog::SupportStatus::PlatformSupport => "platform",
            aksplan_catalog::SupportStatus::Unsupported => "unsupported",
            aksplan_catalog::SupportStatus::Unknown => "unknown",
        };
        VersionFacts {
            version: text.to_owned(),
            support: support.to_owned(),
            end_of_life: minor.and_then(|m| m.end_of_life).map(|d| d.to_string()),
            lts_end_of_life: minor.and_then(|m| m.lts_end_of_life).map(|d| d.to_string()),
            lts_capable: minor.is_some_and(|m| m.lts_capable()),
            preview: minor.is_some_and(|m| m.is_preview),
        }
    }
}

/// The input document for a loaded plan (compiled when given).
pub fn document(
    ctx: &aksplan_rules::Context<'_>,
    compiled: Option<(&aksplan_graph::Compiled, &aksplan_graph::schedule::Schedule)>,
) -> Document {
    let compiled_json = compiled.map(|(graph, schedule)| CompiledJson {
        clusters: match serde_json::to_value(&graph.clusters) {
            Ok(serde_json::Value::Array(clusters)) => clusters,
            _ => Vec::new(),
        },
        steps: Box::new(graph.steps.iter().map(to_value)),
        schedule: serde_json::to_value(schedule).ok(),
    });
    let facts = facts(ctx.catalog, ctx.as_of);
    build(
        ctx.plan,
        ctx.clusters,
        &ctx.as_of.to_string(),
        &facts,
        compiled_json,
    )
}

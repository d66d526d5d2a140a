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

use aksplan_graph::ClusterPlan;
use aksplan_graph::Compiled;
use aksplan_graph::schedule::Schedule;
use aksplan_graph::step::{ClusterState, Step};
use aksplan_model::plan::Plan;
use aksplan_model::resolve::ResolvedCluster;
use serde::ser::SerializeMap;
use serde_json::{Map, Value, json};

/// The input document, made entry by entry as it is written: its two large maps (`clusters`,
/// `steps`: nine tenths of it) never exist whole, neither as a `serde_json::Value` tree (~10 ×
/// its text in memory) nor as text (12 MB at 1,000 clusters × 8 pools), only the entry being
/// written. Borrows the plan and its compiled graph; serialises as the document (each time
/// anew); [`Document::to_value`] gives the tree to whoever wants one (`aksplan input`, tests).
pub struct Document<'a> {
    plan: &'a Plan,
    clusters: &'a [ResolvedCluster],
    as_of: String,
    facts: Box<Facts<'a>>,
    /// The stage each cluster is in (the first that lists it).
    stage_of: BTreeMap<&'a str, &'a str>,
    by_cluster: BTreeMap<&'a str, &'a ResolvedCluster>,
    graph: Option<Graph<'a>>,
}

/// Catalog facts about a version (whether the cluster is on LTS), as of the plan's date.
type Facts<'a> = dyn Fn(&str, bool) -> VersionFacts + 'a;

/// The compiled graph, indexed for the document.
struct Graph<'a> {
    steps: &'a [Step],
    schedule: &'a Schedule,
    /// The compiler's route of each cluster (the first of a name).
    routes: BTreeMap<&'a str, &'a ClusterPlan>,
    /// Ids of each cluster's steps and of each pool's, in graph order.
    steps_of: BTreeMap<&'a str, Vec<&'a str>>,
    pool_steps_of: BTreeMap<(&'a str, &'a str), Vec<&'a str>>,
    /// Each cluster's distinct states, in the order steps first reach them.
    states: BTreeMap<&'a str, Vec<&'a ClusterState>>,
    /// By step (graph order): where its states before and after are in its cluster's `states`.
    state_of: Vec<[Option<usize>; 2]>,
}

impl<'a> Graph<'a> {
    /// A step is written once, in the top-level `steps` map; its cluster and pool list its id,
    /// and the cluster's versions before and after it are indexes into the cluster's `states`
    /// (consecutive steps share a state: the one after a step is the one before the next).
    fn new(compiled: &'a Compiled, schedule: &'a Schedule) -> Self {
        let mut graph = Self {
            steps: &compiled.steps,
            schedule,
            routes: BTreeMap::new(),
            steps_of: BTreeMap::new(),
            pool_steps_of: BTreeMap::new(),
            states: BTreeMap::new(),
            state_of: Vec::with_capacity(compiled.steps.len()),
        };
        for route in &compiled.clusters {
            graph.routes.entry(route.name.as_str()).or_insert(route);
        }
        for step in &compiled.steps {
            let mut found = [None, None];
            if let Some(cluster) = step.cluster.as_deref() {
                let known = graph.states.entry(cluster).or_default();
                for (slot, state) in [&step.before, &step.after].into_iter().enumerate() {
                    let Some(state) = state.as_deref() else { continue };
                    // Consecutive steps hold the very same state (the one after a step is the
                    // one before the next): found by identity, else by value (equal states are
                    // written alike: a version's text is one to one with it). The JSON text of
                    // each, kept here to compare, was half of this index (2.5 MiB at 1,000
                    // clusters).
                    let same = known.iter().position(|s| std::ptr::eq(*s, state) || *s == state);
                    found[slot] = Some(same.unwrap_or_else(|| {
                        known.push(state);
                        known.len() - 1
                    }));
                }
                graph.steps_of.entry(cluster).or_default().push(&step.id);
                if let Some(pool) = step.kind.pool() {
                    graph
                        .pool_steps_of
                        .entry((cluster, pool))
                        .or_default()
                        .push(&step.id);
                }
            }
            graph.state_of.push(found);
        }
        graph
    }

    /// The step at `index` as the document shows it: with the pointer of the plan entry it acts
    /// on, its own placement in the schedule (a lookup for a policy, where the schedule's list
    /// of placements was a scan per step), its states as indexes.
    fn step(&self, index: usize, doc: &Document<'_>) -> Value {
        // Made field by field, spelled out (a field added to a step is a compile error here):
        // serialising each step whole and then swapping its two states for indexes spent a third
        // of the document's writing on states thrown away.
        let Step {
            id,
            cluster,
            kind,
            provenance,
            before,
            after,
            estimate_minutes,
            depends_on,
        } = &self.steps[index];
        let mut map = Map::new();
        map.insert("id".to_owned(), Value::from(&**id));
        if let Some(cluster) = cluster {
            map.insert("cluster".to_owned(), Value::from(&**cluster));
        }
        // An internally tagged enum: always an object (`type` and the variant's fields).
        if let Value::Object(fields) = to_value(kind) {
            map.extend(fields);
        }
        map.insert("provenance".to_owned(), to_value(provenance));
        map.insert("estimateMinutes".to_owned(), Value::from(*estimate_minutes));
        map.insert("dependsOn".to_owned(), to_value(depends_on));
        let mut value = with_pointer(Value::Object(map), doc.plan, &doc.by_cluster);
        if let Value::Object(map) = &mut value {
            let mut placement = self.schedule.placement(id).map_or(Value::Null, to_value);
            if let Some(fields) = placement.as_object_mut() {
                fields.remove("stepId");
            }
            map.insert("placement".to_owned(), placement);
            for (slot, (key, state)) in [("before", before), ("after", after)].into_iter().enumerate() {
                let Some(state) = state else { continue };
                // A cluster's step indexes its cluster's states; a step of no cluster (none has
                // states today) would carry its own.
                let written = match cluster {
                    Some(_) => Value::from(self.state_of[index][slot]),
                    None => to_value(state),
                };
                map.insert(key.to_owned(), written);
            }
        }
        value
    }
}

impl Document<'_> {
    /// The document as a tree.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// The entry of one cluster: what the plan says of it and its pools, with the ids of their
    /// steps and the states those steps index.
    fn cluster(&self, resolved: &ResolvedCluster) -> Value {
        let plan = self.plan;
        let graph = self.graph.as_ref();
        let name = resolved.name.as_str();
        let spec = &plan.spec.clusters[resolved.index];
        let pointer = format!("/spec/clusters/{}", resolved.index);
        let target = spec.target.as_ref().unwrap_or(&plan.spec.target);
        let lts = resolved.current.support_plan == Some(aksplan_model::plan::SupportPlan::AKSLongTermSupport);
        let ids = |ids: Option<&Vec<&str>>| {
            Value::Array(ids.map_or_else(Vec::new, |ids| ids.iter().map(|&id| Value::from(id)).collect()))
        };
        let mut pools = Map::new();
        for (idx, pool) in resolved.current.node_pools.iter().enumerate() {
            let mut entry = to_value(pool);
            let pool_steps = ids(graph.and_then(|g| g.pool_steps_of.get(&(name, &*pool.name))));
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
                map.insert("steps".into(), pool_steps);
                map.insert("settings".into(), to_value(&spec.pool_settings.get(&*pool.name)));
                if resolved.live.workloads_read {
                    map.insert(
                        "drainBlocked".into(),
                        Value::Bool(resolved.live.drain_blocked(&pool.name)),
                    );
                }
            }
            pools.insert(pool.name.to_string(), entry);
        }
        let route = graph
            .and_then(|g| g.routes.get(name))
            .map_or(Value::Null, |r| to_value(*r));
        let states = graph
            .and_then(|g| g.states.get(name))
            .map_or_else(Vec::new, |states| {
                states.iter().map(|state| to_value(*state)).collect()
            });
        let stage = self.stage_of.get(name).copied();
        let facts = &self.facts;
        object([
            ("name", Value::from(name)),
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
            ("steps", ids(graph.and_then(|g| g.steps_of.get(name)))),
            ("states", Value::Array(states)),
        ])
    }

    fn stages(&self) -> Value {
        let stages: Vec<Value> = self
            .plan
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
        Value::Array(stages)
    }
}

/// Items of a list with `pointer` and `index` (change windows, waivers).
fn indexed(pointer_of: &dyn Fn(usize) -> String, values: Value) -> Value {
    match values {
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
    }
}

/// A map made entry by entry as it is written.
struct Entries<F>(F);

impl<F, I, K, V> serde::Serialize for Entries<F>
where
    F: Fn() -> I,
    I: Iterator<Item = (K, V)>,
    K: serde::Serialize,
    V: serde::Serialize,
{
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map((self.0)())
    }
}

impl serde::Serialize for Document<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let plan = self.plan;
        let mut map = serializer.serialize_map(Some(11))?;
        map.serialize_entry("apiVersion", "aksplan.dev/policy-input/v2")?;
        map.serialize_entry("asOf", &self.as_of)?;
        map.serialize_entry("metadata", &to_value(&plan.metadata))?;
        map.serialize_entry("plan", &PlanAsWritten(plan))?;
        map.serialize_entry(
            "clusters",
            &Entries(|| self.clusters.iter().map(|c| (c.name.as_str(), self.cluster(c)))),
        )?;
        map.serialize_entry("stages", &self.stages())?;
        map.serialize_entry(
            "changeWindows",
            &indexed(
                &|i| format!("/spec/changeWindows/{i}"),
                to_value(&plan.spec.change_windows),
            ),
        )?;
        map.serialize_entry(
            "waivers",
            &indexed(&|i| format!("/spec/waivers/{i}"), to_value(&plan.spec.waivers)),
        )?;
        map.serialize_entry("compiled", &self.graph.is_some())?;
        let steps = self.graph.as_ref().map_or(&[][..], |g| g.steps);
        map.serialize_entry(
            "steps",
            &Entries(|| {
                steps.iter().enumerate().filter_map(|(i, step)| {
                    let graph = self.graph.as_ref()?;
                    Some((&*step.id, graph.step(i, self)))
                })
            }),
        )?;
        map.serialize_entry(
            "schedule",
            &self
                .graph
                .as_ref()
                .map(|g| aksplan_graph::schedule::WithoutPlacements(g.schedule)),
        )?;
        map.end()
    }
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

fn to_value<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// An object from entries, in order. Unlike `json!`, which serializes every value it is given
/// (a deep copy of each), the values move in: the document of 1,000 clusters is ~30 MB.
fn object<const N: usize>(entries: [(&str, Value); N]) -> Value {
    Value::Object(entries.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

/// The plan as written, without each cluster's `current`: the current state is under
/// `clusters` (with its pools), resolved the same way whether the plan writes it or reads it
/// from `currentFrom`. Copying it here too made it a third of the document. Written cluster by
/// cluster, each made as it is written: the whole plan as a tree, currents and all, was 17 MiB
/// at 1,000 clusters × 8 pools, and its clusters without currents still 2 MiB.
struct PlanAsWritten<'a>(&'a Plan);

/// A value of the plan's tree, or the slot of its clusters, written from the typed plan.
enum Written<'a> {
    Value(&'a Value),
    Clusters(&'a [aksplan_model::plan::Cluster]),
}

impl serde::Serialize for Written<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Value(value) => value.serialize(serializer),
            Self::Clusters(clusters) => serializer.collect_seq(clusters.iter().map(|cluster| {
                let mut cluster = to_value(cluster);
                if let Value::Object(map) = &mut cluster {
                    map.remove("current");
                }
                cluster
            })),
        }
    }
}

impl serde::Serialize for PlanAsWritten<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let plan = self.0;
        // Spelled out, so that a field added to the plan is a compile error here, not left out.
        let aksplan_model::plan::Spec {
            as_of,
            target,
            rollout,
            clusters,
            change_windows,
            waivers,
            strategy,
            estimates,
        } = &plan.spec;
        let without_clusters = Plan {
            api_version: plan.api_version,
            kind: plan.kind,
            metadata: plan.metadata.clone(),
            spec: aksplan_model::plan::Spec {
                as_of: as_of.clone(),
                target: target.clone(),
                rollout: rollout.clone(),
                clusters: Vec::new(),
                change_windows: change_windows.clone(),
                waivers: waivers.clone(),
                strategy: *strategy,
                estimates: *estimates,
            },
        };
        let value = to_value(&without_clusters);
        let Value::Object(top) = &value else {
            return value.serialize(serializer);
        };
        let mut map = serializer.serialize_map(Some(top.len()))?;
        for (key, value) in top {
            match value {
                Value::Object(spec) if key == "spec" => map.serialize_entry(
                    key,
                    &Entries(|| {
                        spec.iter().map(|(key, value)| {
                            let written = match key.as_str() {
                                "clusters" => Written::Clusters(clusters),
                                _ => Written::Value(value),
                            };
                            (key.as_str(), written)
                        })
                    }),
                )?,
                _ => map.serialize_entry(key, value)?,
            }
        }
        map.end()
    }
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
            let pool = text("pool")
                .and_then(|name| resolved.current.node_pools.iter().position(|p| *p.name == *name));
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
pub fn document<'a>(
    ctx: &aksplan_rules::Context<'a>,
    compiled: Option<(&'a Compiled, &'a Schedule)>,
) -> Document<'a> {
    let plan = ctx.plan;
    Document {
        plan,
        clusters: ctx.clusters,
        as_of: ctx.as_of.to_string(),
        facts: Box::new(facts(ctx.catalog, ctx.as_of)),
        stage_of: plan
            .spec
            .rollout
            .iter()
            .flat_map(|r| &r.stages)
            .rev()
            .flat_map(|s| s.clusters.iter().map(move |c| (c.as_str(), s.name.as_str())))
            .collect(),
        by_cluster: ctx.clusters.iter().map(|c| (c.name.as_str(), c)).collect(),
        graph: compiled.map(|(compiled, schedule)| Graph::new(compiled, schedule)),
    }
}

//! Azure Kubernetes Fleet Manager output (`docs/execution-plan.md`, "Fleet"): update runs that
//! Fleet executes as the plan says.
//!
//! Fleet's model (`Azure/azure-rest-api-specs`, `specification/containerservice/Fleet.Management`,
//! `updaterun.tsp` and `update/common.tsp`): an update run applies one upgrade (one Kubernetes
//! version, or node images) to every member of the groups its strategy lists; stages run one
//! after the other, the groups of a stage in parallel, the members of a group one by one. A
//! member belongs to one group (`az fleet member create|update --update-group`). Stage and group
//! names match `^[a-z0-9]([-a-z0-9]*[a-z0-9])?$` (1–50), a stage name is unique in a run, a group
//! appears once in a run; `afterStageWaitInSeconds` is an int32; `beforeGates`/`afterGates` of
//! type `Approval` exist from API version 2025-04-01-preview; `maxConcurrency` from
//! 2025-10-01-preview (and the CLI's stages-file reader drops it).
//!
//! So that each run touches exactly the clusters whose route has that hop:
//! - every cluster is its own group (named after it), and every run carries its own strategy
//!   (`properties.strategy`, the `--stages` file of `az fleet updaterun create`) listing only the
//!   groups that take this hop; a cluster already past it, or whose target is below it, is in no
//!   stage of the run;
//! - a plan stage with `maxConcurrency: m` becomes waves of at most `m` groups, one Fleet stage
//!   each, which any API version honours (stricter than a rolling window: a wave waits for its
//!   slowest member);
//! - an approval is a `beforeGates` Approval gate on the stage's first wave;
//! - names are derived deterministically; a name that had to change (other characters, length) gets
//!   a hash of the original, so two clusters or stages never share one; a collision all the same
//!   is an error finding, never a merge.
//!
//! A pool the plan catches up before a hop (a Full run would move it more than one minor) gets a
//! catch-up run: a Full run to the version its control plane is on, which moves only the pools.
//! What Fleet cannot express is a finding (AKS220): a pool too far behind even for that (error:
//! AKS may refuse the jump), and the plan's steps Fleet does not run (warning).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use aksplan_graph::{ClusterPlan, Compiled, PoolVersions, StepKind};
use aksplan_model::codes;
use aksplan_model::finding::{Finding, Severity};
use aksplan_model::plan::{NodeImagePolicy, Plan, Stage};
use aksplan_model::source::Document;
use aksplan_model::time::parse_duration;
use aksplan_model::version::KubeVersion;
use serde_json::{Value, json};

/// The API version that carries approval gates.
pub const GATES_API_VERSION: &str = "2025-04-01-preview";
/// The stable API version for runs without gates.
pub const STABLE_API_VERSION: &str = "2025-03-01";
/// Fleet's longest stage wait: `afterStageWaitInSeconds` is an int32.
const MAX_WAIT_SECONDS: u64 = i32::MAX as u64;
/// The longest stage, group and run name.
const MAX_NAME: usize = 50;

/// The Fleet document and what it cannot express.
pub struct FleetOutput {
    /// Pretty-printed, with a trailing newline.
    pub text: String,
    /// Findings (AKS220) about the plan as Fleet would run it; an error means Fleet would not run
    /// the plan as compiled, and nothing should be written.
    pub findings: Vec<Finding>,
}

/// The Fleet document for `plan`; `doc` (the plan's source) places the findings.
pub fn render(plan: &Plan, compiled: &Compiled, doc: Option<&Arc<Document>>) -> FleetOutput {
    let (document, findings) = document(plan, compiled, doc);
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    FleetOutput { text, findings }
}

/// FNV-1a, 64 bits: a stable short hash for names (no randomness, no platform dependence).
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// `text` as Fleet allows names: lower-case letters, digits and single inner `-`.
fn sanitized(text: &str) -> String {
    let mut name = String::new();
    for c in text.chars() {
        let c = if c.is_ascii_alphanumeric() {
            c.to_ascii_lowercase()
        } else {
            '-'
        };
        if c == '-' && (name.is_empty() || name.ends_with('-')) {
            continue;
        }
        name.push(c);
    }
    name.trim_end_matches('-').to_owned()
}

fn shortened(name: &str, max: usize) -> String {
    name.chars()
        .take(max)
        .collect::<String>()
        .trim_end_matches('-')
        .to_owned()
}

/// A pattern-valid name for `text`, at most `max` characters: `text` itself when it is one, else
/// its sanitised form with `-` and six hex digits of the hash of `text`, so that two texts never
/// share a name (`aks_dev` and `aks-dev`, two long names with one prefix, `Ω`).
fn fleet_name(text: &str, max: usize) -> String {
    let base = sanitized(text);
    if base == text && base.len() <= max {
        return base;
    }
    let hash = format!("{:06x}", fnv1a(text) & 0x00ff_ffff);
    let prefix = shortened(&base, max - hash.len() - 1);
    if prefix.is_empty() {
        hash
    } else {
        format!("{prefix}-{hash}")
    }
}

/// Names handed out in one scope (the groups of the fleet, the stages of a run, the runs): a
/// name given twice is reported, not merged.
struct Scope {
    what: &'static str,
    given: BTreeMap<String, String>,
}

impl Scope {
    fn new(what: &'static str) -> Self {
        Self {
            what,
            given: BTreeMap::new(),
        }
    }

    fn take(&mut self, name: String, of: &str, findings: &mut Vec<Finding>) -> String {
        if let Some(earlier) = self.given.get(&name)
            && earlier != of
        {
            findings.push(
                Finding::new(
                    codes::FLEET,
                    format!(
                        "{} `{of}` and `{earlier}` would both be named `{name}` in Fleet",
                        self.what
                    ),
                )
                .help("rename one of them"),
            );
        }
        self.given.insert(name.clone(), of.to_owned());
        name
    }
}

/// The plan's stages, or one stage holding every cluster.
fn plan_stages(plan: &Plan) -> Vec<Stage> {
    match &plan.spec.rollout {
        Some(rollout) => rollout.stages.clone(),
        None => vec![Stage {
            name: "all".to_owned(),
            clusters: plan.spec.clusters.iter().map(|c| c.name.clone()).collect(),
            approval: false,
            approver: None,
            after_stage_wait: None,
            max_concurrency: None,
        }],
    }
}

/// What one update run upgrades to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Upgrade {
    Version(KubeVersion),
    NodeImage,
}

/// The Fleet document as a JSON value, and its findings.
pub fn document(plan: &Plan, compiled: &Compiled, doc: Option<&Arc<Document>>) -> (Value, Vec<Finding>) {
    let mut findings = Vec::new();
    let stages = plan_stages(plan);

    // One group per cluster, for every run.
    let mut groups = Scope::new("clusters");
    let mut group_of: BTreeMap<&str, String> = BTreeMap::new();
    let mut members = Vec::new();
    for stage in &stages {
        for cluster in &stage.clusters {
            let name = groups.take(fleet_name(cluster, MAX_NAME), cluster, &mut findings);
            members.push(json!({ "cluster": cluster, "group": name }));
            group_of.insert(cluster.as_str(), name);
        }
    }

    // Which clusters take which upgrade, and whether pools move with it.
    let mut takers: BTreeMap<Upgrade, BTreeSet<&str>> = BTreeMap::new();
    let mut pools_move: BTreeSet<KubeVersion> = BTreeSet::new();
    for route in &compiled.clusters {
        for hop in &route.hops {
            takers
                .entry(Upgrade::Version(*hop))
                .or_default()
                .insert(route.name.as_str());
        }
    }
    let mut not_run: BTreeMap<&str, BTreeSet<&'static str>> = BTreeMap::new();
    for step in &compiled.steps {
        let Some(cluster) = step.cluster.as_deref() else {
            continue;
        };
        match &step.kind {
            StepKind::FullUpgrade { to } => {
                pools_move.insert(*to);
            }
            StepKind::PoolUpgrade { to, .. } => {
                pools_move.insert(*to);
            }
            StepKind::PoolNodeImage { .. } => {
                takers.entry(Upgrade::NodeImage).or_default().insert(cluster);
            }
            StepKind::PoolSettings { .. } => {
                not_run
                    .entry(cluster)
                    .or_default()
                    .insert("pool upgrade settings");
            }
            StepKind::ChannelChange { .. } => {
                not_run
                    .entry(cluster)
                    .or_default()
                    .insert("auto-upgrade channel changes");
            }
            StepKind::MaintenanceSet { .. } => {
                not_run.entry(cluster).or_default().insert("maintenance windows");
            }
            StepKind::BlueGreenCreate { .. } => {
                not_run
                    .entry(cluster)
                    .or_default()
                    .insert("blue-green pool replacements");
            }
            _ => {}
        }
    }
    for route in &compiled.clusters {
        for version in catch_up_runs(route, &mut findings) {
            takers
                .entry(Upgrade::Version(version))
                .or_default()
                .insert(route.name.as_str());
            pools_move.insert(version);
        }
        if let Some(kinds) = not_run.get(route.name.as_str()) {
            let kinds: Vec<&str> = kinds.iter().copied().collect();
            let mut finding = Finding::new(
                codes::FLEET,
                format!(
                    "cluster `{}`: Fleet runs only the version and node-image upgrades; the plan's {} are not in this output",
                    route.name,
                    kinds.join(", ")
                ),
            )
            .severity(Severity::Warning)
            .help(format!(
                "run them with `aksplan emit PLAN --format az --cluster {}` around the Fleet runs",
                route.name
            ));
            finding.cluster = Some(route.name.clone());
            findings.push(finding);
        }
    }

    let node_image_selection = match plan.spec.target.node_image {
        NodeImagePolicy::Latest => "Latest",
        NodeImagePolicy::Keep => "Consistent",
    };
    let plan_name = sanitized(&plan.metadata.name);
    let mut run_names = Scope::new("update runs");
    let mut runs = Vec::new();
    for (upgrade, clusters) in &takers {
        let suffix = match upgrade {
            Upgrade::Version(v) => sanitized(&v.to_string()),
            Upgrade::NodeImage => "node-image".to_owned(),
        };
        let prefix = shortened(&plan_name, MAX_NAME - suffix.len() - 1);
        let name = if prefix.is_empty() {
            suffix.clone()
        } else {
            format!("{prefix}-{suffix}")
        };
        let name = run_names.take(name, &suffix, &mut findings);
        let (strategy, gates) = run_strategy(&stages, clusters, &group_of, &mut findings);
        let kind = match upgrade {
            Upgrade::Version(v) if pools_move.contains(v) => "Full",
            Upgrade::Version(_) => "ControlPlaneOnly",
            Upgrade::NodeImage => "NodeImageOnly",
        };
        let mut spec = serde_json::Map::new();
        spec.insert("type".into(), json!(kind));
        let stages_file = format!("{name}.stages.json");
        let mut args = vec![
            "--name".to_owned(),
            name.clone(),
            "--upgrade-type".to_owned(),
            kind.to_owned(),
        ];
        if let Upgrade::Version(v) = upgrade {
            spec.insert("kubernetesVersion".into(), json!(v.to_string()));
            args.extend(["--kubernetes-version".to_owned(), v.to_string()]);
        }
        args.extend([
            "--node-image-selection".to_owned(),
            node_image_selection.to_owned(),
            "--stages".to_owned(),
            stages_file.clone(),
        ]);
        let members: Vec<&str> = clusters.iter().copied().collect();
        runs.push(json!({
            "name": name,
            "apiVersion": if gates { GATES_API_VERSION } else { STABLE_API_VERSION },
            "members": members,
            "properties": {
                "strategy": strategy,
                "managedClusterUpdate": {
                    "upgrade": spec,
                    "nodeImageSelection": { "type": node_image_selection },
                },
            },
            "stagesFile": { "name": stages_file, "content": strategy },
            "cliArgs": args,
        }));
    }
    place(&mut findings, doc, plan);
    let document = json!({
        "members": members,
        "updateRuns": runs,
        "findings": findings.iter().map(|f| json!({
            "code": f.code.id(),
            "severity": f.severity.to_string(),
            "message": f.message,
        })).collect::<Vec<_>>(),
    });
    (document, findings)
}

/// The strategy of one run: the plan's stages with only the groups of `clusters`, each stage in
/// waves of its `maxConcurrency`; whether it has gates.
fn run_strategy(
    stages: &[Stage],
    clusters: &BTreeSet<&str>,
    group_of: &BTreeMap<&str, String>,
    findings: &mut Vec<Finding>,
) -> (Value, bool) {
    let mut names = Scope::new("stages");
    let mut out: Vec<Value> = Vec::new();
    let mut gates = false;
    let taking: Vec<(usize, &Stage)> = stages
        .iter()
        .enumerate()
        .filter(|(_, s)| s.clusters.iter().any(|c| clusters.contains(c.as_str())))
        .collect();
    for (position, (_, stage)) in taking.iter().enumerate() {
        let members: Vec<&String> = stage
            .clusters
            .iter()
            .filter(|c| clusters.contains(c.as_str()))
            .collect();
        let wave = stage.max_concurrency.map_or(members.len(), |m| m.max(1) as usize);
        let waves: Vec<&[&String]> = members.chunks(wave.max(1)).collect();
        let last_stage = position + 1 == taking.len();
        for (w, wave_members) in waves.iter().enumerate() {
            let (label, name) = if waves.len() == 1 {
                (stage.name.clone(), fleet_name(&stage.name, MAX_NAME))
            } else {
                let wave = format!("-wave-{}", w + 1);
                let base = fleet_name(&stage.name, MAX_NAME - wave.len());
                (format!("{} wave {}", stage.name, w + 1), format!("{base}{wave}"))
            };
            let name = names.take(name, &label, findings);
            let mut value = serde_json::Map::new();
            value.insert("name".into(), json!(name));
            let groups: Vec<Value> = wave_members
                .iter()
                .filter_map(|c| group_of.get(c.as_str()))
                .map(|g| json!({ "name": g }))
                .collect();
            value.insert("groups".into(), Value::Array(groups));
            if w == 0 && stage.gated() {
                gates = true;
                let display = match &stage.approver {
                    Some(who) => format!("Approve stage {} ({who})", stage.name),
                    None => format!("Approve stage {}", stage.name),
                };
                let display: String = display.chars().take(100).collect();
                value.insert(
                    "beforeGates".into(),
                    json!([{ "displayName": display, "type": "Approval" }]),
                );
            }
            // The stage's soak after its last wave, unless nothing follows in this run.
            if w + 1 == waves.len()
                && !last_stage
                && let Some(wait) = &stage.after_stage_wait
                && let Ok(seconds) = parse_duration(wait)
            {
                if seconds > MAX_WAIT_SECONDS {
                    findings.push(
                        Finding::new(
                            codes::FLEET,
                            format!(
                                "stage `{}`: afterStageWait `{wait}` is longer than Fleet's longest wait ({MAX_WAIT_SECONDS} seconds)",
                                stage.name
                            ),
                        )
                        .help("shorten the soak, or run the stages as separate Fleet runs"),
                    );
                }
                value.insert(
                    "afterStageWaitInSeconds".into(),
                    json!(seconds.min(MAX_WAIT_SECONDS)),
                );
            }
            out.push(Value::Object(value));
        }
    }
    (json!({ "stages": out }), gates)
}

/// A Fleet Full run moves every pool of a member to the run's version in one upgrade. Where a
/// pool would jump more than one minor (the plan moves it one minor at a time, AKS114), a
/// catch-up run first brings the pools to the control plane's own version (a Full run to the
/// version the control plane is on moves only the pools); a pool too far behind for that too is
/// an error. Returns the catch-up versions.
fn catch_up_runs(route: &ClusterPlan, findings: &mut Vec<Finding>) -> Vec<KubeVersion> {
    let mut catch_ups = Vec::new();
    let mut pools = route.start.pools.clone();
    let mut control_plane = route.start.control_plane;
    for (i, hop) in route.hops.iter().enumerate() {
        // The recovery upgrade carries every pool, however far behind (§2.1).
        let recovery = route.recovery && i == 0;
        let too_far = |pools: &PoolVersions, to: KubeVersion| -> Vec<(String, KubeVersion)> {
            pools
                .iter()
                .filter(|(_, v)| to.minor.saturating_sub(v.minor) > 1)
                .map(|(p, v)| (p.to_owned(), *v))
                .collect()
        };
        if !recovery && !too_far(&pools, *hop).is_empty() {
            let stuck = too_far(&pools, control_plane);
            if stuck.is_empty() {
                catch_ups.push(control_plane);
                for version in pools.values_mut() {
                    *version = control_plane;
                }
            }
            for (pool, version) in stuck {
                let behind = hop.minor.saturating_sub(version.minor);
                let mut finding = Finding::new(
                    codes::FLEET,
                    format!(
                        "cluster `{}`: the Fleet run to `{hop}` would move pool `{pool}` from `{version}` in one upgrade ({behind} minors), and no catch-up run can bring it closer first; the plan moves it one minor at a time, and AKS may refuse the jump",
                        route.name
                    ),
                )
                .help(format!(
                    "bring the pool up first (`aksplan emit PLAN --format az --cluster {}`), or run this cluster's upgrade with `--format az`",
                    route.name
                ));
                finding.cluster = Some(route.name.clone());
                finding.pool = Some(pool);
                findings.push(finding);
            }
        }
        for version in pools.values_mut() {
            *version = *hop;
        }
        control_plane = *hop;
    }
    catch_ups
}

/// Points the findings at the plan: a cluster's at its entry, the rest at the rollout.
fn place(findings: &mut [Finding], doc: Option<&Arc<Document>>, plan: &Plan) {
    let Some(doc) = doc else { return };
    for finding in findings.iter_mut().filter(|f| f.primary.is_none()) {
        let pointer = finding
            .cluster
            .as_deref()
            .and_then(|name| plan.spec.clusters.iter().position(|c| c.name == name))
            .map_or_else(
                || {
                    if plan.spec.rollout.is_some() {
                        "/spec/rollout".to_owned()
                    } else {
                        "/spec".to_owned()
                    }
                },
                |i| format!("/spec/clusters/{i}/name"),
            );
        finding.primary = Some(doc.label(&pointer));
        finding.pointer = Some(pointer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid(name: &str) -> bool {
        !name.is_empty()
            && name.len() <= MAX_NAME
            && !name.starts_with('-')
            && !name.ends_with('-')
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    }

    #[test]
    fn names_are_valid_and_never_shared() {
        assert_eq!(fleet_name("aks-dev", MAX_NAME), "aks-dev");
        let long_a = format!("{}-a", "x".repeat(60));
        let long_b = format!("{}-b", "x".repeat(60));
        let texts = [
            "aks_dev", "aks-dev", "Prod EU", "prod_eu", "prod-eu", "Ω", "ΩΩ", &long_a, &long_b, "-x-",
            "UPPER",
        ];
        let names: Vec<String> = texts.iter().map(|t| fleet_name(t, MAX_NAME)).collect();
        for name in &names {
            assert!(valid(name), "{name}");
        }
        let unique: BTreeSet<&String> = names.iter().collect();
        assert_eq!(unique.len(), names.len(), "{names:?}");
        // Deterministic.
        assert_eq!(fleet_name("aks_dev", MAX_NAME), names[0]);
    }
}

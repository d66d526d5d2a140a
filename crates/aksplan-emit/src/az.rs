//! `--format az`: a bash script of `az` commands that carries out a compiled plan, safe to re-run.
//!
//! Design (issue 5, `aks-upgrade-rules.md` §4 and §6):
//! - every value from the plan is single-quoted when the script is generated (`'` becomes
//!   `'\''`); no value is ever expanded by the shell at run time, and comments never carry a
//!   newline from the plan;
//! - a resource group or subscription is passed as `--resource-group=VALUE` /
//!   `--subscription=VALUE`: Azure allows such names to start with `-`, and az's parser would read
//!   `-g -rg-dev` as two options (cluster and pool names cannot start with `-`);
//! - preflight: `az account show`, the subscription per cluster, and a drift check that accepts
//!   only the versions on the cluster's compiled route;
//! - each step is skipped when the live state shows it done, started with `--no-wait`, then waited
//!   for with `az aks wait --custom` / `az aks nodepool wait --custom` on the exact target and
//!   `provisioningState=='Succeeded'` (not `--updated`, §6.5), then checked once more.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt::Write as _;

use aksplan_graph::{Compiled, Step, StepIndex, StepKind};
use aksplan_model::plan::{Cluster, Plan};

use crate::command::{Command, Done, version_key};
use aksplan_model::version::KubeVersion;

/// What the caller knows that the plan does not: identity of the inputs, and the selection.
#[derive(Debug, Clone, Default)]
pub struct AzOptions {
    /// The aksplan version written into the header.
    pub tool_version: String,
    /// A content hash of the plan text (e.g. `sha256:…` or any stable digest).
    pub plan_hash: String,
    /// Where the catalog came from (`embedded snapshot 2026-11-30`, a file name and hash, …).
    pub catalog: String,
    /// Start at this step id (earlier steps are left out).
    pub from_step: Option<String>,
    /// Stop before this rollout stage (its gate and its clusters are left out, and all later).
    pub until_stage: Option<String>,
    /// Only this cluster.
    pub cluster: Option<String>,
}

/// Checks the selection options against the plan: an unknown step, stage or cluster is an error
/// (the message names it), so that a typo never yields an empty script.
pub fn check_options(plan: &Plan, compiled: &Compiled, options: &AzOptions) -> Result<(), String> {
    if let Some(id) = &options.from_step
        && !compiled.steps.iter().any(|s| &s.id == id)
    {
        return Err(format!(
            "no step `{id}` in the compiled plan (`aksplan plan` lists the ids)"
        ));
    }
    if let Some(stage) = &options.until_stage
        && !stages(plan).iter().any(|s| s == stage)
    {
        return Err(format!("no rollout stage `{stage}` in the plan"));
    }
    if let Some(cluster) = &options.cluster
        && !plan.spec.clusters.iter().any(|c| &c.name == cluster)
    {
        return Err(format!("no cluster `{cluster}` in the plan"));
    }
    Ok(())
}

pub use crate::command::quote;

/// Text safe inside a `#` comment: no newline or other control character from the plan.
fn comment(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn stages(plan: &Plan) -> Vec<String> {
    plan.spec
        .rollout
        .as_ref()
        .map(|r| r.stages.iter().map(|s| s.name.clone()).collect())
        .unwrap_or_default()
}

const PRELUDE: &str = r#"set -euo pipefail

die() {
  printf 'aksplan: %s\n' "$*" >&2
  exit 1
}

# version_is LIVE WANTED: WANTED is exact (1.35.3) or a minor prefix ending in a dot (1.35.).
version_is() {
  [[ $1 == "$2" ]] || { [[ $2 == *. ]] && [[ $1 == "$2"* ]]; }
}

# one_of LIVE WANTED...: LIVE matches one of the versions.
one_of() {
  local live=$1 wanted
  shift
  for wanted in "$@"; do
    if version_is "$live" "$wanted"; then
      return 0
    fi
  done
  return 1
}

cp_version() {
  az aks show --resource-group="$1" -n "$2" --query currentKubernetesVersion -o tsv
}

cluster_state() {
  az aks show --resource-group="$1" -n "$2" --query provisioningState -o tsv
}

# pool_version RG CLUSTER POOL: the pool's version, empty when the pool does not exist.
pool_version() {
  az aks nodepool list --resource-group="$1" --cluster-name "$2" --query "[?name=='$3'].currentOrchestratorVersion | [0]" -o tsv
}

pool_state() {
  az aks nodepool list --resource-group="$1" --cluster-name "$2" --query "[?name=='$3'].provisioningState | [0]" -o tsv
}

# latest_in MINOR PLAN: the newest exact version of MINOR (1.35) among the versions on stdin;
# PLAN official leaves out LTS-only patches (numbered from 100).
latest_in() {
  local patch='[0-9]+'
  [[ $2 == official ]] && patch='[0-9]{1,2}'
  tr '\t' '\n' | grep -E "^${1//./\\.}\\.${patch}\$" | sort -V | tail -n 1 || true
}

# cp_target RG CLUSTER MINOR PLAN: the exact version a control-plane upgrade to MINOR goes to:
# the control plane's own when it is on MINOR already (a re-run), else the newest GA patch of
# MINOR that az aks get-upgrades offers it. Never a minor alias: AKS resolves an alias itself.
cp_target() {
  local live
  live=$(cp_version "$1" "$2")
  if version_is "$live" "$3."; then
    printf '%s\n' "$live"
    return
  fi
  az aks get-upgrades --resource-group="$1" -n "$2" --query 'controlPlaneProfile.upgrades[?!isPreview].kubernetesVersion' -o tsv | latest_in "$3" "$4"
}

# pool_target RG CLUSTER POOL MINOR PLAN: the exact version a pool upgrade to MINOR goes to: the
# control plane's when it is on MINOR, else the newest GA patch of MINOR that az aks nodepool
# get-upgrades offers the pool. AKS ignores a pool set to the same minor alias again (a pool
# left Failed would never be retried), so the script always names the patch.
pool_target() {
  local live
  live=$(cp_version "$1" "$2")
  if version_is "$live" "$4."; then
    printf '%s\n' "$live"
    return
  fi
  az aks nodepool get-upgrades --resource-group="$1" --cluster-name "$2" --nodepool-name "$3" --query 'upgrades[?!isPreview].kubernetesVersion' -o tsv | latest_in "$4" "$5"
}

approve() {
  if [[ ${AKSPLAN_ASSUME_APPROVED:-} == 1 ]]; then
    printf 'aksplan: %s: approved by AKSPLAN_ASSUME_APPROVED=1\n' "$1"
    return 0
  fi
  local answer
  read -r -p "aksplan: $1 - type yes to continue: " answer
  [[ $answer == yes ]] || die "not approved: $1"
}
"#;

/// Renders the script. Pure: the same inputs give the same bytes.
pub fn render(plan: &Plan, compiled: &Compiled, options: &AzOptions) -> String {
    let mut out = String::new();
    header(&mut out, plan, options);
    out.push_str(PRELUDE);

    let index = StepIndex::new(compiled);
    let steps = selected(plan, compiled, &index, options);
    let with_steps: HashSet<&str> = steps.iter().filter_map(|s| s.cluster.as_deref()).collect();
    let clusters: Vec<&Cluster> = plan
        .spec
        .clusters
        .iter()
        .filter(|c| with_steps.contains(c.name.as_str()))
        .collect();
    let by_name: HashMap<&str, &Cluster> = plan.spec.clusters.iter().map(|c| (c.name.as_str(), c)).collect();

    out.push_str("\n# ---- preflight ----\n");
    out.push_str(
        "az account show --query id -o tsv >/dev/null || die 'not logged in to Azure: run az login first'\n",
    );
    for cluster in &clusters {
        preflight(&mut out, cluster, &index);
    }

    let total = steps.len();
    let mut current_subscription: Option<&str> = None;
    for (position, step) in steps.iter().enumerate() {
        let number = position + 1;
        let _ = writeln!(out, "\n# ==== step {number}/{total}: {} ====", comment(&step.id));
        let _ = writeln!(out, "# why: {}", comment(&step.provenance.reason));
        if let Some(rule) = step.provenance.rule {
            let _ = writeln!(out, "# rule: {rule}");
        }
        if let Some(field) = &step.provenance.plan_field {
            let _ = writeln!(out, "# plan field: {}", comment(field));
        }
        if let Some(hop) = &step.provenance.hop {
            let _ = writeln!(out, "# hop: {}", comment(hop));
        }
        let _ = writeln!(out, "# estimate: {} min", step.estimate_minutes);
        let label = quote(&format!("step {number}/{total} {}", step.id));
        let cluster = step
            .cluster
            .as_deref()
            .and_then(|name| by_name.get(name).copied());
        // Clusters may live in different subscriptions: select the step's one when it changes.
        if let Some(subscription) = cluster.and_then(|c| c.subscription.as_deref())
            && current_subscription != Some(subscription)
        {
            let _ = writeln!(out, "az account set --subscription={}", quote(subscription));
            current_subscription = Some(subscription);
        }
        emit_step(&mut out, step, cluster, &index, &label);
    }
    out.push_str("\nprintf 'aksplan: done\\n'\n");
    out
}

fn header(out: &mut String, plan: &Plan, options: &AzOptions) {
    let meta = &plan.metadata;
    out.push_str("#!/usr/bin/env bash\n");
    out.push_str("# Generated by aksplan: do not edit; regenerate with `aksplan emit PLAN --format az`.\n");
    let _ = writeln!(out, "# plan: {}", comment(&meta.name));
    let _ = writeln!(
        out,
        "# change: {}",
        comment(meta.change.as_deref().unwrap_or("-"))
    );
    let _ = writeln!(out, "# owner: {}", comment(meta.owner.as_deref().unwrap_or("-")));
    let _ = writeln!(out, "# aksplan: {}", comment(&options.tool_version));
    let _ = writeln!(out, "# plan hash: {}", comment(&options.plan_hash));
    let _ = writeln!(out, "# catalog: {}", comment(&options.catalog));
    let mut inputs = Vec::new();
    if let Some(id) = &options.from_step {
        inputs.push(format!("--from-step {id}"));
    }
    if let Some(stage) = &options.until_stage {
        inputs.push(format!("--until-stage {stage}"));
    }
    if let Some(cluster) = &options.cluster {
        inputs.push(format!("--cluster {cluster}"));
    }
    let inputs = if inputs.is_empty() {
        "all steps".to_owned()
    } else {
        inputs.join(" ")
    };
    let _ = writeln!(out, "# selection: {}", comment(&inputs));
    out.push_str("# Safe to re-run: each step checks the live state first and is skipped when done.\n");
    out.push_str("# Approval gates prompt unless AKSPLAN_ASSUME_APPROVED=1.\n");
}

/// The steps the options keep, in graph order.
fn selected<'a>(
    plan: &Plan,
    compiled: &'a Compiled,
    index: &StepIndex<'a>,
    options: &AzOptions,
) -> Vec<&'a Step> {
    let stages = stages(plan);
    let stage_index = |name: &str| stages.iter().position(|s| s == name);
    let until = options.until_stage.as_deref().and_then(stage_index);
    let step_stage = |step: &Step| -> Option<usize> {
        match &step.kind {
            StepKind::ApprovalGate { stage } | StepKind::StageWait { stage, .. } => stage_index(stage),
            _ => step
                .cluster
                .as_deref()
                .and_then(|c| index.route(c))
                .and_then(|p| p.stage.as_deref())
                .and_then(stage_index),
        }
    };
    let cluster_stage = options
        .cluster
        .as_deref()
        .and_then(|c| index.route(c))
        .and_then(|p| p.stage.clone());
    let start = options
        .from_step
        .as_deref()
        .and_then(|id| index.position(id))
        .unwrap_or(0);
    compiled.steps[start..]
        .iter()
        .filter(|step| match (until, step_stage(step)) {
            (Some(until), Some(stage)) => stage < until,
            _ => true,
        })
        .filter(|step| match &options.cluster {
            None => true,
            Some(name) => match &step.kind {
                StepKind::ApprovalGate { stage } => cluster_stage.as_deref() == Some(stage.as_str()),
                StepKind::StageWait { .. } => false,
                _ => step.cluster.as_deref() == Some(name.as_str()),
            },
        })
        .collect()
}

fn rg_name(cluster: &Cluster) -> (String, String) {
    (quote(&cluster.resource_group), quote(&cluster.name))
}

fn preflight(out: &mut String, cluster: &Cluster, index: &StepIndex<'_>) {
    let (rg, name) = rg_name(cluster);
    let _ = writeln!(out, "\n# cluster {}", comment(&cluster.name));
    if let Some(subscription) = &cluster.subscription {
        let _ = writeln!(out, "az account set --subscription={}", quote(subscription));
    }
    let Some(route) = index.route(&cluster.name) else {
        return;
    };
    let steps: Vec<&Step> = index.cluster_steps(&cluster.name).collect();
    // Every control-plane version on the route: the start, and what any step leaves.
    let mut cp: BTreeSet<String> = BTreeSet::new();
    cp.insert(version_key(&route.start.control_plane));
    let mut pools: std::collections::BTreeMap<&str, BTreeSet<String>> = Default::default();
    for (pool, version) in &route.start.pools {
        pools.entry(pool).or_default().insert(version_key(version));
    }
    for step in &steps {
        if let Some(after) = &step.after {
            cp.insert(version_key(&after.control_plane));
            for (pool, version) in &after.pools {
                pools.entry(pool).or_default().insert(version_key(version));
            }
        }
        if let StepKind::FullUpgrade { to } | StepKind::ControlPlaneUpgrade { to } = &step.kind {
            cp.insert(version_key(to));
        }
    }
    let subject = format!("cluster {} control plane", cluster.name);
    drift_check(
        out,
        &format!("cp_version {rg} {name}"),
        &joined(&cp),
        &cp,
        &subject,
    );
    for (pool, versions) in &pools {
        // A pool a blue-green step creates or deletes may be absent.
        let may_be_absent = steps.iter().any(|s| match &s.kind {
            StepKind::BlueGreenCreate { new_pool, .. } => new_pool == pool,
            StepKind::BlueGreenDelete { pool: old } => old == pool,
            _ => false,
        });
        let mut accepted = joined(versions);
        if may_be_absent {
            accepted.push_str(" ''");
        }
        let probe = format!("pool_version {rg} {name} {}", quote(pool));
        drift_check(
            out,
            &probe,
            &accepted,
            versions,
            &format!("cluster {} pool {pool}", cluster.name),
        );
    }
}

/// Dies unless the live version is one of `accepted`: the route's `versions`, and `''` where a
/// pool may be absent.
fn drift_check(out: &mut String, probe: &str, accepted: &str, versions: &BTreeSet<String>, subject: &str) {
    let _ = writeln!(out, "live=$({probe})");
    let _ = writeln!(
        out,
        "one_of \"$live\" {accepted} || die {}\"$live\"",
        quote(&format!(
            "drift: {subject} is not on the planned route ({}): live ",
            versions.iter().cloned().collect::<Vec<_>>().join(", ")
        ))
    );
}

fn joined(set: &BTreeSet<String>) -> String {
    set.iter().map(|v| quote(v)).collect::<Vec<_>>().join(" ")
}

fn skip(out: &mut String, label: &str) {
    let _ = writeln!(out, "  printf 'aksplan: SKIPPED (already done): %s\\n' {label}");
}

fn run_banner(out: &mut String, label: &str) {
    let _ = writeln!(out, "  printf 'aksplan: running %s\\n' {label}");
}

fn emit_step(out: &mut String, step: &Step, cluster: Option<&Cluster>, index: &StepIndex<'_>, label: &str) {
    match (&step.kind, cluster) {
        (StepKind::ApprovalGate { stage }, _) => {
            let _ = writeln!(out, "approve {}", quote(&format!("start of stage {stage}")));
        }
        (StepKind::StageWait { stage, seconds }, _) => {
            let _ = writeln!(
                out,
                "# afterStageWait of stage {}: soak before the next stage",
                comment(stage)
            );
            let _ = writeln!(
                out,
                "printf 'aksplan: soaking %s seconds after stage %s\\n' {seconds} {}",
                quote(stage)
            );
            let _ = writeln!(out, "sleep {seconds}");
        }
        (_, None) => {
            let _ = writeln!(out, "# (no cluster for this step: nothing to run)");
        }
        (kind, Some(cluster)) => cluster_step(out, step, kind, cluster, index, label),
    }
}

fn cluster_step(
    out: &mut String,
    step: &Step,
    kind: &StepKind,
    cluster: &Cluster,
    index: &StepIndex<'_>,
    label: &str,
) {
    let route = index.route(&cluster.name);
    let pools = route.map_or(&[][..], |route| route.pools.as_slice());
    let lts = route.is_some_and(|route| route.lts);
    let Some(commands) = crate::command::step_command(cluster, pools, lts, step) else {
        return;
    };
    let resolve = commands
        .live_version
        .as_ref()
        .map(|live| resolve_version(live, &cluster.resource_group, &cluster.name, &step.id));
    let run = commands.run.shell();
    let wait = commands.wait.as_ref().map(Command::shell).unwrap_or_default();
    let (rg, name) = rg_name(cluster);
    // The bash test of the step's done-probe: true when the live state shows it done.
    let done = done_test(&crate::command::done(step, index), &rg, &name);
    match kind {
        StepKind::ControlPlaneUpgrade { to } | StepKind::FullUpgrade { to } => {
            VersionUpgrade {
                probe: format!("cp_version {rg} {name}"),
                done: done.unwrap_or_default(),
                start: run,
                wait,
                subject: "control plane".to_owned(),
                succeeded: format!(
                    "[[ $(cluster_state {rg} {name}) == Succeeded ]] || die {}",
                    quote(&format!("{}: cluster is not Succeeded", step.id))
                ),
                id: &step.id,
                to,
                resolve: resolve.clone(),
            }
            .emit(out, label);
        }
        StepKind::PoolUpgrade { pool, to } => {
            let p = quote(pool);
            VersionUpgrade {
                probe: format!("pool_version {rg} {name} {p}"),
                done: done.unwrap_or_default(),
                start: run,
                wait,
                subject: format!("pool {pool}"),
                succeeded: pool_succeeded(&rg, &name, &p, &format!("{}: pool is not Succeeded", step.id)),
                id: &step.id,
                to,
                resolve: resolve.clone(),
            }
            .emit(out, label);
        }
        StepKind::PoolNodeImage { pool } => {
            let p = quote(pool);
            let _ = writeln!(
                out,
                "latest=$(az aks nodepool get-upgrades --resource-group={rg} --cluster-name {name} --nodepool-name {p} --query latestNodeImageVersion -o tsv)"
            );
            let current = format!(
                "current=$(az aks nodepool show --resource-group={rg} --cluster-name {name} -n {p} --query nodeImageVersion -o tsv)"
            );
            let _ = writeln!(out, "{current}");
            unless_done(out, &done.unwrap_or_default(), label, |out| {
                let _ = writeln!(out, "  {run}");
                let _ = writeln!(out, "  {wait}");
                let _ = writeln!(out, "  {current}");
                let _ = writeln!(
                    out,
                    "  [[ $current == \"$latest\" ]] || die {}\"$current\"",
                    quote(&format!(
                        "{}: pool {pool} node image is not the latest after the wait: ",
                        step.id
                    ))
                );
                let message = format!("{}: pool is not Succeeded", step.id);
                let _ = writeln!(out, "  {}", pool_succeeded(&rg, &name, &p, &message));
            });
        }
        StepKind::PoolSettings { pool, .. } => {
            let p = quote(pool);
            out.push_str("# Setting the same upgrade settings again is harmless: this step always runs.\n");
            let _ = writeln!(out, "printf 'aksplan: running %s\\n' {label}");
            let _ = writeln!(out, "{run}");
            let _ = writeln!(out, "{wait}");
            let message = format!("{}: pool {pool} is not Succeeded", step.id);
            let _ = writeln!(out, "{}", pool_succeeded(&rg, &name, &p, &message));
        }
        StepKind::ChannelChange { restore, .. } => {
            let Some(test) = done else {
                out.push_str("# no channel to set\n");
                return;
            };
            if *restore {
                out.push_str("# restores the channels the cluster had before the change\n");
            }
            unless_done(out, &test, label, |out| {
                let _ = writeln!(out, "  {run}");
                let _ = writeln!(out, "  {wait}");
                let _ = writeln!(
                    out,
                    "  {test} || die {}",
                    quote(&format!(
                        "{}: channels are not as planned after the update",
                        step.id
                    ))
                );
            });
        }
        StepKind::MaintenanceSet { name: config, .. } => {
            maintenance(out, &rg, &name, config, &commands, label, &step.id);
        }
        StepKind::BlueGreenCreate { new_pool, to, .. } => {
            let np = quote(new_pool);
            let _ = writeln!(out, "if {}; then", done.unwrap_or_default());
            let _ = writeln!(out, "  printf 'aksplan: %s exists already\\n' {np}");
            out.push_str("else\n");
            run_banner(out, label);
            if let Some(resolve) = &resolve {
                let _ = writeln!(out, "  {resolve}");
            }
            let _ = writeln!(out, "  {run}");
            out.push_str("fi\n");
            out.push_str("# waiting is safe on a re-run too: it returns at once when the pool is ready\n");
            let _ = writeln!(out, "{wait}");
            let message = format!("{}: new pool {new_pool} is not at {to}: ", step.id);
            check_version(out, "", &format!("pool_version {rg} {name} {np}"), to, &message);
            let message = format!("{}: pool {new_pool} is not Succeeded", step.id);
            let _ = writeln!(out, "{}", pool_succeeded(&rg, &name, &np, &message));
        }
        StepKind::BlueGreenCordon { .. } | StepKind::BlueGreenDrain { .. } => {
            let absent = done.unwrap_or_default();
            let setup = commands.setup.as_ref().map(Command::shell).unwrap_or_default();
            unless_done(out, &absent, label, |out| {
                let _ = writeln!(out, "  {setup}");
                let _ = writeln!(out, "  {run}");
            });
        }
        StepKind::BlueGreenDelete { pool } => {
            let absent = done.unwrap_or_default();
            unless_done(out, &absent, label, |out| {
                let _ = writeln!(out, "  {run}");
                let _ = writeln!(out, "  {wait}");
                let _ = writeln!(
                    out,
                    "  {absent} || die {}",
                    quote(&format!("{}: pool {pool} still exists after the wait", step.id))
                );
            });
        }
        StepKind::ApprovalGate { .. } | StepKind::StageWait { .. } => {}
    }
}

/// A version upgrade of the control plane or of one pool: skipped when the live version (what
/// `probe` prints) is one of `done`, else started, waited for, then checked for the version and
/// (`succeeded`) the state. The two differ only in these commands and the `subject` named.
struct VersionUpgrade<'a> {
    probe: String,
    /// The done test (`one_of "$(probe)" VERSIONS...`).
    done: String,
    start: String,
    wait: String,
    subject: String,
    succeeded: String,
    id: &'a str,
    to: &'a KubeVersion,
    /// Reads the step's exact version into `$version` when the catalog lists none.
    resolve: Option<String>,
}

impl VersionUpgrade<'_> {
    fn emit(&self, out: &mut String, label: &str) {
        let Self { probe, to, .. } = self;
        unless_done(out, &self.done, label, |out| {
            if let Some(resolve) = &self.resolve {
                let _ = writeln!(out, "  {resolve}");
            }
            let _ = writeln!(out, "  {}\n  {}", self.start, self.wait);
            let message = format!("{}: {} is not at {to} after the wait: ", self.id, self.subject);
            check_version(out, "  ", probe, to, &message);
            let _ = writeln!(out, "  {}", self.succeeded);
        });
    }
}

/// Reads a [`crate::command::LiveVersion`] into `$version`, or stops naming the step: the catalog
/// listed no patch of the minor, so the script asks AKS which it offers now.
fn resolve_version(live: &crate::command::LiveVersion, rg: &str, name: &str, id: &str) -> String {
    let plan = if live.lts { "lts" } else { "official" };
    let minor = quote(&format!("{}.{}", live.minor.major, live.minor.minor));
    let probe = match &live.pool {
        Some(pool) => format!(
            "pool_target {} {} {} {minor} {plan}",
            quote(rg),
            quote(name),
            quote(pool)
        ),
        None => format!("cp_target {} {} {minor} {plan}", quote(rg), quote(name)),
    };
    format!(
        "version=$({probe}); [[ -n $version ]] || die {}",
        quote(&format!(
            "{id}: AKS offers no GA patch of {}.{} for this upgrade now (az aks get-upgrades)",
            live.minor.major, live.minor.minor
        ))
    )
}

/// The bash test that is true when the live state shows a step done; `None` for a step that is
/// never skipped (or a channel change that sets no channel).
fn done_test(done: &Done, rg: &str, name: &str) -> Option<String> {
    let pool_version = |pool: &str| format!("pool_version {rg} {name} {}", quote(pool));
    match done {
        Done::Repeatable => None,
        Done::ControlPlaneAt(versions) => Some(format!(
            "one_of \"$(cp_version {rg} {name})\" {}",
            joined(versions)
        )),
        Done::PoolAt { pool, versions } => Some(format!(
            "one_of \"$({})\" {}",
            pool_version(pool),
            joined(versions)
        )),
        Done::NodeImageLatest { .. } => Some("[[ $current == \"$latest\" ]]".to_owned()),
        Done::Channels { upgrade, node_os } => {
            let checks: Vec<String> = [("upgradeChannel", upgrade), ("nodeOsUpgradeChannel", node_os)]
                .into_iter()
                .filter_map(|(field, value)| {
                    Some(format!(
                        "[[ $(az aks show --resource-group={rg} -n {name} --query autoUpgradeProfile.{field} -o tsv) == {} ]]",
                        quote(value.as_deref()?)
                    ))
                })
                .collect();
            (!checks.is_empty()).then(|| checks.join(" && "))
        }
        Done::PoolExists { pool } => Some(format!("[[ -n $({}) ]]", pool_version(pool))),
        Done::PoolGone { pool } => Some(format!("[[ -z $({}) ]]", pool_version(pool))),
    }
}

/// `if TEST; then` skip, `else` announce and run the body, `fi`: a step whose effect the live
/// state shows is skipped, so that a re-run picks up where the last one stopped.
fn unless_done(out: &mut String, test: &str, label: &str, body: impl FnOnce(&mut String)) {
    let _ = writeln!(out, "if {test}; then");
    skip(out, label);
    out.push_str("else\n");
    run_banner(out, label);
    body(out);
    out.push_str("fi\n");
}

/// Reads the live version into `$live` and dies with `message` and that version unless it is `to`.
fn check_version(out: &mut String, indent: &str, probe: &str, to: &KubeVersion, message: &str) {
    let _ = writeln!(out, "{indent}live=$({probe})");
    let _ = writeln!(
        out,
        "{indent}version_is \"$live\" {} || die {}\"$live\"",
        quote(&version_key(to)),
        quote(message)
    );
}

fn pool_succeeded(rg: &str, name: &str, pool: &str, message: &str) -> String {
    format!(
        "[[ $(pool_state {rg} {name} {pool}) == Succeeded ]] || die {}",
        quote(message)
    )
}

fn maintenance(
    out: &mut String,
    rg: &str,
    name: &str,
    config: &str,
    commands: &crate::command::StepCommand,
    label: &str,
    id: &str,
) {
    let c = quote(config);
    if let Some(body) = &commands.config_file {
        // notAllowedDates has no flag: the body goes in a config file (§4).
        let text = serde_json::to_string_pretty(body).unwrap_or_default();
        out.push_str("config_file=$(mktemp)\n");
        out.push_str("trap 'rm -f \"$config_file\"' EXIT\n");
        out.push_str("cat >\"$config_file\" <<'AKSPLAN_CONFIG_EOF'\n");
        out.push_str(&text);
        out.push_str("\nAKSPLAN_CONFIG_EOF\n");
    }
    out.push_str("# add when missing, update when present: both leave the planned window (safe to re-run)\n");
    let _ = writeln!(out, "printf 'aksplan: running %s\\n' {label}");
    let _ = writeln!(
        out,
        "if az aks maintenanceconfiguration show --resource-group={rg} --cluster-name {name} -n {c} >/dev/null 2>&1; then"
    );
    if let Some(update) = &commands.update {
        let _ = writeln!(out, "  {}", update.shell());
    }
    out.push_str("else\n");
    let _ = writeln!(out, "  {}", commands.run.shell());
    out.push_str("fi\n");
    let _ = writeln!(
        out,
        "az aks maintenanceconfiguration show --resource-group={rg} --cluster-name {name} -n {c} -o none || die {}",
        quote(&format!("{id}: maintenance configuration {config} is missing"))
    );
    if commands.config_file.is_some() {
        out.push_str("rm -f \"$config_file\"\n");
    }
}

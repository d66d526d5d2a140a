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

use crate::command::{Done, version_key};
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
        && !compiled.steps.iter().any(|s| *s.id == **id)
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

node_image() {
  az aks nodepool show --resource-group="$1" --cluster-name "$2" -n "$3" --query nodeImageVersion -o tsv
}

latest_image() {
  az aks nodepool get-upgrades --resource-group="$1" --cluster-name "$2" --nodepool-name "$3" --query latestNodeImageVersion -o tsv
}

# maintenance_matches RG CLUSTER CONFIG QUERY: the configuration exists and the JMESPath test
# QUERY over it is true (the planned window, field by field).
maintenance_matches() {
  [[ $(az aks maintenanceconfiguration show --resource-group="$1" --cluster-name "$2" -n "$3" --query "$4" -o json 2>/dev/null) == true ]]
}

# pool_matches RG CLUSTER POOL QUERY: the JMESPath test QUERY over the pool is true.
pool_matches() {
  [[ $(az aks nodepool show --resource-group="$1" --cluster-name "$2" -n "$3" --query "$4" -o json) == true ]]
}

# The run journal: what this script finished (steps, soaks with their end time, approvals), one
# record per line, fields separated by tabs. A re-run skips a recorded step whose effect still
# holds, soaks only what is left, and asks no approval twice. Its first line names the plan.
journal=${AKSPLAN_JOURNAL:-${BASH_SOURCE[0]:-aksplan}.journal}
while (($#)); do
  case $1 in
    --journal) journal=${2:?--journal needs a file}; shift 2 ;;
    --journal=*) journal=${1#--journal=}; shift ;;
    *) die "unknown argument: $1 (usage: $0 [--journal FILE])" ;;
  esac
done
if [[ -s $journal ]]; then
  IFS= read -r first <"$journal"
  [[ $first == "plan"$'\t'"$plan_hash" ]] || die "the journal $journal is from another plan (or an older script of it): move it away to start over"
else
  printf 'plan\t%s\n' "$plan_hash" >"$journal"
fi
printf 'aksplan: journal %s\n' "$journal"

# journaled RECORD: the journal holds the line RECORD.
journaled() {
  grep -Fxq -- "$1" "$journal"
}

# record RECORD: appends RECORD to the journal, once.
record() {
  journaled "$1" || printf '%s\n' "$1" >>"$journal"
}

# soak STAGE SECONDS: sleeps until the end the journal records for the stage's soak (recorded on
# the first run as now + SECONDS): a re-run soaks only what is left.
soak() {
  local kind key value end='' now
  while IFS=$'\t' read -r kind key value; do
    if [[ $kind == soak && $key == "$1" ]]; then end=$value; fi
  done <"$journal"
  now=$(date +%s)
  if [[ -z $end ]]; then
    end=$((now + $2))
    printf 'soak\t%s\t%s\n' "$1" "$end" >>"$journal"
  fi
  if ((end > now)); then
    printf 'aksplan: soaking %s seconds after stage %s\n' "$((end - now))" "$1"
    sleep "$((end - now))"
  else
    printf 'aksplan: soak after stage %s is over\n' "$1"
  fi
}

# approve GATE: asks once; without a terminal (and without AKSPLAN_ASSUME_APPROVED=1) stops here
# with exit code 3, so that a scheduler can tell "waiting for approval" from a failure.
approve() {
  if journaled "approved"$'\t'"$1"; then
    printf 'aksplan: %s: approved earlier (journal)\n' "$1"
    return 0
  fi
  if [[ ${AKSPLAN_ASSUME_APPROVED:-} == 1 ]]; then
    printf 'aksplan: %s: approved by AKSPLAN_ASSUME_APPROVED=1\n' "$1"
  elif [[ ! -t 0 ]]; then
    printf 'aksplan: stopped before the approval gate: %s\n' "$1" >&2
    printf 'aksplan: to approve, run the script again from a terminal, or with AKSPLAN_ASSUME_APPROVED=1; finished steps and soaks are not repeated (journal %s)\n' "$journal" >&2
    exit 3
  else
    local answer
    read -r -p "aksplan: $1 - type yes to continue: " answer
    [[ $answer == yes ]] || die "not approved: $1"
  fi
  record "approved"$'\t'"$1"
}
"#;

/// Renders the script. Pure: the same inputs give the same bytes.
pub fn render(plan: &Plan, compiled: &Compiled, options: &AzOptions) -> String {
    let mut script = String::new();
    render_to(plan, compiled, options, &mut |chunk| script.push_str(chunk));
    script
}

/// How much of the script is built before it is handed on: the script of a 1,000-cluster plan
/// is ~23 MB, which as one string was the largest block of the run (docs/performance.md). A
/// quarter MiB is as fast to write as a MiB, and a MiB less at the peak.
const CHUNK_BYTES: usize = 1 << 18;

/// [`render`], handing the script to `sink` in pieces of about `CHUNK_BYTES`, in order.
pub fn render_to(plan: &Plan, compiled: &Compiled, options: &AzOptions, sink: &mut dyn FnMut(&str)) {
    render_chunked(plan, compiled, options, CHUNK_BYTES, sink);
}

/// [`render_to`] with pieces of at least `chunk_bytes` (each ends with a whole step).
#[doc(hidden)]
pub fn render_chunked(
    plan: &Plan,
    compiled: &Compiled,
    options: &AzOptions,
    chunk_bytes: usize,
    sink: &mut dyn FnMut(&str),
) {
    let mut out = String::with_capacity(chunk_bytes + (chunk_bytes >> 2));
    header(&mut out, plan, options);
    let _ = writeln!(out, "plan_hash={}", quote(&comment(&options.plan_hash)));
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
        // The preflight of a large fleet is a chunk or more by itself.
        hand_on_full(&mut out, chunk_bytes, sink);
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
        hand_on_full(&mut out, chunk_bytes, sink);
    }
    out.push_str("\nprintf 'aksplan: done\\n'\n");
    sink(&out);
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
    out.push_str(
        "# Safe to re-run: each step checks the live state first and is skipped when done; the run\n",
    );
    out.push_str(
        "# journal (FILE.journal next to the script, or --journal FILE, or AKSPLAN_JOURNAL) records\n",
    );
    out.push_str("# finished steps, soak end times and approvals, so a re-run repeats none of them.\n");
    out.push_str("# Approval gates prompt on a terminal; AKSPLAN_ASSUME_APPROVED=1 approves them.\n");
    out.push_str("# Exit codes: 0 done; 1 a step failed or the live state drifted from the plan;\n");
    out.push_str("# 3 stopped before an approval gate (no terminal): approve, then run it again.\n");
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
            StepKind::ApprovalGate { stage, .. } | StepKind::StageWait { stage, .. } => stage_index(stage),
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
                StepKind::ApprovalGate { stage, .. } => cluster_stage.as_deref() == Some(stage.as_str()),
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
            StepKind::BlueGreenDelete { pool: old } => **old == **pool,
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

/// Hands the piece made so far to `sink` once it holds `chunk_bytes`, and starts the next.
fn hand_on_full(out: &mut String, chunk_bytes: usize, sink: &mut dyn FnMut(&str)) {
    if out.len() >= chunk_bytes {
        sink(out);
        out.clear();
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

fn run_banner(out: &mut String, label: &str) {
    let _ = writeln!(out, "  printf 'aksplan: running %s\\n' {label}");
}

/// The journal key of a step: `done`, a tab, its id with no control character (ids may carry a
/// stage name).
fn done_key(id: &str) -> String {
    quote(&format!("done\t{}", comment(id)))
}

fn emit_step(out: &mut String, step: &Step, cluster: Option<&Cluster>, index: &StepIndex<'_>, label: &str) {
    match (&step.kind, cluster) {
        (StepKind::ApprovalGate { stage, approver }, _) => {
            let who = approver
                .as_deref()
                .map(|who| format!(" (approver: {who})"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "approve {}",
                quote(&comment(&format!("start of stage {stage}{who}")))
            );
        }
        (StepKind::StageWait { stage, seconds }, _) => {
            let _ = writeln!(
                out,
                "# afterStageWait of stage {}: soak before the next stage (a re-run soaks only what is left)",
                comment(stage)
            );
            let _ = writeln!(out, "soak {} {seconds}", quote(&comment(stage)));
        }
        (_, None) => {
            let _ = writeln!(out, "# (no cluster for this step: nothing to run)");
        }
        (_, Some(cluster)) => cluster_step(out, step, cluster, index, label),
    }
}

/// One step against a cluster: skipped when its done-probe holds on the live state (or, for a
/// step the live state cannot judge, when the journal records it); else checked that it can run
/// now (the live state is the one before it, or after it: a retry), run, waited for, checked, and
/// recorded in the journal.
fn cluster_step(out: &mut String, step: &Step, cluster: &Cluster, index: &StepIndex<'_>, label: &str) {
    let route = index.route(&cluster.name);
    let pools = route.map_or(&[][..], |route| route.pools());
    let lts = route.is_some_and(|route| route.lts);
    let Some(commands) = crate::command::step_command(cluster, pools, lts, step) else {
        return;
    };
    let (rg, name) = rg_name(cluster);
    let key = done_key(&step.id);
    let done = crate::command::done(step, index);
    let test = if done.journal_only() {
        format!("journaled {key}")
    } else {
        // A journaled step needs only its recorded checks (`Done::recorded`, a subset of the
        // full probe), any other the full probe: each az query runs once (the journal is a grep).
        format!(
            "{{ journaled {key} && {{ {}; }}; }} || {{ ! journaled {key} && {{ {}; }}; }}",
            checks_test(&done.recorded(), &rg, &name),
            checks_test(&done, &rg, &name)
        )
    };
    let _ = writeln!(out, "if {test}; then");
    if done.journal_only() {
        let _ = writeln!(
            out,
            "  printf 'aksplan: SKIPPED (done, says the journal): %s\\n' {label}"
        );
    } else {
        let _ = writeln!(out, "  printf 'aksplan: SKIPPED (already done): %s\\n' {label}");
    }
    let _ = writeln!(out, "  record {key}");
    out.push_str("else\n");
    run_banner(out, label);
    // Can it run now: the live state is the one before the step, or after it (a retry).
    for check in crate::command::ready(step) {
        let (probe, versions) = match &check {
            crate::command::Check::ControlPlaneAt { versions } => {
                (format!("cp_version {rg} {name}"), versions)
            }
            crate::command::Check::PoolAt { pool, versions } => {
                (format!("pool_version {rg} {name} {}", quote(pool)), versions)
            }
            _ => continue,
        };
        let _ = writeln!(out, "  live=$({probe})");
        let _ = writeln!(
            out,
            "  one_of \"$live\" {} || die {}\"$live\"",
            joined(versions),
            quote(&format!(
                "drift: {} cannot run now: it {} (the state before it or after it), live: ",
                comment(&step.id),
                check_text(&check)
            ))
        );
    }
    if let Some(live) = &commands.live_version {
        let _ = writeln!(
            out,
            "  {}",
            resolve_version(live, &cluster.resource_group, &cluster.name, &step.id)
        );
    }
    if matches!(step.kind, StepKind::PoolNodeImage { .. }) {
        let StepKind::PoolNodeImage { pool } = &step.kind else {
            return;
        };
        // The image the wait looks for, read before the upgrade starts.
        let _ = writeln!(out, "  latest=$(latest_image {rg} {name} {})", quote(pool));
    }
    if let Some(config) = &commands.config_file {
        // notAllowedDates has no flag: the body goes in a config file (§4).
        let text = serde_json::to_string_pretty(config).unwrap_or_default();
        out.push_str("  config_file=$(mktemp)\n");
        out.push_str("  trap 'rm -f \"$config_file\"' EXIT\n");
        out.push_str("  cat >\"$config_file\" <<'AKSPLAN_CONFIG_EOF'\n");
        out.push_str(&text);
        out.push_str("\nAKSPLAN_CONFIG_EOF\n");
    }
    if let Some(setup) = &commands.setup {
        let _ = writeln!(out, "  {}", setup.shell());
    }
    match (&step.kind, &commands.update) {
        (StepKind::MaintenanceSet { name: config, .. }, Some(update)) => {
            // Add when missing, update when present: both leave the planned window.
            let _ = writeln!(
                out,
                "  if az aks maintenanceconfiguration show --resource-group={rg} --cluster-name {name} -n {} >/dev/null 2>&1; then",
                quote(config)
            );
            let _ = writeln!(out, "    {}", update.shell());
            out.push_str("  else\n");
            let _ = writeln!(out, "    {}", commands.run.shell());
            out.push_str("  fi\n");
            let _ = writeln!(
                out,
                "  az aks maintenanceconfiguration show --resource-group={rg} --cluster-name {name} -n {} -o none || die {}",
                quote(config),
                quote(&format!(
                    "{}: maintenance configuration {config} is missing",
                    step.id
                ))
            );
        }
        (StepKind::BlueGreenCreate { new_pool, .. }, _) => {
            // A re-run after the pool was added but not ready waits again instead of adding it.
            let _ = writeln!(
                out,
                "  [[ -n $(pool_version {rg} {name} {}) ]] || {}",
                quote(new_pool),
                commands.run.shell()
            );
        }
        _ => {
            let _ = writeln!(out, "  {}", commands.run.shell());
        }
    }
    if let Some(wait) = &commands.wait {
        let _ = writeln!(out, "  {}", wait.shell());
    }
    if commands.config_file.is_some() {
        out.push_str("  rm -f \"$config_file\"\n");
    }
    after_checks(out, step, &rg, &name);
    let _ = writeln!(out, "  record {key}");
    out.push_str("fi\n");
}

/// After the wait: the step's effect is on the live state, with its operation succeeded.
fn after_checks(out: &mut String, step: &Step, rg: &str, name: &str) {
    let id = &step.id;
    let version = |probe: String, subject: &str, to: &KubeVersion| {
        format!(
            "  live=$({probe})\n  version_is \"$live\" {} || die {}\"$live\"\n",
            quote(&version_key(to)),
            quote(&format!("{id}: {subject} is not at {to} after the wait: "))
        )
    };
    let cluster_ok = format!(
        "  [[ $(cluster_state {rg} {name}) == Succeeded ]] || die {}\n",
        quote(&format!("{id}: cluster is not Succeeded"))
    );
    let pool_ok = |pool: &str| {
        format!(
            "  [[ $(pool_state {rg} {name} {}) == Succeeded ]] || die {}\n",
            quote(pool),
            quote(&format!("{id}: pool {pool} is not Succeeded"))
        )
    };
    match &step.kind {
        StepKind::ControlPlaneUpgrade { to } => {
            out.push_str(&version(format!("cp_version {rg} {name}"), "control plane", to));
            out.push_str(&cluster_ok);
        }
        StepKind::FullUpgrade { to } => {
            out.push_str(&version(format!("cp_version {rg} {name}"), "control plane", to));
            out.push_str(&cluster_ok);
            for pool in step.after.iter().flat_map(|a| a.pools.keys()) {
                out.push_str(&version(
                    format!("pool_version {rg} {name} {}", quote(pool)),
                    &format!("pool {pool}"),
                    to,
                ));
                out.push_str(&pool_ok(pool));
            }
        }
        StepKind::PoolUpgrade { pool, to } => {
            out.push_str(&version(
                format!("pool_version {rg} {name} {}", quote(pool)),
                &format!("pool {pool}"),
                to,
            ));
            out.push_str(&pool_ok(pool));
        }
        StepKind::BlueGreenCreate { new_pool, to, .. } => {
            out.push_str(&version(
                format!("pool_version {rg} {name} {}", quote(new_pool)),
                &format!("new pool {new_pool}"),
                to,
            ));
            out.push_str(&pool_ok(new_pool));
        }
        StepKind::PoolNodeImage { pool } => {
            let _ = writeln!(
                out,
                "  [[ $(node_image {rg} {name} {}) == \"$latest\" ]] || die {}",
                quote(pool),
                quote(&format!(
                    "{id}: pool {pool} node image is not the latest after the wait"
                ))
            );
            out.push_str(&pool_ok(pool));
        }
        StepKind::PoolSettings { pool, .. } => out.push_str(&pool_ok(pool)),
        StepKind::ChannelChange { .. } => {
            let done_channels = match &step.kind {
                StepKind::ChannelChange { to, .. } => crate::command::Check::Channels {
                    upgrade: to.upgrade_channel.map(|c| crate::command::enum_text(&c)),
                    node_os: to.node_os_upgrade_channel.map(|c| crate::command::enum_text(&c)),
                },
                _ => return,
            };
            let _ = writeln!(
                out,
                "  {} || die {}",
                check_test(&done_channels, rg, name),
                quote(&format!("{id}: channels are not as planned after the update"))
            );
            out.push_str(&cluster_ok);
        }
        StepKind::BlueGreenDelete { pool } => {
            let _ = writeln!(
                out,
                "  [[ -z $(pool_version {rg} {name} {}) ]] || die {}",
                quote(pool),
                quote(&format!("{id}: pool {pool} still exists after the wait"))
            );
        }
        _ => {}
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

/// The bash test of one live-state check.
fn check_test(check: &crate::command::Check, rg: &str, name: &str) -> String {
    use crate::command::Check;
    let pool_version = |pool: &str| format!("pool_version {rg} {name} {}", quote(pool));
    match check {
        Check::ControlPlaneAt { versions } => {
            format!("one_of \"$(cp_version {rg} {name})\" {}", joined(versions))
        }
        Check::ClusterSucceeded => format!("[[ $(cluster_state {rg} {name}) == Succeeded ]]"),
        Check::PoolAt { pool, versions } => {
            format!("one_of \"$({})\" {}", pool_version(pool), joined(versions))
        }
        Check::PoolSucceeded { pool } => {
            format!("[[ $(pool_state {rg} {name} {}) == Succeeded ]]", quote(pool))
        }
        Check::NodeImageLatest { pool } => {
            let p = quote(pool);
            format!("[[ $(node_image {rg} {name} {p}) == \"$(latest_image {rg} {name} {p})\" ]]")
        }
        Check::Channels { upgrade, node_os } => {
            let checks: Vec<String> = [("upgradeChannel", upgrade), ("nodeOsUpgradeChannel", node_os)]
                .into_iter()
                .filter_map(|(field, value)| {
                    Some(format!(
                        "[[ $(az aks show --resource-group={rg} -n {name} --query autoUpgradeProfile.{field} -o tsv) == {} ]]",
                        quote(value.as_deref()?)
                    ))
                })
                .collect();
            checks.join(" && ")
        }
        Check::MaintenanceMatches { name: config, query } => format!(
            "maintenance_matches {rg} {name} {} {}",
            quote(config),
            quote(query)
        ),
        Check::PoolMatches { pool, query } => {
            format!("pool_matches {rg} {name} {} {}", quote(pool), quote(query))
        }
        Check::PoolExists { pool } => format!("[[ -n $({}) ]]", pool_version(pool)),
        Check::PoolGone { pool } => format!("[[ -z $({}) ]]", pool_version(pool)),
    }
}

/// A check in words, for messages.
fn check_text(check: &crate::command::Check) -> String {
    use crate::command::Check;
    let list = |versions: &BTreeSet<String>| versions.iter().cloned().collect::<Vec<_>>().join(" or ");
    match check {
        Check::ControlPlaneAt { versions } => format!("expects the control plane on {}", list(versions)),
        Check::PoolAt { pool, versions } => format!("expects pool {pool} on {}", list(versions)),
        other => format!("{other:?}"),
    }
}

/// The bash test that is true when the live state shows a step done: any alternative, each all
/// of its checks.
fn checks_test(done: &Done, rg: &str, name: &str) -> String {
    let groups: Vec<String> = done
        .any_of
        .iter()
        .map(|group| {
            group
                .iter()
                .map(|c| check_test(c, rg, name))
                .collect::<Vec<_>>()
                .join(" && ")
        })
        .collect();
    match groups.as_slice() {
        [one] => one.clone(),
        many => many
            .iter()
            .map(|g| format!("{{ {g}; }}"))
            .collect::<Vec<_>>()
            .join(" || "),
    }
}

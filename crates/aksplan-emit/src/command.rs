//! The commands of each step kind, built once, and when a step is done ([`done`]): what the `az`
//! script runs (each word quoted by
//! [`Word::shell`]) and what the JSON execution plan lists as a step's `argv` (the same words,
//! [`Word::argv`]). Pure data, no shell syntax: the two renderings cannot drift apart.
//!
//! Rules kept here, in one place (`aks-upgrade-rules.md` §4, §6):
//! - the resource group and the subscription are joined to their option (`--resource-group=-rg`):
//!   Azure allows both to start with `-`, which az's parser would read as an option;
//! - every command that would prompt gets `--yes`, long operations `--no-wait` (the caller waits
//!   with `az aks wait --custom` on the exact target and `provisioningState`, never `--updated`);
//! - `--node-image-only` never goes with `-k` or surge flags;
//! - a negative utc offset is written `--utc-offset=-08:00`, as one word.

use std::collections::BTreeSet;

use aksplan_graph::{Step, StepIndex, StepKind};
use aksplan_model::plan::{Cluster, MaintenanceWindow, NodePool, OsType, UpgradeSettings};
use aksplan_model::version::KubeVersion;
use serde_json::Value;

/// One word of a command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Word {
    /// Text aksplan writes itself (a program, a subcommand, a flag): never from the plan.
    Fixed(&'static str),
    /// A name from a closed set aksplan renders itself (an enum variant, a number): shell-safe.
    Name(String),
    /// A value from the plan: always single-quoted in the script.
    Value(String),
    /// An option joined to a plan value, `--resource-group=VALUE`: the value quoted.
    Joined(&'static str, String),
    /// The maintenance configuration file the script writes at run time (`"$config_file"`);
    /// the JSON plan names it [`CONFIG_FILE`] and carries its content beside the argv.
    ConfigFile,
    /// An expression the script's shell expands at run time (a `--custom` query on a version read
    /// live); no argv has one.
    Runtime(String),
    /// The exact version of a [`LiveVersion`] step, read when the step runs: `"$version"` in the
    /// script, [`VERSION_PLACEHOLDER`] in the JSON plan's argv.
    LiveVersion,
}

/// The argv word the JSON plan writes for a version read when the step runs (`versionFrom`).
pub const VERSION_PLACEHOLDER: &str = "{version}";

/// A step version the catalog could not make exact (it lists no patch of the minor): the exact
/// patch is read live when the step runs, never sent to AKS as a minor alias. AKS treats a pool
/// set to the same `major.minor` again as no change (§2.1), so an alias would never retry a pool
/// left `Failed`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveVersion {
    /// The minor (`1.35`).
    pub minor: KubeVersion,
    /// Where the exact patch is read: the control plane's own when it is on the minor already,
    /// else the newest GA patch of the minor that `az aks get-upgrades` offers the control plane,
    /// or (a pool) `az aks nodepool get-upgrades` offers the pool.
    pub pool: Option<String>,
    /// The cluster is on the LTS plan: patches from 100 (LTS-only) may be chosen.
    pub lts: bool,
}

/// The name of a step's configuration file in the JSON execution plan's argv.
pub const CONFIG_FILE: &str = "maintenance-configuration.json";

/// Quotes one word for bash: `'…'`, with each `'` written `'\''`.
pub fn quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

impl Word {
    /// The word as a program receives it.
    pub fn argv(&self) -> String {
        match self {
            Word::Fixed(text) => (*text).to_owned(),
            Word::Name(text) | Word::Value(text) | Word::Runtime(text) => text.clone(),
            Word::Joined(option, value) => format!("{option}{value}"),
            Word::ConfigFile => CONFIG_FILE.to_owned(),
            Word::LiveVersion => VERSION_PLACEHOLDER.to_owned(),
        }
    }

    /// The word as the script writes it: plan values single-quoted, nothing left to expand but
    /// the script's own variables.
    pub fn shell(&self) -> String {
        match self {
            Word::Fixed(text) => (*text).to_owned(),
            Word::Name(text) | Word::Runtime(text) => text.clone(),
            Word::Value(text) => quote(text),
            Word::Joined(option, value) => format!("{option}{}", quote(value)),
            Word::ConfigFile => "\"$config_file\"".to_owned(),
            Word::LiveVersion => "\"$version\"".to_owned(),
        }
    }
}

/// A command line: the program, then its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command(pub Vec<Word>);

impl Command {
    fn new(words: impl IntoIterator<Item = Word>) -> Self {
        Self(words.into_iter().collect())
    }

    fn push(&mut self, words: impl IntoIterator<Item = Word>) {
        self.0.extend(words);
    }

    /// The argument vector.
    pub fn argv(&self) -> Vec<String> {
        self.0.iter().map(Word::argv).collect()
    }

    /// The line the script runs.
    pub fn shell(&self) -> String {
        self.0.iter().map(Word::shell).collect::<Vec<_>>().join(" ")
    }

    /// The same command run on its own, outside a script that selected the subscription.
    pub fn in_subscription(mut self, subscription: Option<&str>) -> Self {
        if let Some(subscription) = subscription {
            self.0.push(subscription_option(subscription));
        }
        self
    }
}

/// `--resource-group=VALUE`: the one place the resource group is passed.
pub fn resource_group_option(resource_group: &str) -> Word {
    Word::Joined("--resource-group=", resource_group.to_owned())
}

/// `--subscription=VALUE`: the one place the subscription is passed.
pub fn subscription_option(subscription: &str) -> Word {
    Word::Joined("--subscription=", subscription.to_owned())
}

/// What a step runs against its cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepCommand {
    /// Run first, when the step needs it (credentials for `kubectl`).
    pub setup: Option<Command>,
    /// The command that changes the cluster.
    pub run: Command,
    /// `maintenanceSet`: the same settings for a configuration that exists already.
    pub update: Option<Command>,
    /// `maintenanceSet` with `notAllowedDates` (no flag for them): the configuration file's content.
    pub config_file: Option<Value>,
    /// The wait until the change has finished, when it runs with `--no-wait`.
    pub wait: Option<Command>,
    /// The step's version is read when it runs ([`Word::LiveVersion`] in `run`).
    pub live_version: Option<LiveVersion>,
}

fn az(words: &[&'static str]) -> Command {
    Command::new(std::iter::once(Word::Fixed("az")).chain(words.iter().map(|w| Word::Fixed(w))))
}

/// `--resource-group=RG -n CLUSTER`.
fn cluster_target(cluster: &Cluster) -> [Word; 3] {
    [
        resource_group_option(&cluster.resource_group),
        Word::Fixed("-n"),
        Word::Value(cluster.name.clone()),
    ]
}

/// `--resource-group=RG --cluster-name CLUSTER -n NAME` (a pool, a maintenance configuration).
fn child_target(cluster: &Cluster, name: &str) -> [Word; 5] {
    [
        resource_group_option(&cluster.resource_group),
        Word::Fixed("--cluster-name"),
        Word::Value(cluster.name.clone()),
        Word::Fixed("-n"),
        Word::Value(name.to_owned()),
    ]
}

/// An enum as the plan writes it (its serde name), e.g. `SecurityPatch`, `AzureLinux`.
pub fn enum_text<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(text)) => text,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

/// The JMESPath test of a version field: exact, or a minor prefix.
pub fn version_test(field: &str, version: &KubeVersion) -> String {
    match version.patch {
        Some(_) => format!("{field}=='{version}'"),
        None => format!("starts_with({field}, '{}.{}.')", version.major, version.minor),
    }
}

/// The `--custom` query of a wait for `field` at `to` with the operation finished.
fn at_version_succeeded(field: &str, to: &KubeVersion) -> Word {
    Word::Value(format!(
        "{} && provisioningState=='Succeeded'",
        version_test(field, to)
    ))
}

const SUCCEEDED: &str = "provisioningState=='Succeeded'";

/// `az aks wait` on the cluster.
fn cluster_wait(cluster: &Cluster, custom: Word, interval: &'static str, timeout: &'static str) -> Command {
    let mut wait = az(&["aks", "wait"]);
    wait.push(cluster_target(cluster));
    wait.push([
        Word::Fixed("--custom"),
        custom,
        Word::Fixed("--interval"),
        Word::Fixed(interval),
        Word::Fixed("--timeout"),
        Word::Fixed(timeout),
    ]);
    wait
}

/// `az aks nodepool wait` on one pool.
fn pool_wait(
    cluster: &Cluster,
    pool: &str,
    until: Vec<Word>,
    interval: &'static str,
    timeout: &'static str,
) -> Command {
    let mut wait = az(&["aks", "nodepool", "wait"]);
    wait.push([
        resource_group_option(&cluster.resource_group),
        Word::Fixed("--cluster-name"),
        Word::Value(cluster.name.clone()),
        Word::Fixed("--nodepool-name"),
        Word::Value(pool.to_owned()),
    ]);
    wait.push(until);
    wait.push([
        Word::Fixed("--interval"),
        Word::Fixed(interval),
        Word::Fixed("--timeout"),
        Word::Fixed(timeout),
    ]);
    wait
}

/// The `-k` word of a version step: the exact version, or the one read live (`live`).
fn version_word(to: &KubeVersion, pool: Option<&str>, lts: bool, live: &mut Option<LiveVersion>) -> Word {
    if to.patch.is_some() {
        return Word::Value(to.to_string());
    }
    *live = Some(LiveVersion {
        minor: *to,
        pool: pool.map(str::to_owned),
        lts,
    });
    Word::LiveVersion
}

/// The commands of a step on `cluster`, whose pools are now `pools` (the compiled route's, from the
/// plan or `currentFrom`) and which is on the LTS plan or not (`lts`); `None` for the steps that
/// run nothing against a cluster (approval gates and soaks).
pub fn step_command(cluster: &Cluster, pools: &[NodePool], lts: bool, step: &Step) -> Option<StepCommand> {
    let mut setup = None;
    let mut live_version = None;
    let mut update = None;
    let mut config_file = None;
    let (run, wait) = match &step.kind {
        StepKind::ApprovalGate { .. } | StepKind::StageWait { .. } => return None,
        StepKind::ControlPlaneUpgrade { to } | StepKind::FullUpgrade { to } => {
            let mut run = az(&["aks", "upgrade"]);
            run.push(cluster_target(cluster));
            run.push([Word::Fixed("-k"), version_word(to, None, lts, &mut live_version)]);
            if matches!(step.kind, StepKind::ControlPlaneUpgrade { .. }) {
                run.push([Word::Fixed("--control-plane-only")]);
            }
            run.push([Word::Fixed("--yes"), Word::Fixed("--no-wait")]);
            let custom = at_version_succeeded("currentKubernetesVersion", to);
            (run, Some(cluster_wait(cluster, custom, "30", "7200")))
        }
        StepKind::PoolUpgrade { pool, to } => {
            let mut run = az(&["aks", "nodepool", "upgrade"]);
            run.push(child_target(cluster, pool));
            run.push([
                Word::Fixed("-k"),
                version_word(to, Some(pool), lts, &mut live_version),
                Word::Fixed("--yes"),
                Word::Fixed("--no-wait"),
            ]);
            let custom = at_version_succeeded("currentOrchestratorVersion", to);
            (
                run,
                Some(pool_wait(
                    cluster,
                    pool,
                    vec![Word::Fixed("--custom"), custom],
                    "30",
                    "7200",
                )),
            )
        }
        StepKind::PoolNodeImage { pool } => {
            // Never with -k or surge flags (§6.2): settings are set by `nodepool update` first.
            let mut run = az(&["aks", "nodepool", "upgrade"]);
            run.push(child_target(cluster, pool));
            run.push([
                Word::Fixed("--node-image-only"),
                Word::Fixed("--yes"),
                Word::Fixed("--no-wait"),
            ]);
            // The image to wait for is read live into `$latest` before the upgrade starts.
            let custom = Word::Runtime(format!("\"nodeImageVersion=='$latest' && {SUCCEEDED}\""));
            (
                run,
                Some(pool_wait(
                    cluster,
                    pool,
                    vec![Word::Fixed("--custom"), custom],
                    "30",
                    "7200",
                )),
            )
        }
        StepKind::PoolSettings { pool, settings } => {
            let mut run = az(&["aks", "nodepool", "update"]);
            run.push(child_target(cluster, pool));
            run.push(settings_flags(settings));
            run.push([Word::Fixed("--no-wait")]);
            let until = vec![Word::Fixed("--custom"), Word::Value(SUCCEEDED.to_owned())];
            (run, Some(pool_wait(cluster, pool, until, "15", "3600")))
        }
        StepKind::ChannelChange { to, .. } => {
            let mut run = az(&["aks", "update"]);
            run.push(cluster_target(cluster));
            if let Some(channel) = to.upgrade_channel {
                run.push([
                    Word::Fixed("--auto-upgrade-channel"),
                    Word::Value(enum_text(&channel)),
                ]);
            }
            if let Some(channel) = to.node_os_upgrade_channel {
                run.push([
                    Word::Fixed("--node-os-upgrade-channel"),
                    Word::Value(enum_text(&channel)),
                ]);
            }
            run.push([Word::Fixed("--no-wait")]);
            let custom = Word::Value(SUCCEEDED.to_owned());
            (run, Some(cluster_wait(cluster, custom, "15", "3600")))
        }
        StepKind::MaintenanceSet { name, window } => {
            let flags = if window.not_allowed_dates.is_empty() {
                schedule_flags(name, window)
            } else {
                config_file = Some(serde_json::json!({ "properties": { "maintenanceWindow": window } }));
                vec![Word::Fixed("--config-file"), Word::ConfigFile]
            };
            let command = |verb: &'static str| {
                let mut command = az(&["aks", "maintenanceconfiguration", verb]);
                command.push(child_target(cluster, name));
                command.push(flags.iter().cloned());
                command.push([Word::Fixed("-o"), Word::Fixed("none")]);
                command
            };
            update = Some(command("update"));
            (command("add"), None)
        }
        StepKind::BlueGreenCreate {
            pool,
            new_pool,
            to,
            os_sku,
        } => {
            let mut run = az(&["aks", "nodepool", "add"]);
            run.push(child_target(cluster, new_pool));
            // A new pool goes to the control plane's patch (it is never newer).
            run.push([Word::Fixed("-k"), version_word(to, None, lts, &mut live_version)]);
            // The replacement copies the pool as it is now, wherever that was read from: a System
            // pool stays System, so the cluster never loses its last one (AKS refuses that).
            let old = pools.iter().find(|p| &p.name == pool);
            if let Some(old) = old {
                run.push([Word::Fixed("--mode"), Word::Name(enum_text(&old.mode))]);
                if old.os_type == OsType::Windows {
                    run.push([Word::Fixed("--os-type"), Word::Fixed("Windows")]);
                }
                if let Some(count) = old.count {
                    run.push([Word::Fixed("--node-count"), Word::Name(count.to_string())]);
                }
                if let Some(size) = &old.vm_size {
                    run.push([Word::Fixed("--node-vm-size"), Word::Value(size.clone())]);
                }
            }
            if let Some(sku) = os_sku {
                run.push([Word::Fixed("--os-sku"), Word::Name(enum_text(sku))]);
            }
            run.push([Word::Fixed("--no-wait")]);
            let custom = at_version_succeeded("currentOrchestratorVersion", to);
            (
                run,
                Some(pool_wait(
                    cluster,
                    new_pool,
                    vec![Word::Fixed("--custom"), custom],
                    "30",
                    "7200",
                )),
            )
        }
        StepKind::BlueGreenCordon { pool } | StepKind::BlueGreenDrain { pool } => {
            let mut credentials = az(&["aks", "get-credentials"]);
            credentials.push(cluster_target(cluster));
            credentials.push([Word::Fixed("--overwrite-existing")]);
            setup = Some(credentials);
            // `get-credentials` names the context after the cluster; naming it here keeps kubectl
            // off whatever context was current before.
            let mut run = Command::new([
                Word::Fixed("kubectl"),
                Word::Fixed("--context"),
                Word::Value(cluster.name.clone()),
            ]);
            let selector = Word::Value(format!("agentpool={pool}"));
            if matches!(step.kind, StepKind::BlueGreenCordon { .. }) {
                run.push([Word::Fixed("cordon"), Word::Fixed("-l"), selector]);
            } else {
                run.push([
                    Word::Fixed("drain"),
                    Word::Fixed("-l"),
                    selector,
                    Word::Fixed("--ignore-daemonsets"),
                    Word::Fixed("--delete-emptydir-data"),
                ]);
            }
            (run, None)
        }
        StepKind::BlueGreenDelete { pool } => {
            let mut run = az(&["aks", "nodepool", "delete"]);
            run.push(child_target(cluster, pool));
            run.push([Word::Fixed("--no-wait")]);
            (
                run,
                Some(pool_wait(
                    cluster,
                    pool,
                    vec![Word::Fixed("--deleted")],
                    "30",
                    "3600",
                )),
            )
        }
    };
    Some(StepCommand {
        setup,
        run,
        update,
        config_file,
        wait,
        live_version,
    })
}

/// What the live state shows when a step is done, so that a re-run skips it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Done {
    /// Never skipped: running it again leaves the same state (pool settings, maintenance).
    Repeatable,
    /// The control plane runs one of these versions (exact, or a minor prefix `1.35.`): the
    /// step's target or any later one on the route.
    ControlPlaneAt(BTreeSet<String>),
    /// The pool runs one of these versions.
    PoolAt {
        pool: String,
        versions: BTreeSet<String>,
    },
    /// The pool's node image is the latest AKS offers it (read live).
    NodeImageLatest { pool: String },
    /// The cluster's channels are these (serde names).
    Channels {
        upgrade: Option<String>,
        node_os: Option<String>,
    },
    /// The pool exists (a blue-green replacement).
    PoolExists { pool: String },
    /// The pool is gone (its blue-green replacement took over).
    PoolGone { pool: String },
}

/// A version as the live state is compared with it: exact (`1.35.3`) or a minor prefix (`1.35.`).
pub fn version_key(version: &KubeVersion) -> String {
    match version.patch {
        Some(_) => version.to_string(),
        None => format!("{}.{}.", version.major, version.minor),
    }
}

/// When `step` is done, judged on the live state (the step's own target, or a later step's of the
/// same cluster: a re-run after the cluster moved on skips it too).
pub fn done(step: &Step, index: &StepIndex<'_>) -> Done {
    let later = || index.cluster_steps_from(step);
    match &step.kind {
        StepKind::ControlPlaneUpgrade { to } | StepKind::FullUpgrade { to } => {
            let mut versions = BTreeSet::from([version_key(to)]);
            versions.extend(
                later()
                    .filter_map(|s| s.after.as_ref())
                    .map(|a| version_key(&a.control_plane)),
            );
            Done::ControlPlaneAt(versions)
        }
        StepKind::PoolUpgrade { pool, to } => {
            let mut versions = BTreeSet::from([version_key(to)]);
            versions.extend(
                later()
                    .filter_map(|s| s.after.as_ref()?.pools.get(pool))
                    .map(version_key),
            );
            Done::PoolAt {
                pool: pool.clone(),
                versions,
            }
        }
        StepKind::PoolNodeImage { pool } => Done::NodeImageLatest { pool: pool.clone() },
        StepKind::ChannelChange { to, .. } => Done::Channels {
            upgrade: to.upgrade_channel.map(|c| enum_text(&c)),
            node_os: to.node_os_upgrade_channel.map(|c| enum_text(&c)),
        },
        StepKind::BlueGreenCreate { new_pool, .. } => Done::PoolExists {
            pool: new_pool.clone(),
        },
        StepKind::BlueGreenCordon { pool }
        | StepKind::BlueGreenDrain { pool }
        | StepKind::BlueGreenDelete { pool } => Done::PoolGone { pool: pool.clone() },
        StepKind::PoolSettings { .. }
        | StepKind::MaintenanceSet { .. }
        | StepKind::ApprovalGate { .. }
        | StepKind::StageWait { .. } => Done::Repeatable,
    }
}

/// `az aks nodepool update` flags for upgrade settings.
fn settings_flags(settings: &UpgradeSettings) -> Vec<Word> {
    let mut flags = Vec::new();
    if let Some(surge) = settings.max_surge {
        flags.extend([Word::Fixed("--max-surge"), Word::Value(surge.to_string())]);
    }
    if let Some(unavailable) = settings.max_unavailable {
        flags.extend([
            Word::Fixed("--max-unavailable"),
            Word::Value(unavailable.to_string()),
        ]);
    }
    if let Some(minutes) = settings.drain_timeout_in_minutes {
        flags.extend([Word::Fixed("--drain-timeout"), Word::Name(minutes.to_string())]);
    }
    if let Some(minutes) = settings.node_soak_duration_in_minutes {
        flags.extend([
            Word::Fixed("--node-soak-duration"),
            Word::Name(minutes.to_string()),
        ]);
    }
    if let Some(behavior) = settings.undrainable_node_behavior {
        flags.extend([
            Word::Fixed("--undrainable-node-behavior"),
            Word::Name(enum_text(&behavior)),
        ]);
    }
    flags
}

/// `az aks maintenanceconfiguration add|update` schedule flags (`aks-upgrade-rules.md` §4):
/// `default` is weekly without `--interval-weeks`; the utc offset is one word with `=`.
fn schedule_flags(config: &str, window: &MaintenanceWindow) -> Vec<Word> {
    let mut flags = Vec::new();
    let schedule = &window.schedule;
    if let Some(daily) = &schedule.daily {
        flags.extend([
            Word::Fixed("--schedule-type"),
            Word::Fixed("Daily"),
            Word::Fixed("--interval-days"),
            Word::Name(daily.interval_days.to_string()),
        ]);
    } else if let Some(weekly) = &schedule.weekly {
        flags.extend([Word::Fixed("--schedule-type"), Word::Fixed("Weekly")]);
        if config != "default" {
            flags.extend([
                Word::Fixed("--interval-weeks"),
                Word::Name(weekly.interval_weeks.unwrap_or(1).to_string()),
            ]);
        }
        flags.extend([
            Word::Fixed("--day-of-week"),
            Word::Name(enum_text(&weekly.day_of_week)),
        ]);
    } else if let Some(monthly) = &schedule.absolute_monthly {
        flags.extend([
            Word::Fixed("--schedule-type"),
            Word::Fixed("AbsoluteMonthly"),
            Word::Fixed("--interval-months"),
            Word::Name(monthly.interval_months.to_string()),
            Word::Fixed("--day-of-month"),
            Word::Name(monthly.day_of_month.to_string()),
        ]);
    } else if let Some(monthly) = &schedule.relative_monthly {
        flags.extend([
            Word::Fixed("--schedule-type"),
            Word::Fixed("RelativeMonthly"),
            Word::Fixed("--interval-months"),
            Word::Name(monthly.interval_months.to_string()),
            Word::Fixed("--day-of-week"),
            Word::Name(enum_text(&monthly.day_of_week)),
            Word::Fixed("--week-index"),
            Word::Name(enum_text(&monthly.week_index)),
        ]);
    }
    flags.extend([
        Word::Fixed("--duration"),
        Word::Name(window.duration_hours.to_string()),
        Word::Fixed("--start-time"),
        Word::Value(window.start_time.clone()),
    ]);
    if let Some(offset) = &window.utc_offset {
        // One word: `--utc-offset -08:00` would read the offset as a flag (§4).
        flags.push(Word::Value(format!("--utc-offset={offset}")));
    }
    if let Some(date) = &window.start_date {
        flags.extend([Word::Fixed("--start-date"), Word::Value(date.clone())]);
    }
    flags
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn schedule_flags_follow_the_cli_rules() {
        let window: MaintenanceWindow = serde_json::from_value(serde_json::json!({
            "schedule": { "weekly": { "intervalWeeks": 1, "dayOfWeek": "Sunday" } },
            "durationHours": 4,
            "startTime": "01:00",
            "utcOffset": "-08:00"
        }))
        .unwrap();
        let argv: Vec<String> = schedule_flags("default", &window)
            .iter()
            .map(Word::argv)
            .collect();
        assert_eq!(
            argv,
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
        let shell: Vec<String> = schedule_flags("default", &window)
            .iter()
            .map(Word::shell)
            .collect();
        assert_eq!(shell.last().unwrap(), "'--utc-offset=-08:00'");
        let argv: Vec<String> = schedule_flags("aksManagedAutoUpgradeSchedule", &window)
            .iter()
            .map(Word::argv)
            .collect();
        assert!(argv.windows(2).any(|w| w == ["--interval-weeks", "1"]));
    }

    #[test]
    fn plan_values_are_quoted_and_joined_options_stay_one_word() {
        let word = resource_group_option("-rg 'x'");
        assert_eq!(word.argv(), "--resource-group=-rg 'x'");
        assert_eq!(word.shell(), r"--resource-group='-rg '\''x'\'''");
        assert_eq!(Word::Value("$(rm -rf ~)".into()).shell(), "'$(rm -rf ~)'");
    }
}

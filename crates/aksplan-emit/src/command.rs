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
            // Right after `--no-wait` the pool may still read `Succeeded` from before the update
            // (§6.5): wait for the settings themselves as well.
            let until = vec![
                Word::Fixed("--custom"),
                Word::Value(with_succeeded(settings_tests(settings))),
            ];
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
            // The channels themselves, not `Succeeded` alone, which the cluster may still show
            // from before the update (§6.5).
            let mut tests = Vec::new();
            if let Some(channel) = to.upgrade_channel {
                tests.push(format!(
                    "autoUpgradeProfile.upgradeChannel=='{}'",
                    enum_text(&channel)
                ));
            }
            if let Some(channel) = to.node_os_upgrade_channel {
                tests.push(format!(
                    "autoUpgradeProfile.nodeOsUpgradeChannel=='{}'",
                    enum_text(&channel)
                ));
            }
            let custom = Word::Value(with_succeeded(tests));
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
            let old = pools.iter().find(|p| *p.name == **pool);
            if let Some(old) = old {
                run.push([Word::Fixed("--mode"), Word::Name(enum_text(&old.mode))]);
                if old.os_type == OsType::Windows {
                    run.push([Word::Fixed("--os-type"), Word::Fixed("Windows")]);
                }
                if let Some(count) = old.count {
                    run.push([Word::Fixed("--node-count"), Word::Name(count.to_string())]);
                }
                if let Some(size) = &old.vm_size {
                    run.push([Word::Fixed("--node-vm-size"), Word::Value(size.to_string())]);
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

/// One fact about the live state, checked by the script and named in the JSON plan's probes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "check", rename_all = "camelCase")]
pub enum Check {
    /// The control plane runs one of these versions (exact, or a minor prefix `1.35.`).
    ControlPlaneAt { versions: BTreeSet<String> },
    /// The cluster's last operation succeeded (`provisioningState == Succeeded`).
    ClusterSucceeded,
    /// The pool runs one of these versions.
    PoolAt {
        pool: String,
        versions: BTreeSet<String>,
    },
    /// The pool's last operation succeeded.
    PoolSucceeded { pool: String },
    /// The pool's node image is the latest AKS offers it (read live).
    NodeImageLatest { pool: String },
    /// The cluster's channels are these (serde names; `None`: not checked).
    #[serde(rename_all = "camelCase")]
    Channels {
        #[serde(skip_serializing_if = "Option::is_none")]
        upgrade: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        node_os: Option<String>,
    },
    /// A JMESPath test over what `az aks maintenanceconfiguration show` prints for `name`
    /// (the planned window's fields) is true.
    MaintenanceMatches { name: String, query: String },
    /// A JMESPath test over what `az aks nodepool show` prints for `pool` (the planned upgrade
    /// settings) is true.
    PoolMatches { pool: String, query: String },
    /// The pool exists.
    PoolExists { pool: String },
    /// The pool is gone.
    PoolGone { pool: String },
}

/// When a step is done, judged on the live state: any of the alternatives, each all of its
/// checks. No alternative: the live state cannot tell (the legacy `default` maintenance configuration), and only the run
/// journal says whether the step ran.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Done {
    pub any_of: Vec<Vec<Check>>,
}

impl Done {
    /// Never judged on the live state alone: the journal decides.
    pub fn journal_only(&self) -> bool {
        self.any_of.is_empty()
    }

    /// The probe of a step the run journal records as finished: its effect still there, whatever
    /// a later step left the provisioning state at (a later upgrade that failed leaves the
    /// cluster `Failed` on this step's version; this step is not to be sent again).
    pub fn recorded(&self) -> Done {
        let any_of = self
            .any_of
            .iter()
            .map(|group| {
                group
                    .iter()
                    .filter(|c| !matches!(c, Check::ClusterSucceeded | Check::PoolSucceeded { .. }))
                    .cloned()
                    .collect()
            })
            .collect();
        Done { any_of }
    }
}

/// A version as the live state is compared with it: exact (`1.35.3`) or a minor prefix (`1.35.`).
pub fn version_key(version: &KubeVersion) -> String {
    match version.patch {
        Some(_) => version.to_string(),
        None => format!("{}.{}.", version.major, version.minor),
    }
}

/// The control plane's and every pool's versions at the end of the cluster's route: a cluster
/// there needs none of its steps (checked with every operation succeeded).
fn at_route_end(step: &Step, index: &StepIndex<'_>) -> Option<Vec<Check>> {
    let route = index.route(step.cluster.as_deref()?)?;
    let mut checks = vec![
        Check::ControlPlaneAt {
            versions: BTreeSet::from([version_key(&route.end.control_plane)]),
        },
        Check::ClusterSucceeded,
    ];
    for (pool, version) in &route.end.pools {
        checks.push(Check::PoolAt {
            pool: pool.to_owned(),
            versions: BTreeSet::from([version_key(version)]),
        });
        checks.push(Check::PoolSucceeded {
            pool: pool.to_owned(),
        });
    }
    Some(checks)
}

/// When `step` is done, judged on the live state: what it changes holds (its own target, or a
/// later step's of the same cluster: a re-run after the cluster moved on skips it too), with the
/// operation succeeded (a pool left `Failed` at the new version is retried).
pub fn done(step: &Step, index: &StepIndex<'_>) -> Done {
    let later = || index.cluster_steps_from(step);
    let pool_versions = |pool: &str, to: &KubeVersion| {
        let mut versions = BTreeSet::from([version_key(to)]);
        versions.extend(
            later()
                .filter_map(|s| s.after.as_ref()?.pools.get(pool))
                .map(version_key),
        );
        versions
    };
    let any_of = match &step.kind {
        StepKind::ControlPlaneUpgrade { to } | StepKind::FullUpgrade { to } => {
            let mut versions = BTreeSet::from([version_key(to)]);
            versions.extend(
                later()
                    .filter_map(|s| s.after.as_ref())
                    .map(|a| version_key(&a.control_plane)),
            );
            let mut checks = vec![Check::ControlPlaneAt { versions }, Check::ClusterSucceeded];
            // A full upgrade moves every pool: done only when each one is there too (a pool
            // left behind and Failed would otherwise block the next hop for good).
            if matches!(step.kind, StepKind::FullUpgrade { .. })
                && let Some(after) = &step.after
            {
                for pool in after.pools.keys() {
                    checks.push(Check::PoolAt {
                        pool: pool.to_owned(),
                        versions: pool_versions(pool, to),
                    });
                    checks.push(Check::PoolSucceeded {
                        pool: pool.to_owned(),
                    });
                }
            }
            vec![checks]
        }
        StepKind::PoolUpgrade { pool, to } => vec![vec![
            Check::PoolAt {
                pool: pool.to_string(),
                versions: pool_versions(pool, to),
            },
            Check::PoolSucceeded {
                pool: pool.to_string(),
            },
        ]],
        StepKind::PoolNodeImage { pool } => vec![vec![
            Check::NodeImageLatest {
                pool: pool.to_string(),
            },
            Check::PoolSucceeded {
                pool: pool.to_string(),
            },
        ]],
        StepKind::ChannelChange { to, restore } => {
            let channels = Check::Channels {
                upgrade: to.upgrade_channel.map(|c| enum_text(&c)),
                node_os: to.node_os_upgrade_channel.map(|c| enum_text(&c)),
            };
            if matches!(
                channels,
                Check::Channels {
                    upgrade: None,
                    node_os: None
                }
            ) {
                Vec::new()
            } else if *restore {
                vec![vec![channels]]
            } else {
                // Switching off is needed only while the route is not done: a re-run of a
                // finished cluster, its channel restored, must not switch it off again.
                let mut alternatives = vec![vec![channels]];
                alternatives.extend(at_route_end(step, index));
                alternatives
            }
        }
        StepKind::BlueGreenCreate { new_pool, .. } => vec![vec![Check::PoolExists {
            pool: new_pool.clone(),
        }]],
        StepKind::BlueGreenCordon { pool }
        | StepKind::BlueGreenDrain { pool }
        | StepKind::BlueGreenDelete { pool } => vec![vec![Check::PoolGone {
            pool: pool.to_string(),
        }]],
        StepKind::PoolSettings { pool, settings } => {
            let tests = settings_tests(settings);
            if tests.is_empty() {
                Vec::new()
            } else {
                vec![vec![
                    Check::PoolMatches {
                        pool: pool.to_string(),
                        query: tests.join(" && "),
                    },
                    Check::PoolSucceeded {
                        pool: pool.to_string(),
                    },
                ]]
            }
        }
        // `default` is stored in the legacy `timeInWeek` shape, which the planned window's fields
        // do not describe: the journal decides for it.
        StepKind::MaintenanceSet { name, .. } if name == "default" => Vec::new(),
        StepKind::MaintenanceSet { name, window } => vec![vec![Check::MaintenanceMatches {
            name: name.clone(),
            query: maintenance_query(window),
        }]],
        StepKind::ApprovalGate { .. } | StepKind::StageWait { .. } => Vec::new(),
    };
    Done { any_of }
}

/// What the live state must show for `step` to run now: the state the plan expects before it, or
/// the state after it (a retry of a step that failed on the way). Anything else is drift, and the
/// script stops. Empty: the step runs on any state (configuration, gates).
pub fn ready(step: &Step) -> Vec<Check> {
    let Some(before) = &step.before else {
        return Vec::new();
    };
    match &step.kind {
        StepKind::ControlPlaneUpgrade { to } | StepKind::FullUpgrade { to } => {
            let mut checks = vec![Check::ControlPlaneAt {
                versions: BTreeSet::from([version_key(&before.control_plane), version_key(to)]),
            }];
            if matches!(step.kind, StepKind::FullUpgrade { .. }) {
                for (pool, version) in &before.pools {
                    checks.push(Check::PoolAt {
                        pool: pool.to_owned(),
                        versions: BTreeSet::from([version_key(version), version_key(to)]),
                    });
                }
            }
            checks
        }
        StepKind::PoolUpgrade { pool, to } => before
            .pools
            .get(pool)
            .map(|version| {
                vec![Check::PoolAt {
                    pool: pool.to_string(),
                    versions: BTreeSet::from([version_key(version), version_key(to)]),
                }]
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// What a failure of the step leaves, whether it can be undone, and the way on or back: the
/// review report's and the JSON plan's back-out section (`aks-upgrade-rules.md` §2.1, §5.9, §7).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BackOut {
    /// What a failure half-way leaves.
    pub leaves: String,
    /// Whether the step's effect can be undone.
    pub reversible: bool,
    /// How to go on after a failure.
    pub go_on: String,
    /// How to go back, when there is a way.
    pub back: String,
    /// The command that goes back, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<Vec<String>>,
}

/// `az aks nodepool rollback`: the pool's previous version and node image (§5.9).
fn pool_rollback(cluster: &Cluster, pool: &str) -> Command {
    let mut rollback = az(&["aks", "nodepool", "rollback"]);
    rollback.push(child_target(cluster, pool));
    rollback
}

/// The back-out section of a step on `cluster`; `None` for gates and soaks.
pub fn back_out(cluster: &Cluster, step: &Step) -> Option<BackOut> {
    let rerun =
        "fix the cause, then run the script again: finished steps are skipped and this one is retried"
            .to_owned();
    let out = match &step.kind {
        StepKind::ApprovalGate { .. } | StepKind::StageWait { .. } => return None,
        StepKind::ControlPlaneUpgrade { .. } => BackOut {
            leaves: "the control plane on the old or the new version, possibly `Failed`; the pools untouched".into(),
            reversible: false,
            go_on: rerun,
            back: "none: AKS cannot downgrade a control plane; open a support case if the new version misbehaves".into(),
            command: None,
        },
        StepKind::FullUpgrade { .. } => BackOut {
            leaves: "the control plane upgraded or not, and each pool on the old or the new version, some nodes reimaged".into(),
            reversible: false,
            go_on: rerun,
            back: "none for the control plane; a pool can be rolled back to its previous version and image within 7 days (`az aks nodepool rollback`, cluster auto-upgrade off)".into(),
            command: None,
        },
        StepKind::PoolUpgrade { pool, .. } => {
            let rollback = pool_rollback(cluster, pool);
            BackOut {
                leaves: format!("pool `{pool}` part-upgraded: some nodes on the new version, possibly `Failed`"),
                reversible: true,
                go_on: rerun,
                back: "within 7 days, `az aks nodepool rollback` returns the pool to its previous version and node image (cluster auto-upgrade off; CLI 2.88+)".into(),
                command: Some(rollback.argv()),
            }
        }
        StepKind::PoolNodeImage { pool } => {
            let rollback = pool_rollback(cluster, pool);
            BackOut {
                leaves: format!("pool `{pool}` with some nodes on the new node image"),
                reversible: true,
                go_on: rerun,
                back: "within 7 days, `az aks nodepool rollback` (not while a node OS channel other than None/Unmanaged is on)".into(),
                command: Some(rollback.argv()),
            }
        }
        StepKind::PoolSettings { pool, .. } => BackOut {
            leaves: format!("pool `{pool}` with the old or the new upgrade settings"),
            reversible: true,
            go_on: rerun,
            back: "set the previous settings again with `az aks nodepool update` (they are in the plan's current state)".into(),
            command: None,
        },
        StepKind::ChannelChange { .. } => BackOut {
            leaves: "the channels as before or as set".into(),
            reversible: true,
            go_on: rerun,
            back: "set the channels the cluster had before with `az aks update` (the plan's current state names them)".into(),
            command: None,
        },
        StepKind::MaintenanceSet { name, .. } => {
            let mut delete = az(&["aks", "maintenanceconfiguration", "delete"]);
            delete.push(child_target(cluster, name));
            BackOut {
                leaves: format!("maintenance configuration `{name}` as before or as planned"),
                reversible: true,
                go_on: rerun,
                back: "apply the previous configuration again, or delete it (AKS then uses no window for it)".into(),
                command: Some(delete.argv()),
            }
        }
        StepKind::BlueGreenCreate { new_pool, .. } => {
            let mut delete = az(&["aks", "nodepool", "delete"]);
            delete.push(child_target(cluster, new_pool));
            delete.push([Word::Fixed("--no-wait")]);
            BackOut {
                leaves: format!("the new pool `{new_pool}` created or half-created; the old pool serving"),
                reversible: true,
                go_on: rerun,
                back: format!("delete the new pool `{new_pool}`: the old pool still serves"),
                command: Some(delete.argv()),
            }
        }
        StepKind::BlueGreenCordon { pool } | StepKind::BlueGreenDrain { pool } => BackOut {
            leaves: format!("nodes of the old pool `{pool}` cordoned, some drained; workloads moving to the new pool"),
            reversible: true,
            go_on: rerun,
            back: format!("uncordon the old pool's nodes (`kubectl uncordon -l agentpool={pool}`), then drain and delete the new pool; possible until the old pool is deleted"),
            command: Some(vec![
                "kubectl".into(),
                "--context".into(),
                cluster.name.clone(),
                "uncordon".into(),
                "-l".into(),
                format!("agentpool={pool}"),
            ]),
        },
        StepKind::BlueGreenDelete { pool } => BackOut {
            leaves: format!("the old pool `{pool}` deleted or being deleted"),
            reversible: false,
            go_on: rerun,
            back: "none: a deleted pool is gone; the new pool carries the workloads".into(),
            command: None,
        },
    };
    Some(out)
}

/// A JMESPath test that `az aks maintenanceconfiguration show` prints the planned window: every
/// field the plan sets (an absent offset or start date is AKS's to choose, and not tested).
pub fn maintenance_query(window: &MaintenanceWindow) -> String {
    let w = "maintenanceWindow";
    let text = |field: &str, value: &str| format!("{w}.{field}=='{value}'");
    // Numbers through `to_string`: no JMESPath literal in backticks, which shells and shellcheck
    // read as command substitution.
    let number = |field: &str, value: u32| format!("to_string({w}.{field})=='{value}'");
    let mut tests = Vec::new();
    let schedule = &window.schedule;
    if let Some(daily) = &schedule.daily {
        tests.push(number("schedule.daily.intervalDays", daily.interval_days));
    } else if let Some(weekly) = &schedule.weekly {
        tests.push(number(
            "schedule.weekly.intervalWeeks",
            weekly.interval_weeks.unwrap_or(1),
        ));
        tests.push(text("schedule.weekly.dayOfWeek", &enum_text(&weekly.day_of_week)));
    } else if let Some(monthly) = &schedule.absolute_monthly {
        tests.push(number(
            "schedule.absoluteMonthly.intervalMonths",
            monthly.interval_months,
        ));
        tests.push(number(
            "schedule.absoluteMonthly.dayOfMonth",
            monthly.day_of_month,
        ));
    } else if let Some(monthly) = &schedule.relative_monthly {
        tests.push(number(
            "schedule.relativeMonthly.intervalMonths",
            monthly.interval_months,
        ));
        tests.push(text(
            "schedule.relativeMonthly.dayOfWeek",
            &enum_text(&monthly.day_of_week),
        ));
        tests.push(text(
            "schedule.relativeMonthly.weekIndex",
            &enum_text(&monthly.week_index),
        ));
    }
    tests.push(number("durationHours", window.duration_hours));
    tests.push(text("startTime", &window.start_time));
    if let Some(offset) = &window.utc_offset {
        tests.push(text("utcOffset", offset));
    }
    if let Some(date) = &window.start_date {
        tests.push(text("startDate", date));
    }
    if window.not_allowed_dates.is_empty() {
        tests.push(format!("!({w}.notAllowedDates)"));
    } else {
        tests.push(format!(
            "to_string(length({w}.notAllowedDates))=='{}'",
            window.not_allowed_dates.len()
        ));
    }
    for (i, span) in window.not_allowed_dates.iter().enumerate() {
        tests.push(text(&format!("notAllowedDates[{i}].start"), &span.start));
        tests.push(text(&format!("notAllowedDates[{i}].end"), &span.end));
    }
    tests.join(" && ")
}

/// `TESTS && provisioningState=='Succeeded'`.
fn with_succeeded(mut tests: Vec<String>) -> String {
    tests.push(SUCCEEDED.to_owned());
    tests.join(" && ")
}

/// JMESPath tests that a pool has `settings`, as `az aks nodepool show` prints them (surge and
/// unavailable as strings, minutes as numbers).
pub fn settings_tests(settings: &UpgradeSettings) -> Vec<String> {
    let mut tests = Vec::new();
    if let Some(surge) = settings.max_surge {
        tests.push(format!("upgradeSettings.maxSurge=='{surge}'"));
    }
    if let Some(unavailable) = settings.max_unavailable {
        tests.push(format!("upgradeSettings.maxUnavailable=='{unavailable}'"));
    }
    if let Some(minutes) = settings.drain_timeout_in_minutes {
        tests.push(format!(
            "to_string(upgradeSettings.drainTimeoutInMinutes)=='{minutes}'"
        ));
    }
    if let Some(minutes) = settings.node_soak_duration_in_minutes {
        tests.push(format!(
            "to_string(upgradeSettings.nodeSoakDurationInMinutes)=='{minutes}'"
        ));
    }
    if let Some(behavior) = settings.undrainable_node_behavior {
        tests.push(format!(
            "upgradeSettings.undrainableNodeBehavior=='{}'",
            enum_text(&behavior)
        ));
    }
    tests
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

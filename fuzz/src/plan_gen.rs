//! Structured random plans for the `check_pipeline` target.
//!
//! Random bytes almost never make a plan that gets past the parser and the schema, so the deep
//! stages (rules, compiler, verifier, scheduler) would go unfuzzed. Here libFuzzer's bytes drive
//! `arbitrary` choices on a small plan-shaped struct instead: names, versions, dates and times
//! come from small pools that mix good values with odd ones (LTS patches above 100, minor-only
//! versions, leading zeros, a `v` prefix, February 30th, offsets past 14 hours, shell syntax in
//! names), so most plans load and a good share pass the rules and reach the compiler. The plan
//! is then written out as YAML, JSON or TOML and goes through the real loader.

use arbitrary::Arbitrary;
use serde_json::{Map, Value, json};

use aksplan_model::source::Format;

/// Picks from a pool by a fuzzer-chosen index.
fn pick<'a>(pool: &[&'a str], idx: u8) -> &'a str {
    pool[usize::from(idx) % pool.len()]
}

const CLUSTER_NAMES: &[&str] = &[
    "aks-prod",
    "aks-dev",
    "aks-test",
    "aks-shop-weu",
    "a",
    "aks-prod",
    "Aks_Mixed.Case",
    "bad name",
    "$(rm -rf ~)",
    "ünïcödé",
    "",
    "-lead",
    "it's",
    "a123456789012345678901234567890123456789012345678901234567890123",
];

const POOL_NAMES: &[&str] = &[
    "system",
    "apps",
    "win",
    "np1",
    "gpu",
    "spot",
    "nodepool1",
    "apps",
    "Apps",
    "toolongpool1",
    "a-b",
    "",
];

const VERSIONS: &[&str] = &[
    "1.27.102", "1.27.103", "1.28.100", "1.28.101", "1.29.14", "1.29.15", "1.30.0", "1.30.2", "1.31.1",
    "1.31.3", "1.32.0", "1.32.2", "1.33.0", "1.33.2", "1.34.6", "1.35.3", "1.36.1", "1.37.0",
];

const MINORS: &[&str] = &[
    "1.27", "1.28", "1.29", "1.30", "1.31", "1.32", "1.33", "1.34", "1.35", "1.36", "1.37", "1.38",
];

/// Versions that are not what they seem, or not versions at all.
const ODD_VERSIONS: &[&str] = &[
    "1.26.12",
    "1.24.9",
    "1.30.999",
    "1.40",
    "1.033",
    "v1.30",
    "1.30.1-rc.1",
    "2.0",
    "0.0.0",
    "1",
    "",
    " 1.30",
    "1.18446744073709551615",
    "1.30.18446744073709551615",
    "18446744073709551615.1.1",
    "1.30.0.1",
];

const DATES: &[&str] = &[
    "2024-07-25",
    "2025-05-01",
    "2026-07-01",
    "2026-07-04",
    "2026-12-01",
    "2027-01-31",
    "2030-01-01",
    "2019-01-01",
    "2026-02-29",
    "2028-02-29",
    "2026-13-01",
    "9999-12-31",
    "26-07-01",
];

const TIMESTAMPS: &[&str] = &[
    "2026-07-04T22:00:00+02:00",
    "2026-07-01T00:00:00Z",
    "2024-07-27T22:00:00-07:00",
    "2026-12-31T23:30:00-12:00",
    "2026-07-04T22:00:00",
    "2026-02-30T00:00:00Z",
    "9999-12-31T23:00:00+14:00",
    "2026-03-29T01:30:00+01:00",
    "not a time",
];

const START_TIMES: &[&str] = &["00:00", "09:30", "22:00", "23:59", "24:00", "9:00", "12:60"];

const UTC_OFFSETS: &[&str] = &[
    "+00:00", "-08:00", "+05:30", "+14:00", "-12:00", "+25:00", "08:00",
];

const WAITS: &[&str] = &["48h", "30m", "1d12h", "0h", "2d", "1w", "", "999999999d", "12"];

const NODE_IMAGES: &[&str] = &[
    "AKSUbuntu-2204gen2containerd-202407.03.0",
    "AKSUbuntu-2204gen2containerd-202610.14.0",
    "AKSAzureLinux-V2gen2-202407.03.0",
    "AKSWindows-2022-containerd-20348.2582.240716",
    "AKSWindows-2019-containerd-17763.6054.240716",
    "weird",
    "",
];

const OS_SKUS: &[&str] = &[
    "Ubuntu",
    "Ubuntu2204",
    "AzureLinux",
    "AzureLinux3",
    "Windows2019",
    "Windows2022",
    "Windows2025",
    "CBLMariner",
    "Flatcar",
];

const RULE_CODES: &[&str] = &["AKS114", "AKS135", "AKS120", "AKS183", "AKS999", "POL001", ""];

/// A version for a cluster or a pool.
#[derive(Debug, Arbitrary)]
pub enum VersionPick {
    /// A patch the embedded catalog lists (most plans should be sound).
    Patch(u8),
    /// A minor only (`1.30`).
    Minor(u8),
    Odd(u8),
}

impl VersionPick {
    fn text(&self) -> &'static str {
        match self {
            VersionPick::Patch(idx) => pick(VERSIONS, *idx),
            VersionPick::Minor(idx) => pick(MINORS, *idx),
            VersionPick::Odd(idx) => pick(ODD_VERSIONS, *idx),
        }
    }
}

/// A pool's version, mostly relative to its control plane so that the skew rules pass often.
#[derive(Debug, Arbitrary)]
pub enum PoolVersion {
    SameAsControlPlane,
    /// This many minors behind (0 to 4), on the catalog's first patch of that minor.
    Behind(u8),
    Any(VersionPick),
}

#[derive(Debug, Arbitrary)]
pub enum Surge {
    Count(u8),
    Percent(u8),
    Text(u8),
}

impl Surge {
    fn value(&self) -> Value {
        match self {
            Surge::Count(n) => json!(n % 10),
            Surge::Percent(n) => json!(format!("{}%", n % 120)),
            Surge::Text(idx) => json!(pick(&["0", "33 %", "-1", "1000000000", "%"], *idx)),
        }
    }
}

#[derive(Debug, Arbitrary)]
pub struct SettingsSeed {
    max_surge: Option<Surge>,
    max_unavailable: Option<Surge>,
    drain_timeout: Option<u16>,
    soak: Option<u8>,
    cordon: Option<bool>,
}

impl SettingsSeed {
    fn value(&self) -> Value {
        let mut out = Map::new();
        if let Some(surge) = &self.max_surge {
            out.insert("maxSurge".into(), surge.value());
        }
        if let Some(unavailable) = &self.max_unavailable {
            out.insert("maxUnavailable".into(), unavailable.value());
        }
        if let Some(minutes) = self.drain_timeout {
            out.insert("drainTimeoutInMinutes".into(), json!(minutes % 1500));
        }
        if let Some(minutes) = self.soak {
            out.insert("nodeSoakDurationInMinutes".into(), json!(minutes % 40));
        }
        if let Some(cordon) = self.cordon {
            out.insert(
                "undrainableNodeBehavior".into(),
                json!(if cordon { "Cordon" } else { "Schedule" }),
            );
        }
        Value::Object(out)
    }
}

#[derive(Debug, Arbitrary)]
pub struct PoolSeed {
    name: u8,
    /// 0 System, 1 User, 2 Gateway, else System.
    mode: u8,
    windows: bool,
    os_sku: Option<u8>,
    version: PoolVersion,
    node_image: Option<u8>,
    count: Option<u8>,
    spot: Option<bool>,
    autoscale: Option<(u8, u8)>,
    settings: Option<SettingsSeed>,
    blue_green: bool,
}

#[derive(Debug, Arbitrary)]
pub struct ChannelsSeed {
    upgrade: Option<u8>,
    node_os: Option<u8>,
}

impl ChannelsSeed {
    fn value(&self) -> Value {
        let mut out = Map::new();
        if let Some(idx) = self.upgrade {
            let channel = pick(&["none", "patch", "stable", "rapid", "node-image", "Patch"], idx);
            out.insert("upgradeChannel".into(), json!(channel));
        }
        if let Some(idx) = self.node_os {
            let channel = pick(&["None", "Unmanaged", "SecurityPatch", "NodeImage"], idx);
            out.insert("nodeOSUpgradeChannel".into(), json!(channel));
        }
        Value::Object(out)
    }
}

#[derive(Debug, Arbitrary)]
pub struct WindowSeed {
    /// 0 daily, 1 weekly, 2 absolute monthly, 3 relative monthly, 4 none, 5 two of them.
    kind: u8,
    interval: u8,
    day: u8,
    week_index: u8,
    duration_hours: u8,
    start_time: u8,
    utc_offset: Option<u8>,
    start_date: Option<u8>,
    not_allowed: Vec<(u8, u8)>,
}

impl WindowSeed {
    fn value(&self) -> Value {
        const DAYS: &[&str] = &[
            "Monday",
            "Tuesday",
            "Wednesday",
            "Thursday",
            "Friday",
            "Saturday",
            "Sunday",
        ];
        let interval = self.interval % 8;
        let daily = json!({ "daily": { "intervalDays": interval } });
        let weekly = json!({ "weekly": { "intervalWeeks": interval, "dayOfWeek": pick(DAYS, self.day) } });
        let schedule = match self.kind % 6 {
            0 => daily,
            1 => weekly,
            2 => json!({ "absoluteMonthly": { "intervalMonths": interval, "dayOfMonth": self.day % 33 } }),
            3 => json!({ "relativeMonthly": {
                "intervalMonths": interval,
                "dayOfWeek": pick(DAYS, self.day),
                "weekIndex": pick(&["First", "Second", "Third", "Fourth", "Last"], self.week_index),
            } }),
            4 => json!({}),
            _ => json!({ "daily": { "intervalDays": interval }, "weekly": { "dayOfWeek": "Monday" } }),
        };
        let mut out = Map::new();
        out.insert("schedule".into(), schedule);
        out.insert("durationHours".into(), json!(self.duration_hours % 30));
        out.insert("startTime".into(), json!(pick(START_TIMES, self.start_time)));
        if let Some(idx) = self.utc_offset {
            out.insert("utcOffset".into(), json!(pick(UTC_OFFSETS, idx)));
        }
        if let Some(idx) = self.start_date {
            out.insert("startDate".into(), json!(pick(DATES, idx)));
        }
        if !self.not_allowed.is_empty() {
            let spans: Vec<Value> = self
                .not_allowed
                .iter()
                .take(3)
                .map(|(start, end)| json!({ "start": pick(DATES, *start), "end": pick(DATES, *end) }))
                .collect();
            out.insert("notAllowedDates".into(), Value::Array(spans));
        }
        Value::Object(out)
    }
}

#[derive(Debug, Arbitrary)]
pub struct MaintenanceSeed {
    default: Option<WindowSeed>,
    auto_upgrade: Option<WindowSeed>,
    node_os: Option<WindowSeed>,
}

impl MaintenanceSeed {
    fn value(&self) -> Value {
        let mut out = Map::new();
        for (name, window) in [
            ("default", &self.default),
            ("aksManagedAutoUpgradeSchedule", &self.auto_upgrade),
            ("aksManagedNodeOSUpgradeSchedule", &self.node_os),
        ] {
            if let Some(window) = window {
                out.insert(name.into(), window.value());
            }
        }
        Value::Object(out)
    }
}

#[derive(Debug, Arbitrary)]
pub struct ClusterSeed {
    name: u8,
    target: Option<(VersionPick, bool)>,
    current: VersionPick,
    /// 0 Free, 1 Standard, 2 Premium, else unset.
    tier: u8,
    lts: Option<bool>,
    current_channels: Option<ChannelsSeed>,
    current_maintenance: Option<MaintenanceSeed>,
    channels: Option<ChannelsSeed>,
    maintenance: Option<MaintenanceSeed>,
    pools: Vec<PoolSeed>,
    pool_order: Option<Vec<Vec<u8>>>,
    pool_settings: Option<(u8, SettingsSeed)>,
}

#[derive(Debug, Arbitrary)]
pub struct StageSeed {
    name: u8,
    clusters: Vec<u8>,
    approval: bool,
    after_stage_wait: Option<u8>,
    max_concurrency: Option<u8>,
}

#[derive(Debug, Arbitrary)]
pub struct ChangeWindowSeed {
    name: Option<u8>,
    start: u8,
    duration_hours: u8,
}

#[derive(Debug, Arbitrary)]
pub struct WaiverSeed {
    rule: u8,
    /// 0 plan, 1 a cluster, 2 a pool, else a bad scope.
    scope: u8,
    cluster: u8,
    pool: u8,
    expires: Option<u8>,
}

#[derive(Debug, Clone, Copy, Arbitrary)]
pub enum DocFormat {
    Yaml,
    Json,
    Toml,
}

/// A whole plan; `render` writes it out. Its `Debug` is the rendered document, so that
/// `cargo fuzz fmt check_pipeline INPUT` and libFuzzer's crash report show the plan itself.
#[derive(Arbitrary)]
pub struct PlanSeed {
    pub format: DocFormat,
    as_of: Option<u8>,
    target: VersionPick,
    keep_node_image: Option<bool>,
    lockstep: Option<bool>,
    full_upgrade: Option<bool>,
    estimates: Option<[u32; 4]>,
    clusters: Vec<ClusterSeed>,
    stages: Option<Vec<StageSeed>>,
    change_windows: Vec<ChangeWindowSeed>,
    waivers: Vec<WaiverSeed>,
}

/// Limits that keep one run quick; the properties do not depend on fleet size.
const MAX_CLUSTERS: usize = 4;
const MAX_POOLS: usize = 5;

fn target_value(version: &VersionPick, keep: Option<bool>) -> Value {
    let mut out = Map::new();
    out.insert("kubernetesVersion".into(), json!(version.text()));
    if let Some(keep) = keep {
        out.insert("nodeImage".into(), json!(if keep { "keep" } else { "latest" }));
    }
    Value::Object(out)
}

/// The first listed patch of the minor `minors` below `version`, or the minor itself.
fn behind(version: &str, minors: u8) -> String {
    let mut parts = version.split('.');
    let (Some(major), Some(minor)) = (parts.next(), parts.next().and_then(|m| m.parse::<u64>().ok())) else {
        return version.to_owned();
    };
    let wanted = minor.saturating_sub(u64::from(minors % 5));
    let prefix = format!("{major}.{wanted}.");
    VERSIONS
        .iter()
        .find(|v| v.starts_with(&prefix))
        .map_or_else(|| format!("{major}.{wanted}.0"), |v| (*v).to_owned())
}

impl PoolSeed {
    fn value(&self, control_plane: &str) -> Value {
        let mut out = Map::new();
        out.insert("name".into(), json!(pick(POOL_NAMES, self.name)));
        let mode = match self.mode % 4 {
            1 => "User",
            2 => "Gateway",
            _ => "System",
        };
        out.insert("mode".into(), json!(mode));
        if self.windows {
            out.insert("osType".into(), json!("Windows"));
        }
        if let Some(idx) = self.os_sku {
            out.insert("osSKU".into(), json!(pick(OS_SKUS, idx)));
        }
        let version = match &self.version {
            PoolVersion::SameAsControlPlane => control_plane.to_owned(),
            PoolVersion::Behind(minors) => behind(control_plane, *minors),
            PoolVersion::Any(pick) => pick.text().to_owned(),
        };
        out.insert("orchestratorVersion".into(), json!(version));
        if let Some(idx) = self.node_image {
            out.insert("nodeImageVersion".into(), json!(pick(NODE_IMAGES, idx)));
        }
        if let Some(count) = self.count {
            out.insert("count".into(), json!(count % 120));
        }
        if let Some(spot) = self.spot {
            out.insert(
                "scaleSetPriority".into(),
                json!(if spot { "Spot" } else { "Regular" }),
            );
        }
        if let Some((min, max)) = self.autoscale {
            out.insert("enableAutoScaling".into(), json!(true));
            out.insert("minCount".into(), json!(min % 20));
            out.insert("maxCount".into(), json!(max % 120));
        }
        if let Some(settings) = &self.settings {
            out.insert("upgradeSettings".into(), settings.value());
        }
        if self.blue_green {
            out.insert("strategy".into(), json!("blueGreen"));
        }
        Value::Object(out)
    }
}

impl ClusterSeed {
    fn value(&self, idx: usize) -> Value {
        let mut out = Map::new();
        out.insert("name".into(), json!(pick(CLUSTER_NAMES, self.name)));
        out.insert("resourceGroup".into(), json!(format!("rg-{idx}")));
        if let Some((version, keep)) = &self.target {
            out.insert("target".into(), target_value(version, Some(*keep)));
        }
        let control_plane = self.current.text();
        let mut current = Map::new();
        current.insert("kubernetesVersion".into(), json!(control_plane));
        match self.tier % 4 {
            0 => _ = current.insert("tier".into(), json!("Free")),
            1 => _ = current.insert("tier".into(), json!("Standard")),
            2 => _ = current.insert("tier".into(), json!("Premium")),
            _ => {}
        }
        if let Some(lts) = self.lts {
            let plan = if lts {
                "AKSLongTermSupport"
            } else {
                "KubernetesOfficial"
            };
            current.insert("supportPlan".into(), json!(plan));
        }
        if let Some(channels) = &self.current_channels {
            current.insert("channels".into(), channels.value());
        }
        if let Some(maintenance) = &self.current_maintenance {
            current.insert("maintenance".into(), maintenance.value());
        }
        let pools: Vec<&PoolSeed> = self.pools.iter().take(MAX_POOLS).collect();
        current.insert(
            "nodePools".into(),
            Value::Array(pools.iter().map(|p| p.value(control_plane)).collect()),
        );
        out.insert("current".into(), Value::Object(current));
        if let Some((pool, settings)) = &self.pool_settings {
            out.insert(
                "poolSettings".into(),
                json!({ pick(POOL_NAMES, *pool): settings.value() }),
            );
        }
        if let Some(channels) = &self.channels {
            out.insert("channels".into(), channels.value());
        }
        if let Some(maintenance) = &self.maintenance {
            out.insert("maintenance".into(), maintenance.value());
        }
        if let Some(waves) = &self.pool_order {
            // Mostly the pools' own names, so that the order is often complete and valid.
            let name = |i: &u8| match pools.get(usize::from(*i) % pools.len().max(1)) {
                Some(pool) if i % 8 != 7 => pick(POOL_NAMES, pool.name),
                _ => pick(POOL_NAMES, *i),
            };
            let waves: Vec<Value> = waves
                .iter()
                .take(MAX_POOLS)
                .map(|wave| match wave.as_slice() {
                    [one] => json!(name(one)),
                    many => Value::Array(many.iter().take(MAX_POOLS).map(|i| json!(name(i))).collect()),
                })
                .collect();
            out.insert("poolOrder".into(), Value::Array(waves));
        }
        Value::Object(out)
    }
}

impl std::fmt::Debug for PlanSeed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (text, _, name) = self.render();
        write!(f, "# {name}\n{text}")
    }
}

impl PlanSeed {
    /// The plan as a JSON value (the shape every format is read into).
    pub fn value(&self) -> Value {
        let clusters: Vec<&ClusterSeed> = self.clusters.iter().take(MAX_CLUSTERS).collect();
        let cluster_name = |i: u8| match clusters.get(usize::from(i) % clusters.len().max(1)) {
            Some(cluster) if i % 8 != 7 => pick(CLUSTER_NAMES, cluster.name),
            _ => pick(CLUSTER_NAMES, i),
        };
        let mut spec = Map::new();
        if let Some(idx) = self.as_of {
            spec.insert("asOf".into(), json!(pick(DATES, idx)));
        }
        spec.insert("target".into(), target_value(&self.target, self.keep_node_image));
        if self.lockstep.is_some() || self.full_upgrade.is_some() {
            let mut strategy = Map::new();
            if let Some(lockstep) = self.lockstep {
                strategy.insert(
                    "pools".into(),
                    json!(if lockstep { "lockstep" } else { "minimal" }),
                );
            }
            if let Some(full) = self.full_upgrade {
                let conflict = if full { "fullUpgrade" } else { "switchToNone" };
                strategy.insert("channelConflict".into(), json!(conflict));
            }
            spec.insert("strategy".into(), Value::Object(strategy));
        }
        if let Some([control_plane, node, drain, config]) = self.estimates {
            spec.insert(
                "estimates".into(),
                json!({
                    "controlPlaneMinutes": control_plane,
                    "nodeMinutes": node,
                    "drainMinutes": drain,
                    "configMinutes": config,
                }),
            );
        }
        if let Some(stages) = &self.stages {
            let stages: Vec<Value> = stages
                .iter()
                .take(MAX_CLUSTERS)
                .map(|stage| {
                    let mut out = Map::new();
                    out.insert(
                        "name".into(),
                        json!(pick(&["nonprod", "prod", "canary", "prod", ""], stage.name)),
                    );
                    let members: Vec<Value> = stage
                        .clusters
                        .iter()
                        .take(MAX_CLUSTERS)
                        .map(|i| json!(cluster_name(*i)))
                        .collect();
                    out.insert("clusters".into(), Value::Array(members));
                    if stage.approval {
                        out.insert("approval".into(), json!(true));
                    }
                    if let Some(idx) = stage.after_stage_wait {
                        out.insert("afterStageWait".into(), json!(pick(WAITS, idx)));
                    }
                    if let Some(n) = stage.max_concurrency {
                        out.insert("maxConcurrency".into(), json!(n % 6));
                    }
                    Value::Object(out)
                })
                .collect();
            spec.insert("rollout".into(), json!({ "stages": stages }));
        }
        spec.insert(
            "clusters".into(),
            Value::Array(clusters.iter().enumerate().map(|(idx, c)| c.value(idx)).collect()),
        );
        if !self.change_windows.is_empty() {
            let windows: Vec<Value> = self
                .change_windows
                .iter()
                .take(4)
                .map(|window| {
                    let mut out = Map::new();
                    if let Some(idx) = window.name {
                        out.insert("name".into(), json!(pick(&["CAB 1", "CAB 2", ""], idx)));
                    }
                    out.insert("start".into(), json!(pick(TIMESTAMPS, window.start)));
                    out.insert("durationHours".into(), json!(window.duration_hours % 200));
                    Value::Object(out)
                })
                .collect();
            spec.insert("changeWindows".into(), Value::Array(windows));
        }
        if !self.waivers.is_empty() {
            let waivers: Vec<Value> = self
                .waivers
                .iter()
                .take(3)
                .map(|waiver| {
                    let cluster = cluster_name(waiver.cluster);
                    let scope = match waiver.scope % 4 {
                        0 => "plan".to_owned(),
                        1 => format!("clusters/{cluster}"),
                        2 => format!("clusters/{cluster}/nodePools/{}", pick(POOL_NAMES, waiver.pool)),
                        _ => "clusters/".to_owned(),
                    };
                    let mut out = Map::new();
                    out.insert("rule".into(), json!(pick(RULE_CODES, waiver.rule)));
                    out.insert("scope".into(), json!(scope));
                    out.insert("reason".into(), json!("fuzz"));
                    if let Some(idx) = waiver.expires {
                        out.insert("expires".into(), json!(pick(DATES, idx)));
                    }
                    Value::Object(out)
                })
                .collect();
            spec.insert("waivers".into(), Value::Array(waivers));
        }
        json!({
            "apiVersion": "aksplan/v1",
            "kind": "UpgradePlan",
            "metadata": { "name": "fuzz" },
            "spec": spec,
        })
    }

    /// The plan as text in its format, with the file name that says the format.
    pub fn render(&self) -> (String, Format, &'static str) {
        let value = self.value();
        match self.format {
            DocFormat::Json => (
                serde_json::to_string_pretty(&value).unwrap_or_default(),
                Format::Json,
                "fuzz.json",
            ),
            DocFormat::Yaml => {
                let mut text = String::new();
                write_yaml(&value, 0, &mut text);
                (text, Format::Yaml, "fuzz.yaml")
            }
            // Every generated value has a TOML form (no nulls); JSON is the fallback should the
            // serializer refuse one anyway.
            DocFormat::Toml => match toml::to_string(&value) {
                Ok(text) => (text, Format::Toml, "fuzz.toml"),
                Err(_) => (
                    serde_json::to_string_pretty(&value).unwrap_or_default(),
                    Format::Json,
                    "fuzz.json",
                ),
            },
        }
    }
}

/// A scalar as YAML: strings double-quoted (a JSON string is a valid YAML double-quoted one for
/// the characters the pools use), numbers and booleans plain.
fn yaml_scalar(value: &Value) -> String {
    match value {
        Value::Array(items) if items.is_empty() => "[]".to_owned(),
        Value::Object(members) if members.is_empty() => "{}".to_owned(),
        other => other.to_string(),
    }
}

fn is_block(value: &Value) -> bool {
    match value {
        Value::Array(items) => !items.is_empty(),
        Value::Object(members) => !members.is_empty(),
        _ => false,
    }
}

/// Block-style YAML, as people write plans (flow style would only test the JSON path again).
fn write_yaml(value: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match value {
        Value::Object(members) => {
            for (key, item) in members {
                if is_block(item) {
                    out.push_str(&format!("{pad}{key}:\n"));
                    // Sequences under a key are written at the key's own indent, as is common.
                    let inner = if item.is_array() { indent } else { indent + 2 };
                    write_yaml(item, inner, out);
                } else {
                    out.push_str(&format!("{pad}{key}: {}\n", yaml_scalar(item)));
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                if is_block(item) {
                    let mut nested = String::new();
                    write_yaml(item, indent + 2, &mut nested);
                    // `- ` takes the place of the first line's indent: `- name: x`.
                    out.push_str(&format!("{pad}- {}", &nested[indent + 2..]));
                } else {
                    out.push_str(&format!("{pad}- {}\n", yaml_scalar(item)));
                }
            }
        }
        scalar => out.push_str(&format!("{pad}{}\n", yaml_scalar(scalar))),
    }
}

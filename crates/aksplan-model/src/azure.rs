//! Reading the current state from saved `az` JSON.
//!
//! Accepts exactly what `az aks show -o json`, `az aks nodepool list -o json` and
//! `az aks maintenanceconfiguration list -o json` print (knack's sorted, flattened camelCase,
//! with `null` for every absent field), and also the raw ARM resource (fields under
//! `properties`, ARM casing such as `nodeOSUpgradeChannel` and `osSKU`). Quirks handled, all
//! seen in recorded responses: minor-only `kubernetesVersion` beside the exact
//! `currentKubernetesVersion`, lower-case `osType: windows`, `nodeOsUpgradeChannel: "None"`
//! as a string, upgrade settings printed as objects of nulls, LTS patches above 100.

use std::sync::Arc;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::codes;
use crate::finding::{Finding, Severity};
use crate::plan::{
    Channels, CountOrPercent, CurrentState, DateSpan, Maintenance, MaintenanceWindow, NodePool, Schedule,
};
use crate::source::Document;
use crate::version::KubeVersion;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AzCluster {
    name: Option<String>,
    /// `/subscriptions/SUB/resourcegroups/RG/providers/...`.
    id: Option<String>,
    location: Option<String>,
    resource_group: Option<String>,
    kubernetes_version: Option<String>,
    current_kubernetes_version: Option<String>,
    sku: Option<AzSku>,
    support_plan: Option<String>,
    auto_upgrade_profile: Option<AzAutoUpgradeProfile>,
    agent_pool_profiles: Option<Vec<Value>>,
    network_profile: Option<AzNetworkProfile>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AzNetworkProfile {
    network_plugin: Option<String>,
    network_plugin_mode: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AzSku {
    tier: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AzAutoUpgradeProfile {
    upgrade_channel: Option<String>,
    #[serde(alias = "nodeOSUpgradeChannel")]
    node_os_upgrade_channel: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AzPool {
    name: String,
    mode: Option<String>,
    os_type: Option<String>,
    #[serde(alias = "osSKU")]
    os_sku: Option<String>,
    orchestrator_version: Option<String>,
    current_orchestrator_version: Option<String>,
    node_image_version: Option<String>,
    count: Option<u32>,
    vm_size: Option<String>,
    scale_set_priority: Option<String>,
    enable_auto_scaling: Option<bool>,
    min_count: Option<u32>,
    max_count: Option<u32>,
    upgrade_settings: Option<AzUpgradeSettings>,
    max_pods: Option<u32>,
    #[serde(rename = "vnetSubnetID", alias = "vnetSubnetId")]
    vnet_subnet_id: Option<String>,
    #[serde(rename = "podSubnetID", alias = "podSubnetId")]
    pod_subnet_id: Option<String>,
    #[serde(alias = "podIPAllocationMode")]
    pod_ip_allocation_mode: Option<String>,
    node_taints: Option<Vec<String>>,
    node_labels: Option<std::collections::BTreeMap<String, String>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AzUpgradeSettings {
    max_surge: Option<Value>,
    max_unavailable: Option<Value>,
    drain_timeout_in_minutes: Option<u32>,
    node_soak_duration_in_minutes: Option<u32>,
    undrainable_node_behavior: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AzMaintenanceConfiguration {
    name: Option<String>,
    maintenance_window: Option<AzMaintenanceWindow>,
    time_in_week: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AzMaintenanceWindow {
    schedule: Value,
    duration_hours: u32,
    start_time: String,
    utc_offset: Option<String>,
    start_date: Option<String>,
    not_allowed_dates: Option<Vec<DateSpan>>,
}

/// The state read from one cluster's saved `az` files.
#[derive(Debug, Clone)]
pub struct AzState {
    pub name: Option<String>,
    pub resource_group: Option<String>,
    /// The subscription, from the resource id.
    pub subscription: Option<String>,
    pub location: Option<String>,
    pub current: CurrentState,
    pub channels: Option<Channels>,
    /// The document the pools were read from (the show output or the nodepool list).
    pub pools_doc: Arc<Document>,
    /// Pointer of each pool in `pools_doc`, in the order of `current.node_pools`.
    pub pool_pointers: Vec<String>,
}

/// ARM resources keep their fields under `properties`; `az` flattens them. Accept both.
fn flatten_arm(value: &Value) -> (Value, String) {
    match value.get("properties") {
        Some(Value::Object(properties)) if value.get("agentPoolProfiles").is_none() => {
            let mut flat = value.as_object().cloned().unwrap_or_default();
            flat.remove("properties");
            for (key, val) in properties {
                flat.insert(key.clone(), val.clone());
            }
            (Value::Object(flat), "/properties".into())
        }
        _ => (value.clone(), String::new()),
    }
}

fn typed<T: DeserializeOwned>(doc: &Document, value: &Value, base: &str, what: &str) -> Result<T, Finding> {
    serde_path_to_error::deserialize::<_, T>(value).map_err(|err| {
        let pointer = format!("{base}{}", crate::source::pointer_of_path(err.path()));
        Finding::new(
            codes::AZ_SHAPE,
            format!("`{}` is not {what}: {}", doc.source.name, err.inner()),
        )
        .at(doc.label(&pointer))
        .pointer(pointer)
    })
}

/// An enum value from `az` text, matched case-insensitively against the plan language's names.
fn enum_value<T: DeserializeOwned + schemars::JsonSchema>(text: &str) -> Option<T> {
    let schema = schemars::schema_for!(T).to_value();
    let names = schema.get("enum")?.as_array()?;
    let name = names
        .iter()
        .filter_map(Value::as_str)
        .find(|name| name.eq_ignore_ascii_case(text))?;
    serde_json::from_value(Value::from(name)).ok()
}

/// Reads `az aks show -o json` output.
pub fn read_show(doc: &Arc<Document>, findings: &mut Vec<Finding>) -> Option<AzState> {
    let shape_hint = "save it with `az aks show -g RG -n NAME -o json > FILE`";
    if !doc.value.is_object() {
        findings.push(
            Finding::new(
                codes::AZ_SHAPE,
                format!(
                    "`{}` is not `az aks show` output (not a JSON object)",
                    doc.source.name
                ),
            )
            .at(doc.label(""))
            .help(if doc.value.is_array() {
                "this looks like `az aks nodepool list` output: name it in `currentFrom.nodePools`, and `az aks show` output in `currentFrom.show`"
            } else {
                shape_hint
            }),
        );
        return None;
    }
    let (value, base) = flatten_arm(&doc.value);
    // `get-upgrades` output also has `agentPoolProfiles` (null) but a `controlPlaneProfile`.
    let looks_like_show = value.get("controlPlaneProfile").is_none()
        && (value.get("agentPoolProfiles").is_some_and(Value::is_array)
            || value.get("currentKubernetesVersion").is_some());
    if !looks_like_show {
        let mut finding = Finding::new(
            codes::AZ_SHAPE,
            format!(
                "`{}` is not `az aks show` output (no agent pools, no `currentKubernetesVersion`)",
                doc.source.name
            ),
        )
        .at(doc.label(""))
        .help(shape_hint);
        if value.get("controlPlaneProfile").is_some() {
            finding = finding.help(format!(
                "this looks like `az aks get-upgrades` output; {shape_hint}"
            ));
        }
        findings.push(finding);
        return None;
    }
    let cluster: AzCluster = match typed(doc, &value, &base, "`az aks show` output") {
        Ok(cluster) => cluster,
        Err(finding) => {
            findings.push(finding);
            return None;
        }
    };
    let version_pointer = if cluster.current_kubernetes_version.is_some() {
        format!("{base}/currentKubernetesVersion")
    } else {
        format!("{base}/kubernetesVersion")
    };
    let Some(version) = cluster
        .current_kubernetes_version
        .clone()
        .or(cluster.kubernetes_version.clone())
    else {
        findings.push(
            Finding::new(
                codes::AZ_SHAPE,
                format!("`{}` has no Kubernetes version", doc.source.name),
            )
            .at(doc.label(""))
            .help(shape_hint),
        );
        return None;
    };
    check_version(doc, &version_pointer, &version, findings);
    let pools_value = cluster.agent_pool_profiles.clone().unwrap_or_default();
    let pool_base = format!("{base}/agentPoolProfiles");
    let (node_pools, pool_pointers) = read_pools(doc, &pools_value, &pool_base, findings);
    let channels = cluster.auto_upgrade_profile.as_ref().map(|profile| Channels {
        upgrade_channel: profile.upgrade_channel.as_deref().and_then(|text| {
            enum_or_warn(
                doc,
                &format!("{base}/autoUpgradeProfile/upgradeChannel"),
                text,
                "upgrade channel",
                findings,
            )
        }),
        node_os_upgrade_channel: profile.node_os_upgrade_channel.as_deref().and_then(|text| {
            let pointer = if value
                .pointer("/autoUpgradeProfile/nodeOSUpgradeChannel")
                .is_some()
            {
                format!("{base}/autoUpgradeProfile/nodeOSUpgradeChannel")
            } else {
                format!("{base}/autoUpgradeProfile/nodeOsUpgradeChannel")
            };
            enum_or_warn(doc, &pointer, text, "node OS upgrade channel", findings)
        }),
    });
    let current = CurrentState {
        channels: None,
        maintenance: None,
        kubernetes_version: version,
        tier: cluster
            .sku
            .as_ref()
            .and_then(|sku| sku.tier.as_deref())
            .and_then(|text| enum_or_warn(doc, &format!("{base}/sku/tier"), text, "tier", findings)),
        support_plan: cluster.support_plan.as_deref().and_then(|text| {
            enum_or_warn(
                doc,
                &format!("{base}/supportPlan"),
                text,
                "support plan",
                findings,
            )
        }),
        network: cluster
            .network_profile
            .as_ref()
            .map(|profile| crate::plan::Network {
                network_plugin: profile.network_plugin.as_deref().and_then(|text| {
                    enum_or_warn(
                        doc,
                        &format!("{base}/networkProfile/networkPlugin"),
                        text,
                        "network plugin",
                        findings,
                    )
                }),
                network_plugin_mode: profile.network_plugin_mode.as_deref().and_then(|text| {
                    enum_or_warn(
                        doc,
                        &format!("{base}/networkProfile/networkPluginMode"),
                        text,
                        "network plugin mode",
                        findings,
                    )
                }),
            }),
        node_pools,
    };
    // `/subscriptions/SUB/...`: ARM ids are case-insensitive in their segment names.
    let subscription = cluster.id.as_deref().and_then(|id| {
        let mut parts = id.split('/').filter(|p| !p.is_empty());
        parts
            .next()
            .filter(|p| p.eq_ignore_ascii_case("subscriptions"))
            .and_then(|_| parts.next())
            .map(str::to_owned)
    });
    Some(AzState {
        name: cluster.name,
        resource_group: cluster.resource_group,
        subscription,
        location: cluster.location,
        current,
        channels,
        pools_doc: Arc::clone(doc),
        pool_pointers,
    })
}

/// Reads `az aks nodepool list -o json` output (a JSON array of pools).
pub fn read_nodepool_list(
    doc: &Document,
    findings: &mut Vec<Finding>,
) -> Option<(Vec<NodePool>, Vec<String>)> {
    let Some(items) = doc.value.as_array() else {
        let mut finding = Finding::new(
            codes::AZ_SHAPE,
            format!(
                "`{}` is not `az aks nodepool list` output (not a JSON array)",
                doc.source.name
            ),
        )
        .at(doc.label(""))
        .help("save it with `az aks nodepool list -g RG --cluster-name NAME -o json > FILE`");
        if doc.value.get("agentPoolProfiles").is_some() {
            finding = finding.help("this is `az aks show` output; name it in `currentFrom.show`");
        }
        findings.push(finding);
        return None;
    };
    // Raw ARM list responses wrap pools in `value` and nest fields in `properties`.
    let pools: Vec<Value> = items.iter().map(|item| flatten_arm(item).0).collect();
    Some(read_pools(doc, &pools, "", findings))
}

fn read_pools(
    doc: &Document,
    pools: &[Value],
    base: &str,
    findings: &mut Vec<Finding>,
) -> (Vec<NodePool>, Vec<String>) {
    let mut out = Vec::new();
    let mut pointers = Vec::new();
    for (idx, raw) in pools.iter().enumerate() {
        let pointer = format!("{base}/{idx}");
        let pool: AzPool = match typed(doc, raw, &pointer, "an AKS agent pool") {
            Ok(pool) => pool,
            Err(finding) => {
                findings.push(finding);
                continue;
            }
        };
        let (version_field, version) = match (&pool.current_orchestrator_version, &pool.orchestrator_version)
        {
            (Some(current), _) => ("currentOrchestratorVersion", current.clone()),
            (None, Some(version)) => ("orchestratorVersion", version.clone()),
            (None, None) => {
                findings.push(
                    Finding::new(
                        codes::AZ_SHAPE,
                        format!("agent pool `{}` has no version", pool.name),
                    )
                    .at(doc.label(&pointer))
                    .pointer(pointer.clone()),
                );
                continue;
            }
        };
        check_version(doc, &format!("{pointer}/{version_field}"), &version, findings);
        let Some(mode) = pool.mode.as_deref().and_then(enum_value) else {
            findings.push(
                Finding::new(
                    codes::AZ_SHAPE,
                    format!("agent pool `{}` has no known `mode`", pool.name),
                )
                .at(doc.label(&format!("{pointer}/mode")))
                .pointer(format!("{pointer}/mode")),
            );
            continue;
        };
        let settings = pool.upgrade_settings.as_ref();
        let count_or_percent = |value: Option<&Value>, field: &str, findings: &mut Vec<Finding>| {
            let text = match value? {
                Value::String(text) => text.clone(),
                Value::Number(n) => n.to_string(),
                _ => return None,
            };
            let parsed = CountOrPercent::parse(&text);
            if parsed.is_none() {
                findings.push(
                    Finding::new(
                        codes::INVALID_VALUE,
                        format!("`{field}` `{text}` is neither a count nor a percentage"),
                    )
                    .at(doc.label(&format!("{pointer}/upgradeSettings/{field}"))),
                );
            }
            parsed
        };
        let upgrade_settings = settings.map(|s| crate::plan::UpgradeSettings {
            max_surge: count_or_percent(s.max_surge.as_ref(), "maxSurge", findings),
            max_unavailable: count_or_percent(s.max_unavailable.as_ref(), "maxUnavailable", findings),
            drain_timeout_in_minutes: s.drain_timeout_in_minutes,
            node_soak_duration_in_minutes: s.node_soak_duration_in_minutes,
            undrainable_node_behavior: s.undrainable_node_behavior.as_deref().and_then(enum_value),
        });
        let upgrade_settings = upgrade_settings.filter(|s| *s != crate::plan::UpgradeSettings::default());
        out.push(NodePool {
            strategy: crate::plan::PoolUpgradeStrategy::Rolling,
            name: crate::tree::share(&pool.name),
            mode,
            os_type: pool.os_type.as_deref().and_then(enum_value).unwrap_or_default(),
            os_sku: pool
                .os_sku
                .as_deref()
                .and_then(|text| enum_or_warn(doc, &format!("{pointer}/osSku"), text, "OS SKU", findings)),
            orchestrator_version: crate::tree::share(&version),
            node_image_version: pool.node_image_version.as_deref().map(crate::tree::share),
            count: pool.count,
            vm_size: pool.vm_size.as_deref().map(crate::tree::share),
            scale_set_priority: pool.scale_set_priority.as_deref().and_then(enum_value),
            enable_auto_scaling: pool.enable_auto_scaling,
            min_count: pool.min_count,
            max_count: pool.max_count,
            upgrade_settings,
            max_pods: pool.max_pods,
            vnet_subnet_id: pool.vnet_subnet_id,
            pod_subnet_id: pool.pod_subnet_id,
            pod_ip_allocation_mode: pool.pod_ip_allocation_mode.as_deref().and_then(enum_value),
            node_taints: pool.node_taints.unwrap_or_default(),
            node_labels: pool.node_labels.unwrap_or_default(),
        });
        pointers.push(pointer);
    }
    (out, pointers)
}

/// Reads `az aks maintenanceconfiguration list -o json` (or one `show`) output.
pub fn read_maintenance_list(doc: &Document, findings: &mut Vec<Finding>) -> Maintenance {
    let mut maintenance = Maintenance::default();
    let items: Vec<(String, &Value)> = match &doc.value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("/{i}"), v))
            .collect(),
        object @ Value::Object(_) => vec![(String::new(), object)],
        other => {
            findings.push(
                Finding::new(
                    codes::AZ_SHAPE,
                    format!(
                        "`{}` is not `az aks maintenanceconfiguration list` output: it holds a {}, not a list of configurations",
                        doc.source.name,
                        if other.is_string() { "string" } else { "single value" }
                    ),
                )
                .at(doc.label(""))
                .help("save it with `az aks maintenanceconfiguration list -g RG --cluster-name NAME -o json > FILE`"),
            );
            Vec::new()
        }
    };
    for (pointer, raw) in items {
        let (flat, inner) = flatten_arm(raw);
        let base = format!("{pointer}{inner}");
        let config: AzMaintenanceConfiguration = match typed(doc, &flat, &base, "a maintenance configuration")
        {
            Ok(config) => config,
            Err(finding) => {
                findings.push(finding);
                continue;
            }
        };
        let name = config.name.clone().unwrap_or_default();
        let Some(window) = config.maintenance_window else {
            if config.time_in_week.is_some() {
                findings.push(
                    Finding::new(
                        codes::AZ_MISMATCH,
                        format!("the legacy `{name}` configuration (`timeInWeek`) is not read; describe it as a `maintenanceWindow` in the plan"),
                    )
                    .severity(Severity::Info)
                    .at(doc.label(&format!("{base}/timeInWeek"))),
                );
            }
            continue;
        };
        let schedule: Schedule = match typed(
            doc,
            &window.schedule,
            &format!("{base}/maintenanceWindow/schedule"),
            "a maintenance schedule",
        ) {
            Ok(schedule) => schedule,
            Err(finding) => {
                findings.push(finding);
                continue;
            }
        };
        let converted = MaintenanceWindow {
            schedule,
            duration_hours: window.duration_hours,
            start_time: window.start_time,
            utc_offset: window.utc_offset,
            start_date: window.start_date,
            not_allowed_dates: window.not_allowed_dates.unwrap_or_default(),
        };
        match name.as_str() {
            "default" => maintenance.default = Some(converted),
            "aksManagedAutoUpgradeSchedule" => maintenance.auto_upgrade = Some(converted),
            "aksManagedNodeOSUpgradeSchedule" => maintenance.node_os_upgrade = Some(converted),
            other => findings.push(
                Finding::new(
                    codes::AZ_SHAPE,
                    format!("`{other}` is not a maintenance configuration name AKS knows"),
                )
                .at(doc.label(&format!("{base}/name"))),
            ),
        }
    }
    maintenance
}

fn check_version(doc: &Document, pointer: &str, text: &str, findings: &mut Vec<Finding>) {
    if let Err(err) = KubeVersion::parse(text) {
        findings.push(
            Finding::new(codes::INVALID_VERSION, err.message)
                .at(doc.label(pointer))
                .pointer(pointer)
                .help_opt(err.help),
        );
    }
}

fn enum_or_warn<T: DeserializeOwned + schemars::JsonSchema>(
    doc: &Document,
    pointer: &str,
    text: &str,
    what: &str,
    findings: &mut Vec<Finding>,
) -> Option<T> {
    let value = enum_value(text);
    if value.is_none() {
        findings.push(
            Finding::new(
                codes::AZ_MISMATCH,
                format!("unknown {what} `{text}` in `az` output; it is ignored"),
            )
            .at(doc.label(pointer))
            .pointer(pointer),
        );
    }
    value
}

/// One offered upgrade from a saved `get-upgrades` output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferedUpgrade {
    pub kubernetes_version: KubeVersion,
    pub is_preview: bool,
}

/// The upgrades AKS offers one cluster's control plane, or one pool.
#[derive(Debug, Clone)]
pub struct UpgradeProfile {
    /// The version the profile was taken at.
    pub kubernetes_version: Option<KubeVersion>,
    pub upgrades: Vec<OfferedUpgrade>,
    /// Node pools only: the newest node image for the pool.
    pub latest_node_image_version: Option<String>,
    pub doc: Arc<Document>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AzVersionProfile {
    kubernetes_version: Option<String>,
    upgrades: Option<Vec<AzUpgrade>>,
    latest_node_image_version: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AzUpgrade {
    kubernetes_version: String,
    is_preview: Option<bool>,
}

fn read_profile(
    doc: &Arc<Document>,
    value: &Value,
    base: &str,
    findings: &mut Vec<Finding>,
) -> Option<UpgradeProfile> {
    let profile: AzVersionProfile = match typed(doc, value, base, "an upgrade profile") {
        Ok(profile) => profile,
        Err(finding) => {
            findings.push(finding);
            return None;
        }
    };
    let mut upgrades = Vec::new();
    for (idx, upgrade) in profile.upgrades.unwrap_or_default().iter().enumerate() {
        let pointer = format!("{base}/upgrades/{idx}/kubernetesVersion");
        match KubeVersion::parse(&upgrade.kubernetes_version) {
            Ok(version) => upgrades.push(OfferedUpgrade {
                kubernetes_version: version,
                is_preview: upgrade.is_preview.unwrap_or(false),
            }),
            Err(err) => {
                findings.push(Finding::new(codes::INVALID_VERSION, err.message).at(doc.label(&pointer)))
            }
        }
    }
    Some(UpgradeProfile {
        kubernetes_version: profile
            .kubernetes_version
            .as_deref()
            .and_then(|v| KubeVersion::parse(v).ok()),
        upgrades,
        latest_node_image_version: profile.latest_node_image_version,
        doc: Arc::clone(doc),
    })
}

/// Reads `az aks get-upgrades -o json` output (the control plane's offered upgrades).
pub fn read_cluster_upgrades(doc: &Arc<Document>, findings: &mut Vec<Finding>) -> Option<UpgradeProfile> {
    let (value, base) = flatten_arm(&doc.value);
    let Some(profile) = value.get("controlPlaneProfile") else {
        findings.push(
            Finding::new(
                codes::AZ_SHAPE,
                format!(
                    "`{}` is not `az aks get-upgrades` output (no `controlPlaneProfile`)",
                    doc.source.name
                ),
            )
            .at(doc.label(""))
            .help("save it with `az aks get-upgrades -g RG -n NAME -o json > FILE`"),
        );
        return None;
    };
    read_profile(doc, profile, &format!("{base}/controlPlaneProfile"), findings)
}

/// Reads `az aks nodepool get-upgrades -o json` output (one pool's offered upgrades).
pub fn read_pool_upgrades(doc: &Arc<Document>, findings: &mut Vec<Finding>) -> Option<UpgradeProfile> {
    let (value, base) = flatten_arm(&doc.value);
    if value.get("controlPlaneProfile").is_some() || value.get("kubernetesVersion").is_none() {
        findings.push(
            Finding::new(
                codes::AZ_SHAPE,
                format!("`{}` is not `az aks nodepool get-upgrades` output", doc.source.name),
            )
            .at(doc.label(""))
            .help("save it with `az aks nodepool get-upgrades -g RG --cluster-name NAME --nodepool-name POOL -o json > FILE`"),
        );
        return None;
    }
    read_profile(doc, &value, &base, findings)
}

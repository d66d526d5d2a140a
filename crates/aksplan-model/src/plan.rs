//! The plan language v1 (`apiVersion: aksplan/v1`, `kind: UpgradePlan`).
//!
//! These types are the single source of truth: the JSON Schema in `schemas/plan.schema.json` is
//! generated from them (doc comments become the descriptions editors show). They refuse all
//! the schema refuses (what goes beyond types through `refuse`), so a plan they accept needs no
//! schema validation; one they refuse is validated against the schema, which says what is
//! wrong. Field names follow AKS and `az` JSON where such a field exists (`kubernetesVersion`,
//! `orchestratorVersion`, `nodeImageVersion`, `upgradeSettings.maxSurge`,
//! `nodeOSUpgradeChannel`, `maintenanceWindow` contents).
//!
//! Values with a syntax of their own (versions, dates, durations) are plain strings here and are
//! parsed by the model checks, which can say precisely what is wrong; the schema only checks
//! structure, types and enumerations.
//!
//! Enumeration variants carry `//` rather than `///` comments on purpose: schemars turns
//! documented variants into `oneOf` branches, whose validation errors are far less helpful than
//! those of a plain `enum`.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// An AKS upgrade plan: which clusters move to which Kubernetes version, in what order and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(title = "aksplan upgrade plan (aksplan/v1)")]
pub struct Plan {
    /// Always `aksplan/v1`.
    pub api_version: ApiVersion,
    /// Always `UpgradePlan`.
    pub kind: Kind,
    pub metadata: Metadata,
    pub spec: Spec,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ApiVersion {
    #[serde(rename = "aksplan/v1")]
    V1,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Kind {
    UpgradePlan,
}

/// Who owns this change and how it is tracked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Metadata {
    /// A short name for the plan, used in script headers and reports.
    #[schemars(length(min = 1))]
    #[serde(deserialize_with = "refuse::empty")]
    pub name: String,
    /// The change ticket (e.g. `CHG-4711`) that approves this upgrade.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<String>,
    /// The team or person responsible for the change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Free text for reviewers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Arbitrary key/value labels, passed through to reports and policies.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
}

/// What to upgrade, to what, in which order and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Spec {
    /// The date (`YYYY-MM-DD`) at which support status and the window calendar are evaluated.
    /// Without it, `--as-of` or today's date is used, and the output says so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<String>,
    /// The version every cluster moves to, unless a cluster sets its own `target`.
    pub target: Target,
    /// How clusters move: stage by stage (compare Fleet Manager update strategies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollout: Option<Rollout>,
    /// The clusters this plan upgrades.
    pub clusters: Vec<Cluster>,
    /// When the operator may run the emitted steps (change-board approved windows).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub change_windows: Vec<ChangeWindow>,
    /// Findings accepted on purpose, with reason, ticket, approver and expiry.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waivers: Vec<Waiver>,
    /// How the compiler turns the plan into steps.
    #[serde(default)]
    pub strategy: Strategy,
    /// The duration model's inputs (see `docs/compile.md`); defaults when absent.
    #[serde(default)]
    pub estimates: Estimates,
}

/// Choices the compiler makes the same way for every cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Strategy {
    /// `minimal` (default): pools move only when the skew window forces them, and to the target
    /// at the end: the fewest node reimages. `lockstep`: every pool follows every control-plane
    /// hop: the least skew.
    #[serde(default)]
    pub pools: PoolStrategy,
    /// What to do when an auto-upgrade channel other than `none` forbids control-plane-only
    /// steps. `switchToNone` (default): set the channel to `none` before the first step and
    /// restore it after the last, so every hop can be ordered and reviewed. `fullUpgrade`:
    /// upgrade control plane and pools together at every hop.
    #[serde(default)]
    pub channel_conflict: ChannelConflict,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum PoolStrategy {
    #[default]
    Minimal,
    Lockstep,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum ChannelConflict {
    #[default]
    SwitchToNone,
    FullUpgrade,
}

/// Inputs of the duration model (minutes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Estimates {
    /// A control-plane upgrade (default 20).
    #[serde(default = "default_control_plane_minutes")]
    pub control_plane_minutes: u32,
    /// Provisioning a surge node and reimaging, per batch (default 10).
    #[serde(default = "default_node_minutes")]
    pub node_minutes: u32,
    /// Draining a batch, when it does not hit the drain timeout (default 5).
    #[serde(default = "default_drain_minutes")]
    pub drain_minutes: u32,
    /// A configuration change (channel, maintenance window, upgrade settings) (default 2).
    #[serde(default = "default_config_minutes")]
    pub config_minutes: u32,
}

fn default_control_plane_minutes() -> u32 {
    20
}
fn default_node_minutes() -> u32 {
    10
}
fn default_drain_minutes() -> u32 {
    5
}
fn default_config_minutes() -> u32 {
    2
}

impl Default for Estimates {
    fn default() -> Self {
        Self {
            control_plane_minutes: default_control_plane_minutes(),
            node_minutes: default_node_minutes(),
            drain_minutes: default_drain_minutes(),
            config_minutes: default_config_minutes(),
        }
    }
}

/// The version to reach.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Target {
    /// A minor (`"1.33"`: the latest patch the catalog offers) or an exact patch (`"1.33.2"`).
    /// Quote it: YAML reads an unquoted `1.30` as the number 1.3.
    pub kubernetes_version: String,
    /// `latest`: pools end on the newest node image, with a node-image-only upgrade where a pool is
    /// already at the target version. `keep`: no node-image-only upgrades.
    #[serde(default)]
    pub node_image: NodeImagePolicy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum NodeImagePolicy {
    #[default]
    Latest,
    Keep,
}

/// Rollout across clusters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Rollout {
    /// Stages run one after the other; every cluster belongs to exactly one stage.
    pub stages: Vec<Stage>,
}

/// One rollout stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Stage {
    #[schemars(length(min = 1))]
    #[serde(deserialize_with = "refuse::empty")]
    pub name: String,
    /// Names of clusters (from `spec.clusters`) upgraded in this stage.
    pub clusters: Vec<String>,
    /// Whether the stage waits for a human approval (a gate step) before it starts.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub approval: bool,
    /// Who approves the stage's gate: a role or a group (`prod-cab`, `sre-on-call`). Named in
    /// the script's prompt, the Fleet gate and the review report's sign-off table; implies
    /// `approval: true`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "refuse::empty_option"
    )]
    #[schemars(length(min = 1))]
    pub approver: Option<String>,
    /// How long to wait after this stage before the next starts (`48h`, `30m`, `1d12h`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_stage_wait: Option<String>,
    /// How many clusters of this stage may be upgraded at the same time.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "refuse::zero_option"
    )]
    #[schemars(range(min = 1))]
    pub max_concurrency: Option<u32>,
}

impl Stage {
    /// Whether the stage starts only after a human approval (`approval`, or an `approver`).
    pub fn gated(&self) -> bool {
        self.approval || self.approver.is_some()
    }
}

/// One AKS cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Cluster {
    /// The AKS cluster name.
    pub name: String,
    /// The resource group that holds the cluster.
    pub resource_group: String,
    /// The subscription id (or name) the cluster is in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription: Option<String>,
    /// The Azure region (e.g. `westeurope`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Overrides `spec.target` for this cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Target>,
    /// The cluster as it is now. Give this or `currentFrom`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<std::sync::Arc<CurrentState>>,
    /// Read the current state from saved `az` JSON instead: a path to `az aks show -o json`
    /// output, or an object naming that and optionally `az aks nodepool list -o json` and
    /// `az aks maintenanceconfiguration list -o json` outputs. Paths are relative to the plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_from: Option<CurrentFrom>,
    /// Saved upgrade profiles that narrow the versions this cluster may move to: the output of
    /// `az aks get-upgrades` (control plane) and of `az aks nodepool get-upgrades` per pool.
    /// Paths are relative to the plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upgrade_profiles: Option<UpgradeProfileFiles>,
    /// Upgrade settings to set on pools for the change, by pool name (set with
    /// `az aks nodepool update` before the pool's first upgrade); pools not named keep theirs.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub pool_settings: BTreeMap<String, UpgradeSettings>,
    /// The auto-upgrade channels the cluster should have once the change is done. Absent: keep
    /// the current ones (`current.channels`, or those in the saved `az aks show` output). Only the
    /// channels given here change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channels: Option<Channels>,
    /// The planned-maintenance configurations the change sets, by their AKS names. Absent: keep
    /// the current ones. A configuration given here replaces the current one of that name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maintenance: Option<Maintenance>,
    /// The order in which node pools are upgraded, as waves: each entry is a pool name or a list
    /// of pool names upgraded in parallel. When given, it names every pool exactly once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool_order: Option<Vec<PoolWave>>,
}

/// A wave of the pool order: one pool, or several upgraded in parallel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum PoolWave {
    One(String),
    Parallel(Vec<String>),
}

impl PoolWave {
    pub fn pools(&self) -> &[String] {
        match self {
            PoolWave::One(name) => std::slice::from_ref(name),
            PoolWave::Parallel(names) => names,
        }
    }
}

/// Where to read the current state from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum CurrentFrom {
    /// A path to the output of `az aks show -o json`.
    Show(String),
    Files(CurrentFiles),
}

/// Saved `az` outputs for one cluster; paths are relative to the plan file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CurrentFiles {
    /// `az aks show -g RG -n NAME -o json`.
    pub show: String,
    /// `az aks nodepool list -g RG --cluster-name NAME -o json`; when given, its pools replace
    /// the `agentPoolProfiles` of the show output (it has the same fields, plus upgrade settings
    /// as the pool resource reports them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_pools: Option<String>,
    /// `az aks maintenanceconfiguration list -g RG --cluster-name NAME -o json`: the maintenance
    /// configurations in force now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maintenance_configurations: Option<String>,
    /// `kubectl get pdb,deploy,sts -A -o json`: the PodDisruptionBudgets and workloads that
    /// decide whether each pool's nodes can be drained.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workloads: Option<String>,
    /// `az network vnet subnet show --ids SUBNET_ID -o json`, one file per subnet the pools use:
    /// the addresses surge nodes take.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subnets: Vec<String>,
    /// the VNet's usages, one file per VNet (`az rest --method get --url /subscriptions/SUB/resourceGroups/RG/providers/Microsoft.Network/virtualNetworks/VNET/usages?api-version=2024-05-01`; the Azure CLI has no command for it): the
    /// addresses each of its subnets has in use (more exact than counting its IP configurations).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vnet_usage: Vec<String>,
    /// `az vm list-usage -l LOCATION -o json`: the region's vCPU quota, by VM family.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vm_usage: Option<String>,
    /// `az vm list-skus -l LOCATION --resource-type virtualMachines -o json` (the pools' sizes
    /// are enough): each VM size's family and vCPUs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vm_skus: Option<String>,
}

/// Saved `get-upgrades` outputs for one cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UpgradeProfileFiles {
    /// `az aks get-upgrades -g RG -n NAME -o json`: the versions the control plane may move to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control_plane: Option<String>,
    /// Pool name → `az aks nodepool get-upgrades -g RG --cluster-name NAME --nodepool-name POOL -o json`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub node_pools: BTreeMap<String, String>,
}

impl CurrentFrom {
    pub fn files(&self) -> CurrentFiles {
        match self {
            CurrentFrom::Show(show) => CurrentFiles {
                show: show.clone(),
                node_pools: None,
                maintenance_configurations: None,
                workloads: None,
                subnets: Vec::new(),
                vnet_usage: Vec::new(),
                vm_usage: None,
                vm_skus: None,
            },
            CurrentFrom::Files(files) => files.clone(),
        }
    }
}

/// The cluster as it is before the change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CurrentState {
    /// The control plane's current version, as an exact patch (`"1.30.9"`) where known.
    pub kubernetes_version: String,
    /// The cluster's pricing tier: `Free`, `Standard` or `Premium` (LTS needs `Premium`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<Tier>,
    /// `KubernetesOfficial` or `AKSLongTermSupport`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_plan: Option<SupportPlan>,
    /// The auto-upgrade channels configured now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channels: Option<Channels>,
    /// The planned-maintenance configurations in force now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maintenance: Option<Maintenance>,
    /// The cluster's network plugin (`networkProfile`): how many subnet addresses a node takes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<Network>,
    /// The cluster's node pools.
    pub node_pools: Vec<NodePool>,
}

/// The parts of `networkProfile` that decide how many subnet addresses a surge node takes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Network {
    /// `azure`, `kubenet` or `none`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_plugin: Option<NetworkPlugin>,
    /// `overlay` (Azure CNI Overlay: pods take no subnet addresses) or absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_plugin_mode: Option<NetworkPluginMode>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum NetworkPlugin {
    Azure,
    Kubenet,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum NetworkPluginMode {
    Overlay,
}

impl Network {
    /// Whether every node takes `1 + maxPods` addresses of its subnet: Azure CNI without overlay
    /// (pods on a separate pod subnet are counted there instead).
    pub fn pods_on_node_subnet(&self) -> bool {
        self.network_plugin == Some(NetworkPlugin::Azure) && self.network_plugin_mode.is_none()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Tier {
    Free,
    Standard,
    Premium,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum SupportPlan {
    KubernetesOfficial,
    AKSLongTermSupport,
}

/// One node pool as it is now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NodePool {
    /// The pool name (lower-case letters and digits; Linux up to 12, Windows up to 6 characters).
    #[serde(deserialize_with = "crate::tree::shared")]
    #[schemars(with = "String")]
    pub name: Arc<str>,
    /// `System` or `User`.
    pub mode: PoolMode,
    /// `Linux` (the default) or `Windows`.
    #[serde(default)]
    pub os_type: OsType,
    /// The OS SKU, e.g. `Ubuntu`, `AzureLinux`, `Windows2022`.
    #[serde(default, rename = "osSKU", skip_serializing_if = "Option::is_none")]
    pub os_sku: Option<OsSku>,
    /// The pool's current Kubernetes version (`"1.30.9"`).
    #[serde(deserialize_with = "crate::tree::shared")]
    #[schemars(with = "String")]
    pub orchestrator_version: Arc<str>,
    /// The pool's current node image, e.g. `AKSUbuntu-2204gen2containerd-202510.01.0`.
    #[serde(
        default,
        deserialize_with = "crate::tree::shared_opt",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(with = "Option<String>")]
    pub node_image_version: Option<Arc<str>>,
    /// The number of nodes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// The VM size, e.g. `Standard_D4s_v5`.
    #[serde(
        default,
        deserialize_with = "crate::tree::shared_opt",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(with = "Option<String>")]
    pub vm_size: Option<Arc<str>>,
    /// `Regular` (the default) or `Spot`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_set_priority: Option<ScaleSetPriority>,
    /// Whether the cluster autoscaler manages this pool.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_auto_scaling: Option<bool>,
    /// Autoscaler minimum node count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_count: Option<u32>,
    /// Autoscaler maximum node count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_count: Option<u32>,
    /// How the pool's nodes are replaced during an upgrade.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upgrade_settings: Option<UpgradeSettings>,
    /// The most pods a node of this pool runs (AKS default 30 for Azure CNI, 110 for kubenet and
    /// overlay). With Azure CNI without overlay every node takes `1 + maxPods` subnet addresses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_pods: Option<u32>,
    /// The resource id of the subnet the pool's nodes (and, without a pod subnet, their pods) take
    /// addresses from; absent for a VNet AKS manages itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vnet_subnet_id: Option<String>,
    /// The resource id of the subnet the pool's pods take addresses from (Azure CNI dynamic IP
    /// allocation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_subnet_id: Option<String>,
    /// How pods take addresses from the pod subnet: `DynamicIndividual` (the default, one address
    /// per pod) or `StaticBlock` (blocks of 16 per node, enough for `maxPods`).
    #[serde(
        default,
        rename = "podIPAllocationMode",
        skip_serializing_if = "Option::is_none"
    )]
    pub pod_ip_allocation_mode: Option<PodIpAllocationMode>,
    /// The taints on the pool's nodes (`key=value:Effect`): pods that do not tolerate them do not
    /// run there.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub node_taints: Vec<String>,
    /// The labels on the pool's nodes, besides those AKS sets itself (`agentpool`, ...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub node_labels: BTreeMap<String, String>,
    /// `rolling` (default): upgrade the pool in place. `blueGreen`: create a new pool at the
    /// target, cordon and drain this one, then delete it (needed to change the Windows Server
    /// version).
    #[serde(default, skip_serializing_if = "is_rolling")]
    pub strategy: PoolUpgradeStrategy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum PoolUpgradeStrategy {
    #[default]
    Rolling,
    BlueGreen,
}

fn is_rolling(strategy: &PoolUpgradeStrategy) -> bool {
    *strategy == PoolUpgradeStrategy::Rolling
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum PodIpAllocationMode {
    DynamicIndividual,
    StaticBlock,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum PoolMode {
    System,
    User,
    Gateway,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub enum OsType {
    #[default]
    Linux,
    Windows,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum OsSku {
    Ubuntu,
    Ubuntu2204,
    Ubuntu2404,
    AzureLinux,
    AzureLinux3,
    AzureLinuxOSGuard,
    CBLMariner,
    Mariner,
    Flatcar,
    Windows2019,
    Windows2022,
    Windows2025,
    WindowsAnnual,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ScaleSetPriority {
    Regular,
    Spot,
}

/// Per-pool upgrade settings, as `az aks nodepool update` sets them.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UpgradeSettings {
    /// Extra nodes added during the upgrade: a count (`3`) or a percentage of the pool (`"33%"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_surge: Option<CountOrPercent>,
    /// Nodes that may be unavailable at once: a count or a percentage. Not on System pools.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_unavailable: Option<CountOrPercent>,
    /// Minutes to wait for a node's pods to drain (5 to 1440; AKS default 30).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drain_timeout_in_minutes: Option<u32>,
    /// Minutes to wait after each node before the next (0 to 30; default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_soak_duration_in_minutes: Option<u32>,
    /// What to do with a node that cannot be drained: `Schedule` (AKS default) or `Cordon`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undrainable_node_behavior: Option<UndrainableNodeBehavior>,
}

impl UpgradeSettings {
    /// These settings over `base`, field by field: what a pool has after `az aks nodepool update`
    /// sets these (the fields not given keep their value).
    pub fn over(&self, base: Option<&UpgradeSettings>) -> UpgradeSettings {
        let base = base.cloned().unwrap_or_default();
        UpgradeSettings {
            max_surge: self.max_surge.or(base.max_surge),
            max_unavailable: self.max_unavailable.or(base.max_unavailable),
            drain_timeout_in_minutes: self.drain_timeout_in_minutes.or(base.drain_timeout_in_minutes),
            node_soak_duration_in_minutes: self
                .node_soak_duration_in_minutes
                .or(base.node_soak_duration_in_minutes),
            undrainable_node_behavior: self.undrainable_node_behavior.or(base.undrainable_node_behavior),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum UndrainableNodeBehavior {
    Schedule,
    Cordon,
}

/// A node count (`3`) or a percentage of the pool (`"33%"`), as AKS upgrade settings take them.
/// `az` prints these as strings (`"10%"`, `"0"`); plans may write counts as numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountOrPercent {
    Count(u32),
    Percent(u32),
}

impl CountOrPercent {
    pub fn parse(text: &str) -> Option<Self> {
        let digits = |s: &str| !s.is_empty() && s.len() <= 9 && s.bytes().all(|b| b.is_ascii_digit());
        match text.strip_suffix('%') {
            Some(number) if digits(number) => number.parse().ok().map(CountOrPercent::Percent),
            Some(_) => None,
            None if digits(text) => text.parse().ok().map(CountOrPercent::Count),
            None => None,
        }
    }
}

impl fmt::Display for CountOrPercent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CountOrPercent::Count(n) => write!(f, "{n}"),
            CountOrPercent::Percent(n) => write!(f, "{n}%"),
        }
    }
}

impl Serialize for CountOrPercent {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            CountOrPercent::Count(n) => serializer.serialize_u32(*n),
            CountOrPercent::Percent(_) => serializer.serialize_str(&self.to_string()),
        }
    }
}

impl<'de> Deserialize<'de> for CountOrPercent {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Number(u32),
            Text(String),
        }
        match Raw::deserialize(deserializer)? {
            Raw::Number(n) => Ok(CountOrPercent::Count(n)),
            Raw::Text(text) => CountOrPercent::parse(&text).ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "`{text}` is neither a node count nor a percentage like `33%`"
                ))
            }),
        }
    }
}

impl JsonSchema for CountOrPercent {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "CountOrPercent".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A node count (`3`) or a percentage of the pool (`\"33%\"`).",
            "type": ["integer", "string"],
            "minimum": 0,
            "pattern": "^[0-9]{1,9}%?$"
        })
    }
}

/// The cluster's auto-upgrade channels.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Channels {
    /// Cluster auto-upgrade channel: `none`, `patch`, `stable`, `rapid` or `node-image`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upgrade_channel: Option<UpgradeChannel>,
    /// Node OS auto-upgrade channel: `None`, `Unmanaged`, `SecurityPatch` or `NodeImage`.
    #[serde(
        default,
        rename = "nodeOSUpgradeChannel",
        skip_serializing_if = "Option::is_none"
    )]
    pub node_os_upgrade_channel: Option<NodeOsUpgradeChannel>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum UpgradeChannel {
    None,
    Patch,
    Stable,
    Rapid,
    NodeImage,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum NodeOsUpgradeChannel {
    None,
    Unmanaged,
    SecurityPatch,
    NodeImage,
}

/// The three planned-maintenance configurations AKS knows, by their exact names.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Maintenance {
    /// `default`: AKS weekly releases (control-plane components and add-ons). Weekly only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<MaintenanceWindow>,
    /// `aksManagedAutoUpgradeSchedule`: when cluster auto-upgrade may run.
    #[serde(
        default,
        rename = "aksManagedAutoUpgradeSchedule",
        skip_serializing_if = "Option::is_none"
    )]
    pub auto_upgrade: Option<MaintenanceWindow>,
    /// `aksManagedNodeOSUpgradeSchedule`: when node OS updates may run.
    #[serde(
        default,
        rename = "aksManagedNodeOSUpgradeSchedule",
        skip_serializing_if = "Option::is_none"
    )]
    pub node_os_upgrade: Option<MaintenanceWindow>,
}

impl Maintenance {
    /// The configurations that are set, with their AKS names and plan field names.
    pub fn entries(&self) -> Vec<(&'static str, &MaintenanceWindow)> {
        [
            ("default", self.default.as_ref()),
            ("aksManagedAutoUpgradeSchedule", self.auto_upgrade.as_ref()),
            ("aksManagedNodeOSUpgradeSchedule", self.node_os_upgrade.as_ref()),
        ]
        .into_iter()
        .filter_map(|(name, window)| window.map(|w| (name, w)))
        .collect()
    }
}

/// A maintenance window, as in the `maintenanceWindow` of `az aks maintenanceconfiguration show`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MaintenanceWindow {
    /// Exactly one of `daily`, `weekly`, `absoluteMonthly`, `relativeMonthly`.
    pub schedule: Schedule,
    /// Length of the window in hours (AKS allows 4 to 24).
    pub duration_hours: u32,
    /// Start time of day, `HH:MM`, in `utcOffset`.
    pub start_time: String,
    /// Offset from UTC for `startTime` and `notAllowedDates`, `+HH:MM` or `-HH:MM` (default `+00:00`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utc_offset: Option<String>,
    /// The window is inactive before this date (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<String>,
    /// Date ranges (inclusive) in which no maintenance may start.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_allowed_dates: Vec<DateSpan>,
}

/// The recurrence of a maintenance window; exactly one field is set.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Schedule {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub daily: Option<DailySchedule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weekly: Option<WeeklySchedule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub absolute_monthly: Option<AbsoluteMonthlySchedule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relative_monthly: Option<RelativeMonthlySchedule>,
}

/// Every `intervalDays` days (1 to 7).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DailySchedule {
    pub interval_days: u32,
}

/// Every `intervalWeeks` weeks (1 to 4) on `dayOfWeek`. The `default` configuration is always
/// weekly and may leave out `intervalWeeks`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct WeeklySchedule {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval_weeks: Option<u32>,
    pub day_of_week: DayOfWeek,
}

/// Every `intervalMonths` months (1 to 6) on day `dayOfMonth` (1 to 31).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AbsoluteMonthlySchedule {
    pub interval_months: u32,
    pub day_of_month: u32,
}

/// Every `intervalMonths` months (1 to 6) on the `weekIndex` `dayOfWeek` (e.g. the Last Tuesday).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RelativeMonthlySchedule {
    pub interval_months: u32,
    pub day_of_week: DayOfWeek,
    pub week_index: WeekIndex,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum DayOfWeek {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum WeekIndex {
    First,
    Second,
    Third,
    Fourth,
    Last,
}

/// An inclusive date range, `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DateSpan {
    pub start: String,
    pub end: String,
}

/// A window in which the change may be carried out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ChangeWindow {
    /// An optional label, e.g. the CAB slot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Start, RFC 3339 with an offset: `2026-12-05T22:00:00+01:00`.
    pub start: String,
    /// Length of the window in hours.
    #[schemars(range(min = 1, max = 168))]
    #[serde(deserialize_with = "refuse::outside_a_week")]
    pub duration_hours: u32,
}

/// A finding accepted on purpose.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Waiver {
    /// The code of the rule or policy waived (e.g. `AKS123`).
    pub rule: String,
    /// What it applies to: `plan`, `clusters/NAME` or `clusters/NAME/nodePools/POOL`.
    pub scope: String,
    /// Why this is acceptable.
    #[schemars(length(min = 1))]
    #[serde(deserialize_with = "refuse::empty")]
    pub reason: String,
    /// The ticket that records the decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
    /// Who approved it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    /// The last day (`YYYY-MM-DD`) the waiver applies; after it, the finding counts again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

/// What the schema refuses beyond types, refused by the types too: a plan the types accept (and
/// that holds no `null`, which the schema allows nowhere) needs no schema validation, and the
/// validator is built only for a plan that has something to report (`load::load_plan`). Each
/// helper sits beside the `schemars` attribute it mirrors; `tests/schema_mirror.rs` finds every
/// such constraint in the schema and proves the types refuse a value that breaks it.
mod refuse {
    use serde::{Deserialize, Deserializer, de::Error};

    /// `length(min = 1)`.
    pub fn empty<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
        let text = String::deserialize(deserializer)?;
        if text.is_empty() {
            return Err(D::Error::custom("must not be empty"));
        }
        Ok(text)
    }

    /// `length(min = 1)` on an optional field.
    pub fn empty_option<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
        empty(deserializer).map(Some)
    }

    /// `range(min = 1)` on an optional count.
    pub fn zero_option<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u32>, D::Error> {
        match u32::deserialize(deserializer)? {
            0 => Err(D::Error::custom("must be at least 1")),
            n => Ok(Some(n)),
        }
    }

    /// `range(min = 1, max = 168)`: hours of at most a week.
    pub fn outside_a_week<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
        match u32::deserialize(deserializer)? {
            hours @ 1..=168 => Ok(hours),
            _ => Err(D::Error::custom("must be from 1 to 168 hours")),
        }
    }
}

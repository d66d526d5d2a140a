//! Steps: what the operator (or the emitted script) does, why, and the state it moves between.

use std::collections::BTreeMap;
use std::sync::Arc;

use aksplan_model::codes::Code;
use aksplan_model::plan::{Channels, MaintenanceWindow, OsSku, UpgradeSettings};
use aksplan_model::version::KubeVersion;
use serde::Serialize;

/// The versions of one cluster at a point of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterState {
    #[serde(serialize_with = "version_text")]
    pub control_plane: KubeVersion,
    /// Pool name → version.
    #[serde(serialize_with = "pool_versions")]
    pub pools: BTreeMap<String, KubeVersion>,
}

fn version_text<S: serde::Serializer>(version: &KubeVersion, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&version.to_string())
}

fn code_id<S: serde::Serializer>(code: &Option<Code>, s: S) -> Result<S::Ok, S::Error> {
    match code {
        Some(code) => s.serialize_some(code.id()),
        None => s.serialize_none(),
    }
}

fn pool_versions<S: serde::Serializer>(
    pools: &BTreeMap<String, KubeVersion>,
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = s.serialize_map(Some(pools.len()))?;
    for (name, version) in pools {
        map.serialize_entry(name, &version.to_string())?;
    }
    map.end()
}

impl ClusterState {
    /// `control plane 1.34.6, system 1.34.6, web 1.33.5`.
    pub fn describe(&self) -> String {
        let pools: Vec<String> = self.pools.iter().map(|(name, v)| format!("{name} {v}")).collect();
        if pools.is_empty() {
            format!("control plane {}", self.control_plane)
        } else {
            format!("control plane {}, {}", self.control_plane, pools.join(", "))
        }
    }
}

/// What a step does.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum StepKind {
    /// `az aks upgrade --control-plane-only -k VERSION`.
    ControlPlaneUpgrade {
        #[serde(serialize_with = "version_text")]
        to: KubeVersion,
    },
    /// `az aks upgrade -k VERSION` without `--control-plane-only`: control plane and every pool
    /// together (forced by an auto-upgrade channel under `channelConflict: fullUpgrade`).
    FullUpgrade {
        #[serde(serialize_with = "version_text")]
        to: KubeVersion,
    },
    /// `az aks nodepool upgrade -k VERSION`.
    PoolUpgrade {
        pool: String,
        #[serde(serialize_with = "version_text")]
        to: KubeVersion,
    },
    /// `az aks nodepool upgrade --node-image-only`.
    PoolNodeImage { pool: String },
    /// `az aks nodepool update` with upgrade settings (before the pool's first upgrade).
    PoolSettings { pool: String, settings: UpgradeSettings },
    /// `az aks update --auto-upgrade-channel/--node-os-upgrade-channel`.
    ChannelChange { to: Channels, restore: bool },
    /// `az aks maintenanceconfiguration add|update`.
    MaintenanceSet {
        name: String,
        window: Box<MaintenanceWindow>,
    },
    /// Blue-green: `az aks nodepool add` of the new pool at the target.
    BlueGreenCreate {
        pool: String,
        new_pool: String,
        #[serde(serialize_with = "version_text")]
        to: KubeVersion,
        os_sku: Option<OsSku>,
    },
    /// Blue-green: `kubectl cordon` the old pool's nodes.
    BlueGreenCordon { pool: String },
    /// Blue-green: `kubectl drain` the old pool's nodes.
    BlueGreenDrain { pool: String },
    /// Blue-green: `az aks nodepool delete` of the old pool.
    BlueGreenDelete { pool: String },
    /// A human approval before a stage.
    ApprovalGate {
        stage: String,
        /// Who approves it (`stages[].approver`), when the plan names them.
        #[serde(skip_serializing_if = "Option::is_none")]
        approver: Option<String>,
    },
    /// The `afterStageWait` soak after a stage.
    StageWait { stage: String, seconds: u64 },
}

impl StepKind {
    /// The pool the step acts on (its `pool` field), when it acts on one.
    pub fn pool(&self) -> Option<&str> {
        match self {
            Self::PoolUpgrade { pool, .. }
            | Self::PoolNodeImage { pool }
            | Self::PoolSettings { pool, .. }
            | Self::BlueGreenCreate { pool, .. }
            | Self::BlueGreenCordon { pool }
            | Self::BlueGreenDrain { pool }
            | Self::BlueGreenDelete { pool } => Some(pool),
            Self::ControlPlaneUpgrade { .. }
            | Self::FullUpgrade { .. }
            | Self::ChannelChange { .. }
            | Self::MaintenanceSet { .. }
            | Self::ApprovalGate { .. }
            | Self::StageWait { .. } => None,
        }
    }
}

/// Why a step exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Provenance {
    /// One sentence for reviewers.
    pub reason: String,
    /// The rule that makes it necessary, when one does (e.g. `AKS112`); serialised as its id.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "code_id")]
    pub rule: Option<Code>,
    /// The plan field that asks for it (a JSON pointer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan_field: Option<String>,
    /// The control-plane hop it serves, when it serves one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hop: Option<String>,
}

/// One node of the execution graph.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    /// Stable id, e.g. `aks-prod/cp/1.35.3` or `aks-prod/pool/web/1.35.3`.
    pub id: String,
    /// The cluster it acts on (`None` for stage gates and waits).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    #[serde(flatten)]
    pub kind: StepKind,
    pub provenance: Provenance,
    /// The cluster's versions before and after (absent for steps that change no version).
    /// Shared: the state after a step is the very one before the next, and is held once (a
    /// copy in each of the two was a fifth of a 1,000-cluster run's memory).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<Arc<ClusterState>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<Arc<ClusterState>>,
    /// Estimated duration in minutes (`docs/compile.md`).
    pub estimate_minutes: u64,
    /// Ids of the steps that must finish first.
    pub depends_on: Vec<String>,
}

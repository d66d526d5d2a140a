//! Steps: what the operator (or the emitted script) does, why, and the state it moves between.

use std::sync::Arc;

use aksplan_model::codes::Code;
use aksplan_model::plan::{Channels, MaintenanceWindow, OsSku, UpgradeSettings};
use aksplan_model::version::KubeVersion;
use serde::Serialize;

/// The versions of one cluster at a point of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterState {
    #[serde(serialize_with = "version_text")]
    pub control_plane: KubeVersion,
    /// Pool name → version.
    pub pools: PoolVersions,
}

/// Pool name → version, in name order.
///
/// A sorted vector of a few pools, each name shared by every state of its cluster: a 1,000-cluster
/// plan has ~10,000 states, and as a `BTreeMap<String, _>` each was a node of eleven slots and a
/// string per pool (~900 bytes for eight pools, against ~400).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PoolVersions(Vec<(Arc<str>, KubeVersion)>);

impl PoolVersions {
    /// Where `pool` is, or would be inserted.
    fn find(&self, pool: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(name, _)| (**name).cmp(pool))
    }

    pub fn get(&self, pool: &str) -> Option<&KubeVersion> {
        self.find(pool).ok().and_then(|at| self.0.get(at)).map(|(_, v)| v)
    }

    pub fn contains_key(&self, pool: &str) -> bool {
        self.find(pool).is_ok()
    }

    /// Sets `pool`'s version; a pool already there keeps its shared name.
    pub fn insert(&mut self, pool: impl AsRef<str>, version: KubeVersion) {
        let pool = pool.as_ref();
        match self.find(pool) {
            Ok(at) => {
                if let Some((_, v)) = self.0.get_mut(at) {
                    *v = version;
                }
            }
            Err(at) => self.0.insert(at, (Arc::from(pool), version)),
        }
    }

    pub fn remove(&mut self, pool: &str) -> Option<KubeVersion> {
        let at = self.find(pool).ok()?;
        Some(self.0.remove(at).1)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The pools' names, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(name, _)| &**name)
    }

    pub fn values(&self) -> impl Iterator<Item = &KubeVersion> {
        self.0.iter().map(|(_, v)| v)
    }

    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut KubeVersion> {
        self.0.iter_mut().map(|(_, v)| v)
    }

    /// Each pool and its version, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &KubeVersion)> {
        self.into_iter()
    }
}

impl<'a> IntoIterator for &'a PoolVersions {
    type Item = (&'a str, &'a KubeVersion);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (Arc<str>, KubeVersion)>,
        fn(&'a (Arc<str>, KubeVersion)) -> (&'a str, &'a KubeVersion),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(name, v)| (&**name, v))
    }
}

impl<S: AsRef<str>> FromIterator<(S, KubeVersion)> for PoolVersions {
    /// A later entry for the same pool replaces an earlier one (as a map's `collect` does).
    fn from_iter<I: IntoIterator<Item = (S, KubeVersion)>>(iter: I) -> Self {
        let mut pools = Self::default();
        for (name, version) in iter {
            pools.insert(name, version);
        }
        pools.0.shrink_to_fit();
        pools
    }
}

impl Serialize for PoolVersions {
    /// A map of name to version text, as the `BTreeMap` it replaced.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (name, version) in &self.0 {
            map.serialize_entry(&**name, &version.to_string())?;
        }
        map.end()
    }
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
        pool: Arc<str>,
        #[serde(serialize_with = "version_text")]
        to: KubeVersion,
    },
    /// `az aks nodepool upgrade --node-image-only`.
    PoolNodeImage { pool: Arc<str> },
    /// `az aks nodepool update` with upgrade settings (before the pool's first upgrade).
    PoolSettings {
        pool: Arc<str>,
        settings: UpgradeSettings,
    },
    /// `az aks update --auto-upgrade-channel/--node-os-upgrade-channel`.
    ChannelChange { to: Channels, restore: bool },
    /// `az aks maintenanceconfiguration add|update`.
    MaintenanceSet {
        name: String,
        window: Box<MaintenanceWindow>,
    },
    /// Blue-green: `az aks nodepool add` of the new pool at the target.
    BlueGreenCreate {
        pool: Arc<str>,
        new_pool: String,
        #[serde(serialize_with = "version_text")]
        to: KubeVersion,
        os_sku: Option<OsSku>,
    },
    /// Blue-green: `kubectl cordon` the old pool's nodes.
    BlueGreenCordon { pool: Arc<str> },
    /// Blue-green: `kubectl drain` the old pool's nodes.
    BlueGreenDrain { pool: Arc<str> },
    /// Blue-green: `az aks nodepool delete` of the old pool.
    BlueGreenDelete { pool: Arc<str> },
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
    /// One sentence for reviewers: one text for the steps that say the same (a fleet's
    /// clusters mostly do).
    pub reason: Arc<str>,
    /// The rule that makes it necessary, when one does (e.g. `AKS112`); serialised as its id.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "code_id")]
    pub rule: Option<Code>,
    /// The plan field that asks for it (a JSON pointer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan_field: Option<Arc<str>>,
    /// The control-plane hop it serves, when it serves one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hop: Option<Arc<str>>,
}

/// One node of the execution graph.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    /// Stable id, e.g. `aks-prod/cp/1.35.3` or `aks-prod/pool/web/1.35.3`.
    pub id: Arc<str>,
    /// The cluster it acts on (`None` for stage gates and waits): one text per cluster, shared
    /// by its steps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster: Option<Arc<str>>,
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
    /// Ids of the steps that must finish first: each the very text the builder handed out for
    /// that step, shared (a step's id is named by ~3 others; copies were 1.4 MB at 1,000 clusters).
    pub depends_on: Vec<Arc<str>>,
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn v(text: &str) -> KubeVersion {
        KubeVersion::parse(text).unwrap()
    }

    /// The map it replaced, answer for answer: name order, replacement, removal, serialisation.
    #[test]
    fn pool_versions_answer_as_a_map() {
        let mut pools: PoolVersions = [
            ("web", v("1.34.6")),
            ("system", v("1.34.6")),
            ("api", v("1.33.2")),
        ]
        .into_iter()
        .collect();
        let mut map: std::collections::BTreeMap<String, KubeVersion> = pools
            .iter()
            .map(|(name, version)| (name.to_owned(), *version))
            .collect();
        pools.insert("web", v("1.35"));
        map.insert("web".to_owned(), v("1.35"));
        pools.insert(String::from("batch"), v("1.35"));
        map.insert("batch".to_owned(), v("1.35"));
        assert_eq!(pools.remove("api"), map.remove("api"));
        assert_eq!(pools.remove("nope"), None);
        let as_map: Vec<(&str, &KubeVersion)> = map.iter().map(|(k, v)| (k.as_str(), v)).collect();
        assert_eq!(pools.iter().collect::<Vec<_>>(), as_map);
        assert_eq!(pools.keys().collect::<Vec<_>>(), ["batch", "system", "web"]);
        assert_eq!(pools.get("web"), Some(&v("1.35")));
        assert!(pools.contains_key("system") && !pools.contains_key("api"));
        assert_eq!(
            serde_json::to_string(&pools).unwrap(),
            serde_json::to_string(
                &map.iter()
                    .map(|(k, v)| (k.clone(), v.to_string()))
                    .collect::<std::collections::BTreeMap<_, _>>()
            )
            .unwrap()
        );
        // As `collect` into a map: a later entry for the same pool wins.
        let twice: PoolVersions = [("a", v("1.33")), ("a", v("1.34"))].into_iter().collect();
        assert_eq!(twice.iter().collect::<Vec<_>>(), [("a", &v("1.34"))]);
    }

    /// A state made from another by a pool's new version shares every pool name with it: the
    /// names are allocated once per cluster, not once per state.
    #[test]
    fn states_share_pool_names() {
        let start: PoolVersions = [("system", v("1.34.6")), ("web", v("1.34.6"))]
            .into_iter()
            .collect();
        let mut next = start.clone();
        next.insert("web", v("1.35"));
        for ((a, _), (b, _)) in start.0.iter().zip(next.0.iter()) {
            assert!(Arc::ptr_eq(a, b), "{a} copied");
        }
        assert_eq!(next.get("web"), Some(&v("1.35")));
    }
}

//! What rules look at, and helpers to place findings.

use std::sync::Arc;

use aksplan_catalog::Catalog;
use aksplan_model::finding::Label;
use aksplan_model::plan::{Cluster, NodePool, OsType, Plan, SupportPlan, Tier};
use aksplan_model::resolve::ResolvedCluster;
use aksplan_model::source::Document;
use aksplan_model::version::KubeVersion;
use jiff::civil::Date;

pub struct Context<'a> {
    /// The plan document (for spans).
    pub doc: &'a Arc<Document>,
    pub plan: &'a Plan,
    pub clusters: &'a [ResolvedCluster],
    pub catalog: &'a Catalog,
    /// The date support status is judged on.
    pub as_of: Date,
    /// Kubernetes manifests given with `--manifests` (one document per object).
    pub manifests: &'a [Document],
}

impl<'a> Context<'a> {
    pub fn new(
        doc: &'a Arc<Document>,
        plan: &'a Plan,
        clusters: &'a [ResolvedCluster],
        catalog: &'a Catalog,
        as_of: Date,
        manifests: &'a [Document],
    ) -> Self {
        Self {
            doc,
            plan,
            clusters,
            catalog,
            as_of,
            manifests,
        }
    }

    /// Every cluster whose state could be resolved, with its plan entry.
    pub fn clusters(&self) -> impl Iterator<Item = ClusterView<'a>> + '_ {
        self.clusters.iter().map(move |resolved| ClusterView {
            doc: self.doc,
            plan: self.plan,
            spec: &self.plan.spec.clusters[resolved.index],
            resolved,
        })
    }
}

/// One cluster as the rules see it.
pub struct ClusterView<'a> {
    pub doc: &'a Arc<Document>,
    pub plan: &'a Plan,
    pub spec: &'a Cluster,
    pub resolved: &'a ResolvedCluster,
}

impl<'a> ClusterView<'a> {
    pub fn name(&self) -> &str {
        &self.spec.name
    }

    /// Pointer of this cluster in the plan.
    pub fn pointer(&self) -> String {
        format!("/spec/clusters/{}", self.resolved.index)
    }

    /// The target version and the pointer of the plan field that sets it.
    pub fn target(&self) -> Option<(KubeVersion, String)> {
        let (text, pointer) = match &self.spec.target {
            Some(target) => (
                &target.kubernetes_version,
                format!("{}/target/kubernetesVersion", self.pointer()),
            ),
            None => (
                &self.plan.spec.target.kubernetes_version,
                "/spec/target/kubernetesVersion".to_owned(),
            ),
        };
        KubeVersion::parse(text).ok().map(|v| (v, pointer))
    }

    /// A label on the target version.
    pub fn target_label(&self) -> Label {
        let pointer = self
            .target()
            .map_or_else(|| "/spec/target".to_owned(), |(_, p)| p);
        self.doc.label(&pointer)
    }

    pub fn current_version(&self) -> Option<KubeVersion> {
        KubeVersion::parse(&self.resolved.current.kubernetes_version).ok()
    }

    /// Where the current control-plane version is written: the plan, or the saved `az` output.
    pub fn current_version_label(&self) -> Label {
        if self.spec.current.is_some() {
            return self
                .doc
                .label(&format!("{}/current/kubernetesVersion", self.pointer()));
        }
        match self.resolved.state_docs.first() {
            Some(show) => {
                let base = if show.map.has_value("/properties") {
                    "/properties"
                } else {
                    ""
                };
                let field = if show.map.has_value(&format!("{base}/currentKubernetesVersion")) {
                    "currentKubernetesVersion"
                } else {
                    "kubernetesVersion"
                };
                show.label(&format!("{base}/{field}"))
            }
            None => self.doc.label(&self.pointer()),
        }
    }

    /// A label on a field of the current state (`tier`, `supportPlan`, ...), in the plan or in
    /// the saved `az aks show` output (`tier` is `sku.tier` there).
    pub fn current_field_label(&self, field: &str) -> Label {
        if self.spec.current.is_some() {
            let pointer = format!("{}/current/{field}", self.pointer());
            let pointer = if self.doc.map.has_value(&pointer) {
                pointer
            } else {
                format!("{}/current", self.pointer())
            };
            return self.doc.label(&pointer);
        }
        match self.resolved.state_docs.first() {
            Some(show) => {
                let base = if show.map.has_value("/properties") {
                    "/properties"
                } else {
                    ""
                };
                let az_field = if field == "tier" { "sku/tier" } else { field };
                show.label(&format!("{base}/{az_field}"))
            }
            None => self.doc.label(&self.pointer()),
        }
    }

    pub fn pools(&self) -> &'a [NodePool] {
        &self.resolved.current.node_pools
    }

    pub fn pool_version(&self, idx: usize) -> Option<KubeVersion> {
        self.pools()
            .get(idx)
            .and_then(|p| KubeVersion::parse(&p.orchestrator_version).ok())
    }

    /// A label on a field of pool `idx` (plan field name; `az` spellings are tried too).
    pub fn pool_label(&self, idx: usize, field: &str) -> Label {
        let doc = &self.resolved.pools_doc;
        let Some(base) = self.resolved.pool_pointers.get(idx) else {
            return self.doc.label(&self.pointer());
        };
        let candidates: Vec<&str> = match field {
            "orchestratorVersion" => vec!["orchestratorVersion", "currentOrchestratorVersion"],
            "osSKU" => vec!["osSKU", "osSku"],
            other => vec![other],
        };
        // In `az` output the exact version is `currentOrchestratorVersion`; prefer it there.
        let ordered: Vec<&str> = if Arc::ptr_eq(doc, self.doc) {
            candidates
        } else {
            candidates.into_iter().rev().collect()
        };
        for name in ordered {
            let pointer = format!("{base}/{name}");
            if doc.map.has_value(&pointer) {
                return doc.label(&pointer);
            }
        }
        doc.label(base)
    }

    /// Pointer of pool `idx` when it is written in the plan itself.
    pub fn pool_pointer_in_plan(&self, idx: usize) -> Option<String> {
        Arc::ptr_eq(&self.resolved.pools_doc, self.doc)
            .then(|| self.resolved.pool_pointers.get(idx).cloned())
            .flatten()
    }

    pub fn is_lts(&self) -> bool {
        self.resolved.current.support_plan == Some(SupportPlan::AKSLongTermSupport)
    }

    pub fn is_premium(&self) -> bool {
        self.resolved.current.tier == Some(Tier::Premium)
    }

    /// Whether the compiler keeps the cluster's auto-upgrade channel on and makes every hop a full
    /// upgrade (control plane and pools together): an auto-upgrade channel is set and the plan's
    /// `strategy.channelConflict` is `fullUpgrade`. Otherwise hops are control-plane-only. The
    /// compiler and the rules that judge its route ask this one place.
    pub fn full_upgrades(&self) -> bool {
        let auto_upgrade = self
            .resolved
            .current
            .channels
            .as_ref()
            .and_then(|c| c.upgrade_channel)
            .is_some_and(|c| c != aksplan_model::plan::UpgradeChannel::None);
        auto_upgrade
            && self.plan.spec.strategy.channel_conflict == aksplan_model::plan::ChannelConflict::FullUpgrade
    }

    /// The control-plane route the compiler takes from the current version to the target on
    /// `as_of` ([`crate::skew::route`]), with the cluster's own `get-upgrades` list when the plan
    /// gives one. The rules that judge the route and the compiler ask this one place.
    pub fn route(&self, catalog: &Catalog, as_of: Date) -> crate::skew::Route {
        let upgrades: Vec<KubeVersion> = self
            .resolved
            .upgrade_profile
            .iter()
            .flat_map(|p| &p.upgrades)
            .filter(|u| !u.is_preview)
            .map(|u| u.kubernetes_version)
            .collect();
        match (self.current_version(), self.target()) {
            (Some(current), Some((target, _))) => crate::skew::route(
                catalog,
                crate::skew::RouteInput {
                    current,
                    target,
                    lts: self.is_lts(),
                    as_of,
                    upgrades: &upgrades,
                },
            ),
            _ => crate::skew::Route {
                kind: crate::skew::RouteKind::Patch,
                hops: Vec::new(),
            },
        }
    }

    /// The pools grouped into waves upgraded one after another, the pools of a wave in parallel:
    /// the plan's `poolOrder`, else the System pools, then the others. The compiler builds its
    /// steps from these waves and the capacity rules add up the surge of each.
    pub fn pool_waves(&self) -> Vec<Vec<String>> {
        if let Some(order) = &self.spec.pool_order {
            return order.iter().map(|wave| wave.pools().to_vec()).collect();
        }
        let (system, others): (Vec<&NodePool>, Vec<&NodePool>) = self
            .pools()
            .iter()
            .partition(|p| p.mode == aksplan_model::plan::PoolMode::System);
        [system, others]
            .into_iter()
            .map(|wave| wave.into_iter().map(|p| p.name.to_string()).collect::<Vec<_>>())
            .filter(|w| !w.is_empty())
            .collect()
    }

    /// The upgrade settings pool `idx` has during the change: the plan's `poolSettings` for it,
    /// field by field, over the pool's own.
    pub fn planned_settings(&self, idx: usize) -> aksplan_model::plan::UpgradeSettings {
        let Some(pool) = self.pools().get(idx) else {
            return Default::default();
        };
        match self.spec.pool_settings.get(&*pool.name) {
            Some(planned) => planned.over(pool.upgrade_settings.as_ref()),
            None => pool.upgrade_settings.clone().unwrap_or_default(),
        }
    }

    pub fn has_windows_pools(&self) -> bool {
        self.pools().iter().any(|p| p.os_type == OsType::Windows)
    }
}

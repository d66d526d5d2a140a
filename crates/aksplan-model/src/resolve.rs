//! The current state of each cluster: written in the plan, or read from saved `az` JSON.
//!
//! The only file I/O in this crate: `currentFrom` paths are read relative to the plan's folder.

use std::path::Path;
use std::sync::Arc;

use crate::azure;
use crate::codes;
use crate::finding::Finding;
use crate::plan::{Channels, CurrentState, Maintenance, Plan};
use crate::source::{Document, Format, parse_document};

/// One cluster's state before the change, and where each part was written.
#[derive(Debug, Clone)]
pub struct ResolvedCluster {
    /// Index into `spec.clusters`.
    pub index: usize,
    pub name: String,
    pub current: CurrentState,
    pub channels: Channels,
    pub maintenance: Maintenance,
    /// The document the pools were written in: the plan, or a saved `az` output.
    pub pools_doc: Arc<Document>,
    /// Pointer of the pool list in `pools_doc`.
    pub pools_pointer: String,
    /// Pointer of each pool in `pools_doc`, in the order of `current.node_pools`.
    pub pool_pointers: Vec<String>,
    /// Saved `az` documents this cluster's state came from (empty when written in the plan).
    pub state_docs: Vec<Arc<Document>>,
}

/// Resolves every cluster that has a usable current state; problems become findings.
pub fn resolve(doc: &Arc<Document>, plan: &Plan, base_dir: &Path) -> (Vec<ResolvedCluster>, Vec<Finding>) {
    let mut clusters = Vec::new();
    let mut findings = Vec::new();
    for (index, cluster) in plan.spec.clusters.iter().enumerate() {
        let base = format!("/spec/clusters/{index}");
        let channels = cluster.channels.clone();
        let maintenance = cluster.maintenance.clone();
        match (&cluster.current, &cluster.current_from) {
            (Some(current), None) => clusters.push(ResolvedCluster {
                index,
                name: cluster.name.clone(),
                current: current.clone(),
                channels: channels.unwrap_or_default(),
                maintenance: maintenance.unwrap_or_default(),
                pools_doc: Arc::clone(doc),
                pools_pointer: format!("{base}/current/nodePools"),
                pool_pointers: (0..current.node_pools.len())
                    .map(|p| format!("{base}/current/nodePools/{p}"))
                    .collect(),
                state_docs: Vec::new(),
            }),
            (None, Some(from)) => {
                let files = from.files();
                let pointer_of = |field: &str| match from {
                    crate::plan::CurrentFrom::Show(_) => format!("{base}/currentFrom"),
                    crate::plan::CurrentFrom::Files(_) => format!("{base}/currentFrom/{field}"),
                };
                let Some(show_doc) =
                    read_state_file(doc, &pointer_of("show"), &files.show, base_dir, &mut findings)
                else {
                    continue;
                };
                let Some(state) = azure::read_show(&show_doc, &mut findings) else {
                    continue;
                };
                let mut resolved = ResolvedCluster {
                    index,
                    name: cluster.name.clone(),
                    current: state.current.clone(),
                    channels: channels.or(state.channels.clone()).unwrap_or_default(),
                    maintenance: maintenance.clone().unwrap_or_default(),
                    pools_doc: Arc::clone(&state.pools_doc),
                    pools_pointer: if show_doc.value.get("properties").is_some()
                        && show_doc.value.get("agentPoolProfiles").is_none()
                    {
                        "/properties/agentPoolProfiles".into()
                    } else {
                        "/agentPoolProfiles".into()
                    },
                    pool_pointers: state.pool_pointers.clone(),
                    state_docs: vec![Arc::clone(&show_doc)],
                };
                compare_identity(doc, &base, cluster, &state, &show_doc, &mut findings);
                if let Some(path) = &files.node_pools
                    && let Some(list_doc) =
                        read_state_file(doc, &pointer_of("nodePools"), path, base_dir, &mut findings)
                    && let Some((pools, pointers)) = azure::read_nodepool_list(&list_doc, &mut findings)
                {
                    compare_pools(&state, &pools, &list_doc, &mut findings);
                    resolved.current.node_pools = pools;
                    resolved.pool_pointers = pointers;
                    resolved.pools_doc = Arc::clone(&list_doc);
                    resolved.pools_pointer = String::new();
                    resolved.state_docs.push(list_doc);
                }
                if let Some(path) = &files.maintenance_configurations
                    && let Some(list_doc) = read_state_file(
                        doc,
                        &pointer_of("maintenanceConfigurations"),
                        path,
                        base_dir,
                        &mut findings,
                    )
                {
                    let read = azure::read_maintenance_list(&list_doc, &mut findings);
                    if maintenance.is_none() {
                        resolved.maintenance = read;
                    }
                    resolved.state_docs.push(list_doc);
                }
                clusters.push(resolved);
            }
            // Neither or both: reported by the model checks.
            _ => {}
        }
    }
    (clusters, findings)
}

fn read_state_file(
    plan_doc: &Document,
    pointer: &str,
    path: &str,
    base_dir: &Path,
    findings: &mut Vec<Finding>,
) -> Option<Arc<Document>> {
    let full = base_dir.join(path);
    let display = full.to_string_lossy().into_owned();
    match std::fs::read(&full) {
        Ok(bytes) => match parse_document(&display, &bytes, Format::Json) {
            Ok(doc) => Some(Arc::new(doc)),
            Err(finding) => {
                findings.push(finding);
                None
            }
        },
        Err(err) => {
            findings.push(
                Finding::new(codes::CURRENT_FROM, format!("cannot read `{display}`: {err}"))
                    .at(plan_doc.label(pointer).with_message("named here"))
                    .pointer(pointer)
                    .help("paths in `currentFrom` are relative to the plan file; save the file with `az aks show -g RG -n NAME -o json > FILE`"),
            );
            None
        }
    }
}

fn compare_identity(
    plan_doc: &Document,
    base: &str,
    cluster: &crate::plan::Cluster,
    state: &azure::AzState,
    show_doc: &Document,
    findings: &mut Vec<Finding>,
) {
    if let Some(name) = &state.name
        && name != &cluster.name
    {
        findings.push(
            Finding::new(
                codes::AZ_MISMATCH,
                format!(
                    "cluster `{}` reads its state from output saved for cluster `{name}`",
                    cluster.name
                ),
            )
            .at(plan_doc.label(&format!("{base}/name")))
            .also(show_doc.label("/name").with_message("saved from this cluster"))
            .pointer(format!("{base}/name"))
            .help("save `az aks show` for the right cluster, or correct the cluster name"),
        );
    }
    if let Some(group) = &state.resource_group
        && !group.eq_ignore_ascii_case(&cluster.resource_group)
    {
        findings.push(
            Finding::new(
                codes::AZ_MISMATCH,
                format!(
                    "cluster `{}` is in resource group `{}` in the plan but `{group}` in its saved state",
                    cluster.name, cluster.resource_group
                ),
            )
            .at(plan_doc.label(&format!("{base}/resourceGroup")))
            .also(show_doc.label("/resourceGroup").with_message("saved state says"))
            .pointer(format!("{base}/resourceGroup")),
        );
    }
}

fn compare_pools(
    state: &azure::AzState,
    list: &[crate::plan::NodePool],
    list_doc: &Document,
    findings: &mut Vec<Finding>,
) {
    let shown: Vec<&str> = state.current.node_pools.iter().map(|p| p.name.as_str()).collect();
    let listed: Vec<&str> = list.iter().map(|p| p.name.as_str()).collect();
    if shown.iter().any(|name| !listed.contains(name)) || listed.iter().any(|name| !shown.contains(name)) {
        findings.push(
            Finding::new(
                codes::AZ_MISMATCH,
                format!(
                    "the node pool list ({}) and the show output ({}) name different pools; the list is used",
                    listed.join(", "),
                    shown.join(", ")
                ),
            )
            .at(list_doc.label("")),
        );
    }
}

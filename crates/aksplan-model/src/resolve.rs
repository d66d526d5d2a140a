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
    /// The state before the change; `current.channels` and `current.maintenance` are filled in
    /// (empty when nothing says what they are). Shared with the plan when the plan writes it
    /// (a copy was 2.6 MiB at 1,000 clusters × 8 pools).
    pub current: Arc<CurrentState>,
    /// The channels once the change is done: the plan's `channels` over the current ones.
    pub channels: Channels,
    /// The maintenance configurations once the change is done: the plan's over the current ones.
    pub maintenance: Maintenance,
    /// The document the pools were written in: the plan, or a saved `az` output.
    pub pools_doc: Arc<Document>,
    /// Pointer of the pool list in `pools_doc`.
    pub pools_pointer: String,
    /// Pointer of each pool in `pools_doc`, in the order of `current.node_pools`.
    pub pool_pointers: Vec<String>,
    /// Saved `az` documents this cluster's state came from (empty when written in the plan).
    pub state_docs: Vec<Arc<Document>>,
    /// The control plane's offered upgrades (`upgradeProfiles.controlPlane`), when given.
    pub upgrade_profile: Option<azure::UpgradeProfile>,
    /// Each pool's offered upgrades (`upgradeProfiles.nodePools`), by pool name.
    pub pool_upgrade_profiles: std::collections::BTreeMap<String, azure::UpgradeProfile>,
    /// Live facts (PDBs and workloads, subnets, vCPU quota) from the `currentFrom` files that
    /// name them; empty otherwise.
    pub live: crate::live::LiveFacts,
}

/// Resolves every cluster that has a usable current state; problems become findings.
pub fn resolve(doc: &Arc<Document>, plan: &Plan, base_dir: &Path) -> (Vec<ResolvedCluster>, Vec<Finding>) {
    // Pools read from saved `az` output share their texts across clusters, as the plan's do.
    crate::tree::sharing(|| resolve_all(doc, plan, base_dir))
}

fn resolve_all(doc: &Arc<Document>, plan: &Plan, base_dir: &Path) -> (Vec<ResolvedCluster>, Vec<Finding>) {
    let mut clusters = Vec::new();
    let mut findings = Vec::new();
    for (index, cluster) in plan.spec.clusters.iter().enumerate() {
        let before = findings.len();
        resolve_cluster(doc, index, cluster, base_dir, &mut clusters, &mut findings);
        // Problems found inside a saved `az` file also point back at the plan line that named it.
        point_back(
            doc,
            &format!("/spec/clusters/{index}/currentFrom"),
            &mut findings[before..],
        );
        if let Some(files) = &cluster.upgrade_profiles
            && let Some(resolved) = clusters.last_mut().filter(|c| c.index == index)
        {
            let before = findings.len();
            read_upgrade_profiles(doc, index, files, base_dir, resolved, &mut findings);
            point_back(
                doc,
                &format!("/spec/clusters/{index}/upgradeProfiles"),
                &mut findings[before..],
            );
        }
    }
    (clusters, findings)
}

fn resolve_cluster(
    doc: &Arc<Document>,
    index: usize,
    cluster: &crate::plan::Cluster,
    base_dir: &Path,
    clusters: &mut Vec<ResolvedCluster>,
    findings: &mut Vec<Finding>,
) {
    {
        let base = format!("/spec/clusters/{index}");
        match (&cluster.current, &cluster.current_from) {
            (Some(current), None) => clusters.push(ResolvedCluster {
                index,
                name: cluster.name.clone(),
                current: Arc::clone(current),
                channels: desired_channels(current.channels.as_ref(), cluster.channels.as_ref()),
                maintenance: desired_maintenance(current.maintenance.as_ref(), cluster.maintenance.as_ref()),
                pools_doc: Arc::clone(doc),
                pools_pointer: format!("{base}/current/nodePools"),
                pool_pointers: (0..current.node_pools.len())
                    .map(|p| format!("{base}/current/nodePools/{p}"))
                    .collect(),
                state_docs: Vec::new(),
                upgrade_profile: None,
                pool_upgrade_profiles: Default::default(),
                live: Default::default(),
            }),
            (None, Some(from)) => {
                let files = from.files();
                let pointer_of = |field: &str| match from {
                    crate::plan::CurrentFrom::Show(_) => format!("{base}/currentFrom"),
                    crate::plan::CurrentFrom::Files(_) => format!("{base}/currentFrom/{field}"),
                };
                let Some(show_doc) =
                    read_state_file(doc, &pointer_of("show"), &files.show, base_dir, findings)
                else {
                    return;
                };
                let Some(state) = azure::read_show(&show_doc, findings) else {
                    return;
                };
                let mut current = state.current.clone();
                current.channels = state.channels.clone();
                let mut resolved = ResolvedCluster {
                    index,
                    name: cluster.name.clone(),
                    channels: desired_channels(current.channels.as_ref(), cluster.channels.as_ref()),
                    maintenance: desired_maintenance(None, cluster.maintenance.as_ref()),
                    current: Arc::new(current),
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
                    upgrade_profile: None,
                    pool_upgrade_profiles: Default::default(),
                    live: Default::default(),
                };
                compare_identity(doc, &base, cluster, &state, &show_doc, findings);
                if let Some(path) = &files.node_pools
                    && let Some(list_doc) =
                        read_state_file(doc, &pointer_of("nodePools"), path, base_dir, findings)
                    && let Some((pools, pointers)) = azure::read_nodepool_list(&list_doc, findings)
                {
                    compare_pools(&state, &pools, &list_doc, findings);
                    // Made from the saved files above: the only holder, so changed in place.
                    Arc::make_mut(&mut resolved.current).node_pools = pools;
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
                        findings,
                    )
                {
                    let read = azure::read_maintenance_list(&list_doc, findings);
                    resolved.maintenance = desired_maintenance(Some(&read), cluster.maintenance.as_ref());
                    Arc::make_mut(&mut resolved.current).maintenance = Some(read);
                    resolved.state_docs.push(list_doc);
                }
                read_live(doc, &files, &base, base_dir, &mut resolved, findings);
                clusters.push(resolved);
            }
            // Neither or both: reported by the model checks.
            _ => {}
        }
    }
}

/// Reads the live-fact files of `currentFrom` (workloads, subnets, VNet and VM usage, VM sizes).
fn read_live(
    doc: &Arc<Document>,
    files: &crate::plan::CurrentFiles,
    base: &str,
    base_dir: &Path,
    resolved: &mut ResolvedCluster,
    findings: &mut Vec<Finding>,
) {
    use crate::live;
    let pointer = |field: &str| format!("{base}/currentFrom/{field}");
    let live = &mut resolved.live;
    if let Some(path) = &files.workloads
        && let Some(file) = read_state_file(doc, &pointer("workloads"), path, base_dir, findings)
    {
        live::read_workloads(&file, live, findings);
    }
    for (idx, path) in files.subnets.iter().enumerate() {
        if let Some(file) =
            read_state_file(doc, &pointer(&format!("subnets/{idx}")), path, base_dir, findings)
        {
            live::read_subnet(&file, live, findings);
        }
    }
    for (idx, path) in files.vnet_usage.iter().enumerate() {
        if let Some(file) = read_state_file(
            doc,
            &pointer(&format!("vnetUsage/{idx}")),
            path,
            base_dir,
            findings,
        ) {
            live::read_vnet_usage(&file, live, findings);
        }
    }
    if let Some(path) = &files.vm_usage
        && let Some(file) = read_state_file(doc, &pointer("vmUsage"), path, base_dir, findings)
    {
        live::read_vm_usage(&file, live, findings);
    }
    if let Some(path) = &files.vm_skus
        && let Some(file) = read_state_file(doc, &pointer("vmSkus"), path, base_dir, findings)
    {
        live::read_vm_skus(&file, live, findings);
    }
    live.settle(&resolved.current.node_pools);
}

fn point_back(doc: &Arc<Document>, pointer: &str, findings: &mut [Finding]) {
    let named_here = doc.label(pointer).with_message("read from here");
    for finding in findings {
        if finding
            .primary
            .as_ref()
            .is_some_and(|label| !Arc::ptr_eq(&label.source, &doc.source))
        {
            finding.secondary.push(named_here.clone());
        }
    }
}

fn read_upgrade_profiles(
    doc: &Arc<Document>,
    index: usize,
    files: &crate::plan::UpgradeProfileFiles,
    base_dir: &Path,
    resolved: &mut ResolvedCluster,
    findings: &mut Vec<Finding>,
) {
    let base = format!("/spec/clusters/{index}/upgradeProfiles");
    if let Some(path) = &files.control_plane {
        let pointer = format!("{base}/controlPlane");
        if let Some(profile_doc) = read_state_file(doc, &pointer, path, base_dir, findings) {
            resolved.upgrade_profile = azure::read_cluster_upgrades(&profile_doc, findings);
        }
    }
    for (pool, path) in &files.node_pools {
        let pointer = format!("{base}/nodePools/{}", crate::source::escape_pointer_segment(pool));
        if !resolved.current.node_pools.iter().any(|p| *p.name == **pool) {
            findings.push(
                Finding::new(
                    codes::POOL_ORDER_UNKNOWN,
                    format!(
                        "`upgradeProfiles.nodePools` names `{pool}`, which is not a pool of cluster `{}`",
                        resolved.name
                    ),
                )
                .at(doc.key_label(&pointer))
                .pointer(pointer.clone()),
            );
            continue;
        }
        if let Some(profile_doc) = read_state_file(doc, &pointer, path, base_dir, findings)
            && let Some(profile) = azure::read_pool_upgrades(&profile_doc, findings)
        {
            resolved.pool_upgrade_profiles.insert(pool.clone(), profile);
        }
    }
}

/// The plan's channels over the current ones, channel by channel.
fn desired_channels(current: Option<&Channels>, planned: Option<&Channels>) -> Channels {
    let current = current.cloned().unwrap_or_default();
    let Some(planned) = planned else { return current };
    Channels {
        upgrade_channel: planned.upgrade_channel.or(current.upgrade_channel),
        node_os_upgrade_channel: planned
            .node_os_upgrade_channel
            .or(current.node_os_upgrade_channel),
    }
}

/// The plan's maintenance configurations over the current ones, configuration by configuration.
fn desired_maintenance(current: Option<&Maintenance>, planned: Option<&Maintenance>) -> Maintenance {
    let current = current.cloned().unwrap_or_default();
    let Some(planned) = planned else { return current };
    Maintenance {
        default: planned.default.clone().or(current.default),
        auto_upgrade: planned.auto_upgrade.clone().or(current.auto_upgrade),
        node_os_upgrade: planned.node_os_upgrade.clone().or(current.node_os_upgrade),
    }
}

/// `a/b/../c` → `a/c`, without touching the file system (the file may not exist).
fn normalise(path: &Path) -> std::path::PathBuf {
    use std::path::Component;
    let mut out = std::path::PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.components().next_back(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() {
        std::path::PathBuf::from(".")
    } else {
        out
    }
}

/// What to run to save each kind of `currentFrom` file.
fn save_hint(field: &str) -> &'static str {
    let field = field.trim_end_matches(|c: char| c.is_ascii_digit() || c == '/');
    if field.ends_with("workloads") {
        "save it with `kubectl get pdb,deploy,sts -A -o json > FILE` (or run `aksplan snapshot`)"
    } else if field.ends_with("subnets") {
        "save it with `az network vnet subnet show --ids SUBNET_ID -o json > FILE` (or run `aksplan snapshot`)"
    } else if field.ends_with("vnetUsage") {
        "save it with `az rest --method get --url /subscriptions/SUB/resourceGroups/RG/providers/Microsoft.Network/virtualNetworks/VNET/usages?api-version=2024-05-01 > FILE` (or run `aksplan snapshot`)"
    } else if field.ends_with("vmUsage") {
        "save it with `az vm list-usage -l LOCATION -o json > FILE` (or run `aksplan snapshot`)"
    } else if field.ends_with("vmSkus") {
        "save it with `az vm list-skus -l LOCATION --resource-type virtualMachines -o json > FILE` (or run `aksplan snapshot`)"
    } else if field.ends_with("nodePools") {
        "save it with `az aks nodepool list -g RG --cluster-name NAME -o json > FILE`"
    } else if field.ends_with("maintenanceConfigurations") {
        "save it with `az aks maintenanceconfiguration list -g RG --cluster-name NAME -o json > FILE`"
    } else {
        "save it with `az aks show -g RG -n NAME -o json > FILE`"
    }
}

fn read_state_file(
    plan_doc: &Document,
    pointer: &str,
    path: &str,
    base_dir: &Path,
    findings: &mut Vec<Finding>,
) -> Option<Arc<Document>> {
    let full = normalise(&base_dir.join(path));
    let display = full.to_string_lossy().into_owned();
    let named_here = || plan_doc.label(pointer).with_message("named here");
    match crate::files::read(&full) {
        Ok(bytes) => match parse_document(&display, bytes, Format::Json) {
            Ok(doc) => Some(Arc::new(doc)),
            Err(mut finding) => {
                // The file's own place when it has one, and always the plan line that names it.
                if finding.code == codes::EMPTY {
                    finding = finding.help(format!("the file is empty: {}", save_hint(pointer)));
                }
                finding = match finding.primary {
                    Some(_) => finding.also(named_here()),
                    None => finding.at(named_here()),
                };
                findings.push(finding.pointer(pointer));
                None
            }
        },
        Err(crate::files::ReadError::TooLarge { size, limit }) => {
            findings.push(
                crate::files::too_large(&display, size, limit)
                    .at(named_here())
                    .pointer(pointer),
            );
            None
        }
        Err(crate::files::ReadError::NotAFile(what)) => {
            findings.push(
                Finding::new(
                    codes::CURRENT_FROM,
                    format!("cannot read `{display}`: it is {what}, not a file"),
                )
                .at(named_here())
                .pointer(pointer)
                .help(format!(
                    "`currentFrom` names a file of saved `az` output; {}",
                    save_hint(pointer)
                )),
            );
            None
        }
        Err(crate::files::ReadError::Io(err)) => {
            let reason = match err.kind() {
                std::io::ErrorKind::NotFound => "no such file".to_owned(),
                std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
                _ => err.to_string(),
            };
            findings.push(
                Finding::new(codes::CURRENT_FROM, format!("cannot read `{display}`: {reason}"))
                    .at(plan_doc.label(pointer).with_message("named here"))
                    .pointer(pointer)
                    .help(format!(
                        "paths in `currentFrom` are relative to the plan file; {}",
                        save_hint(pointer)
                    )),
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
    let shown: Vec<&str> = state.current.node_pools.iter().map(|p| &*p.name).collect();
    let listed: Vec<&str> = list.iter().map(|p| &*p.name).collect();
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

#[cfg(test)]
mod tests {
    use crate::plan::{NodeOsUpgradeChannel, UpgradeChannel};
    use crate::source::Format;

    const PLAN: &str = r#"
apiVersion: aksplan/v1
kind: UpgradePlan
metadata: { name: t }
spec:
  target: { kubernetesVersion: "1.33" }
  clusters:
    - name: a
      resourceGroup: rg
      current:
        kubernetesVersion: "1.32.4"
        channels: { upgradeChannel: stable, nodeOSUpgradeChannel: NodeImage }
        maintenance:
          default: { schedule: { weekly: { dayOfWeek: Monday } }, durationHours: 4, startTime: "01:00" }
        nodePools: [ { name: system, mode: System, orchestratorVersion: "1.32.4" } ]
      channels: { upgradeChannel: none }
      maintenance:
        aksManagedNodeOSUpgradeSchedule: { schedule: { daily: { intervalDays: 1 } }, durationHours: 6, startTime: "02:00" }
"#;

    #[test]
    fn planned_configuration_overrides_current_field_by_field() {
        let loaded = crate::load_plan("t.yaml", PLAN.as_bytes(), Format::Yaml, std::path::Path::new("."));
        assert!(loaded.findings.is_empty(), "{:?}", loaded.findings);
        let cluster = &loaded.clusters[0];
        assert_eq!(
            cluster.current.channels.as_ref().unwrap().upgrade_channel,
            Some(UpgradeChannel::Stable)
        );
        assert_eq!(cluster.channels.upgrade_channel, Some(UpgradeChannel::None));
        // Not named by the plan: kept from the current state.
        assert_eq!(
            cluster.channels.node_os_upgrade_channel,
            Some(NodeOsUpgradeChannel::NodeImage)
        );
        assert!(cluster.maintenance.default.is_some(), "current `default` is kept");
        assert!(
            cluster.maintenance.node_os_upgrade.is_some(),
            "planned node OS schedule is added"
        );
        assert!(
            cluster
                .current
                .maintenance
                .as_ref()
                .unwrap()
                .node_os_upgrade
                .is_none()
        );
    }
}

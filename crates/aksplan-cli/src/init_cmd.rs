//! `aksplan init --from SHOW_JSON`: a plan skeleton from saved `az aks show` (and optionally
//! `nodepool list`) output.

use std::path::Path;

use aksplan_model::codes::Category;
use aksplan_model::finding::{Finding, Severity};

use crate::Invocation;
use crate::args::InitArgs;
use crate::output::{ExitStatus, write_atomically, write_stderr, write_stdout};

pub fn run(args: &InitArgs, inv: &Invocation) -> ExitStatus {
    if args.from.is_dir() {
        return from_snapshot(args, inv);
    }
    let mut findings = Vec::new();
    let state =
        read(&args.from, &mut findings).and_then(|doc| aksplan_model::azure::read_show(&doc, &mut findings));
    let mut sources = vec![format!("`{}`", args.from.display())];
    // The pools are read only for a cluster that could be read.
    let state = state.map(|mut state| {
        if let Some(path) = &args.node_pools
            && let Some(doc) = read(path, &mut findings)
            && let Some((pools, _)) = aksplan_model::azure::read_nodepool_list(&doc, &mut findings)
        {
            state.current.node_pools = pools;
            sources.push(format!("`{}`", path.display()));
        }
        state
    });
    let errors = findings.iter().any(|f| f.severity == Severity::Error);
    if !findings.is_empty() {
        write_stderr(&aksplan_report::render_human(&findings, inv.human));
    }
    let Some(state) = state.filter(|_| !errors) else {
        return if findings
            .iter()
            .any(|f: &Finding| f.code.category() == Category::Tool)
        {
            ExitStatus::CouldNotRun
        } else {
            ExitStatus::Rejected
        };
    };
    let name = state.name.clone().unwrap_or_else(|| "my-cluster".into());
    let group = state
        .resource_group
        .clone()
        .unwrap_or_else(|| "my-resource-group".into());
    let lts = state.current.support_plan == Some(aksplan_model::plan::SupportPlan::AKSLongTermSupport);
    let date = args.as_of.unwrap_or_else(crate::today);
    let target = placeholder_target(&state.current.kubernetes_version, lts, date);
    let as_of = args.as_of.map(|d| d.to_string());
    let text = aksplan_model::init::skeleton(&state, &name, &group, &sources, &target, as_of.as_deref());
    finish(args, inv, &text)
}

/// Writes the plan text to `-o` (atomically) or stdout.
fn finish(args: &InitArgs, inv: &Invocation, text: &str) -> ExitStatus {
    let Some(path) = &args.output else {
        write_stdout(text);
        return ExitStatus::Success;
    };
    match write_atomically(path, text, args.force) {
        Ok(()) => {
            write_stderr(&format!(
                "wrote `{}`; run `aksplan check {}` after choosing the target\n",
                path.display(),
                path.display()
            ));
            ExitStatus::Success
        }
        Err(finding) => crate::output::tool_errors(&[finding], inv.human),
    }
}

/// `init --from DIR`: a plan whose clusters read the snapshot's files through `currentFrom`, with
/// paths relative to where the plan is written.
fn from_snapshot(args: &InitArgs, inv: &Invocation) -> ExitStatus {
    let dir = &args.from;
    let manifest = match aksplan_pipeline::snapshot::read_manifest(dir) {
        Ok(manifest) => manifest,
        Err(finding) => return crate::output::tool_errors(&[finding], inv.human),
    };
    // The plan's folder: where `-o` puts it, else the current folder (the plan went to stdout).
    let plan_dir = args
        .output
        .as_ref()
        .and_then(|p| p.parent())
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| inv.cwd.clone(), |p| inv.cwd.join(p));
    let absolute = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| inv.cwd.join(p));
    let prefix = pathdiff::diff_paths(absolute(dir), absolute(&plan_dir)).unwrap_or_else(|| dir.clone());
    let rel = |path: &str| {
        prefix
            .join(path)
            .to_string_lossy()
            .replace('\\', "/")
            .trim_start_matches("./")
            .to_owned()
    };
    let mut findings = Vec::new();
    let mut states = Vec::new();
    for cluster in &manifest.clusters {
        let state = read(&dir.join(&cluster.current_from.show), &mut findings)
            .and_then(|doc| aksplan_model::azure::read_show(&doc, &mut findings));
        let pools = cluster
            .current_from
            .node_pools
            .as_ref()
            .and_then(|path| read(&dir.join(path), &mut findings))
            .and_then(|doc| aksplan_model::azure::read_nodepool_list(&doc, &mut findings))
            .map(|(pools, _)| pools);
        let Some(mut state) = state else { continue };
        if let Some(pools) = pools {
            state.current.node_pools = pools;
        }
        let mut files = cluster.current_from.clone();
        files.show = rel(&files.show);
        for path in [
            &mut files.node_pools,
            &mut files.maintenance_configurations,
            &mut files.workloads,
            &mut files.vm_usage,
            &mut files.vm_skus,
        ]
        .into_iter()
        .flatten()
        {
            *path = rel(path);
        }
        for path in files.subnets.iter_mut().chain(files.vnet_usage.iter_mut()) {
            *path = rel(path);
        }
        let mut profiles = cluster.upgrade_profiles.clone();
        if let Some(path) = &mut profiles.control_plane {
            *path = rel(path);
        }
        for path in profiles.node_pools.values_mut() {
            *path = rel(path);
        }
        states.push((state, files, profiles));
    }
    if findings.iter().any(|f| f.severity == Severity::Error) || states.is_empty() {
        write_stderr(&aksplan_report::render_human(&findings, inv.human));
        return ExitStatus::Rejected;
    }
    let clusters: Vec<aksplan_model::init::SnapshotCluster<'_>> = manifest
        .clusters
        .iter()
        .zip(&states)
        .map(
            |(c, (state, files, profiles))| aksplan_model::init::SnapshotCluster {
                name: &c.name,
                resource_group: &c.resource_group,
                subscription: c.subscription.as_deref(),
                location: c.location.as_deref(),
                pools: &state.current.node_pools,
                current_from: files,
                upgrade_profiles: profiles,
            },
        )
        .collect();
    // One target for the plan: the one proposed for the cluster furthest behind.
    let lowest = states
        .iter()
        .filter_map(|(s, _, _)| aksplan_model::KubeVersion::parse(&s.current.kubernetes_version).ok())
        .min();
    let lts = states.iter().all(|(s, _, _)| {
        s.current.support_plan == Some(aksplan_model::plan::SupportPlan::AKSLongTermSupport)
    });
    let date = args.as_of.unwrap_or_else(crate::today);
    let target = placeholder_target(
        &lowest.map_or_else(
            || states[0].0.current.kubernetes_version.clone(),
            |v| v.to_string(),
        ),
        lts,
        date,
    );
    let catalogs: Vec<String> = manifest.catalogs.values().map(|p| rel(p)).collect();
    let as_of = args.as_of.map(|d| d.to_string());
    let source = format!("`{}`", dir.display());
    let text = aksplan_model::init::from_snapshot(&clusters, &source, &target, as_of.as_deref(), &catalogs);
    if !findings.is_empty() {
        write_stderr(&aksplan_report::render_human(&findings, inv.human));
    }
    finish(args, inv, &text)
}

fn read(path: &Path, findings: &mut Vec<Finding>) -> Option<std::sync::Arc<aksplan_model::source::Document>> {
    aksplan_pipeline::inputs::read_json(path)
        .map_err(|finding| findings.push(finding))
        .ok()
}

/// The target `init` proposes: the next minor when the embedded catalog offers it, else the
/// lowest newer minor it offers (the recovery path of a cluster older than the catalog).
/// The target the skeleton proposes: the next minor AKS offers the cluster's support plan today
/// (`Catalog::offered`), or, from a version out of support, the recovery upgrade's minor (the
/// lowest community minor AKS offers, AKS125).
fn placeholder_target(current: &str, lts: bool, today: jiff::civil::Date) -> String {
    let Ok(current) = aksplan_model::KubeVersion::parse(current) else {
        return current.to_owned();
    };
    let catalog = aksplan_catalog::Catalog::embedded();
    if !lts && let Some(minor) = aksplan_rules::skew::recovery_minor(&catalog, current, today) {
        return minor.to_string();
    }
    let offered = catalog
        .minors()
        .map(|m| m.version.minor_version())
        .filter(|v| v.major == current.major && v.minor > current.minor)
        .find(|v| catalog.offered(*v, lts, today));
    offered
        .unwrap_or_else(|| aksplan_model::KubeVersion::new(current.major, current.minor + 1, None))
        .to_string()
}

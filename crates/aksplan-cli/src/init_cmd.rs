//! `aksplan init --from SHOW_JSON`: a plan skeleton from saved `az aks show` (and optionally
//! `nodepool list`) output.

use std::path::Path;

use aksplan_model::codes::Category;
use aksplan_model::finding::{Finding, Severity};

use crate::Invocation;
use crate::args::InitArgs;
use crate::output::{ExitStatus, write_atomically, write_stderr, write_stdout};

pub fn run(args: &InitArgs, inv: &Invocation) -> ExitStatus {
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
    let Some(path) = &args.output else {
        write_stdout(&text);
        return ExitStatus::Success;
    };
    match write_atomically(path, &text, args.force) {
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

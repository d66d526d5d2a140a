//! The review report (`aksplan emit --format markdown`): one Markdown document for a pull-request
//! comment or a change ticket. Summary per cluster, findings by severity, waivers in force, the
//! Kubernetes APIs removed on the way, the step table, and the graph and schedule as Mermaid
//! (GitHub renders both).
//!
//! Pure and deterministic: everything comes from the plan, the compiled graph, the schedule, the
//! findings (in the order the caller sorted them) and the [`Meta`] the caller passes.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use aksplan_graph::time::{duration_text, local_text};
use aksplan_graph::{Compiled, Schedule, Step, StepKind};
use aksplan_model::codes::Code;
use aksplan_model::finding::{Finding, Severity};
use aksplan_model::plan::Plan;

use crate::graphviz::{render_gantt, render_mermaid};

/// The codes of the Kubernetes API removal findings, shown in their own section.
const API_CODES: [Code; 2] = [
    aksplan_rules::rules::api::aks170_removed_apis::CODE,
    aksplan_rules::rules::api::aks171_manifest_removed_api::CODE,
];

/// What the report carries besides the plan itself, computed by the caller.
#[derive(Debug, Clone, Default)]
pub struct Meta {
    /// A content hash of the plan file.
    pub plan_hash: String,
    /// The catalog used (version or content hash), when known.
    pub catalog: Option<String>,
    /// The generator, e.g. `aksplan 0.1.0`.
    pub generator: Option<String>,
}

/// The review report as Markdown, with a trailing newline.
pub fn render_markdown(
    plan: &Plan,
    compiled: &Compiled,
    schedule: &Schedule,
    findings: &[Finding],
    meta: &Meta,
) -> String {
    let mut out = String::new();
    header(&mut out, plan, compiled, meta);
    summary(&mut out, compiled, schedule);
    risk_section(&mut out, plan, compiled, schedule, findings);
    preflight_section(&mut out, compiled);
    findings_section(&mut out, findings);
    waivers_section(&mut out, findings);
    api_section(&mut out, findings);
    steps_section(&mut out, compiled, schedule);
    back_out_section(&mut out, plan, compiled);
    diagrams(&mut out, compiled, schedule);
    sign_off_section(&mut out, plan);
    out
}

/// What a change board weighs first, in one table: pools that upgrade differently (Windows,
/// Spot), how many node reimages each cluster goes through, API removals crossed, waivers in
/// force, steps that fit no window, and the first and last window used.
fn risk_section(
    out: &mut String,
    plan: &Plan,
    compiled: &Compiled,
    schedule: &Schedule,
    findings: &[Finding],
) {
    use aksplan_model::plan::{OsType, ScaleSetPriority};
    let _ = writeln!(out, "\n## Risk summary\n");
    let _ = writeln!(out, "| Risk | Where |");
    let _ = writeln!(out, "|---|---|");
    let mut windows_pools = Vec::new();
    let mut spot_pools = Vec::new();
    for route in &compiled.clusters {
        for pool in route.pools() {
            if pool.os_type == OsType::Windows {
                windows_pools.push(format!("`{}/{}`", code_text(&route.name), code_text(&pool.name)));
            }
            if pool.scale_set_priority == Some(ScaleSetPriority::Spot) {
                spot_pools.push(format!("`{}/{}`", code_text(&route.name), code_text(&pool.name)));
            }
        }
    }
    let list = |items: &[String]| {
        if items.is_empty() {
            "none".to_owned()
        } else {
            items.join(", ")
        }
    };
    let _ = writeln!(
        out,
        "| Windows pools (slower reimages, Windows node images) | {} |",
        list(&windows_pools)
    );
    let _ = writeln!(
        out,
        "| Spot pools (nodes may be evicted during the surge) | {} |",
        list(&spot_pools)
    );
    // Every step that replaces a pool's nodes: a version upgrade, a node image, a blue-green copy.
    let index = aksplan_graph::StepIndex::new(compiled);
    let reimages: Vec<String> = compiled
        .clusters
        .iter()
        .map(|route| {
            let count = index
                .cluster_steps(&route.name)
                .map(|s| match &s.kind {
                    StepKind::FullUpgrade { .. } => route.pools().len(),
                    StepKind::PoolUpgrade { .. }
                    | StepKind::PoolNodeImage { .. }
                    | StepKind::BlueGreenCreate { .. } => 1,
                    _ => 0,
                })
                .sum::<usize>();
            format!("`{}`: {count}", code_text(&route.name))
        })
        .collect();
    let _ = writeln!(
        out,
        "| Pool reimages (each replaces every node of a pool) | {} |",
        list(&reimages)
    );
    let blocked: Vec<String> = compiled
        .clusters
        .iter()
        .flat_map(|route| {
            route
                .preflight
                .drain_blocked
                .keys()
                .map(|pool| format!("`{}/{}`", code_text(&route.name), code_text(pool)))
        })
        .collect();
    let saved = compiled
        .clusters
        .iter()
        .filter(|route| route.preflight.workloads_saved)
        .count();
    let drains = if saved == 0 {
        "not checked: no cluster's workloads saved".to_owned()
    } else if saved < compiled.clusters.len() {
        format!(
            "{} (workloads saved for {saved} of {} clusters)",
            list(&blocked),
            compiled.clusters.len()
        )
    } else {
        list(&blocked)
    };
    let _ = writeln!(
        out,
        "| Pools no drain can finish on (a PodDisruptionBudget allows no eviction; see Live facts) | {drains} |"
    );
    let apis: Vec<String> = findings
        .iter()
        .filter(|f| is_api(f))
        .filter_map(|f| f.cluster.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .map(|c| format!("`{}`", code_text(&c)))
        .collect();
    let _ = writeln!(
        out,
        "| Kubernetes API removals crossed (see below) | {} |",
        list(&apis)
    );
    let waivers: Vec<String> = plan
        .spec
        .waivers
        .iter()
        .map(|w| {
            format!(
                "`{}` on `{}`: {}{}",
                code_text(&w.rule),
                code_text(&w.scope),
                cell(&w.reason),
                w.expires
                    .as_deref()
                    .map(|e| format!(" (until {})", cell(e)))
                    .unwrap_or_default()
            )
        })
        .collect();
    let _ = writeln!(out, "| Waivers in force | {} |", list(&waivers));
    let outside: Vec<String> = schedule
        .unscheduled
        .iter()
        .map(|id| format!("`{}`", code_text(id)))
        .collect();
    let _ = writeln!(
        out,
        "| Steps outside every change window | {} |",
        if schedule.windows.is_empty() {
            "not scheduled (the plan has no windows)".to_owned()
        } else {
            list(&outside)
        }
    );
    let used: BTreeSet<usize> = compiled
        .steps
        .iter()
        .filter_map(|s| schedule.placement(&s.id).and_then(|p| p.window_index))
        .collect();
    let span = match (used.first(), used.last()) {
        (Some(first), Some(last)) => format!(
            "{} … {}",
            window_name(schedule, *first),
            window_name(schedule, *last)
        ),
        _ => "none".to_owned(),
    };
    let _ = writeln!(out, "| First and last change window | {span} |");
}

/// The live facts behind the preflight rules, per cluster: what `currentFrom` saved, the pools no
/// drain can finish on, single replicas, and the surge of the largest wave against the subnet
/// addresses and vCPU quota left. "not saved" is said plainly: a board must see what was not checked.
fn preflight_section(out: &mut String, compiled: &Compiled) {
    const NOT_SAVED: &str = "not saved (`aksplan snapshot`)";
    let _ = writeln!(out, "\n## Live facts\n");
    let _ = writeln!(
        out,
        "| Cluster | Drains | Single replicas without a PDB | Subnet addresses: surge needs / free | vCPU quota: surge needs / left |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|");
    let room = |rows: &[(String, u64, u64)]| {
        rows.iter()
            .map(|(name, need, room)| {
                let short = if need > room { " **short**" } else { "" };
                format!("{}: {need} / {room}{short}", cell(name))
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    for route in &compiled.clusters {
        let facts = &route.preflight;
        let drains = if !facts.workloads_saved {
            NOT_SAVED.to_owned()
        } else if facts.drain_blocked.is_empty() {
            "no pool blocked".to_owned()
        } else {
            let pools: Vec<String> = facts
                .drain_blocked
                .iter()
                .map(|(pool, pdbs)| {
                    let pdbs: Vec<String> = pdbs.iter().map(|p| format!("`{}`", code_text(p))).collect();
                    format!("`{}` by {}", code_text(pool), pdbs.join(", "))
                })
                .collect();
            format!(
                "**blocked**: {} (estimates wait the drain timeout per batch)",
                pools.join("; ")
            )
        };
        let singles = if !facts.workloads_saved {
            NOT_SAVED.to_owned()
        } else if facts.single_replicas.is_empty() {
            "none".to_owned()
        } else {
            let shown: Vec<String> = facts
                .single_replicas
                .iter()
                .take(3)
                .map(|c| format!("`{}`", code_text(c)))
                .collect();
            let more = facts.single_replicas.len().saturating_sub(3);
            if more > 0 {
                format!("{} and {more} more", shown.join(", "))
            } else {
                shown.join(", ")
            }
        };
        let subnets = if !facts.subnets_saved {
            NOT_SAVED.to_owned()
        } else if facts.subnets.is_empty() {
            "no pool takes addresses from the saved subnets".to_owned()
        } else {
            room(&facts.subnets)
        };
        let quotas = if !facts.quota_saved {
            NOT_SAVED.to_owned()
        } else if facts.quotas.is_empty() {
            "no VM size known (save `vmSkus`)".to_owned()
        } else {
            room(&facts.quotas)
        };
        let _ = writeln!(
            out,
            "| `{}` | {drains} | {singles} | {subnets} | {quotas} |",
            code_text(&route.name)
        );
    }
}

/// Who signs the change off: one row per approval gate of the plan, and the change board's.
fn sign_off_section(out: &mut String, plan: &Plan) {
    let _ = writeln!(out, "\n## Sign-off\n");
    let _ = writeln!(out, "| Approval | Approver (role) | Name | Date | Signature |");
    let _ = writeln!(out, "|---|---|---|---|---|");
    let _ = writeln!(
        out,
        "| The change as a whole | change advisory board{} | | | |",
        plan.metadata
            .change
            .as_deref()
            .map(|c| format!(" ({})", cell(c)))
            .unwrap_or_default()
    );
    for stage in plan
        .spec
        .rollout
        .iter()
        .flat_map(|r| &r.stages)
        .filter(|s| s.gated())
    {
        let role = match (&stage.approver, plan.metadata.owner.as_deref()) {
            (Some(who), _) => cell(who),
            (None, Some(owner)) => format!("*not named in the plan* (owner {})", cell(owner)),
            (None, None) => "*not named in the plan*".to_owned(),
        };
        let _ = writeln!(
            out,
            "| Start of stage `{}` | {role} | | | |",
            code_text(&stage.name)
        );
    }
}

/// What a failure of each step leaves and the way on or back (no peer shows this): AKS cannot
/// downgrade a control plane, a pool upgrade can be re-run (or rolled back within 7 days), a
/// blue-green replacement can return to the old pool until it is deleted.
fn back_out_section(out: &mut String, plan: &Plan, compiled: &Compiled) {
    let clusters: std::collections::HashMap<&str, &aksplan_model::plan::Cluster> =
        plan.spec.clusters.iter().map(|c| (c.name.as_str(), c)).collect();
    let rows: Vec<(usize, &aksplan_graph::Step, crate::command::BackOut)> = compiled
        .steps
        .iter()
        .enumerate()
        .filter_map(|(n, step)| {
            let cluster = clusters.get(step.cluster.as_deref()?)?;
            Some((n + 1, step, crate::command::back_out(cluster, step)?))
        })
        .collect();
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n## If a step fails: going on, going back\n");
    let _ = writeln!(
        out,
        "Going on is the same for every step: fix the cause and run the script again; finished \
         steps are skipped (their effect is checked on the live cluster, or the run journal says \
         so) and the failed one is retried.\n"
    );
    let _ = writeln!(out, "| # | Step | A failure leaves | Undo | Way back |");
    let _ = writeln!(out, "|---:|---|---|---|---|");
    for (number, step, back) in rows {
        let way_back = match &back.command {
            Some(argv) => format!("{} (`{}`)", back.back, argv.join(" ")),
            None => back.back.clone(),
        };
        let _ = writeln!(
            out,
            "| {number} | `{}` | {} | {} | {} |",
            code_text(&step.id),
            cell(&back.leaves),
            if back.reversible { "yes" } else { "**no**" },
            cell(&way_back)
        );
    }
}

fn header(out: &mut String, plan: &Plan, compiled: &Compiled, meta: &Meta) {
    let data = &plan.metadata;
    let _ = writeln!(out, "# Upgrade plan `{}`", code_text(&data.name));
    out.push('\n');
    let _ = writeln!(out, "| | |");
    let _ = writeln!(out, "|---|---|");
    let _ = writeln!(
        out,
        "| Change ticket | {} |",
        data.change.as_deref().map_or("*none given*".to_owned(), cell)
    );
    let _ = writeln!(
        out,
        "| Owner | {} |",
        data.owner.as_deref().map_or("*none given*".to_owned(), cell)
    );
    let _ = writeln!(
        out,
        "| Target | Kubernetes {} on {} cluster(s), {} step(s) |",
        cell(&plan.spec.target.kubernetes_version.to_string()),
        compiled.clusters.len(),
        compiled.steps.len()
    );
    let _ = writeln!(out, "| Plan hash | `{}` |", code_text(&meta.plan_hash));
    if let Some(catalog) = &meta.catalog {
        let _ = writeln!(out, "| Version catalog | {} |", cell(catalog));
    }
    if let Some(generator) = &meta.generator {
        let _ = writeln!(out, "| Generated by | {} |", cell(generator));
    }
    if let Some(description) = &data.description {
        out.push('\n');
        for line in description.trim().lines() {
            let _ = writeln!(out, "> {line}");
        }
    }
}

fn summary(out: &mut String, compiled: &Compiled, schedule: &Schedule) {
    let _ = writeln!(out, "\n## Summary\n");
    let staged = compiled.clusters.iter().any(|c| c.stage.is_some());
    if staged {
        let _ = writeln!(
            out,
            "| Stage | Cluster | From → to | Hops | Change windows used | Estimate |"
        );
        let _ = writeln!(out, "|---|---|---|---:|---|---:|");
    } else {
        let _ = writeln!(
            out,
            "| Cluster | From → to | Hops | Change windows used | Estimate |"
        );
        let _ = writeln!(out, "|---|---|---:|---|---:|");
    }
    let index = aksplan_graph::StepIndex::new(compiled);
    let unscheduled_ids: std::collections::HashSet<&str> =
        schedule.unscheduled.iter().map(String::as_str).collect();
    for cluster in &compiled.clusters {
        let steps: Vec<&Step> = index.cluster_steps(&cluster.name).collect();
        let estimate: u64 = steps.iter().map(|s| s.estimate_minutes).sum();
        let windows: BTreeSet<usize> = steps
            .iter()
            .filter_map(|s| schedule.placement(&s.id).and_then(|p| p.window_index))
            .collect();
        let unscheduled = steps.iter().filter(|s| unscheduled_ids.contains(&*s.id)).count();
        let mut used = if windows.is_empty() {
            "none".to_owned()
        } else {
            windows
                .iter()
                .map(|&i| window_name(schedule, i))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if unscheduled > 0 {
            let _ = write!(used, " (**{unscheduled} step(s) fit no window**)");
        }
        let mut route = vec![cluster.start.control_plane.to_string()];
        route.extend(cluster.hops.iter().map(ToString::to_string));
        let hops = cluster.hops.len();
        let route = if hops == 0 {
            format!("{} (no version change)", route.join(""))
        } else {
            route.join(" → ")
        };
        let stage = if staged {
            format!("{} | ", cluster.stage.as_deref().map_or("—".to_owned(), cell))
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "| {stage}`{}` | {} | {hops} | {} | {} |",
            code_text(&cluster.name),
            cell(&route),
            cell(&used),
            duration_text(estimate)
        );
    }
    let total: u64 = compiled.steps.iter().map(|s| s.estimate_minutes).sum();
    out.push('\n');
    let _ = writeln!(
        out,
        "**Total estimate:** {} of work in sequence, including stage soaks (before scheduling into \
         change windows).  ",
        duration_text(total)
    );
    if schedule.windows.is_empty() {
        let _ = writeln!(
            out,
            "**Finish:** not scheduled (the plan has no `changeWindows`)."
        );
    } else {
        match schedule.end {
            Some(end) if schedule.unscheduled.is_empty() => {
                let _ = writeln!(
                    out,
                    "**Finish:** {} (last step done, in the plan's time zone).",
                    local_text(end, schedule.offset)
                );
            }
            _ => {
                let _ = writeln!(
                    out,
                    "**Finish:** unknown: {} step(s) fit no change window.",
                    schedule.unscheduled.len()
                );
            }
        }
    }
}

fn is_api(finding: &Finding) -> bool {
    API_CODES.contains(&finding.code)
}

fn findings_section(out: &mut String, findings: &[Finding]) {
    let open: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.waived.is_none() && !is_api(f))
        .collect();
    let _ = writeln!(out, "\n## Findings\n");
    let count = |s: Severity| open.iter().filter(|f| f.severity == s).count();
    let _ = writeln!(
        out,
        "{} error(s), {} warning(s), {} info; waived findings and API removals are listed in \
         their own sections below.",
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info)
    );
    if count(Severity::Error) == 0 {
        let _ = writeln!(out, "\nNo open error: nothing blocks this plan.");
    }
    for (severity, title) in [
        (Severity::Error, "Errors"),
        (Severity::Warning, "Warnings"),
        (Severity::Info, "Info"),
    ] {
        let group: Vec<&&Finding> = open.iter().filter(|f| f.severity == severity).collect();
        if group.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n### {title}\n");
        let _ = writeln!(out, "| Code | Where | Message |");
        let _ = writeln!(out, "|---|---|---|");
        for finding in group {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                finding.code.id(),
                location(finding),
                message(finding)
            );
        }
    }
}

fn waivers_section(out: &mut String, findings: &[Finding]) {
    let waived: Vec<&Finding> = findings.iter().filter(|f| f.waived.is_some()).collect();
    let _ = writeln!(out, "\n## Waivers in force\n");
    if waived.is_empty() {
        let _ = writeln!(out, "None: no finding of this plan is waived.");
        return;
    }
    let _ = writeln!(
        out,
        "These findings are accepted by a waiver in the plan and do not block it.\n"
    );
    let _ = writeln!(
        out,
        "| Waives | Where | Approved by | Ticket | Expires | Reason |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|");
    for finding in waived {
        let Some(waiver) = &finding.waived else {
            continue;
        };
        let none = || "—".to_owned();
        let _ = writeln!(
            out,
            "| {} ({}): {} | {} | {} | {} | {} | {} |",
            finding.code.id(),
            finding.severity,
            message(finding),
            location(finding),
            waiver.approved_by.as_deref().map_or_else(none, cell),
            waiver.ticket.as_deref().map_or_else(none, cell),
            waiver.expires.as_deref().map_or_else(none, cell),
            cell(&waiver.reason)
        );
    }
}

fn api_section(out: &mut String, findings: &[Finding]) {
    let apis: Vec<&Finding> = findings.iter().filter(|f| is_api(f)).collect();
    let _ = writeln!(out, "\n## Kubernetes APIs removed on the way\n");
    if apis.is_empty() {
        let _ = writeln!(
            out,
            "None: the minor versions this plan crosses remove no Kubernetes API (rule AKS170)."
        );
        return;
    }
    let _ = writeln!(out, "| Code | Severity | Where | Message |");
    let _ = writeln!(out, "|---|---|---|---|");
    for finding in apis {
        let severity = if finding.waived.is_some() {
            format!("{} (waived)", finding.severity)
        } else {
            finding.severity.to_string()
        };
        let _ = writeln!(
            out,
            "| {} | {severity} | {} | {} |",
            finding.code.id(),
            location(finding),
            message(finding)
        );
    }
}

fn steps_section(out: &mut String, compiled: &Compiled, schedule: &Schedule) {
    let _ = writeln!(out, "\n## Steps\n");
    let _ = writeln!(
        out,
        "In execution order; a step starts once the steps it depends on are done. Times are in \
         the time zone of each change window.\n"
    );
    let _ = writeln!(out, "| # | Step | Estimate | Window · start | Why |");
    let _ = writeln!(out, "|---:|---|---:|---|---|");
    for (number, step) in compiled.steps.iter().enumerate() {
        let when = match schedule.placement(&step.id) {
            Some(p) => {
                let start = local_text(p.start, p.offset);
                match p.window_index {
                    Some(i) => format!("{} · {start}", window_name(schedule, i)),
                    None => format!("outside windows · {start}"),
                }
            }
            None if schedule.windows.is_empty() => "not scheduled".to_owned(),
            None => "**fits no window**".to_owned(),
        };
        let _ = writeln!(
            out,
            "| {} | `{}` | {} | {} | {} |",
            number + 1,
            code_text(&step.id),
            duration_text(step.estimate_minutes),
            cell(&when),
            cell(&step.provenance.reason)
        );
    }
}

fn diagrams(out: &mut String, compiled: &Compiled, schedule: &Schedule) {
    let _ = writeln!(out, "\n## Execution graph\n");
    let _ = writeln!(out, "```mermaid\n{}```", render_mermaid(compiled));
    let _ = writeln!(out, "\n## Schedule\n");
    if schedule.placements.is_empty() {
        let _ = writeln!(out, "No step is scheduled (the plan has no `changeWindows`).");
    } else {
        let _ = writeln!(
            out,
            "One bar per step; times in UTC (the step table gives each window's local time).\n"
        );
        let _ = writeln!(out, "```mermaid\n{}```", render_gantt(compiled, schedule));
    }
}

/// A change window's name, or `window N` (1-based, as in the plan) when it has none.
fn window_name(schedule: &Schedule, index: usize) -> String {
    schedule
        .windows
        .iter()
        .find(|w| w.index == index)
        .and_then(|w| w.name.clone())
        .unwrap_or_else(|| format!("window {}", index + 1))
}

/// `file:line`, or the JSON pointer, or `plan`.
fn location(finding: &Finding) -> String {
    let mut text = match &finding.primary {
        Some(label) => {
            let (line, _) = label.source.line_col(label.span.start);
            format!("`{}:{line}`", code_text(&label.source.name))
        }
        None => match &finding.pointer {
            Some(pointer) if !pointer.is_empty() => format!("`{}`", code_text(pointer)),
            _ => "plan".to_owned(),
        },
    };
    let about = match (&finding.cluster, &finding.pool) {
        (Some(cluster), Some(pool)) => format!("{cluster}/{pool}"),
        (Some(cluster), None) => cluster.clone(),
        _ => String::new(),
    };
    if !about.is_empty() {
        let _ = write!(text, " ({})", cell(&about));
    }
    text
}

fn message(finding: &Finding) -> String {
    cell(&finding.message)
}

/// Text for a table cell: no line breaks, `|` escaped, HTML-significant `<` neutralised.
fn cell(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
        .replace('<', "&lt;")
}

/// Text inside backticks in a table cell: no backticks, no `|`.
fn code_text(text: &str) -> String {
    text.replace('`', "'").replace('|', "¦").replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_stay_in_their_column() {
        assert_eq!(cell("a | b\nc <d>"), "a \\| b c &lt;d>");
        assert_eq!(code_text("a`b|c"), "a'b¦c");
        assert_eq!(duration_text(65), "1h 05m");
    }
}

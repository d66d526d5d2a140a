//! The execution graph as a Mermaid flowchart, a Graphviz DOT digraph, and the schedule as a
//! Mermaid Gantt chart. Pure and deterministic: nodes in graph order, edges in `dependsOn` order.

use std::fmt::Write as _;

use aksplan_graph::{Compiled, Schedule, Step, StepIndex, StepKind};

/// A short label for a step: what it does, without the cluster (the subgraph names it).
pub fn step_label(step: &Step) -> String {
    match &step.kind {
        StepKind::ControlPlaneUpgrade { to } => format!("control plane → {to}"),
        StepKind::FullUpgrade { to } => format!("full upgrade → {to}"),
        StepKind::PoolUpgrade { pool, to } => format!("pool {pool} → {to}"),
        StepKind::PoolNodeImage { pool } => format!("pool {pool}: node image"),
        StepKind::PoolSettings { pool, .. } => format!("pool {pool}: upgrade settings"),
        StepKind::ChannelChange { restore, .. } => {
            if *restore {
                "restore channels".to_owned()
            } else {
                "switch channels".to_owned()
            }
        }
        StepKind::MaintenanceSet { name, .. } => format!("maintenance {name}"),
        StepKind::BlueGreenCreate { new_pool, to, .. } => format!("add pool {new_pool} at {to}"),
        StepKind::BlueGreenCordon { pool } => format!("cordon pool {pool}"),
        StepKind::BlueGreenDrain { pool } => format!("drain pool {pool}"),
        StepKind::BlueGreenDelete { pool } => format!("delete pool {pool}"),
        StepKind::ApprovalGate { stage, .. } => format!("approval: stage {stage}"),
        StepKind::StageWait { stage, seconds } => {
            format!("soak after {stage}: {}", duration(seconds / 60))
        }
    }
}

fn duration(minutes: u64) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h {m:02}m"),
    }
}

/// Mermaid node ids: `s1`, `s2`, … by graph position (step ids contain `/` and `.`).
fn node_id(index: &StepIndex<'_>, step_id: &str) -> String {
    let n = index.position(step_id).map_or(0, |i| i + 1);
    format!("s{n}")
}

/// Text inside a Mermaid `"…"` label: quotes and markup characters as entity codes.
fn mermaid_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '`' => out.push_str("#96;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Clusters in first-appearance order, each with its steps; `None` for stage-level steps.
fn groups(compiled: &Compiled) -> Vec<(Option<&str>, Vec<&Step>)> {
    let mut groups: Vec<(Option<&str>, Vec<&Step>)> = Vec::new();
    let mut at: std::collections::HashMap<Option<&str>, usize> = std::collections::HashMap::new();
    for step in &compiled.steps {
        let key = step.cluster.as_deref();
        let slot = *at.entry(key).or_insert_with(|| {
            groups.push((key, Vec::new()));
            groups.len() - 1
        });
        if let Some((_, steps)) = groups.get_mut(slot) {
            steps.push(step);
        }
    }
    groups
}

/// A Mermaid `flowchart TD`: one subgraph per cluster, gates and soaks outside, edges from
/// `dependsOn`.
pub fn render_mermaid(compiled: &Compiled) -> String {
    let index = StepIndex::new(compiled);
    let mut out = String::from("flowchart TD\n");
    for (g, (cluster, steps)) in groups(compiled).into_iter().enumerate() {
        let indent = if let Some(cluster) = cluster {
            let _ = writeln!(out, "  subgraph c{} [\"{}\"]", g + 1, mermaid_text(cluster));
            "    "
        } else {
            "  "
        };
        for step in steps {
            let id = node_id(&index, &step.id);
            let label = mermaid_text(&step_label(step));
            let shape = match step.kind {
                StepKind::ApprovalGate { .. } => format!("{{\"{label}\"}}"),
                StepKind::StageWait { .. } => format!("([\"{label}\"])"),
                _ => format!("[\"{label}\"]"),
            };
            let _ = writeln!(out, "{indent}{id}{shape}");
        }
        if cluster.is_some() {
            out.push_str("  end\n");
        }
    }
    for step in &compiled.steps {
        for dep in &step.depends_on {
            let _ = writeln!(
                out,
                "  {} --> {}",
                node_id(&index, dep),
                node_id(&index, &step.id)
            );
        }
    }
    out
}

/// A DOT string literal.
fn dot_quote(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A Graphviz digraph: step ids quoted as node ids, one `cluster_N` subgraph per cluster.
pub fn render_dot(compiled: &Compiled) -> String {
    let mut out = String::from("digraph aksplan {\n  rankdir=TB;\n  node [shape=box];\n");
    for (g, (cluster, steps)) in groups(compiled).into_iter().enumerate() {
        let indent = if let Some(cluster) = cluster {
            let _ = writeln!(out, "  subgraph cluster_{} {{", g + 1);
            let _ = writeln!(out, "    label={};", dot_quote(cluster));
            "    "
        } else {
            "  "
        };
        for step in steps {
            let shape = match step.kind {
                StepKind::ApprovalGate { .. } => ", shape=diamond",
                StepKind::StageWait { .. } => ", shape=ellipse",
                _ => "",
            };
            let label = format!("{}\n{} min", step_label(step), step.estimate_minutes);
            let _ = writeln!(
                out,
                "{indent}{} [label={}{shape}];",
                dot_quote(&step.id),
                dot_quote(&label)
            );
        }
        if cluster.is_some() {
            out.push_str("  }\n");
        }
    }
    for step in &compiled.steps {
        for dep in &step.depends_on {
            let _ = writeln!(out, "  {} -> {};", dot_quote(dep), dot_quote(&step.id));
        }
    }
    out.push_str("}\n");
    out
}

/// A Mermaid `gantt` of the scheduled steps, one section per change window (and one for the
/// soaks, which run outside windows). Times in UTC, to the minute.
pub fn render_gantt(compiled: &Compiled, schedule: &Schedule) -> String {
    let steps = StepIndex::new(compiled);
    let mut section_names: Vec<String> = schedule
        .windows
        .iter()
        .map(|w| {
            w.name
                .clone()
                .unwrap_or_else(|| format!("window {}", w.index + 1))
        })
        .collect();
    section_names.push(UNSCHEDULED.to_owned());
    // Section titles are drawn in the left margin: wide enough for the longest, so that none
    // runs over the bars. No "today" line: the chart is a plan, read on another day.
    let widest = section_names
        .iter()
        .map(|n| gantt_text(n).chars().count())
        .max()
        .unwrap_or(0);
    let padding = (widest * 8 + 24).max(75);
    let mut out = format!(
        "%%{{init: {{\"gantt\": {{\"leftPadding\": {padding}}}}}}}%%\ngantt\n  dateFormat YYYY-MM-DDTHH:mm\n  axisFormat %m-%d %H:%M\n  todayMarker off\n"
    );
    let mut sections: Vec<(String, Option<usize>)> = schedule
        .windows
        .iter()
        .map(|w| {
            let name = w
                .name
                .clone()
                .unwrap_or_else(|| format!("window {}", w.index + 1));
            (name, Some(w.index))
        })
        .collect();
    sections.push(("soaks".to_owned(), None));
    for (name, window) in sections {
        let mut placed: Vec<_> = schedule
            .placements
            .iter()
            .filter(|p| p.window_index == window)
            .collect();
        if placed.is_empty() {
            continue;
        }
        placed.sort_by_key(|p| p.start);
        let _ = writeln!(out, "  section {}", gantt_text(&name));
        for placement in placed {
            let Some(step) = steps.step(&placement.step_id) else {
                continue;
            };
            let label = match &step.cluster {
                Some(cluster) => format!("{cluster}: {}", step_label(step)),
                None => step_label(step),
            };
            let minutes = placement.start.duration_until(placement.end).as_secs().max(0) / 60;
            let start = placement.start.strftime("%Y-%m-%dT%H:%M");
            let _ = writeln!(
                out,
                "    {} :{}, {start}, {}m",
                gantt_text(&label),
                node_id(&steps, &step.id),
                minutes.max(1)
            );
        }
    }
    // Steps that fit no window have no time: shown after the last placed one, marked critical,
    // so that the chart does not look complete when it is not.
    let last = schedule.placements.iter().max_by_key(|p| p.end);
    if !schedule.unscheduled.is_empty() {
        let _ = writeln!(out, "  section {UNSCHEDULED}");
        let mut previous = last.map(|p| node_id(&steps, &p.step_id));
        for id in &schedule.unscheduled {
            let Some(step) = steps.step(id) else { continue };
            let label = match &step.cluster {
                Some(cluster) => format!("{cluster}: {}", step_label(step)),
                None => step_label(step),
            };
            let node = node_id(&steps, &step.id);
            let start = match &previous {
                Some(before) => format!("after {before}"),
                None => "2000-01-01T00:00".to_owned(),
            };
            let _ = writeln!(
                out,
                "    {} :crit, {node}, {start}, {}m",
                gantt_text(&label),
                step.estimate_minutes.max(1)
            );
            previous = Some(node);
        }
    }
    out
}

/// The Gantt section of the steps that fit no change window.
const UNSCHEDULED: &str = "fits no window (not scheduled)";

/// Gantt task text: `:` and `#` would end or break the task name.
fn gantt_text(text: &str) -> String {
    text.replace(": ", " - ")
        .chars()
        .map(|c| match c {
            ':' | ';' | '#' | '\n' | '\r' => ' ',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(mermaid_text("a \"b\" <c>"), "a #quot;b#quot; #lt;c#gt;");
        assert_eq!(dot_quote("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
        assert_eq!(duration(90), "1h 30m");
    }
}

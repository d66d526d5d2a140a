//! Mermaid flowchart, DOT and Mermaid Gantt of the execution graph: every step a node, every
//! dependency an edge, deterministic; snapshots of two examples.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Example, examples};

use aksplan_emit::graphviz;

#[test]
fn every_step_is_a_node_and_every_dependency_an_edge() {
    for file in examples() {
        let example = Example::load(&file);
        let (compiled, schedule) = example.compile();
        let mermaid = graphviz::render_mermaid(&compiled);
        let dot = graphviz::render_dot(&compiled);
        assert!(mermaid.starts_with("flowchart TD\n"), "{file}");
        assert!(
            dot.starts_with("digraph aksplan {\n") && dot.ends_with("}\n"),
            "{file}"
        );
        let edges: usize = compiled.steps.iter().map(|s| s.depends_on.len()).sum();
        assert_eq!(mermaid.matches(" --> ").count(), edges, "{file}");
        assert_eq!(dot.matches(" -> ").count(), edges, "{file}");
        for step in &compiled.steps {
            assert!(
                dot.contains(&format!("\"{}\" [label=", step.id)),
                "{file}: {}",
                step.id
            );
        }
        assert_eq!(mermaid, graphviz::render_mermaid(&compiled));
        assert_eq!(dot, graphviz::render_dot(&compiled));
        let gantt = graphviz::render_gantt(&compiled, &schedule);
        assert!(gantt.lines().nth(1) == Some("gantt"), "{file}");
        assert_eq!(gantt, graphviz::render_gantt(&compiled, &schedule));
    }
}

fn all(file: &str) -> String {
    let example = Example::load(file);
    let (compiled, schedule) = example.compile();
    format!(
        "{}\n{}\n{}",
        graphviz::render_mermaid(&compiled),
        graphviz::render_dot(&compiled),
        graphviz::render_gantt(&compiled, &schedule)
    )
}

#[test]
fn snapshot_single_cluster() {
    insta::assert_snapshot!("graph_single_cluster", all("single-cluster.yaml"));
}

#[test]
fn snapshot_fleet_three_stages() {
    insta::assert_snapshot!("graph_fleet_three_stages", all("fleet-three-stages.yaml"));
}

/// The Gantt chart of the review report (issue 19): steps that fit no window are on it, after the
/// placed ones and marked critical; no "today" line; a left margin wide enough for the section
/// titles.
#[test]
fn gantt_shows_unscheduled_steps_without_a_today_line() {
    let path = common::root().join("fixtures/plans/schedule/does-not-fit.yaml");
    let input = aksplan_pipeline::inputs::read_plan(path.to_str().unwrap(), None).unwrap();
    let options = aksplan_pipeline::Options::new(
        std::sync::Arc::new(aksplan_catalog::Catalog::embedded()),
        None,
        || jiff::civil::date(2026, 7, 1),
    );
    let checked = aksplan_pipeline::run(input, &options, &mut aksplan_pipeline::NoPolicies);
    let (compiled, schedule) = checked.compiled.clone().unwrap();
    assert!(!schedule.unscheduled.is_empty());
    let gantt = graphviz::render_gantt(&compiled, &schedule);
    assert!(gantt.contains("  todayMarker off\n"), "{gantt}");
    assert!(
        gantt.contains("  section fits no window (not scheduled)\n"),
        "{gantt}"
    );
    for id in &schedule.unscheduled {
        let step = compiled.steps.iter().find(|s| *s.id == **id).unwrap();
        let name = step.id.rsplit('/').nth(1).unwrap_or_default().to_owned();
        assert!(
            gantt.lines().any(|l| l.contains(":crit, ") && l.contains(&name)),
            "{gantt}"
        );
    }
    assert!(
        gantt.starts_with("%%{init: {\"gantt\": {\"leftPadding\": "),
        "{gantt}"
    );
}

//! Mermaid flowchart, DOT and Mermaid Gantt of the execution graph: every step a node, every
//! dependency an edge, deterministic; snapshots of two examples.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use aksplan_catalog::Catalog;
use aksplan_graph::{Compiled, Schedule};
use aksplan_model::finding::Severity;
use aksplan_model::load::Loaded;
use aksplan_model::plan::Plan;
use aksplan_model::source::Format;
use aksplan_model::time::parse_date;
use aksplan_rules::Context;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every example plan, by file name, sorted.
fn examples() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root().join("examples"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml") || n.ends_with(".toml"))
        .collect();
    names.sort();
    names
}

struct Example {
    loaded: Loaded,
    catalog: Catalog,
}

impl Example {
    fn load(file: &str) -> Self {
        let path = root().join("examples").join(file);
        let bytes = std::fs::read(&path).unwrap();
        let format = if file.ends_with(".toml") {
            Format::Toml
        } else {
            Format::Yaml
        };
        let loaded = aksplan_model::load_plan(file, &bytes, format, path.parent().unwrap());
        let errors: Vec<String> = loaded
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| format!("{}: {}", f.code.id(), f.message))
            .collect();
        assert!(errors.is_empty(), "{file}: {errors:#?}");
        Self {
            loaded,
            catalog: Catalog::embedded(),
        }
    }

    fn plan(&self) -> &Plan {
        self.loaded.plan.as_ref().unwrap()
    }

    fn ctx(&self) -> Context<'_> {
        let plan = self.plan();
        let as_of = parse_date(plan.spec.as_of.as_deref().unwrap_or("2026-07-01")).unwrap();
        Context {
            doc: self.loaded.doc.as_ref().unwrap(),
            plan,
            clusters: &self.loaded.clusters,
            catalog: &self.catalog,
            as_of,
            manifests: &[],
        }
    }

    fn compile(&self) -> (Compiled, Schedule) {
        let ctx = self.ctx();
        let compiled = aksplan_graph::compile(&ctx);
        let schedule = aksplan_graph::schedule(&ctx, &compiled);
        (compiled, schedule)
    }
}

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
        assert!(gantt.starts_with("gantt\n"), "{file}");
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

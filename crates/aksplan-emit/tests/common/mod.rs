//! Shared by the emitter tests: loading the example plans and compiling them.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use aksplan_catalog::Catalog;
use aksplan_graph::{Compiled, Schedule};
use aksplan_model::finding::Severity;
use aksplan_model::load::Loaded;
use aksplan_model::plan::Plan;
use aksplan_model::source::Format;
use aksplan_model::time::parse_date;
use aksplan_rules::Context;

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every example plan, by file name, sorted.
pub fn examples() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root().join("examples"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml") || n.ends_with(".toml"))
        .collect();
    names.sort();
    names
}

pub struct Example {
    pub loaded: Loaded,
    pub catalog: Catalog,
}

impl Example {
    pub fn load(file: &str) -> Self {
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

    pub fn plan(&self) -> &Plan {
        self.loaded.plan.as_ref().unwrap()
    }

    pub fn ctx(&self) -> Context<'_> {
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

    pub fn compile(&self) -> (Compiled, Schedule) {
        let ctx = self.ctx();
        let compiled = aksplan_graph::compile(&ctx);
        let schedule = aksplan_graph::schedule(&ctx, &compiled);
        (compiled, schedule)
    }
}

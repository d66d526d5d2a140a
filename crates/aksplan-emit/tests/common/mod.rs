//! Shared by the emitter tests: loading the example plans and compiling them.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use aksplan_catalog::Catalog;
use aksplan_graph::{Compiled, Schedule};
use aksplan_model::finding::Severity;
use aksplan_model::plan::Plan;
use aksplan_pipeline::{Checked, NoPolicies, Options, PlanInput};

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

/// An example plan through the pipeline, as `aksplan emit` runs it (without policies).
pub struct Example {
    pub checked: Checked,
}

impl Example {
    pub fn load(file: &str) -> Self {
        let path = root().join("examples").join(file);
        let input = aksplan_pipeline::inputs::read_plan(path.to_str().unwrap(), None).unwrap();
        let input = PlanInput {
            name: file.to_owned(),
            ..input
        };
        // Plans without `asOf` are judged on a fixed day, so the snapshots do not age.
        let options = Options::new(Arc::new(Catalog::embedded()), None, || {
            jiff::civil::date(2026, 7, 1)
        });
        let checked = aksplan_pipeline::run(input, &options, &mut NoPolicies);
        let errors: Vec<String> = checked
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| format!("{}: {}", f.code.id(), f.message))
            .collect();
        assert!(errors.is_empty(), "{file}: {errors:#?}");
        Self { checked }
    }

    pub fn plan(&self) -> &Plan {
        self.checked.loaded.plan.as_ref().unwrap()
    }

    pub fn compile(&self) -> (Compiled, Schedule) {
        self.checked.compiled.clone().unwrap()
    }
}

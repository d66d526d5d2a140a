//! Per-stage benchmarks on generated fleets (`cargo bench -p xtask --bench stages`): load and
//! schema, the built-in rules, compile and schedule, the policy input and the starter pack's
//! evaluation, and each emitter. The whole-process figures (cold start, peak memory, OPA side by
//! side) come from `scripts/bench.sh`; both are recorded in docs/performance.md.
//!
//! Sizes are clusters × 8 pools. Policy evaluation runs in-process here (the CLI runs it in a
//! child), so it measures the engine, not process start.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a benchmark's setup failing is a broken benchmark, reported loudly"
)]

use std::path::Path;
use std::sync::Arc;

use aksplan_catalog::Catalog;
use aksplan_graph::{Compiled, Schedule};
use aksplan_model::Loaded;
use aksplan_model::source::Format;
use aksplan_pipeline::{Checked, NoPolicies, Options, PlanInput};
use divan::Bencher;

const SIZES: &[usize] = &[1, 100, 1000];
const POOLS: usize = 8;

fn main() {
    divan::main();
}

fn plan_text(clusters: usize) -> String {
    xtask::fleet::fleet_yaml(clusters, POOLS, 1)
}

fn input(text: &str) -> PlanInput {
    PlanInput::new("plan.yaml", text, Format::Yaml, ".")
}

fn options(compile: bool) -> Options {
    // The generated fleet has an `asOf`; the clock is never asked.
    Options {
        compile,
        ..Options::new(Arc::new(Catalog::embedded()), None, || {
            jiff::civil::date(2026, 7, 1)
        })
    }
}

fn load(text: &str) -> Loaded {
    let loaded = aksplan_model::load_plan("plan.yaml", text.as_bytes(), Format::Yaml, Path::new("."));
    assert!(!loaded.has_errors(), "the generated fleet loads without errors");
    loaded
}

/// A fleet checked by the pipeline (not compiled), for the stages to be measured one by one.
struct Fleet {
    checked: Checked,
}

impl Fleet {
    fn new(clusters: usize) -> Self {
        let checked = aksplan_pipeline::run(input(&plan_text(clusters)), &options(false), &mut NoPolicies);
        assert!(!checked.rejected(), "the generated fleet is accepted");
        Self { checked }
    }

    fn context(&self) -> aksplan_rules::Context<'_> {
        self.checked.context().unwrap()
    }

    fn compiled(&self) -> (Compiled, Schedule) {
        let ctx = self.context();
        let compiled = aksplan_graph::compile(&ctx);
        let schedule = aksplan_graph::schedule(&ctx, &compiled);
        (compiled, schedule)
    }
}

/// The whole pipeline without policies (`aksplan plan --no-policy` less reading and printing).
#[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
fn pipeline(bencher: Bencher, clusters: usize) {
    let input = input(&plan_text(clusters));
    let options = options(true);
    // The pipeline takes its input; the copy for each run is made outside the timing.
    bencher
        .with_inputs(|| input.clone())
        .bench_values(|input| aksplan_pipeline::run(input, &options, &mut NoPolicies));
}

/// Parse, source map, schema validation, typed plan, resolution of current state.
#[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
fn load_and_schema(bencher: Bencher, clusters: usize) {
    let text = plan_text(clusters);
    bencher.bench(|| load(&text));
}

/// The built-in rules (AKS1xx).
#[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
fn rules(bencher: Bencher, clusters: usize) {
    let fleet = Fleet::new(clusters);
    bencher.bench(|| aksplan_rules::check(&fleet.context()));
}

/// The compiler, its verification, and the scheduler.
#[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
fn compile_and_schedule(bencher: Bencher, clusters: usize) {
    let fleet = Fleet::new(clusters);
    bencher.bench(|| fleet.compiled());
}

/// The policy input document (`aksplan input`).
#[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
fn policy_input(bencher: Bencher, clusters: usize) {
    let fleet = Fleet::new(clusters);
    let (compiled, schedule) = fleet.compiled();
    bencher.bench(|| aksplan_policy::input::document(&fleet.context(), Some((&compiled, &schedule))));
}

/// The starter pack (`policies/aksplan`, tests left out) evaluated on that document.
#[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
fn policy_evaluation(bencher: Bencher, clusters: usize) {
    let fleet = Fleet::new(clusters);
    let (compiled, schedule) = fleet.compiled();
    let input = aksplan_policy::input::document(&fleet.context(), Some((&compiled, &schedule)));
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../policies/aksplan");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rego"))
        .filter(|p| !p.to_string_lossy().ends_with("_test.rego"))
        .collect();
    paths.sort();
    let policies = paths
        .iter()
        .map(|p| aksplan_policy::PolicyFile {
            path: p.to_string_lossy().into_owned(),
            text: std::fs::read_to_string(p).unwrap(),
        })
        .collect();
    let request = aksplan_policy::Request {
        policies,
        data: Vec::new(),
        input: input.to_value(),
        limits: aksplan_policy::Limits::default(),
    };
    bencher.bench(|| {
        let response = aksplan_policy::evaluate_request(&request);
        assert!(response.errors.is_empty(), "{:?}", response.errors);
        response
    });
}

/// Each emitter on the compiled plan.
fn emit(bencher: Bencher, clusters: usize, format: &str) {
    let fleet = Fleet::new(clusters);
    let (compiled, schedule) = fleet.compiled();
    let plan = fleet.checked.loaded.plan.as_ref().unwrap();
    bencher.bench(|| match format {
        "az" => aksplan_emit::az::render(plan, &compiled, &aksplan_emit::az::AzOptions::default()),
        "json" => aksplan_emit::json::render(
            plan,
            &compiled,
            &schedule,
            &aksplan_emit::json::Meta {
                plan_hash: String::new(),
                catalog: None,
                generator: None,
                findings: Vec::new(),
            },
        ),
        "fleet" => aksplan_emit::fleet::render(plan, &compiled, None).text,
        "mermaid" => aksplan_emit::graphviz::render_mermaid(&compiled),
        "markdown" => aksplan_emit::review::render_markdown(
            plan,
            &compiled,
            &schedule,
            &[],
            &aksplan_emit::review::Meta {
                plan_hash: String::new(),
                catalog: None,
                generator: None,
            },
        ),
        other => panic!("no emitter `{other}`"),
    });
}

#[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
fn emit_az(bencher: Bencher, clusters: usize) {
    emit(bencher, clusters, "az");
}

#[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
fn emit_json(bencher: Bencher, clusters: usize) {
    emit(bencher, clusters, "json");
}

#[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
fn emit_fleet(bencher: Bencher, clusters: usize) {
    emit(bencher, clusters, "fleet");
}

#[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
fn emit_mermaid(bencher: Bencher, clusters: usize) {
    emit(bencher, clusters, "mermaid");
}

#[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
fn emit_markdown(bencher: Bencher, clusters: usize) {
    emit(bencher, clusters, "markdown");
}

//! The whole check pipeline on structured random plans (see `aksplan_fuzz::plan_gen`): load
//! (parse, header, schema, model checks, current state), the built-in rules, compile (with its
//! verifier), schedule, cluster attribution and waivers, through `aksplan_pipeline::run`, the
//! function every command calls, then the az, JSON and Fleet emitters when the plan is accepted.
//! Policies are left out (`NoPolicies`): they run Rego in a child process, which is neither fast
//! nor deterministic enough for fuzzing, and their input document is built from the same stages.
//!
//! Properties: nothing panics; every finding has renderable labels; when loading and the rules
//! find no error, the compiled graph can be ordered (acyclic, every dependency known) and the
//! verifier (AKS200) accepts every state it passes through; the JSON execution plan is valid JSON.

#![no_main]

use std::sync::{Arc, LazyLock};

use aksplan_catalog::Catalog;
use aksplan_fuzz::assert_labels;
use aksplan_fuzz::plan_gen::PlanSeed;
use aksplan_model::codes;
use aksplan_model::finding::Severity;
use aksplan_pipeline::{NoPolicies, Options, PlanInput};
use libfuzzer_sys::fuzz_target;

/// Built once: parsing the embedded snapshot per input would dominate the run time. A plan
/// without `asOf` is judged on a fixed day, so runs repeat.
static OPTIONS: LazyLock<Options> = LazyLock::new(|| {
    Options::new(Arc::new(Catalog::embedded()), None, || {
        jiff::civil::date(2026, 7, 1)
    })
});

fuzz_target!(|seed: PlanSeed| {
    let (text, format, name) = seed.render();
    let input = PlanInput::new(name, text.as_bytes(), format, "/nonexistent/aksplan-fuzz");
    let checked = aksplan_pipeline::run(input, &OPTIONS, &mut NoPolicies);
    assert_labels(&checked.findings);
    let rules_clean = checked.rules_ran && !checked.early.iter().any(|f| f.severity == Severity::Error);
    assert_eq!(
        rules_clean,
        checked.compiled.is_some(),
        "a plan is compiled exactly when loading and the rules find no error\n{text}"
    );
    let Some((compiled, _)) = &checked.compiled else {
        return;
    };
    let order = aksplan_graph::topological_order(&compiled.steps);
    assert!(
        order.is_ok(),
        "the graph of an accepted plan cannot be ordered: {order:?}\n{text}"
    );
    let verifier: Vec<&str> = compiled
        .findings
        .iter()
        .filter(|f| f.code == codes::VERIFY)
        .map(|f| f.message.as_str())
        .collect();
    assert!(
        verifier.is_empty(),
        "AKS200 on a plan the rules accept: {verifier:#?}\n{text}"
    );
    if let Some((plan, compiled, schedule)) = checked.accepted() {
        aksplan_emit::az::render(plan, compiled, &aksplan_emit::az::AzOptions::default());
        let meta = aksplan_emit::json::Meta::default();
        let json = aksplan_emit::json::render(plan, compiled, schedule, &meta);
        assert!(
            serde_json::from_str::<serde_json::Value>(&json).is_ok(),
            "execution plan is not JSON"
        );
        aksplan_emit::fleet::render(plan, compiled, checked.loaded.doc.as_ref());
    }
});

//! The whole check pipeline on structured random plans (see `aksplan_fuzz::plan_gen`): load
//! (parse, header, schema, model checks, current state), the built-in rules, compile (with its
//! verifier), schedule, cluster attribution and waivers, as `aksplan check`/`plan` chain them
//! (crates/aksplan-cli/src/pipeline.rs), then the az, JSON and Fleet emitters when the plan is
//! accepted. Policies are left out: they run Rego in a child process, which is neither fast nor
//! deterministic enough for fuzzing, and their input document is built from the same stages.
//!
//! Properties: no stage panics; every finding of every stage has renderable labels; when loading
//! and the rules find no error, the compiled graph can be ordered (acyclic, every dependency
//! known) and the verifier (AKS200) accepts every state it passes through; the JSON execution
//! plan is valid JSON.

#![no_main]

use std::path::Path;
use std::sync::LazyLock;

use aksplan_catalog::Catalog;
use aksplan_fuzz::assert_labels;
use aksplan_fuzz::plan_gen::PlanSeed;
use aksplan_model::finding::{Finding, Severity};
use libfuzzer_sys::fuzz_target;

/// Built once: parsing the embedded snapshot per input would dominate the run time.
static CATALOG: LazyLock<Catalog> = LazyLock::new(Catalog::embedded);

fn has_errors(findings: &[Finding]) -> bool {
    findings
        .iter()
        .any(|f| f.severity == Severity::Error && f.waived.is_none())
}

fuzz_target!(|seed: PlanSeed| {
    let (text, format, name) = seed.render();
    let loaded = aksplan_model::load_plan(
        name,
        text.as_bytes(),
        format,
        Path::new("/nonexistent/aksplan-fuzz"),
    );
    assert_labels(&loaded.findings);
    let mut findings = loaded.findings.clone();
    let (Some(plan), Some(doc)) = (&loaded.plan, &loaded.doc) else {
        return;
    };
    // The CLI's default when the plan has no `asOf` is today; a fixed day keeps runs repeatable.
    let as_of = plan
        .spec
        .as_of
        .as_deref()
        .and_then(|d| d.parse().ok())
        .unwrap_or(jiff::civil::date(2026, 7, 1));
    let rules_ran = !loaded.has_errors();
    if rules_ran {
        let ctx = aksplan_rules::Context {
            doc,
            plan,
            clusters: &loaded.clusters,
            catalog: &CATALOG,
            as_of,
            manifests: &[],
        };
        let rule_findings = aksplan_rules::check(&ctx);
        assert_labels(&rule_findings);
        findings.extend(rule_findings);
        if !has_errors(&findings) {
            let compiled = aksplan_graph::compile(&ctx);
            assert_labels(&compiled.findings);
            let order = aksplan_graph::topological_order(&compiled.steps);
            assert!(
                order.is_ok(),
                "the graph of an accepted plan cannot be ordered: {order:?}\n{text}"
            );
            let verifier: Vec<&str> = compiled
                .findings
                .iter()
                .filter(|f| f.code.id() == aksplan_graph::VERIFY_CODE.id())
                .map(|f| f.message.as_str())
                .collect();
            assert!(
                verifier.is_empty(),
                "AKS200 on a plan the rules accept: {verifier:#?}\n{text}"
            );
            let schedule = aksplan_graph::schedule(&ctx, &compiled);
            assert_labels(&schedule.findings);
            findings.extend(compiled.findings.iter().cloned());
            findings.extend(schedule.findings.iter().cloned());
            if !has_errors(&findings) {
                aksplan_emit::az::render(plan, &compiled, &aksplan_emit::az::AzOptions::default());
                let meta = aksplan_emit::json::Meta::default();
                let json = aksplan_emit::json::render(plan, &compiled, &schedule, &meta);
                assert!(
                    serde_json::from_str::<serde_json::Value>(&json).is_ok(),
                    "execution plan is not JSON"
                );
                aksplan_emit::fleet::render(plan, &compiled);
            }
        }
    }
    aksplan_model::attribute_clusters(&loaded, &mut findings);
    aksplan_model::waivers::apply(plan, doc, as_of, rules_ran, &mut findings);
    assert_labels(&findings);
});

//! `aksplan diff OLD NEW`: compares two plans (or JSON execution plans, told apart by their
//! `apiVersion`) as execution plan documents. Exit 0 when they are the same, 1 when they differ,
//! 2 when either side cannot be read or compiled.

use std::sync::Arc;

use aksplan_model::codes;
use aksplan_model::finding::{Finding, Severity};
use serde_json::Value;

use crate::Invocation;
use crate::args::{DiffArgs, PlanFormat};
use crate::output::{ExitStatus, tool_errors, write_stderr, write_stdout};

pub fn run(args: &DiffArgs, inv: &Invocation) -> ExitStatus {
    let catalog = match aksplan_pipeline::inputs::load_catalog(args.catalog.as_deref()) {
        Ok(catalog) => Arc::new(catalog),
        Err(errors) => return tool_errors(&errors, inv.human),
    };
    // Policies are left out: a diff compares what the plans compile to, not a team's verdicts.
    let options = aksplan_pipeline::Options::new(catalog, args.as_of, crate::today);
    let mut documents = Vec::new();
    for name in [&args.old, &args.new] {
        match side_document(name, &options) {
            Ok(document) => documents.push(document),
            Err(findings) => {
                if !findings.is_empty() {
                    write_stderr(&aksplan_report::render_human(&findings, inv.human));
                }
                write_stderr(&format!(
                    "error: cannot compare: `{name}` could not be read or compiled\n"
                ));
                return ExitStatus::CouldNotRun;
            }
        }
    }
    let changes = aksplan_emit::diff::compare(&documents[0], &documents[1]);
    let text = match args.format {
        PlanFormat::Human => aksplan_emit::diff::render_human(&changes),
        PlanFormat::Json => aksplan_emit::diff::render_json(&args.old, &args.new, &changes),
    };
    write_stdout(&text);
    if changes.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::Rejected
    }
}

/// One side as an execution plan document: a JSON execution plan as it is, a plan compiled (as
/// `aksplan emit --format json` does, without policies); the findings when the plan has errors.
fn side_document(name: &str, options: &aksplan_pipeline::Options) -> Result<Value, Vec<Finding>> {
    let input = aksplan_pipeline::inputs::read_plan(name, None).map_err(|f| vec![f])?;
    if let Ok(value) = serde_json::from_slice::<Value>(&input.bytes)
        && let Some(api) = value.get("apiVersion").and_then(Value::as_str)
        && api.starts_with("aksplan.dev/execution-plan/")
    {
        if api != aksplan_emit::json::API_VERSION {
            return Err(vec![Finding::new(
                codes::UNKNOWN_FORMAT,
                format!(
                    "`{name}` is an execution plan of `{api}`; this aksplan reads `{}`",
                    aksplan_emit::json::API_VERSION
                ),
            )]);
        }
        return Ok(value);
    }
    let checked = aksplan_pipeline::run(input, options, &mut aksplan_pipeline::NoPolicies);
    let Some((plan, compiled, schedule)) = checked.accepted() else {
        return Err(checked
            .findings
            .iter()
            .filter(|f| f.waived.is_none() && f.severity == Severity::Error)
            .cloned()
            .collect());
    };
    let meta = aksplan_emit::json::Meta {
        plan_hash: String::new(),
        catalog: None,
        generator: None,
        findings: checked.early.clone(),
    };
    Ok(aksplan_emit::json::document(plan, compiled, schedule, &meta))
}

//! `aksplan diff OLD NEW`: compares two plans (or JSON execution plans, told apart by their
//! `apiVersion`) as execution plan documents. Exit 0 when they are the same, 1 when they differ,
//! 2 when either side cannot be read or compiled.

use std::process::ExitCode;

use aksplan_model::codes;
use aksplan_model::finding::{Finding, Severity};
use aksplan_report::HumanOptions;
use serde_json::Value;

use crate::args::{DiffArgs, PlanFormat};
use crate::{load_catalog, read_input, report_tool_errors, write_stderr, write_stdout};

pub fn run(args: &DiffArgs, human: HumanOptions) -> ExitCode {
    let catalog = match load_catalog(args.catalog.as_deref()) {
        Ok(catalog) => catalog,
        Err(errors) => return report_tool_errors(&errors, human),
    };
    let mut documents = Vec::new();
    for name in [&args.old, &args.new] {
        match side_document(name, &catalog, args.as_of) {
            Ok(document) => documents.push(document),
            Err(findings) => {
                if !findings.is_empty() {
                    write_stderr(&aksplan_report::render_human(&findings, human));
                }
                write_stderr(&format!(
                    "error: cannot compare: `{name}` could not be read or compiled\n"
                ));
                return ExitCode::from(2);
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
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// One side as an execution plan document: a JSON execution plan as it is, a plan compiled.
fn side_document(
    name: &str,
    catalog: &aksplan_catalog::Catalog,
    as_of: Option<jiff::civil::Date>,
) -> Result<Value, Vec<Finding>> {
    let (bytes, format, base) = read_input(name, None).map_err(|f| vec![f])?;
    if let Ok(value) = serde_json::from_slice::<Value>(&bytes)
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
    compile_document(name, &bytes, format, &base, catalog, as_of)
}

/// The flow of `aksplan emit --format json` (load, check, compile, schedule) up to the execution
/// plan document, without policies; the findings when the plan has errors.
pub(crate) fn compile_document(
    name: &str,
    bytes: &[u8],
    format: aksplan_model::source::Format,
    base: &std::path::Path,
    catalog: &aksplan_catalog::Catalog,
    as_of: Option<jiff::civil::Date>,
) -> Result<Value, Vec<Finding>> {
    // Policies are left out: a diff compares what the plans compile to, not a team's verdicts.
    let options = crate::pipeline::Options {
        catalog,
        as_of,
        compile: true,
        report_compile: true,
        policy: None,
        manifests: &[],
        base,
    };
    let analysed = crate::pipeline::analyse(name, bytes, format, &options);
    let errors: Vec<Finding> = analysed
        .findings
        .iter()
        .filter(|f| f.waived.is_none() && f.severity == Severity::Error)
        .cloned()
        .collect();
    let (Some((compiled, schedule)), Some(plan), true) =
        (&analysed.compiled, &analysed.loaded.plan, errors.is_empty())
    else {
        return Err(errors);
    };
    let early = analysed.early.clone();
    let meta = aksplan_emit::json::Meta {
        plan_hash: String::new(),
        catalog: None,
        generator: None,
        findings: early,
    };
    Ok(aksplan_emit::json::document(plan, compiled, schedule, &meta))
}

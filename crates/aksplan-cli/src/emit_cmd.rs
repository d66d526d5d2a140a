//! `aksplan emit`: the flow of `aksplan plan` (load, check, compile, schedule, policies), then an
//! emitter. With any error finding nothing is written and the exit code is 1.

use aksplan_model::finding::Severity;
use std::path::Path;

use aksplan_model::codes;
use aksplan_model::finding::Finding;
use aksplan_pipeline::inputs::content_hash;

use crate::Invocation;
use crate::args::{EmitArgs, EmitFormat};
use crate::output::{ExitStatus, tool_errors, usage_error, write_atomically, write_stderr, write_stdout};

pub fn run(args: &EmitArgs, inv: &Invocation) -> ExitStatus {
    let selecting = args.from_step.is_some() || args.until_stage.is_some() || args.cluster.is_some();
    if args.format != EmitFormat::Az && selecting {
        return usage_error("`--from-step`, `--until-stage` and `--cluster` apply to `--format az` only");
    }
    if let Some(output) = &args.output
        && args.plan != "-"
        && same_file(output, Path::new(&args.plan))
    {
        return tool_errors(
            &[Finding::new(
                codes::CANNOT_WRITE,
                format!(
                    "`{}` is the plan itself; refusing to overwrite it",
                    output.display()
                ),
            )
            .help("write the script to another file, e.g. `-o upgrade.sh`")],
            inv.human,
        );
    }
    let opened = match crate::open(&args.plan, args.input_format, args.catalog.as_deref(), args.as_of) {
        Ok(opened) => opened,
        Err(errors) => return tool_errors(&errors, inv.human),
    };
    let (input, options, catalog_origin) = opened;
    let checked = crate::check_reported(&input, &options, &args.policy, inv);
    let findings = &checked.findings;
    if checked.could_not_run() {
        return ExitStatus::CouldNotRun;
    }
    let Some((plan, compiled, schedule)) = checked.accepted() else {
        write_stderr("nothing emitted: the plan has errors\n");
        return ExitStatus::Rejected;
    };
    if crate::output::verdict(findings, args.fail_on) != ExitStatus::Success {
        write_stderr("nothing emitted: the plan has findings at or above `--fail-on`\n");
        return ExitStatus::Rejected;
    }
    let plan_hash = content_hash(&input.bytes);
    let generator = format!("aksplan {}", env!("CARGO_PKG_VERSION"));
    let text = match args.format {
        EmitFormat::Az => {
            let options = aksplan_emit::az::AzOptions {
                tool_version: env!("CARGO_PKG_VERSION").to_owned(),
                plan_hash,
                catalog: catalog_origin,
                from_step: args.from_step.clone(),
                until_stage: args.until_stage.clone(),
                cluster: args.cluster.clone(),
            };
            if let Err(message) = aksplan_emit::az::check_options(plan, compiled, &options) {
                return usage_error(&message);
            }
            aksplan_emit::az::render(plan, compiled, &options)
        }
        EmitFormat::Json => {
            let meta = aksplan_emit::json::Meta {
                plan_hash,
                catalog: Some(catalog_origin),
                generator: Some(generator),
                findings: checked.early.clone(),
            };
            aksplan_emit::json::render(plan, compiled, schedule, &meta)
        }
        EmitFormat::Fleet => {
            // What Fleet would run differently: warnings are shown, an error writes nothing.
            let fleet = aksplan_emit::fleet::render(plan, compiled, checked.loaded.doc.as_ref());
            if !fleet.findings.is_empty() {
                write_stderr(&aksplan_report::render_human(&fleet.findings, inv.human));
            }
            if fleet.findings.iter().any(|f| f.severity == Severity::Error) {
                write_stderr(
                    "nothing emitted: Fleet would not run this plan as compiled (AKS220); use `--format az`\n",
                );
                return ExitStatus::Rejected;
            }
            fleet.text
        }
        EmitFormat::Markdown => {
            let meta = aksplan_emit::review::Meta {
                plan_hash,
                catalog: Some(catalog_origin),
                generator: Some(generator),
            };
            aksplan_emit::review::render_markdown(plan, compiled, schedule, findings, &meta)
        }
        EmitFormat::Mermaid => aksplan_emit::graphviz::render_mermaid(compiled),
        EmitFormat::Dot => aksplan_emit::graphviz::render_dot(compiled),
    };
    let Some(path) = &args.output else {
        write_stdout(&text);
        return ExitStatus::Success;
    };
    match write_atomically(path, &text, true) {
        Ok(()) => {
            write_stderr(&format!("wrote `{}`\n", path.display()));
            ExitStatus::Success
        }
        Err(finding) => tool_errors(&[finding], inv.human),
    }
}

/// Whether two paths name the same file (the output may not exist yet).
fn same_file(output: &Path, plan: &Path) -> bool {
    let Ok(plan) = plan.canonicalize() else {
        return false;
    };
    if let Ok(output) = output.canonicalize() {
        return output == plan;
    }
    let parent = output
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    match (parent.canonicalize(), output.file_name()) {
        (Ok(dir), Some(name)) => dir.join(name) == plan,
        _ => false,
    }
}

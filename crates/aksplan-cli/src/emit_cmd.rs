//! `aksplan emit`: the flow of `aksplan plan` (load, check, compile, schedule, policies), then an
//! emitter. With any error finding nothing is written and the exit code is 1.

use std::path::Path;
use std::process::ExitCode;

use aksplan_model::codes;
use aksplan_model::finding::{Finding, Severity};
use aksplan_report::HumanOptions;

use crate::args::{EmitArgs, EmitFormat};
use crate::{load_catalog, read_input, report_tool_errors, write_atomically, write_stderr, write_stdout};

pub fn run(args: &EmitArgs, human: HumanOptions) -> ExitCode {
    let selecting = args.from_step.is_some() || args.until_stage.is_some() || args.cluster.is_some();
    if args.format != EmitFormat::Az && selecting {
        write_stderr("error: `--from-step`, `--until-stage` and `--cluster` apply to `--format az` only\n");
        return ExitCode::from(2);
    }
    if let Some(output) = &args.output
        && args.plan != "-"
        && same_file(output, Path::new(&args.plan))
    {
        return report_tool_errors(
            &[Finding::new(
                codes::CANNOT_WRITE,
                format!(
                    "`{}` is the plan itself; refusing to overwrite it",
                    output.display()
                ),
            )
            .help("write the script to another file, e.g. `-o upgrade.sh`")],
            human,
        );
    }
    let catalog = match load_catalog(args.catalog.as_deref()) {
        Ok(catalog) => catalog,
        Err(errors) => return report_tool_errors(&errors, human),
    };
    let catalog_origin = match &args.catalog {
        None => format!("embedded snapshot {}", env!("AKSPLAN_CATALOG_DATE")),
        Some(path) => match crate::inputs::read(path) {
            Ok(bytes) => format!("{} ({})", path.display(), content_hash(&bytes)),
            Err(finding) => return report_tool_errors(&[finding], human),
        },
    };
    let display = if args.plan == "-" {
        "<stdin>"
    } else {
        args.plan.as_str()
    };
    let (bytes, format, base) = match read_input(&args.plan, args.input_format) {
        Ok(input) => input,
        Err(finding) => return report_tool_errors(&[finding], human),
    };
    let options = crate::pipeline::Options {
        catalog: &catalog,
        as_of: args.as_of,
        compile: true,
        report_compile: true,
        policy: Some(&args.policy),
        manifests: &[],
        base: &base,
    };
    let analysed = crate::pipeline::analyse(display, &bytes, format, &options);
    let findings = analysed.findings.clone();
    let early = analysed.early.clone();
    let compiled = analysed.compiled;
    let loaded = analysed.loaded;
    if !findings.is_empty() {
        write_stderr(&aksplan_report::render_human(&findings, human));
    }
    write_stderr(&format!("{}\n", aksplan_report::summary_line(&findings, 1)));
    if findings
        .iter()
        .any(|f| f.code.category() == codes::Category::Tool)
    {
        return ExitCode::from(2);
    }
    let rejected = findings
        .iter()
        .any(|f| f.waived.is_none() && f.severity == Severity::Error);
    let (Some((compiled, schedule)), Some(plan), false) = (&compiled, &loaded.plan, rejected) else {
        write_stderr("nothing emitted: the plan has errors\n");
        return ExitCode::from(1);
    };
    let plan_hash = content_hash(&bytes);
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
                write_stderr(&format!("error: {message}\n"));
                return ExitCode::from(2);
            }
            aksplan_emit::az::render(plan, compiled, &options)
        }
        EmitFormat::Json => {
            let meta = aksplan_emit::json::Meta {
                plan_hash,
                catalog: Some(catalog_origin),
                generator: Some(format!("aksplan {}", env!("CARGO_PKG_VERSION"))),
                findings: early,
            };
            aksplan_emit::json::render(plan, compiled, schedule, &meta)
        }
        EmitFormat::Fleet => aksplan_emit::fleet::render(plan, compiled),
        EmitFormat::Markdown => {
            let meta = aksplan_emit::review::Meta {
                plan_hash,
                catalog: Some(catalog_origin),
                generator: Some(format!("aksplan {}", env!("CARGO_PKG_VERSION"))),
            };
            aksplan_emit::review::render_markdown(plan, compiled, schedule, &findings, &meta)
        }
        EmitFormat::Mermaid => aksplan_emit::graphviz::render_mermaid(compiled),
        EmitFormat::Dot => aksplan_emit::graphviz::render_dot(compiled),
    };
    match &args.output {
        None => {
            write_stdout(&text);
            ExitCode::SUCCESS
        }
        Some(path) => match write_atomically(path, &text, true) {
            Ok(()) => {
                write_stderr(&format!("wrote `{}`\n", path.display()));
                ExitCode::SUCCESS
            }
            Err(finding) => report_tool_errors(&[finding], human),
        },
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

/// A stable content hash (FNV-1a, 64 bits): identifies the input, not a security measure.
fn content_hash(bytes: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("fnv1a64:{hash:016x}")
}

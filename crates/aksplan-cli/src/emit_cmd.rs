//! `aksplan emit`: the flow of `aksplan plan` (load, check, compile, schedule, policies), then an
//! emitter. With any error finding nothing is written and the exit code is 1.

use aksplan_model::finding::Severity;
use std::path::Path;

use aksplan_model::codes;
use aksplan_model::finding::Finding;
use aksplan_pipeline::inputs::content_hash;

use crate::Invocation;
use crate::args::{EmitArgs, EmitFormat};
use crate::output::{
    ExitStatus, put_in_place, tool_errors, usage_error, write_atomically, write_atomically_with,
    write_stderr, write_stdout, written_beside,
};

pub fn run(args: &EmitArgs, inv: &Invocation) -> ExitStatus {
    let selecting = args.from_step.is_some() || args.until_stage.is_some() || args.cluster.is_some();
    if args.format != EmitFormat::Az && selecting {
        return usage_error("`--from-step`, `--until-stage` and `--cluster` apply to `--format az` only");
    }
    let templated = args
        .output
        .as_ref()
        .is_some_and(|o| o.to_string_lossy().contains("{plan}"));
    if args.plans.len() > 1 && !templated {
        return usage_error(
            "several plans need one output each: give `-o` with `{plan}` in it, e.g. `-o 'upgrade-{plan}.sh'`",
        );
    }
    // One output per plan; the exit status is the worst of them.
    let mut outputs: Vec<(String, Option<std::path::PathBuf>)> = Vec::new();
    for plan in &args.plans {
        let output = args.output.as_ref().map(|o| {
            let stem = Path::new(plan)
                .file_stem()
                .map_or_else(|| "plan".to_owned(), |s| s.to_string_lossy().into_owned());
            std::path::PathBuf::from(o.to_string_lossy().replace("{plan}", &stem))
        });
        if let Some(output) = &output
            && outputs.iter().any(|(_, o)| o.as_ref() == Some(output))
        {
            return usage_error(&format!(
                "two plans would both write `{}`: their file names without extension are the same",
                output.display()
            ));
        }
        outputs.push((plan.clone(), output));
    }
    let mut worst = ExitStatus::Success;
    for (plan, output) in outputs {
        let status = emit_one(args, &plan, output.as_deref(), inv);
        // Could not run (2) outranks rejected (1), which outranks success.
        let rank = |s: ExitStatus| match s {
            ExitStatus::Success => 0,
            ExitStatus::Rejected => 1,
            ExitStatus::CouldNotRun => 2,
        };
        if rank(status) > rank(worst) {
            worst = status;
        }
    }
    worst
}

/// One plan to one output.
fn emit_one(args: &EmitArgs, plan_name: &str, output: Option<&Path>, inv: &Invocation) -> ExitStatus {
    if let Some(output) = output
        && plan_name != "-"
        && same_file(output, Path::new(plan_name))
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
    let opened = match crate::open(plan_name, args.input_format, args.catalog.as_deref(), args.as_of) {
        Ok(opened) => opened,
        Err(errors) => return tool_errors(&errors, inv.human),
    };
    let (input, options, catalog_origin) = opened;
    let plan_hash = content_hash(&input.bytes);
    let az_options = aksplan_emit::az::AzOptions {
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        plan_hash: plan_hash.clone(),
        catalog: catalog_origin.clone(),
        from_step: args.from_step.clone(),
        until_stage: args.until_stage.clone(),
        cluster: args.cluster.clone(),
    };
    // The script to a file is written while the policies evaluate the plan (the policy child
    // takes as long as the rest of a large run), into a temporary file kept only if the plan is
    // accepted with their findings; dropped unused, it is removed.
    let script_file = output.filter(|_| args.format == EmitFormat::Az);
    let mut beforehand: Option<Result<tempfile::NamedTempFile, Finding>> = None;
    let mut write_beforehand = |compiled: aksplan_pipeline::Meanwhile<'_>| {
        if let Some(path) = script_file
            && aksplan_emit::az::check_options(compiled.plan, compiled.compiled, &az_options).is_ok()
        {
            beforehand = Some(written_beside(path, true, |out| {
                render_az(compiled.plan, compiled.compiled, &az_options, out)
            }));
        }
    };
    let meanwhile: Option<&mut (dyn FnMut(aksplan_pipeline::Meanwhile<'_>) + Send)> =
        script_file.is_some().then_some(&mut write_beforehand);
    // Never freed: the command ends the process, and freeing a large plan's structures piece
    // by piece (hundreds of thousands of them at 1,000 clusters) took ~25 ms the OS does at once.
    let checked = std::mem::ManuallyDrop::new(crate::check_reported_with(
        input,
        &options,
        &args.policy,
        inv,
        meanwhile,
    ));
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
    let generator = format!("aksplan {}", env!("CARGO_PKG_VERSION"));
    let text = match args.format {
        EmitFormat::Az => {
            if let Err(message) = aksplan_emit::az::check_options(plan, compiled, &az_options) {
                return usage_error(&message);
            }
            let render = |out: &mut dyn std::io::Write| render_az(plan, compiled, &az_options, out);
            return match (output, beforehand) {
                (None, _) => {
                    let mut stdout = std::io::stdout().lock();
                    let _ = render(&mut stdout).and_then(|()| std::io::Write::flush(&mut stdout));
                    ExitStatus::Success
                }
                (Some(path), Some(made)) => {
                    written(made.and_then(|file| put_in_place(file, path)), path, inv)
                }
                (Some(path), None) => written(write_atomically_with(path, true, render), path, inv),
            };
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
    let Some(path) = output else {
        write_stdout(&text);
        return ExitStatus::Success;
    };
    written(write_atomically(path, &text, true), path, inv)
}

/// Writes the az script as it is made: the script of a large fleet is tens of megabytes.
fn render_az(
    plan: &aksplan_model::plan::Plan,
    compiled: &aksplan_graph::Compiled,
    options: &aksplan_emit::az::AzOptions,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut written = Ok(());
    aksplan_emit::az::render_to(plan, compiled, options, &mut |chunk| {
        if written.is_ok() {
            written = out.write_all(chunk.as_bytes());
        }
    });
    written
}

/// Says what became of writing `path`.
fn written(result: Result<(), Finding>, path: &Path, inv: &Invocation) -> ExitStatus {
    match result {
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

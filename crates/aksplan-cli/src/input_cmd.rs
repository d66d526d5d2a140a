//! `aksplan input PLAN`: the document policies see, as JSON on stdout (as `conftest parse`).

use crate::Invocation;
use crate::args::InputArgs;
use crate::output::{ExitStatus, write_stderr, write_stdout};

pub fn run(args: &InputArgs, inv: &Invocation) -> ExitStatus {
    let (input, options, _) =
        match crate::open(&args.plan, args.input_format, args.catalog.as_deref(), args.as_of) {
            Ok(opened) => opened,
            Err(errors) => return crate::output::tool_errors(&errors, inv.human),
        };
    let checked = aksplan_pipeline::run(input, &options, &mut aksplan_pipeline::NoPolicies);
    let Some(ctx) = checked.context() else {
        write_stderr(&aksplan_report::render_human(&checked.findings, inv.human));
        return ExitStatus::Rejected;
    };
    let compiled = checked
        .compiled
        .as_ref()
        .map(|(graph, schedule)| (graph, schedule));
    let document = aksplan_policy::input::document(&ctx, compiled);
    let mut text = serde_json::to_string_pretty(&document.to_value()).unwrap_or_default();
    text.push('\n');
    write_stdout(&text);
    ExitStatus::Success
}

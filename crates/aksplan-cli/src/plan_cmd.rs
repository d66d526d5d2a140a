//! `aksplan plan PLAN`: check, compile, verify, schedule; the route (or the graph as JSON) on
//! stdout, findings on stderr.

use crate::Invocation;
use crate::args::{PlanArgs, PlanFormat};
use crate::output::{ExitStatus, verdict, write_stdout};

pub fn run(args: &PlanArgs, inv: &Invocation) -> ExitStatus {
    let (input, options, _) =
        match crate::open(&args.plan, args.input_format, args.catalog.as_deref(), args.as_of) {
            Ok(opened) => opened,
            Err(errors) => return crate::output::tool_errors(&errors, inv.human),
        };
    let checked = crate::check_reported(input, &options, &args.policy, inv);
    let findings = &checked.findings;
    if let (Some((compiled, schedule)), Some(plan)) = (&checked.compiled, &checked.loaded.plan) {
        write_stdout(&match args.format {
            PlanFormat::Human => aksplan_report::plan::render_route(plan, compiled, schedule),
            PlanFormat::Json => aksplan_report::plan::render_graph_json(plan, compiled, schedule),
        });
    }
    verdict(findings, args.fail_on)
}

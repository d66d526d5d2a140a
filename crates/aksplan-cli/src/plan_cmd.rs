//! `aksplan plan PLAN`: check, compile, verify, schedule; the route (or the graph as JSON) on
//! stdout, findings on stderr.

use crate::args::{PlanArgs, PlanFormat};
use crate::output::{ExitStatus, verdict, write_stderr, write_stdout};
use crate::{Invocation, policy};

pub fn run(args: &PlanArgs, inv: &Invocation) -> ExitStatus {
    let (input, options, _) =
        match crate::open(&args.plan, args.input_format, args.catalog.as_deref(), args.as_of) {
            Ok(opened) => opened,
            Err(errors) => return crate::output::tool_errors(&errors, inv.human),
        };
    let checked = aksplan_pipeline::run(
        &input,
        &options,
        &mut policy::ChildPolicies::new(Some(&args.policy)),
    );
    let findings = &checked.findings;
    if !findings.is_empty() {
        write_stderr(&aksplan_report::render_human(findings, inv.human));
    }
    write_stderr(&format!("{}\n", aksplan_report::summary_line(findings, 1)));
    if let (Some((compiled, schedule)), Some(plan)) = (&checked.compiled, &checked.loaded.plan) {
        write_stdout(&match args.format {
            PlanFormat::Human => aksplan_report::plan::render_route(plan, compiled, schedule),
            PlanFormat::Json => aksplan_report::plan::render_graph_json(plan, compiled, schedule),
        });
    }
    verdict(findings, args.fail_on)
}

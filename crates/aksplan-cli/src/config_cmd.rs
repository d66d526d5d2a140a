//! `aksplan config`: the effective configuration and where each value came from.

use crate::args::ConfigArgs;
use crate::output::{ExitStatus, tool_errors, write_stdout};
use crate::{Invocation, config};

pub fn run(args: &ConfigArgs, inv: &Invocation) -> ExitStatus {
    match config::resolve(&args.shared, &inv.sub_matches, &inv.cwd, inv.input_limit.clone()) {
        Ok(effective) => {
            write_stdout(&config::describe(&effective));
            ExitStatus::Success
        }
        Err(findings) => tool_errors(&findings, inv.human),
    }
}

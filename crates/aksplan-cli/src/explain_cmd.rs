//! `aksplan explain CODE`: a code's docs from the registry (the text of `docs/rules.md`).

use crate::Invocation;
use crate::args::ExplainArgs;
use crate::output::{ExitStatus, write_stderr, write_stdout};

pub fn run(args: &ExplainArgs, _inv: &Invocation) -> ExitStatus {
    let Some(code) = aksplan_rules::registry::lookup(&args.code) else {
        write_stderr(&format!(
            "error: unknown code `{}`\nhint: codes look like `AKS014`; `docs/rules.md` lists them all\n",
            args.code
        ));
        return ExitStatus::CouldNotRun;
    };
    write_stdout(&format!(
        "# {}: {}\n\nSeverity: {}\n\n{}\n",
        code.id(),
        code.title(),
        code.severity(),
        code.docs()
    ));
    ExitStatus::Success
}

//! `aksplan explain CODE`: a code's docs from the registry (the text of `docs/rules.md`).

use crate::Invocation;
use crate::args::ExplainArgs;
use crate::output::{ExitStatus, write_stderr, write_stdout};

pub fn run(args: &ExplainArgs, _inv: &Invocation) -> ExitStatus {
    if args.list {
        let mut out = String::new();
        for code in aksplan_rules::registry::all_codes() {
            out.push_str(&format!(
                "{}  {:<7}  {}\n",
                code.id(),
                code.severity().to_string(),
                code.title()
            ));
        }
        write_stdout(&out);
        return ExitStatus::Success;
    }
    let wanted = args.code.as_deref().unwrap_or_default();
    let Some(code) = aksplan_rules::registry::lookup(wanted) else {
        let hint = if wanted.trim().to_ascii_uppercase().starts_with("AKS") {
            "`aksplan explain --list` lists every built-in code".to_owned()
        } else {
            // A team's policy code: its docs are the policy's own (`__rego_metadata__`, comments).
            format!(
                "`{wanted}` is not a built-in code: a team's Rego policy reports it; its policy file explains it (`aksplan explain --list` lists the built-in codes)"
            )
        };
        write_stderr(&format!("error: unknown code `{wanted}`\nhint: {hint}\n"));
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

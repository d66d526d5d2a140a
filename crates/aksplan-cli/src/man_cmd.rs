//! `aksplan man [--out-dir DIR]`: the man page (roff) on stdout, or one page per command.

use aksplan_model::codes;
use aksplan_model::finding::Finding;
use clap::CommandFactory;

use crate::Invocation;
use crate::args::{Cli, ManArgs};
use crate::output::{ExitStatus, tool_errors, write_stdout};

/// The command for man pages: the plain version, so pages do not change with every commit.
fn man_command() -> clap::Command {
    Cli::command()
        .version(env!("CARGO_PKG_VERSION"))
        .long_version(None::<&str>)
}

pub fn run(args: &ManArgs, inv: &Invocation) -> ExitStatus {
    let Some(dir) = &args.out_dir else {
        let mut out = Vec::new();
        if clap_mangen::Man::new(man_command()).render(&mut out).is_err() {
            return ExitStatus::CouldNotRun;
        }
        write_stdout(&String::from_utf8_lossy(&out));
        return ExitStatus::Success;
    };
    match clap_mangen::generate_to(man_command(), dir) {
        Ok(()) => ExitStatus::Success,
        Err(err) => tool_errors(
            &[Finding::new(
                codes::CANNOT_WRITE,
                format!("cannot write man pages to `{}`: {err}", dir.display()),
            )],
            inv.human,
        ),
    }
}

//! `aksplan completions SHELL`: a shell completion script, generated from the same arguments
//! the binary parses.

use clap::CommandFactory;

use crate::Invocation;
use crate::args::{Cli, CompletionsArgs};
use crate::output::{ExitStatus, write_stdout};

pub fn run(args: &CompletionsArgs, _inv: &Invocation) -> ExitStatus {
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "aksplan", &mut out);
    write_stdout(&String::from_utf8_lossy(&out));
    ExitStatus::Success
}

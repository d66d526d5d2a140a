//! `aksplan completions SHELL`: a shell completion script, generated from the same arguments
//! the binary parses.

use clap::CommandFactory;

use crate::Invocation;
use crate::args::{Cli, CompletionsArgs};
use crate::output::{ExitStatus, write_stdout};

pub fn run(args: &CompletionsArgs, _inv: &Invocation) -> ExitStatus {
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut visible(Cli::command()), "aksplan", &mut out);
    write_stdout(&String::from_utf8_lossy(&out));
    ExitStatus::Success
}

/// The command without its hidden subcommands (`man`): completion scripts offer only what a user types. clap cannot remove a
/// subcommand, so the command is rebuilt from its arguments and visible subcommands.
fn visible(cmd: clap::Command) -> clap::Command {
    let subs: Vec<clap::Command> = cmd
        .get_subcommands()
        .filter(|sub| !sub.is_hide_set())
        .cloned()
        .collect();
    let mut rebuilt = clap::Command::new("aksplan")
        .version(env!("CARGO_PKG_VERSION"))
        .args(cmd.get_arguments().cloned());
    if let Some(about) = cmd.get_about() {
        rebuilt = rebuilt.about(about.clone());
    }
    rebuilt.subcommands(subs)
}

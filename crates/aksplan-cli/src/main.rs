//! The `aksplan` binary: parses arguments, hands each command to its file, exits with its
//! [`output::ExitStatus`]. The pipeline itself is the `aksplan-pipeline` library.
//!
//! Exit codes (the contract in `docs/cli.md`): 0 the plan is accepted (warnings allowed), 1 the
//! plan is rejected (findings at or above `--fail-on`), 2 aksplan could not run (bad usage,
//! unreadable file, bad configuration). clap's own usage errors already exit with 2.
//!
//! Every command is a `*_cmd.rs` file with one entry point, `run(&Args, &Invocation) ->
//! ExitStatus`.

// This crate owns the terminal: it is the one place allowed to print.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod args;
mod check_cmd;
mod completions_cmd;
mod config;
mod config_cmd;
mod diff_cmd;
mod emit_cmd;
mod explain_cmd;
mod init_cmd;
mod input_cmd;
mod man_cmd;
mod output;
mod plan_cmd;
mod policy;
mod policy_cache;
mod sandbox;
mod schema_cmd;
mod snapshot_cmd;
mod test_cmd;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use aksplan_model::finding::Finding;
use aksplan_pipeline::{Options, PlanInput};
use aksplan_report::HumanOptions;
use args::{Cli, ColorChoice, Command, InputFormat};
use clap::{CommandFactory, FromArgMatches};

/// Where each code's docs are published (`docs/rules.md` of the repository).
const DOCS_URL: &str = "https://github.com/aksplan/aksplan/blob/main/docs/rules.md";

/// What every command gets besides its own arguments.
pub struct Invocation {
    pub human: HumanOptions,
    pub cwd: PathBuf,
    /// `--max-input-size` as resolved (for `aksplan config` and the commands that read it).
    pub input_limit: config::Setting<u64>,
    /// The command's own matches, to tell a flag given from a default (configuration sources).
    pub sub_matches: clap::ArgMatches,
}

fn main() -> ExitCode {
    // The policy children (`aksplan __policy-eval`, `__policy-test`, started by this binary with
    // that one argument, request on stdin, response on stdout) are not commands a user types:
    // they are told apart before clap, whose whole command tree is a measurable part of a
    // one-cluster run on the policies' critical path (docs/performance.md).
    let mut args = std::env::args_os().skip(1);
    if let (Some(sub), None) = (args.next(), args.next()) {
        if sub == policy::CHILD {
            return policy::child_main().into();
        }
        if sub == test_cmd::CHILD {
            return test_cmd::child_main().into();
        }
    }
    // This thread parses the plans itself when its stack holds the parser (docs/performance.md).
    #[cfg(unix)]
    if let Ok((soft, _)) = rlimit::Resource::STACK.get() {
        aksplan_model::source::declare_stack(soft);
    }
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(err) => err.exit(),
    };
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        // `TERM=dumb` (Emacs shells, some CI logs) cannot show escape codes either.
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
                && std::io::stderr().is_terminal()
        }
    };
    let width = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|w| *w >= 40)
        .unwrap_or(100);
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    // Before anything is read: the limit applies to every input of every command.
    let input_limit = config::input_limit(cli.max_input_size, &matches, &cwd);
    aksplan_model::files::set_max_input_bytes(input_limit.value);
    let inv = Invocation {
        human: HumanOptions {
            color,
            unicode: true,
            width,
        },
        cwd,
        input_limit,
        sub_matches: matches.subcommand().map(|(_, m)| m.clone()).unwrap_or_default(),
    };
    let status = match &cli.command {
        Command::Check(args) => check_cmd::run(args, &inv),
        Command::Plan(args) => plan_cmd::run(args, &inv),
        Command::Input(args) => input_cmd::run(args, &inv),
        Command::Emit(args) => emit_cmd::run(args, &inv),
        Command::Diff(args) => diff_cmd::run(args, &inv),
        Command::Test(args) => test_cmd::run(args, &inv),
        Command::Config(args) => config_cmd::run(args, &inv),
        Command::Schema(args) => schema_cmd::run(args, &inv),
        Command::Snapshot(args) => snapshot_cmd::run(args, &inv),
        Command::Init(args) => init_cmd::run(args, &inv),
        Command::Explain(args) => explain_cmd::run(args, &inv),
        Command::Completions(args) => completions_cmd::run(args, &inv),
        Command::Man(args) => man_cmd::run(args, &inv),
    };
    // The policy children that answered are exiting beside the rest of the run; none outlives it.
    sandbox::reap();
    status.into()
}

/// Today's date, for a plan without `asOf` when no `--as-of` is given: the one place aksplan
/// reads the clock (the pipeline asks only then).
fn today() -> jiff::civil::Date {
    jiff::Zoned::now().date()
}

/// Runs one plan through the pipeline with its policies, and reports its findings and the
/// summary line on stderr (`plan` and `emit`).
fn check_reported(
    input: PlanInput,
    options: &Options,
    policy: &args::PolicyArgs,
    inv: &Invocation,
) -> aksplan_pipeline::Checked {
    check_reported_with(input, options, policy, inv, None)
}

/// [`check_reported`], `meanwhile` called with the compiled plan while the policies evaluate it
/// ([`aksplan_pipeline::run_with`]).
fn check_reported_with(
    input: PlanInput,
    options: &Options,
    policy: &args::PolicyArgs,
    inv: &Invocation,
    meanwhile: Option<&mut (dyn FnMut(aksplan_pipeline::Meanwhile<'_>) + Send)>,
) -> aksplan_pipeline::Checked {
    let checked = aksplan_pipeline::run_with(
        input,
        options,
        &mut policy::ChildPolicies::new(Some(policy)),
        meanwhile,
    );
    if !checked.findings.is_empty() {
        output::write_stderr(&aksplan_report::render_human(&checked.findings, inv.human));
    }
    output::write_stderr(&format!(
        "{}\n",
        aksplan_report::summary_line(&checked.findings, 1)
    ));
    checked
}

/// Reads the catalog and the plan for a command on one plan, and the pipeline's options;
/// problems are tool errors (exit 2). The third value names the catalog for emitted files.
fn open(
    plan: &str,
    input_format: Option<InputFormat>,
    catalog: Option<&Path>,
    as_of: Option<jiff::civil::Date>,
) -> Result<(PlanInput, Options, String), Vec<Finding>> {
    let (catalog, described) = aksplan_pipeline::inputs::open_catalog(catalog)?;
    let input =
        aksplan_pipeline::inputs::read_plan(plan, input_format.map(Into::into)).map_err(|f| vec![f])?;
    Ok((input, Options::new(Arc::new(catalog), as_of, today), described))
}

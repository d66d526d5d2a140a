//! The `aksplan` binary: parses arguments, runs the library pipeline, prints, exits.
//!
//! Exit codes (the contract in `docs/cli.md`): 0 the plan is accepted (warnings allowed), 1 the
//! plan is rejected (findings at or above `--fail-on`), 2 aksplan could not run (bad usage,
//! unreadable file, bad configuration). clap's own usage errors already exit with 2.

// This crate owns the terminal: it is the one place allowed to print.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod args;
mod config;
mod diff_cmd;
mod emit_cmd;
mod inputs;
mod pipeline;
mod policy;
mod sandbox;
mod test_cmd;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use aksplan_model::codes::{self, Category};
use aksplan_model::finding::{Finding, Severity};
use aksplan_model::source::Format;
use aksplan_report::{FileSummary, HumanOptions, ReportInput};
use args::{Cli, ColorChoice, Command, FailOn, InputFormat, OutputFormat, SchemaKind};
use clap::{CommandFactory, FromArgMatches};

/// Where each code's docs are published (`docs/rules.md` of the repository).
const DOCS_URL: &str = "https://github.com/aksplan/aksplan/blob/main/docs/rules.md";

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(err) => err.exit(),
    };
    let sub_matches = matches.subcommand().map(|(_, m)| m.clone());
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
        }
    };
    let width = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|w| *w >= 40)
        .unwrap_or(100);
    let human = HumanOptions {
        color,
        unicode: true,
        width,
    };
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    // Before anything is read: the limit applies to every input of every command.
    let input_limit = config::input_limit(cli.max_input_size, &matches, &cwd);
    aksplan_model::files::set_max_input_bytes(input_limit.value);
    match cli.command {
        Command::Check(check_args) => {
            let sub = sub_matches.unwrap_or_default();
            match config::resolve(&check_args.shared, &sub, &cwd, input_limit) {
                Ok(effective) => check(&check_args, &effective, human),
                Err(findings) => report_tool_errors(&findings, human),
            }
        }
        Command::Plan(plan_args) => plan_command(&plan_args, human),
        Command::Input(input_args) => input_command(&input_args, human),
        Command::Emit(emit_args) => emit_cmd::run(&emit_args, human),
        Command::Diff(diff_args) => diff_cmd::run(&diff_args, human),
        Command::PolicyEval => policy::child_main(),
        Command::Test(a) => test_cmd::run(&a, human),
        Command::PolicyTest => test_cmd::child_main(),
        Command::Config(config_args) => {
            let sub = sub_matches.unwrap_or_default();
            match config::resolve(&config_args.shared, &sub, &cwd, input_limit) {
                Ok(effective) => {
                    write_stdout(&config::describe(&effective));
                    ExitCode::SUCCESS
                }
                Err(findings) => report_tool_errors(&findings, human),
            }
        }
        Command::Schema {
            kind: SchemaKind::Plan,
        } => {
            write_stdout(&aksplan_model::schema::plan_schema_text());
            ExitCode::SUCCESS
        }
        Command::Init {
            from,
            node_pools,
            output,
            force,
        } => init(&from, node_pools.as_deref(), output.as_deref(), force, human),
        Command::Explain { code } => explain(&code),
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "aksplan", &mut out);
            write_stdout(&String::from_utf8_lossy(&out));
            ExitCode::SUCCESS
        }
        Command::Man { out_dir } => man(out_dir.as_deref(), human),
    }
}

fn report_tool_errors(findings: &[Finding], human: HumanOptions) -> ExitCode {
    write_stderr(&aksplan_report::render_human(findings, human));
    ExitCode::from(2)
}

/// The command for man pages: the plain version, so pages do not change with every commit.
fn man_command() -> clap::Command {
    Cli::command()
        .version(env!("CARGO_PKG_VERSION"))
        .long_version(None::<&str>)
}

fn man(out_dir: Option<&Path>, human: HumanOptions) -> ExitCode {
    match out_dir {
        None => {
            let mut out = Vec::new();
            if clap_mangen::Man::new(man_command()).render(&mut out).is_err() {
                return ExitCode::from(2);
            }
            write_stdout(&String::from_utf8_lossy(&out));
            ExitCode::SUCCESS
        }
        Some(dir) => match clap_mangen::generate_to(man_command(), dir) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => report_tool_errors(
                &[Finding::new(
                    codes::CANNOT_WRITE,
                    format!("cannot write man pages to `{}`: {err}", dir.display()),
                )],
                human,
            ),
        },
    }
}

fn exit_code(findings: &[Finding], fail_on: FailOn) -> ExitCode {
    if findings.iter().any(|f| f.code.category() == Category::Tool) {
        return ExitCode::from(2);
    }
    let rejects = |f: &Finding| {
        f.waived.is_none()
            && match fail_on {
                FailOn::Error => f.severity == Severity::Error,
                FailOn::Warning => matches!(f.severity, Severity::Error | Severity::Warning),
                FailOn::Never => false,
            }
    };
    if findings.iter().any(rejects) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `aksplan plan`: check, compile, verify; the route on stdout, findings on stderr.
fn plan_command(args: &args::PlanArgs, human: HumanOptions) -> ExitCode {
    let input = match pipeline::open(&args.plan, args.input_format, args.catalog.as_deref()) {
        Ok(input) => input,
        Err(errors) => return report_tool_errors(&errors, human),
    };
    let (catalog, base) = (&input.catalog, &input.base);
    let options = pipeline::Options {
        catalog,
        as_of: args.as_of,
        compile: true,
        report_compile: true,
        policy: Some(&args.policy),
        manifests: &[],
        base,
    };
    let analysed = pipeline::analyse(&input.display, &input.bytes, input.format, &options);
    let findings = &analysed.findings;
    if !findings.is_empty() {
        write_stderr(&aksplan_report::render_human(findings, human));
    }
    write_stderr(&format!("{}\n", aksplan_report::summary_line(findings, 1)));
    if let (Some((compiled, schedule)), Some(plan)) = (&analysed.compiled, &analysed.loaded.plan) {
        match args.format {
            args::PlanFormat::Human => {
                write_stdout(&aksplan_report::plan::render_route(plan, compiled, schedule));
            }
            args::PlanFormat::Json => {
                write_stdout(&aksplan_report::plan::render_graph_json(plan, compiled, schedule));
            }
        }
    }
    exit_code(findings, args.fail_on)
}

/// `aksplan input`: the document policies see, as JSON on stdout.
fn input_command(args: &args::InputArgs, human: HumanOptions) -> ExitCode {
    let input = match pipeline::open(&args.plan, args.input_format, args.catalog.as_deref()) {
        Ok(input) => input,
        Err(errors) => return report_tool_errors(&errors, human),
    };
    let (catalog, base) = (&input.catalog, &input.base);
    let options = pipeline::Options {
        catalog,
        as_of: args.as_of,
        compile: true,
        report_compile: true,
        policy: None,
        manifests: &[],
        base,
    };
    let analysed = pipeline::analyse(&input.display, &input.bytes, input.format, &options);
    let Some(ctx) = analysed.context(catalog) else {
        write_stderr(&aksplan_report::render_human(&analysed.findings, human));
        return ExitCode::from(1);
    };
    let compiled = analysed
        .compiled
        .as_ref()
        .map(|(graph, schedule)| (graph, schedule));
    let document = aksplan_policy::input::document(&ctx, compiled);
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    write_stdout(&text);
    ExitCode::SUCCESS
}

fn check(args: &args::CheckArgs, effective: &config::Effective, human: HumanOptions) -> ExitCode {
    let mut findings = Vec::new();
    let mut files = Vec::new();
    let manifests = load_manifests(&args.manifests, &mut findings);
    let catalog = match load_catalog(effective.catalog.value.as_deref()) {
        Ok(catalog) => Some(catalog),
        Err(errors) => {
            findings.extend(errors);
            None
        }
    };
    // Policy paths from `aksplan.toml` apply when neither a flag nor `AKSPLAN_POLICY` names any.
    let mut policy_args = args.policy.clone();
    if policy_args.policies.is_empty() && !policy_args.no_policy {
        policy_args.policies = effective.policies.value.clone();
    }
    for name in &args.plans {
        let Some(catalog) = &catalog else { break };
        let display = if name == "-" { "<stdin>" } else { name.as_str() };
        match read_input(name, args.input_format) {
            Ok((bytes, format, base)) => {
                // `check` compiles only so that policies see the graph; the compiler's own findings
                // belong to `plan`.
                let options = pipeline::Options {
                    catalog,
                    as_of: args.as_of,
                    compile: true,
                    report_compile: false,
                    policy: Some(&policy_args),
                    manifests: &manifests,
                    base: &base,
                };
                let analysed = pipeline::analyse(display, &bytes, format, &options);
                let rules_ran = analysed.rules_ran;
                let loaded = analysed.loaded;
                let plan_findings = analysed.findings;
                let clusters = loaded
                    .plan
                    .as_ref()
                    .map(|p| p.spec.clusters.iter().map(|c| c.name.clone()).collect())
                    .unwrap_or_default();
                files.push(FileSummary {
                    name: display.to_owned(),
                    clusters,
                    rules_ran,
                });
                findings.extend(plan_findings);
            }
            Err(finding) => {
                files.push(FileSummary {
                    name: display.to_owned(),
                    clusters: Vec::new(),
                    rules_ran: false,
                });
                findings.push(finding);
            }
        }
    }
    // `check` does not compile or schedule, so the compiler's codes (AKS2xx) are left out of the
    // SARIF rule table and the JUnit cases: listing them would claim checks that did not run.
    let codes = aksplan_rules::registry::all_codes();
    let input = ReportInput {
        findings: &findings,
        files: &files,
        codes: &codes,
        tool_version: env!("CARGO_PKG_VERSION"),
        docs_url: DOCS_URL,
    };
    let names: Vec<String> = files.iter().map(|f| f.name.clone()).collect();
    let mut write_failures = Vec::new();
    let to_stdout = effective
        .formats
        .value
        .iter()
        .filter(|s| s.path.is_none() && s.format != OutputFormat::Human)
        .count();
    if to_stdout > 1 {
        write_failures.push(
            Finding::new(
                codes::CANNOT_WRITE,
                "more than one format would go to standard output",
            )
            .help("give all but one a file: `--format sarif=aksplan.sarif --format json`"),
        );
    }
    for spec in &effective.formats.value {
        let text = match spec.format {
            OutputFormat::Human => {
                let mut text = aksplan_report::render_human(&findings, human);
                text.push_str(&aksplan_report::summary_line(&findings, args.plans.len()));
                text.push('\n');
                text
            }
            OutputFormat::Json => aksplan_report::render_json(&findings, &names),
            OutputFormat::Sarif => aksplan_report::ci::render_sarif(&input),
            OutputFormat::Junit => aksplan_report::ci::render_junit(&input),
            OutputFormat::Github => aksplan_report::ci::render_github(&input),
            OutputFormat::AzureDevops => aksplan_report::ci::render_azure_devops(&input),
            OutputFormat::Markdown => aksplan_report::ci::render_markdown(&input),
        };
        match (&spec.path, spec.format) {
            (Some(path), _) => {
                if let Err(finding) = write_atomically(path, &text, true) {
                    write_failures.push(finding);
                }
            }
            (None, OutputFormat::Human) => write_stderr(&text),
            (None, _) if to_stdout <= 1 => write_stdout(&text),
            (None, _) => {}
        }
    }
    if !write_failures.is_empty() {
        write_stderr(&aksplan_report::render_human(&write_failures, human));
        return ExitCode::from(2);
    }
    exit_code(&findings, effective.fail_on.value)
}

/// Writes to stdout; a closed pipe (`aksplan ... | head`) is not an error.
pub(crate) fn write_stdout(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush());
}

fn write_stderr(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(text.as_bytes());
}

pub(crate) fn read_input(
    name: &str,
    input_format: Option<InputFormat>,
) -> Result<(Vec<u8>, Format, PathBuf), Finding> {
    let format = match input_format {
        Some(InputFormat::Yaml) => Some(Format::Yaml),
        Some(InputFormat::Toml) => Some(Format::Toml),
        Some(InputFormat::Json) => Some(Format::Json),
        None if name == "-" => Some(Format::Yaml),
        None => Format::from_path(name),
    };
    let Some(format) = format else {
        return Err(Finding::new(
            codes::UNKNOWN_FORMAT,
            format!("cannot tell the format of `{name}` from its name"),
        )
        .help("name plans `.yaml`, `.yml`, `.toml` or `.json`, or pass `--input-format yaml|toml|json`"));
    };
    if name == "-" {
        // Reads one byte past the limit, so that too-large input is reported, not silently cut.
        let bytes = aksplan_model::files::read_limited(std::io::stdin().lock()).map_err(|err| match err {
            aksplan_model::files::ReadError::Io(err) => {
                Finding::new(codes::CANNOT_READ, format!("cannot read standard input: {err}"))
            }
            other => inputs::read_error("<stdin>", &other),
        })?;
        return Ok((bytes, format, PathBuf::from(".")));
    }
    let path = Path::new(name);
    // Refused before reading when too large or not a regular file (a pipe would block).
    let bytes = inputs::read(path)?;
    let base = path
        .parent()
        .map(Path::to_path_buf)
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| PathBuf::from("."));
    Ok((bytes, format, base))
}

pub(crate) fn cannot_read(name: &str, err: &std::io::Error) -> Finding {
    let finding = Finding::new(codes::CANNOT_READ, format!("cannot read `{name}`: {err}"));
    if err.kind() == std::io::ErrorKind::NotFound {
        finding.help("check the path; it is relative to the current directory")
    } else {
        finding
    }
}

pub(crate) fn load_catalog(path: Option<&Path>) -> Result<aksplan_catalog::Catalog, Vec<Finding>> {
    let Some(path) = path else {
        return Ok(aksplan_catalog::Catalog::embedded());
    };
    let name = path.to_string_lossy().into_owned();
    // A catalog that cannot be used is a usage problem (exit 2), whatever is wrong with it: too
    // large, not JSON, not `get-versions` output. Unreadable files keep their own code (AKS901).
    let bytes = inputs::read(path).map_err(|f| vec![bad_catalog(f)])?;
    let doc = aksplan_model::source::parse_document(&name, &bytes, Format::Json)
        .map_err(|finding| vec![bad_catalog(finding)])?;
    aksplan_catalog::Catalog::from_get_versions(&std::sync::Arc::new(doc))
        .map_err(|findings| findings.into_iter().map(bad_catalog).collect())
}

/// A finding about the `--catalog` file as `AKS904` (exit 2), keeping its message, place and help.
fn bad_catalog(finding: Finding) -> Finding {
    let finding = if finding.code == codes::EMPTY {
        // The parser's help for an empty file is about plans.
        finding.help("save it with `az aks get-versions -l LOCATION -o json > FILE`")
    } else {
        finding
    };
    inputs::as_tool_error(finding, codes::BAD_CATALOG)
}

/// The date support is judged on: `--as-of`, else the plan's `asOf`, else today (and a note).
pub(crate) fn as_of_date(
    flag: Option<jiff::civil::Date>,
    loaded: &aksplan_model::Loaded,
) -> (jiff::civil::Date, Option<Finding>) {
    if let Some(date) = flag {
        return (date, None);
    }
    let from_plan = loaded
        .plan
        .as_ref()
        .and_then(|plan| plan.spec.as_of.as_deref())
        .and_then(|d| d.parse().ok());
    if let Some(date) = from_plan {
        return (date, None);
    }
    let today = jiff::Zoned::now().date();
    let mut note = Finding::new(
        codes::AS_OF_TODAY,
        format!("no `asOf`: support status is judged as of today, {today}"),
    )
    .help("set `spec.asOf` (or pass `--as-of`) so that the result does not change with the calendar");
    if let Some(doc) = &loaded.doc {
        note = note.at(doc.key_label("/spec"));
    }
    (today, Some(note))
}

/// Every code aksplan can report: the registry's (model and rules), the compiler's (verification
/// and scheduling) and the policy evaluator's (AKS300), which the rules crate cannot name (those
/// crates depend on it), in id order.
fn all_codes() -> Vec<codes::Code> {
    let mut all = aksplan_rules::registry::all_codes();
    all.push(aksplan_graph::VERIFY_CODE);
    all.push(aksplan_policy::POLICY_ERROR);
    all.extend(aksplan_graph::schedule::CODES);
    all.sort_by_key(|code| code.id());
    all.dedup_by_key(|code| code.id());
    all
}

fn explain(code: &str) -> ExitCode {
    let found = all_codes()
        .into_iter()
        .find(|c| c.id().eq_ignore_ascii_case(code.trim()));
    match found {
        Some(code) => {
            write_stdout(&format!(
                "# {}: {}\n\nSeverity: {}\n\n{}\n",
                code.id(),
                code.title(),
                code.severity(),
                code.docs()
            ));
            ExitCode::SUCCESS
        }
        None => {
            write_stderr(&format!(
                "error: unknown code `{code}`\nhint: codes look like `AKS014`; `docs/rules.md` lists them all\n"
            ));
            ExitCode::from(2)
        }
    }
}

fn init(
    from: &Path,
    node_pools: Option<&Path>,
    output: Option<&Path>,
    force: bool,
    human: HumanOptions,
) -> ExitCode {
    let mut findings = Vec::new();
    let read = |path: &Path,
                findings: &mut Vec<Finding>|
     -> Option<std::sync::Arc<aksplan_model::source::Document>> {
        let name = path.to_string_lossy().into_owned();
        match inputs::read(path) {
            Ok(bytes) => match aksplan_model::source::parse_document(&name, &bytes, Format::Json) {
                Ok(doc) => Some(std::sync::Arc::new(doc)),
                Err(finding) => {
                    findings.push(finding);
                    None
                }
            },
            Err(finding) => {
                findings.push(finding);
                None
            }
        }
    };
    let state =
        read(from, &mut findings).and_then(|doc| aksplan_model::azure::read_show(&doc, &mut findings));
    let mut sources = vec![format!("`{}`", from.display())];
    let state = state.map(|mut state| {
        if let Some(path) = node_pools
            && let Some(doc) = read(path, &mut findings)
            && let Some((pools, _)) = aksplan_model::azure::read_nodepool_list(&doc, &mut findings)
        {
            state.current.node_pools = pools;
            sources.push(format!("`{}`", path.display()));
        }
        state
    });
    let errors = findings.iter().any(|f| f.severity == Severity::Error);
    if !findings.is_empty() {
        write_stderr(&aksplan_report::render_human(&findings, human));
    }
    let Some(state) = state.filter(|_| !errors) else {
        return if findings.iter().any(|f| f.code.category() == Category::Tool) {
            ExitCode::from(2)
        } else {
            ExitCode::from(1)
        };
    };
    let name = state.name.clone().unwrap_or_else(|| "my-cluster".into());
    let group = state
        .resource_group
        .clone()
        .unwrap_or_else(|| "my-resource-group".into());
    let target = placeholder_target(&state.current.kubernetes_version);
    let text = aksplan_model::init::skeleton(&state, &name, &group, &sources, &target);
    match output {
        None => {
            write_stdout(&text);
            ExitCode::SUCCESS
        }
        Some(path) => match write_atomically(path, &text, force) {
            Ok(()) => {
                write_stderr(&format!(
                    "wrote `{}`; run `aksplan check {}` after choosing the target\n",
                    path.display(),
                    path.display()
                ));
                ExitCode::SUCCESS
            }
            Err(finding) => {
                write_stderr(&aksplan_report::render_human(&[finding], human));
                ExitCode::from(2)
            }
        },
    }
}

/// Every YAML document under the `--manifests` paths (files in name order, folders recursively).
/// A folder or file that cannot be read is a usage error; a manifest that does not parse is
/// reported where it fails, and the others are still checked.
fn load_manifests(paths: &[PathBuf], findings: &mut Vec<Finding>) -> Vec<aksplan_model::source::Document> {
    let mut documents = Vec::new();
    for path in paths {
        let files = match inputs::collect(path, &["yaml", "yml"]) {
            Ok(files) => files,
            Err(finding) => {
                findings.push(finding);
                continue;
            }
        };
        for file in files {
            let name = file.to_string_lossy().into_owned();
            match inputs::read(&file) {
                Ok(bytes) => match aksplan_model::source::parse_yaml_documents(&name, &bytes) {
                    Ok(docs) => documents.extend(docs),
                    Err(finding) => findings.push(finding),
                },
                Err(finding) => findings.push(finding),
            }
        }
    }
    documents
}

/// The target `init` proposes: the next minor when the embedded catalog offers it, else the
/// lowest newer minor it offers (the recovery path of a cluster older than the catalog).
fn placeholder_target(current: &str) -> String {
    let Ok(current) = aksplan_model::KubeVersion::parse(current) else {
        return current.to_owned();
    };
    let catalog = aksplan_catalog::Catalog::embedded();
    let next = aksplan_model::KubeVersion::new(current.major, current.minor + 1, None);
    if catalog.minor(next).is_some() {
        return next.to_string();
    }
    catalog
        .minors()
        .map(|m| m.version)
        .filter(|v| v.major == current.major && v.minor > current.minor)
        .min()
        .unwrap_or(next)
        .to_string()
}

/// Writes to a temporary file beside `path`, then renames it over `path`: readers see the old
/// file or the new one, never half of one.
fn write_atomically(path: &Path, text: &str, force: bool) -> Result<(), Finding> {
    let fail = |err: &dyn std::fmt::Display| {
        Finding::new(
            codes::CANNOT_WRITE,
            format!("cannot write `{}`: {err}", path.display()),
        )
    };
    if path.exists() && !force {
        return Err(Finding::new(
            codes::CANNOT_WRITE,
            format!("`{}` exists already", path.display()),
        )
        .help("pass `--force` to replace it"));
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(|e| fail(&e))?;
    file.write_all(text.as_bytes()).map_err(|e| fail(&e))?;
    file.as_file().sync_all().map_err(|e| fail(&e))?;
    file.persist(path).map_err(|e| fail(&e.error))?;
    Ok(())
}

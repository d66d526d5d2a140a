//! The `aksplan` binary: parses arguments, runs the library pipeline, prints, exits.
//!
//! Exit codes (the contract in `docs/cli.md`): 0 the plan is accepted (warnings allowed), 1 the
//! plan is rejected (any error finding), 2 aksplan could not run (bad usage, unreadable file,
//! internal error). clap's own usage errors already exit with 2.

// This crate owns the terminal: it is the one place allowed to print.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use aksplan_model::codes::{self, Category};
use aksplan_model::finding::{Finding, Severity};
use aksplan_model::source::Format;
use aksplan_report::HumanOptions;
use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(
    name = "aksplan",
    bin_name = "aksplan",
    version,
    about = "Policy-checked, one-minor-hop upgrade plans for AKS",
    max_term_width = 100
)]
struct Cli {
    /// When to use colour in human output (NO_COLOR is honoured under `auto`).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, env = "AKSPLAN_COLOR")]
    color: ColorChoice,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum OutputFormat {
    /// Diagnostics with the plan snippet underlined, on stderr.
    Human,
    /// One JSON document with every finding, on stdout.
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum InputFormat {
    Yaml,
    Toml,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Load and check plans: syntax, schema and the plan's own consistency.
    Check {
        /// Plan files (`.yaml`, `.yml`, `.toml`, `.json`), or `-` for standard input.
        #[arg(required = true, value_name = "PLAN")]
        plans: Vec<String>,
        /// Output format for findings.
        #[arg(long, value_enum, default_value_t = OutputFormat::Human, env = "AKSPLAN_FORMAT")]
        format: OutputFormat,
        /// Read plans in this format whatever their names (needed for `-` when not YAML).
        #[arg(long, value_enum)]
        input_format: Option<InputFormat>,
        #[command(flatten)]
        judge: JudgeArgs,
    },
    /// Print a JSON Schema: `plan` (the plan language).
    Schema {
        #[arg(value_enum, default_value_t = SchemaKind::Plan)]
        kind: SchemaKind,
    },
    /// Write a plan skeleton from saved `az aks show -o json` output.
    Init {
        /// The saved `az aks show -g RG -n NAME -o json` output.
        #[arg(long = "from", value_name = "SHOW_JSON")]
        from: PathBuf,
        /// The saved `az aks nodepool list -g RG --cluster-name NAME -o json` output.
        #[arg(long, value_name = "NODEPOOL_LIST_JSON")]
        node_pools: Option<PathBuf>,
        /// Where to write the plan (atomically); standard output when absent.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Overwrite an existing output file.
        #[arg(long)]
        force: bool,
    },
    /// Explain a diagnostic code (e.g. `aksplan explain AKS014`).
    Explain { code: String },
}

/// What versions are judged against.
#[derive(clap::Args)]
struct JudgeArgs {
    /// Version catalog: the JSON printed by `az aks get-versions -l LOCATION -o json`
    /// (default: the snapshot built into aksplan).
    #[arg(long, value_name = "GET_VERSIONS_JSON", env = "AKSPLAN_CATALOG")]
    catalog: Option<PathBuf>,
    /// Judge support status as of this date (YYYY-MM-DD); overrides the plan's `asOf`.
    #[arg(long, value_name = "DATE")]
    as_of: Option<jiff::civil::Date>,
}

#[derive(Clone, Copy, ValueEnum)]
enum SchemaKind {
    Plan,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
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
    match cli.command {
        Command::Check {
            plans,
            format,
            input_format,
            judge,
        } => check(&plans, format, input_format, &judge, human),
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
    }
}

/// Writes to stdout; a closed pipe (`aksplan ... | head`) is not an error.
fn write_stdout(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush());
}

fn write_stderr(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(text.as_bytes());
}

fn exit_code(findings: &[Finding]) -> ExitCode {
    if findings.iter().any(|f| f.code.category() == Category::Tool) {
        ExitCode::from(2)
    } else if findings.iter().any(|f| f.severity == Severity::Error) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn read_input(name: &str, input_format: Option<InputFormat>) -> Result<(Vec<u8>, Format, PathBuf), Finding> {
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
        let mut bytes = Vec::new();
        // Read one byte past the limit, so that too-large input is reported, not silently cut.
        let limit = aksplan_model::source::MAX_INPUT_BYTES as u64 + 1;
        std::io::stdin()
            .lock()
            .take(limit)
            .read_to_end(&mut bytes)
            .map_err(|err| Finding::new(codes::CANNOT_READ, format!("cannot read standard input: {err}")))?;
        return Ok((bytes, format, PathBuf::from(".")));
    }
    let path = Path::new(name);
    let metadata = std::fs::metadata(path).map_err(|err| cannot_read(name, &err))?;
    if metadata.is_dir() {
        return Err(Finding::new(
            codes::CANNOT_READ,
            format!("`{name}` is a directory, not a plan file"),
        ));
    }
    if metadata.len() > aksplan_model::source::MAX_INPUT_BYTES as u64 {
        // Refuse before reading it into memory; the loader gives the same finding for stdin.
        return Err(Finding::new(
            codes::LIMIT,
            format!(
                "`{name}` is {} bytes; plans larger than {} MiB are refused",
                metadata.len(),
                aksplan_model::source::MAX_INPUT_BYTES / (1024 * 1024)
            ),
        )
        .help("split the fleet into several plans (one per rollout ring, say)"));
    }
    let bytes = std::fs::read(path).map_err(|err| cannot_read(name, &err))?;
    let base = path
        .parent()
        .map(Path::to_path_buf)
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| PathBuf::from("."));
    Ok((bytes, format, base))
}

fn cannot_read(name: &str, err: &std::io::Error) -> Finding {
    let finding = Finding::new(codes::CANNOT_READ, format!("cannot read `{name}`: {err}"));
    if err.kind() == std::io::ErrorKind::NotFound {
        finding.help("check the path; it is relative to the current directory")
    } else {
        finding
    }
}

fn load_catalog(path: Option<&Path>) -> Result<aksplan_catalog::Catalog, Vec<Finding>> {
    let Some(path) = path else {
        return Ok(aksplan_catalog::Catalog::embedded());
    };
    let name = path.to_string_lossy().into_owned();
    let bytes = std::fs::read(path).map_err(|err| vec![cannot_read(&name, &err)])?;
    let doc = aksplan_model::source::parse_document(&name, &bytes, Format::Json)
        .map_err(|finding| vec![finding])?;
    aksplan_catalog::Catalog::from_get_versions(&std::sync::Arc::new(doc)).map_err(|findings| {
        // A catalog that cannot be used is a usage problem (exit 2), whatever is wrong inside it.
        findings
            .into_iter()
            .map(|f| {
                let mut tool = Finding::new(codes::BAD_CATALOG, f.message).help_opt(f.help);
                tool.primary = f.primary;
                tool
            })
            .collect()
    })
}

/// The date support is judged on: `--as-of`, else the plan's `asOf`, else today (and a note).
fn as_of_date(
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

fn check(
    plans: &[String],
    format: OutputFormat,
    input_format: Option<InputFormat>,
    judge: &JudgeArgs,
    human: HumanOptions,
) -> ExitCode {
    let mut findings = Vec::new();
    let catalog = match load_catalog(judge.catalog.as_deref()) {
        Ok(catalog) => Some(catalog),
        Err(errors) => {
            findings.extend(errors);
            None
        }
    };
    for name in plans {
        let Some(catalog) = &catalog else { break };
        match read_input(name, input_format) {
            Ok((bytes, format, base)) => {
                let display = if name == "-" { "<stdin>" } else { name.as_str() };
                let loaded = aksplan_model::load_plan(display, &bytes, format, &base);
                let mut plan_findings = loaded.findings.clone();
                if let (Some(plan), Some(doc), false) = (&loaded.plan, &loaded.doc, loaded.has_errors()) {
                    let (as_of, note) = as_of_date(judge.as_of, &loaded);
                    plan_findings.extend(note);
                    let ctx = aksplan_rules::Context {
                        doc,
                        plan,
                        clusters: &loaded.clusters,
                        catalog,
                        as_of,
                    };
                    plan_findings.extend(aksplan_rules::check(&ctx));
                }
                aksplan_model::finding::sort_findings(&mut plan_findings);
                findings.extend(plan_findings);
            }
            Err(finding) => findings.push(finding),
        }
    }
    match format {
        OutputFormat::Human => {
            write_stderr(&aksplan_report::render_human(&findings, human));
            write_stderr(&format!(
                "{}\n",
                aksplan_report::summary_line(&findings, plans.len())
            ));
        }
        OutputFormat::Json => write_stdout(&aksplan_report::render_json(&findings, plans)),
    }
    exit_code(&findings)
}

fn explain(code: &str) -> ExitCode {
    match aksplan_rules::registry::lookup(code) {
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
        match std::fs::read(path) {
            Ok(bytes) => match aksplan_model::source::parse_document(&name, &bytes, Format::Json) {
                Ok(doc) => Some(std::sync::Arc::new(doc)),
                Err(finding) => {
                    findings.push(finding);
                    None
                }
            },
            Err(err) => {
                findings.push(cannot_read(&name, &err));
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
    let text = aksplan_model::init::skeleton(&state, &name, &group, &sources);
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

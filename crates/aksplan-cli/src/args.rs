//! Command-line arguments (clap). Kept apart from `main` so that completions and the man page are
//! generated from exactly what the binary parses.

use std::path::PathBuf;
use std::str::FromStr;

use clap::{Parser, Subcommand, ValueEnum};

/// `--version`: the version, the git commit and the embedded catalog's snapshot date.
pub const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("AKSPLAN_GIT_COMMIT"),
    ", catalog snapshot ",
    env!("AKSPLAN_CATALOG_DATE"),
    ")"
);

#[derive(Parser)]
#[command(
    name = "aksplan",
    bin_name = "aksplan",
    version = LONG_VERSION,
    about = "Policy-checked, one-minor-hop upgrade plans for AKS",
    max_term_width = 100
)]
pub struct Cli {
    /// When to use colour in human output (NO_COLOR is honoured under `auto`).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, env = "AKSPLAN_COLOR")]
    pub color: ColorChoice,
    /// The largest file aksplan reads (plans, `currentFrom` JSON, catalogs, manifests, policies):
    /// bytes, or with a unit (`32MiB`). Larger files are refused before they are read (AKS002).
    /// Default 16MiB, or `max-input-size` in aksplan.toml.
    #[arg(
        long,
        global = true,
        value_name = "SIZE",
        env = "AKSPLAN_MAX_INPUT_SIZE",
        value_parser = aksplan_model::files::parse_size
    )]
    pub max_input_size: Option<u64>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// A findings format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Diagnostics with the plan snippet underlined (on stderr).
    Human,
    /// One line per finding, `FILE:LINE:COL: severity[CODE] message` (on stderr), as ruff's.
    Concise,
    /// One JSON document with every finding.
    Json,
    /// SARIF 2.1.0 (code scanning).
    Sarif,
    /// JUnit XML: a test case per rule and cluster.
    Junit,
    /// GitHub Actions workflow commands (annotations on the plan lines).
    Github,
    /// Azure DevOps logging commands.
    AzureDevops,
    /// Markdown, for a pull-request comment.
    Markdown,
}

impl OutputFormat {
    pub fn name(self) -> &'static str {
        match self {
            OutputFormat::Human => "human",
            OutputFormat::Concise => "concise",
            OutputFormat::Json => "json",
            OutputFormat::Sarif => "sarif",
            OutputFormat::Junit => "junit",
            OutputFormat::Github => "github",
            OutputFormat::AzureDevops => "azure-devops",
            OutputFormat::Markdown => "markdown",
        }
    }
}

/// `FORMAT` (to the terminal) or `FORMAT=FILE` (written atomically to FILE).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatSpec {
    pub format: OutputFormat,
    pub path: Option<PathBuf>,
}

impl FromStr for FormatSpec {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (name, path) = match text.split_once('=') {
            Some((name, path)) if !path.is_empty() => (name, Some(PathBuf::from(path))),
            Some(_) => return Err(format!("`{text}`: a file name is missing after `=`")),
            None => (text, None),
        };
        let format = OutputFormat::from_str(name.trim(), true).map_err(|_| {
            let names: Vec<&str> = OutputFormat::value_variants().iter().map(|f| f.name()).collect();
            format!(
                "unknown format `{name}`; expected one of {}, optionally `=FILE`",
                names.join(", ")
            )
        })?;
        Ok(Self { format, path })
    }
}

/// Parses `FORMAT[=FILE]` and offers the format names (not file names) to shell completion.
#[derive(Clone)]
struct FormatSpecParser;

impl clap::builder::TypedValueParser for FormatSpecParser {
    type Value = FormatSpec;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<FormatSpec, clap::Error> {
        value.to_string_lossy().parse().map_err(|message: String| {
            clap::Error::raw(
                clap::error::ErrorKind::InvalidValue,
                format!("invalid value for `--format`: {message}\n"),
            )
            .with_cmd(cmd)
        })
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            OutputFormat::value_variants()
                .iter()
                .filter_map(ValueEnum::to_possible_value),
        ))
    }
}

impl std::fmt::Display for FormatSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.path {
            Some(path) => write!(f, "{}={}", self.format.name(), path.display()),
            None => f.write_str(self.format.name()),
        }
    }
}

/// The least severe finding shown on the terminal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MinSeverity {
    Info,
    Warning,
    Error,
}

impl MinSeverity {
    pub fn severity(self) -> aksplan_model::finding::Severity {
        match self {
            MinSeverity::Info => aksplan_model::finding::Severity::Info,
            MinSeverity::Warning => aksplan_model::finding::Severity::Warning,
            MinSeverity::Error => aksplan_model::finding::Severity::Error,
        }
    }
}

/// When findings make the exit code 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailOn {
    /// Any error finding rejects the plan (the default).
    Error,
    /// Any error or warning rejects the plan.
    Warning,
    /// Never reject: exit 0 unless aksplan could not run (exit 2).
    Never,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum InputFormat {
    Yaml,
    Toml,
    Json,
}

#[derive(Subcommand)]
pub enum Command {
    /// Load and check plans: syntax, schema, the plan's own consistency, the upgrade rules.
    Check(CheckArgs),
    /// Check a plan, compile it into one-minor-hop steps, verify every intermediate state, and
    /// print the route per cluster (or, with `--format json`, the execution graph).
    Plan(PlanArgs),
    /// Print the input document policies see for a plan (as `conftest parse` does).
    Input(InputArgs),
    /// Check and compile a plan, then write it out: `az` (a re-runnable bash script), `json`
    /// (the execution plan), `fleet` (Fleet Manager update runs), `markdown` (the review
    /// report), `mermaid` or `dot` (the graph); nothing is written when the plan has errors.
    Emit(EmitArgs),
    /// Compare two plans (or JSON execution plans): target, clusters, hops, steps, windows,
    /// waivers, findings. Exit code 0 when they are the same, 1 when they differ.
    Diff(DiffArgs),
    /// Run the Rego unit tests of policies (`test_*` rules; `todo_*` rules are skipped), with
    /// coverage on request.
    Test(TestArgs),
    /// Print a JSON Schema: `plan` (the plan language).
    Schema(SchemaArgs),
    /// Save the live facts of clusters as the files `currentFrom` reads: `az aks show`, node
    /// pools, maintenance, upgrade profiles, subnets, vCPU quota, versions (and workloads with
    /// `kubectl` given a context). One folder, written whole or not at all.
    Snapshot(SnapshotArgs),
    /// Write a plan skeleton from a snapshot folder, or from saved `az aks show -o json` output.
    Init(InitArgs),
    /// Explain a diagnostic code (e.g. `aksplan explain AKS014`).
    Explain(ExplainArgs),
    /// Show the effective configuration (`aksplan.toml`, `AKSPLAN_*` variables, flags) and where
    /// each value came from.
    Config(ConfigArgs),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
    /// Print the man page (roff), or write one page per command into a folder.
    #[command(hide = true)]
    Man(ManArgs),
}

/// Rego policies and their limits.
#[derive(clap::Args, Clone, Default)]
pub struct PolicyArgs {
    /// Rego policies: a folder (searched for `.rego` files) or a file; repeatable. Default:
    /// `policies/` beside the plan, when it exists.
    #[arg(
        long = "policy",
        value_name = "PATH",
        env = "AKSPLAN_POLICY",
        value_delimiter = ','
    )]
    pub policies: Vec<PathBuf>,
    /// Evaluate no policies (not even `policies/` beside the plan).
    #[arg(long, conflicts_with = "policies")]
    pub no_policy: bool,
    /// Extra data documents for policies (JSON or YAML), merged under `data`; repeatable.
    #[arg(long = "data", value_name = "FILE")]
    pub data: Vec<PathBuf>,
    /// Time limit per policy rule, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 5_000)]
    pub policy_timeout: u64,
    /// Instruction limit per policy rule (regorus VM instructions).
    #[arg(long, value_name = "N", default_value_t = 50_000_000)]
    pub policy_instructions: usize,
    /// Memory limit of the policy evaluator (a child process), in MiB; 0 for none.
    #[arg(long, value_name = "MIB", default_value_t = aksplan_policy::DEFAULT_MEMORY_MIB)]
    pub policy_memory: u64,
}

/// Settings that `aksplan.toml` and `AKSPLAN_*` variables may also give.
#[derive(clap::Args, Clone, Default)]
pub struct SharedArgs {
    /// Findings format: FORMAT, or FORMAT=FILE to write a file; repeatable
    /// (`--format sarif=out.sarif --format human`). Default: human. FORMAT is one of human,
    /// concise, json, sarif, junit, github, azure-devops, markdown.
    #[arg(
        long = "format",
        value_name = "FORMAT[=FILE]",
        env = "AKSPLAN_FORMAT",
        value_delimiter = ',',
        value_parser = FormatSpecParser
    )]
    pub formats: Vec<FormatSpec>,
    /// Which findings reject the plan (exit code 1).
    #[arg(long, value_enum, value_name = "LEVEL", env = "AKSPLAN_FAIL_ON")]
    pub fail_on: Option<FailOn>,
    /// Show only findings at or above this severity in the `human` and `concise` outputs (the
    /// machine formats and the verdict keep every finding).
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub min_severity: Option<MinSeverity>,
    /// Shorthand for `--min-severity warning`: no info notes on the terminal.
    #[arg(short, long, conflicts_with = "min_severity")]
    pub quiet: bool,
    /// Version catalog: the JSON printed by `az aks get-versions -l LOCATION -o json`
    /// (default: the snapshot built into aksplan).
    #[arg(long, value_name = "GET_VERSIONS_JSON", env = "AKSPLAN_CATALOG")]
    pub catalog: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct CheckArgs {
    /// Plan files (`.yaml`, `.yml`, `.toml`, `.json`), or `-` for standard input.
    #[arg(required = true, value_name = "PLAN")]
    pub plans: Vec<String>,
    /// Read plans in this format whatever their names (needed for `-` when not YAML).
    #[arg(long, value_enum)]
    pub input_format: Option<InputFormat>,
    /// Judge support status as of this date (YYYY-MM-DD); overrides the plan's `asOf`.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<jiff::civil::Date>,
    /// Kubernetes manifests (a folder of `.yaml`/`.yml` files, or one file) to check for APIs
    /// removed in the minors the plan crosses; repeatable.
    #[arg(long, value_name = "DIR")]
    pub manifests: Vec<PathBuf>,
    #[command(flatten)]
    pub policy: PolicyArgs,
    #[command(flatten)]
    pub shared: SharedArgs,
}

#[derive(clap::Args)]
pub struct PlanArgs {
    /// The plan file (`.yaml`, `.yml`, `.toml`, `.json`), or `-` for standard input.
    #[arg(value_name = "PLAN")]
    pub plan: String,
    /// `human` (the route per cluster, on stdout) or `json` (the execution graph, on stdout).
    #[arg(long = "format", value_enum, default_value_t = PlanFormat::Human)]
    pub format: PlanFormat,
    /// Read the plan in this format whatever its name.
    #[arg(long, value_enum)]
    pub input_format: Option<InputFormat>,
    /// Judge support status as of this date (YYYY-MM-DD); overrides the plan's `asOf`.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<jiff::civil::Date>,
    /// Version catalog: the JSON printed by `az aks get-versions -l LOCATION -o json`.
    #[arg(long, value_name = "GET_VERSIONS_JSON", env = "AKSPLAN_CATALOG")]
    pub catalog: Option<PathBuf>,
    /// Which findings reject the plan (exit code 1).
    #[arg(long, value_enum, value_name = "LEVEL", default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    #[command(flatten)]
    pub policy: PolicyArgs,
}

#[derive(clap::Args)]
pub struct InputArgs {
    /// The plan file, or `-` for standard input.
    #[arg(value_name = "PLAN")]
    pub plan: String,
    /// Read the plan in this format whatever its name.
    #[arg(long, value_enum)]
    pub input_format: Option<InputFormat>,
    /// Judge support status as of this date (YYYY-MM-DD); overrides the plan's `asOf`.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<jiff::civil::Date>,
    /// Version catalog: the JSON printed by `az aks get-versions -l LOCATION -o json`.
    #[arg(long, value_name = "GET_VERSIONS_JSON", env = "AKSPLAN_CATALOG")]
    pub catalog: Option<PathBuf>,
}

/// `aksplan emit`.
#[derive(clap::Args)]
pub struct EmitArgs {
    /// The plan files (`.yaml`, `.yml`, `.toml`, `.json`), or `-` for standard input. With
    /// several plans, `-o` names one file per plan: `{plan}` in it is replaced by the plan's file
    /// name without its extension (`-o 'upgrade-{plan}.sh'`).
    #[arg(value_name = "PLAN", required = true)]
    pub plans: Vec<String>,
    /// What to write.
    #[arg(long = "format", value_enum)]
    pub format: EmitFormat,
    /// Write to this file (atomically: a temporary file beside it, then a rename); standard
    /// output when absent. `{plan}` is replaced by the plan's name (needed for several plans).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Start at this step id (as `aksplan plan` lists them); earlier steps are left out.
    #[arg(long, value_name = "STEP_ID")]
    pub from_step: Option<String>,
    /// Stop before this rollout stage (its approval gate and clusters, and every later stage).
    #[arg(long, value_name = "STAGE")]
    pub until_stage: Option<String>,
    /// Only the steps of this cluster.
    #[arg(long, value_name = "NAME")]
    pub cluster: Option<String>,
    /// Read the plan in this format whatever its name.
    #[arg(long, value_enum)]
    pub input_format: Option<InputFormat>,
    /// Judge support status as of this date (YYYY-MM-DD); overrides the plan's `asOf`.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<jiff::civil::Date>,
    /// Version catalog: the JSON printed by `az aks get-versions -l LOCATION -o json`.
    #[arg(long, value_name = "GET_VERSIONS_JSON", env = "AKSPLAN_CATALOG")]
    pub catalog: Option<PathBuf>,
    /// Which findings stop the emission (nothing is written, exit code 1); errors always do.
    #[arg(long, value_enum, value_name = "LEVEL", default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    #[command(flatten)]
    pub policy: PolicyArgs,
}

/// `aksplan diff`.
#[derive(clap::Args)]
pub struct DiffArgs {
    /// The old side: a plan file (`.yaml`, `.yml`, `.toml`, `.json`) or a JSON execution plan
    /// (`aksplan emit --format json`).
    #[arg(value_name = "OLD")]
    pub old: String,
    /// The new side, as OLD.
    #[arg(value_name = "NEW")]
    pub new: String,
    /// `human` (grouped `+`/`-`/`~` lines) or `json`.
    #[arg(long = "format", value_enum, default_value_t = PlanFormat::Human)]
    pub format: PlanFormat,
    /// Judge support status as of this date (YYYY-MM-DD); overrides the plans' `asOf`.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<jiff::civil::Date>,
    /// Version catalog: the JSON printed by `az aks get-versions -l LOCATION -o json`.
    #[arg(long, value_name = "GET_VERSIONS_JSON", env = "AKSPLAN_CATALOG")]
    pub catalog: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum EmitFormat {
    /// A bash script of `az` commands, safe to re-run.
    Az,
    /// The JSON execution plan.
    Json,
    /// Azure Kubernetes Fleet Manager update strategies.
    Fleet,
    /// The review report in Markdown (summary, findings, waivers, steps, Mermaid diagrams).
    Markdown,
    /// The graph as a Mermaid flowchart.
    Mermaid,
    /// The graph in Graphviz dot.
    Dot,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    Human,
    Json,
}

#[derive(clap::Args)]
pub struct ConfigArgs {
    #[command(flatten)]
    pub shared: SharedArgs,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum SchemaKind {
    Plan,
}

/// `aksplan test`.
#[derive(clap::Args)]
pub struct TestArgs {
    /// Policy and test files: folders (searched for `.rego` files) or files.
    #[arg(value_name = "PATH", default_value = "policies")]
    pub paths: Vec<PathBuf>,
    /// Run only the tests whose `data.<package>.<test>` path matches this regular expression.
    #[arg(long, value_name = "REGEX")]
    pub run: Option<String>,
    /// Report line coverage of the policies (test files excluded), per file and in total.
    #[arg(long)]
    pub coverage: bool,
    /// Fail (exit code 1) when total coverage is below this percentage; implies `--coverage`.
    #[arg(long, value_name = "PCT", value_parser = clap::value_parser!(f64))]
    pub threshold: Option<f64>,
    /// `human` (one line per test), `json`, or `junit` (one test suite per package).
    #[arg(long = "format", value_enum, default_value_t = TestFormat::Human)]
    pub format: TestFormat,
    /// Time limit per test, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 5_000)]
    pub policy_timeout: u64,
    /// Memory limit of the test runner (a child process), in MiB; 0 for none.
    #[arg(long, value_name = "MIB", default_value_t = aksplan_policy::DEFAULT_MEMORY_MIB)]
    pub policy_memory: u64,
    /// Show each test's time (human: after the test; JSON: `micros`), as `opa test -v`.
    #[arg(short, long)]
    pub verbose: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TestFormat {
    Human,
    Json,
    Junit,
}

#[derive(clap::Args)]
pub struct SchemaArgs {
    #[arg(value_enum, default_value_t = SchemaKind::Plan)]
    pub kind: SchemaKind,
}

#[derive(clap::Args)]
pub struct SnapshotArgs {
    /// The cluster's resource group; repeatable, paired in order with `-n` (one `-g` serves
    /// every `-n`).
    #[arg(
        short = 'g',
        long = "resource-group",
        value_name = "RG",
        required_unless_present = "plan"
    )]
    pub resource_group: Vec<String>,
    /// The cluster's name; repeatable.
    #[arg(
        short = 'n',
        long = "name",
        value_name = "CLUSTER",
        required_unless_present = "plan"
    )]
    pub name: Vec<String>,
    /// Snapshot every cluster of this plan (with its resource group and subscription).
    #[arg(long, value_name = "PLAN", conflicts_with_all = ["resource_group", "name"])]
    pub plan: Option<PathBuf>,
    /// The subscription to run `az` against (default: the current one; a plan's clusters use
    /// their own).
    #[arg(long, value_name = "SUBSCRIPTION")]
    pub subscription: Option<String>,
    /// The `kubectl` context that reaches a cluster, to save its PodDisruptionBudgets and
    /// workloads: `CONTEXT` for a single cluster, or `CLUSTER=CONTEXT`; repeatable. Without it
    /// no workloads are saved (the drain checks then have nothing to judge).
    #[arg(long = "kube-context", value_name = "[CLUSTER=]CONTEXT")]
    pub kube_context: Vec<String>,
    /// The folder to write (whole, or not at all).
    #[arg(short, long, value_name = "DIR", default_value = "snapshot")]
    pub output: PathBuf,
    /// Replace the folder if it exists.
    #[arg(long)]
    pub force: bool,
    /// Print no progress.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(clap::Args)]
pub struct InitArgs {
    /// A folder written by `aksplan snapshot` (the plan reads it through `currentFrom`), or a
    /// saved `az aks show -g RG -n NAME -o json` output (the state is written into the plan).
    #[arg(long = "from", value_name = "DIR|SHOW_JSON")]
    pub from: PathBuf,
    /// The saved `az aks nodepool list -g RG --cluster-name NAME -o json` output.
    #[arg(long, value_name = "NODEPOOL_LIST_JSON")]
    pub node_pools: Option<PathBuf>,
    /// Where to write the plan (atomically); standard output when absent.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Overwrite an existing output file.
    #[arg(long)]
    pub force: bool,
    /// Propose the target AKS offers the cluster on this date (YYYY-MM-DD; default: today), and
    /// write it as the plan's `asOf`.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<jiff::civil::Date>,
}

#[derive(clap::Args)]
pub struct ExplainArgs {
    /// The code, e.g. `AKS014`.
    #[arg(required_unless_present = "list", value_name = "CODE", value_parser = CodeParser)]
    pub code: Option<String>,
    /// List every code with its severity and title.
    #[arg(long)]
    pub list: bool,
}

/// Accepts any code (a team's policy codes too, which `explain` answers with a hint) while
/// offering the built-in ones to shell completion.
#[derive(Clone)]
struct CodeParser;

impl clap::builder::TypedValueParser for CodeParser {
    type Value = String;

    fn parse_ref(
        &self,
        _cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        Ok(value.to_string_lossy().into_owned())
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(aksplan_rules::registry::all_codes().into_iter().map(
            |code| {
                clap::builder::PossibleValue::new(code.id())
                    .help(code.title())
                    .hide(true)
            },
        )))
    }
}

#[derive(clap::Args)]
pub struct CompletionsArgs {
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(clap::Args)]
pub struct ManArgs {
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

impl From<InputFormat> for aksplan_model::source::Format {
    fn from(format: InputFormat) -> Self {
        match format {
            InputFormat::Yaml => Self::Yaml,
            InputFormat::Toml => Self::Toml,
            InputFormat::Json => Self::Json,
        }
    }
}

//! The effective configuration: `aksplan.toml` (in the current folder or a parent, up to the
//! repository root), overridden by `AKSPLAN_*` environment variables, overridden by flags. Each
//! value remembers where it came from, for `aksplan config`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use aksplan_model::codes;
use aksplan_model::finding::Finding;
use aksplan_model::source::{Format, parse_document};
use clap::ArgMatches;
use clap::parser::ValueSource;
use serde::Deserialize;

use crate::args::{FailOn, FormatSpec, OutputFormat, SharedArgs};

pub const FILE_NAME: &str = "aksplan.toml";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Default,
    File(PathBuf),
    Env(&'static str),
    Flag,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Default => f.write_str("default"),
            Source::File(path) => write!(f, "{}", path.display()),
            Source::Env(name) => write!(f, "environment variable {name}"),
            Source::Flag => f.write_str("command line"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Setting<T> {
    pub value: T,
    pub source: Source,
}

#[derive(Debug, Clone)]
pub struct Effective {
    pub formats: Setting<Vec<FormatSpec>>,
    pub fail_on: Setting<FailOn>,
    pub catalog: Setting<Option<PathBuf>>,
    /// Policy folders or files from the configuration file (flags and `AKSPLAN_POLICY` are read
    /// by the commands that evaluate policies, and win over these).
    pub policies: Setting<Vec<PathBuf>>,
    /// The largest input file, in bytes (`--max-input-size`).
    pub max_input_size: Setting<u64>,
    /// The configuration file in use, if any.
    pub file: Option<PathBuf>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct FileConfig {
    catalog: Option<String>,
    format: Option<Vec<String>>,
    fail_on: Option<FailOn>,
    policy: Option<Vec<String>>,
    max_input_size: Option<Size>,
}

/// `max-input-size`: `"32MiB"` or a number of bytes.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Size {
    Bytes(u64),
    Text(String),
}

impl Size {
    fn bytes(&self) -> Result<u64, String> {
        match self {
            Size::Bytes(0) => Err("the input size limit must be at least one byte".to_owned()),
            Size::Bytes(bytes) => Ok(*bytes),
            Size::Text(text) => aksplan_model::files::parse_size(text),
        }
    }
}

/// The input limit every command uses, set before anything is read: the flag (or
/// `AKSPLAN_MAX_INPUT_SIZE`), else `max-input-size` in aksplan.toml, else the default. A
/// configuration file that cannot be read is ignored here: `check` and `config` report it.
pub fn input_limit(flag: Option<u64>, matches: &ArgMatches, cwd: &Path) -> Setting<u64> {
    if let (Some(value), Some(source)) = (
        flag,
        source_of(matches, "max_input_size", "AKSPLAN_MAX_INPUT_SIZE"),
    ) {
        return Setting { value, source };
    }
    let from_file = find_file(cwd).and_then(|path| {
        let bytes = aksplan_model::files::read(&path).ok()?;
        let doc = parse_document(&path.to_string_lossy(), bytes, Format::Toml).ok()?;
        let size: Size = serde_json::from_value(doc.value.get("max-input-size")?.clone()).ok()?;
        Some(Setting {
            value: size.bytes().ok()?,
            source: Source::File(path),
        })
    });
    from_file.unwrap_or(Setting {
        value: aksplan_model::files::DEFAULT_MAX_INPUT_BYTES,
        source: Source::Default,
    })
}

/// `aksplan.toml` in `start` or the nearest parent; the search stops at a repository root.
pub fn find_file(start: &Path) -> Option<PathBuf> {
    let mut dir = Some(start);
    while let Some(current) = dir {
        let candidate = current.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        if current.join(".git").exists() {
            return None;
        }
        dir = current.parent();
    }
    None
}

fn source_of(matches: &ArgMatches, id: &str, env: &'static str) -> Option<Source> {
    match matches.value_source(id)? {
        ValueSource::CommandLine => Some(Source::Flag),
        ValueSource::EnvVariable => Some(Source::Env(env)),
        _ => None,
    }
}

fn bad_config(doc: &aksplan_model::source::Document, pointer: &str, message: String) -> Finding {
    Finding::new(codes::BAD_CONFIG, message)
        .at(doc.label(pointer))
        .pointer(pointer)
}

/// The effective settings for a command whose shared arguments are `args` (parsed into `matches`).
pub fn resolve(
    args: &SharedArgs,
    matches: &ArgMatches,
    cwd: &Path,
    max_input_size: Setting<u64>,
) -> Result<Effective, Vec<Finding>> {
    let mut effective = Effective {
        formats: Setting {
            value: vec![FormatSpec {
                format: OutputFormat::Human,
                path: None,
            }],
            source: Source::Default,
        },
        fail_on: Setting {
            value: FailOn::Error,
            source: Source::Default,
        },
        catalog: Setting {
            value: None,
            source: Source::Default,
        },
        policies: Setting {
            value: Vec::new(),
            source: Source::Default,
        },
        max_input_size,
        file: find_file(cwd),
    };
    if let Some(path) = &effective.file {
        let name = path.to_string_lossy().into_owned();
        let bytes = aksplan_model::files::read(path).map_err(|err| {
            vec![Finding::new(
                codes::BAD_CONFIG,
                format!("cannot read `{name}`: {err}"),
            )]
        })?;
        let doc = Arc::new(parse_document(&name, bytes, Format::Toml).map_err(|f| {
            let mut tool = Finding::new(codes::BAD_CONFIG, f.message).help_opt(f.help);
            tool.primary = f.primary;
            vec![tool]
        })?);
        let file: FileConfig = serde_path_to_error::deserialize(&doc.value).map_err(|err| {
            let pointer = aksplan_model::source::pointer_of_path(err.path());
            vec![
                bad_config(&doc, &pointer, format!("`{name}`: {}", err.inner()))
                    .help("known keys: `catalog`, `format`, `fail-on`, `policy`, `max-input-size`"),
            ]
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        let source = Source::File(path.clone());
        if let Some(catalog) = file.catalog {
            effective.catalog = Setting {
                value: Some(base.join(catalog)),
                source: source.clone(),
            };
        }
        if let Some(formats) = file.format {
            let mut parsed = Vec::new();
            for (idx, text) in formats.iter().enumerate() {
                let mut spec: FormatSpec = text
                    .parse()
                    .map_err(|message: String| vec![bad_config(&doc, &format!("/format/{idx}"), message)])?;
                spec.path = spec.path.map(|p| base.join(p));
                parsed.push(spec);
            }
            effective.formats = Setting {
                value: parsed,
                source: source.clone(),
            };
        }
        if let Some(policies) = file.policy {
            effective.policies = Setting {
                value: policies.iter().map(|p| base.join(p)).collect(),
                source: source.clone(),
            };
        }
        if let Some(size) = &file.max_input_size {
            // Validated here, where a bad value can be shown on its line; `input_limit` (which
            // ran first, before anything was read) skips it silently.
            let bytes = size.bytes().map_err(|message| {
                vec![bad_config(
                    &doc,
                    "/max-input-size",
                    format!("`max-input-size`: {message}"),
                )]
            })?;
            if effective.max_input_size.source == Source::Default {
                effective.max_input_size = Setting {
                    value: bytes,
                    source: source.clone(),
                };
            }
        }
        if let Some(fail_on) = file.fail_on {
            effective.fail_on = Setting {
                value: fail_on,
                source,
            };
        }
    }
    if let Some(source) = source_of(matches, "formats", "AKSPLAN_FORMAT")
        && !args.formats.is_empty()
    {
        effective.formats = Setting {
            value: args.formats.clone(),
            source,
        };
    }
    if let (Some(source), Some(value)) = (source_of(matches, "fail_on", "AKSPLAN_FAIL_ON"), args.fail_on) {
        effective.fail_on = Setting { value, source };
    }
    if let (Some(source), Some(value)) = (source_of(matches, "catalog", "AKSPLAN_CATALOG"), &args.catalog) {
        effective.catalog = Setting {
            value: Some(value.clone()),
            source,
        };
    }
    Ok(effective)
}

/// `aksplan config`: one line per setting, with its source.
pub fn describe(effective: &Effective) -> String {
    let formats: Vec<String> = effective.formats.value.iter().map(ToString::to_string).collect();
    let catalog = effective
        .catalog
        .value
        .as_ref()
        .map_or_else(|| "embedded snapshot".to_owned(), |p| p.display().to_string());
    let fail_on = match effective.fail_on.value {
        FailOn::Error => "error",
        FailOn::Warning => "warning",
        FailOn::Never => "never",
    };
    let file = effective
        .file
        .as_ref()
        .map_or_else(|| "none found".to_owned(), |p| p.display().to_string());
    let policies = if effective.policies.value.is_empty() {
        "`policies/` beside each plan, when present".to_owned()
    } else {
        effective
            .policies
            .value
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "config file  {file}\nformat       {}    ({})\nfail-on      {fail_on}    ({})\ncatalog      {catalog}    ({})\npolicy       {policies}    ({})\nmax-input-size {}    ({})\n",
        formats.join(", "),
        effective.formats.source,
        effective.fail_on.source,
        effective.catalog.source,
        effective.policies.source,
        aksplan_model::files::human_size(effective.max_input_size.value),
        effective.max_input_size.source
    )
}

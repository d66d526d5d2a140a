//! Rendering findings: the human form (miette, with the source snippet underlined) and the
//! machine form (JSON with file, line, column and JSON pointer). Pure functions returning
//! strings; the CLI decides where they go.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use aksplan_model::finding::{Finding, Label, Severity, Source};
use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode};
use serde::Serialize;
use snippet::IndexedSource;

/// How to draw human output.
#[derive(Debug, Clone, Copy)]
pub struct HumanOptions {
    pub color: bool,
    pub unicode: bool,
    pub width: usize,
}

impl Default for HumanOptions {
    fn default() -> Self {
        Self {
            color: false,
            unicode: true,
            width: 100,
        }
    }
}

/// One finding as a miette diagnostic (labels in other files become related diagnostics).
#[derive(Debug)]
struct Rendered {
    code: &'static str,
    message: String,
    severity: Severity,
    help: Option<String>,
    source: Option<IndexedSource>,
    labels: Vec<LabeledSpan>,
    related: Vec<Rendered>,
}

impl fmt::Display for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Rendered {}

impl Diagnostic for Rendered {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        (!self.code.is_empty()).then(|| Box::new(self.code) as Box<dyn fmt::Display>)
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        (!self.labels.is_empty())
            .then(|| Box::new(self.labels.iter().cloned()) as Box<dyn Iterator<Item = LabeledSpan>>)
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        (!self.related.is_empty()).then(|| {
            Box::new(self.related.iter().map(|r| r as &dyn Diagnostic))
                as Box<dyn Iterator<Item = &dyn Diagnostic>>
        })
    }
}

/// Indexed sources by file, built once per render: every finding of a file shares one.
#[derive(Default)]
struct Sources(HashMap<*const Source, IndexedSource>);

impl Sources {
    fn get(&mut self, source: &Arc<Source>) -> IndexedSource {
        self.0
            .entry(Arc::as_ptr(source))
            .or_insert_with(|| IndexedSource::new(Arc::clone(source)))
            .clone()
    }
}

fn labeled(label: &Label, primary: bool, source: &IndexedSource) -> LabeledSpan {
    // Clamp so that a stale span can never make the renderer fail.
    let len = label.source.text.len();
    let start = label.span.start.min(len);
    let end = label.span.end.clamp(start, len);
    let (start, end) = source.drawable(start, end);
    let message = label.message.as_deref().map(printable::escaped);
    if primary {
        LabeledSpan::new_primary_with_span(message, (start, end - start))
    } else {
        LabeledSpan::new_with_span(message, (start, end - start))
    }
}

fn to_rendered(finding: &Finding, sources: &mut Sources) -> Rendered {
    let mut labels = Vec::new();
    let mut related = Vec::new();
    let source = finding.primary.as_ref().map(|label| {
        let source = sources.get(&label.source);
        labels.push(labeled(label, true, &source));
        source
    });
    for extra in &finding.secondary {
        match &source {
            Some(src) if Arc::ptr_eq(src.source(), &extra.source) => labels.push(labeled(extra, false, src)),
            _ => {
                let extra_source = sources.get(&extra.source);
                related.push(Rendered {
                    code: "",
                    message: format!(
                        "note: {}",
                        printable::escaped(extra.message.as_deref().unwrap_or("see also"))
                    ),
                    severity: Severity::Info,
                    help: None,
                    source: Some(extra_source.clone()),
                    labels: vec![labeled(
                        &Label {
                            message: None,
                            ..extra.clone()
                        },
                        true,
                        &extra_source,
                    )],
                    related: Vec::new(),
                });
            }
        }
    }
    // `error[AKS014]: ...` as rustc writes it: the severity reads without colour or glyphs, and
    // the code is greppable on the same line as the message.
    // A waived finding says so in its header; who waived it, until when and why go below, where
    // they do not push the message off the first line.
    let message = match &finding.waived {
        Some(_) => format!(
            "{}[{}] (waived): {}",
            finding.severity,
            finding.code.id(),
            finding.message
        ),
        None => format!("{}[{}]: {}", finding.severity, finding.code.id(), finding.message),
    };
    let help = match (&finding.waived, finding.help.as_deref()) {
        (Some(waived), Some(help)) => Some(format!("{}\n{help}", waived.describe())),
        (Some(waived), None) => Some(waived.describe()),
        (None, help) => help.map(str::to_owned),
    };
    Rendered {
        code: "",
        message: printable::escaped(&message),
        // A waived finding is shown as advice: it no longer counts against the plan.
        severity: if finding.waived.is_some() {
            Severity::Info
        } else {
            finding.severity
        },
        help: help.as_deref().map(printable::escaped),
        source,
        labels,
        related,
    }
}

/// Renders findings for a person, followed by a one-line summary.
pub fn render_human(findings: &[Finding], options: HumanOptions) -> String {
    let theme = match (options.color, options.unicode) {
        (true, true) => GraphicalTheme::unicode(),
        (true, false) => GraphicalTheme::ascii(),
        (false, true) => GraphicalTheme::unicode_nocolor(),
        (false, false) => GraphicalTheme::none(),
    };
    // Wrap at spaces only: the default splitter breaks at hyphens, tearing dates (`2026-12-⏎01`),
    // versions and names across lines.
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(options.width)
        .with_links(false)
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation);
    let mut out = String::new();
    let mut sources = Sources::default();
    for finding in findings {
        let rendered = to_rendered(finding, &mut sources);
        let mut text = String::new();
        if handler.render_report(&mut text, &rendered).is_err() {
            text = format!("{}: {}\n", finding.code, finding.message);
        }
        out.push_str(&text);
        out.push('\n');
    }
    out
}

/// The findings a person reads first: errors, then warnings, then notes (each in their order),
/// leaving out those below `min`.
pub fn for_terminal(findings: &[Finding], min: Severity) -> Vec<Finding> {
    let rank = |s: Severity| match s {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Info => 2,
    };
    let mut shown: Vec<Finding> = findings
        .iter()
        .filter(|f| rank(f.severity) <= rank(min))
        .cloned()
        .collect();
    // Stable: the order within a severity is the report's (file, then rule order).
    shown.sort_by_key(|f| rank(f.severity));
    shown
}

/// One line per finding, `FILE:LINE:COL: severity[CODE] message` (ruff's and rustc's short form),
/// with `(waived)` for an accepted one.
pub fn render_concise(findings: &[Finding]) -> String {
    let mut out = String::new();
    for finding in findings {
        let json = JsonFinding::from(finding);
        let location = match (&json.file, json.line, json.column) {
            (Some(file), Some(line), Some(column)) => format!("{file}:{line}:{column}: "),
            (Some(file), _, _) => format!("{file}: "),
            _ => String::new(),
        };
        let waived = if finding.waived.is_some() { " (waived)" } else { "" };
        let message: String = printable::escaped(&finding.message)
            .chars()
            .map(|c| if c == '\n' { ' ' } else { c })
            .collect();
        out.push_str(&format!(
            "{location}{}[{}]{waived} {message}\n",
            finding.severity,
            finding.code.id()
        ));
    }
    out
}

/// The summary line: counts by severity.
pub fn summary_line(findings: &[Finding], files: usize) -> String {
    let count = |s: Severity| {
        findings
            .iter()
            .filter(|f| f.severity == s && f.waived.is_none())
            .count()
    };
    let waived = findings.iter().filter(|f| f.waived.is_some()).count();
    let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("{n} {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    // A tool error (exit 2) is no verdict on the plan: say so rather than "rejected".
    let could_not_run = findings
        .iter()
        .any(|f| f.code.category() == aksplan_model::codes::Category::Tool);
    let verdict = if could_not_run {
        "could not run"
    } else if errors > 0 {
        "rejected"
    } else {
        "accepted"
    };
    let waived = if waived > 0 {
        format!(", {waived} waived")
    } else {
        String::new()
    };
    format!(
        "{verdict}: {}, {}{waived} in {}",
        plural(errors, "error"),
        plural(warnings, "warning"),
        plural(files, "file")
    )
}

/// One finding in machine form.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JsonFinding {
    pub code: &'static str,
    pub severity: Severity,
    pub title: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waived: Option<aksplan_model::finding::Waived>,
}

impl From<&Finding> for JsonFinding {
    fn from(finding: &Finding) -> Self {
        let location = finding.primary.as_ref().map(|label| {
            let (line, column) = label.source.line_col(label.span.start);
            let (end_line, end_column) = label.source.line_col(label.span.end);
            (label.source.name.clone(), line, column, end_line, end_column)
        });
        Self {
            code: finding.code.id(),
            severity: finding.severity,
            title: finding.code.title(),
            message: finding.message.clone(),
            file: location.as_ref().map(|l| l.0.clone()),
            line: location.as_ref().map(|l| l.1),
            column: location.as_ref().map(|l| l.2),
            end_line: location.as_ref().map(|l| l.3),
            end_column: location.as_ref().map(|l| l.4),
            pointer: finding.pointer.clone(),
            help: finding.help.clone(),
            cluster: finding.cluster.clone(),
            waived: finding.waived.clone(),
        }
    }
}

#[derive(Debug, Serialize)]
struct JsonReport<'a> {
    version: u32,
    files: &'a [String],
    findings: Vec<JsonFinding>,
    summary: JsonSummary,
}

#[derive(Debug, Serialize)]
struct JsonSummary {
    errors: usize,
    warnings: usize,
    infos: usize,
    waived: usize,
    accepted: bool,
}

/// Renders findings as one JSON document: `{version, files, findings: [...], summary}`.
pub fn render_json(findings: &[Finding], files: &[String]) -> String {
    let count = |s: Severity| {
        findings
            .iter()
            .filter(|f| f.severity == s && f.waived.is_none())
            .count()
    };
    let report = JsonReport {
        version: 1,
        files,
        findings: findings.iter().map(JsonFinding::from).collect(),
        summary: JsonSummary {
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            infos: count(Severity::Info),
            waived: findings.iter().filter(|f| f.waived.is_some()).count(),
            accepted: count(Severity::Error) == 0,
        },
    };
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_else(|_| "{}".into());
    text.push('\n');
    text
}

pub mod ci;
pub mod junit;
pub mod policy_tests;
mod printable;
mod snippet;
pub use ci::{FileSummary, ReportInput};
pub mod plan;

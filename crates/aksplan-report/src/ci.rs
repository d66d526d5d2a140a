//! Machine formats for CI: SARIF 2.1.0, JUnit XML, GitHub workflow commands, Azure DevOps logging
//! commands, and Markdown for a pull-request comment.
//!
//! All take the same `ReportInput`: the findings, the files checked (with their clusters, so
//! JUnit can report passing rule × cluster cases too), and the registry of codes (so SARIF lists
//! one rule per code with its help).

use std::fmt::Write as _;

use aksplan_model::codes::{Category, Code};
use aksplan_model::finding::{Finding, Severity};
use serde_json::{Value, json};

/// A plan file that was checked, and the clusters it defines.
#[derive(Debug, Clone, Default)]
pub struct FileSummary {
    pub name: String,
    pub clusters: Vec<String>,
    /// Whether the built-in rules ran on this file (they do not when loading found errors):
    /// only then are rules without findings reported as passing test cases.
    pub rules_ran: bool,
    /// This file's findings: their positions in [`ReportInput::findings`]. Two plans may name
    /// the same cluster, so a cluster name does not tell which file a finding belongs to.
    pub findings: std::ops::Range<usize>,
}

pub struct ReportInput<'a> {
    pub findings: &'a [Finding],
    pub files: &'a [FileSummary],
    /// Every code aksplan knows, in id order.
    pub codes: &'a [Code],
    pub tool_version: &'a str,
    /// Where `docs/rules.md` is published; each code's help link is `{docs_url}#{code}`.
    pub docs_url: &'a str,
    /// The least severity that rejects the plan (`--fail-on`), `None` for never: a JUnit case
    /// fails exactly when one of its findings would reject the plan, so an accepted plan shows
    /// no failed test.
    pub fail_on: Option<Severity>,
}

/// Where a finding is: file, and 1-based start/end line and column.
struct Place {
    file: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

fn place(finding: &Finding) -> Option<Place> {
    let label = finding.primary.as_ref()?;
    let (line, column) = label.source.line_col(label.span.start);
    let (end_line, end_column) = label.source.line_col(label.span.end.max(label.span.start));
    Some(Place {
        file: label.source.name.clone(),
        line,
        column,
        end_line,
        end_column,
    })
}

fn help_uri(input: &ReportInput<'_>, code: Code) -> String {
    format!("{}#{}", input.docs_url, code.id().to_ascii_lowercase())
}

/// The message with its hint, for formats that have one text field.
fn full_message(finding: &Finding) -> String {
    match &finding.help {
        Some(help) => format!("{} (hint: {help})", finding.message),
        None => finding.message.clone(),
    }
}

// ---------------------------------------------------------------------------------------------
// SARIF 2.1.0

fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// SARIF 2.1.0: one run, one `rules[]` entry per code (title, full docs, help URI), results with
/// regions in the plan file.
pub fn render_sarif(input: &ReportInput<'_>) -> String {
    // The registry's codes, then any other code a finding carries (a team policy's own codes).
    let mut codes: Vec<Code> = input.codes.to_vec();
    for finding in input.findings {
        if !codes.iter().any(|c| c.id() == finding.code.id()) {
            codes.push(finding.code);
        }
    }
    let rules: Vec<Value> = codes
        .iter()
        .map(|code| {
            let mut rule = json!({
                "id": code.id(),
                "name": rule_name(*code),
                "shortDescription": { "text": code.title() },
                "fullDescription": { "text": first_paragraph(code.docs()) },
                "help": { "text": code.docs(), "markdown": code.docs() },

                "defaultConfiguration": { "level": sarif_level(code.severity()) },
                "properties": { "category": format!("{:?}", code.category()).to_lowercase() }
            });
            // A team policy's code has no page in aksplan's docs; its help is its own text.
            if code.category() != Category::Policy {
                rule["helpUri"] = json!(help_uri(input, *code));
            }
            rule
        })
        .collect();
    let results: Vec<Value> = input
        .findings
        .iter()
        .map(|finding| {
            let index = codes.iter().position(|c| c.id() == finding.code.id());
            let mut result = json!({
                "ruleId": finding.code.id(),
                "level": sarif_level(finding.severity),
                "message": { "text": full_message(finding) },
            });
            if let Some(index) = index {
                result["ruleIndex"] = json!(index);
            }
            if let Some(place) = place(finding) {
                let mut location = json!({
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(&place.file) },
                        "region": {
                            "startLine": place.line,
                            "startColumn": place.column,
                            "endLine": place.end_line,
                            "endColumn": place.end_column.max(if place.end_line == place.line { place.column } else { 1 }),
                        }
                    }
                });
                if let Some(pointer) = &finding.pointer {
                    location["logicalLocations"] = json!([{ "fullyQualifiedName": pointer, "kind": "member" }]);
                }
                result["locations"] = json!([location]);
            }
            if let Some(cluster) = &finding.cluster {
                result["properties"] = json!({ "cluster": cluster });
            }
            if let Some(waived) = &finding.waived {
                result["suppressions"] = json!([{ "kind": "external", "status": "accepted", "justification": waived.describe() }]);
            }
            result
        })
        .collect();
    let sarif = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "aksplan",
                    "fullName": format!("aksplan {} (AKS upgrade plan checks)", input.tool_version),
                    "version": input.tool_version,
                    "informationUri": input.docs_url,
                    "rules": rules,
                }
            },
            // Azure DevOps Advanced Security and GitHub code scanning tell runs of one tool
            // apart by this id: aksplan's plan checks are one category, whatever the file.
            "automationDetails": { "id": "aksplan/check/" },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    let mut text = serde_json::to_string_pretty(&sarif).unwrap_or_default();
    text.push('\n');
    text
}

/// A file name as a relative URI reference (SARIF `artifactLocation.uri`).
fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut out = String::new();
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => {
                let _ = write!(out, "%{byte:02X}");
            }
        }
    }
    out
}

/// A PascalCase name from a code's title (SARIF `rules[].name`).
fn rule_name(code: Code) -> String {
    code.title()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn first_paragraph(docs: &str) -> String {
    docs.split("\n\n")
        .find(|p| !p.trim_start().starts_with('#'))
        .or_else(|| {
            docs.split("## What it checks\n")
                .nth(1)
                .and_then(|rest| rest.split("\n\n").next())
        })
        .unwrap_or(docs)
        .replace('\n', " ")
        .trim()
        .to_owned()
}

// ---------------------------------------------------------------------------------------------
// JUnit

/// JUnit XML: one test suite per plan file; one test case per rule × cluster (plus one per rule
/// for findings about no cluster); a case fails when that rule reported an error or a warning
/// there, with the message and location in the failure. Rules that cannot find anything in a
/// cluster appear as passing cases, so a dashboard shows what was checked.
pub fn render_junit(input: &ReportInput<'_>) -> String {
    use crate::junit::{Case, Counts, Outcome, Report, Suite};
    // A case fails when a finding would reject the plan: at or above `--fail-on`, not waived.
    let failing = |f: &&Finding| {
        f.waived.is_none()
            && input.fail_on.is_some_and(|least| match least {
                Severity::Error => f.severity == Severity::Error,
                Severity::Warning => f.severity != Severity::Info,
                Severity::Info => true,
            })
    };
    let rule_codes: Vec<Code> = input
        .codes
        .iter()
        .copied()
        .filter(|c| c.category() == Category::Rule)
        .collect();
    let mut suites = Vec::new();
    for file in input.files {
        let in_file: Vec<&Finding> = input
            .findings
            .get(file.findings.clone())
            .unwrap_or_default()
            .iter()
            .collect();
        // Cases: every rule × every cluster, plus (code, none) for every other code that fired.
        let mut keys: Vec<(Code, Option<&str>)> = Vec::new();
        if file.rules_ran {
            for cluster in &file.clusters {
                for code in &rule_codes {
                    keys.push((*code, Some(cluster)));
                }
            }
        }
        for finding in &in_file {
            let key = (
                finding.code,
                finding
                    .cluster
                    .as_deref()
                    .filter(|c| file.clusters.iter().any(|x| x == c)),
            );
            if !keys.iter().any(|(c, cl)| *c == key.0 && *cl == key.1) {
                keys.push(key);
            }
        }
        keys.sort_by(|a, b| (a.0.id(), a.1).cmp(&(b.0.id(), b.1)));
        let cases: Vec<Case> = keys
            .iter()
            .map(|(code, cluster)| {
                let name = match cluster {
                    Some(cluster) => format!("{} {} ({})", code.id(), cluster, code.title()),
                    None => format!("{} ({})", code.id(), code.title()),
                };
                let hits: Vec<&&Finding> = in_file
                    .iter()
                    .filter(|f| f.code == *code && f.cluster.as_deref() == *cluster && failing(f))
                    .collect();
                let outcome = match hits.first() {
                    None => Outcome::Passed,
                    Some(first) => {
                        let mut body = String::new();
                        for finding in &hits {
                            let at = place(finding)
                                .map(|p| format!("{}:{}:{}", p.file, p.line, p.column))
                                .unwrap_or_default();
                            let _ = writeln!(
                                body,
                                "{}[{}] {}: {}",
                                finding.severity,
                                finding.code.id(),
                                at,
                                full_message(finding)
                            );
                        }
                        Outcome::Failed {
                            error: false,
                            message: first.message.clone(),
                            kind: first.severity.to_string(),
                            body,
                        }
                    }
                };
                Case {
                    name,
                    classname: format!("aksplan.{}", file.name),
                    file: file.name.clone(),
                    line: None,
                    outcome,
                }
            })
            .collect();
        let failures = cases
            .iter()
            .filter(|c| matches!(c.outcome, Outcome::Failed { .. }))
            .count();
        suites.push(Suite {
            name: file.name.clone(),
            counts: Counts {
                tests: cases.len(),
                failures,
                ..Counts::default()
            },
            cases,
        });
    }
    crate::junit::write(&Report {
        name: "aksplan".to_owned(),
        totals: None,
        suites,
    })
}

// ---------------------------------------------------------------------------------------------
// GitHub Actions workflow commands

fn github_escape_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn github_escape_property(text: &str) -> String {
    github_escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// `::error file=...,line=...,col=...,endLine=...,endColumn=...,title=CODE::message`, one line
/// per finding; notes become `::notice`.
pub fn render_github(input: &ReportInput<'_>) -> String {
    let mut out = String::new();
    for finding in input.findings {
        let command = match (finding.severity, &finding.waived) {
            (_, Some(_)) => "notice",
            (Severity::Error, None) => "error",
            (Severity::Warning, None) => "warning",
            (Severity::Info, None) => "notice",
        };
        let mut properties = Vec::new();
        if let Some(place) = place(finding) {
            properties.push(format!("file={}", github_escape_property(&place.file)));
            properties.push(format!("line={}", place.line));
            properties.push(format!("col={}", place.column));
            properties.push(format!("endLine={}", place.end_line));
            if place.end_line == place.line {
                properties.push(format!("endColumn={}", place.end_column));
            }
        }
        properties.push(format!(
            "title={}",
            github_escape_property(&format!("{}: {}", finding.code.id(), finding.code.title()))
        ));
        let text = match &finding.waived {
            Some(waived) => format!("[{}] {}", waived.describe(), full_message(finding)),
            None => full_message(finding),
        };
        let _ = writeln!(
            out,
            "::{command} {}::{}",
            properties.join(","),
            github_escape_data(&text)
        );
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Azure DevOps logging commands

fn ado_escape(text: &str) -> String {
    text.replace('%', "%AZP25")
        .replace(';', "%3B")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
        .replace(']', "%5D")
}

/// `##vso[task.logissue type=error;sourcepath=...;linenumber=...;columnnumber=...;code=...]msg`.
/// Azure DevOps knows only errors and warnings; notes are printed as plain lines.
pub fn render_azure_devops(input: &ReportInput<'_>) -> String {
    let mut out = String::new();
    for finding in input.findings {
        if let Some(waived) = &finding.waived {
            let _ = writeln!(
                out,
                "waived[{}]: {} ({})",
                finding.code.id(),
                full_message(finding),
                waived.describe()
            );
            continue;
        }
        let kind = match finding.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => {
                let _ = writeln!(out, "note[{}]: {}", finding.code.id(), full_message(finding));
                continue;
            }
        };
        let mut properties = vec![format!("type={kind}")];
        if let Some(place) = place(finding) {
            properties.push(format!("sourcepath={}", ado_escape(&place.file)));
            properties.push(format!("linenumber={}", place.line));
            properties.push(format!("columnnumber={}", place.column));
        }
        properties.push(format!("code={}", finding.code.id()));
        let _ = writeln!(
            out,
            "##vso[task.logissue {};]{}",
            properties.join(";"),
            ado_escape(&full_message(finding))
        );
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Markdown

fn md_cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// A Markdown summary for a pull-request comment: the verdict, then a table of findings with
/// links to each code's docs.
pub fn render_markdown(input: &ReportInput<'_>) -> String {
    let count = |s: Severity| {
        input
            .findings
            .iter()
            .filter(|f| f.severity == s && f.waived.is_none())
            .count()
    };
    let (errors, warnings, notes) = (
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info),
    );
    let mut out = String::new();
    let verdict = if errors > 0 {
        "❌ Plan rejected"
    } else {
        "✅ Plan accepted"
    };
    let _ = writeln!(out, "### {verdict}\n");
    let files: Vec<String> = input.files.iter().map(|f| format!("`{}`", f.name)).collect();
    let _ = writeln!(
        out,
        "aksplan {} checked {}: **{errors}** error(s), **{warnings}** warning(s), {notes} note(s).\n",
        input.tool_version,
        files.join(", ")
    );
    if input.findings.is_empty() {
        return out;
    }
    let _ = writeln!(out, "| | code | where | finding |");
    let _ = writeln!(out, "|---|---|---|---|");
    for finding in input.findings {
        let icon = match finding.severity {
            _ if finding.waived.is_some() => "🔕",
            Severity::Error => "❌",
            Severity::Warning => "⚠️",
            Severity::Info => "ℹ️",
        };
        let at = place(finding)
            .map(|p| format!("`{}:{}:{}`", p.file, p.line, p.column))
            .unwrap_or_default();
        let mut text = md_cell(&finding.message);
        if let Some(help) = &finding.help {
            text.push_str(&format!("<br>hint: {}", md_cell(help)));
        }
        if let Some(waived) = &finding.waived {
            text.push_str(&format!("<br>{}", md_cell(&waived.describe())));
        }
        let _ = writeln!(
            out,
            "| {icon} | [{}]({}) | {at} | {text} |",
            finding.code.id(),
            help_uri(input, finding.code)
        );
    }
    out
}

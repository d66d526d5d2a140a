//! Findings: what every stage of the pipeline reports.
//!
//! A finding carries its code, severity, message, an optional fix, and where it is: the source
//! file and byte span, plus the JSON pointer it is about. Stages that know only a pointer (schema,
//! rules, policies) resolve it through the document's `SourceMap`; rendering turns spans into
//! line and column. Validators return `Vec<Finding>` and never stop at the first one.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::codes::Code;

/// How serious a finding is. `Error` rejects the plan; the others inform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        })
    }
}

/// A file the user handed us, kept whole so any finding can show its lines.
#[derive(Debug)]
pub struct Source {
    /// The name as the user wrote it (a path, or `<stdin>`).
    pub name: String,
    pub text: String,
    /// Where each line starts, made on first use: most runs place no finding in a large file, and
    /// the index of a 1,000-cluster plan is 2 MB.
    line_starts: std::sync::OnceLock<Vec<usize>>,
}

impl Source {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Arc<Self> {
        Arc::new(Self {
            name: name.into(),
            text: text.into(),
            line_starts: std::sync::OnceLock::new(),
        })
    }

    /// Byte offsets where each line starts (the first is 0), made on first use.
    pub fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            // Lines end as YAML (and the snippet renderer) end them: `\n`, `\r\n`, or a lone
            // `\r` (old Mac files), so that a line number here is the one the editor and the
            // snippet show.
            let bytes = self.text.as_bytes();
            // Sized first: grown by doubling, a large file's index carried up to as much again.
            let breaks = bytes.iter().filter(|b| matches!(b, b'\n' | b'\r')).count();
            let mut starts = Vec::with_capacity(breaks + 1);
            starts.extend(
                std::iter::once(0).chain(bytes.iter().enumerate().filter_map(|(i, b)| match b {
                    b'\n' => Some(i + 1),
                    b'\r' if bytes.get(i + 1) != Some(&b'\n') => Some(i + 1),
                    _ => None,
                })),
            );
            starts
        })
    }

    /// One-based line and column (in characters) of a byte offset; offsets past the end or inside
    /// a character are clamped, so a wrong span can never panic a renderer.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line_starts = self.line_starts();
        let line_idx = line_starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1);
        let line_start = line_starts.get(line_idx).copied().unwrap_or(0);
        let mut end = offset;
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let column = self.text.get(line_start..end).map_or(0, |s| s.chars().count());
        (line_idx + 1, column + 1)
    }

    /// The byte offset of a one-based line and column (in characters), clamped to the text.
    pub fn offset_of(&self, line: usize, column: usize) -> usize {
        let Some(&start) = self.line_starts().get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let rest = &self.text[start..];
        let line_text = rest.split(['\n', '\r']).next().unwrap_or("");
        start
            + line_text
                .char_indices()
                .nth(column.saturating_sub(1))
                .map_or(line_text.len(), |(i, _)| i)
    }
}

/// A span in a source, with an optional label shown under it.
#[derive(Debug, Clone)]
pub struct Label {
    pub source: Arc<Source>,
    pub span: Range<usize>,
    pub message: Option<String>,
}

impl Label {
    pub fn new(source: &Arc<Source>, span: Range<usize>) -> Self {
        Self {
            source: Arc::clone(source),
            span,
            message: None,
        }
    }

    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }
}

#[derive(Debug, Clone)]
pub struct Finding {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    /// The JSON pointer into the plan (or input file) the finding is about, when there is one.
    pub pointer: Option<String>,
    /// Where to underline; `None` for findings about a whole file that has no useful span.
    pub primary: Option<Label>,
    /// Other places worth showing (the first definition of a duplicate, say).
    pub secondary: Vec<Label>,
    pub help: Option<String>,
    /// The cluster the finding is about, when it is about one (for per-cluster reports such as
    /// JUnit); filled in by `load::attribute_clusters`.
    pub cluster: Option<String>,
    /// The node pool it is about, when it is about one.
    pub pool: Option<String>,
    /// The waiver that accepts this finding, when one does: it is still reported, as waived,
    /// and no longer counts against the plan.
    pub waived: Option<Waived>,
}

/// Who accepted a finding, why and until when (from the plan's `waivers`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Waived {
    pub scope: String,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

impl Waived {
    /// `waived by CHG-4700 (approved by cab@contoso.example, until 2027-01-31): vendor agent pinned`.
    pub fn describe(&self) -> String {
        let mut text = String::from("waived");
        if let Some(ticket) = &self.ticket {
            text.push_str(&format!(" by {ticket}"));
        }
        let mut details = Vec::new();
        if let Some(who) = &self.approved_by {
            details.push(format!("approved by {who}"));
        }
        if let Some(until) = &self.expires {
            details.push(format!("until {until}"));
        }
        if !details.is_empty() {
            text.push_str(&format!(" ({})", details.join(", ")));
        }
        text.push_str(&format!(": {}", self.reason));
        text
    }
}

impl Finding {
    /// A finding with the code's default severity.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            severity: code.severity(),
            message: message.into(),
            pointer: None,
            primary: None,
            secondary: Vec::new(),
            help: None,
            cluster: None,
            pool: None,
            waived: None,
        }
    }

    pub fn at(mut self, label: Label) -> Self {
        self.primary = Some(label);
        self
    }

    pub fn pointer(mut self, pointer: impl Into<String>) -> Self {
        self.pointer = Some(pointer.into());
        self
    }

    pub fn also(mut self, label: Label) -> Self {
        self.secondary.push(label);
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn help_opt(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Sort key: file, position, code. Output order must not depend on which stage ran first.
    pub fn sort_key(&self) -> (String, usize, &'static str, String) {
        let (file, start) = self
            .primary
            .as_ref()
            .map_or((String::new(), 0), |l| (l.source.name.clone(), l.span.start));
        (file, start, self.code.id(), self.message.clone())
    }
}

/// Sorts findings into a stable, readable order (by file, then position, then code).
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by_cached_key(Finding::sort_key);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_and_clamps() {
        let src = Source::new("a.yaml", "ab\nçd: x\n");
        assert_eq!(src.line_col(0), (1, 1));
        assert_eq!(src.line_col(3), (2, 1));
        // `d` comes after the two-byte `ç`: byte 5, character column 2.
        assert_eq!(src.line_col(5), (2, 2));
        assert_eq!(src.line_col(4), (2, 1), "inside a character clamps back");
        assert_eq!(src.line_col(999), (3, 1));
        assert_eq!(src.offset_of(2, 2), 5);
        assert_eq!(src.offset_of(99, 1), src.text.len());
    }
}

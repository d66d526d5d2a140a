//! A [`SourceCode`] for miette that finds a span's lines through a line index.
//!
//! miette's own implementation for `str` scans the text from its first byte for every span it
//! draws, and `NamedSource<Arc<str>>` needs a copy of the text per diagnostic: rendering `k`
//! findings of an `n`-byte plan cost `O(k·n)` (1,000 clusters: 8,000 findings × 4 MiB, seconds
//! of memcmp/memmove). Here the text is shared and indexed once; each span hands miette only the
//! lines from `context_lines_before` above it, and the result is shifted back, so the output is
//! byte-identical to miette's.

use std::ops::Range;
use std::sync::Arc;

use aksplan_model::finding::Source;
use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

/// One file shared by every diagnostic that shows it.
#[derive(Debug, Clone)]
pub(crate) struct IndexedSource {
    source: Arc<Source>,
    /// The text as shown: `source.text` with terminal control characters replaced (same bytes
    /// long, so every span still fits); `None` when there are none, the common case.
    shown: Option<Arc<str>>,
}

impl IndexedSource {
    pub(crate) fn new(source: Arc<Source>) -> Self {
        let shown = crate::printable::has_controls(&source.text)
            .then(|| Arc::from(crate::printable::same_length(&source.text)));
        Self { source, shown }
    }

    /// Byte offsets where a line starts, with lines ended as miette ends them (`\n`, `\r\n`, or
    /// a lone `\r`); the first is 0. The source's own index (one per file for the whole run: a
    /// copy here was 3 MiB for a 1,000-cluster plan); the shown text has the same line breaks.
    fn line_starts(&self) -> &[usize] {
        self.source.line_starts()
    }

    /// What a terminal gets to see of the file.
    fn text(&self) -> &str {
        self.shown.as_deref().unwrap_or(&self.source.text)
    }

    pub(crate) fn source(&self) -> &Arc<Source> {
        &self.source
    }

    /// The bytes of the line holding `offset`, without its line break.
    fn line_at(&self, offset: usize) -> (usize, Range<usize>) {
        let text = self.text().as_bytes();
        let line = self
            .line_starts()
            .partition_point(|&start| start <= offset)
            .saturating_sub(1);
        let start = self.line_starts().get(line).copied().unwrap_or(0).min(text.len());
        let mut end = self
            .line_starts()
            .get(line + 1)
            .copied()
            .unwrap_or(text.len())
            .min(text.len());
        while end > start && matches!(text.get(end - 1), Some(b'\n' | b'\r')) {
            end -= 1;
        }
        (line, start..end)
    }

    /// A label's span as it can be drawn: on a line too long to show whole, at most
    /// `LONG_LINE_WINDOW` bytes of it (the underline of a value that fills a 4 MiB line would be
    /// 4 MiB of `─`).
    pub(crate) fn drawable(&self, start: usize, end: usize) -> (usize, usize) {
        let (_, line) = self.line_at(start);
        if line.len() <= LONG_LINE {
            return (start, end);
        }
        let mut clamped = end.min(start + LONG_LINE_WINDOW).min(line.end).max(start);
        while !self.text().is_char_boundary(clamped) {
            clamped -= 1;
        }
        (start, clamped)
    }

    /// For a span on a line longer than `LONG_LINE`: that line only, cut to a window around the
    /// span. miette draws the whole line and pads the underline to the span's column with a
    /// format width, which panics past 65,535 ("Formatting argument out of range") and would print
    /// megabytes of a minified file anyway.
    fn long_line_window(
        &self,
        span: &SourceSpan,
        context_lines_before: usize,
    ) -> Option<MietteSpanContents<'_>> {
        let text = self.text();
        let (line, range) = self.line_at(span.offset());
        if range.len() <= LONG_LINE {
            return None;
        }
        let mut start = span.offset().saturating_sub(LONG_LINE_WINDOW).max(range.start);
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = (span.offset() + span.len().min(LONG_LINE_WINDOW) + LONG_LINE_WINDOW).min(range.end);
        while !text.is_char_boundary(end) {
            end += 1;
        }
        // As miette counts: bytes from the start of the line, and 0 when context is asked for.
        let column = if context_lines_before == 0 {
            span.offset().saturating_sub(range.start)
        } else {
            0
        };
        Some(MietteSpanContents::new_named(
            self.source.name.clone(),
            text.as_bytes().get(start..end).unwrap_or_default(),
            SourceSpan::new(start.into(), end - start),
            line,
            column,
            line,
        ))
    }
}

/// Lines longer than this (minified JSON, say) are shown as a window around the finding.
const LONG_LINE: usize = 1_000;
/// How much of a long line is shown on each side of a finding, in bytes.
const LONG_LINE_WINDOW: usize = 80;

impl SourceCode for IndexedSource {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        if let Some(window) = self.long_line_window(span, context_lines_before) {
            return Ok(Box::new(window));
        }
        let text = self.text().as_bytes();
        // The line holding the span's start, then back by the context miette asks for: miette's
        // scan of the whole text would drop exactly the lines before that one.
        let span_line = self
            .line_starts()
            .partition_point(|&start| start <= span.offset())
            .saturating_sub(1);
        let base_line = span_line.saturating_sub(context_lines_before);
        let mut base = self
            .line_starts()
            .get(base_line)
            .copied()
            .unwrap_or(0)
            .min(text.len());
        let mut base_line = base_line;
        if span.is_empty() && span.offset() == base && base > 0 {
            // miette treats an empty span at offset 0 unlike one elsewhere (`offset + len - 1`
            // saturates); scan from the start then, as miette would (rare: empty spans are few).
            base = 0;
            base_line = 0;
        }
        let local = SourceSpan::new((span.offset().saturating_sub(base)).into(), span.len());
        let inner = text.get(base..).unwrap_or_default().read_span(
            &local,
            context_lines_before,
            context_lines_after,
        )?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.source.name.clone(),
            inner.data(),
            SourceSpan::new((inner.span().offset() + base).into(), inner.span().len()),
            inner.line() + base_line,
            inner.column(),
            inner.line_count() + base_line,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A finding deep in a long line is drawn from a window of it: miette pads the underline
    /// with a format width, which panics past 65,535 columns.
    #[test]
    fn long_lines_are_shown_as_a_window() {
        let text = format!("a: 1\nb: [{}!]\nc: 3\n", "x, ".repeat(100_000));
        let bang = text.find('!').unwrap();
        let source = Source::new("long.yaml", text);
        let finding = aksplan_model::finding::Finding::new(aksplan_model::codes::SYNTAX, "here")
            .at(aksplan_model::finding::Label::new(&source, bang..bang + 300_000));
        let shown = crate::render_human(&[finding], crate::HumanOptions::default());
        assert!(shown.contains("[long.yaml:2:300005]"), "{shown}");
        assert!(shown.len() < 2_000, "{} bytes shown", shown.len());
        assert!(shown.contains("x, !]"), "{shown}");
    }

    /// The renderer uses the source's own line index, not a copy of it (3 MiB for a
    /// 1,000-cluster plan).
    #[test]
    fn one_line_index_per_file() {
        let source = Source::new("t.yaml", "a: 1\r\nb: 2\rc: 3\n");
        let indexed = IndexedSource::new(Arc::clone(&source));
        assert_eq!(indexed.line_starts().as_ptr(), source.line_starts().as_ptr());
        assert_eq!(source.line_starts(), [0, 6, 11, 16]);
    }

    /// The indexed source answers exactly what miette's scan of the whole text answers.
    #[test]
    fn same_as_miettes_scan() {
        let texts = [
            "a: 1\nb: 2\nc:\n  d: 3\n  e: 4\nf: 5\n",
            "a: 1\r\nb: 2\r\nc: 3\r\nd: 4\r\n",
            "a\rb\rc\rd\r\ne\nf",
            "one line, no newline",
            "\n\n\nx\n\n",
            "",
        ];
        for text in texts {
            let indexed = IndexedSource::new(Source::new("f.yaml", text));
            for start in 0..=text.len() {
                for len in 0..=(text.len() - start).min(6) {
                    for (before, after) in [(0, 0), (1, 1), (2, 3), (5, 0)] {
                        let span = SourceSpan::new(start.into(), len);
                        let ours = indexed.read_span(&span, before, after);
                        let theirs = text.read_span(&span, before, after);
                        match (ours, theirs) {
                            (Ok(a), Ok(b)) => {
                                let got = (a.data(), *a.span(), a.line(), a.column(), a.line_count());
                                let want = (b.data(), *b.span(), b.line(), b.column(), b.line_count());
                                assert_eq!(got, want, "{text:?} {start}+{len} ({before},{after})");
                            }
                            (Err(_), Err(_)) => {}
                            (a, b) => panic!(
                                "{text:?} {start}+{len}: ours {:?}, miette {:?}",
                                a.is_ok(),
                                b.is_ok()
                            ),
                        }
                    }
                }
            }
        }
    }
}

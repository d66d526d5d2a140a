//! Checks shared by the fuzz targets in `fuzz_targets/`.
//!
//! Every target asserts more than "does not panic" where the stronger property is cheap: spans
//! that a report will later slice the source text with must lie inside it and on character
//! boundaries (a wrong one panics the renderer, or underlines the wrong thing), and every value
//! of a parsed document must have a span of its own. A failed assertion panics, which is how
//! libFuzzer learns of a bug.

pub mod plan_gen;

use std::ops::Range;

use aksplan_model::finding::{Finding, Label};
use aksplan_model::source::{Document, escape_pointer_segment};
use serde_json::Value;

/// Asserts that `span` can slice `text`: ordered, inside it, on character boundaries.
pub fn assert_span(text: &str, span: &Range<usize>, what: &dyn std::fmt::Display) {
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{what}: span {span:?} outside the text ({} bytes)",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{what}: span {span:?} splits a character"
    );
}

fn assert_label(label: &Label, finding: &Finding) {
    assert_span(
        &label.source.text,
        &label.span,
        &format_args!("label of {} `{}`", finding.code.id(), finding.message),
    );
}

/// Asserts that every label of every finding can be rendered.
pub fn assert_labels(findings: &[Finding]) {
    for finding in findings {
        for label in finding.primary.iter().chain(&finding.secondary) {
            assert_label(label, finding);
        }
    }
}

/// Every JSON pointer of `value`, the root (`""`) first.
pub fn pointers(value: &Value) -> Vec<String> {
    fn walk(value: &Value, pointer: String, out: &mut Vec<String>) {
        match value {
            Value::Array(items) => {
                out.push(pointer.clone());
                for (idx, item) in items.iter().enumerate() {
                    walk(item, format!("{pointer}/{idx}"), out);
                }
            }
            Value::Object(members) => {
                out.push(pointer.clone());
                for (key, item) in members {
                    walk(item, format!("{pointer}/{}", escape_pointer_segment(key)), out);
                }
            }
            _ => out.push(pointer),
        }
    }
    let mut out = Vec::new();
    walk(value, String::new(), &mut out);
    out
}

/// Asserts the source map of a parsed document: every value has its own span (not only an
/// ancestor's), and every value and key span can slice the source text.
pub fn assert_source_map(doc: &Document) {
    let text = &doc.source.text;
    let extents = doc.extents();
    for pointer in pointers(&doc.value) {
        assert!(
            doc.map.has_value(&pointer),
            "{} value `{pointer}` has no span of its own",
            doc.format
        );
        assert_span(
            text,
            &doc.map.value_span(&pointer),
            &format_args!("{} value `{pointer}`", doc.format),
        );
        assert_span(
            text,
            &doc.map.key_span(&pointer),
            &format_args!("{} key of `{pointer}`", doc.format),
        );
        // What cluster attribution slices with.
        assert_span(
            text,
            &extents.extent(&pointer),
            &format_args!("{} extent of `{pointer}`", doc.format),
        );
    }
}

/// For a JSON document: the value read through the YAML parser (for its spans) is the value
/// serde_json reads, and the text under each scalar's span is that scalar in JSON.
pub fn assert_json_agrees(doc: &Document) {
    let Ok(authority) = serde_json::from_str::<Value>(&doc.source.text) else {
        panic!("a JSON document was accepted that serde_json rejects");
    };
    assert_eq!(
        doc.value, authority,
        "the JSON document reads differently through the YAML parser"
    );
    for pointer in pointers(&doc.value) {
        let value = &doc.value.pointer(&pointer);
        if matches!(value, Some(Value::Array(_) | Value::Object(_))) {
            continue;
        }
        let raw = doc.raw_text(&pointer).unwrap_or_default();
        let reread: Option<Value> = serde_json::from_str(raw).ok();
        assert_eq!(
            reread.as_ref(),
            *value,
            "the span of `{pointer}` holds `{raw}`, not its value"
        );
    }
}

//! Plan loading for YAML, TOML and JSON: the first input byte picks the format, the rest is the
//! file.
//!
//! Properties: loading returns (never panics, never hangs); every value of a parsed document has
//! a span of its own, and every value, key and extent span lies inside the text on character
//! boundaries; for JSON, the value read through the YAML parser (which gives the spans) equals
//! serde_json's reading, and the text under each scalar's span is that scalar; every finding of
//! the whole loader (header, schema, model checks) has renderable labels.

#![no_main]

use std::path::Path;

use aksplan_fuzz::{assert_json_agrees, assert_labels, assert_source_map};
use aksplan_model::source::{Format, parse_document};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let (format, name) = match selector % 3 {
        0 => (Format::Yaml, "plan.yaml"),
        1 => (Format::Toml, "plan.toml"),
        _ => (Format::Json, "plan.json"),
    };
    match parse_document(name, bytes, format) {
        Ok(doc) => {
            assert_source_map(&doc);
            if format == Format::Json {
                assert_json_agrees(&doc);
            }
        }
        Err(finding) => assert_labels(&[finding]),
    }
    // The whole loader: header, schema, typed plan, model checks, current state. `currentFrom`
    // paths resolve under a directory that does not exist, so a plan cannot read local files.
    let loaded = aksplan_model::load_plan(name, bytes, format, Path::new("/nonexistent/aksplan-fuzz"));
    assert_labels(&loaded.findings);
});

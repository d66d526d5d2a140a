//! The one JUnit XML writer: `check --format junit` (a case per rule and cluster) and `aksplan
//! test --format junit` (a case per Rego test) build the same document model and this writes it,
//! with quick-xml doing the escaping and characters XML 1.0 cannot carry dropped.

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

/// The `<testsuites>` element.
pub struct Report {
    pub name: String,
    /// Totals over every suite, as attributes of `<testsuites>` (when given).
    pub totals: Option<Counts>,
    pub suites: Vec<Suite>,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    pub tests: usize,
    pub failures: usize,
    pub errors: usize,
    pub skipped: usize,
}

pub struct Suite {
    pub name: String,
    pub counts: Counts,
    pub cases: Vec<Case>,
}

pub struct Case {
    pub name: String,
    pub classname: String,
    pub file: String,
    pub line: Option<usize>,
    pub outcome: Outcome,
}

pub enum Outcome {
    Passed,
    Skipped {
        message: String,
    },
    /// A `<failure>` (or an `<error>` when `error` is true: the case could not run).
    Failed {
        error: bool,
        message: String,
        kind: String,
        body: String,
    },
}

/// Text for XML: characters XML 1.0 cannot carry are dropped (quick-xml escapes the markup).
pub fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\t' | '\n' | '\r' => out.push(c),
            c if c < ' ' || matches!(c, '\u{FFFE}' | '\u{FFFF}') => {}
            c => out.push(c),
        }
    }
    out
}

fn counted(element: &mut BytesStart<'_>, counts: Counts) {
    element.push_attribute(("tests", counts.tests.to_string().as_str()));
    element.push_attribute(("failures", counts.failures.to_string().as_str()));
    element.push_attribute(("errors", counts.errors.to_string().as_str()));
    element.push_attribute(("skipped", counts.skipped.to_string().as_str()));
}

/// The document, indented by two spaces, with a trailing newline.
pub fn write(report: &Report) -> String {
    let mut writer = quick_xml::Writer::new_with_indent(Vec::new(), b' ', 2);
    // Writing into a Vec cannot fail.
    let mut emit = |event: Event<'_>| {
        let _ = writer.write_event(event);
    };
    emit(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    let mut suites = BytesStart::new("testsuites");
    suites.push_attribute(("name", xml(&report.name).as_str()));
    if let Some(totals) = report.totals {
        counted(&mut suites, totals);
    }
    emit(Event::Start(suites));
    for suite in &report.suites {
        let mut element = BytesStart::new("testsuite");
        element.push_attribute(("name", xml(&suite.name).as_str()));
        counted(&mut element, suite.counts);
        emit(Event::Start(element));
        for case in &suite.cases {
            let mut element = BytesStart::new("testcase");
            element.push_attribute(("name", xml(&case.name).as_str()));
            element.push_attribute(("classname", xml(&case.classname).as_str()));
            element.push_attribute(("file", xml(&case.file).as_str()));
            if let Some(line) = case.line {
                element.push_attribute(("line", line.to_string().as_str()));
            }
            match &case.outcome {
                Outcome::Passed => emit(Event::Empty(element)),
                Outcome::Skipped { message } => {
                    emit(Event::Start(element));
                    let mut skipped = BytesStart::new("skipped");
                    skipped.push_attribute(("message", xml(message).as_str()));
                    emit(Event::Empty(skipped));
                    emit(Event::End(BytesEnd::new("testcase")));
                }
                Outcome::Failed {
                    error,
                    message,
                    kind,
                    body,
                } => {
                    let tag = if *error { "error" } else { "failure" };
                    emit(Event::Start(element));
                    let mut failure = BytesStart::new(tag);
                    failure.push_attribute(("message", xml(message).as_str()));
                    failure.push_attribute(("type", xml(kind).as_str()));
                    emit(Event::Start(failure));
                    emit(Event::Text(BytesText::new(&xml(body))));
                    emit(Event::End(BytesEnd::new(tag)));
                    emit(Event::End(BytesEnd::new("testcase")));
                }
            }
        }
        emit(Event::End(BytesEnd::new("testsuite")));
    }
    emit(Event::End(BytesEnd::new("testsuites")));
    let mut out = String::from_utf8(writer.into_inner()).unwrap_or_default();
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_drops_control_characters() {
        assert_eq!(xml("a<b & \"c\"\u{1}"), "a<b & \"c\"");
    }

    #[test]
    fn a_report_is_well_formed_and_escaped() {
        let report = Report {
            name: "n".into(),
            totals: Some(Counts {
                tests: 1,
                failures: 1,
                ..Counts::default()
            }),
            suites: vec![Suite {
                name: "s".into(),
                counts: Counts {
                    tests: 1,
                    failures: 1,
                    ..Counts::default()
                },
                cases: vec![Case {
                    name: "c <1>".into(),
                    classname: "k".into(),
                    file: "f".into(),
                    line: Some(3),
                    outcome: Outcome::Failed {
                        error: false,
                        message: "m & \u{1b}".into(),
                        kind: "fail".into(),
                        body: "b".into(),
                    },
                }],
            }],
        };
        let text = write(&report);
        assert!(
            text.contains(r#"<testcase name="c &lt;1&gt;" classname="k" file="f" line="3">"#),
            "{text}"
        );
        assert!(
            text.contains(r#"<failure message="m &amp; " type="fail">b</failure>"#),
            "{text}"
        );
    }
}

//! `aksplan test`: runs the policies' Rego unit tests (`aksplan_policy::testing`) and prints the
//! results as text, JSON or JUnit XML.
//!
//! Exit codes: 0 every test passed (and coverage reached `--threshold`), 1 a test failed or
//! coverage is below the threshold, 2 the tests could not run (a path that cannot be read, a
//! policy that does not parse, a test that crashed the evaluator or ran past its time limit).
//!
//! As with `check`'s policies (`policy.rs`), the tests run in a child process (`aksplan
//! __policy-test`): a test that recurses without end overflows the child's stack, and the parent
//! reports a coded error (AKS300) naming the test instead of crashing.

use std::fmt::Write as _;
use std::io::{IsTerminal, Read, Write};
use std::path::Path;

use aksplan_model::finding::Finding;
use aksplan_policy::testing::{self, Coverage, Outcome, Summary, TestRequest, TestResponse, TestResult};
use aksplan_policy::{PolicyError, PolicyErrorKind, PolicyFile};
use serde_json::{Value, json};

use crate::Invocation;
use crate::args::{PolicyArgs, TestArgs, TestFormat};
use crate::output::{ExitStatus, tool_errors, usage_error};

/// The child announces each test on stderr as `running <path>\t<file>\t<line>`.
const RUNNING: &str = "running ";

pub fn run(args: &TestArgs, inv: &Invocation) -> ExitStatus {
    let human = inv.human;
    if let Some(threshold) = args.threshold
        && !(0.0..=100.0).contains(&threshold)
    {
        return usage_error(&format!(
            "`--threshold {threshold}`: a percentage is between 0 and 100"
        ));
    }
    if let Some(pattern) = &args.run
        && let Err(err) = testing::check_filter(pattern)
    {
        return usage_error(&format!("`--run`: not a valid regular expression:\n{err}"));
    }
    let policy_args = PolicyArgs {
        policies: args.paths.clone(),
        ..PolicyArgs::default()
    };
    let policies = match crate::policy::files(&policy_args, Path::new(".")) {
        Ok(policies) => policies,
        Err(findings) => return tool_errors(&findings, human),
    };
    // Parsing is safe in this process; syntax errors point into the files.
    let tests = match testing::discover(&policies) {
        Ok(tests) => tests,
        Err(errors) => {
            return tool_errors(&aksplan_policy::errors_to_findings(&errors, &policies), human);
        }
    };
    let coverage = args.coverage || args.threshold.is_some();
    let request = TestRequest {
        policies: policies.clone(),
        run: args.run.clone(),
        coverage,
        timeout_ms: args.policy_timeout,
        memory_mib: args.policy_memory,
    };
    let response = match evaluate(&request, tests.len()) {
        Ok(response) => response,
        Err(error) => {
            return tool_errors(&to_findings(&[error], &policies), human);
        }
    };
    if !response.errors.is_empty() {
        return tool_errors(&to_findings(&response.errors, &policies), human);
    }
    let summary = Summary::of(&response.tests);
    let below = match (&response.coverage, args.threshold) {
        (Some(coverage), Some(threshold)) => coverage.percent() < threshold,
        _ => false,
    };
    let text = match args.format {
        TestFormat::Human => {
            let color = human.color && std::io::stdout().is_terminal();
            render_human(&response, args.threshold, color)
        }
        TestFormat::Json => render_json(&response, args.threshold),
        TestFormat::Junit => render_junit(&response.tests),
    };
    crate::output::write_stdout(&text);
    if response.tests.is_empty() {
        let paths: Vec<String> = args.paths.iter().map(|p| format!("`{}`", p.display())).collect();
        crate::output::write_stderr(&format!(
            "note: no `test_*` rules{} under {}\n",
            if args.run.is_some() {
                " matching `--run`"
            } else {
                ""
            },
            paths.join(", ")
        ));
    }
    if summary.failed > 0 || below {
        ExitStatus::Rejected
    } else {
        ExitStatus::Success
    }
}

/// AKS300 findings, with a hint for the failures only the parent sees.
fn to_findings(errors: &[PolicyError], policies: &[PolicyFile]) -> Vec<Finding> {
    aksplan_policy::errors_to_findings(errors, policies)
        .into_iter()
        .zip(errors)
        .map(|(finding, error)| match (error.kind, error.message.starts_with("the test runner")) {
            (PolicyErrorKind::Runtime, true) => finding.help(
                "a function that calls itself without end overflows the stack; OPA rejects such policies at compile time",
            ),
            _ => finding,
        })
        .collect()
}

/// The hidden child command: request on stdin, response on stdout, each test announced on
/// stderr before it runs.
pub fn child_main() -> ExitStatus {
    let mut text = String::new();
    if std::io::stdin().read_to_string(&mut text).is_err() {
        return ExitStatus::CouldNotRun;
    }
    let Ok(request) = serde_json::from_str::<TestRequest>(&text) else {
        return ExitStatus::CouldNotRun;
    };
    crate::sandbox::limit_memory(request.memory_mib);
    drop(text);
    let response = testing::run_request_with_progress(&request, &mut |test| {
        let mut stderr = std::io::stderr().lock();
        let _ = writeln!(stderr, "{RUNNING}{}\t{}\t{}", test.path(), test.file, test.line);
        let _ = stderr.flush();
    });
    crate::output::write_stdout(&serde_json::to_string(&response).unwrap_or_default());
    ExitStatus::Success
}

/// Runs the tests in a child process under the time and memory limits; any way the child can fail
/// becomes an error naming the test it was running, at the test's line.
fn evaluate(request: &TestRequest, tests: usize) -> Result<TestResponse, PolicyError> {
    let fail =
        |message: String, kind: PolicyErrorKind, running: Option<(String, String, usize)>| PolicyError {
            kind,
            message,
            rule: running.as_ref().map(|r| r.0.clone()),
            location: running.map(|(_, file, line)| (file, line, 1)),
        };
    // The interpreter's timer stops a test itself; the watch is the backstop for a builtin that
    // never returns to it.
    let watch = crate::sandbox::Watch::new("__policy-test", RUNNING, request.timeout_ms, tests + 1);
    let body = serde_json::to_vec(request).unwrap_or_default();
    let ended = crate::sandbox::run(watch, move |mut stdin| {
        let _ = stdin.write_all(&body);
    })
    .map_err(|err| {
        fail(
            format!("cannot start the test runner: {err}"),
            PolicyErrorKind::Runtime,
            None,
        )
    })?;
    let running = ended.last_announced(RUNNING).and_then(|line| {
        let mut parts = line.split('\t');
        let path = parts.next()?.to_owned();
        let file = parts.next()?.to_owned();
        let line = parts.next()?.parse().ok()?;
        Some((path, file, line))
    });
    match ended.status {
        None => Err(fail(
            "ran past the time limit and was stopped".to_owned(),
            PolicyErrorKind::Limit,
            running,
        )),
        Some(status) if status.success() => {
            serde_json::from_slice::<TestResponse>(&ended.stdout).map_err(|e| {
                fail(
                    format!("the test runner answered nonsense: {e}"),
                    PolicyErrorKind::Runtime,
                    None,
                )
            })
        }
        Some(_) if ended.out_of_memory() => Err(fail(
            crate::sandbox::memory_failure(request.memory_mib),
            PolicyErrorKind::Limit,
            running,
        )),
        Some(status) => {
            let how = match status.code() {
                Some(code) => format!("exited with code {code}"),
                None => "crashed".to_owned(),
            };
            Err(fail(
                format!("the test runner {how}"),
                PolicyErrorKind::Runtime,
                running,
            ))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Rendering

fn location(test: &TestResult) -> String {
    format!("{}:{}", test.test.file, test.test.line)
}

/// Why a test failed, in one line.
fn failure(test: &TestResult) -> String {
    match (&test.error, &test.value) {
        (Some(error), _) => format!("error: {error}"),
        (None, Some(value)) => format!("value: {value}"),
        (None, None) => "value: undefined".to_owned(),
    }
}

/// `1-3, 7`.
fn ranges(lines: &std::collections::BTreeSet<u32>) -> String {
    let mut parts: Vec<(u32, u32)> = Vec::new();
    for &line in lines {
        match parts.last_mut() {
            Some((_, end)) if *end + 1 == line => *end = line,
            _ => parts.push((line, line)),
        }
    }
    parts
        .iter()
        .map(|&(start, end)| {
            if start == end {
                start.to_string()
            } else {
                format!("{start}-{end}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn render_human(response: &TestResponse, threshold: Option<f64>, color: bool) -> String {
    let paint = |code: &str, text: &str| {
        if color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    };
    let mut out = String::new();
    for test in &response.tests {
        let label = match test.outcome {
            Outcome::Pass => paint("32", "PASS"),
            Outcome::Fail => paint("31;1", "FAIL"),
            Outcome::Skip => paint("33", "SKIP"),
        };
        let _ = writeln!(out, "{label} {} ({})", test.test.path(), location(test));
        if test.outcome == Outcome::Fail {
            let _ = writeln!(out, "     {}", failure(test));
        }
    }
    if let Some(coverage) = &response.coverage {
        render_coverage(&mut out, coverage, threshold);
    }
    if !out.is_empty() {
        out.push('\n');
    }
    let _ = writeln!(out, "{}", Summary::of(&response.tests));
    out
}

fn render_coverage(out: &mut String, coverage: &Coverage, threshold: Option<f64>) {
    let width = coverage
        .files
        .iter()
        .map(|f| f.path.chars().count())
        .chain(["total".len()])
        .max()
        .unwrap_or(0);
    let _ = writeln!(out, "\ncoverage (test files excluded):");
    for file in &coverage.files {
        let lines = file.covered.len() + file.not_covered.len();
        let _ = write!(
            out,
            "  {:<width$}  {:>9} lines  {:>5.1}%",
            file.path,
            format!("{}/{lines}", file.covered.len()),
            file.percent()
        );
        if !file.not_covered.is_empty() {
            let _ = write!(out, "  not covered: {}", ranges(&file.not_covered));
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "  {:<width$}  {:>9} lines  {:>5.1}%",
        "total",
        format!("{}/{}", coverage.covered_lines(), coverage.total_lines()),
        coverage.percent()
    );
    if let Some(threshold) = threshold {
        let verdict = if coverage.percent() < threshold {
            "is below"
        } else {
            "meets"
        };
        let _ = writeln!(
            out,
            "coverage {:.1}% {verdict} the threshold of {threshold}%",
            coverage.percent()
        );
    }
}

/// Percentages in JSON, to two decimals.
fn rounded(percent: f64) -> f64 {
    (percent * 100.0).round() / 100.0
}

fn render_json(response: &TestResponse, threshold: Option<f64>) -> String {
    let tests: Vec<Value> = response
        .tests
        .iter()
        .map(|test| {
            let mut item = json!({
                "name": test.test.name,
                "package": test.test.package,
                "file": test.test.file,
                "line": test.test.line,
                "result": match test.outcome {
                    Outcome::Pass => "pass",
                    Outcome::Fail => "fail",
                    Outcome::Skip => "skip",
                },
            });
            if let Some(value) = &test.value {
                item["value"] = value.clone();
            }
            if let Some(error) = &test.error {
                item["error"] = json!(error);
            }
            item
        })
        .collect();
    let mut document = json!({ "tests": tests });
    if let Some(coverage) = &response.coverage {
        let files: Vec<Value> = coverage
            .files
            .iter()
            .map(|file| {
                json!({
                    "path": file.path,
                    "covered": file.covered,
                    "notCovered": file.not_covered,
                    "percent": rounded(file.percent()),
                })
            })
            .collect();
        let mut total = json!({
            "files": files,
            "coveredLines": coverage.covered_lines(),
            "lines": coverage.total_lines(),
            "percent": rounded(coverage.percent()),
        });
        if let Some(threshold) = threshold {
            total["threshold"] = json!(threshold);
        }
        document["coverage"] = total;
    }
    let summary = Summary::of(&response.tests);
    document["summary"] = json!({
        "passed": summary.passed,
        "failed": summary.failed,
        "skipped": summary.skipped,
    });
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}

/// Text for XML: characters XML 1.0 cannot carry are dropped (quick-xml escapes the markup).
fn xml(text: &str) -> String {
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

/// JUnit XML: one `<testsuite>` per package (in order of first appearance), one `<testcase>` per
/// test; failures carry the reason as `message` and the location in their text. Written with
/// quick-xml, which does the escaping.
fn render_junit(tests: &[TestResult]) -> String {
    use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
    let mut packages: Vec<&str> = Vec::new();
    for test in tests {
        if !packages.contains(&test.test.package.as_str()) {
            packages.push(&test.test.package);
        }
    }
    let total = Summary::of(tests);
    let mut writer = quick_xml::Writer::new_with_indent(Vec::new(), b' ', 2);
    let _ = writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    let mut suites = BytesStart::new("testsuites");
    suites.push_attribute(("name", "aksplan test"));
    suites.push_attribute(("tests", tests.len().to_string().as_str()));
    suites.push_attribute(("failures", total.failed.to_string().as_str()));
    suites.push_attribute(("skipped", total.skipped.to_string().as_str()));
    suites.push_attribute(("errors", "0"));
    let _ = writer.write_event(Event::Start(suites));
    for package in packages {
        let cases: Vec<&TestResult> = tests.iter().filter(|t| t.test.package == package).collect();
        let summary = Summary::of(cases.iter().copied());
        let mut suite = BytesStart::new("testsuite");
        suite.push_attribute(("name", xml(package).as_str()));
        suite.push_attribute(("tests", cases.len().to_string().as_str()));
        suite.push_attribute(("failures", summary.failed.to_string().as_str()));
        suite.push_attribute(("skipped", summary.skipped.to_string().as_str()));
        suite.push_attribute(("errors", "0"));
        let _ = writer.write_event(Event::Start(suite));
        for test in cases {
            let mut case = BytesStart::new("testcase");
            case.push_attribute(("name", xml(&test.test.name).as_str()));
            case.push_attribute(("classname", xml(package).as_str()));
            case.push_attribute(("file", xml(&test.test.file).as_str()));
            case.push_attribute(("line", test.test.line.to_string().as_str()));
            match test.outcome {
                Outcome::Pass => {
                    let _ = writer.write_event(Event::Empty(case));
                }
                Outcome::Skip => {
                    let _ = writer.write_event(Event::Start(case));
                    let mut skipped = BytesStart::new("skipped");
                    skipped.push_attribute(("message", "todo"));
                    let _ = writer.write_event(Event::Empty(skipped));
                    let _ = writer.write_event(Event::End(BytesEnd::new("testcase")));
                }
                Outcome::Fail => {
                    let reason = failure(test);
                    let _ = writer.write_event(Event::Start(case));
                    let mut failure_tag = BytesStart::new("failure");
                    failure_tag.push_attribute(("message", xml(&reason).as_str()));
                    failure_tag.push_attribute(("type", "fail"));
                    let _ = writer.write_event(Event::Start(failure_tag));
                    let body = format!("{}: {} {}", location(test), test.test.path(), reason);
                    let _ = writer.write_event(Event::Text(BytesText::new(&xml(&body))));
                    let _ = writer.write_event(Event::End(BytesEnd::new("failure")));
                    let _ = writer.write_event(Event::End(BytesEnd::new("testcase")));
                }
            }
        }
        let _ = writer.write_event(Event::End(BytesEnd::new("testsuite")));
    }
    let _ = writer.write_event(Event::End(BytesEnd::new("testsuites")));
    let mut out = String::from_utf8(writer.into_inner()).unwrap_or_default();
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_collapse_runs() {
        let lines = [1, 2, 3, 7, 9, 10].into_iter().collect();
        assert_eq!(ranges(&lines), "1-3, 7, 9-10");
    }

    #[test]
    fn xml_drops_control_characters() {
        assert_eq!(xml("a<b & \"c\"\u{1}"), "a<b & \"c\"");
    }
}

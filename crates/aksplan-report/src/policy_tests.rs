//! What `aksplan test` prints: the results of the policies' Rego unit tests as text (as `opa
//! test` does), JSON or JUnit XML (through the one JUnit writer), with coverage on request.

use std::fmt::Write as _;

use aksplan_policy::testing::{Coverage, Outcome, Summary, TestResponse, TestResult};
use serde_json::{Value, json};

fn location(test: &TestResult) -> String {
    format!("{}:{}", test.test.file, test.test.line)
}

/// Why a test failed, in one line.
fn failure(test: &TestResult) -> String {
    match (&test.error, &test.value, &test.failed_expression) {
        (Some(error), _, _) => format!("error: {error}"),
        (None, Some(value), _) => format!("value: {value}"),
        (None, None, Some(failed)) => format!(
            "failed: `{}` at {}:{}:{}",
            failed.text, test.test.file, failed.line, failed.column
        ),
        (None, None, None) => "value: undefined".to_owned(),
    }
}

/// The operands of the expression that failed, one line each (`count(x) = 2`).
fn operands(test: &TestResult) -> Vec<String> {
    test.failed_expression
        .iter()
        .flat_map(|failed| &failed.operands)
        .filter(|(text, _)| failed_operand_is_not_literal(text))
        .map(|(text, value)| match value {
            Some(value) => format!("{text} = {value}"),
            None => format!("{text} is undefined"),
        })
        .collect()
}

/// `1`, `"x"`, `true`: an operand that is its own value says nothing more.
fn failed_operand_is_not_literal(text: &str) -> bool {
    serde_json::from_str::<Value>(text).is_err()
}

/// `850µs`, `12.3ms`, `1.20s`.
fn duration(micros: u64) -> String {
    match micros {
        0..1_000 => format!("{micros}µs"),
        1_000..1_000_000 => format!("{:.1}ms", micros as f64 / 1_000.0),
        _ => format!("{:.2}s", micros as f64 / 1_000_000.0),
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

/// One line per test (`PASS`, `FAIL`, `ERROR`, `SKIP`), the reason and the failing expression's
/// operands under a failure; with `verbose`, each test's time (as `opa test -v`).
pub fn render_human(response: &TestResponse, threshold: Option<f64>, color: bool, verbose: bool) -> String {
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
            Outcome::Error => paint("31;1", "ERROR"),
            Outcome::Skip => paint("33", "SKIP"),
        };
        let time = if verbose && test.outcome != Outcome::Skip {
            format!(" {}", duration(test.micros))
        } else {
            String::new()
        };
        let _ = writeln!(out, "{label} {} ({}){time}", test.test.path(), location(test));
        if matches!(test.outcome, Outcome::Fail | Outcome::Error) {
            let _ = writeln!(out, "     {}", failure(test));
            for operand in operands(test) {
                let _ = writeln!(out, "       {operand}");
            }
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

/// The results as one JSON document; `verbose` adds each test's time (`micros`), which differs
/// from run to run.
pub fn render_json(response: &TestResponse, threshold: Option<f64>, verbose: bool) -> String {
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
                    Outcome::Error => "error",
                    Outcome::Skip => "skip",
                },
            });
            if let Some(failed) = &test.failed_expression {
                item["failedExpression"] = json!({
                    "text": failed.text,
                    "line": failed.line,
                    "column": failed.column,
                    "operands": failed.operands.iter().map(|(text, value)| json!({
                        "text": text,
                        "value": value,
                    })).collect::<Vec<_>>(),
                });
            }
            if verbose && test.outcome != Outcome::Skip {
                item["micros"] = json!(test.micros);
            }
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
        "errors": summary.errors,
        "skipped": summary.skipped,
    });
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}

/// JUnit XML: one `<testsuite>` per package (in order of first appearance), one `<testcase>` per
/// test; failures carry the reason as `message` and the location in their text.
pub fn render_junit(tests: &[TestResult]) -> String {
    use crate::junit::{Case, Counts, Outcome as CaseOutcome, Report, Suite};
    let counts = |summary: &Summary, tests: usize| Counts {
        tests,
        failures: summary.failed,
        errors: summary.errors,
        skipped: summary.skipped,
    };
    let mut packages: Vec<&str> = Vec::new();
    for test in tests {
        if !packages.contains(&test.test.package.as_str()) {
            packages.push(&test.test.package);
        }
    }
    let suites = packages
        .into_iter()
        .map(|package| {
            let in_package: Vec<&TestResult> = tests.iter().filter(|t| t.test.package == package).collect();
            let summary = Summary::of(in_package.iter().copied());
            let cases = in_package
                .iter()
                .map(|test| Case {
                    name: test.test.name.clone(),
                    classname: package.to_owned(),
                    file: test.test.file.clone(),
                    line: Some(test.test.line as usize),
                    outcome: match test.outcome {
                        Outcome::Pass => CaseOutcome::Passed,
                        Outcome::Skip => CaseOutcome::Skipped {
                            message: "todo".to_owned(),
                        },
                        Outcome::Fail | Outcome::Error => {
                            let reason = failure(test);
                            let mut body = format!("{}: {} {}", location(test), test.test.path(), reason);
                            for operand in operands(test) {
                                body.push_str(&format!("\n  {operand}"));
                            }
                            let error = test.outcome == Outcome::Error;
                            CaseOutcome::Failed {
                                error,
                                body,
                                message: reason,
                                kind: if error { "error" } else { "fail" }.to_owned(),
                            }
                        }
                    },
                })
                .collect();
            Suite {
                name: package.to_owned(),
                counts: counts(&summary, in_package.len()),
                cases,
            }
        })
        .collect();
    crate::junit::write(&Report {
        name: "aksplan test".to_owned(),
        totals: Some(counts(&Summary::of(tests), tests.len())),
        suites,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_collapse_runs() {
        let lines = [1, 2, 3, 7, 9, 10].into_iter().collect();
        assert_eq!(ranges(&lines), "1-3, 7, 9-10");
    }
}

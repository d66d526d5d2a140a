//! `aksplan test`: OPA-style unit tests for Rego policies.
//!
//! Rules named `test_*` (in any package, usually in `*_test.rego` files) are tests; a test passes
//! when it evaluates to `true`, and fails on anything else (including undefined, or a runtime
//! error). Rules named `todo_*` are reported as skipped. Tests are evaluated with regorus'
//! interpreter (the RVM has no coverage and no `with`), optionally with coverage on; the
//! coverage of the policies themselves (test files excluded) is computed per line.
//!
//! As with `evaluate_request`, the CLI runs `run_request` in a child process: a test that calls
//! a function recursively without end overflows the stack, which must not take aksplan down.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use regorus::unstable::{Expr, Literal, Module, Query, Ref, Rule, RuleHead};
use serde::{Deserialize, Serialize};

use crate::{PolicyError, PolicyErrorKind, PolicyFile, engine_for, error};

/// What the child process is asked to do.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TestRequest {
    pub policies: Vec<PolicyFile>,
    /// Only tests whose `data.<package>.<name>` matches this regular expression.
    pub run: Option<String>,
    /// Gather coverage of the (non-test) policy files.
    pub coverage: bool,
    /// Wall-clock limit per test, in milliseconds (the interpreter's timer).
    pub timeout_ms: u64,
    /// Memory limit of the process that runs the tests, in MiB; 0 for none. Set by that process
    /// on itself (`aksplan __policy-test`), not by this crate.
    pub memory_mib: u64,
}

/// A test found in the policies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Discovered {
    /// `test_short_window_denied`.
    pub name: String,
    /// `data.aksplan.windows`.
    pub package: String,
    pub file: String,
    /// 1-based line of the rule.
    pub line: u32,
    /// A `todo_` rule: reported, never evaluated.
    pub todo: bool,
}

impl Discovered {
    /// `data.aksplan.windows.test_short_window_denied`.
    pub fn path(&self) -> String {
        format!("{}.{}", self.package, self.name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Pass,
    Fail,
    /// The test could not run to a verdict: a runtime error, a builtin the engine does not have
    /// or refuses (as `opa test` reports ERROR).
    Error,
    Skip,
}

/// The expression of a failing test's body that did not hold, with the values of its operands
/// (evaluated after the statements before it), as `opa test --var-values` shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FailedExpression {
    /// The expression as written.
    pub text: String,
    pub line: u32,
    pub column: u32,
    /// Each operand (`count(x)`, `1`) and its value (`None`: undefined).
    pub operands: Vec<(String, Option<serde_json::Value>)>,
}

/// The result of one test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestResult {
    #[serde(flatten)]
    pub test: Discovered,
    pub outcome: Outcome,
    /// The rule's value when the test failed with a value (absent when undefined).
    pub value: Option<serde_json::Value>,
    /// The runtime error (or time limit) that failed the test.
    pub error: Option<String>,
    /// For a failing test: the first statement of its body that did not hold.
    #[serde(default)]
    pub failed_expression: Option<FailedExpression>,
    /// How long the test took, in microseconds (shown by `--verbose`; not deterministic).
    #[serde(default)]
    pub micros: u64,
}

/// Line coverage of one policy file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileCoverage {
    pub path: String,
    pub covered: BTreeSet<u32>,
    pub not_covered: BTreeSet<u32>,
}

impl FileCoverage {
    /// Covered lines in percent (100 when the file has no evaluable line).
    pub fn percent(&self) -> f64 {
        percent(self.covered.len(), self.covered.len() + self.not_covered.len())
    }
}

/// Line coverage of the policy files (test files excluded), in file order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    pub files: Vec<FileCoverage>,
}

impl Coverage {
    pub fn covered_lines(&self) -> usize {
        self.files.iter().map(|f| f.covered.len()).sum()
    }

    pub fn total_lines(&self) -> usize {
        self.files
            .iter()
            .map(|f| f.covered.len() + f.not_covered.len())
            .sum()
    }

    /// Total covered lines in percent (100 when there is nothing to cover).
    pub fn percent(&self) -> f64 {
        percent(self.covered_lines(), self.total_lines())
    }
}

#[allow(clippy::cast_precision_loss)] // line counts are far below 2^52
fn percent(covered: usize, total: usize) -> f64 {
    if total == 0 {
        100.0
    } else {
        covered as f64 * 100.0 / total as f64
    }
}

/// Tests and coverage, or the errors that kept the tests from running.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TestResponse {
    pub tests: Vec<TestResult>,
    pub coverage: Option<Coverage>,
    pub errors: Vec<PolicyError>,
}

/// Passed, failed, errored and skipped tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub passed: usize,
    pub failed: usize,
    pub errors: usize,
    pub skipped: usize,
}

impl Summary {
    pub fn of<'a>(tests: impl IntoIterator<Item = &'a TestResult>) -> Self {
        let mut summary = Self::default();
        for test in tests {
            match test.outcome {
                Outcome::Pass => summary.passed += 1,
                Outcome::Fail => summary.failed += 1,
                Outcome::Error => summary.errors += 1,
                Outcome::Skip => summary.skipped += 1,
            }
        }
        summary
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} passed, {} failed", self.passed, self.failed)?;
        match self.errors {
            0 => {}
            1 => write!(f, ", 1 error")?,
            n => write!(f, ", {n} errors")?,
        }
        write!(f, ", {} skipped", self.skipped)
    }
}

/// Checks a `--run` pattern; the error is the regex crate's message.
pub fn check_filter(pattern: &str) -> Result<(), String> {
    regex::Regex::new(pattern).map(|_| ()).map_err(|e| e.to_string())
}

fn filter(pattern: Option<&str>) -> Result<Option<regex::Regex>, PolicyError> {
    pattern
        .map(regex::Regex::new)
        .transpose()
        .map_err(|err| PolicyError {
            kind: PolicyErrorKind::Runtime,
            message: format!("invalid `--run` pattern: {err}"),
            rule: None,
            location: None,
        })
}

/// A plain rule name (`test_x`), not a reference (`test_x.y`, `test_x["k"]`).
fn plain_name(refr: &Ref<Expr>) -> Option<String> {
    match refr.as_ref() {
        Expr::Var { span, .. } => Some(span.text().to_owned()),
        _ => None,
    }
}

/// The `test_*` and `todo_*` rules of the loaded modules, in file and line order, each once.
fn discover_in(engine: &mut regorus::Engine) -> Vec<Discovered> {
    let mut found: BTreeMap<String, Discovered> = BTreeMap::new();
    for module in engine.get_modules() {
        let package = format!("data.{}", module.package.refr.span().text());
        for rule in &module.policy {
            // Tests are complete rules (`test_x if { ... }`); functions and partial sets are not.
            let Rule::Spec {
                head: RuleHead::Compr { refr, .. },
                span,
                ..
            } = rule.as_ref()
            else {
                continue;
            };
            let Some(name) = plain_name(refr) else { continue };
            let todo = name.starts_with("todo_");
            if !todo && !name.starts_with("test_") {
                continue;
            }
            let test = Discovered {
                name,
                package: package.clone(),
                file: span.source.file().clone(),
                line: span.line,
                todo,
            };
            // A test with several bodies is one test, at its first definition.
            found.entry(test.path()).or_insert(test);
        }
    }
    let mut tests: Vec<Discovered> = found.into_values().collect();
    // Files in the order they were given, tests in line order within each.
    let order: BTreeMap<String, usize> = engine
        .get_modules()
        .iter()
        .enumerate()
        .map(|(i, m)| (m.package.span.source.file().clone(), i))
        .rev()
        .collect();
    tests.sort_by_key(|t| (order.get(&t.file).copied().unwrap_or(usize::MAX), t.line));
    tests
}

/// Parses the policies and lists their tests (all of them: `--run` applies when running).
/// Parsing is safe in-process; syntax errors come back at their file, line and column.
pub fn discover(policies: &[PolicyFile]) -> Result<Vec<Discovered>, Vec<PolicyError>> {
    let mut engine = engine_for(policies, &[])?;
    Ok(discover_in(&mut engine))
}

/// Is this a test file (excluded from coverage): named `*_test.rego`, or declaring tests?
pub fn is_test_file(path: &str, tests: &[Discovered]) -> bool {
    path.ends_with("_test.rego") || tests.iter().any(|t| t.file == path)
}

/// Runs the tests. Meant to run in a child process (see the module docs).
pub fn run_request(request: &TestRequest) -> TestResponse {
    run_request_with_progress(request, &mut |_| {})
}

/// As `run_request`, calling `progress(test)` before each test is evaluated, so that a parent
/// process can name the test that was running if this process dies.
pub fn run_request_with_progress(
    request: &TestRequest,
    progress: &mut dyn FnMut(&Discovered),
) -> TestResponse {
    let mut response = TestResponse::default();
    let pattern = match filter(request.run.as_deref()) {
        Ok(pattern) => pattern,
        Err(err) => {
            response.errors.push(err);
            return response;
        }
    };
    let mut engine = match engine_for(&request.policies, &[]) {
        Ok(engine) => engine,
        Err(errors) => {
            response.errors = errors;
            return response;
        }
    };
    let all = discover_in(&mut engine);
    engine.set_execution_timer_config(regorus::utils::limits::ExecutionTimerConfig {
        limit: Duration::from_millis(request.timeout_ms),
        check_interval: crate::TIMER_CHECK_INTERVAL,
    });
    if request.coverage {
        engine.set_enable_coverage(true);
    }
    for test in all
        .iter()
        .filter(|t| pattern.as_ref().is_none_or(|p| p.is_match(&t.path())))
    {
        if test.todo {
            response.tests.push(TestResult {
                test: test.clone(),
                outcome: Outcome::Skip,
                value: None,
                error: None,
                failed_expression: None,
                micros: 0,
            });
            continue;
        }
        progress(test);
        response
            .tests
            .push(run_one(&mut engine, test, request.timeout_ms));
    }
    if request.coverage {
        response.coverage = Some(coverage(&mut engine, &request.policies, &all));
    }
    response
}

fn run_one(engine: &mut regorus::Engine, test: &Discovered, timeout_ms: u64) -> TestResult {
    let path = test.path();
    let started = std::time::Instant::now();
    let evaluated = engine.eval_rule(path.clone());
    let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    let (outcome, value, error_text) = match evaluated {
        Ok(regorus::Value::Bool(true)) => (Outcome::Pass, None, None),
        Ok(regorus::Value::Undefined) => (Outcome::Fail, None, None),
        Ok(value) => (
            Outcome::Fail,
            Some(serde_json::to_value(&value).unwrap_or(serde_json::Value::Null)),
            None,
        ),
        Err(err) => {
            let err = error(PolicyErrorKind::Runtime, &err, Some(&path));
            let message = match (&err.location, err.kind) {
                (_, PolicyErrorKind::Limit) => format!("{} (`--policy-timeout`)", err.message),
                (Some((file, line, column)), _) => format!("{} at {file}:{line}:{column}", err.message),
                (None, _) => err.message.clone(),
            };
            // A limit is the test's own cost: a failure. Anything else kept it from a verdict.
            let outcome = if err.kind == PolicyErrorKind::Limit {
                Outcome::Fail
            } else {
                Outcome::Error
            };
            (outcome, None, Some(message))
        }
    };
    // Explaining costs a few more evaluations of the body's prefixes: only for a test that left
    // most of its time budget, so that a slow failing test is never stopped by its explanation.
    let cheap = micros.saturating_mul(8) < timeout_ms.saturating_mul(1_000);
    let failed_expression = (outcome == Outcome::Fail && error_text.is_none() && cheap)
        .then(|| explain(engine, test))
        .flatten();
    TestResult {
        test: test.clone(),
        outcome,
        value,
        error: error_text,
        failed_expression,
        micros,
    }
}

/// The first statement of a failing test's body that does not hold, found by evaluating growing
/// prefixes of the body as rules of a helper module in the test's package (on a copy of the
/// engine), and the values of that statement's operands after the statements before it.
fn explain(engine: &mut regorus::Engine, test: &Discovered) -> Option<FailedExpression> {
    let module = engine
        .get_modules()
        .iter()
        .find(|m| {
            format!("data.{}", m.package.refr.span().text()) == test.package
                && *m.package.span.source.file() == test.file
        })?
        .clone();
    let body = module.policy.iter().find_map(|rule| match rule.as_ref() {
        Rule::Spec {
            head: RuleHead::Compr { refr, .. },
            bodies,
            ..
        } if plain_name(refr).as_deref() == Some(test.name.as_str()) => {
            bodies.first().map(|b| b.query.clone())
        }
        _ => None,
    })?;
    let statements: Vec<String> = body.stmts.iter().map(|s| s.span.text().to_owned()).collect();
    let mut helper = format!("package {}\n\n", module.package.refr.span().text());
    for import in &module.imports {
        helper.push_str(import.span.text());
        helper.push('\n');
    }
    let prefix = |n: usize| {
        statements[..n]
            .iter()
            .map(|s| format!("\t{s}\n"))
            .collect::<String>()
    };
    for n in 1..=statements.len() {
        helper.push_str(&format!("\n__aksplan_holds_{n} if {{\n{}}}\n", prefix(n)));
    }
    let mut probe = engine.clone();
    probe
        .add_policy("<aksplan test: failing expression>".to_owned(), helper.clone())
        .ok()?;
    let package = &test.package;
    let failing = (1..=statements.len()).find(|n| {
        !matches!(
            probe.eval_rule(format!("{package}.__aksplan_holds_{n}")),
            Ok(regorus::Value::Bool(true))
        )
    })?;
    let stmt = &body.stmts[failing - 1];
    let operands: Vec<String> = match &stmt.literal {
        Literal::Expr { expr, .. } | Literal::NotExpr { expr, .. } => match expr.as_ref() {
            // `a == b` and `a = b` (unification): the two sides; `x := v`: the value (`x` is new).
            Expr::BoolExpr { lhs, rhs, .. }
            | Expr::AssignExpr {
                op: regorus::unstable::AssignOp::Eq,
                lhs,
                rhs,
                ..
            } => vec![lhs.span().text().to_owned(), rhs.span().text().to_owned()],
            Expr::AssignExpr { rhs, .. } => vec![rhs.span().text().to_owned()],
            other => vec![other.span().text().to_owned()],
        },
        _ => Vec::new(),
    };
    let mut values = Vec::new();
    if !operands.is_empty() {
        // The statement's `with` modifiers apply to its operands too.
        let with: String = stmt
            .with_mods
            .iter()
            .map(|w| format!(" {}", w.span.text()))
            .collect();
        for (i, operand) in operands.iter().enumerate() {
            helper.push_str(&format!(
                "\n__aksplan_operand_{i} := __aksplan_value if {{\n{}\t__aksplan_value := ({operand}){with}\n}}\n",
                prefix(failing - 1)
            ));
        }
        // An operand that is no expression of its own (an unbound variable) leaves the helper
        // unparsable: then the statement is named without its operands.
        let mut probe = engine.clone();
        if probe
            .add_policy("<aksplan test: operands>".to_owned(), helper)
            .is_ok()
        {
            for (i, operand) in operands.into_iter().enumerate() {
                let value = match probe.eval_rule(format!("{package}.__aksplan_operand_{i}")) {
                    Ok(regorus::Value::Undefined) | Err(_) => None,
                    Ok(value) => serde_json::to_value(&value).ok(),
                };
                values.push((operand, value));
            }
        }
    }
    Some(FailedExpression {
        text: stmt.span.text().to_owned(),
        line: stmt.span.line,
        column: stmt.span.col,
        operands: values,
    })
}

/// Coverage of every policy file that is not a test file. regorus reports only the files some
/// evaluated expression touched; a file no test reached has all its lines uncovered, computed
/// here the way regorus computes them.
fn coverage(engine: &mut regorus::Engine, policies: &[PolicyFile], tests: &[Discovered]) -> Coverage {
    let mut reported: BTreeMap<String, (BTreeSet<u32>, BTreeSet<u32>)> = engine
        .get_coverage_report()
        .map(|report| {
            report
                .files
                .into_iter()
                .map(|f| (f.path, (f.covered, f.not_covered)))
                .collect()
        })
        .unwrap_or_default();
    let mut files = Vec::new();
    for policy in policies {
        if is_test_file(&policy.path, tests) {
            continue;
        }
        let (covered, not_covered) = reported.remove(&policy.path).unwrap_or_else(|| {
            let mut lines = BTreeSet::new();
            for module in engine.get_modules() {
                if *module.package.span.source.file() == policy.path {
                    module_lines(module, &mut lines);
                }
            }
            (BTreeSet::new(), lines)
        });
        let not_covered = not_covered.difference(&covered).copied().collect();
        files.push(FileCoverage {
            path: policy.path.clone(),
            covered,
            not_covered,
        });
    }
    Coverage { files }
}

/// The lines regorus' coverage report considers in a module (`Interpreter::get_coverage_report`).
fn module_lines(module: &Ref<Module>, lines: &mut BTreeSet<u32>) {
    for rule in &module.policy {
        match rule.as_ref() {
            Rule::Spec { head, bodies, .. } => {
                match head {
                    RuleHead::Compr { assign, .. } | RuleHead::Func { assign, .. } => {
                        if let Some(assign) = assign {
                            expr_lines(&assign.value, lines);
                        }
                    }
                    RuleHead::Set { key, .. } => {
                        if let Some(key) = key {
                            expr_lines(key, lines);
                        }
                    }
                }
                for body in bodies {
                    query_lines(&body.query, lines);
                }
            }
            Rule::Default { value, .. } => expr_lines(value, lines),
        }
    }
}

fn query_lines(query: &Ref<Query>, lines: &mut BTreeSet<u32>) {
    for stmt in &query.stmts {
        match &stmt.literal {
            Literal::SomeVars { .. } => {}
            Literal::SomeIn {
                value, collection, ..
            } => {
                expr_lines(value, lines);
                expr_lines(collection, lines);
            }
            Literal::Expr { expr, .. } | Literal::NotExpr { expr, .. } => expr_lines(expr, lines),
            Literal::Every { domain, query, .. } => {
                expr_lines(domain, lines);
                query_lines(query, lines);
            }
        }
    }
}

fn expr_lines(expr: &Ref<Expr>, lines: &mut BTreeSet<u32>) {
    let children: Vec<&Ref<Expr>> = match expr.as_ref() {
        Expr::ArrayCompr { query, .. } | Expr::SetCompr { query, .. } | Expr::ObjectCompr { query, .. } => {
            query_lines(query, lines);
            return;
        }
        Expr::Array { items, .. } | Expr::Set { items, .. } => items.iter().collect(),
        Expr::Object { fields, .. } => fields.iter().flat_map(|(_, k, v)| [k, v]).collect(),
        Expr::Call { params, .. } => params.iter().collect(),
        Expr::UnaryExpr { expr, .. } => vec![expr],
        Expr::RefDot { refr, .. } => vec![refr],
        Expr::RefBrack { refr, index, .. } => vec![refr, index],
        Expr::BinExpr { lhs, rhs, .. }
        | Expr::BoolExpr { lhs, rhs, .. }
        | Expr::ArithExpr { lhs, rhs, .. }
        | Expr::AssignExpr { lhs, rhs, .. } => vec![lhs, rhs],
        Expr::Membership {
            key,
            value,
            collection,
            ..
        } => key.iter().chain([value, collection]).collect(),
        // Scalars and variables (and, with regorus' extensions, `or`, not enabled here).
        #[allow(unreachable_patterns)]
        _ => Vec::new(),
    };
    lines.insert(expr.span().line);
    for child in children {
        expr_lines(child, lines);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::tests::files;

    const POLICY: &str = r#"package aksplan.windows

import rego.v1

deny contains msg if {
	some w in input.windows
	w.hours < 4
	msg := sprintf("window %s is too short", [w.name])
}

warn contains "weekend" if {
	some w in input.windows
	w.day == "saturday"
}
"#;

    const TESTS: &str = r#"package aksplan.windows_test

import rego.v1

test_short_window_denied if {
	data.aksplan.windows.deny with input as {"windows": [{"name": "a", "hours": 2}]}
}

test_long_window_allowed if {
	count(data.aksplan.windows.deny) == 0 with input as {"windows": [{"name": "a", "hours": 8}]}
}

test_wrong if {
	count(data.aksplan.windows.deny) == 1 with input as {"windows": []}
}

test_value := 42

test_data if {
	data.limits.hours == 3 with data.limits as {"hours": 3}
}

todo_weekends if false
"#;

    fn request(run: Option<&str>, coverage: bool) -> TestRequest {
        TestRequest {
            policies: files(&[("windows.rego", POLICY), ("windows_test.rego", TESTS)]),
            run: run.map(str::to_owned),
            coverage,
            timeout_ms: 5_000,
            memory_mib: 0,
        }
    }

    fn outcomes(response: &TestResponse) -> Vec<(String, Outcome)> {
        response
            .tests
            .iter()
            .map(|t| (t.test.name.clone(), t.outcome))
            .collect()
    }

    #[test]
    fn discovers_tests_and_todos_in_line_order() {
        let tests = discover(&request(None, false).policies).unwrap();
        let names: Vec<(String, u32, bool)> = tests.iter().map(|t| (t.path(), t.line, t.todo)).collect();
        assert_eq!(
            names,
            [
                (
                    "data.aksplan.windows_test.test_short_window_denied".to_owned(),
                    5,
                    false
                ),
                (
                    "data.aksplan.windows_test.test_long_window_allowed".to_owned(),
                    9,
                    false
                ),
                ("data.aksplan.windows_test.test_wrong".to_owned(), 13, false),
                ("data.aksplan.windows_test.test_value".to_owned(), 17, false),
                ("data.aksplan.windows_test.test_data".to_owned(), 19, false),
                ("data.aksplan.windows_test.todo_weekends".to_owned(), 23, true),
            ]
        );
        assert!(tests.iter().all(|t| t.file == "windows_test.rego"));
    }

    #[test]
    fn true_passes_anything_else_fails_todo_skips() {
        let response = run_request(&request(None, false));
        assert!(response.errors.is_empty(), "{:?}", response.errors);
        assert_eq!(
            outcomes(&response),
            [
                ("test_short_window_denied".to_owned(), Outcome::Pass),
                ("test_long_window_allowed".to_owned(), Outcome::Pass),
                ("test_wrong".to_owned(), Outcome::Fail),
                ("test_value".to_owned(), Outcome::Fail),
                ("test_data".to_owned(), Outcome::Pass),
                ("todo_weekends".to_owned(), Outcome::Skip),
            ]
        );
        assert_eq!(response.tests[2].value, None, "undefined has no value");
        assert_eq!(response.tests[3].value, Some(serde_json::json!(42)));
        assert_eq!(
            Summary::of(&response.tests).to_string(),
            "3 passed, 2 failed, 1 skipped"
        );
        assert!(response.coverage.is_none());
    }

    #[test]
    fn run_filters_on_the_full_path() {
        let response = run_request(&request(Some(r"windows_test\.test_.*window"), false));
        assert_eq!(
            outcomes(&response),
            [
                ("test_short_window_denied".to_owned(), Outcome::Pass),
                ("test_long_window_allowed".to_owned(), Outcome::Pass),
            ]
        );
        assert!(check_filter("(").is_err());
        let bad = run_request(&request(Some("("), false));
        assert_eq!(bad.errors.len(), 1);
    }

    #[test]
    fn coverage_excludes_test_files_and_counts_lines() {
        let response = run_request(&request(Some("test_short"), true));
        let coverage = response.coverage.unwrap();
        assert_eq!(coverage.files.len(), 1);
        let file = &coverage.files[0];
        assert_eq!(file.path, "windows.rego");
        // `deny` ran; `warn` did not.
        assert!(
            file.covered.is_superset(&BTreeSet::from([5, 6, 7, 8])),
            "{file:?}"
        );
        assert!(
            file.not_covered.is_superset(&BTreeSet::from([12, 13])),
            "{file:?}"
        );
        assert!(file.covered.is_disjoint(&file.not_covered));
        assert!(coverage.percent() > 50.0 && coverage.percent() < 100.0);
    }

    #[test]
    fn a_file_no_test_reaches_is_wholly_uncovered() {
        let mut req = request(Some("test_short"), true);
        req.policies.push(PolicyFile {
            path: "other.rego".into(),
            text: "package aksplan.other\n\nimport rego.v1\n\ndeny contains \"x\" if {\n\tinput.a == 1\n\tinput.b == 2\n}\n".into(),
        });
        let coverage = run_request(&req).coverage.unwrap();
        let other = coverage.files.iter().find(|f| f.path == "other.rego").unwrap();
        assert!(other.covered.is_empty());
        assert_eq!(other.not_covered, BTreeSet::from([5, 6, 7]));
        assert!(other.percent().abs() < f64::EPSILON);
    }

    #[test]
    fn the_line_walk_matches_regorus_on_a_fully_evaluated_file() {
        let mut req = request(None, true);
        req.policies[1].text.push_str(
            "\ntest_weekend if {\n\tdata.aksplan.windows.warn with input as {\"windows\": [{\"day\": \"saturday\"}]}\n}\n",
        );
        let coverage = run_request(&req).coverage.unwrap();
        let file = &coverage.files[0];
        let reported: BTreeSet<u32> = file.covered.union(&file.not_covered).copied().collect();
        let mut engine = engine_for(&req.policies[..1], &[]).unwrap();
        let mut walked = BTreeSet::new();
        for module in engine.get_modules() {
            module_lines(module, &mut walked);
        }
        assert_eq!(walked, reported);
        assert!(file.not_covered.is_empty(), "{file:?}");
    }

    /// Runs every test of the policies, without coverage, with a 5 s limit.
    fn run_all(policies: Vec<PolicyFile>) -> TestResponse {
        run_request(&TestRequest {
            policies,
            run: None,
            coverage: false,
            timeout_ms: 5_000,
            memory_mib: 0,
        })
    }

    #[test]
    fn a_runtime_error_is_an_error_with_its_message_not_a_failure() {
        let policies = files(&[(
            "e_test.rego",
            "package e\n\nimport rego.v1\n\ntest_boom if {\n\tto_number(\"x\") == 1\n}\n",
        )]);
        let response = run_all(policies);
        assert_eq!(response.tests.len(), 1);
        assert_eq!(response.tests[0].outcome, Outcome::Error);
        assert!(response.tests[0].error.is_some(), "{:?}", response.tests[0]);
        assert_eq!(
            response.tests[0].failed_expression, None,
            "an error has no failed expression"
        );
    }

    #[test]
    fn a_failing_test_names_the_statement_that_did_not_hold_and_its_operands() {
        let policies = files(&[(
            "f_test.rego",
            "package f\n\nimport rego.v1\n\nxs := [1, 2]\n\ntest_count if {\n\tsome x in xs\n\tx > 0\n\tcount(xs) == 3\n}\n",
        )]);
        let response = run_all(policies);
        let failed = response.tests[0].failed_expression.clone().unwrap();
        // regorus counts the leading tab as four columns.
        assert_eq!(
            (failed.text.as_str(), failed.line, failed.column),
            ("count(xs) == 3", 10, 5)
        );
        assert_eq!(
            failed.operands,
            [
                ("count(xs)".to_owned(), Some(serde_json::json!(2))),
                ("3".to_owned(), Some(serde_json::json!(3)))
            ]
        );
    }

    #[test]
    fn syntax_errors_stop_discovery() {
        let errors =
            discover(&files(&[("bad_test.rego", "package x\n\ntest_a {\n  true\n}\n")])).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].kind, PolicyErrorKind::Syntax);
        assert_eq!(
            errors[0].location.as_ref().map(|l| (l.0.as_str(), l.1)),
            Some(("bad_test.rego", 3))
        );
    }
}

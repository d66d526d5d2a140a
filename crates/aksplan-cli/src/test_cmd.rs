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

use std::io::{IsTerminal, Read, Write};
use std::path::Path;

use aksplan_model::finding::Finding;
use aksplan_policy::testing::{self, Summary, TestRequest, TestResponse};
use aksplan_policy::{PolicyError, PolicyErrorKind, PolicyFile};

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
            aksplan_report::policy_tests::render_human(&response, args.threshold, color, args.verbose)
        }
        TestFormat::Json => {
            aksplan_report::policy_tests::render_json(&response, args.threshold, args.verbose)
        }
        TestFormat::Junit => aksplan_report::policy_tests::render_junit(&response.tests),
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
    // A test that errored (a builtin the engine lacks or refuses, a runtime error) gave no
    // verdict: exit 2, as `check` does for a policy that cannot be evaluated.
    if summary.errors > 0 {
        ExitStatus::CouldNotRun
    } else if summary.failed > 0 || below {
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

/// The hidden argument that makes this binary the policy test runner (`main` checks it first).
pub const CHILD: &str = "__policy-test";

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
    // One line: the parent takes a whole line as the answer, without waiting for the exit.
    crate::output::write_stdout(&(serde_json::to_string(&response).unwrap_or_default() + "\n"));
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
    let watch = crate::sandbox::Watch::new(CHILD, RUNNING, request.timeout_ms, tests + 1);
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
    let running = ended.blamed().and_then(|line| {
        let mut parts = line.split('\t');
        let path = parts.next()?.to_owned();
        let file = parts.next()?.to_owned();
        let line = parts.next()?.parse().ok()?;
        Some((path, file, line))
    });
    match ended.end {
        crate::sandbox::End::Stopped => Err(fail(
            "ran past the time limit and was stopped".to_owned(),
            PolicyErrorKind::Limit,
            running,
        )),
        crate::sandbox::End::Answered => serde_json::from_slice::<TestResponse>(&ended.stdout).map_err(|e| {
            fail(
                format!("the test runner answered nonsense: {e}"),
                PolicyErrorKind::Runtime,
                None,
            )
        }),
        crate::sandbox::End::Exited(status) if status.success() => Err(fail(
            "the test runner exited without answering".to_owned(),
            PolicyErrorKind::Runtime,
            running,
        )),
        crate::sandbox::End::Exited(_) if ended.out_of_memory() => Err(fail(
            crate::sandbox::memory_failure(request.memory_mib),
            PolicyErrorKind::Limit,
            running,
        )),
        crate::sandbox::End::Exited(status) => {
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

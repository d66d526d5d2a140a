//! Running the team's policies: finding the files, building the input document, and evaluating
//! in a child process.
//!
//! The child is this same binary (`aksplan __policy-eval`): a policy that overflows the stack
//! (a recursive function, which regorus does not reject the way OPA does) or runs away inside a
//! builtin kills the child, not aksplan; the parent names the rule that was running (the child
//! announces each rule on stderr) and reports a coded error.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aksplan_model::finding::Finding;
use aksplan_policy::{Limits, PolicyFile, Request, Response};

use crate::args::PolicyArgs;

/// `--policy builtin`: the starter pack (`policies/aksplan/`, without its tests), embedded at
/// compile time so that it works without the repository. A folder named `builtin` is `./builtin`.
pub const BUILTIN_NAME: &str = "builtin";

/// `("policies/aksplan/NAME.rego", <its text>)`.
macro_rules! builtin {
    ($name:literal) => {
        (
            concat!("policies/aksplan/", $name, ".rego"),
            include_str!(concat!("../../../policies/aksplan/", $name, ".rego")),
        )
    };
}

/// The starter pack's policy files, as `(path shown in findings, text)`.
pub const BUILTIN: &[(&str, &str)] = &[
    builtin!("change_metadata"),
    builtin!("change_window_length"),
    builtin!("end_of_support"),
    builtin!("max_surge"),
    builtin!("no_preview"),
    builtin!("prod_soak"),
    builtin!("steps_in_windows"),
    builtin!("system_pools_first"),
    builtin!("waivers"),
    builtin!("windows_own_wave"),
];

/// The policy files to use: `--policy` paths, else `policies/` beside the plan when present.
pub fn files(args: &PolicyArgs, plan_base: &Path) -> Result<Vec<PolicyFile>, Vec<Finding>> {
    if args.no_policy {
        return Ok(Vec::new());
    }
    let paths: Vec<PathBuf> = if args.policies.is_empty() {
        let beside = plan_base.join("policies");
        if beside.is_dir() { vec![beside] } else { Vec::new() }
    } else {
        args.policies.clone()
    };
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        if path.as_os_str() == BUILTIN_NAME {
            files.extend(BUILTIN.iter().map(|(path, text)| PolicyFile {
                path: (*path).to_owned(),
                text: (*text).to_owned(),
            }));
            continue;
        }
        // Folders are walked without following a link back into themselves.
        let found = match crate::inputs::collect(&path, &["rego"]) {
            Ok(found) => found,
            Err(finding) => {
                errors.push(finding);
                continue;
            }
        };
        for file in found {
            let name = file.to_string_lossy().into_owned();
            // Read as plans are: the input limit, regular files only, UTF-8 (a Latin-1 byte is
            // placed where it is) without a byte-order mark (regorus would reject one).
            match crate::inputs::read(&file).and_then(|bytes| aksplan_model::source::decode(&name, &bytes)) {
                Ok(source) => files.push(PolicyFile {
                    path: name,
                    text: source.text.clone(),
                }),
                Err(finding) => errors.push(unusable(finding)),
            }
        }
    }
    if errors.is_empty() { Ok(files) } else { Err(errors) }
}

/// A policy or data file that cannot be used stops the run as a policy that does not parse
/// does (AKS300, exit 2): it says nothing about the plan.
fn unusable(finding: Finding) -> Finding {
    crate::inputs::as_tool_error(finding, aksplan_policy::POLICY_ERROR)
}

/// Extra `--data` documents (JSON or YAML).
pub fn data(args: &PolicyArgs) -> Result<Vec<serde_json::Value>, Vec<Finding>> {
    let mut documents = Vec::new();
    for path in &args.data {
        let name = path.to_string_lossy().into_owned();
        let bytes = crate::inputs::read(path).map_err(|f| vec![unusable(f)])?;
        let format =
            aksplan_model::source::Format::from_path(&name).unwrap_or(aksplan_model::source::Format::Yaml);
        let doc =
            aksplan_model::source::parse_document(&name, &bytes, format).map_err(|f| vec![unusable(f)])?;
        documents.push(doc.value);
    }
    Ok(documents)
}

/// The hidden child command: request on stdin, response on stdout, each rule announced on
/// stderr before it runs.
pub fn child_main() -> std::process::ExitCode {
    let mut text = Vec::new();
    if std::io::stdin().read_to_end(&mut text).is_err() {
        return std::process::ExitCode::from(2);
    }
    let Ok(request) = serde_json::from_slice::<aksplan_policy::EvalRequest>(&text) else {
        return std::process::ExitCode::from(2);
    };
    limit_memory(request.limits.memory_mib);
    drop(text);
    let response = aksplan_policy::evaluate_eval_request(&request, &mut |rule| {
        let mut stderr = std::io::stderr().lock();
        let _ = writeln!(stderr, "evaluating {rule}");
        let _ = stderr.flush();
    });
    crate::write_stdout(&serde_json::to_string(&response).unwrap_or_default());
    // The process ends here: freeing the input document node by node would cost as much as
    // evaluating a policy on it (0.7 s of 3.8 s at 1,000 clusters). The OS takes it back whole.
    std::mem::forget(request);
    std::process::ExitCode::SUCCESS
}

/// Caps this process (the policy evaluator) at `mib` MiB, 0 for no cap. Past it an allocation
/// fails, and the process aborts with Rust's "memory allocation of N bytes failed", which the
/// parent reports as the memory limit. On Unix the data segment is capped (`RLIMIT_DATA`: the heap
/// and private writable mappings), not the address space, so that address space reserved but not
/// used does not count; the request already read counts. The hard limit is left as it is.
fn limit_memory(mib: u64) {
    if mib == 0 {
        return;
    }
    #[cfg(unix)]
    {
        let resource = rlimit::Resource::DATA;
        if let Ok((_, hard)) = resource.get() {
            let _ = resource.set(mib.saturating_mul(1024 * 1024).min(hard), hard);
        }
    }
}

/// How long past its time limit one rule may run before the parent stops the child (the VM
/// stops it itself when it can; the grace covers a builtin finishing and the report).
const RULE_GRACE_MS: u64 = 1_000;

/// The line Rust's allocator prints before it aborts the process.
const OUT_OF_MEMORY: &str = "memory allocation of ";

/// Evaluates in a child process with a hard deadline; any way the child can fail becomes a
/// coded finding naming the rule it was running.
pub fn evaluate(
    policies: Vec<PolicyFile>,
    data: Vec<serde_json::Value>,
    input: serde_json::Value,
    args: &PolicyArgs,
) -> Result<Response, Finding> {
    let limits = Limits {
        instructions: args.policy_instructions,
        time_ms: args.policy_timeout,
        memory_mib: args.policy_memory,
    };
    let rules_budget = policies
        .iter()
        .map(|p| p.text.matches(" contains ").count() + p.text.matches(" if ").count() + 1)
        .sum::<usize>();
    // Each rule has its own time limit; the whole child gets them all, plus start-up slack.
    let deadline = Duration::from_millis(
        limits
            .time_ms
            .saturating_mul(rules_budget.max(1) as u64)
            .saturating_add(2_000),
    );
    // Kept to place a failure the evaluator could not report itself (a rule stopped or crashed).
    let policy_files = policies.clone();
    let request = Request {
        policies,
        data,
        input,
        limits,
    };
    let fail = |message: String| Finding::new(aksplan_policy::POLICY_ERROR, message);
    let exe =
        std::env::current_exe().map_err(|err| fail(format!("cannot start the policy evaluator: {err}")))?;
    let mut child = Command::new(exe)
        .arg("__policy-eval")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|err| fail(format!("cannot start the policy evaluator: {err}")))?;
    if let Some(stdin) = child.stdin.take() {
        // Streamed, not built in memory first (the request of a 1,000-cluster plan is ~30 MB).
        // A write error means the child died early; its status says why.
        let mut stdin = std::io::BufWriter::with_capacity(1 << 16, stdin);
        let _ = serde_json::to_writer(&mut stdin, &request);
        let _ = stdin.flush();
    }
    // Freeing the ~30 MB input document takes a few hundred ms at 1,000 clusters; do it beside
    // the child's evaluation, not in front of the rest of the pipeline.
    std::thread::spawn(move || drop(request));
    let mut stdout = child.stdout.take();
    let stderr = child.stderr.take();
    // The child's stdout reaches its end when the child exits: the reader says so at once, so
    // the wait below wakes on completion instead of on its next poll.
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    let out_reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        if let Some(s) = stdout.as_mut() {
            let _ = s.read_to_end(&mut out);
        }
        let _ = done_tx.send(());
        out
    });
    // Stderr is read as it comes, on its own thread: the child announces each rule there, and
    // the time since the last announcement is how long the current rule has run. (Read after
    // stdout instead, a child announcing many rules would also fill the pipe and stall.)
    let started = Instant::now();
    let current = Arc::new(Mutex::new(None::<Instant>));
    let err_reader = {
        let current = Arc::clone(&current);
        std::thread::spawn(move || {
            let mut err = Vec::new();
            if let Some(s) = stderr {
                for line in std::io::BufRead::split(std::io::BufReader::new(s), b'\n').map_while(Result::ok) {
                    if line.starts_with(b"evaluating ")
                        && let Ok(mut since) = current.lock()
                    {
                        *since = Some(Instant::now());
                    }
                    err.extend_from_slice(&line);
                    err.push(b'\n');
                }
            }
            err
        })
    };
    // A rule is stopped by the VM's own timer when it runs past `time_ms`; this is the backstop
    // for a builtin that never returns to the VM (`numbers.range` over a billion numbers, say),
    // which would otherwise run until the whole child's deadline.
    let per_rule = Duration::from_millis(limits.time_ms.saturating_add(RULE_GRACE_MS));
    let mut finished = false;
    let status = loop {
        let rule_overran = current
            .lock()
            .ok()
            .and_then(|since| *since)
            .is_some_and(|since| since.elapsed() > per_rule);
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if rule_overran || started.elapsed() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            // Woken at once when the child's output ends (it is exiting), else every 5 ms to
            // check the limits.
            Ok(None) if finished => std::thread::sleep(Duration::from_micros(100)),
            Ok(None) => {
                finished = done_rx.recv_timeout(Duration::from_millis(5)).is_ok();
            }
            Err(_) => break None,
        }
    };
    let out = out_reader.join().unwrap_or_default();
    let err = err_reader.join().unwrap_or_default();
    let running = String::from_utf8_lossy(&err)
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("evaluating ").map(str::to_owned));
    let last_rule = running
        .clone()
        .unwrap_or_else(|| "(loading the policies)".to_owned());
    let place = running
        .as_deref()
        .and_then(|rule| aksplan_policy::rule_location(&policy_files, rule))
        .and_then(|(file, line, column)| {
            let policy = policy_files.iter().find(|p| p.path == file)?;
            let source = aksplan_model::finding::Source::new(file, policy.text.clone());
            let offset = source.offset_of(line, column);
            Some(aksplan_model::finding::Label::new(&source, offset..offset))
        });
    // What ran out of memory: a rule, or the evaluator before any rule (the input document).
    let subject = running.map_or_else(
        || "the policy evaluator, loading the policies and their input,".to_owned(),
        |rule| format!("policy rule `{rule}`"),
    );
    let at_rule = |finding: Finding| match &place {
        Some(label) if finding.primary.is_none() => finding.at(label.clone()),
        _ => finding,
    };
    let outcome = match status {
        None => Err(fail(format!(
            "policy rule `{last_rule}` ran past the time limit and was stopped"
        ))
        .help("raise `--policy-timeout` if the policy is meant to be this expensive")),
        Some(status) if status.success() => serde_json::from_slice::<Response>(&out)
            .map_err(|e| fail(format!("the policy evaluator answered nonsense: {e}"))),
        Some(_) if String::from_utf8_lossy(&err).contains(OUT_OF_MEMORY) => Err(if limits.memory_mib > 0 {
            fail(format!(
                "{subject} ran past the memory limit ({} MiB) and was stopped",
                limits.memory_mib
            ))
            .help("raise `--policy-memory` (MiB for the policy evaluator) if the policy is meant to need this much memory")
        } else {
            fail(format!("{subject} ran out of memory")).help(
                "set `--policy-memory` (MiB) to stop such a policy before the machine runs out of memory",
            )
        }),
        Some(status) => {
            let how = match status.code() {
                Some(code) => format!("exited with code {code}"),
                None => "crashed".to_owned(),
            };
            Err(fail(format!("the policy evaluator {how} while evaluating `{last_rule}`"))
                .help("a function that calls itself without end overflows the stack; OPA rejects such policies at compile time"))
        }
    };
    outcome.map_err(at_rule)
}

/// Runs the policies for a plan: findings on the plan's lines, or a coded error.
pub fn run(
    args: &PolicyArgs,
    plan_base: &Path,
    ctx: &aksplan_rules::Context<'_>,
    compiled: Option<(&aksplan_graph::Compiled, &aksplan_graph::schedule::Schedule)>,
) -> Vec<Finding> {
    let policies = match files(args, plan_base) {
        Ok(policies) if policies.is_empty() => return Vec::new(),
        Ok(policies) => policies,
        Err(errors) => return errors,
    };
    // Syntax first, in this process: parsing cannot recurse without end, and the findings point
    // into the policy files.
    let syntax = aksplan_policy::check_syntax(&policies);
    if !syntax.is_empty() {
        return aksplan_policy::errors_to_findings(&syntax, &policies);
    }
    let data = match data(args) {
        Ok(data) => data,
        Err(errors) => return errors,
    };
    let input = aksplan_policy::input::document(ctx, compiled);
    match evaluate(policies.clone(), data, input, args) {
        Ok(response) => {
            let mut findings = aksplan_policy::errors_to_findings(&response.errors, &policies);
            findings.extend(aksplan_policy::results_to_findings(&response.results, ctx.doc));
            findings
        }
        Err(finding) => vec![finding],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `BUILTIN` names every policy of the starter pack (and no test).
    #[test]
    fn builtin_lists_the_starter_pack() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies/aksplan");
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".rego") && !name.ends_with("_test.rego"))
            .map(|name| format!("policies/aksplan/{name}"))
            .collect();
        on_disk.sort();
        let builtin: Vec<String> = BUILTIN.iter().map(|(path, _)| (*path).to_owned()).collect();
        assert_eq!(builtin, on_disk);
    }
}

//! Running the team's policies: finding the files, building the input document, and evaluating
//! in a child process.
//!
//! The child is this same binary (`aksplan __policy-eval`): a policy that overflows the stack
//! (a recursive function, which regorus does not reject the way OPA does) or runs away inside a
//! builtin kills the child, not aksplan; the parent names the rule that was running (the child
//! announces each rule on stderr) and reports a coded error.

use std::borrow::Cow;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use aksplan_model::finding::Finding;
use aksplan_policy::{Limits, PolicyFile, Prelude, Response};

use crate::args::PolicyArgs;
use crate::output::ExitStatus;
use crate::sandbox::End;

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
        let found = match aksplan_pipeline::inputs::collect(&path, &["rego"]) {
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
            match aksplan_pipeline::inputs::read(&file)
                .and_then(|bytes| aksplan_model::source::decode(&name, bytes))
            {
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
    aksplan_pipeline::inputs::as_tool_error(finding, aksplan_model::codes::POLICY_ERROR)
}

/// Extra `--data` documents (JSON or YAML).
pub fn data(args: &PolicyArgs) -> Result<Vec<serde_json::Value>, Vec<Finding>> {
    let mut documents = Vec::new();
    for path in &args.data {
        let name = path.to_string_lossy().into_owned();
        let bytes = aksplan_pipeline::inputs::read(path).map_err(|f| vec![unusable(f)])?;
        let format =
            aksplan_model::source::Format::from_path(&name).unwrap_or(aksplan_model::source::Format::Yaml);
        let doc =
            aksplan_model::source::parse_document(&name, bytes, format).map_err(|f| vec![unusable(f)])?;
        documents.push(doc.value);
    }
    Ok(documents)
}

/// The hidden child command. Its stdin holds two JSON documents: the [`Prelude`] (policies,
/// data, limits) on the first line, which it parses and compiles at once, then the input document
/// once the parent has built it. Response on stdout; each rule announced on stderr before it runs.
pub fn child_main() -> ExitStatus {
    let failed = ExitStatus::CouldNotRun;
    let mut stdin = std::io::stdin().lock();
    let mut line = Vec::new();
    if stdin.read_until(b'\n', &mut line).is_err() {
        return failed;
    }
    let Ok(prelude) = serde_json::from_slice::<Prelude<'_>>(&line) else {
        return failed;
    };
    drop(line);
    let entry = prelude
        .cache_dir
        .as_deref()
        .map(|dir| crate::policy_cache::entry(dir, &prelude.policies));
    let cached = entry.as_deref().and_then(crate::policy_cache::read);
    let (mut prepared, used) =
        aksplan_policy::prepare_cached(&prelude.policies, &prelude.data, cached.as_deref());
    // The input is aksplan's document: a policy that reads what it never has is refused (AKS302).
    prepared.check_reads();
    drop(cached);
    if let (Some(entry), aksplan_policy::CacheUse::Compiled) = (&entry, used)
        && let Some(bytes) = prepared.program_bytes()
    {
        crate::policy_cache::write(entry, &bytes);
    }
    // Straight into the engine's values, never through a `serde_json::Value` (half the parse
    // time and memory on a 1,000-cluster input document), each repeated string and subtree once.
    // Read as it arrives (the parent writes it as it makes it), never held whole as text.
    let Ok(input) =
        aksplan_policy::values::from_json_reader(std::io::BufReader::with_capacity(1 << 16, stdin))
    else {
        return failed;
    };
    crate::sandbox::limit_memory(prelude.limits.memory_mib);
    let response = aksplan_policy::evaluate_prepared(prepared, &input, prelude.limits, &|progress| {
        // One write per line: the rules of several threads never mix within a line.
        let line = match progress {
            aksplan_policy::Progress::Started(rule) => format!("{EVALUATING}{rule}\n"),
            aksplan_policy::Progress::Finished(rule) => format!("{EVALUATED}{rule}\n"),
        };
        let mut stderr = std::io::stderr().lock();
        let _ = stderr.write_all(line.as_bytes());
        let _ = stderr.flush();
    });
    // One line: the parent takes a whole line as the answer, without waiting for the exit.
    crate::output::write_stdout(&(serde_json::to_string(&response).unwrap_or_default() + "\n"));
    // The process ends here: freeing the input document node by node would cost as much as
    // evaluating a policy on it (0.7 s of 3.8 s at 1,000 clusters). The OS takes it back whole.
    std::mem::forget(input);
    ExitStatus::Success
}

/// The hidden argument that makes this binary the policy evaluator (`main` checks it first).
pub const CHILD: &str = "__policy-eval";

/// The child announces each rule on stderr as `evaluating <rule>` when it starts and
/// `evaluated <rule>` when it is done (several run at once).
const EVALUATING: &str = "evaluating ";
const EVALUATED: &str = "evaluated ";

/// The policies of a run, from before the plan is loaded to their findings.
enum Started {
    /// There are none.
    None,
    /// They cannot run (a file that cannot be read, bad data); reported if the plan gets as far
    /// as its policies. Syntax errors come back from the evaluator, at their file and line.
    Failed(Vec<Finding>),
    /// Handed to their evaluator, which parses and compiles them while this process loads,
    /// checks and compiles the plan (on a one-cluster plan the two take about as long).
    Running(Box<Pending>),
}

/// The start of the policies: done, or under way on a thread of its own. Starting a process
/// blocks its caller until the new one runs (~3 ms of a one-cluster run on 2 vCPUs), time this
/// process spends loading the plan instead.
enum Starter {
    Done(Started),
    OnThread(std::thread::JoinHandle<Started>),
}

impl Starter {
    fn wait(self) -> Started {
        match self {
            Self::Done(started) => started,
            Self::OnThread(handle) => handle.join().unwrap_or_else(|_| {
                Started::Failed(vec![Finding::new(
                    aksplan_model::codes::POLICY_ERROR,
                    "the policy evaluator could not be started (its starter panicked)",
                )])
            }),
        }
    }
}

struct Pending {
    /// Kept to place a failure the evaluator could not report itself (a rule stopped or crashed).
    policies: Vec<PolicyFile>,
    limits: Limits,
    child: crate::sandbox::Running,
}

/// Finds the policies and starts their evaluator on them.
fn start(args: &PolicyArgs, plan_base: &Path) -> Starter {
    let policies = match files(args, plan_base) {
        Ok(policies) if policies.is_empty() => return Starter::Done(Started::None),
        Ok(policies) => policies,
        Err(errors) => return Starter::Done(Started::Failed(errors)),
    };
    let data = match data(args) {
        Ok(data) => data,
        Err(errors) => return Starter::Done(Started::Failed(errors)),
    };
    let limits = Limits {
        instructions: args.policy_instructions,
        time_ms: args.policy_timeout,
        memory_mib: args.policy_memory,
    };
    let starting = move || run_child(policies, data, limits);
    match std::thread::Builder::new()
        .name("aksplan-policy-start".into())
        .spawn(starting.clone())
    {
        Ok(handle) => Starter::OnThread(handle),
        Err(_) => Starter::Done(starting()),
    }
}

/// Starts the evaluator and hands it the policies.
fn run_child(policies: Vec<PolicyFile>, data: Vec<serde_json::Value>, limits: Limits) -> Started {
    let rules_budget = policies
        .iter()
        .map(|p| p.text.matches(" contains ").count() + p.text.matches(" if ").count() + 1)
        .sum::<usize>();
    let watch =
        crate::sandbox::Watch::new(CHILD, EVALUATING, limits.time_ms, rules_budget).finishing_with(EVALUATED);
    let mut child = match crate::sandbox::spawn(watch) {
        Ok(child) => child,
        Err(err) => {
            return Started::Failed(vec![Finding::new(
                aksplan_model::codes::POLICY_ERROR,
                format!("cannot start the policy evaluator: {err}"),
            )]);
        }
    };
    if let Some(stdin) = child.stdin() {
        let prelude = Prelude {
            policies: Cow::Borrowed(&policies),
            data,
            limits,
            cache_dir: crate::policy_cache::dir(),
        };
        // One line: JSON text never holds a raw newline. A write error means the child died;
        // `finish` says why.
        let mut stdin = std::io::BufWriter::new(stdin);
        let _ = serde_json::to_writer(&mut stdin, &prelude);
        let _ = stdin.write_all(b"\n");
        let _ = stdin.flush();
    }
    Started::Running(Box::new(Pending {
        policies,
        limits,
        child,
    }))
}

/// The team's policies for the pipeline: found and handed to their evaluator child when the
/// pipeline starts, evaluated on the plan when it asks.
pub struct ChildPolicies<'a> {
    args: Option<&'a PolicyArgs>,
    started: Option<Starter>,
}

impl<'a> ChildPolicies<'a> {
    /// The policies `args` name (or none at all when `args` is `None`).
    pub fn new(args: Option<&'a PolicyArgs>) -> Self {
        Self { args, started: None }
    }
}

impl aksplan_pipeline::Policies for ChildPolicies<'_> {
    fn start(&mut self, base: &Path) {
        self.started = self.args.map(|args| start(args, base));
    }

    fn finish(
        &mut self,
        ctx: &aksplan_rules::Context<'_>,
        compiled: Option<(&aksplan_graph::Compiled, &aksplan_graph::schedule::Schedule)>,
    ) -> Vec<Finding> {
        self.started
            .take()
            .map_or_else(Vec::new, |started| finish(started.wait(), ctx, compiled))
    }
}

/// The policies' findings on the plan (results on the plan's lines), or coded errors.
fn finish(
    started: Started,
    ctx: &aksplan_rules::Context<'_>,
    compiled: Option<(&aksplan_graph::Compiled, &aksplan_graph::schedule::Schedule)>,
) -> Vec<Finding> {
    let pending = match started {
        Started::None => return Vec::new(),
        Started::Failed(findings) => return findings,
        Started::Running(pending) => pending,
    };
    let input = aksplan_policy::input::document(ctx, compiled);
    let Pending {
        policies,
        limits,
        child,
    } = *pending;
    match evaluate(&policies, limits, child, input) {
        Ok(response) => {
            let mut findings = aksplan_policy::errors_to_findings(&response.errors, &policies);
            findings.extend(aksplan_policy::results_to_findings(&response.results, ctx.doc));
            findings
        }
        Err(finding) => vec![finding],
    }
}

/// Sends the input to the waiting child and reads its answer; any way the child can fail
/// becomes a coded finding naming the rule it was running.
fn evaluate(
    policy_files: &[PolicyFile],
    limits: Limits,
    child: crate::sandbox::Running,
    input: aksplan_policy::input::Document<'_>,
) -> Result<Response, Finding> {
    let fail = |message: String| Finding::new(aksplan_model::codes::POLICY_ERROR, message);
    let ended = child.finish(move |stdin| {
        // Made entry by entry as it is written (the input of a 1,000-cluster plan is ~12 MB),
        // read by the child as it arrives.
        let mut stdin = std::io::BufWriter::with_capacity(1 << 16, stdin);
        let _ = serde_json::to_writer(&mut stdin, &input);
        let _ = stdin.flush();
    });
    let running = ended.blamed().map(str::to_owned);
    let last_rule = running
        .clone()
        .unwrap_or_else(|| "(loading the policies)".to_owned());
    // Rules run several at once: a crash is named after the oldest one running, and the others
    // running beside it are said too (the process cannot tell which thread crashed).
    let beside = match ended.running.get(1..).unwrap_or_default() {
        [] => String::new(),
        others => format!(
            " (with {} running beside it)",
            others
                .iter()
                .map(|r| format!("`{r}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let place = running
        .as_deref()
        .and_then(|rule| aksplan_policy::rule_location(policy_files, rule))
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
    let outcome = match ended.end {
        End::Stopped => Err(fail(format!(
            "policy rule `{last_rule}` ran past the time limit and was stopped"
        ))
        .help("raise `--policy-timeout` if the policy is meant to be this expensive")),
        End::Answered => serde_json::from_slice::<Response>(&ended.stdout)
            .map_err(|e| fail(format!("the policy evaluator answered nonsense: {e}"))),
        // It exited without answering: a success here is an answer cut short.
        End::Exited(status) if status.success() => {
            Err(fail("the policy evaluator exited without answering".to_owned()))
        }
        End::Exited(_) if ended.out_of_memory() => {
            let finding = fail(format!(
                "{subject} {}",
                crate::sandbox::memory_failure(limits.memory_mib)
            ));
            Err(if limits.memory_mib > 0 {
                finding.help("raise `--policy-memory` (MiB for the policy evaluator) if the policy is meant to need this much memory")
            } else {
                finding.help(
                    "set `--policy-memory` (MiB) to stop such a policy before the machine runs out of memory",
                )
            })
        }
        End::Exited(status) => {
            let how = match status.code() {
                Some(code) => format!("exited with code {code}"),
                None => "crashed".to_owned(),
            };
            Err(fail(format!("the policy evaluator {how} while evaluating `{last_rule}`{beside}"))
                .help("a function that calls itself without end overflows the stack; OPA rejects such policies at compile time"))
        }
    };
    outcome.map_err(at_rule)
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

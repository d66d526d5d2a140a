//! Rego policies over the plan (and, when compiled, its execution graph), with conftest's
//! conventions so existing policies carry over.
//!
//! Rules named `deny`, `violation` (errors) and `warn` (warnings), with an optional `_suffix`,
//! in any package; a result is a string or an object `{msg, code?, severity?, help?, path?}`,
//! where `path` is a JSON pointer into the plan that puts the finding on that line. conftest's
//! `exception` rules exempt a rule by name. Evaluation uses regorus' VM with an instruction limit
//! and a time limit; the CLI runs it in a child process (see `evaluate_request`), so a policy
//! that recurses until the stack overflows ends in a coded error instead of killing aksplan.
//!
//! This is the only crate that depends on regorus.

pub mod builtins;
pub mod input;
pub mod input_refs;
pub mod testing;
pub mod values;

use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use aksplan_model::codes::{self, Category, Code, CodeInfo};
use aksplan_model::finding::{Finding, Label, Severity, Source};
use aksplan_model::source::Document;
use serde::{Deserialize, Serialize};

/// A policy file: its path (as shown) and text.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PolicyFile {
    pub path: String,
    pub text: String,
}

/// Evaluation limits.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Limits {
    /// VM instructions per rule.
    pub instructions: usize,
    /// Wall-clock time per rule.
    pub time_ms: u64,
    /// Memory of the evaluating process as a whole, in MiB (0: no limit). The evaluator sets it
    /// on itself (the CLI's child process); this crate does not enforce it.
    #[serde(default)]
    pub memory_mib: u64,
}

/// The default of [`Limits::memory_mib`].
/// 1 GiB: the evaluator of the starter pack on a 1,000-cluster plan (5 pools each) needs about
/// 128 MiB.
pub const DEFAULT_MEMORY_MIB: u64 = 1_024;

impl Default for Limits {
    fn default() -> Self {
        Self {
            instructions: 50_000_000,
            time_ms: 5_000,
            memory_mib: DEFAULT_MEMORY_MIB,
        }
    }
}

/// Policies, data, input and limits, for an evaluation in one go ([`evaluate_request`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Request {
    pub policies: Vec<PolicyFile>,
    pub data: Vec<serde_json::Value>,
    pub input: serde_json::Value,
    pub limits: Limits,
}

/// The part of a [`Request`] that does not depend on the plan. The child process gets it first
/// and prepares the policies ([`prepare`]) while its parent is still loading and compiling the
/// plan; the input document follows.
#[derive(Debug, Serialize, Deserialize)]
pub struct Prelude<'a> {
    /// Borrowed by the parent, which keeps the files to place the child's failures.
    pub policies: std::borrow::Cow<'a, [PolicyFile]>,
    pub data: Vec<serde_json::Value>,
    pub limits: Limits,
    /// Where the evaluator keeps compiled policy programs between runs (`None`: no cache).
    #[serde(default)]
    pub cache_dir: Option<std::path::PathBuf>,
}

/// One result of one rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyResult {
    /// `data.aksplan.windows.deny`.
    pub rule: String,
    pub severity: Severity,
    pub msg: String,
    pub code: Option<String>,
    pub help: Option<String>,
    pub path: Option<String>,
}

/// A problem with the policies themselves (syntax, runtime error, limit).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyError {
    pub kind: PolicyErrorKind,
    pub message: String,
    /// The rule being evaluated, when known.
    pub rule: Option<String>,
    /// File, 1-based line and column, when regorus gave them.
    pub location: Option<(String, usize, usize)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PolicyErrorKind {
    Syntax,
    Runtime,
    Limit,
    /// A rule returned something that is not a conftest result (`AKS301`).
    Result,
    /// A policy reads a part of the input that no input document has (`AKS302`), found before
    /// anything is evaluated ([`input_refs`]).
    Input,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Response {
    pub results: Vec<PolicyResult>,
    pub errors: Vec<PolicyError>,
}

/// `--> file.rego:3:11` in regorus' pre-rendered error text.
fn location_of(text: &str) -> Option<(String, usize, usize)> {
    static PATTERN: OnceLock<Option<regex::Regex>> = OnceLock::new();
    let pattern = PATTERN
        .get_or_init(|| regex::Regex::new(r"-->\s*(.+?):(\d+):(\d+)").ok())
        .as_ref()?;
    let caps = pattern.captures(text)?;
    Some((caps[1].to_owned(), caps[2].parse().ok()?, caps[3].parse().ok()?))
}

/// The last line of regorus' rendered error: the message itself.
fn message_of(text: &str) -> String {
    text.lines()
        .rev()
        .find(|l| l.trim_start().starts_with("error:"))
        .map(|l| l.trim_start().trim_start_matches("error:").trim().to_owned())
        .unwrap_or_else(|| text.lines().last().unwrap_or(text).trim().to_owned())
}

fn error(kind: PolicyErrorKind, err: &dyn std::fmt::Display, rule: Option<&str>) -> PolicyError {
    let text = err.to_string();
    let lower = text.to_ascii_lowercase();
    let kind = if lower.contains("instruction limit") || lower.contains("time limit") {
        PolicyErrorKind::Limit
    } else {
        kind
    };
    PolicyError {
        kind,
        message: message_of(&text),
        rule: rule.map(str::to_owned),
        location: location_of(&text),
    }
}

/// The bracket left open before `end` that a syntax error's message says was expected (its
/// offset and the bracket): the innermost unclosed `(`, `[` or `{` whose closer the message names
/// (regorus: "expecting `)` ..."), or the innermost of any kind when the text ended early. Strings,
/// raw strings and comments are skipped.
fn unclosed_opener(text: &str, end: usize, message: &str) -> Option<(usize, char)> {
    let expected = [(')', '('), (']', '['), ('}', '{')]
        .into_iter()
        .find(|(closer, _)| message.contains(&format!("`{closer}`")))
        .map(|(_, opener)| opener);
    let lower = message.to_ascii_lowercase();
    let ended = lower.contains("end of file") || lower.contains("eof");
    if expected.is_none() && !ended {
        return None;
    }
    let mut open: Vec<(usize, char)> = Vec::new();
    let mut chars = text.get(..end)?.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            '#' => while chars.next_if(|&(_, c)| c != '\n').is_some() {},
            '"' => {
                while let Some((_, c)) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' | '\n' => break,
                        _ => {}
                    }
                }
            }
            '`' => {
                while chars.next_if(|&(_, c)| c != '`').is_some() {}
                chars.next();
            }
            '(' | '[' | '{' => open.push((at, c)),
            ')' | ']' | '}' => {
                let opener = match c {
                    ')' => '(',
                    ']' => '[',
                    _ => '{',
                };
                if open.last().is_some_and(|(_, o)| *o == opener) {
                    open.pop();
                }
            }
            _ => {}
        }
    }
    match expected {
        Some(opener) => open.iter().rev().find(|(_, o)| *o == opener).copied(),
        None => open.last().copied(),
    }
}

/// Is `name` a conftest rule: `deny`, `violation`, `warn`, with an optional `_suffix`?
fn rule_severity(name: &str) -> Option<Severity> {
    let base = name.split('_').next().unwrap_or(name);
    match base {
        "deny" | "violation" => Some(Severity::Error),
        "warn" => Some(Severity::Warning),
        _ => None,
    }
}

/// Builtins regorus always has that would make a verdict change between two runs on the same
/// plan, with what to use instead. Each is replaced by a function that fails, so a policy that
/// calls one stops with AKS300 at the call (the interpreter looks functions up before builtins).
pub const REFUSED_BUILTINS: &[(&str, u8, &str)] = &[
    (
        "time.now_ns",
        0,
        "a plan's verdict must not change with the clock: compare with `input.asOf`, the date the plan is judged on",
    ),
    ("rand.intn", 2, "a policy's verdict must not be random"),
];

/// Loads the policies into an engine; syntax errors come back at their file, line and column.
fn engine_for(
    policies: &[PolicyFile],
    data: &[serde_json::Value],
) -> Result<regorus::Engine, Vec<PolicyError>> {
    let mut engine = regorus::Engine::new();
    engine.set_strict_builtin_errors(true);
    let mut errors = Vec::new();
    for (name, args, why) in REFUSED_BUILTINS {
        let refusal = format!("`{name}` is not available to aksplan policies: {why}");
        let refuse = move |_: Vec<regorus::Value>| -> anyhow::Result<regorus::Value> {
            Err(anyhow::anyhow!(refusal.clone()))
        };
        if let Err(err) = engine.add_extension((*name).to_owned(), *args, Box::new(refuse)) {
            errors.push(error(PolicyErrorKind::Runtime, &err, None));
        }
    }
    for policy in policies {
        if let Err(err) = engine.add_policy(policy.path.clone(), policy.text.clone()) {
            errors.push(error(PolicyErrorKind::Syntax, &err, None));
        }
    }
    for document in data {
        if let Err(err) = engine.add_data(regorus::Value::from(document.clone())) {
            errors.push(error(PolicyErrorKind::Runtime, &err, None));
        }
    }
    if errors.is_empty() {
        Ok(engine)
    } else {
        Err(errors)
    }
}

/// A conftest rule as the policies declare it.
#[derive(Clone)]
struct Declared {
    severity: Severity,
    /// Where it is first defined: file, 1-based line and column.
    location: (String, usize, usize),
    /// `deny(x) := ...`: a function, which conftest never evaluates, so it would deny nothing.
    function: bool,
}

/// The conftest rules the policies declare, as `data.<package>.<rule>` paths, sorted.
fn declared_rules(engine: &mut regorus::Engine) -> Vec<(String, Declared)> {
    let mut rules: BTreeMap<String, Declared> = BTreeMap::new();
    for module in engine.get_modules().clone() {
        let package = module.package.refr.span().text().to_string();
        for rule in &module.policy {
            if let regorus::unstable::Rule::Spec { head, .. } = rule.as_ref() {
                let (refr, function) = match head {
                    regorus::unstable::RuleHead::Compr { refr, .. }
                    | regorus::unstable::RuleHead::Set { refr, .. } => (refr, false),
                    regorus::unstable::RuleHead::Func { refr, .. } => (refr, true),
                };
                let span = refr.span();
                let base = input_refs::rule_name(rule);
                if let Some(severity) = rule_severity(&base) {
                    let declared = rules.entry(format!("data.{package}.{base}")).or_insert(Declared {
                        severity,
                        location: (
                            span.source.get_path().clone(),
                            span.line as usize,
                            span.col as usize,
                        ),
                        function: false,
                    });
                    declared.function |= function;
                }
            }
        }
    }
    rules.into_iter().collect()
}

/// Evaluates every conftest rule of the policies on the input: [`prepare`], then
/// [`evaluate_prepared`]. A runaway policy may take the process down; the CLI runs policies in a
/// child process for that reason (and in two parts, to prepare them early).
pub fn evaluate_request(request: &Request) -> Response {
    let input = regorus::Value::from(request.input.clone());
    let prepared = prepare(&request.policies, &request.data);
    evaluate_prepared(prepared, &input, request.limits, &|_| {})
}

/// The input document as the evaluator holds it; the child process reads JSON straight into it,
/// repeats shared ([`values::from_json_reader`]).
pub type Input = regorus::Value;

/// The reads of aksplan's input document that `policies` make and no document has (AKS302,
/// [`input_refs`]), or their syntax errors; what [`Prepared::check_reads`] refuses, without
/// compiling anything.
pub fn misreads(policies: &[PolicyFile]) -> Vec<PolicyError> {
    match engine_for(policies, &[]) {
        Ok(mut engine) => input_refs::misreads(engine.get_modules()),
        Err(errors) => errors,
    }
}

/// Policies parsed, their rules listed and compiled: everything that does not need the input.
pub struct Prepared {
    engine: Result<regorus::Engine, Vec<PolicyError>>,
    /// Reads of input that aksplan's document never has ([`Prepared::check_reads`]): when there
    /// are any, nothing is evaluated.
    misreads: Vec<PolicyError>,
    rules: Vec<(String, Declared)>,
    program: Option<std::sync::Arc<regorus::rvm::program::Program>>,
}

/// What [`prepare_cached`] did with the compiled program it was offered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheUse {
    /// The offered program was compiled from these very policies and rules: used as it is.
    Hit,
    /// Compiled afresh (nothing offered, or the offered bytes were from other policies, another
    /// build, or damaged): [`Prepared::program_bytes`] gives what to save for the next run.
    Compiled,
    /// The policies do not compile into one program (a syntax error, say): nothing to save.
    None,
}

/// Parses the policies and the data, and compiles every rule into one VM program.
pub fn prepare(policies: &[PolicyFile], data: &[serde_json::Value]) -> Prepared {
    prepare_cached(policies, data, None).0
}

/// [`prepare`], given the bytes of a program an earlier run compiled ([`Prepared::program_bytes`]).
///
/// The bytes are trusted only when they hold exactly these policy files (paths and texts) and
/// exactly this run's rules as entry points; anything else is compiled afresh, so a stale or
/// foreign cache entry can cost time but never change a verdict. (The caller also names entries
/// by a hash of the policies and of its own build, so a new aksplan never reads an old program.)
pub fn prepare_cached(
    policies: &[PolicyFile],
    data: &[serde_json::Value],
    cached: Option<&[u8]>,
) -> (Prepared, CacheUse) {
    let mut engine = engine_for(policies, data);
    let (rules, program, used) = match &mut engine {
        Ok(engine) => {
            let rules = declared_rules(engine);
            let entries: Vec<&str> = rules
                .iter()
                .filter(|(_, declared)| !declared.function)
                .map(|(rule, _)| rule.as_str())
                .collect();
            match cached.and_then(|bytes| program_from_cache(bytes, policies, &entries)) {
                Some(program) => {
                    // What compiling would have done on the way: the interpreter's analysis of
                    // the modules, needed by its pass. Done now, before the input arrives; a
                    // path no policy can define makes it stop right after (its error is moot).
                    let _ = engine.eval_rule("data.__aksplan_prepare__.none".to_owned());
                    (rules, Some(std::sync::Arc::new(program)), CacheUse::Hit)
                }
                None => {
                    // One VM program for every rule: compiling per rule re-runs regorus'
                    // whole-module passes each time (two thirds of a one-cluster run).
                    let program = compile_program(engine, &entries);
                    let used = if program.is_some() {
                        CacheUse::Compiled
                    } else {
                        CacheUse::None
                    };
                    (rules, program, used)
                }
            }
        }
        Err(_) => (Vec::new(), None, CacheUse::None),
    };
    (
        Prepared {
            engine,
            misreads: Vec::new(),
            rules,
            program,
        },
        used,
    )
}

impl Prepared {
    /// Checks the policies' reads of `input` against aksplan's input document (its schema,
    /// [`input_refs`]): a policy that reads a part no document has would never fire through it,
    /// so [`evaluate_prepared`] then refuses to evaluate anything and answers with the misreads
    /// (AKS302). Called by the CLI's evaluator, whose input is that document; a caller that
    /// evaluates policies on another input (these tests, `aksplan test`'s mocks) does not.
    pub fn check_reads(&mut self) {
        if let Ok(engine) = &mut self.engine {
            self.misreads = input_refs::misreads(engine.get_modules());
        }
    }

    /// The compiled program's bytes, for [`prepare_cached`] in a later run. Serialised only on
    /// request: a run without a cache never pays for it.
    pub fn program_bytes(&self) -> Option<Vec<u8>> {
        self.program.as_ref()?.serialize_binary().ok()
    }
}

/// A cached program, when it was compiled from exactly `policies` with exactly `entries`.
fn program_from_cache(
    bytes: &[u8],
    policies: &[PolicyFile],
    entries: &[&str],
) -> Option<regorus::rvm::program::Program> {
    use regorus::rvm::program::{DeserializationResult, Program};
    let program = match Program::deserialize_binary(bytes).ok()? {
        DeserializationResult::Complete(program) => program,
        // Needs recompiling: no better than a miss.
        DeserializationResult::Partial(_) => return None,
    };
    if program.needs_recompilation {
        return None;
    }
    let mut sources: Vec<(&str, &str)> = program
        .sources
        .iter()
        .map(|s| (s.name.as_str(), s.content.as_str()))
        .collect();
    let mut wanted: Vec<(&str, &str)> = policies
        .iter()
        .map(|p| (p.path.as_str(), p.text.as_str()))
        .collect();
    sources.sort_unstable();
    wanted.sort_unstable();
    let mut points: Vec<&str> = program.entry_points.keys().map(String::as_str).collect();
    let mut rules = entries.to_vec();
    points.sort_unstable();
    rules.sort_unstable();
    (sources == wanted && points == rules).then_some(program)
}

/// How many units of work the VM and the interpreter do between two looks at the clock. Every
/// unit (1) was 4 % of a whole 1,000-cluster run in `clock_gettime`; a unit is an instruction or
/// a loop step, so 32 of them are microseconds: the time limit still stops a rule within a
/// millisecond of it (a builtin that never returns to the loop is the parent's watch's job).
pub(crate) const TIMER_CHECK_INTERVAL: NonZeroU32 = NonZeroU32::new(32).expect("32 is not zero");

/// Where the evaluation of prepared policies is, for a parent process watching it: each rule is
/// announced when it starts and when it is done, so that the parent can name the rule that was
/// running if this process dies or runs past a limit (several rules run at once).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress<'a> {
    Started(&'a str),
    Finished(&'a str),
}

/// At most this many rules are evaluated at once, each on its own thread with its own copy of
/// the engine (the rules are independent; the input document is shared).
const MAX_WORKERS: usize = 4;

/// The stack of a worker thread: the main thread's usual size, so that a rule that runs on
/// the main thread also runs on a worker.
const WORKER_STACK: usize = 8 << 20;

/// What one rule came to.
enum RuleOutcome {
    /// A conftest rule written as a function: an error, never evaluated.
    Function,
    /// Switched off by an `exception` rule.
    Excepted,
    Value(regorus::Value),
    Failed(PolicyError),
}

/// Evaluates every conftest rule of prepared policies on the input, calling `progress` as each
/// rule starts and ends. Rules run on up to `MAX_WORKERS` threads (as many as the machine has
/// cores); the response is assembled in rule order, so it is the same however many run at once.
pub fn evaluate_prepared(
    prepared: Prepared,
    input: &regorus::Value,
    limits: Limits,
    progress: &(dyn Fn(Progress<'_>) + Sync),
) -> Response {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    evaluate_with_workers(prepared, input, limits, progress, cores.min(MAX_WORKERS))
}

fn evaluate_with_workers(
    prepared: Prepared,
    input: &regorus::Value,
    limits: Limits,
    progress: &(dyn Fn(Progress<'_>) + Sync),
    workers: usize,
) -> Response {
    let mut response = Response::default();
    let Prepared {
        engine,
        misreads,
        rules,
        program,
    } = prepared;
    let mut engine = match engine {
        Ok(engine) => engine,
        Err(errors) => {
            response.errors = errors;
            return response;
        }
    };
    // A policy that reads input no document has would report nothing through that read: it is
    // refused before any rule runs, as one that fails to evaluate is (fail closed).
    if !misreads.is_empty() {
        response.errors = misreads;
        return response;
    }
    let timer = regorus::utils::limits::ExecutionTimerConfig {
        limit: Duration::from_millis(limits.time_ms),
        check_interval: TIMER_CHECK_INTERVAL,
    };
    // conftest `exception` rules: names of rules (without `deny_`/`warn_` prefix) to skip. One
    // that fails is an error, never a silent "no exceptions".
    engine.set_execution_timer_config(timer);
    let exceptions = match exceptions(&mut engine, input) {
        Ok(exceptions) => exceptions,
        Err(err) => {
            response.errors.push(err);
            return response;
        }
    };
    let excepted = |rule: &str| {
        let name = rule.rsplit('.').next().unwrap_or(rule);
        // Applied across packages, as docs/policies.md promises: a team's package can switch off
        // a starter-pack rule without editing the pack (its rule names are unique).
        exceptions.values().flatten().any(|e| {
            *e == name
                || name
                    .strip_prefix("deny_")
                    .or(name.strip_prefix("warn_"))
                    .or(name.strip_prefix("violation_"))
                    == Some(e)
        })
    };
    // Rules are taken in order from one counter by every worker; each outcome goes to its
    // rule's slot.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let work = |engine: &mut regorus::Engine| -> Vec<(usize, RuleOutcome)> {
        let mut done = Vec::new();
        loop {
            let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some((rule, declared)) = rules.get(index) else {
                return done;
            };
            let outcome = if declared.function {
                RuleOutcome::Function
            } else if excepted(rule) {
                RuleOutcome::Excepted
            } else {
                progress(Progress::Started(rule));
                let value = evaluate_rule(engine, program.as_ref(), rule, input, limits, timer);
                progress(Progress::Finished(rule));
                match value {
                    Ok(value) => RuleOutcome::Value(value),
                    Err(err) => {
                        let mut err = error(PolicyErrorKind::Runtime, &err, Some(rule));
                        // A limit or a runtime error without a place of its own is the rule's.
                        err.location = err.location.or_else(|| Some(declared.location.clone()));
                        RuleOutcome::Failed(err)
                    }
                }
            };
            done.push((index, outcome));
        }
    };
    let workers = workers.clamp(1, rules.len().max(1));
    let mut outcomes: Vec<(usize, RuleOutcome)> = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..workers)
            .filter_map(|_| {
                let mut engine = engine.clone();
                let work = &work;
                std::thread::Builder::new()
                    .stack_size(WORKER_STACK)
                    .spawn_scoped(scope, move || work(&mut engine))
                    .ok()
            })
            .collect();
        let mut outcomes = work(&mut engine);
        for helper in helpers {
            match helper.join() {
                Ok(theirs) => outcomes.extend(theirs),
                // A panic in a rule is the process's, as it was on one thread.
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        outcomes
    });
    outcomes.sort_by_key(|(index, _)| *index);
    for (index, outcome) in outcomes {
        let (rule, declared) = &rules[index];
        let malformed = |message: String| PolicyError {
            kind: PolicyErrorKind::Result,
            message,
            rule: Some(rule.clone()),
            location: Some(declared.location.clone()),
        };
        let value = match outcome {
            RuleOutcome::Excepted => continue,
            RuleOutcome::Function => {
                response.errors.push(malformed(
                    "it is a function, which conftest never evaluates, so it would report nothing; write `deny contains msg if { ... }`".to_owned(),
                ));
                continue;
            }
            RuleOutcome::Failed(err) => {
                response.errors.push(err);
                continue;
            }
            RuleOutcome::Value(value) => value,
        };
        let items: Vec<regorus::Value> = match &value {
            regorus::Value::Set(set) => set.iter().cloned().collect(),
            regorus::Value::Array(items) => items.iter().cloned().collect(),
            regorus::Value::Undefined => Vec::new(),
            other => vec![other.clone()],
        };
        for item in items {
            let json: serde_json::Value = serde_json::to_value(&item).unwrap_or(serde_json::Value::Null);
            match to_result(rule, declared.severity, &json) {
                Ok(result) => response.results.push(result),
                Err(problem) => response.errors.push(malformed(problem)),
            }
        }
    }
    response
        .results
        .sort_by(|a, b| (&a.rule, &a.msg, &a.path).cmp(&(&b.rule, &b.msg, &b.path)));
    response.results.dedup();
    response
}

/// The names each package's `exception` rule excepts, by package (`data.team.x`).
fn exceptions(
    engine: &mut regorus::Engine,
    input: &regorus::Value,
) -> Result<BTreeMap<String, Vec<String>>, PolicyError> {
    // Only the packages that define `exception`: evaluating a rule that no module defines is an
    // error in regorus, not "no exceptions".
    let mut packages = std::collections::BTreeSet::new();
    for module in engine.get_modules() {
        let defines = module.policy.iter().any(|rule| match rule.as_ref() {
            regorus::unstable::Rule::Spec { head, .. } => {
                let refr = match head {
                    regorus::unstable::RuleHead::Compr { refr, .. }
                    | regorus::unstable::RuleHead::Set { refr, .. }
                    | regorus::unstable::RuleHead::Func { refr, .. } => refr,
                };
                let name = refr.span().text();
                name == "exception" || name.starts_with("exception[") || name.starts_with("exception.")
            }
            _ => false,
        });
        if defines {
            packages.insert(format!("data.{}", module.package.refr.span().text()));
        }
    }
    let mut by_package = BTreeMap::new();
    for package in packages {
        engine.set_input(input.clone());
        let rule = format!("{package}.exception");
        let value = engine
            .eval_rule(rule.clone())
            .map_err(|err| error(PolicyErrorKind::Runtime, &err, Some(&rule)))?;
        let mut names = Vec::new();
        if let regorus::Value::Set(set) = value {
            for item in set.iter() {
                if let Ok(serde_json::Value::Array(parts)) = serde_json::to_value(item) {
                    names.extend(parts.iter().filter_map(|p| p.as_str().map(str::to_owned)));
                } else if let Ok(serde_json::Value::String(name)) = serde_json::to_value(item) {
                    names.push(name);
                }
            }
        }
        by_package.insert(package, names);
    }
    Ok(by_package)
}

/// The VM program with every rule as an entry point; `None` when some rule does not compile
/// (each rule then compiles on its own, or falls back to the interpreter).
fn compile_program(
    engine: &mut regorus::Engine,
    entries: &[&str],
) -> Option<std::sync::Arc<regorus::rvm::program::Program>> {
    let first: regorus::Rc<str> = (*entries.first()?).into();
    let compiled = engine.compile_with_entrypoint(&first).ok()?;
    regorus::languages::rego::compiler::Compiler::compile_from_policy(&compiled, entries).ok()
}

/// One rule's value, in two passes. The VM runs it first under the instruction and time limits
/// (it stops a function that recurses without end cleanly, where the interpreter would overflow
/// its stack). The VM drops an error inside a rule body, even with strict builtin errors, and
/// turns conflicting values of a complete rule into undefined: a `deny` whose body fails
/// would silently report nothing. So the interpreter, strict as OPA with
/// `--strict-builtin-errors`, then gives the value of record, or the error.
fn evaluate_rule(
    engine: &mut regorus::Engine,
    program: Option<&std::sync::Arc<regorus::rvm::program::Program>>,
    rule: &str,
    input: &regorus::Value,
    limits: Limits,
    timer: regorus::utils::limits::ExecutionTimerConfig,
) -> anyhow_free::Result<regorus::Value> {
    // One budget for both passes: `--policy-timeout` is the rule's time, however it is spent.
    let started = std::time::Instant::now();
    let entry: regorus::Rc<str> = rule.into();
    let program = match program {
        Some(program) => Some(std::sync::Arc::clone(program)),
        None => engine.compile_with_entrypoint(&entry).ok().and_then(|compiled| {
            regorus::languages::rego::compiler::Compiler::compile_from_policy(&compiled, &[rule]).ok()
        }),
    };
    if let Some(program) = program {
        let mut vm = regorus::rvm::vm::RegoVM::new();
        vm.set_strict_builtin_errors(true);
        vm.load_program(program);
        vm.set_max_instructions(limits.instructions);
        vm.set_execution_timer_config(Some(timer));
        vm.set_input(input.clone());
        // The VM does not share the engine's data documents; hand them over (`--data`).
        vm.set_data(engine.get_data())
            .map_err(anyhow_free::Error::from_display)?;
        vm.execute_entry_point_by_name(rule)
            .map_err(anyhow_free::Error::from_display)?;
    }
    let left = timer
        .limit
        .saturating_sub(started.elapsed())
        .max(Duration::from_millis(1));
    engine.set_execution_timer_config(regorus::utils::limits::ExecutionTimerConfig { limit: left, ..timer });
    engine.set_input(input.clone());
    engine
        .eval_rule(rule.to_owned())
        .map_err(anyhow_free::Error::from_display)
}

/// A tiny error type so this crate does not name `anyhow` in its API.
mod anyhow_free {
    #[derive(Debug)]
    pub struct Error(pub String);
    impl Error {
        pub fn from_display(err: impl std::fmt::Display) -> Self {
            Self(err.to_string())
        }
    }
    impl std::fmt::Display for Error {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(&self.0)
        }
    }
    pub type Result<T> = std::result::Result<T, Error>;
}

/// A conftest result, or what is wrong with it: a non-empty string, or an object with a
/// non-empty string `msg` and optional string `code`, `severity`, `help` and `path`. Anything
/// else is refused rather than guessed at (shown as JSON, or put on the plan's first line).
fn to_result(rule: &str, severity: Severity, value: &serde_json::Value) -> Result<PolicyResult, String> {
    use serde_json::Value;
    let map = match value {
        Value::String(msg) if msg.trim().is_empty() => return Err("an empty message".to_owned()),
        Value::String(msg) => {
            return Ok(PolicyResult {
                rule: rule.to_owned(),
                severity,
                msg: msg.clone(),
                code: None,
                help: None,
                path: None,
            });
        }
        Value::Object(map) => map,
        other => {
            return Err(format!(
                "{} `{}`, not a string or an object with `msg`",
                kind_of(other),
                shorten(&other.to_string())
            ));
        }
    };
    let text = |key: &str| -> Result<Option<String>, String> {
        match map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.clone())),
            Some(other) => Err(format!(
                "`{key}` is {} `{}`, not a string",
                kind_of(other),
                shorten(&other.to_string())
            )),
        }
    };
    let msg = match text("msg")? {
        Some(msg) if msg.trim().is_empty() => return Err("an empty `msg`".to_owned()),
        Some(msg) => msg,
        None => {
            let keys: Vec<String> = map.keys().map(|k| format!("`{k}`")).collect();
            return Err(format!("an object without `msg` (it has {})", keys.join(", ")));
        }
    };
    let severity = match text("severity")?.as_deref() {
        None => severity,
        Some("error") => Severity::Error,
        Some("warning" | "warn") => Severity::Warning,
        Some("info" | "note") => Severity::Info,
        Some(other) => {
            return Err(format!(
                "`severity` is `{}`; it is `error`, `warning` or `info`",
                shorten(other)
            ));
        }
    };
    let code = text("code")?;
    if let Some(code) = &code {
        if code.is_empty() || code.len() > 64 || code.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(format!(
                "`code` `{}` is not a code: one word of at most 64 characters, such as `TEAM-1`",
                shorten(code)
            ));
        }
        let reserved = code
            .get(..3)
            .is_some_and(|prefix| prefix.eq_ignore_ascii_case("AKS"))
            && code.len() > 3
            && code
                .get(3..)
                .is_some_and(|rest| rest.chars().all(|c| c.is_ascii_digit()));
        if reserved {
            return Err(format!(
                "`code` `{code}` is one of aksplan's own codes; a policy's finding must not pass for a built-in check (use a prefix of your own, such as `TEAM-1`)"
            ));
        }
    }
    let path = text("path")?;
    if let Some(path) = &path
        && let Err(problem) = check_pointer(path)
    {
        return Err(format!("`path` `{}` {problem}", shorten(path)));
    }
    Ok(PolicyResult {
        rule: rule.to_owned(),
        severity,
        msg,
        code,
        help: text("help")?,
        path,
    })
}

/// A JSON pointer (RFC 6901): empty, or `/`-separated segments where `~` is `~0` or `~1`.
fn check_pointer(path: &str) -> Result<(), &'static str> {
    if !path.is_empty() && !path.starts_with('/') {
        return Err("is not a JSON pointer: pointers start with `/`, such as `/spec/clusters/0`");
    }
    let mut chars = path.chars();
    while let Some(c) = chars.next() {
        if c == '~' && !matches!(chars.next(), Some('0' | '1')) {
            return Err("is not a JSON pointer: `~` is written `~0`, and `/` inside a key `~1`");
        }
    }
    Ok(())
}

fn kind_of(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        // Rego sets reach JSON as arrays.
        serde_json::Value::Array(_) => "a list or set",
        serde_json::Value::Object(_) => "an object",
    }
}

/// At most 60 characters of a value, for a message.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((end, _)) => format!("{}...", &text[..end]),
        None => text.to_owned(),
    }
}

/// A code for a policy rule (its `code`, else the rule path), interned for the process.
pub fn policy_code(id: &str, rule: &str) -> Code {
    static CODES: OnceLock<Mutex<BTreeMap<String, &'static CodeInfo>>> = OnceLock::new();
    let codes = CODES.get_or_init(|| Mutex::new(BTreeMap::new()));
    let Ok(mut codes) = codes.lock() else {
        return aksplan_model::codes::SYNTAX;
    };
    let info = *codes.entry(id.to_owned()).or_insert_with(|| {
        // Interned once per distinct code and kept for the process: a handful per run.
        Box::leak(Box::new(CodeInfo {
            id: Box::leak(id.to_owned().into_boxed_str()),
            title: Box::leak(format!("Policy `{rule}`").into_boxed_str()),
            severity: Severity::Error,
            category: Category::Policy,
            docs: "## What it checks\nA rule of the team's Rego policies (see the policy file).\n\n## Why\nThe team's own standards for upgrades.\n\n## Example\nSee the policy's `_test.rego`.",
        }))
    });
    Code(info)
}

/// Turns policy results into findings on the plan (their `path` puts them on the plan line).
pub fn results_to_findings(results: &[PolicyResult], plan: &Document) -> Vec<Finding> {
    results
        .iter()
        .map(|result| {
            let id = result
                .code
                .clone()
                .unwrap_or_else(|| result.rule.trim_start_matches("data.").to_owned());
            let mut finding =
                Finding::new(policy_code(&id, &result.rule), result.msg.clone()).severity(result.severity);
            let pointer = result.path.clone().unwrap_or_default();
            finding = finding.at(plan.label(&pointer)).help_opt(result.help.clone());
            if result.path.is_some() {
                finding = finding.pointer(pointer);
            }
            finding
        })
        .collect()
}

/// Where a rule (`data.<package>.<name>`) is first defined in the policies' text, for a problem
/// the evaluator could not place itself (it was stopped, or it crashed): the first line that
/// starts with the rule's name, in a file of its package.
pub fn rule_location(policies: &[PolicyFile], rule: &str) -> Option<(String, usize, usize)> {
    let path = rule.strip_prefix("data.")?;
    let (package, name) = path.rsplit_once('.')?;
    policies.iter().find_map(|policy| {
        let mut lines = policy.text.lines();
        lines.by_ref().find(|line| {
            line.trim_start()
                .strip_prefix("package ")
                .is_some_and(|p| p.trim() == package)
        })?;
        let offset = policy.text.lines().count() - lines.clone().count();
        lines.enumerate().find_map(|(idx, line)| {
            let rest = line.strip_prefix(name)?;
            // `deny contains`, `deny[msg]`, `deny :=`, `deny if`: the name, then a delimiter.
            let whole = rest
                .chars()
                .next()
                .is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
            whole.then(|| (policy.path.clone(), offset + idx + 1, 1))
        })
    })
}

/// Findings for policy problems, at the policy file's line when known.
pub fn errors_to_findings(errors: &[PolicyError], policies: &[PolicyFile]) -> Vec<Finding> {
    let sources: BTreeMap<&str, Arc<Source>> = policies
        .iter()
        .map(|p| (p.path.as_str(), Source::new(p.path.clone(), p.text.clone())))
        .collect();
    errors
        .iter()
        .map(|err| {
            let what = match err.kind {
                PolicyErrorKind::Syntax => "does not parse",
                PolicyErrorKind::Runtime => "failed",
                PolicyErrorKind::Limit => "exceeded its limits",
                PolicyErrorKind::Result => "returned a malformed result",
                PolicyErrorKind::Input => "reads input that is never there, so it can never match through it",
            };
            let code = match err.kind {
                PolicyErrorKind::Result => codes::POLICY_RESULT,
                PolicyErrorKind::Input => codes::POLICY_INPUT,
                _ => codes::POLICY_ERROR,
            };
            let subject = err
                .rule
                .as_deref()
                .map_or_else(|| "a policy".to_owned(), |r| format!("policy rule `{r}`"));
            let mut finding = Finding::new(code, format!("{subject} {what}: {}", err.message));
            if let Some((file, line, column)) = &err.location
                && let Some(source) = sources.get(file.as_str())
            {
                let offset = source.offset_of(*line, *column);
                // The parser notices a missing `)` where the text goes on without it, often lines
                // later; the mistake is the bracket left open, so that is where the finding goes.
                let opener = (err.kind == PolicyErrorKind::Syntax)
                    .then(|| unclosed_opener(&source.text, offset, &err.message))
                    .flatten()
                    .filter(|(at, _)| source.line_col(*at).0 < *line);
                finding = match opener {
                    Some((at, bracket)) => finding
                        .at(Label::new(source, at..at + 1).with_message(format!("this `{bracket}` is never closed")))
                        .also(Label::new(source, offset..offset).with_message("the parser noticed here")),
                    None => finding.at(Label::new(source, offset..offset)),
                };
            }
            if err.message.contains("could not find function") {
                finding = finding.help("aksplan's policy engine does not have this builtin: docs/policy-builtins.md lists those a policy can call");
            }
            if err.kind == PolicyErrorKind::Input {
                finding = finding.help("`aksplan input PLAN` prints the document and schemas/policy-input.schema.json describes it; a policy written for version 1 of the document reads `before`/`after` as indexes into the cluster's `states` and `steps` as ids in version 2 (docs/policies.md)");
            }
            if err.kind == PolicyErrorKind::Result {
                finding = finding.help("a result is a string, or an object `{\"msg\": ..., \"code\": ..., \"severity\": ..., \"help\": ..., \"path\": ...}` of strings (only `msg` required); `path` is a JSON pointer into the plan, such as `/spec/clusters/0`");
            }
            if err.kind == PolicyErrorKind::Limit {
                let flag = if err.message.contains("instruction") {
                    "`--policy-instructions` (VM instructions per rule)"
                } else if err.message.contains("time limit") {
                    "`--policy-timeout` (milliseconds per rule)"
                } else if err.message.contains("memory limit") {
                    "`--policy-memory` (MiB for the policy evaluator)"
                } else {
                    "`--policy-instructions` / `--policy-timeout`"
                };
                finding = finding.help(format!(
                    "raise {flag} if the policy is meant to be this expensive"
                ));
            }
            finding
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Policy files from `(path, text)` pairs (also for `testing`'s tests).
    pub(crate) fn files(items: &[(&str, &str)]) -> Vec<PolicyFile> {
        items
            .iter()
            .map(|(path, text)| PolicyFile {
                path: (*path).to_owned(),
                text: (*text).to_owned(),
            })
            .collect()
    }

    const DENY_BIG: &str = "package t\nimport rego.v1\ndeny contains \"big\" if input.n > 3\n";

    /// Checked against aksplan's document, a policy that reads what it never has evaluates
    /// nothing, not even its rules that would fire; unchecked (another input), it runs.
    #[test]
    fn checked_reads_refuse_a_policy_that_reads_what_is_never_there() {
        let policy = "package t\nimport rego.v1\ndeny contains \"always\" if true\ndeny_n contains \"n\" if input.n > 3\n";
        let mut prepared = prepare(&files(&[("t.rego", policy)]), &[]);
        prepared.check_reads();
        let input = regorus::Value::from(serde_json::json!({ "n": 5 }));
        let response = evaluate_prepared(prepared, &input, Limits::default(), &|_| {});
        assert!(response.results.is_empty(), "{:?}", response.results);
        assert_eq!(response.errors.len(), 1, "{:?}", response.errors);
        assert_eq!(response.errors[0].kind, PolicyErrorKind::Input);
        assert_eq!(response.errors[0].rule.as_deref(), Some("data.t.deny_n"));
        assert_eq!(response.errors[0].location.as_ref().map(|l| l.1), Some(4));
        let findings = errors_to_findings(&response.errors, &files(&[("t.rego", policy)]));
        assert_eq!(findings[0].code, codes::POLICY_INPUT);
        let unchecked = prepare(&files(&[("t.rego", policy)]), &[]);
        let response = evaluate_prepared(unchecked, &input, Limits::default(), &|_| {});
        assert_eq!(response.results.len(), 2, "{response:?}");
    }

    fn results(prepared: Prepared, n: i64) -> Vec<String> {
        let input = regorus::Value::from(serde_json::json!({ "n": n }));
        evaluate_prepared(prepared, &input, Limits::default(), &|_| {})
            .results
            .into_iter()
            .map(|r| r.msg)
            .collect()
    }

    /// Rules run on several threads: the response is the same as on one (results, errors in rule
    /// order, exceptions, a function written as a rule, a runtime error), and each rule evaluated
    /// is announced as started and as finished.
    #[test]
    fn several_workers_give_the_response_of_one() {
        let policies = files(&[
            (
                "a.rego",
                "package a\nimport rego.v1\ndeny contains sprintf(\"a %d\", [x]) if some x in numbers.range(1, input.n)\nwarn_w contains \"w\" if input.n > 1\ndeny_skipped contains \"never\" if true\nexception contains [\"skipped\"] if true\n",
            ),
            (
                "b.rego",
                "package b\nimport rego.v1\ndeny contains {\"msg\": 3} if true\ndeny_f(x) := x\n",
            ),
            (
                "c.rego",
                "package c\nimport rego.v1\ndeny contains x if x := to_number(\"nope\")\n",
            ),
            (
                "d.rego",
                "package d\nimport rego.v1\nwarn contains sprintf(\"d %d\", [input.n]) if true\n",
            ),
        ]);
        let input = regorus::Value::from(serde_json::json!({ "n": 4 }));
        let run = |workers: usize| {
            let seen = std::sync::Mutex::new(Vec::new());
            let response = evaluate_with_workers(
                prepare(&policies, &[]),
                &input,
                Limits::default(),
                &|progress| seen.lock().unwrap().push(format!("{progress:?}")),
                workers,
            );
            let mut seen = seen.into_inner().unwrap();
            seen.sort();
            (serde_json::to_value(&response).unwrap(), seen)
        };
        let (one, seen_one) = run(1);
        assert_eq!(one["results"].as_array().unwrap().len(), 6, "{one:#}");
        assert_eq!(one["errors"].as_array().unwrap().len(), 3, "{one:#}");
        assert!(
            seen_one.iter().any(|p| p.starts_with("Finished(\"data.c.deny")),
            "{seen_one:?}"
        );
        for workers in [2, 4] {
            let (many, seen_many) = run(workers);
            assert_eq!(many, one, "{workers} workers");
            assert_eq!(seen_many, seen_one, "{workers} workers");
        }
    }

    /// `\d` and the other Perl classes compile in both passes: regorus takes `regex` without
    /// them, and only this crate's own `regex` dependency (default features) turns them on. A
    /// team's policy that uses one must not stop with "invalid regex" (the starter pack writes
    /// `[0-9]`, so it no longer proves this).
    #[test]
    fn perl_classes_in_regular_expressions_work() {
        let policy =
            "package t\nimport rego.v1\ndeny contains \"digits\" if regex.match(`^\\d+\\s?\\w*$`, input.s)\n";
        let input = regorus::Value::from(serde_json::json!({ "s": "4711 ab" }));
        let response = evaluate_prepared(
            prepare(&files(&[("t.rego", policy)]), &[]),
            &input,
            Limits::default(),
            &|_| {},
        );
        assert!(response.errors.is_empty(), "{:?}", response.errors);
        let msgs: Vec<String> = response.results.into_iter().map(|r| r.msg).collect();
        assert_eq!(msgs, ["digits"]);
    }

    /// A program compiled once is used as it is by the next run on the same policies, and gives
    /// the same results.
    #[test]
    fn a_cached_program_is_used_for_the_same_policies() {
        let policies = files(&[("a.rego", DENY_BIG)]);
        let (first, used) = prepare_cached(&policies, &[], None);
        assert_eq!(used, CacheUse::Compiled);
        let bytes = first.program_bytes().expect("a program to cache");
        assert_eq!(results(first, 5), ["big"]);
        let (second, used) = prepare_cached(&policies, &[], Some(&bytes));
        assert_eq!(used, CacheUse::Hit);
        assert_eq!(results(second, 5), ["big"]);
    }

    /// Bytes compiled from other policies (another text, another path, another rule set) or
    /// damaged bytes are never used: the policies are compiled afresh and judge the input.
    #[test]
    fn a_foreign_or_damaged_program_is_recompiled() {
        let (first, _) = prepare_cached(&files(&[("a.rego", DENY_BIG)]), &[], None);
        let bytes = first.program_bytes().expect("a program to cache");
        let stricter = DENY_BIG.replace("> 3", "> 1");
        let with_warn = format!("{DENY_BIG}warn contains \"w\" if true\n");
        for other in [
            files(&[("a.rego", &stricter)]),
            files(&[("b.rego", DENY_BIG)]),
            files(&[("a.rego", &with_warn)]),
        ] {
            let (prepared, used) = prepare_cached(&other, &[], Some(&bytes));
            assert_eq!(used, CacheUse::Compiled);
            // The stricter policy's verdict, not the cached one's.
            if other[0].text == stricter {
                assert_eq!(results(prepared, 2), ["big"]);
            }
        }
        let mut damaged = bytes.clone();
        let middle = damaged.len() / 2;
        damaged.truncate(middle);
        let (_, used) = prepare_cached(&files(&[("a.rego", DENY_BIG)]), &[], Some(&damaged));
        assert_eq!(used, CacheUse::Compiled);
        let (_, used) = prepare_cached(&files(&[("a.rego", DENY_BIG)]), &[], Some(b"not a program"));
        assert_eq!(used, CacheUse::Compiled);
    }

    fn request(text: &str, input: serde_json::Value) -> Request {
        Request {
            policies: vec![PolicyFile {
                path: "p.rego".into(),
                text: text.into(),
            }],
            data: Vec::new(),
            input,
            limits: Limits::default(),
        }
    }

    #[test]
    fn conftest_rules_strings_and_objects() {
        let policy = r#"package aksplan.sample
import rego.v1
deny contains msg if { some c in input.clusters; c.v == "old"; msg := sprintf("cluster %s is old", [c.name]) }
warn_small contains {"msg": "small", "code": "TEAM-1", "path": "/spec/clusters/0", "help": "grow"} if count(input.clusters) < 5
violation contains {"msg": "v", "severity": "warning"} if true
helper := 1
"#;
        let input = serde_json::json!({"clusters": [{"name": "a", "v": "old"}, {"name": "b", "v": "new"}]});
        let response = evaluate_request(&request(policy, input));
        assert!(response.errors.is_empty(), "{:?}", response.errors);
        let msgs: Vec<(&str, Severity)> = response
            .results
            .iter()
            .map(|r| (r.msg.as_str(), r.severity))
            .collect();
        assert_eq!(
            msgs,
            [
                ("cluster a is old", Severity::Error),
                ("v", Severity::Warning),
                ("small", Severity::Warning)
            ]
        );
        let small = &response.results[2];
        assert_eq!(small.code.as_deref(), Some("TEAM-1"));
        assert_eq!(small.path.as_deref(), Some("/spec/clusters/0"));
        assert_eq!(small.rule, "data.aksplan.sample.warn_small");
    }

    #[test]
    fn data_documents_reach_the_policies() {
        let policy = r#"package aksplan.owners
import rego.v1
deny contains sprintf("no owner for %s", [name]) if { some name in input.clusters; not data.owners[name] }
"#;
        let mut req = request(policy, serde_json::json!({"clusters": ["a", "b"]}));
        req.data = vec![serde_json::json!({"owners": {"a": "team-a"}})];
        let response = evaluate_request(&req);
        let msgs: Vec<&str> = response.results.iter().map(|r| r.msg.as_str()).collect();
        assert_eq!(msgs, ["no owner for b"], "{response:?}");
    }

    #[test]
    fn exceptions_skip_rules_by_name() {
        let policy = r#"package main
import rego.v1
deny_latest contains "x" if true
deny_other contains "y" if true
exception contains rules if { rules := ["latest"] }
"#;
        let response = evaluate_request(&request(policy, serde_json::json!({})));
        let msgs: Vec<&str> = response.results.iter().map(|r| r.msg.as_str()).collect();
        assert_eq!(msgs, ["y"]);
    }

    #[test]
    fn exceptions_apply_across_packages_and_fail_closed() {
        let policies = |texts: &[&str]| Request {
            policies: texts
                .iter()
                .enumerate()
                .map(|(i, text)| PolicyFile {
                    path: format!("p{i}.rego"),
                    text: (*text).into(),
                })
                .collect(),
            data: Vec::new(),
            input: serde_json::json!({}),
            limits: Limits::default(),
        };
        // A team package excepts a rule of another package by name (docs/policies.md).
        let a = "package team.a\nimport rego.v1\nexception contains [\"latest\"] if true\n";
        let b = "package team.b\nimport rego.v1\ndeny_latest contains \"b\" if true\ndeny_other contains \"o\" if true\n";
        let response = evaluate_request(&policies(&[a, b]));
        let msgs: Vec<&str> = response.results.iter().map(|r| r.msg.as_str()).collect();
        assert_eq!(msgs, ["o"]);
        // An exception rule that fails is an error, not "nothing excepted".
        let broken = "package team.c\nimport rego.v1\ndeny_x contains \"c\" if true\nexception contains [name] if name := to_number(\"x\")\n";
        let response = evaluate_request(&policies(&[broken]));
        assert_eq!(response.errors.len(), 1, "{:?}", response.results);
        assert!(
            response.errors[0].rule.as_deref() == Some("data.team.c.exception"),
            "{:?}",
            response.errors
        );
    }

    #[test]
    fn malformed_results_are_errors_on_their_rule() {
        for (body, problem) in [
            ("deny contains 42 if true", "a number `42`"),
            ("deny contains {\"msg\": 42} if true", "`msg` is a number"),
            ("deny contains {\"message\": \"x\"} if true", "without `msg`"),
            (
                "deny contains {\"msg\": \"x\", \"path\": \"spec.x\"} if true",
                "not a JSON pointer",
            ),
            (
                "deny contains {\"msg\": \"x\", \"path\": \"/a/~2\"} if true",
                "`~` is written",
            ),
            (
                "deny contains {\"msg\": \"x\", \"code\": \"aks014\"} if true",
                "aksplan's own",
            ),
            (
                "deny contains {\"msg\": \"x\", \"severity\": \"fatal\"} if true",
                "`severity` is `fatal`",
            ),
            ("deny contains \"\" if true", "an empty message"),
            ("deny(x) := x", "is a function"),
        ] {
            let policy = format!("package bad\nimport rego.v1\n{body}\n");
            let response = evaluate_request(&request(&policy, serde_json::json!({})));
            assert!(response.results.is_empty(), "{body}: {response:?}");
            assert_eq!(response.errors.len(), 1, "{body}: {response:?}");
            let error = &response.errors[0];
            assert_eq!(error.kind, PolicyErrorKind::Result, "{body}");
            assert!(error.message.contains(problem), "{body}: {}", error.message);
            assert_eq!(error.location, Some(("p.rego".into(), 3, 1)), "{body}");
        }
        let fine = "package good\nimport rego.v1\ndeny contains {\"msg\": \"x\", \"path\": \"/spec/a~1b\", \"code\": \"TEAM-1\"} if true\n";
        assert!(
            evaluate_request(&request(fine, serde_json::json!({})))
                .errors
                .is_empty()
        );
    }

    #[test]
    fn an_unclosed_bracket_is_found_where_it_opens() {
        let text = "deny contains msg if {\n\tmsg := sprintf(\"(%s]\", [x] # ) in a comment\n}\n";
        let end = text.rfind('}').unwrap();
        let open = text.find("sprintf(").unwrap() + "sprintf".len();
        assert_eq!(
            unclosed_opener(text, end, "expecting `)` while parsing call expr"),
            Some((open, '('))
        );
        // Brackets in strings and comments do not count; nothing expected, nothing moved.
        assert_eq!(unclosed_opener(text, end, "expecting expression"), None);
        let raw = "x := `(` \n y := f(1";
        assert_eq!(
            unclosed_opener(raw, raw.len(), "unexpected end of file"),
            Some((raw.len() - 2, '('))
        );
    }

    #[test]
    fn syntax_errors_have_locations() {
        let errors = evaluate_request(&request(
            "package x\n\ndeny[msg] {\n  msg := 1\n}\n",
            serde_json::json!({}),
        ))
        .errors;
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].location, Some(("p.rego".into(), 3, 11)));
        assert_eq!(errors[0].kind, PolicyErrorKind::Syntax);
    }

    #[test]
    fn an_expensive_policy_hits_the_instruction_limit() {
        let policy = r#"package aksplan.expensive
import rego.v1
deny contains x if { some x in numbers.range(1, 2000000); x == -1 }
"#;
        let mut req = request(policy, serde_json::json!({}));
        req.limits = Limits {
            instructions: 100_000,
            time_ms: 2_000,
            ..Limits::default()
        };
        let response = evaluate_request(&req);
        assert_eq!(response.errors.len(), 1, "{response:?}");
        assert_eq!(
            response.errors[0].kind,
            PolicyErrorKind::Limit,
            "{:?}",
            response.errors
        );
        assert_eq!(
            response.errors[0].rule.as_deref(),
            Some("data.aksplan.expensive.deny")
        );
    }
}

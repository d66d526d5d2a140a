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

pub mod input;
pub mod testing;

use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use aksplan_model::codes::{Category, Code, CodeInfo};
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

/// What the child process is asked to do.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Request {
    pub policies: Vec<PolicyFile>,
    pub data: Vec<serde_json::Value>,
    pub input: serde_json::Value,
    pub limits: Limits,
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

/// Is `name` a conftest rule: `deny`, `violation`, `warn`, with an optional `_suffix`?
fn rule_severity(name: &str) -> Option<Severity> {
    let base = name.split('_').next().unwrap_or(name);
    match base {
        "deny" | "violation" => Some(Severity::Error),
        "warn" => Some(Severity::Warning),
        _ => None,
    }
}

/// Loads the policies into an engine; syntax errors come back at their file, line and column.
fn engine_for(
    policies: &[PolicyFile],
    data: &[serde_json::Value],
) -> Result<regorus::Engine, Vec<PolicyError>> {
    let mut engine = regorus::Engine::new();
    engine.set_strict_builtin_errors(true);
    let mut errors = Vec::new();
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

/// The conftest rules the policies declare, as `data.<package>.<rule>` paths, sorted.
fn declared_rules(engine: &mut regorus::Engine) -> Vec<(String, Severity)> {
    let mut rules: BTreeMap<String, Severity> = BTreeMap::new();
    for module in engine.get_modules().clone() {
        let package = module.package.refr.span().text().to_string();
        for rule in &module.policy {
            if let regorus::unstable::Rule::Spec { head, .. } = rule.as_ref() {
                let refr = match head {
                    regorus::unstable::RuleHead::Compr { refr, .. }
                    | regorus::unstable::RuleHead::Set { refr, .. }
                    | regorus::unstable::RuleHead::Func { refr, .. } => refr,
                };
                let name = refr.span().text().to_string();
                let base = name.split(['.', '[']).next().unwrap_or(&name).to_owned();
                if let Some(severity) = rule_severity(&base) {
                    rules.insert(format!("data.{package}.{base}"), severity);
                }
            }
        }
    }
    rules.into_iter().collect()
}

/// Checks that policies parse; errors at their location.
pub fn check_syntax(policies: &[PolicyFile]) -> Vec<PolicyError> {
    engine_for(policies, &[]).err().unwrap_or_default()
}

/// Evaluates every conftest rule of the policies on the input. Meant to run in a child process:
/// a runaway policy may still take the process down, which the caller reports.
pub fn evaluate_request(request: &Request) -> Response {
    evaluate_request_with_progress(request, &mut |_| {})
}

/// As `evaluate_request`, calling `progress(rule)` before each rule, so that a parent process
/// can name the rule that was running if this process dies.
pub fn evaluate_request_with_progress(request: &Request, progress: &mut dyn FnMut(&str)) -> Response {
    let mut response = Response::default();
    let mut engine = match engine_for(&request.policies, &request.data) {
        Ok(engine) => engine,
        Err(errors) => {
            response.errors = errors;
            return response;
        }
    };
    let rules = declared_rules(&mut engine);
    let input = regorus::Value::from(request.input.clone());
    let timer = regorus::utils::limits::ExecutionTimerConfig {
        limit: Duration::from_millis(request.limits.time_ms),
        check_interval: NonZeroU32::MIN,
    };
    // conftest `exception` rules: names of rules (without `deny_`/`warn_` prefix) to skip.
    let exceptions = exceptions(&mut engine, &input);
    for (rule, severity) in rules {
        let name = rule.rsplit('.').next().unwrap_or(&rule).to_owned();
        if exceptions.iter().any(|e| {
            *e == name
                || name
                    .strip_prefix("deny_")
                    .or(name.strip_prefix("warn_"))
                    .or(name.strip_prefix("violation_"))
                    == Some(e)
        }) {
            continue;
        }
        progress(&rule);
        let value = match evaluate_rule(&mut engine, &rule, &input, request.limits, timer) {
            Ok(value) => value,
            Err(err) => {
                response
                    .errors
                    .push(error(PolicyErrorKind::Runtime, &err, Some(&rule)));
                continue;
            }
        };
        let items: Vec<regorus::Value> = match &value {
            regorus::Value::Set(set) => set.iter().cloned().collect(),
            regorus::Value::Array(items) => items.iter().cloned().collect(),
            regorus::Value::Undefined => Vec::new(),
            other => vec![other.clone()],
        };
        for item in items {
            let json: serde_json::Value = serde_json::to_value(&item).unwrap_or(serde_json::Value::Null);
            response.results.push(to_result(&rule, severity, &json));
        }
    }
    response
        .results
        .sort_by(|a, b| (&a.rule, &a.msg, &a.path).cmp(&(&b.rule, &b.msg, &b.path)));
    response.results.dedup();
    response
}

fn exceptions(engine: &mut regorus::Engine, input: &regorus::Value) -> Vec<String> {
    let packages = engine.get_packages().unwrap_or_default();
    let mut names = Vec::new();
    for package in packages {
        engine.set_input(input.clone());
        if let Ok(value) = engine.eval_rule(format!("{package}.exception"))
            && let regorus::Value::Set(set) = value
        {
            for item in set.iter() {
                if let Ok(serde_json::Value::Array(parts)) = serde_json::to_value(item) {
                    names.extend(parts.iter().filter_map(|p| p.as_str().map(str::to_owned)));
                } else if let Ok(serde_json::Value::String(name)) = serde_json::to_value(item) {
                    names.push(name);
                }
            }
        }
    }
    names
}

fn evaluate_rule(
    engine: &mut regorus::Engine,
    rule: &str,
    input: &regorus::Value,
    limits: Limits,
    timer: regorus::utils::limits::ExecutionTimerConfig,
) -> anyhow_free::Result<regorus::Value> {
    // The VM enforces the instruction limit; policies it cannot compile fall back to the
    // interpreter, which enforces the time limit.
    let entry: regorus::Rc<str> = rule.into();
    if let Ok(compiled) = engine.compile_with_entrypoint(&entry)
        && let Ok(program) =
            regorus::languages::rego::compiler::Compiler::compile_from_policy(&compiled, &[rule])
    {
        let mut vm = regorus::rvm::vm::RegoVM::new();
        vm.load_program(program);
        vm.set_max_instructions(limits.instructions);
        vm.set_execution_timer_config(Some(timer));
        vm.set_input(input.clone());
        // The VM does not share the engine's data documents; hand them over (`--data`).
        vm.set_data(engine.get_data())
            .map_err(anyhow_free::Error::from_display)?;
        return vm
            .execute_entry_point_by_name(rule)
            .map_err(anyhow_free::Error::from_display);
    }
    engine.set_execution_timer_config(timer);
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

fn to_result(rule: &str, severity: Severity, value: &serde_json::Value) -> PolicyResult {
    let text = |key: &str| value.get(key).and_then(|v| v.as_str()).map(str::to_owned);
    match value {
        serde_json::Value::String(msg) => PolicyResult {
            rule: rule.to_owned(),
            severity,
            msg: msg.clone(),
            code: None,
            help: None,
            path: None,
        },
        serde_json::Value::Object(_) => PolicyResult {
            rule: rule.to_owned(),
            severity: match text("severity").as_deref() {
                Some("error") => Severity::Error,
                Some("warning" | "warn") => Severity::Warning,
                Some("info" | "note") => Severity::Info,
                _ => severity,
            },
            msg: text("msg").unwrap_or_else(|| value.to_string()),
            code: text("code"),
            help: text("help"),
            path: text("path"),
        },
        other => PolicyResult {
            rule: rule.to_owned(),
            severity,
            msg: other.to_string(),
            code: None,
            help: None,
            path: None,
        },
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

/// The code of problems with the policies themselves.
pub const POLICY_ERROR: Code = Code(&CodeInfo {
    id: "AKS300",
    title: "A policy cannot be evaluated",
    severity: Severity::Error,
    category: Category::Tool,
    docs: "## What it checks
Policies must parse (Rego v1), evaluate without runtime errors, and finish within the limits:
an instruction limit and a time limit per rule (`--policy-instructions`, `--policy-timeout`), and
a memory limit for the evaluator (`--policy-memory`). The message names the rule and the limit,
the help the flag that raises it. A policy that crashes the evaluator (for example a function that
calls itself forever, which OPA rejects at compile time) is reported here too.

## Why
A policy that cannot be evaluated says nothing about the plan: aksplan stops with exit code 2
rather than report a plan as compliant.

## Example
```rego
f(x) := f(x + 1)
deny contains \"loop\" if f(1)
```",
});

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
            };
            let subject = err
                .rule
                .as_deref()
                .map_or_else(|| "a policy".to_owned(), |r| format!("policy rule `{r}`"));
            let mut finding = Finding::new(POLICY_ERROR, format!("{subject} {what}: {}", err.message));
            if let Some((file, line, column)) = &err.location
                && let Some(source) = sources.get(file.as_str())
            {
                let offset = source.offset_of(*line, *column);
                finding = finding.at(Label::new(source, offset..offset));
            }
            if err.kind == PolicyErrorKind::Limit {
                let flag = if err.message.contains("instruction") {
                    "`--policy-instructions` (VM instructions per rule)"
                } else if err.message.contains("time limit") {
                    "`--policy-timeout` (milliseconds per rule)"
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
    fn syntax_errors_have_locations() {
        let errors = check_syntax(&[PolicyFile {
            path: "bad.rego".into(),
            text: "package x\n\ndeny[msg] {\n  msg := 1\n}\n".into(),
        }]);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].location, Some(("bad.rego".into(), 3, 11)));
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

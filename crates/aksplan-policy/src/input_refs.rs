//! Reading input that is never there: the policies' `input` paths checked against the input
//! document's schema (`schemas/policy-input.schema.json`) before anything is evaluated (AKS302).
//!
//! Rego reads a path that does not exist as undefined, and a `deny` whose body reads one never
//! fires. A policy written for version 1 of the document (`step.before.controlPlane`, where
//! version 2 has an index into the cluster's `states`) or with a typo (`input.cluster`) would let
//! every plan pass, silently. OPA catches such reads when given a schema (`opa check --schema`);
//! regorus has no type checker, so this walks every rule, follows `input` through the variables
//! bound to it (`x := input.a`, `some x in input.a`, `every x in input.a`, comprehensions) and
//! through the package's helper rules (`steps := input.steps`, `prod contains c if ...`,
//! `names := [c.name | ...]`), and reports a field or element that the schema says no document
//! has.
//!
//! Only what is certain is reported: a path that reaches a part the schema leaves open (the plan
//! as written, a step's `settings`), or that goes through a function's argument, a rule of
//! another package, or a rule with a default or any definition whose value is not a path into
//! the input, is not followed further. The schema is closed wherever the document is exact (every
//! object with `properties` also says `additionalProperties`), and the CLI's tests validate the
//! documents of every fixture against it, so "the schema has no such field" means "no document
//! has it".

use std::collections::BTreeMap;
use std::sync::OnceLock;

use regorus::unstable::{Expr, Literal, Module, Query, Ref, Rule, RuleHead};
use serde_json::Value as Json;

use crate::{PolicyError, PolicyErrorKind};

/// The schema of the input document, as the repository keeps it.
const SCHEMA: &str = include_str!("../../../schemas/policy-input.schema.json");

fn schema() -> Option<&'static Json> {
    static PARSED: OnceLock<Option<Json>> = OnceLock::new();
    PARSED.get_or_init(|| serde_json::from_str(SCHEMA).ok()).as_ref()
}

/// The reads of `input` in `modules` that no input document can satisfy, one error each, in file
/// order. Test files (`*_test.rego`) give their rules their own input and are left out.
pub fn misreads(modules: &[Ref<Module>]) -> Vec<PolicyError> {
    let Some(schema) = schema() else {
        return Vec::new();
    };
    let modules: Vec<&Ref<Module>> = modules
        .iter()
        .filter(|m| !m.package.span.source.get_path().ends_with("_test.rego"))
        .collect();
    let mut checker = Checker {
        schema,
        rule: None,
        package: String::new(),
        helpers: BTreeMap::new(),
        collecting: true,
        misses: BTreeMap::new(),
    };
    // The helper rules' values first, and again when there are any, so that a helper may read
    // another.
    checker.helpers = checker.helpers_of(&modules);
    if !checker.helpers.is_empty() {
        checker.helpers = checker.helpers_of(&modules);
    }
    checker.collecting = false;
    for module in modules {
        checker.package = module.package.refr.span().text().to_owned();
        for rule in &module.policy {
            let base = rule_name(rule);
            checker.rule = Some(format!("data.{}.{base}", checker.package));
            checker.rule(rule);
        }
    }
    checker.misses.into_values().collect()
}

/// What a path may be: some of the schema's alternatives, anything (the schema does not say), or
/// a collection a policy made (a set rule, a comprehension) of paths.
#[derive(Clone)]
enum Shape<'s> {
    Open,
    Some(Vec<&'s Json>),
    Elements(Box<Path<'s>>),
}

/// A path into the document: its shape and how a message shows it (`input.clusters[_].pools`).
#[derive(Clone)]
struct Path<'s> {
    shape: Shape<'s>,
    text: String,
}

/// The variables of the scope being walked: bound to a path into the input, or (`None`) to
/// something else, which hides a helper rule of the same name.
type Env<'s> = BTreeMap<String, Option<Path<'s>>>;

struct Checker<'s> {
    schema: &'s Json,
    /// The rule being walked (`data.team.deny`), to name in a report.
    rule: Option<String>,
    /// The package being walked.
    package: String,
    /// The helper rules whose value is a path into the input, by package, then name.
    helpers: BTreeMap<String, BTreeMap<String, Path<'s>>>,
    /// Finding the helpers' values: nothing is reported yet.
    collecting: bool,
    /// By place (file, line, column), so that a place reported twice is reported once.
    misses: BTreeMap<(String, u32, u32), PolicyError>,
}

/// One step along a reference: `.name`, `["name"]`, `[0]`, or `[x]`.
enum Segment<'a> {
    Field(String),
    Index(&'a Expr),
}

impl<'s> Checker<'s> {
    fn rule(&mut self, rule: &Ref<Rule>) {
        match rule.as_ref() {
            Rule::Spec { head, bodies, .. } => {
                // A function whose parameter is called `input` reads its argument, not the input.
                if let RuleHead::Func { args, .. } = head
                    && args.iter().any(|arg| var_name(arg) == Some("input"))
                {
                    return;
                }
                let start = params(head);
                if bodies.is_empty() {
                    self.head(head, &mut start.clone());
                }
                for body in bodies {
                    let mut env = start.clone();
                    self.query(&body.query, &mut env);
                    self.head(head, &mut env);
                    if let Some(assign) = &body.assign {
                        self.expr(&assign.value, &mut env);
                    }
                }
            }
            Rule::Default { value, .. } => {
                self.expr(value, &mut Env::new());
            }
        }
    }

    /// The head's key and value, read once the body has bound its variables.
    fn head(&mut self, head: &RuleHead, env: &mut Env<'s>) {
        match head {
            RuleHead::Compr { assign, .. } | RuleHead::Func { assign, .. } => {
                if let Some(assign) = assign {
                    self.expr(&assign.value, env);
                }
            }
            RuleHead::Set { key, .. } => {
                if let Some(key) = key {
                    self.expr(key, env);
                }
            }
        }
    }

    fn query(&mut self, query: &Query, env: &mut Env<'s>) {
        for stmt in &query.stmts {
            // `... with input as x` reads `x`, not the document.
            if stmt
                .with_mods
                .iter()
                .any(|with| root_name(&with.refr) == Some("input"))
            {
                for with in &stmt.with_mods {
                    self.expr(&with.r#as, env);
                }
                continue;
            }
            match &stmt.literal {
                Literal::SomeVars { vars, .. } => {
                    for var in vars {
                        env.insert(var.text().to_owned(), None);
                    }
                }
                Literal::SomeIn {
                    key,
                    value,
                    collection,
                    ..
                } => {
                    let collection = self.expr(collection, env);
                    if let Some(key) = key {
                        shadow(key, env);
                    }
                    match (var_name(value), collection) {
                        (Some(name), Some(collection)) => {
                            let element = self.element(&collection).ok();
                            env.insert(name.to_owned(), element);
                        }
                        _ => shadow(value, env),
                    }
                }
                Literal::Expr { expr, .. } => {
                    if let Expr::AssignExpr { lhs, rhs, .. } = expr.as_ref()
                        && let Some(name) = var_name(lhs)
                    {
                        let path = self.expr(rhs, env);
                        env.insert(name.to_owned(), path);
                    } else {
                        self.expr(expr, env);
                        if let Expr::AssignExpr { lhs, .. } = expr.as_ref() {
                            shadow(lhs, env);
                        }
                    }
                }
                Literal::NotExpr { expr, .. } => {
                    self.expr(expr, env);
                }
                Literal::Every {
                    key,
                    value,
                    domain,
                    query,
                    ..
                } => {
                    let domain = self.expr(domain, env);
                    let mut inner = env.clone();
                    if let Some(key) = key {
                        inner.insert(key.text().to_owned(), None);
                    }
                    let element = domain.and_then(|d| self.element(&d).ok());
                    inner.insert(value.text().to_owned(), element);
                    self.query(query, &mut inner);
                }
            }
        }
    }

    /// Checks the reads in `expr`; the path it reads when it is a reference into the input.
    fn expr(&mut self, expr: &Ref<Expr>, env: &mut Env<'s>) -> Option<Path<'s>> {
        match expr.as_ref() {
            Expr::RefDot { .. } | Expr::RefBrack { .. } | Expr::Var { .. } => self.reference(expr, env),
            Expr::ArrayCompr { term, query, .. } | Expr::SetCompr { term, query, .. } => {
                let mut inner = env.clone();
                self.query(query, &mut inner);
                self.expr(term, &mut inner).map(|term| Path {
                    text: format!("[{} | ...]", term.text),
                    shape: Shape::Elements(Box::new(term)),
                })
            }
            Expr::ObjectCompr {
                key, value, query, ..
            } => {
                let mut inner = env.clone();
                self.query(query, &mut inner);
                self.expr(key, &mut inner);
                self.expr(value, &mut inner);
                None
            }
            Expr::Array { items, .. } | Expr::Set { items, .. } => {
                for item in items {
                    self.expr(item, env);
                }
                None
            }
            Expr::Object { fields, .. } => {
                for (_, key, value) in fields {
                    self.expr(key, env);
                    self.expr(value, env);
                }
                None
            }
            Expr::Call { params, .. } => {
                for param in params {
                    self.expr(param, env);
                }
                None
            }
            Expr::UnaryExpr { expr, .. } => {
                self.expr(expr, env);
                None
            }
            Expr::BinExpr { lhs, rhs, .. }
            | Expr::BoolExpr { lhs, rhs, .. }
            | Expr::ArithExpr { lhs, rhs, .. }
            | Expr::AssignExpr { lhs, rhs, .. } => {
                self.expr(lhs, env);
                self.expr(rhs, env);
                None
            }
            Expr::Membership {
                key,
                value,
                collection,
                ..
            } => {
                if let Some(key) = key {
                    self.expr(key, env);
                }
                self.expr(value, env);
                self.expr(collection, env);
                None
            }
            _ => None,
        }
    }

    /// A reference (`input.a[x].b`, `c.pools`): its indexes checked, then each step along it.
    fn reference(&mut self, expr: &Ref<Expr>, env: &mut Env<'s>) -> Option<Path<'s>> {
        let mut segments = Vec::new();
        let mut at = expr;
        let root = loop {
            match at.as_ref() {
                Expr::RefDot { refr, field, .. } => {
                    let name = match &field.1 {
                        regorus::Value::String(name) => name.to_string(),
                        _ => field.0.text().to_owned(),
                    };
                    segments.push((Segment::Field(name), at));
                    at = refr;
                }
                Expr::RefBrack { refr, index, .. } => {
                    segments.push((Segment::Index(index.as_ref()), at));
                    self.expr(index, env);
                    at = refr;
                }
                Expr::Var { span, .. } => break span.text().to_owned(),
                _ => {
                    self.expr(at, env);
                    return None;
                }
            }
        };
        segments.reverse();
        let mut path = if root == "input" {
            Path {
                shape: resolve(self.schema, self.schema).map_or(Shape::Open, Shape::Some),
                text: "input".to_owned(),
            }
        } else {
            match env.get(&root) {
                Some(bound) => bound.clone()?,
                None => self.helpers.get(&self.package)?.get(&root)?.clone(),
            }
        };
        for (segment, node) in segments {
            if matches!(path.shape, Shape::Open) {
                return Some(path);
            }
            let next = match &segment {
                Segment::Field(name) => self.field(&path, name),
                Segment::Index(index) => match index {
                    Expr::String { value, .. } | Expr::RawString { value, .. } => match value {
                        regorus::Value::String(name) => self.field(&path, name),
                        _ => self.element(&path),
                    },
                    _ => self.element(&path),
                },
            };
            match next {
                Ok(next) => path = next,
                Err(_) if self.collecting => return None,
                Err(why) => {
                    let span = node.span();
                    let file = span.source.get_path().clone();
                    self.misses
                        .entry((file.clone(), span.line, span.col))
                        .or_insert_with(|| PolicyError {
                            kind: PolicyErrorKind::Input,
                            message: why,
                            rule: self.rule.clone(),
                            location: Some((file, span.line as usize, span.col as usize)),
                        });
                    return None;
                }
            }
        }
        Some(path)
    }

    /// `path.name`, or why no document has it.
    fn field(&self, path: &Path<'s>, name: &str) -> Result<Path<'s>, String> {
        // A set's `s.name` is a membership test, not a field: not followed.
        let Shape::Some(alternatives) = &path.shape else {
            return Ok(open(path, &format!(".{name}")));
        };
        let mut found = Vec::new();
        let mut known: Vec<&str> = Vec::new();
        let mut objects = false;
        for alt in alternatives {
            if !types(alt).contains(&"object") {
                continue;
            }
            objects = true;
            if let Some(property) = alt.get("properties").and_then(|p| p.get(name)) {
                match resolve(self.schema, property) {
                    None => return Ok(open(path, &format!(".{name}"))),
                    Some(more) => found.extend(more),
                }
                continue;
            }
            match alt.get("additionalProperties") {
                Some(Json::Bool(false)) => {
                    if let Some(properties) = alt.get("properties").and_then(Json::as_object) {
                        known.extend(properties.keys().map(String::as_str));
                    }
                }
                Some(schema @ Json::Object(_)) => match resolve(self.schema, schema) {
                    None => return Ok(open(path, &format!(".{name}"))),
                    Some(more) => found.extend(more),
                },
                _ => return Ok(open(path, &format!(".{name}"))),
            }
        }
        if !found.is_empty() {
            return Ok(Path {
                shape: Shape::Some(found),
                text: format!("{}.{name}", path.text),
            });
        }
        Err(if objects {
            known.sort_unstable();
            known.dedup();
            let candidates: Vec<String> = known.iter().map(|k| (*k).to_owned()).collect();
            match aksplan_model::schema::closest(name, &candidates) {
                Some(close) => format!("`{}` has no `{name}`; did you mean `{close}`?", path.text),
                None => format!("`{}` has no `{name}` (it has {})", path.text, list(&known)),
            }
        } else {
            format!(
                "`{}` is {}, so `.{name}` reads nothing",
                path.text,
                kinds(alternatives)
            )
        })
    }

    /// `path[x]`: an item of an array, a value of an object; or why there is none.
    fn element(&self, path: &Path<'s>) -> Result<Path<'s>, String> {
        let alternatives = match &path.shape {
            Shape::Some(alternatives) => alternatives,
            Shape::Elements(element) => return Ok((**element).clone()),
            Shape::Open => return Ok(open(path, "[_]")),
        };
        let mut found = Vec::new();
        for alt in alternatives {
            let types = types(alt);
            if types.contains(&"array") {
                match alt.get("items").and_then(|items| resolve(self.schema, items)) {
                    Some(more) => found.extend(more),
                    None => return Ok(open(path, "[_]")),
                }
            }
            if types.contains(&"object") {
                if let Some(properties) = alt.get("properties").and_then(Json::as_object) {
                    for property in properties.values() {
                        match resolve(self.schema, property) {
                            None => return Ok(open(path, "[_]")),
                            Some(more) => found.extend(more),
                        }
                    }
                }
                match alt.get("additionalProperties") {
                    Some(Json::Bool(false)) => {}
                    Some(schema @ Json::Object(_)) => match resolve(self.schema, schema) {
                        None => return Ok(open(path, "[_]")),
                        Some(more) => found.extend(more),
                    },
                    _ => return Ok(open(path, "[_]")),
                }
            }
        }
        if found.is_empty() {
            return Err(format!(
                "`{}` is {}, so `[_]` reads nothing",
                path.text,
                kinds(alternatives)
            ));
        }
        Ok(Path {
            shape: Shape::Some(found),
            text: format!("{}[_]", path.text),
        })
    }
}

impl<'s> Checker<'s> {
    /// The package's rules whose every definition's value is a path into the input: `name :=
    /// <path>` (or a comprehension of paths), and `name contains <path> if ...` (a set of them).
    /// A rule with a default, a function, a rule whose head has several parts (`a.b := ...`) or
    /// any other definition is left out.
    fn helpers_of(&mut self, modules: &[&Ref<Module>]) -> BTreeMap<String, BTreeMap<String, Path<'s>>> {
        let mut found: BTreeMap<(String, String), Option<Path<'s>>> = BTreeMap::new();
        for module in modules {
            self.package = module.package.refr.span().text().to_owned();
            for rule in &module.policy {
                let name = rule_name(rule);
                // conftest's rules are what aksplan reads, not what other rules build on.
                if crate::rule_severity(&name).is_some() || name == "exception" {
                    continue;
                }
                let key = (self.package.clone(), name);
                let value = self.helper_value(rule);
                let merged = match (found.remove(&key), value) {
                    (None, value) => value,
                    (Some(Some(a)), Some(b)) => union(a, b),
                    _ => None,
                };
                found.insert(key, merged);
            }
        }
        let mut helpers: BTreeMap<String, BTreeMap<String, Path<'s>>> = BTreeMap::new();
        for ((package, name), path) in found {
            if let Some(path) = path {
                helpers.entry(package).or_default().insert(name, path);
            }
        }
        helpers
    }

    /// The value of one definition of a helper rule, when it is a path into the input.
    fn helper_value(&mut self, rule: &Ref<Rule>) -> Option<Path<'s>> {
        let Rule::Spec { head, bodies, .. } = rule.as_ref() else {
            return None;
        };
        let (refr, value, set) = match head {
            RuleHead::Compr { refr, assign, .. } => (refr, &assign.as_ref()?.value, false),
            RuleHead::Set { refr, key, .. } => (refr, key.as_ref()?, true),
            RuleHead::Func { .. } => return None,
        };
        var_name(refr)?;
        let mut paths = Vec::new();
        if bodies.is_empty() {
            paths.push(self.expr(value, &mut Env::new())?);
        }
        for body in bodies {
            let mut env = Env::new();
            self.query(&body.query, &mut env);
            let value = body.assign.as_ref().map_or(value, |assign| &assign.value);
            paths.push(self.expr(value, &mut env)?);
        }
        let mut paths = paths.into_iter();
        let first = paths.next()?;
        let path = paths.try_fold(first, union)?;
        Some(if set {
            Path {
                text: format!("{{{} | ...}}", path.text),
                shape: Shape::Elements(Box::new(path)),
            }
        } else {
            path
        })
    }
}

/// Either of two paths (two definitions of one rule).
fn union<'s>(a: Path<'s>, b: Path<'s>) -> Option<Path<'s>> {
    let shape = match (a.shape, b.shape) {
        (Shape::Some(mut x), Shape::Some(y)) => {
            x.extend(y);
            Shape::Some(x)
        }
        (Shape::Elements(x), Shape::Elements(y)) => Shape::Elements(Box::new(union(*x, *y)?)),
        _ => Shape::Open,
    };
    Some(Path { shape, text: a.text })
}

/// The variables a function's parameters bind: locals, which hide helper rules.
fn params<'s>(head: &RuleHead) -> Env<'s> {
    let mut env = Env::new();
    if let RuleHead::Func { args, .. } = head {
        for arg in args {
            shadow(arg, &mut env);
        }
    }
    env
}

/// Binds the variables of a pattern (`x`, `[a, {"k": b}]`) to something that is not a path.
fn shadow(pattern: &Ref<Expr>, env: &mut Env<'_>) {
    match pattern.as_ref() {
        Expr::Var { span, .. } => {
            env.insert(span.text().to_owned(), None);
        }
        Expr::Array { items, .. } | Expr::Set { items, .. } => {
            for item in items {
                shadow(item, env);
            }
        }
        Expr::Object { fields, .. } => {
            for (_, _, value) in fields {
                shadow(value, env);
            }
        }
        _ => {}
    }
}

/// A rule's name: the first part of its head (`deny` of `deny contains ...`).
pub(crate) fn rule_name(rule: &Ref<Rule>) -> String {
    let name = match rule.as_ref() {
        Rule::Spec { head, .. } => match head {
            RuleHead::Compr { refr, .. } | RuleHead::Set { refr, .. } | RuleHead::Func { refr, .. } => {
                refr.span().text().to_owned()
            }
        },
        Rule::Default { refr, .. } => refr.span().text().to_owned(),
    };
    name.split(['.', '[']).next().unwrap_or(&name).to_owned()
}

/// A path past which the schema says nothing.
fn open<'s>(path: &Path<'s>, step: &str) -> Path<'s> {
    Path {
        shape: Shape::Open,
        text: format!("{}{step}", path.text),
    }
}

/// The alternatives a schema node stands for (`$ref` followed, `oneOf`/`anyOf` spread), or
/// `None` when one of them leaves the value's type unsaid.
fn resolve<'s>(root: &'s Json, node: &'s Json) -> Option<Vec<&'s Json>> {
    let mut out = Vec::new();
    let mut pending = vec![node];
    let mut steps = 0;
    while let Some(node) = pending.pop() {
        steps += 1;
        if steps > 64 {
            return None;
        }
        if let Some(target) = node.get("$ref").and_then(Json::as_str) {
            match target
                .strip_prefix("#/")
                .and_then(|pointer| root.pointer(&format!("/{pointer}")))
            {
                Some(found) => pending.push(found),
                None => return None,
            }
            continue;
        }
        if let Some(alternatives) = node
            .get("oneOf")
            .or_else(|| node.get("anyOf"))
            .and_then(Json::as_array)
        {
            pending.extend(alternatives);
            continue;
        }
        if types(node).is_empty() {
            return None;
        }
        out.push(node);
    }
    Some(out)
}

/// The JSON types a schema node allows (`type`, else what its keywords imply); empty when it
/// does not say.
fn types(node: &Json) -> Vec<&str> {
    match node.get("type") {
        Some(Json::String(t)) => vec![t.as_str()],
        Some(Json::Array(ts)) => ts.iter().filter_map(Json::as_str).collect(),
        _ if node.get("properties").is_some() || node.get("additionalProperties").is_some() => {
            vec!["object"]
        }
        _ if node.get("items").is_some() => vec!["array"],
        _ => match node.get("const") {
            Some(Json::String(_)) => vec!["string"],
            Some(Json::Number(_)) => vec!["number"],
            Some(Json::Bool(_)) => vec!["boolean"],
            Some(Json::Null) => vec!["null"],
            _ => Vec::new(),
        },
    }
}

/// "a string", "an integer or null", for a message.
fn kinds(alternatives: &[&Json]) -> String {
    let mut names: Vec<&str> = alternatives
        .iter()
        .flat_map(|alt| types(alt))
        .map(|t| match t {
            "string" => "a string",
            "integer" => "an integer",
            "number" => "a number",
            "boolean" => "a boolean",
            "null" => "null",
            "array" => "an array",
            _ => "an object",
        })
        .collect();
    names.dedup();
    names.join(" or ")
}

/// "`a`, `b` and `c`" (at most twelve, then "...").
fn list(names: &[&str]) -> String {
    let shown: Vec<String> = names.iter().take(12).map(|n| format!("`{n}`")).collect();
    let more = if names.len() > 12 { ", ..." } else { "" };
    match shown.split_last() {
        None => "no fields".to_owned(),
        Some((last, [])) => format!("{last}{more}"),
        Some((last, rest)) => format!("{} and {last}{more}", rest.join(", ")),
    }
}

fn var_name(expr: &Ref<Expr>) -> Option<&str> {
    match expr.as_ref() {
        Expr::Var { span, .. } => Some(span.text()),
        _ => None,
    }
}

/// The variable a reference starts from (`input` of `input.a.b`).
fn root_name(expr: &Ref<Expr>) -> Option<&str> {
    let mut at = expr;
    loop {
        match at.as_ref() {
            Expr::RefDot { refr, .. } | Expr::RefBrack { refr, .. } => at = refr,
            Expr::Var { span, .. } => return Some(span.text()),
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    /// The misreads of one policy file: (line, message).
    fn misread(text: &str) -> Vec<(usize, String)> {
        misread_in("team.rego", text)
    }

    fn misread_in(path: &str, text: &str) -> Vec<(usize, String)> {
        let mut engine = regorus::Engine::new();
        engine.add_policy(path.to_owned(), text.to_owned()).unwrap();
        misreads(engine.get_modules())
            .into_iter()
            .map(|e| {
                assert_eq!(e.kind, PolicyErrorKind::Input);
                assert!(
                    e.rule.as_deref().is_some_and(|r| r.starts_with("data.team.")),
                    "{e:?}"
                );
                (e.location.unwrap().1, e.message)
            })
            .collect()
    }

    const HEAD: &str = "package team\n\nimport rego.v1\n\n";

    /// The misreads are these, in order: each at its line, its message saying what it names.
    fn expect(found: &[(usize, String)], expected: &[(usize, &str)]) {
        let lines: Vec<usize> = found.iter().map(|(line, _)| *line).collect();
        let wanted: Vec<usize> = expected.iter().map(|(line, _)| *line).collect();
        assert_eq!(lines, wanted, "{found:#?}");
        for ((_, message), (_, fragment)) in found.iter().zip(expected) {
            assert!(message.contains(fragment), "{message}");
        }
    }

    /// Version 1 of the document: steps under clusters and pools as objects, `before`/`after` as
    /// states, the schedule's `placements`. Each read is reported at its line.
    #[test]
    fn reads_of_the_first_input_document_are_reported_where_they_are() {
        let policy = format!(
            "{HEAD}deny contains id if {{
\tsome id, step in input.steps
\tstep.before.controlPlane == \"1.29\"
}}

deny_pool contains p.name if {{
\tsome c in input.clusters
\tsome p in c.pools
\tp.steps[_].type == \"poolUpgrade\"
}}

warn contains x if {{
\tsome x in input.schedule.placements
}}

deny_after contains s if {{
\tsome c in input.clusters
\tevery s in c.steps {{ s.after.pools.system == \"1.30\" }}
}}
"
        );
        expect(
            &misread(&policy),
            &[
                (7, "`input.steps[_].before` is an integer"),
                (13, "`input.clusters[_].pools[_].steps[_]` is a string"),
                (17, "`input.schedule` has no `placements`"),
                (22, "`input.clusters[_].steps[_]` is a string"),
            ],
        );
    }

    /// Through the package's helper rules: a value (`steps := input.steps`), a set, a
    /// comprehension, one helper built on another. Not through a helper with a default, or a name
    /// a local variable or a parameter hides.
    #[test]
    fn reads_through_helper_rules_are_followed_where_they_are_certain() {
        let policy = format!(
            "{HEAD}steps := input.steps

prod contains c if {{
\tsome c in input.clusters
\tstartswith(c.stage, \"prod\")
}}

names := [c.name | some c in input.clusters]

every_step := [s | some s in steps]

deny contains id if {{
\tsome id, s in steps
\ts.before.controlPlane == \"1.29\"
}}

deny_prod contains c.nme if {{
\tsome c in prod
}}

deny_names contains n if {{
\tsome n in names
\tn.first
}}

deny_chain contains s.id if {{
\tsome s in every_step
\ts.after.pools
}}

default windows := []

windows := input.changeWindows

deny_default contains w if {{
\tsome w in windows
\tw.whatever
}}

deny_local contains x if {{
\tsteps := [{{\"before\": {{\"controlPlane\": 1}}}}]
\tsome s in steps
\tx := s.before.controlPlane
}}

f(steps) := steps[_].before.controlPlane

deny_param contains x if x := f([{{\"before\": {{\"controlPlane\": 1}}}}])
"
        );
        expect(
            &misread(&policy),
            &[
                (18, "`input.steps[_].before` is an integer"),
                (21, "did you mean `name`?"),
                (27, "`input.clusters[_].name` is a string"),
                (32, "`input.steps[_].after` is an integer"),
            ],
        );
    }

    #[test]
    fn a_misspelt_field_gets_the_closest_one() {
        let found = misread(&format!(
            "{HEAD}deny contains c.name if {{\n\tsome c in input.cluster\n}}\n"
        ));
        assert_eq!(found.len(), 1);
        assert!(found[0].1.contains("did you mean `clusters`?"), "{}", found[0].1);
        // `pools` is a map by name: any name is a pool, whose fields are known.
        let found = misread(&format!(
            "{HEAD}deny contains \"x\" if input.clusters.aks.pools.web.count > 3\n"
        ));
        assert!(found.is_empty(), "{found:?}");
        let found = misread(&format!(
            "{HEAD}deny contains \"x\" if input.clusters.aks.pools.web.mxSurge\n"
        ));
        assert!(
            found[0]
                .1
                .contains("`input.clusters.aks.pools.web` has no `mxSurge`"),
            "{found:?}"
        );
        let found = misread(&format!(
            "{HEAD}deny contains \"x\" if input.clusters.aks.pools.web.upgradeSettings.mxSurge\n"
        ));
        assert!(found[0].1.contains("did you mean `maxSurge`?"), "{found:?}");
    }

    /// Version 2 reads, through every way a variable is bound, find nothing to report; nor do
    /// the parts the schema leaves open, functions' arguments, other rules, `with input as`, test
    /// files and a function whose parameter is called `input`.
    #[test]
    fn what_the_document_has_or_the_schema_leaves_open_is_not_reported() {
        let policy = format!(
            "{HEAD}deny contains msg if {{
\tsome name, c in input.clusters
\tsome id in c.steps
\tstep := input.steps[id]
\tafter := c.states[step.after]
\tafter.controlPlane == \"1.36\"
\tstep.placement.window == 0
\tmsg := sprintf(\"%s %s %s\", [name, step.provenance.reason, c.route.hops[0]])
}}

warn contains p.pointer if {{
\tsome c in input.clusters
\tp := c.pools[_]
\tevery id in p.steps {{ input.steps[id].type == \"poolUpgrade\" }}
\tsurges := [s.maxSurge | some s in [p.upgradeSettings]]
\tcount(surges) > 0
\tinput.plan.spec.anything.at.all
\tinput.steps[\"aks/cp/1.36\"].settings.anything
\tinput.schedule.windows[_].usedMinutes > 0
\tinput.schedule.channelWindows[_].configuration
}}

helper(x) := x.no.such.thing

deny_helper contains \"h\" if helper(input.clusters)

names := {{c.name | some c in input.clusters}}

deny_names contains n if {{
\tsome n in names
\tnames.whatever
}}

deny_with contains \"w\" if {{
\tdata.team.names with input as {{\"cluster\": 1}}
}}

f(input) := input.whatever
"
        );
        assert_eq!(misread(&policy), []);
        let test_file = format!("{HEAD}test_it if {{ input.cluster }}\n");
        assert_eq!(misread_in("team_test.rego", &test_file), []);
    }

    /// The starter pack reads only what the document has.
    #[test]
    fn the_starter_pack_reads_only_what_is_there() {
        let mut engine = regorus::Engine::new();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies/aksplan");
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.to_string_lossy().into_owned();
            if name.ends_with(".rego") && !name.ends_with("_test.rego") {
                engine
                    .add_policy(name, std::fs::read_to_string(&path).unwrap())
                    .unwrap();
            }
        }
        assert!(!engine.get_modules().is_empty());
        assert_eq!(misreads(engine.get_modules()), []);
    }
}

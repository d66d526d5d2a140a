//! The plan's JSON Schema (generated from the types in `plan`) and validation against it.
//!
//! Validation runs on the raw parsed value, before typed deserialization, so that every
//! structural problem is reported at once and at its place, and so that an unquoted version (a
//! number in the raw value) is caught as such. Each `jsonschema` error is mapped to a finding:
//! unknown fields get a "did you mean", wrong enumeration values the closest allowed value.

use std::sync::OnceLock;

use serde_json::Value;

use crate::codes;
use crate::finding::Finding;
use crate::plan::Plan;
use crate::source::{Document, escape_pointer_segment};

/// The schema's `$id`, also the URL editors can point `yaml-language-server` at.
pub const PLAN_SCHEMA_ID: &str = "https://aksplan.dev/schemas/plan.schema.json";

/// The plan schema as JSON (draft 2020-12).
pub fn plan_schema() -> Value {
    // Optional fields are "absent", not "null": without `null` in their types, a wrong value gets
    // a plain enum/type error instead of an `anyOf` that hides which branch was meant.
    let mut schema = schemars::schema_for!(Plan).to_value();
    remove_null(&mut schema);
    if let Some(object) = schema.as_object_mut() {
        object.insert("$id".into(), Value::from(PLAN_SCHEMA_ID));
    }
    schema
}

/// The schema as the text checked in at `schemas/plan.schema.json`.
pub fn plan_schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&plan_schema()).unwrap_or_default();
    text.push('\n');
    text
}

/// Drops the `null` alternative schemars adds for `Option` fields (see `plan_schema`).
fn remove_null(node: &mut Value) {
    match node {
        Value::Object(map) => {
            // schemars marks u32 fields with a `format` that validators ignore; state the bound so a
            // too-large count is a schema error at its place, not a deserializer message.
            if map.get("format").and_then(Value::as_str) == Some("uint32") && !map.contains_key("maximum") {
                map.insert("maximum".into(), Value::from(u32::MAX));
            }
            if let Some(Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    map.insert("type".into(), only);
                }
            }
            let single = match map.get_mut("anyOf") {
                Some(Value::Array(branches)) => {
                    branches.retain(|b| b.get("type").and_then(Value::as_str) != Some("null"));
                    (branches.len() == 1).then(|| branches.remove(0))
                }
                _ => None,
            };
            if let Some(Value::Object(branch)) = single {
                map.remove("anyOf");
                for (key, value) in branch {
                    map.entry(key).or_insert(value);
                }
            }
            map.values_mut().for_each(remove_null);
        }
        Value::Array(items) => items.iter_mut().for_each(remove_null),
        _ => {}
    }
}

/// The schema a plan is checked against: the checked-in `schemas/plan.schema.json`, embedded.
/// `cargo xtask codegen --check` (CI) and a test keep it equal to [`plan_schema`]; embedding it
/// spares every run generating the schema from the types (a tenth of a one-cluster run).
static EMBEDDED: &str = include_str!("../../../schemas/plan.schema.json");

fn embedded_schema() -> Option<&'static Value> {
    static SCHEMA: OnceLock<Option<Value>> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            serde_json::from_str(EMBEDDED)
                .ok()
                .or_else(|| Some(plan_schema()))
        })
        .as_ref()
}

/// The plan schema's validator, built once per process, and only when a plan needs it: one the
/// types refuse, or that holds a `null` (`load::load_plan`). Building it (jsonschema checks the
/// schema against the 2020-12 meta-schema and compiles every keyword, and cannot keep the result
/// between processes) is 3–5 ms of CPU, more than a one-cluster plan costs to check.
static VALIDATOR: OnceLock<Option<jsonschema::Validator>> = OnceLock::new();

/// Whether this process has built the validator (for the test that a valid plan never does).
#[doc(hidden)]
pub fn validator_ready() -> bool {
    VALIDATOR.get().is_some()
}

fn validator() -> Option<&'static jsonschema::Validator> {
    VALIDATOR.get_or_init(build_validator).as_ref()
}

fn build_validator() -> Option<jsonschema::Validator> {
    jsonschema::draft202012::options().build(embedded_schema()?).ok()
}

/// Debug builds (the tests, the fuzzer): the schema's errors on a value, from a validator of this
/// check's own, so that [`validator_ready`] still says whether the run itself needed one. A plan
/// read without the schema is checked against it here, on every plan every test reads.
#[cfg(debug_assertions)]
pub(crate) fn debug_schema_errors(value: &Value) -> Vec<String> {
    static CHECK: OnceLock<Option<jsonschema::Validator>> = OnceLock::new();
    match CHECK.get_or_init(build_validator) {
        Some(validator) => validator
            .iter_errors(value)
            .map(|error| format!("{}: {error}", error.instance_path().as_str()))
            .collect(),
        None => vec!["the embedded schema cannot be used".to_owned()],
    }
}

/// Fields whose values are Kubernetes versions; a number there is an unquoted version.
fn is_version_field(pointer: &str) -> bool {
    let last = pointer.rsplit('/').next().unwrap_or("");
    last == "kubernetesVersion" || last == "orchestratorVersion"
}

/// Checks the document against the plan schema; all errors, each at its span.
pub fn validate(doc: &Document) -> Vec<Finding> {
    // Never a silent pass: a schema that cannot be used is an error on the plan (a test keeps the
    // embedded schema usable).
    let (Some(validator), Some(schema)) = (validator(), embedded_schema()) else {
        return vec![Finding::new(
            codes::WRONG_TYPE,
            "the plan's types cannot be checked: the schema built into aksplan cannot be used (a bug in aksplan)",
        )];
    };
    let errors: Vec<_> = validator.iter_errors(&doc.value).collect();
    // A required field written with a typo is one mistake: the unknown key names the field it
    // was meant to be, and the "missing" finding of that field is left out.
    let mut misspelt: Vec<(String, String)> = Vec::new();
    for error in &errors {
        if let jsonschema::error::ValidationErrorKind::Required { property } = error.kind() {
            misspelt.push((
                error.instance_path().as_str().to_owned(),
                property.as_str().unwrap_or_default().to_owned(),
            ));
        }
    }
    let mut folded: Vec<(String, String)> = Vec::new();
    let mut findings = Vec::new();
    for error in &errors {
        let pointer = error.instance_path().as_str().to_owned();
        if let jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected } = error.kind() {
            // One finding per unknown key, on the key itself, so every format shows each.
            let known = known_properties(schema, &doc.value, &pointer);
            for name in unexpected {
                let mut finding = unknown_field(doc, &pointer, name, &known);
                if let Some(best) = closest(name, &known)
                    && misspelt.iter().any(|(p, field)| *p == pointer && *field == best)
                {
                    finding.message = format!(
                        "unknown field `{name}` in {}, where the required field `{best}` is missing",
                        describe(&pointer)
                    );
                    folded.push((pointer.clone(), best));
                }
                findings.push(finding);
            }
            continue;
        }
        if let jsonschema::error::ValidationErrorKind::Required { property } = error.kind()
            && folded
                .iter()
                .any(|(p, field)| *p == pointer && Some(field.as_str()) == property.as_str())
        {
            continue;
        }
        findings.extend(map_error(doc, &pointer, error));
    }
    findings
}

fn map_error(doc: &Document, pointer: &str, error: &jsonschema::ValidationError<'_>) -> Option<Finding> {
    use jsonschema::error::ValidationErrorKind as K;
    let instance = error.instance();
    let field = pointer.rsplit('/').next().unwrap_or("");
    let finding = match error.kind() {
        // Handled by `validate`: one finding per key, folded with a missing field it misspells.
        K::AdditionalProperties { .. } => return None,
        K::Required { property } => {
            let name = property.as_str().unwrap_or_default();
            let what = describe(pointer);
            Finding::new(
                codes::MISSING_FIELD,
                format!("{what} is missing the required field `{name}`"),
            )
            .at(doc
                .key_label(pointer)
                .with_message(format!("`{name}` is required here")))
        }
        K::Type { kind } if instance.is_number() && is_version_field(pointer) => {
            let _ = kind;
            unquoted_version(doc, pointer, instance)
        }
        K::Type { kind } => {
            let expected = match kind {
                jsonschema::error::TypeKind::Single(t) => type_name(&format!("{t:?}")),
                jsonschema::error::TypeKind::Multiple(types) => {
                    let names: Vec<String> = types.iter().map(|t| type_name(&format!("{t:?}"))).collect();
                    names.join(" or ")
                }
            };
            let found = value_kind(instance);
            let mut finding = Finding::new(
                codes::WRONG_TYPE,
                format!(
                    "`{field}` must be {expected}, not {found}",
                    field = display_field(pointer)
                ),
            )
            .at(doc.label(pointer).with_message(format!("this is {found}")));
            if expected.contains("string") && instance.is_boolean() {
                finding = finding.help(format!(
                    "quote it: `\"{instance}\"` (YAML reads yes/no/true/false as booleans)"
                ));
            }
            finding
        }
        K::Enum { options } => {
            let allowed: Vec<String> = options
                .as_array()
                .map(|values| {
                    values
                        .iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            let given = instance
                .as_str()
                .map_or_else(|| instance.to_string(), str::to_owned);
            let mut finding = Finding::new(
                codes::INVALID_VALUE,
                format!("`{given}` is not a valid `{}`", display_field(pointer)),
            )
            .at(doc
                .label(pointer)
                .with_message(format!("expected one of: {}", allowed.join(", "))));
            if let Some(best) = closest(&given, &allowed) {
                finding = finding.help(format!("did you mean `{best}`?"));
            }
            finding
        }
        K::Constant { expected_value } => {
            let expected = expected_value
                .as_str()
                .map_or_else(|| expected_value.to_string(), str::to_owned);
            Finding::new(
                codes::INVALID_VALUE,
                format!("`{}` must be `{expected}`", display_field(pointer)),
            )
            .at(doc.label(pointer))
        }
        K::Minimum { limit } | K::ExclusiveMinimum { limit } => Finding::new(
            codes::INVALID_VALUE,
            format!(
                "`{}` is {instance}, below the minimum {limit}",
                display_field(pointer)
            ),
        )
        .at(doc.label(pointer)),
        K::Maximum { limit } | K::ExclusiveMaximum { limit } => Finding::new(
            codes::INVALID_VALUE,
            format!(
                "`{}` is {instance}, above the maximum {limit}",
                display_field(pointer)
            ),
        )
        .at(doc.label(pointer)),
        K::MinLength { .. } => Finding::new(
            codes::INVALID_VALUE,
            format!("`{}` must not be empty", display_field(pointer)),
        )
        .at(doc.label(pointer)),
        K::Pattern { .. } if field == "maxSurge" || field == "maxUnavailable" => Finding::new(
            codes::INVALID_VALUE,
            format!(
                "`{}` is neither a node count nor a percentage",
                display_field(pointer)
            ),
        )
        .at(doc.label(pointer))
        .help("write a count such as `3` or a percentage such as `\"33%\"`"),
        K::AnyOf { .. } | K::OneOfNotValid { .. } | K::OneOfMultipleValid { .. } => {
            anyof_finding(doc, pointer, instance)
        }
        _ => Finding::new(
            codes::INVALID_VALUE,
            format!("`{}`: {}", display_field(pointer), error.masked()),
        )
        .at(doc.label(pointer)),
    };
    Some(finding.pointer(pointer))
}

/// A version read as a number: say so, and show what the author most likely meant.
fn unquoted_version(doc: &Document, pointer: &str, instance: &Value) -> Finding {
    let raw = doc.raw_text(pointer).unwrap_or_default().trim().to_owned();
    let read_as = instance.to_string();
    let mut finding = Finding::new(
        codes::UNQUOTED_VERSION,
        format!("the version `{raw}` is written as a number"),
    )
    .at(doc
        .label(pointer)
        .with_message(format!("read as the number {read_as}")));
    let (_, minor) = raw.split_once('.').unwrap_or((&raw, ""));
    finding = if raw != read_as {
        // `1.30` became 1.3: the classic trap; the quoted form is certainly what was meant.
        finding.help(format!(
            "quote it: `\"{raw}\"`; unquoted, `{raw}` is the number {read_as}, i.e. version `{read_as}`"
        ))
    } else if minor.len() == 1 {
        // `1.3` may be a `1.30` whose zero an editor or a tool dropped.
        finding.help(format!("quote versions: `\"{raw}\"`, or `\"{raw}0\"` if a trailing zero was lost (YAML reads 1.30 as 1.3)"))
    } else {
        finding.help(format!("quote versions: `\"{raw}\"`"))
    };
    finding
}

/// `anyOf` appears for the two fields that take several shapes; explain those shapes.
fn anyof_finding(doc: &Document, pointer: &str, instance: &Value) -> Finding {
    let field = pointer.rsplit('/').next().unwrap_or("");
    let found = value_kind(instance);
    let (message, help) = if field == "currentFrom" {
        (
            format!(
                "`currentFrom` must be a path or a mapping with `show` (and optionally `nodePools`, `maintenanceConfigurations`), not {found}"
            ),
            "write `currentFrom: state/aks-prod.json` or `currentFrom: { show: state/aks-prod.json, nodePools: state/aks-prod-pools.json }`",
        )
    } else if pointer.contains("/poolOrder/") {
        (
            format!("a `poolOrder` entry must be a pool name or a list of pool names, not {found}"),
            "write `poolOrder: [system, [web, win]]`: `system` first, then `web` and `win` in parallel",
        )
    } else {
        (
            format!("`{}` has an unexpected shape ({found})", display_field(pointer)),
            "see docs/plan-format.md",
        )
    };
    Finding::new(codes::WRONG_TYPE, message)
        .at(doc.label(pointer))
        .help(help)
}

fn unknown_field(doc: &Document, pointer: &str, name: &str, known: &[String]) -> Finding {
    let child = format!("{pointer}/{}", escape_pointer_segment(name));
    let mut finding = Finding::new(
        codes::UNKNOWN_FIELD,
        format!("unknown field `{name}` in {}", describe(pointer)),
    )
    .at(doc
        .key_label(&child)
        .with_message("not a field of the plan language here"))
    .pointer(child);
    if let Some(best) = closest(name, known) {
        finding = finding.help(format!("did you mean `{best}`?"));
    } else if !known.is_empty() {
        finding = finding.help(format!("known fields here: {}", known.join(", ")));
    }
    finding
}

/// The schema object that describes the instance at `pointer`, following `$ref`s.
fn schema_at<'a>(schema: &'a Value, root_value: &Value, pointer: &str) -> Option<&'a Value> {
    let mut node = resolve_ref(schema, schema)?;
    let mut instance = root_value;
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        instance = match instance {
            Value::Object(map) => map.get(&segment)?,
            Value::Array(items) => items.get(segment.parse::<usize>().ok()?)?,
            _ => return None,
        };
        let next = node
            .get("properties")
            .and_then(|p| p.get(&segment))
            .or_else(|| node.get("items"))
            .or_else(|| {
                // For anyOf fields, take the branch that describes an object (or array).
                node.get("anyOf").and_then(Value::as_array).and_then(|branches| {
                    branches.iter().find_map(|b| {
                        let b = resolve_ref(schema, b)?;
                        b.get("properties")
                            .and_then(|p| p.get(&segment))
                            .or_else(|| b.get("items"))
                    })
                })
            })?;
        node = resolve_ref(schema, next)?;
        // An object with properties may still hide behind anyOf (currentFrom), resolve that too.
        if let Some(branches) = node.get("anyOf").and_then(Value::as_array)
            && instance.is_object()
            && let Some(branch) = branches
                .iter()
                .filter_map(|b| resolve_ref(schema, b))
                .find(|b| b.get("properties").is_some())
        {
            node = branch;
        }
    }
    Some(node)
}

fn resolve_ref<'a>(schema: &'a Value, node: &'a Value) -> Option<&'a Value> {
    let mut node = node;
    for _ in 0..16 {
        match node.get("$ref").and_then(Value::as_str) {
            Some(reference) => node = schema.pointer(reference.strip_prefix('#')?)?,
            None => return Some(node),
        }
    }
    None
}

fn known_properties(schema: &Value, root_value: &Value, pointer: &str) -> Vec<String> {
    schema_at(schema, root_value, pointer)
        .and_then(|node| node.get("properties"))
        .and_then(Value::as_object)
        .map(|props| props.keys().cloned().collect())
        .unwrap_or_default()
}

/// The closest candidate by edit distance (case-insensitive), if it is close enough to be a typo.
pub fn closest(given: &str, candidates: &[String]) -> Option<String> {
    let lower = given.to_lowercase();
    candidates
        .iter()
        .map(|candidate| {
            let distance = strsim::damerau_levenshtein(&lower, &candidate.to_lowercase());
            (distance, candidate)
        })
        .filter(|(distance, candidate)| *distance <= (candidate.len().max(3) / 3).max(1) || *distance == 0)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate.clone())
}

fn type_name(debug: &str) -> String {
    match debug.to_ascii_lowercase().as_str() {
        "object" => "a mapping".into(),
        "array" => "a list".into(),
        "string" => "a string".into(),
        "integer" => "an integer".into(),
        "number" => "a number".into(),
        "boolean" => "true or false".into(),
        "null" => "empty".into(),
        other => other.to_owned(),
    }
}

fn value_kind(value: &Value) -> String {
    match value {
        Value::Null => "empty".into(),
        Value::Bool(b) => format!("the boolean `{b}`"),
        Value::Number(n) => format!("the number `{n}`"),
        Value::String(s) => format!("the string `{s}`"),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "a mapping".into(),
    }
}

/// A readable name of the place: `spec.clusters[1].nodePools[0]` rather than a pointer.
pub fn display_field(pointer: &str) -> String {
    let mut out = String::new();
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        if segment.parse::<usize>().is_ok() {
            out.push_str(&format!("[{segment}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&segment);
        }
    }
    if out.is_empty() { "the plan".into() } else { out }
}

fn describe(pointer: &str) -> String {
    if pointer.is_empty() {
        "the plan".into()
    } else {
        format!("`{}`", display_field(pointer))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_compiles_and_is_2020_12() {
        assert!(validator().is_some());
        // The embedded schema is the generated one (what `cargo xtask codegen` writes).
        assert_eq!(EMBEDDED, plan_schema_text());
        assert_eq!(embedded_schema(), Some(&plan_schema()));
        let schema = plan_schema();
        assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
        assert_eq!(schema["additionalProperties"], false);
    }

    /// Validations started on several threads at once, while the validator is being built,
    /// each wait for it (never a silent pass) and find the same.
    #[test]
    fn validations_on_several_threads_wait_for_one_build() {
        let doc = crate::source::parse_document(
            "plan.yaml",
            b"apiVersion: aksplan.dev/v1\nkind: UpgradePlan\nmetadata: {name: x}\nspec: {clusters: 3}\n",
            crate::source::Format::Yaml,
        )
        .unwrap();
        let found: Vec<Vec<String>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..4)
                .map(|_| scope.spawn(|| validate(&doc).into_iter().map(|f| f.message).collect()))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(!found[0].is_empty(), "a wrong type must be found");
        assert!(found.iter().all(|f| *f == found[0]), "{found:?}");
    }

    #[test]
    fn closest_names() {
        let known: Vec<String> = ["maxSurge", "maxUnavailable", "drainTimeoutInMinutes"]
            .map(String::from)
            .to_vec();
        assert_eq!(closest("maxSurg", &known).as_deref(), Some("maxSurge"));
        assert_eq!(closest("maxsurge", &known).as_deref(), Some("maxSurge"));
        assert_eq!(closest("colour", &known), None);
    }

    #[test]
    fn field_names_read_well() {
        assert_eq!(
            display_field("/spec/clusters/1/nodePools/0/mode"),
            "spec.clusters[1].nodePools[0].mode"
        );
        assert_eq!(display_field(""), "the plan");
    }
}

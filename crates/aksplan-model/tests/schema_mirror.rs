//! The plan's types refuse everything its schema refuses, so that a plan the types accept is read
//! without building the schema's validator (`load::without_schema`). Types imply most of the
//! schema (types, required fields, unknown fields, enumerations, the bounds of an unsigned
//! integer); what goes beyond them (a minimum length, a range, a pattern) is refused by a
//! `plan::refuse` helper. These tests find every such constraint in the schema and break each one,
//! check the claim on every plan of the fixtures, and show that a valid plan never builds the
//! validator. (Every debug build also checks each plan read without the schema against it.)

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use aksplan_model::load::without_schema;
use aksplan_model::schema::{plan_schema, validate};
use aksplan_model::source::{Document, Format, parse_document};
use serde_json::{Value, json};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A constraint of the schema beyond the types, where a plan holds it, and values that break it
/// (each refused by the schema, which the test checks too) and keep it.
struct Mirror {
    /// The schema node (a JSON pointer into the schema) and keyword.
    schema_at: &'static str,
    keyword: &'static str,
    /// Where the base plan holds a value under this constraint.
    plan_at: &'static str,
    bad: Vec<Value>,
    good: Vec<Value>,
}

/// `minLength: 1` at `schema_at`: the empty string is refused at `plan_at`, `good` accepted.
fn min_length(schema_at: &'static str, plan_at: &'static str, good: &str) -> Mirror {
    Mirror {
        schema_at,
        keyword: "minLength",
        plan_at,
        bad: vec![json!("")],
        good: vec![json!(good)],
    }
}

fn mirrors() -> Vec<Mirror> {
    let surge = "/spec/clusters/1/current/nodePools/0/upgradeSettings/maxSurge";
    vec![
        min_length("/$defs/Metadata/properties/name", "/metadata/name", "x"),
        min_length("/$defs/Stage/properties/name", "/spec/rollout/stages/0/name", "n"),
        min_length(
            "/$defs/Stage/properties/approver",
            "/spec/rollout/stages/0/approver",
            "prod-cab",
        ),
        Mirror {
            schema_at: "/$defs/Stage/properties/maxConcurrency",
            keyword: "minimum",
            plan_at: "/spec/rollout/stages/0/maxConcurrency",
            bad: vec![json!(0)],
            good: vec![json!(1), json!(u32::MAX)],
        },
        Mirror {
            schema_at: "/$defs/ChangeWindow/properties/durationHours",
            keyword: "minimum",
            plan_at: "/spec/changeWindows/0/durationHours",
            bad: vec![json!(0)],
            good: vec![json!(1)],
        },
        Mirror {
            schema_at: "/$defs/ChangeWindow/properties/durationHours",
            keyword: "maximum",
            plan_at: "/spec/changeWindows/0/durationHours",
            bad: vec![json!(169), json!(u32::MAX)],
            good: vec![json!(168)],
        },
        min_length("/$defs/Waiver/properties/reason", "/spec/waivers/0/reason", "r"),
        Mirror {
            schema_at: "/$defs/CountOrPercent",
            keyword: "pattern",
            plan_at: surge,
            bad: [
                "",
                "%",
                "1234567890",
                "1234567890%",
                "33%%",
                "33 %",
                " 3",
                "-1",
                "+1",
                "1.5",
                "1e3",
                "٣",
                "3\n",
                "50%\n",
                "0x10",
            ]
            .into_iter()
            .map(Value::from)
            .collect(),
            good: vec![json!("33%"), json!("5"), json!("123456789%"), json!("0")],
        },
        Mirror {
            schema_at: "/$defs/CountOrPercent",
            keyword: "minimum",
            plan_at: surge,
            bad: vec![json!(-1)],
            good: vec![json!(0), json!(3)],
        },
    ]
}

/// Keywords that need no mirror: structure and annotations, which the derived types follow.
const IMPLIED: &[&str] = &[
    "$schema",
    "$id",
    "$defs",
    "$ref",
    "title",
    "description",
    "default",
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "enum",
    "anyOf",
    "format",
];

/// Every keyword of the schema outside `IMPLIED`, with the schema node it is on.
fn constraints(node: &Value, at: &str, found: &mut Vec<(String, String, Value)>) {
    match node {
        Value::Object(map) => {
            for (key, value) in map {
                let below = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                // The names of properties and definitions are not keywords.
                if key == "properties" || key == "$defs" {
                    if let Value::Object(children) = value {
                        for (name, child) in children {
                            let name = name.replace('~', "~0").replace('/', "~1");
                            constraints(child, &format!("{below}/{name}"), found);
                        }
                    }
                    continue;
                }
                // Annotations hold data, not schemas.
                if key == "default" || key == "enum" || key == "description" {
                    continue;
                }
                if !IMPLIED.contains(&key.as_str()) {
                    found.push((at.to_owned(), key.clone(), value.clone()));
                }
                constraints(value, &below, found);
            }
        }
        Value::Array(items) => {
            for (idx, item) in items.iter().enumerate() {
                constraints(item, &format!("{at}/{idx}"), found);
            }
        }
        _ => {}
    }
}

/// The bounds of an unsigned integer are the type's own (`u32`, `u64`).
fn implied_by_integer(node: &Value, keyword: &str, value: &Value) -> bool {
    let format = node.get("format").and_then(Value::as_str);
    match (keyword, format) {
        ("minimum", Some("uint32" | "uint64")) => value == &json!(0),
        ("maximum", Some("uint32")) => value == &json!(u32::MAX),
        ("maximum", Some("uint64")) => value == &json!(u64::MAX),
        _ => false,
    }
}

/// `examples/complete.yaml` with a stage approver and a waiver, so that every mirrored field is
/// present.
fn base_plan() -> Value {
    let text = std::fs::read(repo().join("examples/complete.yaml")).unwrap();
    let mut plan = parse_document("complete.yaml", text.as_slice(), Format::Yaml)
        .unwrap()
        .value;
    plan["spec"]["rollout"]["stages"][0]["approver"] = json!("prod-cab");
    plan["spec"]["waivers"] = json!([{"rule": "AKS123", "scope": "plan", "reason": "accepted"}]);
    plan
}

fn document(value: &Value) -> Document {
    parse_document("plan.json", value.to_string().as_bytes(), Format::Json).unwrap()
}

#[test]
fn every_constraint_beyond_types_is_refused_by_the_types() {
    let schema = plan_schema();
    let mut found = Vec::new();
    constraints(&schema, "", &mut found);
    let mirrors = mirrors();
    let mut unmirrored = Vec::new();
    for (at, keyword, value) in &found {
        let node = schema.pointer(at).unwrap();
        if implied_by_integer(node, keyword, value) {
            continue;
        }
        if !mirrors.iter().any(|m| m.schema_at == at && m.keyword == keyword) {
            unmirrored.push(format!("{at} {keyword}: {value}"));
        }
    }
    assert!(
        unmirrored.is_empty(),
        "schema constraints beyond the types that nothing shows the types refuse (add a \
         `plan::refuse` helper beside the `schemars` attribute, and a `Mirror` here): {unmirrored:#?}"
    );
    for mirror in &mirrors {
        assert!(
            found
                .iter()
                .any(|(at, keyword, _)| at == mirror.schema_at && keyword == mirror.keyword),
            "{} {} is no longer in the schema",
            mirror.schema_at,
            mirror.keyword
        );
    }

    let base = base_plan();
    assert!(validate(&document(&base)).is_empty(), "the base plan is valid");
    assert!(without_schema(&base).is_some(), "the types accept the base plan");
    for mirror in &mirrors {
        assert!(
            base.pointer(mirror.plan_at).is_some(),
            "the base plan has {}",
            mirror.plan_at
        );
        for (values, accepted) in [(&mirror.bad, false), (&mirror.good, true)] {
            for value in values {
                let mut plan = base.clone();
                *plan.pointer_mut(mirror.plan_at).unwrap() = value.clone();
                let what = format!(
                    "{} = {value} ({} {})",
                    mirror.plan_at, mirror.schema_at, mirror.keyword
                );
                assert_eq!(
                    validate(&document(&plan)).is_empty(),
                    accepted,
                    "the schema on {what}"
                );
                assert_eq!(without_schema(&plan).is_some(), accepted, "the types on {what}");
            }
        }
    }
}

/// A `null` anywhere is refused by the schema (no type of it allows one), so a plan that holds
/// one always goes through it, even where the types would read it as an absent field.
#[test]
fn a_null_always_goes_through_the_schema() {
    let mut found = Vec::new();
    let mut stack = vec![plan_schema()];
    while let Some(node) = stack.pop() {
        match node {
            Value::Object(map) => {
                if let Some(kind) = map.get("type") {
                    found.push(kind.clone());
                }
                stack.extend(map.into_iter().map(|(_, v)| v));
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    assert!(!found.is_empty());
    assert!(
        found
            .iter()
            .all(|t| t != "null" && !t.as_array().is_some_and(|a| a.contains(&json!("null")))),
        "the schema allows null somewhere: {found:?}"
    );
    let mut plan = base_plan();
    // An optional field, which the types would take as absent.
    plan["spec"]["rollout"]["stages"][0]["approver"] = Value::Null;
    assert!(without_schema(&plan).is_none());
    assert!(!validate(&document(&plan)).is_empty());
}

/// Every plan in the fixtures and examples: when the types accept it without the schema, the
/// schema accepts it too. The fixtures hold plans of every kind of mistake, so both sides occur.
#[test]
fn the_types_accept_no_fixture_plan_the_schema_refuses() {
    let mut files = Vec::new();
    for dir in ["examples", "fixtures/plans", "fixtures/bad-inputs/plans"] {
        collect(&repo().join(dir), &mut files);
    }
    let (mut typed, mut refused) = (0, 0);
    for path in &files {
        let Some(format) = Format::from_path(&path.to_string_lossy()) else {
            continue;
        };
        let bytes = std::fs::read(path).unwrap();
        let Ok(doc) = parse_document(&path.to_string_lossy(), bytes.as_slice(), format) else {
            continue;
        };
        let schema_findings = validate(&doc);
        if without_schema(&doc.value).is_some() {
            typed += 1;
            assert!(
                schema_findings.is_empty(),
                "{}: the types accept it, the schema does not: {:?}",
                path.display(),
                schema_findings.iter().map(|f| &f.message).collect::<Vec<_>>()
            );
        } else if !schema_findings.is_empty() {
            refused += 1;
        }
    }
    assert!(
        typed > 100 && refused > 20,
        "{typed} read without the schema, {refused} refused by it"
    );
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, files);
        } else {
            files.push(path);
        }
    }
}

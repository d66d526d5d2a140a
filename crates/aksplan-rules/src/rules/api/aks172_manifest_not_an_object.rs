//! AKS172: a `--manifests` document is not a Kubernetes object, so it could not be checked.

use aksplan_model::finding::Finding;
use serde_json::Value;

use crate::Context;

crate::rule_code!(
    "AKS172",
    Warning,
    "A manifest document is not a Kubernetes object",
    "## What it checks
With `--manifests DIR`, every YAML document found must be a Kubernetes object: a mapping with
string `apiVersion` and `kind` fields. A document that is not (a list, a plain value, a Helm
`values.yaml`, a misspelt `apiversion`) is reported on its first line, or on the field that has
the wrong type, and skipped.

## Why
AKS171 can only judge objects it recognises. A document it cannot read would otherwise pass
silently: a `apiversion: batch/v1beta1` typo hides exactly the removed API the check is for.

## Example
```yaml
apiversion: batch/v1beta1    # the field is `apiVersion`
kind: CronJob
```

Point `--manifests` at rendered manifests (`helm template`, `kustomize build`), not at chart
sources."
);

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for doc in ctx.manifests {
        let Value::Object(object) = &doc.value else {
            out.push(
                Finding::new(
                    CODE,
                    format!(
                        "a document in `{}` is {}, not a Kubernetes object; it was not checked",
                        doc.source.name,
                        kind_of(&doc.value)
                    ),
                )
                .at(doc.label(""))
                .help("a manifest is a mapping with `apiVersion` and `kind`; point `--manifests` at rendered manifests"),
            );
            continue;
        };
        for field in ["apiVersion", "kind"] {
            let problem = match object.get(field) {
                Some(Value::String(_)) => continue,
                Some(other) => format!("its `{field}` is {}, not a string", kind_of(other)),
                None => format!("it has no `{field}`"),
            };
            let pointer = format!("/{field}");
            let label = if object.contains_key(field) {
                doc.label(&pointer)
            } else {
                doc.label("")
            };
            let help = match object.keys().find(|k| k.eq_ignore_ascii_case(field) && *k != field) {
                Some(near) => format!("the field is spelt `{field}`, not `{near}`"),
                None => "a manifest is a mapping with `apiVersion` and `kind`; point `--manifests` at rendered manifests".to_owned(),
            };
            out.push(
                Finding::new(
                    CODE,
                    format!(
                        "a document in `{}` is not a Kubernetes object ({problem}); it was not checked",
                        doc.source.name
                    ),
                )
                .at(label)
                .help(help),
            );
            break;
        }
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "empty",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

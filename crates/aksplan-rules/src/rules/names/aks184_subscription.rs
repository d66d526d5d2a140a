//! AKS184: a cluster's subscription is a subscription id, or a short ASCII name.

use aksplan_model::finding::Finding;

use super::ClusterField;
use crate::Context;

crate::rule_code!(
    "AKS184",
    Error,
    "A subscription is neither a subscription id nor a plain ASCII name",
    "## What it checks
Every cluster's `subscription` is a subscription id (a GUID such as
`6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b`), or a subscription name of 1 to 64 ASCII characters.
Spaces, quotes and other shell syntax in a name are AKS183's.

## Why
The emitted scripts select each cluster's subscription with `az account set --subscription`,
which takes an id or a display name. Azure lets a display name hold any Unicode character, so a
name written with a look-alike letter (Cyrillic `а` for Latin `a`), fullwidth letters or an
invisible character reads right in a review and selects a different subscription, one that
someone else named to match, or none. A value of thousands of characters is no name at all.
aksplan's own rule, conservative like AKS180: names are not unique and can be renamed, so the id
(`az account show --query id -o tsv`) is the safe choice.

## Example
```yaml
clusters:
  - name: aks-prod
    resourceGroup: rg-prod
    subscription: \"Contoso-Prоduction\"    # the second `о` is Cyrillic
```"
);

/// The longest subscription name aksplan accepts.
const MAX_LEN: usize = 64;

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    ClusterField {
        code: CODE,
        field: "subscription",
        value: |cluster| cluster.subscription.as_deref(),
        problem,
        message: |cluster, problem| {
            format!(
                "the subscription of cluster `{}` {problem}",
                cluster.name.escape_debug()
            )
        },
        label: "not a subscription id or plain name",
        help: "write the subscription id (a GUID: `az account show --query id -o tsv`), or a name of at most 64 ASCII characters",
    }
    .check(ctx, out);
}

/// What is wrong with `value`, as the end of a sentence. A subscription id (a GUID) is 36 ASCII
/// characters, so it always passes.
pub(super) fn problem(value: &str) -> Option<String> {
    let len = value.chars().count();
    if len == 0 {
        return Some("is empty".to_owned());
    }
    if len > MAX_LEN {
        return Some(format!(
            "is {len} characters long (a subscription name has at most {MAX_LEN})"
        ));
    }
    if let Some(bad) = value.chars().find(|c| !c.is_ascii()) {
        let shown = if bad.is_alphanumeric() {
            format!("`{bad}` (U+{:04X})", u32::from(bad))
        } else {
            format!("U+{:04X}", u32::from(bad))
        };
        return Some(format!(
            "contains {shown}, not ASCII: a look-alike or invisible character can select another subscription"
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::problem;

    #[test]
    fn accepts_ids_and_plain_names() {
        for value in [
            "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b",
            "6F1C2A3B-4D5E-4F60-8A7B-9C0D1E2F3A4B",
            "Contoso-Production",
            "sub",
            &"s".repeat(64),
        ] {
            assert_eq!(problem(value), None, "{value}");
        }
    }

    #[test]
    fn rejects_look_alikes_invisible_characters_and_long_values() {
        assert_eq!(
            problem("Contoso-Prоduction").as_deref(),
            Some(
                "contains `о` (U+043E), not ASCII: a look-alike or invisible character can select another subscription"
            )
        );
        assert!(problem("Ｃontoso").is_some());
        assert!(problem("Contoso\u{200b}").is_some());
        assert!(problem("\u{202e}Contoso").is_some());
        assert!(problem("").is_some());
        assert_eq!(
            problem(&"s".repeat(10_000)).as_deref(),
            Some("is 10000 characters long (a subscription name has at most 64)")
        );
    }
}

//! AKS180: resource group names follow the Azure naming rules.

use aksplan_model::finding::Finding;

use super::{ClusterField, length_problem};
use crate::Context;

crate::rule_code!(
    "AKS180",
    Error,
    "A resource group name breaks the Azure naming rules",
    "## What it checks
Every cluster's `resourceGroup` is 1 to 90 characters long, uses only letters, digits,
underscores (`_`), hyphens (`-`), periods (`.`) and parentheses, and does not end with a period.

## Why
Azure docs, \"Naming rules and restrictions for Azure resources\" (`Microsoft.Resources`,
`resourcegroups`): 1-90 characters; underscores, hyphens, periods, parentheses and letters or
digits; can't end with a period. Azure also accepts Unicode letters and digits; aksplan is
conservative and accepts ASCII only, since the name ends up in emitted `az` scripts. A name
Azure rejects cannot be the group of an existing cluster: the plan names the wrong group.

## Example
```yaml
clusters:
  - name: aks-prod
    resourceGroup: \"rg-prod.\"    # ends with a period
```"
);

/// The longest resource group name Azure accepts.
const MAX_LEN: usize = 90;

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    ClusterField {
        code: CODE,
        field: "resourceGroup",
        value: |cluster| Some(&cluster.resource_group),
        problem,
        message: |cluster, problem| {
            format!(
                "resource group `{}` of cluster `{}` {problem}",
                cluster.resource_group.escape_debug(),
                cluster.name.escape_debug()
            )
        },
        label: "not a valid resource group name",
        help: "resource group names are 1-90 ASCII letters, digits, `_`, `-`, `.`, `(` or `)`, and do not end with `.`",
    }
    .check(ctx, out);
}

/// What is wrong with `name`, as the end of a sentence.
pub(super) fn problem(name: &str) -> Option<String> {
    if let Some(problem) = length_problem(name, MAX_LEN) {
        return Some(problem);
    }
    if let Some(bad) = name.chars().find(|c| !allowed(*c)) {
        let note = if bad.is_alphanumeric() {
            " (aksplan accepts ASCII letters and digits only)"
        } else {
            ""
        };
        return Some(format!("contains `{}`{note}", bad.escape_default()));
    }
    if name.ends_with('.') {
        return Some("ends with a period".to_owned());
    }
    None
}

fn allowed(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '(' | ')')
}

#[cfg(test)]
mod tests {
    use super::problem;

    #[test]
    fn accepts_valid_names() {
        for name in ["rg", "rg-prod_01", "rg.(prod)", "R", &"a".repeat(90)] {
            assert_eq!(problem(name), None, "{name}");
        }
    }

    #[test]
    fn rejects_invalid_names() {
        for name in ["", "rg.", "rg prod", "rg$", "rg/x", "rgé", &"a".repeat(91)] {
            assert!(problem(name).is_some(), "{name}");
        }
    }
}

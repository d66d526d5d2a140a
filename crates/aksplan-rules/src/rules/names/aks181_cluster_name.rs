//! AKS181: AKS cluster names follow the Azure naming rules.

use aksplan_model::finding::Finding;

use super::{ClusterField, length_problem};
use crate::Context;

crate::rule_code!(
    "AKS181",
    Error,
    "A cluster name breaks the AKS naming rules",
    "## What it checks
Every cluster's `name` is 1 to 63 characters long, uses only ASCII letters, digits, underscores
(`_`) and hyphens (`-`), and starts and ends with a letter or digit.

## Why
Azure docs, \"Naming rules and restrictions for Azure resources\" (`Microsoft.ContainerService`,
`managedClusters`): 1-63 characters; alphanumerics, underscores and hyphens; start and end with
an alphanumeric. A name AKS rejects cannot be an existing cluster: the plan names the wrong one.

## Example
```yaml
clusters:
  - name: \"aks-prod-\"    # ends with a hyphen
    resourceGroup: rg-prod
```"
);

/// The longest cluster name AKS accepts.
const MAX_LEN: usize = 63;

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    ClusterField {
        code: CODE,
        field: "name",
        value: |cluster| Some(&cluster.name),
        problem,
        message: |cluster, problem| format!("cluster name `{}` {problem}", cluster.name.escape_debug()),
        label: "not a valid AKS cluster name",
        help: "AKS cluster names are 1-63 ASCII letters, digits, `_` or `-`, and start and end with a letter or digit",
    }
    .check(ctx, out);
}

/// What is wrong with `name`, as the end of a sentence.
pub(super) fn problem(name: &str) -> Option<String> {
    if let Some(problem) = length_problem(name, MAX_LEN) {
        return Some(problem);
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-')))
    {
        return Some(format!("contains `{}`", bad.escape_default()));
    }
    let first = name.chars().next().unwrap_or_default();
    if !first.is_ascii_alphanumeric() {
        return Some(format!("starts with `{first}`, not a letter or digit"));
    }
    let last = name.chars().next_back().unwrap_or_default();
    if !last.is_ascii_alphanumeric() {
        return Some(format!("ends with `{last}`, not a letter or digit"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::problem;

    #[test]
    fn accepts_valid_names() {
        for name in ["a", "aks-prod", "AKS_prod-01", "1aks", &"a".repeat(63)] {
            assert_eq!(problem(name), None, "{name}");
        }
    }

    #[test]
    fn rejects_invalid_names() {
        for name in [
            "",
            "-aks",
            "aks-",
            "aks_",
            "aks.prod",
            "aks$prod",
            "aks prod",
            &"a".repeat(64),
        ] {
            assert!(problem(name).is_some(), "{name}");
        }
    }
}

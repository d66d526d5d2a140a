//! AKS182: node pool names follow the AKS naming rules.

use aksplan_model::finding::Finding;
use aksplan_model::plan::OsType;

use crate::Context;

crate::rule_code!(
    "AKS182",
    Error,
    "A node pool name breaks the AKS naming rules",
    "## What it checks
Every node pool name uses only lower-case ASCII letters and digits, starts with a letter, and is
1 to 12 characters long for Linux pools, 1 to 6 for Windows pools.

## Why
`aks-upgrade-rules.md` §5.6: Windows pool names are 1-6 characters, Linux 1-12
(use-system-pools.md). Azure docs, \"Naming rules and restrictions for Azure resources\"
(`Microsoft.ContainerService`, `managedClusters/agentPools`): lower-case letters and numbers;
can't start with a number. A name AKS rejects cannot be an existing pool: the plan (or the saved
`az` output) names the wrong one.

## Example
```yaml
nodePools:
  - { name: winpool01, mode: User, osType: Windows, orchestratorVersion: \"1.35.2\" }   # 9 > 6
```"
);

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for cluster in ctx.clusters() {
        for (idx, pool) in cluster.pools().iter().enumerate() {
            let Some(problem) = problem(&pool.name, pool.os_type) else {
                continue;
            };
            let finding = Finding::new(
                CODE,
                format!(
                    "node pool name `{}` of cluster `{}` {problem}",
                    pool.name.escape_debug(),
                    cluster.name()
                ),
            )
            .at(cluster
                .pool_label(idx, "name")
                .with_message("not a valid node pool name"))
            .help(format!(
                "{} pool names are 1-{} lower-case letters and digits, starting with a letter",
                os_name(pool.os_type),
                max_len(pool.os_type)
            ));
            out.push(match cluster.pool_pointer_in_plan(idx) {
                Some(pointer) => finding.pointer(format!("{pointer}/name")),
                None => finding,
            });
        }
    }
}

fn max_len(os: OsType) -> usize {
    match os {
        OsType::Linux => 12,
        OsType::Windows => 6,
    }
}

fn os_name(os: OsType) -> &'static str {
    match os {
        OsType::Linux => "Linux",
        OsType::Windows => "Windows",
    }
}

/// What is wrong with `name` for a pool of `os`, as the end of a sentence.
pub(super) fn problem(name: &str, os: OsType) -> Option<String> {
    let len = name.chars().count();
    let max = max_len(os);
    if len == 0 {
        return Some("is empty".to_owned());
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit()))
    {
        let what = if bad.is_ascii_uppercase() {
            " (upper-case)"
        } else {
            ""
        };
        return Some(format!("contains `{}`{what}", bad.escape_default()));
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Some("starts with a digit".to_owned());
    }
    if len > max {
        return Some(format!(
            "is {len} characters long (a {} pool name has at most {max})",
            os_name(os)
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_valid_names() {
        assert_eq!(problem("system", OsType::Linux), None);
        assert_eq!(problem("a", OsType::Linux), None);
        assert_eq!(problem("user12345678", OsType::Linux), None);
        assert_eq!(problem("win1", OsType::Windows), None);
        assert_eq!(problem("npwin1", OsType::Windows), None);
    }

    #[test]
    fn rejects_invalid_names() {
        assert!(problem("", OsType::Linux).is_some());
        assert!(problem("System", OsType::Linux).is_some());
        assert!(problem("1pool", OsType::Linux).is_some());
        assert!(problem("user-pool", OsType::Linux).is_some());
        assert!(problem("user123456789", OsType::Linux).is_some());
        assert!(problem("winpool", OsType::Windows).is_some());
    }
}

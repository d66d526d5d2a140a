//! AKS183: values that emitted `az` scripts carry contain no shell syntax.

use aksplan_model::finding::{Finding, Label};

use crate::Context;

crate::rule_code!(
    "AKS183",
    Error,
    "A value the emitted scripts would carry contains shell syntax",
    "## What it checks
No value that an emitted `az` script carries contains a character a shell could read as syntax:
`$`, a backquote, single or double quotes, `;`, `&`, `|`, `<`, `>`, `(`, `)`, a backslash, `*`,
`?`, `[`, `]`, `{`, `}`, whitespace (spaces, tabs, newlines, carriage returns), control
characters, or invisible and direction-changing characters (zero-width spaces and joiners, the
bidirectional overrides and isolates such as U+202E, the byte order mark, soft hyphens); nor
starts with `#` or `~` (read as a comment or a home directory). The values
checked are `metadata.name`, `metadata.change` and `metadata.owner`; each cluster's `name`,
`resourceGroup`, `subscription` and `location`; the `startTime` and `utcOffset` of the
maintenance configurations the plan sets; and each node pool's `name`, `vmSize` and
`nodeImageVersion` (from the plan or the saved `az` output).

Rollout stage names are free text: the scripts print them (the approval prompt, the soak
message) but never run them, so they may hold spaces and quotes. They must hold no control
character (a newline, an escape sequence that recolours or rewrites the terminal around the
approval prompt, a NUL byte that bash drops) and no invisible or direction-changing character.

Parentheses are legal in resource group names (AKS180) and are not reported there; the emitter
quotes every value anyway.

## Why
The compiler writes these values into shell scripts that operators run against production
clusters. Quoting makes ordinary values safe, but a value carrying shell syntax is at best a
typo and at worst an injection (`aks-prod; az group delete ...`); no valid Azure name, region,
VM size or node image contains such characters, so aksplan refuses them outright rather than
trusting every quoting path. Invisible and direction-changing characters run exactly as
quoted, but they make the script, and the plan, read differently from what runs (\"Trojan
Source\", CVE-2021-42574): a reviewer must see every character of a value. This is aksplan's own
rule, not an Azure one; the Azure naming rules (Azure docs, \"Naming rules and restrictions for
Azure resources\") are AKS180-AKS182 and AKS184, so a `$` in a cluster name reports both AKS181
and AKS183.

## Example
```yaml
clusters:
  - name: \"aks-prod;rm -rf ~\"
    resourceGroup: rg-prod
```"
);

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let plan = ctx.plan;
    let mut report = |what: String, value: &str, kind: Kind, label: Label, pointer: Option<String>| {
        let Some(problem) = problem(value, kind) else {
            return;
        };
        let help = match kind {
            Kind::Subscription => {
                "emitted scripts must never carry such a value; use the subscription id (a GUID) or fix it"
            }
            Kind::Text => "emitted scripts print this name; write it without control or invisible characters",
            Kind::ResourceGroup | Kind::Other => {
                "emitted scripts must never carry such a value; rename or fix it"
            }
        };
        let finding = Finding::new(CODE, format!("{what} {problem}: `{}`", value.escape_debug()))
            .at(label.with_message("unsafe in a shell script"))
            .help(help);
        out.push(match pointer {
            Some(pointer) => finding.pointer(pointer),
            None => finding,
        });
    };
    let mut in_plan = |what: String, value: &str, kind: Kind, pointer: String| {
        report(what, value, kind, ctx.doc.label(&pointer), Some(pointer));
    };

    let metadata = &plan.metadata;
    in_plan(
        "`metadata.name`".to_owned(),
        &metadata.name,
        Kind::Other,
        "/metadata/name".to_owned(),
    );
    if let Some(change) = &metadata.change {
        in_plan(
            "`metadata.change`".to_owned(),
            change,
            Kind::Other,
            "/metadata/change".to_owned(),
        );
    }
    if let Some(owner) = &metadata.owner {
        in_plan(
            "`metadata.owner`".to_owned(),
            owner,
            Kind::Other,
            "/metadata/owner".to_owned(),
        );
    }

    if let Some(rollout) = &plan.spec.rollout {
        for (index, stage) in rollout.stages.iter().enumerate() {
            in_plan(
                "the rollout stage name".to_owned(),
                &stage.name,
                Kind::Text,
                format!("/spec/rollout/stages/{index}/name"),
            );
        }
    }

    for (index, cluster) in plan.spec.clusters.iter().enumerate() {
        let base = format!("/spec/clusters/{index}");
        let of = format!("of cluster `{}`", cluster.name.escape_debug());
        in_plan(
            "the cluster name".to_owned(),
            &cluster.name,
            Kind::Other,
            format!("{base}/name"),
        );
        in_plan(
            format!("the resource group {of}"),
            &cluster.resource_group,
            Kind::ResourceGroup,
            format!("{base}/resourceGroup"),
        );
        if let Some(subscription) = &cluster.subscription {
            in_plan(
                format!("the subscription {of}"),
                subscription,
                Kind::Subscription,
                format!("{base}/subscription"),
            );
        }
        if let Some(location) = &cluster.location {
            in_plan(
                format!("the location {of}"),
                location,
                Kind::Other,
                format!("{base}/location"),
            );
        }
        if let Some(maintenance) = &cluster.maintenance {
            for (name, window) in maintenance.entries() {
                let at = format!("{base}/maintenance/{name}");
                in_plan(
                    format!("`startTime` of maintenance configuration `{name}` {of}"),
                    &window.start_time,
                    Kind::Other,
                    format!("{at}/startTime"),
                );
                if let Some(offset) = &window.utc_offset {
                    in_plan(
                        format!("`utcOffset` of maintenance configuration `{name}` {of}"),
                        offset,
                        Kind::Other,
                        format!("{at}/utcOffset"),
                    );
                }
            }
        }
    }

    for cluster in ctx.clusters() {
        for (idx, pool) in cluster.pools().iter().enumerate() {
            let in_plan = cluster.pool_pointer_in_plan(idx);
            let mut field = |what: String, value: &str, name: &str| {
                report(
                    what,
                    value,
                    Kind::Other,
                    cluster.pool_label(idx, name),
                    in_plan.as_ref().map(|p| format!("{p}/{name}")),
                );
            };
            let of = format!("of cluster `{}`", cluster.name().escape_debug());
            field(format!("a node pool name {of}"), &pool.name, "name");
            let pool_of = format!("of node pool `{}` {of}", pool.name.escape_debug());
            if let Some(size) = &pool.vm_size {
                field(format!("`vmSize` {pool_of}"), size, "vmSize");
            }
            if let Some(image) = &pool.node_image_version {
                field(format!("`nodeImageVersion` {pool_of}"), image, "nodeImageVersion");
            }
        }
    }
}

/// Which value is checked: resource groups may contain parentheses; subscriptions get a hint;
/// free text (stage names), which the scripts only print, may hold anything visible.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    ResourceGroup,
    Subscription,
    Text,
    Other,
}

/// What makes `value` unsafe, as the end of a sentence (``contains `$` and a space``).
pub(super) fn problem(value: &str, kind: Kind) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(first @ ('#' | '~')) = value.chars().next()
        && kind != Kind::Text
    {
        parts.push(format!("starts with `{first}`"));
    }
    let mut found: Vec<char> = Vec::new();
    for c in value.chars() {
        if unsafe_char(c, kind) && !found.contains(&c) {
            found.push(c);
        }
    }
    if !found.is_empty() {
        let names: Vec<String> = found.into_iter().map(describe).collect();
        parts.push(format!("contains {}", join(&names)));
    }
    (!parts.is_empty()).then(|| parts.join(" and "))
}

fn unsafe_char(c: char, kind: Kind) -> bool {
    if kind == Kind::Text {
        return c.is_control() || invisible(c);
    }
    match c {
        '(' | ')' => kind != Kind::ResourceGroup,
        '$' | '`' | '\'' | '"' | ';' | '&' | '|' | '<' | '>' | '\\' | '*' | '?' | '[' | ']' | '{' | '}' => {
            true
        }
        c => c.is_whitespace() || c.is_control() || invisible(c),
    }
}

/// Characters that show as nothing, or reorder the text around them: Unicode's
/// default-ignorable code points and the bidirectional formatting characters.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFFB}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

/// A character as the message shows it.
fn describe(c: char) -> String {
    match c {
        ' ' => "a space".to_owned(),
        '\t' => "a tab (`\\t`)".to_owned(),
        '\n' => "a newline (`\\n`)".to_owned(),
        '\r' => "a carriage return (`\\r`)".to_owned(),
        '`' => "a backquote".to_owned(),
        '\'' => "a single quote (`'`)".to_owned(),
        '"' => "a double quote (`\"`)".to_owned(),
        c if c.is_control() || c.is_whitespace() || invisible(c) => format!("`{}`", c.escape_unicode()),
        c => format!("`{c}`"),
    }
}

/// `a`, `a and b`, `a, b and c`.
fn join(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_values() {
        for value in [
            "aks-prod",
            "2b7e1c40-5a9d-4e3f-9b21-0c8d7f6e5a41",
            "westeurope",
            "Standard_D4s_v5",
            "AKSUbuntu-2204gen2containerd-202510.01.0",
            "22:00",
            "+01:00",
            "platform-team@contoso.example",
            "CHG-4711",
        ] {
            assert_eq!(problem(value, Kind::Other), None, "{value}");
        }
        assert_eq!(problem("rg-(prod)", Kind::ResourceGroup), None);
    }

    #[test]
    fn names_the_offending_characters() {
        assert_eq!(problem("aks$prod", Kind::Other).as_deref(), Some("contains `$`"));
        assert_eq!(
            problem("a b\nc$", Kind::Other).as_deref(),
            Some("contains a space, a newline (`\\n`) and `$`")
        );
        assert_eq!(problem("#x", Kind::Other).as_deref(), Some("starts with `#`"));
        assert_eq!(
            problem("~x;", Kind::Other).as_deref(),
            Some("starts with `~` and contains `;`")
        );
        assert_eq!(
            problem("rg-(prod)", Kind::Other).as_deref(),
            Some("contains `(` and `)`")
        );
        assert_eq!(
            problem("a\u{1b}", Kind::Other).as_deref(),
            Some("contains `\\u{1b}`")
        );
        assert!(problem("`id`", Kind::Other).is_some());
        assert!(problem("x~", Kind::Other).is_none());
        assert!(problem("-08:00", Kind::Other).is_none());
    }

    #[test]
    fn names_invisible_and_direction_changing_characters() {
        assert_eq!(
            problem("aks\u{200b}prod", Kind::Other).as_deref(),
            Some("contains `\\u{200b}`")
        );
        assert_eq!(
            problem("aks-\u{202e}dorp", Kind::Subscription).as_deref(),
            Some("contains `\\u{202e}`")
        );
        assert!(problem("\u{feff}aks", Kind::Other).is_some());
        assert!(problem("a\u{2066}b\u{2069}", Kind::Other).is_some());
        // Look-alike letters are visible: the Azure naming rules (ASCII only) reject them.
        assert!(problem("аks-prod", Kind::Other).is_none());
    }

    #[test]
    fn free_text_may_hold_anything_visible() {
        assert_eq!(problem("#1 prod (\"weu\"); it's $5 ~", Kind::Text), None);
        assert_eq!(problem("prodüction", Kind::Text), None);
        assert_eq!(
            problem("prod\u{1b}[2K", Kind::Text).as_deref(),
            Some("contains `\\u{1b}`")
        );
        assert_eq!(
            problem("pro\u{0}d\nnext", Kind::Text).as_deref(),
            Some("contains `\\u{0}` and a newline (`\\n`)")
        );
        assert!(problem("pr\u{200b}od", Kind::Text).is_some());
    }
}

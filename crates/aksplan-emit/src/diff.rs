//! `aksplan diff`: a pure comparison of two execution plan documents (`aksplan.dev/execution-plan/v1`,
//! as [`crate::json::document`] builds them): the target, clusters (added, removed, hops,
//! per-cluster targets), steps by id (added, removed, changed argv, estimate or window), change
//! windows, waivers, and findings that appeared or disappeared (by code and message).
//!
//! Deterministic: changes come out grouped by section, in the order of the documents.

use serde::Serialize;
use serde_json::{Value, json};

/// What a change does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
}

impl ChangeKind {
    fn sign(self) -> char {
        match self {
            Self::Added => '+',
            Self::Removed => '-',
            Self::Changed => '~',
        }
    }
}

/// The part of the document a change is in, in output order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Section {
    Target,
    Clusters,
    Steps,
    Windows,
    Waivers,
    Findings,
}

impl Section {
    fn title(self) -> &'static str {
        match self {
            Self::Target => "target",
            Self::Clusters => "clusters",
            Self::Steps => "steps",
            Self::Windows => "windows",
            Self::Waivers => "waivers",
            Self::Findings => "findings",
        }
    }
}

/// One difference.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    pub section: Section,
    pub kind: ChangeKind,
    /// What changed: a cluster name, a step id, a window, a waiver's rule and scope, a finding's
    /// code and message.
    pub subject: String,
    /// For a changed subject, which field (`hops`, `target`, `argv`, `estimateMinutes`, `window`…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<Value>,
}

/// All differences between two execution plan documents; empty when they are the same plan.
pub fn compare(old: &Value, new: &Value) -> Vec<Change> {
    let mut changes = Vec::new();
    let old_target = old.pointer("/plan/target");
    let new_target = new.pointer("/plan/target");
    if old_target != new_target {
        changes.push(changed(Section::Target, "plan", "target", old_target, new_target));
    }
    clusters(old, new, &mut changes);
    steps(old, new, &mut changes);
    keyed(
        Section::Windows,
        items(old, "/schedule/windows"),
        items(new, "/schedule/windows"),
        window_key,
        &["start", "end", "durationHours"],
        &mut changes,
    );
    keyed(
        Section::Waivers,
        items(old, "/waivers"),
        items(new, "/waivers"),
        |w| format!("{} {}", text(w, "rule"), text(w, "scope")),
        &["reason", "ticket", "approvedBy", "expires"],
        &mut changes,
    );
    keyed(
        Section::Findings,
        items(old, "/findings"),
        items(new, "/findings"),
        |f| format!("{} {}", text(f, "code"), text(f, "message")),
        &[],
        &mut changes,
    );
    changes.sort_by_key(|c| c.section);
    changes
}

fn clusters(old: &Value, new: &Value, changes: &mut Vec<Change>) {
    keyed(
        Section::Clusters,
        items(old, "/clusters"),
        items(new, "/clusters"),
        |c| text(c, "name"),
        &["hops"],
        changes,
    );
    for o in items(old, "/clusters") {
        let name = text(o, "name");
        let Some(n) = items(new, "/clusters")
            .into_iter()
            .find(|n| text(n, "name") == name)
        else {
            continue;
        };
        for (field, pointer) in [("target", "/end"), ("start", "/start")] {
            let (a, b) = (o.pointer(pointer), n.pointer(pointer));
            if a != b {
                changes.push(changed(Section::Clusters, &name, field, a, b));
            }
        }
    }
}

fn steps(old: &Value, new: &Value, changes: &mut Vec<Change>) {
    let (olds, news) = (items(old, "/steps"), items(new, "/steps"));
    keyed(
        Section::Steps,
        olds.clone(),
        news.clone(),
        |s| text(s, "id"),
        &[],
        changes,
    );
    for o in &olds {
        let id = text(o, "id");
        let Some(n) = news.iter().find(|n| text(n, "id") == id) else {
            continue;
        };
        for field in ["argv", "estimateMinutes"] {
            if o.get(field) != n.get(field) {
                changes.push(changed(Section::Steps, &id, field, o.get(field), n.get(field)));
            }
        }
        let (a, b) = (step_window(o), step_window(n));
        if a != b {
            changes.push(changed(Section::Steps, &id, "window", Some(&a), Some(&b)));
        }
    }
}

/// Where a step is scheduled: the window's name (or index) and start.
fn step_window(step: &Value) -> Value {
    let schedule = step.get("schedule").unwrap_or(&Value::Null);
    if schedule.is_null() {
        return Value::Null;
    }
    json!({
        "window": schedule.get("windowName").filter(|v| !v.is_null()).or(schedule.get("window")),
        "start": schedule.get("start"),
    })
}

fn window_key(window: &Value) -> String {
    match window.get("name").and_then(Value::as_str) {
        Some(name) => name.to_owned(),
        None => format!(
            "#{}",
            window.get("index").map_or_else(String::new, Value::to_string)
        ),
    }
}

/// Added and removed items by key; for items on both sides, the listed fields that differ.
fn keyed(
    section: Section,
    old: Vec<&Value>,
    new: Vec<&Value>,
    key: impl Fn(&Value) -> String,
    fields: &[&str],
    changes: &mut Vec<Change>,
) {
    for o in &old {
        let k = key(o);
        match new.iter().find(|n| key(n) == k) {
            None => changes.push(Change {
                section,
                kind: ChangeKind::Removed,
                subject: k,
                field: None,
                old: Some((*o).clone()),
                new: None,
            }),
            Some(n) => {
                for field in fields {
                    if o.get(field) != n.get(field) {
                        changes.push(changed(section, &k, field, o.get(field), n.get(field)));
                    }
                }
            }
        }
    }
    for n in &new {
        let k = key(n);
        if !old.iter().any(|o| key(o) == k) {
            changes.push(Change {
                section,
                kind: ChangeKind::Added,
                subject: k,
                field: None,
                old: None,
                new: Some((*n).clone()),
            });
        }
    }
}

fn changed(section: Section, subject: &str, field: &str, old: Option<&Value>, new: Option<&Value>) -> Change {
    Change {
        section,
        kind: ChangeKind::Changed,
        subject: subject.to_owned(),
        field: Some(field.to_owned()),
        old: Some(old.cloned().unwrap_or(Value::Null)),
        new: Some(new.cloned().unwrap_or(Value::Null)),
    }
}

fn items<'a>(doc: &'a Value, pointer: &str) -> Vec<&'a Value> {
    doc.pointer(pointer)
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

fn text(value: &Value, field: &str) -> String {
    match value.get(field) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// A value for a human: strings bare, arrays of strings space-separated (an argv) or
/// comma-separated, objects compact JSON.
fn show(value: Option<&Value>, field: Option<&str>) -> String {
    match value {
        None | Some(Value::Null) => "none".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(a)) if a.iter().all(Value::is_string) => {
            let parts: Vec<&str> = a.iter().filter_map(Value::as_str).collect();
            if field == Some("argv") {
                parts.join(" ")
            } else {
                parts.join(", ")
            }
        }
        Some(Value::Object(map)) if field == Some("window") => match (map.get("window"), map.get("start")) {
            (Some(w), Some(Value::String(start))) => format!("{} at {start}", show(Some(w), None)),
            (Some(w), _) => show(Some(w), None),
            _ => Value::Object(map.clone()).to_string(),
        },
        Some(Value::Object(map)) if map.contains_key("controlPlane") => {
            let mut parts = vec![format!("control plane {}", show(map.get("controlPlane"), None))];
            if let Some(Value::Object(pools)) = map.get("pools") {
                for (pool, version) in pools {
                    parts.push(format!("{pool} {}", show(Some(version), None)));
                }
            }
            parts.join(", ")
        }
        Some(other) => other.to_string(),
    }
}

/// A short description of an added or removed item.
fn describe(section: Section, value: Option<&Value>) -> Option<String> {
    let value = value?;
    let detail = match section {
        Section::Clusters => {
            let hops = show(value.get("hops"), None);
            format!("hops {hops}")
        }
        Section::Steps => {
            let mut parts = vec![format!("{} min", text(value, "estimateMinutes"))];
            if let Some(argv) = value.get("argv").filter(|a| !a.is_null()) {
                parts.push(show(Some(argv), Some("argv")));
            }
            parts.join(", ")
        }
        Section::Windows => format!("{} to {}", text(value, "start"), text(value, "end")),
        Section::Waivers => {
            let mut parts = vec![text(value, "reason")];
            if let Some(expires) = value.get("expires").and_then(Value::as_str) {
                parts.push(format!("expires {expires}"));
            }
            parts.join(", ")
        }
        Section::Findings => text(value, "severity"),
        Section::Target => return None,
    };
    (!detail.is_empty()).then_some(detail)
}

/// The changes for a human: one group per section, one `+`/`-`/`~` line per change, and a
/// closing count.
pub fn render_human(changes: &[Change]) -> String {
    if changes.is_empty() {
        return "no differences\n".to_owned();
    }
    let mut out = String::new();
    let mut section = None;
    for change in changes {
        if section != Some(change.section) {
            if section.is_some() {
                out.push('\n');
            }
            out.push_str(change.section.title());
            out.push('\n');
            section = Some(change.section);
        }
        let sign = change.kind.sign();
        match change.kind {
            ChangeKind::Changed => {
                let field = change.field.as_deref();
                out.push_str(&format!(
                    "  {sign} {} {}: {} -> {}\n",
                    change.subject,
                    field.unwrap_or_default(),
                    show(change.old.as_ref(), field),
                    show(change.new.as_ref(), field),
                ));
            }
            ChangeKind::Added | ChangeKind::Removed => {
                let value = change.new.as_ref().or(change.old.as_ref());
                match describe(change.section, value) {
                    Some(detail) => out.push_str(&format!("  {sign} {} ({detail})\n", change.subject)),
                    None => out.push_str(&format!("  {sign} {}\n", change.subject)),
                }
            }
        }
    }
    let count = |kind| changes.iter().filter(|c| c.kind == kind).count();
    out.push_str(&format!(
        "\n{} difference{}: {} added, {} removed, {} changed\n",
        changes.len(),
        if changes.len() == 1 { "" } else { "s" },
        count(ChangeKind::Added),
        count(ChangeKind::Removed),
        count(ChangeKind::Changed),
    ));
    out
}

/// The changes as a JSON document, pretty-printed, with a trailing newline.
pub fn render_json(old_name: &str, new_name: &str, changes: &[Change]) -> String {
    let document = json!({
        "old": old_name,
        "new": new_name,
        "same": changes.is_empty(),
        "changes": changes,
    });
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn doc(target: &str, hops: &[&str], estimate: u64, window: &str) -> Value {
        json!({
            "apiVersion": crate::json::API_VERSION,
            "plan": { "name": "p", "target": target },
            "clusters": [{ "name": "c", "hops": hops, "start": {}, "end": { "controlPlane": target } }],
            "steps": [
                { "id": "c/cp/1.35", "estimateMinutes": estimate, "argv": ["az", "aks", "upgrade", "-k", "1.35"],
                  "schedule": { "window": 0, "windowName": window, "start": "2026-12-05T22:00:00Z" } }
            ],
            "schedule": { "windows": [{ "index": 0, "name": window, "start": "2026-12-05T22:00:00Z", "end": "x", "durationHours": 8 }] },
            "findings": [{ "code": "AKS114", "severity": "info", "message": "m" }],
            "waivers": []
        })
    }

    #[test]
    fn same_documents_have_no_changes() {
        let a = doc("1.35", &["1.35"], 20, "w");
        assert!(compare(&a, &a.clone()).is_empty());
        assert_eq!(render_human(&[]), "no differences\n");
    }

    #[test]
    fn changes_are_found_and_grouped() {
        let a = doc("1.35", &["1.35"], 20, "w");
        let mut b = doc("1.36", &["1.35", "1.36"], 30, "w2");
        b["steps"]
            .as_array_mut()
            .unwrap()
            .push(json!({ "id": "c/cp/1.36", "estimateMinutes": 20, "argv": null }));
        b["waivers"] = json!([{ "rule": "AKS120", "scope": "clusters/c", "reason": "r" }]);
        b["findings"] = json!([{ "code": "AKS120", "severity": "warning", "message": "n" }]);
        let changes = compare(&a, &b);
        let summary: Vec<(Section, ChangeKind, &str, Option<&str>)> = changes
            .iter()
            .map(|c| (c.section, c.kind, c.subject.as_str(), c.field.as_deref()))
            .collect();
        use ChangeKind::{Added, Changed, Removed};
        assert_eq!(
            summary,
            [
                (Section::Target, Changed, "plan", Some("target")),
                (Section::Clusters, Changed, "c", Some("hops")),
                (Section::Clusters, Changed, "c", Some("target")),
                (Section::Steps, Added, "c/cp/1.36", None),
                (Section::Steps, Changed, "c/cp/1.35", Some("estimateMinutes")),
                (Section::Steps, Changed, "c/cp/1.35", Some("window")),
                (Section::Windows, Removed, "w", None),
                (Section::Windows, Added, "w2", None),
                (Section::Waivers, Added, "AKS120 clusters/c", None),
                (Section::Findings, Removed, "AKS114 m", None),
                (Section::Findings, Added, "AKS120 n", None),
            ]
        );
        let human = render_human(&changes);
        assert!(human.contains("  ~ c hops: 1.35 -> 1.35, 1.36\n"), "{human}");
        assert!(
            human.contains("  ~ c/cp/1.35 window: w at 2026-12-05T22:00:00Z -> w2 at 2026-12-05T22:00:00Z\n"),
            "{human}"
        );
        assert!(
            human.ends_with("11 differences: 4 added, 2 removed, 5 changed\n"),
            "{human}"
        );
    }

    #[test]
    fn argv_changes_are_reported() {
        let a = doc("1.35", &["1.35"], 20, "w");
        let mut b = a.clone();
        b["steps"][0]["argv"] = json!(["az", "aks", "upgrade", "-k", "1.35", "--yes"]);
        let changes = compare(&a, &b);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].field.as_deref(), Some("argv"));
        assert!(render_human(&changes).contains("az aks upgrade -k 1.35 -> az aks upgrade -k 1.35 --yes"));
    }
}

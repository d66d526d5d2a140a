//! Waivers: findings accepted on purpose.
//!
//! A waiver matches a finding when its `rule` is the finding's code and its `scope` covers the
//! finding: `plan` covers everything; `clusters/NAME` the findings about that cluster;
//! `clusters/NAME/nodePools/POOL` those about that pool; a scope starting with `/` is a JSON
//! pointer, covering findings whose pointer is at or below it. A matched finding keeps its place
//! in every output, marked waived, and no longer rejects the plan. Expired waivers do not apply
//! and are errors themselves; waivers that match nothing are warnings.

use jiff::civil::Date;

use crate::codes;
use crate::finding::{Finding, Waived};
use crate::plan::{Plan, Waiver};
use crate::source::Document;

fn covers(waiver: &Waiver, finding: &Finding) -> bool {
    if !waiver.rule.eq_ignore_ascii_case(finding.code.id()) {
        return false;
    }
    let scope = waiver.scope.as_str();
    if scope == "plan" {
        return true;
    }
    if scope.starts_with('/') {
        return finding
            .pointer
            .as_deref()
            .is_some_and(|p| p == scope || p.starts_with(&format!("{scope}/")));
    }
    match scope.split('/').collect::<Vec<_>>().as_slice() {
        ["clusters", cluster] => finding.cluster.as_deref() == Some(*cluster),
        ["clusters", cluster, "nodePools", pool] => {
            finding.cluster.as_deref() == Some(*cluster) && finding.pool.as_deref() == Some(*pool)
        }
        _ => false,
    }
}

/// Marks waived findings, and adds findings for expired waivers and, when the rules ran
/// (`checked`), for waivers that matched nothing: before that, "unused" would mean nothing.
pub fn apply(plan: &Plan, doc: &Document, as_of: Date, checked: bool, findings: &mut Vec<Finding>) {
    let mut extra = Vec::new();
    for (idx, waiver) in plan.spec.waivers.iter().enumerate() {
        let pointer = format!("/spec/waivers/{idx}");
        let expired = waiver
            .expires
            .as_deref()
            .and_then(|d| d.parse::<Date>().ok())
            .is_some_and(|d| d < as_of);
        if expired {
            extra.push(
                Finding::new(
                    codes::WAIVER_EXPIRED,
                    format!(
                        "the waiver of `{}` for `{}` expired on {}",
                        waiver.rule,
                        waiver.scope,
                        waiver.expires.as_deref().unwrap_or("")
                    ),
                )
                .at(doc.label(&format!("{pointer}/expires")).with_message("expired"))
                .pointer(format!("{pointer}/expires"))
                .help("renew it with a new expiry and ticket, or remove it and fix the finding"),
            );
            continue;
        }
        let mut used = false;
        for finding in findings.iter_mut().filter(|f| f.waived.is_none()) {
            if covers(waiver, finding) {
                used = true;
                finding.waived = Some(Waived {
                    scope: waiver.scope.clone(),
                    reason: waiver.reason.clone(),
                    ticket: waiver.ticket.clone(),
                    approved_by: waiver.approved_by.clone(),
                    expires: waiver.expires.clone(),
                });
            }
        }
        if !used && checked {
            extra.push(
                Finding::new(
                    codes::WAIVER_UNUSED,
                    format!(
                        "the waiver of `{}` for `{}` matches no finding",
                        waiver.rule, waiver.scope
                    ),
                )
                .at(doc.label(&format!("{pointer}/rule")))
                .pointer(format!("{pointer}/rule"))
                .help("remove it if the finding was fixed, or correct its `rule` or `scope`"),
            );
        }
    }
    findings.extend(extra);
}

//! The rules, by topic. Each topic module lists its rules in `RULES`; each rule is one file with
//! a `CODE` (id, title, severity, docs) and a `check` function.

use aksplan_model::codes::Code;
use aksplan_model::finding::Finding;

use crate::Context;

pub mod api;
pub mod channels;
pub mod control_plane;
pub mod maintenance;
pub mod names;
pub mod os;
pub mod pools;
pub mod preflight;
pub mod settings;
pub mod state;

/// A rule: its code and its check.
#[derive(Clone, Copy)]
pub struct Rule {
    pub code: Code,
    pub check: fn(&Context<'_>, &mut Vec<Finding>),
}

/// Every rule, in code order.
pub fn all() -> Vec<Rule> {
    let mut rules: Vec<Rule> = [
        control_plane::RULES,
        pools::RULES,
        state::RULES,
        channels::RULES,
        maintenance::RULES,
        settings::RULES,
        os::RULES,
        api::RULES,
        names::RULES,
        preflight::RULES,
    ]
    .concat();
    rules.sort_by_key(|rule| rule.code.id());
    rules
}

/// Declares a rule's code with its docs. Rules are `Category::Rule`.
#[macro_export]
macro_rules! rule_code {
    ($id:literal, $sev:ident, $title:literal, $docs:literal) => {
        pub const CODE: aksplan_model::codes::Code =
            aksplan_model::codes::Code(&aksplan_model::codes::CodeInfo {
                id: $id,
                title: $title,
                severity: aksplan_model::finding::Severity::$sev,
                category: aksplan_model::codes::Category::Rule,
                docs: $docs,
            });
    };
}

//! Rules: maintenance.

use super::Rule;

pub const RULES: &[Rule] = &[];

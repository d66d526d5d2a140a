//! Rules: names.

use super::Rule;

pub const RULES: &[Rule] = &[];

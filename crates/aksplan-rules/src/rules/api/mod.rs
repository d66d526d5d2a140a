//! Rules: api.

use super::Rule;

pub const RULES: &[Rule] = &[];

//! Rules: os.

use super::Rule;

pub const RULES: &[Rule] = &[];

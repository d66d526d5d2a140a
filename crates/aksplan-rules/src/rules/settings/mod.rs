//! Rules: settings.

use super::Rule;

pub const RULES: &[Rule] = &[];

//! Rules: channels.

use super::Rule;

pub const RULES: &[Rule] = &[];

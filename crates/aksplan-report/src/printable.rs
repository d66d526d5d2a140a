//! Text from the user's files made safe for a terminal.
//!
//! A plan, policy or manifest may hold escape sequences (`ESC [ 2 J`, a title-setting OSC, a
//! right-to-left override): printed raw in a diagnostic they would rewrite a reviewer's terminal
//! or a CI log. Messages get them escaped (`\u{1b}`); source snippets get a stand-in of the same
//! length in bytes, so that spans and columns stay right.

/// Is `c` something a terminal acts on rather than shows (line breaks and tabs excepted)?
fn is_control(c: char) -> bool {
    (c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
        // Bidirectional embeddings, overrides and isolates reorder what the reader sees.
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

pub(crate) fn has_controls(text: &str) -> bool {
    text.chars().any(is_control)
}

/// `text` with each control character escaped, as Rust writes it (`\u{1b}`).
pub(crate) fn escaped(text: &str) -> String {
    if !has_controls(text) {
        return text.to_owned();
    }
    text.chars()
        .map(|c| {
            if is_control(c) {
                format!("\\u{{{:x}}}", u32::from(c))
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// `text` with each control character replaced by a visible one of the same UTF-8 length.
pub(crate) fn same_length(text: &str) -> String {
    text.chars()
        .map(|c| match (is_control(c), c.len_utf8()) {
            (false, _) => c,
            (true, 1) => '?',
            (true, 2) => '¿',
            (true, _) => '\u{fffd}',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_become_visible_and_keep_their_length() {
        let text = "a\u{1b}[2Jb\u{9b}c\u{202e}d\te\nf";
        let shown = same_length(text);
        assert_eq!(shown, "a?[2Jb¿c\u{fffd}d\te\nf");
        assert_eq!(shown.len(), text.len());
        assert_eq!(escaped(text), "a\\u{1b}[2Jb\\u{9b}c\\u{202e}d\te\nf");
        assert_eq!(escaped("plain"), "plain");
    }
}

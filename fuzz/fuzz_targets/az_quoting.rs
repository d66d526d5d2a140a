//! The az emitter's shell quoting (`aksplan_emit::az::quote`).
//!
//! Property: for any list of strings, the quoted words joined by spaces split back, with a POSIX
//! shell-word parser, into exactly those strings: each value is one argument, unchanged, whatever
//! quotes, `$(...)`, backquotes, semicolons or newlines it holds. (`shlex` stands in for bash
//! here because it runs in-process at fuzzing speed; a separate test runs real bash.)
//! Strings with NUL are left out: no shell can pass a NUL byte in an argument at all (bash drops
//! it), so keeping NUL out of scripts is the naming rule's job, not the quoting's.

#![no_main]

use aksplan_emit::az::quote;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|words: Vec<String>| {
    if words.iter().any(|word| word.contains('\0')) {
        return;
    }
    for word in &words {
        let quoted = quote(word);
        assert_eq!(
            shlex::split(&quoted),
            Some(vec![word.clone()]),
            "{word:?} quoted as {quoted}"
        );
    }
    let line = words.iter().map(|word| quote(word)).collect::<Vec<_>>().join(" ");
    assert_eq!(shlex::split(&line).as_ref(), Some(&words), "line {line}");
});

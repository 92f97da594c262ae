//! Text an attacker who writes a config file would choose: what runs under
//! `eval` or `compgen -W` (`$(`, backticks, `${IFS}`, `;`, quotes, globs,
//! braces, `~`), what ends a line or a comment (newline, CR), and what drives a
//! terminal (ESC with an OSC title, BEL, C1 CSI, DEL, a bidi override).
//! Included with `#[path]` by the tests that need it.

// Each test binary uses its own part of it.
#![allow(dead_code)]

use proptest::prelude::*;

/// The file every command-running piece tries to create, relative to the
/// working directory.
pub const PWNED: &str = "pwned";

/// Characters a terminal acts on.
pub fn has_control(text: &str) -> bool {
    text.chars()
        .any(|c| c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c))
}

/// True when `text` holds something a shell would expand or run.
pub fn has_expansion(text: &str) -> bool {
    text.contains("$(") || text.contains('`') || text.contains("${")
}

/// `k_` then 1 to 6 pieces, hostile ones most of the time (the prefix keeps
/// a reserved name like `keys` out).
pub fn hostile_key() -> impl Strategy<Value = String> {
    proptest::collection::vec(piece(), 1..6).prop_map(|p| format!("k_{}", p.concat()))
}

/// A value: 0 to 6 pieces.
pub fn hostile_value() -> impl Strategy<Value = String> {
    proptest::collection::vec(piece(), 0..6).prop_map(|p| p.concat())
}

fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => Just(format!("$(touch${{IFS}}{PWNED})")),
        3 => Just(format!("`touch {PWNED}`")),
        2 => Just(format!(";touch {PWNED};")),
        2 => Just(format!("\ntouch {PWNED}\n")),
        1 => Just(format!("'$(touch {PWNED})'")),
        1 => Just(format!("\"$(touch {PWNED})\"")),
        1 => Just("${IFS}".to_owned()),
        1 => Just("\\".to_owned()),
        1 => Just("*".to_owned()),
        1 => Just("~".to_owned()),
        1 => Just("{a,b}".to_owned()),
        1 => Just(" ".to_owned()),
        1 => Just("\r".to_owned()),
        2 => Just("\u{1b}]0;title\u{7}".to_owned()),
        1 => Just("\u{9b}2J".to_owned()),
        1 => Just("\u{7f}".to_owned()),
        1 => Just("\u{202e}".to_owned()),
        1 => "[\u{1}-\u{1f}]",
        4 => "[a-z0-9_]{1,4}",
    ]
}

/// How often a strategy's values hold a control character and an expansion,
/// of 1000 drawn deterministically.
pub fn hit_rates(strategy: impl Strategy<Value = String>) -> (usize, usize) {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let (mut control, mut expansion) = (0, 0);
    for _ in 0..1000 {
        let text = strategy.new_tree(&mut runner).unwrap().current();
        control += usize::from(has_control(&text));
        expansion += usize::from(has_expansion(&text));
    }
    (control, expansion)
}

//! Escaping for each destination: a POSIX shell and a terminal.
//!
//! Hand-written rather than taken from a crate: the rules are a few lines
//! each, and the ones that matter here (every byte of a shell word quoted,
//! bidi controls escaped for a terminal, a form that survives bash's
//! `compgen -W`) are not what the shell-escaping crates promise.

use std::borrow::Cow;
use std::fmt::{self, Display, Write as _};

/// `text` as one POSIX shell word whose every byte is literal: single
/// quotes around it, each `'` written `'\''`.
///
/// `eval "X=$(shell_quote(v))"` assigns exactly `v` in any POSIX shell,
/// whatever `v` holds (`$(...)`, backticks, `${IFS}`, newlines, control
/// characters): nothing inside single quotes is expanded.
///
/// ```
/// use prefect_config::render::shell_quote;
/// assert_eq!(shell_quote("it's $(here)"), r"'it'\''s $(here)'");
/// assert_eq!(shell_quote(""), "''");
/// ```
pub fn shell_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for c in text.chars() {
        if c == '\'' {
            out.push_str(r"'\''");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

/// `text` as one shell word, written bare when nothing in it is special to
/// a shell (`server.port`), else with a backslash before each ASCII
/// character that is (`a\ b`, `\$\(x\)`), so that a word keeps its plain
/// prefix (what a completion matches against what was typed). Text with a
/// control character is [`shell_quote`]d whole, because a backslash cannot
/// quote a newline.
///
/// Through bash's `compgen -W`, which splits its word list and expands each
/// word (`$(...)`, backticks, `${...}`, `~`, braces) but honours quoting,
/// `shell_word(&shell_word(key))` comes out as `shell_word(key)`: a word
/// that, typed on a command line, is `key` again, and nothing ran.
///
/// ```
/// use prefect_config::render::shell_word;
/// assert_eq!(shell_word("server.port"), "server.port");
/// assert_eq!(shell_word("x.$(touch y)"), r"x.\$\(touch\ y\)");
/// assert_eq!(shell_word(""), "''");
/// ```
pub fn shell_word(text: &str) -> Cow<'_, str> {
    if text.is_empty() {
        return Cow::Borrowed("''");
    }
    if text.chars().all(is_plain_in_shell) {
        return Cow::Borrowed(text);
    }
    if text.chars().any(needs_terminal_escape) {
        return Cow::Owned(shell_quote(text));
    }
    let mut out = String::with_capacity(text.len() * 2);
    for c in text.chars() {
        if !is_plain_in_shell(c) {
            out.push('\\');
        }
        out.push(c);
    }
    Cow::Owned(out)
}

/// Characters no shell expands or splits on, anywhere in a word. Letters
/// beyond ASCII count: shells treat them as ordinary characters.
fn is_plain_in_shell(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
            || matches!(c, '_' | '-' | '.' | '/' | ':' | '@' | '%' | '+' | ',')
    } else {
        !needs_terminal_escape(c)
    }
}

/// True for a name a POSIX shell accepts in `export NAME=...`: an ASCII
/// letter or `_`, then letters, digits and `_`.
///
/// ```
/// use prefect_config::render::is_shell_name;
/// assert!(is_shell_name("PREFECT__A_1"));
/// assert!(!is_shell_name("PREFECT__A-B"));
/// assert!(!is_shell_name("1A"));
/// ```
pub fn is_shell_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `text` for one line of a terminal: every control character (C0 with
/// newline, tab and carriage return, DEL, C1 with its CSI and OSC
/// introducers), each bidirectional override and isolate, and the Unicode
/// line and paragraph separators written as Rust escapes (`\n`, `\u{1b}`,
/// `\u{202e}`). Borrowed when there is nothing to escape.
///
/// The escapes are printable ASCII, so escaping twice changes nothing more
/// (a library message escaped by the library and again by a program that
/// prints it reads the same).
///
/// ```
/// use prefect_config::render::terminal;
/// assert_eq!(terminal("a\u{1b}]0;title\u{7}b\nc"), r"a\u{1b}]0;title\u{7}b\nc");
/// assert!(matches!(terminal("server.port"), std::borrow::Cow::Borrowed(_)));
/// ```
pub fn terminal(text: &str) -> Cow<'_, str> {
    escaped(text, false)
}

/// As [`terminal`], but newlines and tabs are kept: for text that may span
/// lines (a value printed alone, a parser's message quoting its line).
///
/// ```
/// use prefect_config::render::terminal_lines;
/// assert_eq!(terminal_lines("a\tb\nc\u{1b}[2J\r"), "a\tb\nc\\u{1b}[2J\\r");
/// ```
pub fn terminal_lines(text: &str) -> Cow<'_, str> {
    escaped(text, true)
}

fn escaped(text: &str, keep_lines: bool) -> Cow<'_, str> {
    let escapes = |c: char| needs_terminal_escape(c) && !(keep_lines && matches!(c, '\n' | '\t'));
    let Some(first) = text.find(escapes) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + 16);
    out.push_str(&text[..first]);
    // Writing to a `String` cannot fail.
    let _ = write_escaped(&mut out, &text[first..], keep_lines);
    Cow::Owned(out)
}

/// Writes `text` to `out` with what a terminal would act on escaped.
fn write_escaped(out: &mut impl fmt::Write, text: &str, keep_lines: bool) -> fmt::Result {
    let mut rest = text;
    while let Some(at) =
        rest.find(|c: char| needs_terminal_escape(c) && !(keep_lines && matches!(c, '\n' | '\t')))
    {
        out.write_str(&rest[..at])?;
        let c = rest[at..].chars().next().unwrap_or_default();
        // `escape_default` spells `\n`, `\r`, `\t` and `\u{1b}`, all printable.
        for e in c.escape_default() {
            out.write_char(e)?;
        }
        rest = &rest[at + c.len_utf8()..];
    }
    out.write_str(rest)
}

/// Control characters (Unicode `Cc`: C0, DEL, C1), the bidi embeddings,
/// overrides, isolates and marks that reorder what follows them on screen
/// (the "Trojan Source" characters), and the line and paragraph separators.
fn needs_terminal_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
                | '\u{2028}' | '\u{2029}'
        )
}

/// Displays its value escaped as by [`terminal`], without building the
/// text first: for the `Display` of the crate's errors and warnings, which
/// print key names, reference names and paths read from files.
pub(crate) struct Line<T>(pub T);

impl<T: Display> Display for Line<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(Escaper(f), "{}", self.0)
    }
}

struct Escaper<'a, 'b>(&'a mut fmt::Formatter<'b>);

impl fmt::Write for Escaper<'_, '_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        write_escaped(self.0, s, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Text made of what breaks out of a shell word or reaches a terminal:
    /// quotes, `$(`, backticks, `${IFS}`, globs, control characters (C0,
    /// DEL, C1), bidi overrides, mixed with plain letters.
    pub(crate) fn hostile() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("'".to_owned()),
            Just("\"".to_owned()),
            Just("$(".to_owned()),
            Just(")".to_owned()),
            Just("`".to_owned()),
            Just("${IFS}".to_owned()),
            Just("\\".to_owned()),
            Just("*".to_owned()),
            Just(" ".to_owned()),
            Just("\n".to_owned()),
            Just("\u{1b}]0;x\u{7}".to_owned()),
            Just("\u{9b}".to_owned()),
            Just("\u{202e}".to_owned()),
            "[\u{0}-\u{1f}\u{7f}]".prop_map(|s: String| s),
            "[a-z.]{1,3}".prop_map(|s: String| s),
        ];
        proptest::collection::vec(piece, 0..8).prop_map(|p| p.concat())
    }

    proptest! {
        #[test]
        fn terminal_text_has_no_control_characters(text in hostile()) {
            let line = terminal(&text);
            prop_assert!(!line.chars().any(needs_terminal_escape), "{line:?}");
            let lines = terminal_lines(&text);
            prop_assert!(
                !lines.chars().any(|c| needs_terminal_escape(c) && c != '\n' && c != '\t'),
                "{lines:?}"
            );
            // Escaping is idempotent, and the `Display` adapter agrees.
            prop_assert_eq!(terminal(&line), line.clone());
            prop_assert_eq!(Line(&text).to_string(), line.into_owned());
        }

        #[test]
        fn plain_text_is_borrowed(text in "[a-zA-Z0-9._ é-]{0,20}") {
            prop_assert!(matches!(terminal(&text), Cow::Borrowed(_)));
        }

        #[test]
        fn shell_words_quote_what_a_shell_would_act_on(text in hostile()) {
            let word = shell_word(&text);
            if text.chars().any(needs_terminal_escape) {
                prop_assert_eq!(word.into_owned(), shell_quote(&text));
            } else {
                // Every special character is behind a backslash.
                let mut chars = word.chars();
                while let Some(c) = chars.next() {
                    if c == '\\' {
                        prop_assert!(chars.next().is_some_and(|n| !is_plain_in_shell(n)));
                    } else {
                        prop_assert!(is_plain_in_shell(c) || text.is_empty(), "{word:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn the_generator_is_hostile_often_enough() {
        use proptest::strategy::ValueTree;
        use proptest::test_runner::TestRunner;
        let mut runner = TestRunner::deterministic();
        let strategy = hostile();
        let (mut control, mut expansion) = (0, 0);
        for _ in 0..1000 {
            let text = strategy.new_tree(&mut runner).unwrap().current();
            control += usize::from(text.chars().any(needs_terminal_escape));
            expansion += usize::from(text.contains("$(") || text.contains('`'));
        }
        assert!(control > 500, "{control} of 1000 with a control character");
        assert!(
            expansion > 250,
            "{expansion} of 1000 with `$(` or a backtick"
        );
    }

    #[test]
    fn each_class_is_escaped() {
        for (raw, shown) in [
            ("\u{1b}[31m", r"\u{1b}[31m"),
            ("\u{7}", r"\u{7}"),
            ("\r", r"\r"),
            ("\n", r"\n"),
            ("\t", r"\t"),
            ("\u{7f}", r"\u{7f}"),
            ("\u{9b}2J", r"\u{9b}2J"),
            ("\u{202e}txt", r"\u{202e}txt"),
            ("\u{2066}", r"\u{2066}"),
            ("a\\b", "a\\b"),
        ] {
            assert_eq!(terminal(raw), shown);
        }
        assert_eq!(terminal_lines("a\nb\u{1b}"), "a\nb\\u{1b}");
    }

    #[test]
    fn shell_words() {
        assert_eq!(shell_word("a b"), r"a\ b");
        assert_eq!(shell_word("~x{a,b}"), r"\~x\{a,b\}");
        assert_eq!(shell_word("é.key"), "é.key");
        assert_eq!(shell_word("a\nb"), "'a\nb'");
        assert_eq!(shell_word("it's"), r"it\'s");
    }
}

//! A fast reader for plain TOML, with `toml` behind it for everything else.
//!
//! Configuration files are almost always plain: comments, `[a.b]` headers,
//! and `key = value` lines whose values are strings without escapes,
//! decimal numbers and booleans. Prefect's defaults are nothing else. This
//! reader builds the layer's tree from such a text in one pass over its
//! bytes, with no token or event lists and no intermediate table: reading
//! Prefect's defaults costs about half what `toml`'s `DeTable` and the
//! conversion from it cost, and parsing was most of a cold load's time.
//!
//! It is written by hand because no crate offers it: `toml` and
//! `toml_parser` are the well-kept TOML parsers, and this module is only
//! their shortcut. It accepts a strict subset of TOML and answers `None` for
//! anything outside it (an escape, a multi-line string, an array, an inline
//! table, a dotted or quoted key, a date, a duplicate key or table, a
//! control character, anything unexpected), and the caller then parses the
//! text with `toml`, which gives the real value or the real syntax error.
//! So the subset never needs to reject well: it only needs never to accept
//! what `toml` would read differently, which a property test checks against
//! `toml` on generated documents.
//!
//! ```text
//! # plain: read here
//! [server.database]
//! host = "localhost"   # a comment
//! port = 5432
//! ratio = -1.5e3
//! debug = false
//! path = 'C:\dir'
//! ```

use std::collections::HashSet;

use indexmap::map::Entry;
use serde_json::Value;

use crate::config::node::{Leaf, Node, Table};
use crate::config::{MAX_DEPTH, Source};

/// The tree of `text` when it is plain TOML; `None` when it is anything else
/// (read it with `toml` then).
pub(crate) fn parse(text: &str, source: &Source) -> Option<Table> {
    let mut root = Table::new(source.clone());
    // The tables a header defined (by the header's text, unique as bare keys
    // hold no dot), to refuse a second definition.
    let mut defined: HashSet<&str, foldhash::fast::RandomState> = HashSet::default();
    // The table the lines under the last header fill, and its path; it goes
    // into the tree at the next header (no walk from the root per line).
    let mut current: Option<(Vec<&str>, Table)> = None;
    for line in text.split_inclusive('\n') {
        // A `\r` may only come before a `\n`.
        let line = match line.strip_suffix('\n') {
            Some(line) => line.strip_suffix('\r').unwrap_or(line),
            None => line,
        };
        let line = line.trim_start_matches([' ', '\t']);
        match line.as_bytes().first() {
            None => {}
            Some(b'#') => comment(line)?,
            Some(b'[') => {
                let (name, path, rest) = header(line)?;
                end_of_line(rest)?;
                if path.len() >= MAX_DEPTH || !defined.insert(name) {
                    return None;
                }
                if let Some((path, table)) = current.take() {
                    place(&mut root, &path, table, source)?;
                }
                let mut table = Table::new(source.clone());
                // Room for a typical section at once, rather than growing
                // (and rehashing) four times on the way to it.
                table.entries.reserve(SECTION_KEYS);
                current = Some((path, table));
            }
            Some(_) => {
                let (key, rest) = bare_key(line)?;
                let rest = rest.trim_start_matches([' ', '\t']).strip_prefix('=')?;
                let (value, rest) = value(rest.trim_start_matches([' ', '\t']))?;
                end_of_line(rest)?;
                let table = match &mut current {
                    Some((_, table)) => table,
                    None => &mut root,
                };
                match table.entries.entry(key.into()) {
                    Entry::Vacant(slot) => {
                        slot.insert(Node::Leaf(Leaf::new(value, source.clone())));
                    }
                    Entry::Occupied(_) => return None,
                }
            }
        }
    }
    if let Some((path, table)) = current {
        place(&mut root, &path, table, source)?;
    }
    Some(root)
}

/// The keys a section of a configuration file typically has.
const SECTION_KEYS: usize = 16;

/// What may follow a header or a value: blanks, then a comment or nothing.
fn end_of_line(rest: &str) -> Option<()> {
    let rest = rest.trim_start_matches([' ', '\t']);
    if rest.is_empty() {
        Some(())
    } else if rest.starts_with('#') {
        comment(rest)
    } else {
        None
    }
}

/// A comment may hold any character but control characters (tab aside).
fn comment(text: &str) -> Option<()> {
    text.bytes().all(|b| !is_control(b)).then_some(())
}

fn is_control(b: u8) -> bool {
    (b < 0x20 && b != b'\t') || b == 0x7f
}

/// `[a.b.c]` with bare keys and no blanks inside: its text (`a.b.c`), its
/// path, and what follows the `]`.
fn header(line: &str) -> Option<(&str, Vec<&str>, &str)> {
    let inner = line.strip_prefix('[')?;
    if inner.starts_with('[') {
        // An array of tables.
        return None;
    }
    let close = inner.find(']')?;
    let name = &inner[..close];
    let mut path = Vec::new();
    for part in name.split('.') {
        if part.is_empty() || !part.bytes().all(is_bare_key_byte) {
            return None;
        }
        path.push(part);
    }
    Some((name, path, &inner[close + 1..]))
}

fn is_bare_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// A bare key at the start of `line`, and the text after it.
fn bare_key(line: &str) -> Option<(&str, &str)> {
    let len = line.bytes().take_while(|&b| is_bare_key_byte(b)).count();
    // A dot here would make a dotted key; a quote, a quoted one.
    (len > 0).then(|| line.split_at(len))
}

/// A value at the start of `text`, and the text after it.
fn value(text: &str) -> Option<(Value, &str)> {
    match text.as_bytes().first()? {
        b'"' => string(text, b'"'),
        b'\'' => string(text, b'\''),
        b't' | b'f' => {
            let len = text.bytes().take_while(u8::is_ascii_alphabetic).count();
            let (word, rest) = text.split_at(len);
            match word {
                "true" => Some((Value::Bool(true), rest)),
                "false" => Some((Value::Bool(false), rest)),
                _ => None,
            }
        }
        _ => number(text),
    }
}

/// A one-line string between `quote`s: a literal one (`'`), or a basic one
/// (`"`) without escapes.
fn string(text: &str, quote: u8) -> Option<(Value, &str)> {
    let body = &text[1..];
    if body.as_bytes().first() == Some(&quote) && body.as_bytes().get(1) == Some(&quote) {
        // A multi-line string.
        return None;
    }
    let escape = if quote == b'"' { b'\\' } else { quote };
    let end = body
        .bytes()
        .position(|b| b == quote || b == escape || is_control(b))?;
    if body.as_bytes()[end] != quote {
        return None;
    }
    // `end` is the position of an ASCII byte, so both slices are on char
    // boundaries.
    Some((Value::String(body[..end].to_owned()), &body[end + 1..]))
}

/// A decimal integer or float in TOML's syntax without `_`; anything else
/// (hex, octal, binary, `inf`, `nan`, dates, underscores) is `None`.
fn number(text: &str) -> Option<(Value, &str)> {
    let bytes = text.as_bytes();
    let mut i = usize::from(matches!(bytes.first(), Some(b'+' | b'-')));
    let int_start = i;
    i += digits(&bytes[i..]);
    let int_len = i - int_start;
    // No leading zero but for `0` itself (`0.5` and `0e1` are fine).
    if int_len == 0 || (int_len > 1 && bytes[int_start] == b'0') {
        return None;
    }
    let mut is_float = false;
    if bytes.get(i) == Some(&b'.') {
        let frac = digits(&bytes[i + 1..]);
        if frac == 0 {
            return None;
        }
        i += 1 + frac;
        is_float = true;
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(bytes.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        let exp = digits(&bytes[j..]);
        if exp == 0 {
            return None;
        }
        i = j + exp;
        is_float = true;
    }
    // The number must end here: `1x`, `1_000`, `1979-05-27`, `1:2` are not
    // plain.
    if bytes
        .get(i)
        .is_some_and(|&b| !matches!(b, b' ' | b'\t' | b'#'))
    {
        return None;
    }
    let (number, rest) = text.split_at(i);
    let value = if is_float {
        crate::config::layer::float_value(number.parse().ok()?)
    } else {
        // Outside `i64`: let `toml` report it.
        Value::from(number.parse::<i64>().ok()?)
    };
    Some((value, rest))
}

fn digits(bytes: &[u8]) -> usize {
    bytes.iter().take_while(|b| b.is_ascii_digit()).count()
}

/// Puts the table a header defined at `path`, creating the tables above it
/// as a header does. A table already there was made for a header below it
/// (`[a.b]` before `[a]`): the entries join it, after its own. `None` when
/// a value is in the way or a key is defined twice.
fn place(root: &mut Table, path: &[&str], table: Table, source: &Source) -> Option<()> {
    let (last, above) = path.split_last()?;
    let mut parent = root;
    for part in above {
        let node = parent
            .entries
            .entry((*part).into())
            .or_insert_with(|| Node::Table(Table::new(source.clone())));
        parent = match node {
            Node::Table(child) => child,
            Node::Leaf(_) => return None,
        };
    }
    match parent.entries.entry((*last).into()) {
        Entry::Vacant(slot) => {
            slot.insert(Node::Table(table));
        }
        Entry::Occupied(mut slot) => {
            let Node::Table(existing) = slot.get_mut() else {
                return None;
            };
            for (key, node) in table.entries {
                match existing.entries.entry(key) {
                    Entry::Vacant(slot) => {
                        slot.insert(node);
                    }
                    Entry::Occupied(_) => return None,
                }
            }
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::layer::Layer;

    /// The tree as JSON, in order, with each node's source left out.
    fn json(table: &Table) -> Value {
        Value::Object(
            table
                .entries
                .iter()
                .map(|(k, node)| {
                    let value = match node {
                        Node::Table(child) => json(child),
                        Node::Leaf(leaf) => leaf.value.clone(),
                    };
                    (k.to_string(), value)
                })
                .collect(),
        )
    }

    /// Checks the rule this reader lives by: what it accepts, `toml` reads
    /// to the same tree, in the same order.
    fn agrees(text: &str) -> bool {
        let Some(fast) = parse(text, &Source::DefaultsToml) else {
            return false;
        };
        let slow = Layer::parse_with_toml(Source::DefaultsToml, text)
            .unwrap_or_else(|err| panic!("accepted what toml rejects ({err}): {text:?}"));
        assert_eq!(json(&fast), json(&slow.root), "{text:?}");
        true
    }

    #[test]
    fn prefects_defaults_are_plain() {
        assert!(agrees(crate::config::EMBEDDED_DEFAULTS));
    }

    #[test]
    fn plain_forms_are_read_like_toml() {
        for text in [
            "",
            "# only a comment\n\n",
            "a = 1\nb = -0\nc = +7\nd = 0.5\ne = -1.5e3\nf = 1E+05\ng = 3e-2\n",
            "x = 1e400\ny = -1e400\n",
            "s = \"a # b\" # c\nt = 'C:\\dir'\nu = \"é\"\n",
            "[a.b]\nx = true\n[a]\ny = false\n",
            "[a]\n[a.b]\n[c]\n",
            "  [ok]  # c\r\n\tk = 9223372036854775807\r\n",
            "n = -9223372036854775808\n",
            "k-1_x = 'v'\n",
        ] {
            assert!(agrees(text), "{text:?} should be plain");
        }
    }

    #[test]
    fn everything_else_is_left_to_toml() {
        for text in [
            "a = \"x\\ny\"\n",
            "a = \"\"\"x\"\"\"\n",
            "a = '''x'''\n",
            "a = [1, 2]\n",
            "a = {b = 1}\n",
            "a.b = 1\n",
            "\"a\" = 1\n",
            "[[a]]\n",
            "[ a ]\n",
            "[a.\"b\"]\n",
            "a = 1979-05-27\n",
            "a = 1_000\n",
            "a = 0x10\n",
            "a = 01\n",
            "a = 1.\n",
            "a = .5\n",
            "a = inf\n",
            "a = nan\n",
            "a = True\n",
            "a = 1 2\n",
            "a = 1\na = 2\n",
            "[a]\n[a]\n",
            "a = 1\n[a]\n",
            "a = 1\n[a.b]\n",
            "a = 9223372036854775808\n",
            "a = \"x\u{1}\"\n",
            "# bell \u{7}\n",
            "a = 1\rb = 2\n",
            "a = \"unclosed\n",
            "a =\n",
            "= 1\n",
            "\u{feff}a = 1\n",
        ] {
            assert!(parse(text, &Source::DefaultsToml).is_none(), "{text:?}");
        }
    }

    #[test]
    fn too_deep_is_left_to_toml() {
        let deep = format!("[{}]\nx = 1\n", vec!["t"; MAX_DEPTH].join("."));
        assert!(parse(&deep, &Source::DefaultsToml).is_none());
    }

    /// Pieces that are plain, nearly plain, or broken in small ways.
    const PIECES: &[&str] = &[
        "a",
        "b",
        "a.b",
        "[a]",
        "[b]",
        "[a.b]",
        "[[a]]",
        "[a.c]",
        "=",
        " = ",
        " ",
        "\t",
        "\n",
        "\r\n",
        "\r",
        "#",
        "# c",
        "1",
        "-0",
        "+1",
        "01",
        "1.5",
        "1.",
        ".5",
        "1e5",
        "1e",
        "1E-2",
        "1_0",
        "0x1",
        "0",
        "00",
        "0e1",
        "-0.0",
        "+1.5",
        "true",
        "false",
        "tru",
        "\"s\"",
        "\"s",
        "\"\\n\"",
        "'l'",
        "'''",
        "\"\"\"",
        "[1]",
        "{}",
        "9223372036854775808",
        "-1e400",
        "é",
        "\u{1}",
        "inf",
        "1979-05-27",
    ];

    /// Values the reader takes.
    const PLAIN_VALUES: &[&str] = &[
        "1", "-0", "+1", "0", "1.5", "1e5", "0e1", "-0.0", "1E-2", "true", "false", "\"s\"",
        "\"a#b\"", "'l'", "'c:\\d'", "-1e400",
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        #[test]
        fn accepts_only_what_toml_reads_the_same(
            parts in proptest::collection::vec(proptest::sample::select(PIECES), 0..24)
        ) {
            let text: String = parts.concat();
            agrees(&text);
        }

        #[test]
        fn accepts_only_what_toml_reads_the_same_by_lines(text in documents()) {
            agrees(&text);
        }
    }

    /// Documents of lines that are mostly plain, some not.
    fn documents() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::sample::select;
        use proptest::strategy::Strategy;
        proptest::collection::vec(
            (
                select(&["", " ", "[a]", "[b]", "[a.b]", "a", "b", "c", "#"][..]),
                select(&["", " = ", "=", " "][..]),
                proptest::prop_oneof![select(PLAIN_VALUES), select(PIECES)],
                select(&["", "", "", " # c", " x", "\r"][..]),
            ),
            0..8,
        )
        .prop_map(|lines| {
            lines
                .iter()
                .map(|(a, b, c, d)| format!("{a}{b}{c}{d}\n"))
                .collect()
        })
    }

    #[test]
    fn the_generated_documents_are_often_plain() {
        use proptest::strategy::{Strategy, ValueTree};
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let strategy = documents();
        let accepted = (0..2000)
            .filter(|_| agrees(&strategy.new_tree(&mut runner).unwrap().current()))
            .count();
        assert!(accepted >= 250, "only {accepted} of 2000 were plain");
    }
}

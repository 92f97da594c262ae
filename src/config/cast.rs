//! Literal type-casting: Prefect's `string_to_type`.
//!
//! A string value becomes `true`/`false` when it says so in any case, the
//! value of a Python literal when it is one (`4200`, `-1.5`, `None`, `[1, 2]`,
//! `{'a': 1}`, `('x',)`, `'quoted'`), and stays a string otherwise.
//!
//! ```
//! use prefect_config::config::string_to_type;
//! use serde_json::json;
//!
//! assert_eq!(string_to_type("TRUE"), json!(true));
//! assert_eq!(string_to_type("4200"), json!(4200));
//! assert_eq!(string_to_type("{'a': [1, None]}"), json!({"a": [1, null]}));
//! assert_eq!(string_to_type("http://localhost"), json!("http://localhost"));
//! ```
//!
//! Python literals are parsed by this crate's own `literal` module (see there
//! for why not the `py_literal` crate). What is read and where the result
//! differs from Python is on [`string_to_type`], the public face of this
//! module.

use std::sync::Arc;

use serde_json::Value;

use crate::config::Source;
use crate::config::literal::{self, Parsed};
use crate::config::node::{Leaf, Raw};
use crate::config::step::{Step, StepKind};

/// Casts a string the way Prefect's `string_to_type` does.
///
/// `true`/`false` in any case become booleans; a Python literal (`4200`,
/// `-1.5`, `None`, `[1, 2]`, `{'a': 1}`, `('x',)`, `'quoted'`) becomes its
/// value; anything else stays the string. Literals are what Python's
/// `ast.literal_eval` reads, including a sign before a parenthesised number
/// (`-(1)` is -1, but `-(1,)` is no literal, as in Python), the empty set
/// `set()`, and `\N{NAME}` escapes (names and aliases in any case, from the
/// `unicode_names2` crate).
///
/// ```
/// use prefect_config::config::string_to_type;
/// use serde_json::json;
///
/// assert_eq!(string_to_type("1.5"), json!(1.5));
/// assert_eq!(string_to_type("None"), json!(null));
/// assert_eq!(string_to_type("'4200'"), json!("4200"));
/// assert_eq!(string_to_type("-(1)"), json!(-1));
/// assert_eq!(string_to_type("set()"), json!([]));
/// assert_eq!(string_to_type("{3, 1, 2, 1}"), json!([1, 2, 3]));
/// assert_eq!(string_to_type("{1: 'one', (2, 3): 'pair'}"), json!({"1": "one", "(2, 3)": "pair"}));
/// assert_eq!(string_to_type(r"'\N{BULLET}'"), json!("\u{2022}"));
/// assert_eq!(string_to_type("1e999"), json!("1e999"));
/// ```
///
/// # Where this differs from Python
///
/// The result is JSON, so some Python values are mapped or kept as text:
///
/// - A value JSON cannot hold (complex numbers, bytes, `...`, integers outside
///   `i64`/`u64`, floats that overflow to infinity) leaves the text a string
///   as written: rounding or dropping it silently would change the setting.
/// - Tuples and sets become arrays (JSON has no others). A set drops
///   duplicates (`{1, 1}` is `[1]`) and holds integers in the order CPython
///   iterates them (`{3, 1, 2}` is `[1, 2, 3]`, `{8, 1}` is `[8, 1]`, as
///   `list()` of the set gives); other members, whose order in Python changes
///   with every process (strings), stay in the order written.
///   Inside a longer string (`"v=${t}"`) such values still print as Python
///   prints them (`(1, 2)`, `{1}`), and so do the literals kept as text
///   (`-1e400` prints `-inf`).
/// - Non-string dictionary keys, tuples among them, become their Python
///   `str()` (`1` → `"1"`, `(2, 3)` → `"(2, 3)"`), JSON keys being strings.
/// - A `\N{...}` alias written without its spaces or hyphens (`LINEFEED` for
///   `LINE FEED`) is accepted, where Python refuses it: the crate's lookup is
///   loose and keeps no list of aliases to check against. Names follow the
///   crate's Unicode version, which may be newer than your Python's.
pub fn string_to_type(text: &str) -> Value {
    cast(text).unwrap_or_else(|| Value::String(text.to_owned()))
}

/// What an environment variable's text loads as: `PREFECT__X=text` gives
/// `X` this value. Environment values are cast twice, so `'5'` is the
/// integer 5 where [`string_to_type`] gives the string `"5"` (the
/// twice-cast rule, in the [module docs](crate::config)). `$VAR` and `~`
/// expansion, and `${a.b}` references, are left out: they depend on the
/// environment and the rest of the configuration.
///
/// ```
/// use prefect_config::config::{env_string_to_type, string_to_type};
/// use serde_json::json;
///
/// assert_eq!(env_string_to_type("8080"), json!(8080));
/// assert_eq!(env_string_to_type("false"), json!(false));
/// assert_eq!(env_string_to_type("[1, 2]"), json!([1, 2]));
/// assert_eq!(env_string_to_type("'x'"), json!("x"));
/// assert_eq!((env_string_to_type("'5'"), string_to_type("'5'")), (json!(5), json!("5")));
/// assert_eq!(env_string_to_type("http://h:1"), json!("http://h:1"));
/// ```
pub fn env_string_to_type(text: &str) -> Value {
    load_text(text, &Source::EnvVar(Arc::from("")))
}

/// The cast value, or `None` when the text stays a string as written.
pub(crate) fn cast(text: &str) -> Option<Value> {
    cast_text(text).value()
}

/// What casting makes of `text`: a value, or the text kept as written (and
/// whether it is a Python literal JSON cannot hold).
fn cast_text(text: &str) -> Parsed {
    if text.eq_ignore_ascii_case("true") {
        return Parsed::Value(Value::Bool(true));
    }
    if text.eq_ignore_ascii_case("false") {
        return Parsed::Value(Value::Bool(false));
    }
    if let Some(n) = plain_int(text) {
        return Parsed::Value(Value::from(n));
    }
    if !may_be_literal(text) {
        return Parsed::Text;
    }
    literal::parse(text)
}

/// The common case without the parser: a plain decimal integer such as
/// `4200` or `-1` (no leading zeros, sign, spaces or underscores beyond what
/// Python reads the same way), short enough to fit an `i64`.
fn plain_int(text: &str) -> Option<i64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let plain = !digits.is_empty()
        && digits.len() <= 18
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    if plain { text.parse().ok() } else { None }
}

/// The twice-cast rule, the one place it is written: how many rounds of
/// expansion and casting a string from `source` gets. Prefect expands and
/// casts an environment variable's text when it reads the variable, then
/// again with every other string of the merged configuration; so
/// `PREFECT__X="'5'"` loads as the string `"5"`, then the integer 5. Values
/// from files and providers get one round.
pub(crate) fn rounds(source: &Source) -> usize {
    if source.env_var().is_some() { 2 } else { 1 }
}

/// Expands and casts a string leaf for as many [`rounds`] as its source
/// gets, recording each step on the leaf. `expand` returns the expanded text
/// and whether a sensitive variable went into it, or `None` when nothing
/// changed. Stops early once the value is no longer a string.
pub(crate) fn expand_and_cast<E>(
    leaf: &mut Leaf,
    mut expand: impl FnMut(&str) -> Result<Option<(String, bool)>, E>,
) -> Result<(), E> {
    for _ in 0..rounds(&leaf.source) {
        let Value::String(text) = &leaf.value else {
            break;
        };
        if let Some((expanded, from_secret)) = expand(text)? {
            leaf.sensitive |= from_secret;
            leaf.apply(Step::new(StepKind::ExpandEnv, Value::String(expanded)));
        }
        let Value::String(text) = &leaf.value else {
            break;
        };
        match cast_text(text) {
            Parsed::Value(value) => {
                let raw = match (value.is_string(), leaf.step_count() == 0) {
                    (true, _) => Raw::None,
                    (false, true) => Raw::Written,
                    (false, false) => Raw::Text(Arc::from(text.as_str())),
                };
                leaf.apply(Step::new(StepKind::Cast, value));
                leaf.trail_mut().raw = raw;
            }
            // Python's `str()` prints it otherwise inside a reference.
            Parsed::PythonOnly => leaf.trail_mut().raw = Raw::Kept,
            Parsed::Text => {}
        }
    }
    Ok(())
}

/// What a string loads as from `source`, leaving out `$VAR` expansion.
pub(crate) fn load_text(text: &str, source: &Source) -> Value {
    let mut leaf = Leaf::new(Value::String(text.to_owned()), source.clone());
    let _ = expand_and_cast(&mut leaf, |_| Ok::<_, ()>(None));
    leaf.value
}

/// A cheap check on the first character that skips the parser for most
/// plain strings (URLs, names, paths).
fn may_be_literal(text: &str) -> bool {
    let text = text.trim_start_matches([' ', '\t', '\n', '\r']);
    match text.chars().next() {
        Some(c) => {
            c.is_ascii_digit()
                || matches!(c, '-' | '+' | '.' | '[' | '(' | '{' | '\'' | '"')
                || (c.is_ascii_alphabetic() && may_be_word_literal(text))
        }
        None => false,
    }
}

/// A literal starting with a letter starts with `True`, `False`, `None` or
/// `set` as a whole word, or is a string with a prefix (`b'x'`, `r"x"`).
fn may_be_word_literal(text: &str) -> bool {
    let text = text.trim_start_matches([' ', '\t', '\n', '\r']);
    let word_len = text
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
        .count();
    let (word, rest) = text.split_at(word_len);
    matches!(word, "True" | "False" | "None" | "set")
        || (word.len() <= 2
            && word
                .bytes()
                .all(|b| matches!(b, b'b' | b'B' | b'r' | b'R' | b'u' | b'U'))
            && rest.starts_with(['\'', '"']))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn python_forms_py_literal_lacks_are_handled() {
        assert_eq!(cast("1,2"), Some(json!([1, 2])));
        assert_eq!(cast("1,"), Some(json!([1])));
        assert_eq!(cast("(1)"), Some(json!(1)));
        assert_eq!(cast("((1, 2))"), Some(json!([1, 2])));
        assert_eq!(cast("(1)(2)"), None);
        assert_eq!(cast("1 # comment"), Some(json!(1)));
        assert_eq!(cast("'#' # c"), Some(json!("#")));
        assert_eq!(cast("[1,\n 2]"), Some(json!([1, 2])));
        assert_eq!(cast("\n5"), Some(json!(5)));
        assert_eq!(cast("\n 5"), None);
        assert_eq!(cast("1\n2"), None);
        assert_eq!(cast("a,b"), None);
    }

    #[test]
    fn fast_paths_agree_with_the_parser() {
        for text in [
            "0",
            "-0",
            "7",
            "4200",
            "-1",
            "007",
            "00",
            "123456789012345678",
            "1234567890123456789",
            "Flow",
            "True",
            "True, 1",
            "None # c",
            "Nonesuch",
            "b'x'",
            "rb'x'",
            "br",
            "u'x'",
            "Rb\"x\"",
            "INFO",
            "set()",
            "setx",
        ] {
            let parsed = if text.eq_ignore_ascii_case("true") || text.eq_ignore_ascii_case("false")
            {
                cast(text)
            } else {
                literal::parse(text).value()
            };
            assert_eq!(cast(text), parsed, "{text}");
        }
    }

    #[test]
    fn python_only_syntax_is_rejected_before_parsing() {
        for text in ["1+2", "--1", "+-1", "007", "[1, 2-3]", "1 - 1"] {
            assert_eq!(cast(text), None, "{text}");
        }
    }

    #[test]
    fn signs_exponents_and_zeros_python_accepts() {
        assert_eq!(cast("-1"), Some(json!(-1)));
        assert_eq!(cast("[-1, +2]"), Some(json!([-1, 2])));
        assert_eq!(cast("1e-5"), Some(json!(1e-5)));
        assert_eq!(cast("00"), Some(json!(0)));
        assert_eq!(cast("007.5"), Some(json!(7.5)));
        assert_eq!(cast("{'a': -1}"), Some(json!({"a": -1})));
        assert_eq!(cast("0x1F"), Some(json!(31)));
    }

    #[test]
    fn strings_with_signs_inside_are_not_scanned_as_numbers() {
        assert_eq!(cast("'1+2'"), Some(json!("1+2")));
        assert_eq!(cast("['--', \"0 07\"]"), Some(json!(["--", "0 07"])));
    }
}

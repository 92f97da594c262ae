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

use serde_json::Value;

use crate::config::literal;

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
/// - Tuples and sets become arrays (JSON has no others); a set keeps its
///   members in the order written, duplicates included (`{1, 1}` is `[1, 1]`),
///   since Python's own set order is not part of the value.
/// - Non-string dictionary keys, tuples among them, become their Python
///   `str()` (`1` → `"1"`, `(2, 3)` → `"(2, 3)"`), JSON keys being strings.
/// - A `\N{...}` alias written without its spaces or hyphens (`LINEFEED` for
///   `LINE FEED`) is accepted, where Python refuses it: the crate's lookup is
///   loose and keeps no list of aliases to check against. Names follow the
///   crate's Unicode version, which may be newer than your Python's.
pub fn string_to_type(text: &str) -> Value {
    cast(text).unwrap_or_else(|| Value::String(text.to_owned()))
}

/// The cast value, or `None` when the text stays a string as written.
pub(crate) fn cast(text: &str) -> Option<Value> {
    if text.eq_ignore_ascii_case("true") {
        return Some(Value::Bool(true));
    }
    if text.eq_ignore_ascii_case("false") {
        return Some(Value::Bool(false));
    }
    if !may_be_literal(text) {
        return None;
    }
    literal::parse(text)
}

/// A cheap check on the first character that skips the parser for most
/// plain strings (URLs, names, paths).
fn may_be_literal(text: &str) -> bool {
    let text = text.trim_start_matches([' ', '\t', '\n', '\r']);
    match text.chars().next() {
        Some(c) => {
            c.is_ascii_digit()
                || matches!(c, '-' | '+' | '.' | '[' | '(' | '{' | '\'' | '"')
                || matches!(c, 'T' | 'F' | 'N' | 'b' | 'B' | 'r' | 'R' | 'u' | 'U')
                || text.starts_with("set")
        }
        None => false,
    }
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

//! Tests of the literal parser: casting, printing, and their agreement.

use super::*;
use serde_json::json;

fn value(text: &str) -> Option<Value> {
    parse(text).value()
}

#[test]
fn deep_nesting_is_linear_and_bounded() {
    let ok = format!("{}1{}", "[".repeat(MAX_NESTING), "]".repeat(MAX_NESTING));
    assert!(value(&ok).is_some());
    let deep = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
    assert_eq!(value(&deep), None);
}

#[test]
fn strings_escapes_and_prefixes() {
    assert_eq!(value(r"'a\nb'"), Some(json!("a\nb")));
    assert_eq!(value(r"r'a\nb'"), Some(json!("a\\nb")));
    assert_eq!(value(r"'\x41\u00e9\101'"), Some(json!("Aé\u{41}")));
    assert_eq!(value("'a' \"b\""), Some(json!("ab")));
    assert_eq!(value("'''x\ny'''"), Some(json!("x\ny")));
    assert_eq!(value(r"'\q'"), Some(json!("\\q")));
    assert_eq!(value("b'x'"), None);
    assert_eq!(value("'x' b'y'"), None);
    assert_eq!(value("'open"), None);
}

#[test]
fn containers() {
    assert_eq!(
        value("{1: 'a', 'b': [None, (1,)]}"),
        Some(json!({"1": "a", "b": [null, [1]]}))
    );
    assert_eq!(value("{1, 2,}"), Some(json!([1, 2])));
    assert_eq!(value("{[1]: 2}"), None);
    assert_eq!(value("()"), Some(json!([])));
    assert_eq!(value("[1, 2,]"), Some(json!([1, 2])));
    assert_eq!(value("[1 2]"), None);
    assert_eq!(value("{'a': 1, 'a': 2}"), Some(json!({"a": 2})));
}

/// A set casts to the members `list()` of the Python set gives: equal
/// members once, integers in CPython's order, as the set prints.
#[test]
fn sets_cast_without_duplicates_in_cpythons_order() {
    for (text, cast, printed) in [
        ("{3, 1, 2}", json!([1, 2, 3]), "{1, 2, 3}"),
        ("{1, 1, 2}", json!([1, 2]), "{1, 2}"),
        ("{1, 1.0, True}", json!([1]), "{1}"),
        ("{10, 1, 9}", json!([1, 10, 9]), "{1, 10, 9}"),
        ("{8, 1}", json!([8, 1]), "{8, 1}"),
        ("[{2, 1}, {1, 1}]", json!([[1, 2], [1]]), "[{1, 2}, {1}]"),
        ("{'b', 'a', 'b'}", json!(["b", "a"]), "{'b', 'a'}"),
    ] {
        assert_eq!(value(text), Some(cast), "{text}");
        assert_eq!(python_str(text).as_deref(), Some(printed), "{text}");
    }
    // A member whose equality is unknown here: neither cast nor printed.
    let huge = format!("{{0x{}, 1}}", "f".repeat(40));
    assert_eq!(parse(&huge), Parsed::PythonOnly);
}

#[test]
fn numbers() {
    assert_eq!(value("-9223372036854775808"), Some(json!(i64::MIN)));
    assert_eq!(value("18446744073709551615"), Some(json!(u64::MAX)));
    assert_eq!(value("18446744073709551616"), None);
    assert_eq!(value("1__0"), None);
    assert_eq!(value("0x_1f"), Some(json!(31)));
    assert_eq!(value("1.e2"), Some(json!(100.0)));
    assert_eq!(value("1e999"), None);
    assert_eq!(value("1+2j"), None);
    assert_eq!(value("1+2"), None);
    assert_eq!(value("..."), None);
}

#[test]
fn literals_json_cannot_hold_are_told_apart_from_text() {
    for text in [
        "-1e400",
        "1e400",
        "b'x'",
        "[1e400]",
        "{'a': b''}",
        "1+2j",
        "...",
        "{2**64}",
    ] {
        let expected = if text.contains("**") {
            Parsed::Text
        } else {
            Parsed::PythonOnly
        };
        assert_eq!(parse(text), expected, "{text}");
    }
    assert_eq!(parse("18446744073709551616"), Parsed::PythonOnly);
    assert_eq!(parse("{1: 'x'"), Parsed::Text);
    assert_eq!(parse("'' b'x'"), Parsed::Text);
    assert_eq!(parse("1j+2j"), Parsed::Text);
    assert_eq!(parse("'\\x+1'"), Parsed::Text);
}

#[test]
fn python_str_keeps_pythons_types() {
    for (text, printed) in [
        ("(1, 2)", "(1, 2)"),
        ("(1,)", "(1,)"),
        ("1,2", "(1, 2)"),
        ("{1}", "{1}"),
        ("set()", "set()"),
        ("{'k': (1,)}", "{'k': (1,)}"),
        (
            "{1: 'a', True: 'b', (2, 3): None}",
            "{1: 'b', (2, 3): None}",
        ),
        ("{1, 1.0, True}", "{1}"),
        ("{3, 1, 2}", "{1, 2, 3}"),
        ("{10, 1, 9}", "{1, 10, 9}"),
        ("{-1, -2}", "{-1, -2}"),
        ("{0, 8, 16, 24, 32, 40, 48}", "{0, 32, 8, 40, 16, 48, 24}"),
        ("-1e400", "-inf"),
        ("[1e400, -(1e400)]", "[inf, -inf]"),
        ("0x10000000000000000", "18446744073709551616"),
        ("-18446744073709551616", "-18446744073709551616"),
        ("1_0000000000000000000000", "10000000000000000000000"),
        ("b'x\\x00\\'\"'", "b'x\\x00\\'\"'"),
        ("rb'\\n'", "b'\\\\n'"),
        ("b'\\777'", "b'\\xff'"),
        ("1+2j", "(1+2j)"),
        ("-2j", "(-0-2j)"),
        ("0-2j", "-2j"),
        ("1.5-0j", "(1.5+0j)"),
        ("[...]", "[Ellipsis]"),
        ("'plain'", "plain"),
        ("[1.0, None, 'it''s']", "[1.0, None, 'its']"),
    ] {
        assert_eq!(python_str(text).as_deref(), Some(printed), "{text}");
    }
    assert_eq!(python_str("(1"), None);
    assert_eq!(python_str("{[1]}"), None);
    assert_eq!(python_str(&format!("0x{}", "f".repeat(40))), None);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
    /// Casting and printing read the same syntax: a text is a literal for
    /// both or for neither (except a huge hex, octal or binary integer,
    /// which printing declines).
    #[test]
    fn casting_and_printing_accept_the_same_texts(
        text in "[\\[\\](){}'\",:0-9a-fA-FxjeE_.+\\- \\\\#\\n\u{e9}bB]{0,40}"
    ) {
        let parsed = parse(&text);
        let printed = python_str(&text);
        if printed.is_none() && parsed != Parsed::Text {
            let lower = text.to_ascii_lowercase();
            proptest::prop_assert!(
                ["0x", "0o", "0b"].iter().any(|p| lower.contains(p)),
                "{:?}: cast {:?}, printed nothing", text, parsed
            );
        }
        if printed.is_some() {
            proptest::prop_assert_ne!(parsed, Parsed::Text, "{:?}", text);
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1000))]
    /// A set of integers casts to what it prints: the same members in the
    /// same order (the one rule in `python_value`), duplicates dropped.
    #[test]
    fn integer_sets_cast_as_they_print(
        members in proptest::collection::vec(-40i64..200, 1..24)
    ) {
        let text = format!(
            "{{{}}}",
            members.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
        );
        let printed = python_str(&text).unwrap_or_default();
        let inner = printed.strip_prefix('{').and_then(|p| p.strip_suffix('}'));
        let as_list: Option<Value> = inner.and_then(|i| serde_json::from_str(&format!("[{i}]")).ok());
        proptest::prop_assert_eq!(value(&text), as_list, "{}", text);
        let mut distinct = members.clone();
        distinct.sort_unstable();
        distinct.dedup();
        let cast_len = value(&text).and_then(|v| v.as_array().map(Vec::len));
        proptest::prop_assert_eq!(cast_len, Some(distinct.len()));
    }
}

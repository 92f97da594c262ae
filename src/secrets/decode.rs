//! Prefect's `json.loads` step, without silent rounding.
//!
//! `Secret.get()` passes a string secret through Python's `json.loads`, which
//! reads integers of any size exactly and `-0` as the integer `0`. serde_json
//! reads an integer beyond 64 bits as a rounded float and `-0` as the float
//! `-0.0`. So, when the parsed value holds a float, one pass over the text
//! finds the integer tokens: text holding one beyond 64 bits is not decoded (the caller keeps
//! it as a string, as the loader keeps such literals), and each `-0` is read
//! as `0`. Floats are correctly rounded by serde_json's `float_roundtrip`
//! feature. Text nested deeper than [`MAX_DEPTH`](crate::config::MAX_DEPTH)
//! is not decoded either: [`Secret::get`](crate::secrets::Secret::get) keeps
//! it as text, as it keeps text holding an integer beyond 64 bits.

use secrecy::zeroize::Zeroize;
use serde_json::Value;

use crate::config::depth;
use crate::secrets::value::wipe;

/// Why a text was not decoded.
#[derive(Debug)]
pub(crate) enum NotDecoded {
    /// Not JSON; serde_json's error gives the line and column (and never
    /// quotes the text).
    Syntax(serde_json::Error),
    /// JSON holding an integer outside `i64`/`u64`, which no JSON value here
    /// holds exactly.
    BigInteger,
    /// JSON nested deeper than [`MAX_DEPTH`](crate::config::MAX_DEPTH), the
    /// cap every value in the crate is held to (serde_json's own stops
    /// parsing at 128 levels).
    TooDeep,
}

/// Python's `json.loads(text)`, where a JSON value can hold the result
/// exactly.
pub(crate) fn loads(text: &str) -> Result<Value, NotDecoded> {
    let mut value = serde_json::from_str(text).map_err(NotDecoded::Syntax)?;
    if depth::too_deep(&value) {
        wipe(&mut value);
        return Err(NotDecoded::TooDeep);
    }
    // Both an integer beyond 64 bits and `-0` come out of serde_json as
    // floats, so text whose value has none needs no scan (most secrets).
    if !has_float(&value, 0) {
        return Ok(value);
    }
    let scan = scan_integers(text);
    if scan.too_big {
        wipe(&mut value);
        return Err(NotDecoded::BigInteger);
    }
    if scan.negative_zeros.is_empty() {
        return Ok(value);
    }
    wipe(&mut value);
    // The text is valid JSON, and `-0` → ` 0` keeps it valid.
    let mut bytes = text.as_bytes().to_vec();
    for at in scan.negative_zeros {
        // `-0` → ` 0`: the same length, and white space may precede a value.
        bytes[at] = b' ';
    }
    let value = serde_json::from_slice(&bytes).map_err(NotDecoded::Syntax);
    // The copy holds the secret too.
    bytes.zeroize();
    value
}

/// True when `value` holds a float. serde_json nests at most 128 levels, so
/// the recursion is bounded.
fn has_float(value: &Value, depth: usize) -> bool {
    match value {
        Value::Number(n) => n.is_f64(),
        Value::Array(items) if depth < 128 => items.iter().any(|v| has_float(v, depth + 1)),
        Value::Object(map) if depth < 128 => map.values().any(|v| has_float(v, depth + 1)),
        _ => false,
    }
}

#[derive(Default)]
struct Scan {
    too_big: bool,
    /// Byte offsets of the `-` of each `-0` integer token.
    negative_zeros: Vec<usize>,
}

/// One pass over the number tokens outside strings.
fn scan_integers(text: &str) -> Scan {
    let bytes = text.as_bytes();
    let mut scan = Scan::default();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    // Skip the escaped byte too (`\"`).
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                while i < bytes.len()
                    && matches!(bytes[i], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-')
                {
                    i += 1;
                }
                // Tokens stop at ASCII bytes, so `i` is a char boundary.
                let token = &text[start..i];
                let digits = token.strip_prefix('-').unwrap_or(token);
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    // A float, or no number at all (serde_json refuses that).
                    continue;
                }
                if token == "-0" {
                    scan.negative_zeros.push(start);
                } else if token.parse::<i64>().is_err() && token.parse::<u64>().is_err() {
                    scan.too_big = true;
                    return scan;
                }
            }
            _ => i += 1,
        }
    }
    scan
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn integers_beyond_64_bits_are_not_decoded_anywhere() {
        for text in [
            "18446744073709551616",
            "-9223372036854775809",
            "[1, 123456789012345678901234567890]",
            r#"{"a": {"b": -99999999999999999999}}"#,
        ] {
            assert!(matches!(loads(text), Err(NotDecoded::BigInteger)), "{text}");
        }
        assert_eq!(loads("18446744073709551615").unwrap(), json!(u64::MAX));
        assert_eq!(loads("-9223372036854775808").unwrap(), json!(i64::MIN));
        assert_eq!(loads("1e400").ok(), None);
    }

    #[test]
    fn json_deeper_than_the_cap_is_not_decoded() {
        use crate::config::MAX_DEPTH;
        let at_cap = format!("{}1{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(loads(&at_cap).is_ok());
        let over = format!(
            "{}1{}",
            "[".repeat(MAX_DEPTH + 1),
            "]".repeat(MAX_DEPTH + 1)
        );
        assert!(matches!(loads(&over), Err(NotDecoded::TooDeep)));
        let objects = format!(
            "{}1{}",
            r#"{"a":"#.repeat(MAX_DEPTH + 1),
            "}".repeat(MAX_DEPTH + 1)
        );
        assert!(matches!(loads(&objects), Err(NotDecoded::TooDeep)));
    }

    #[test]
    fn digits_inside_strings_are_not_numbers() {
        let text = r#"{"id": "123456789012345678901234567890", "q": "\"-0", "-0": 1}"#;
        assert_eq!(
            loads(text).unwrap(),
            json!({"id": "123456789012345678901234567890", "q": "\"-0", "-0": 1})
        );
    }

    #[test]
    fn negative_zero_integers_are_zero_and_float_zeros_keep_their_sign() {
        assert!(loads("-0").unwrap().is_u64());
        assert_eq!(loads("[-0, -0.0, -0e0]").unwrap(), json!([0, -0.0, -0.0]));
        assert!(loads("[-0, -0.0]").unwrap()[1].is_f64());
        assert!(matches!(loads("-0 x"), Err(NotDecoded::Syntax(_))));
        assert!(matches!(loads("[--0]"), Err(NotDecoded::Syntax(_))));
    }
}

//! Masking rules for text that leaves the secrets API.
//!
//! Secret values and API keys never get into an error on purpose; these
//! functions cover the text this crate does not write itself: the API's error
//! messages, the HTTP stack's errors, and a URL that may carry credentials.
//!
//! A server that rejects a value may echo it in its own encoding, so
//! [`needles_of`] lists each value raw, JSON-escaped (as written and with
//! `\u00e4` escapes), in Python `repr` form (`\'`) and, for tables and lists,
//! as JSON and as Python prints them; [`scrub`] masks each exactly, and masks
//! text that matches one in any case or is cut short, when at least
//! [`MIN_FUZZY`] characters agree (shorter agreements are common words, not
//! echoes).

use std::fmt::Write as _;

use serde_json::Value;

use crate::render::MASK;

/// The fewest characters an upper-cased or truncated echo must share with a
/// needle to be masked: shorter runs match ordinary words in messages.
const MIN_FUZZY: usize = 8;

/// `text` with every non-empty needle masked: exact occurrences whatever
/// their length, and runs of at least [`MIN_FUZZY`] characters that begin a
/// needle when compared in any case (an upper-cased or truncated echo).
///
/// Used on messages that come from outside (the API, the HTTP stack), which
/// may echo what was sent: GraphQL servers quote invalid variables, so a
/// rejected `set_secret` could otherwise carry the value into an error.
pub(crate) fn scrub(text: &str, needles: &[&str]) -> String {
    let mut needles: Vec<&str> = needles.iter().copied().filter(|n| !n.is_empty()).collect();
    // Longest first, so a needle that contains another is masked whole.
    needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
    needles.dedup();
    let mut out = text.to_owned();
    for needle in &needles {
        if out.contains(needle) {
            out = out.replace(needle, MASK);
        }
    }
    for needle in needles.iter().filter(|n| n.chars().count() >= MIN_FUZZY) {
        out = mask_fuzzy(&out, needle);
    }
    out
}

/// One char in the case every comparison uses (the first char of its lower
/// case, so text and needle stay aligned char for char).
fn fold(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

/// `text` with each run that agrees, in any case, with the first
/// [`MIN_FUZZY`] or more characters of `needle` masked.
///
/// Hand-written: the crates for case-insensitive search find whole needles,
/// and the run to mask here may be any long-enough prefix of one. Each
/// position costs at most `MIN_FUZZY` comparisons unless it starts a match,
/// which is then masked and skipped, so the scan is linear in `text`.
fn mask_fuzzy(text: &str, needle: &str) -> String {
    let needle: Vec<char> = needle.chars().map(fold).collect();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = String::with_capacity(text.len());
    let (mut i, mut copied) = (0, 0);
    while i < chars.len() {
        let agree = chars[i..]
            .iter()
            .zip(&needle)
            .take_while(|((_, c), n)| fold(*c) == **n)
            .count();
        if agree >= MIN_FUZZY {
            let start = chars[i].0;
            out.push_str(&text[copied..start]);
            out.push_str(MASK);
            i += agree;
            copied = chars.get(i).map_or(text.len(), |(at, _)| *at);
        } else {
            i += 1;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// Every text form of `value` that an echoing server might print: each string
/// leaf raw, JSON-escaped (with and without `\uXXXX` escapes) and as Python's
/// `repr` writes it, each number, and a container as compact JSON, as
/// Python's `json.dumps` writes it and as Python's `repr` of it.
pub(crate) fn needles_of(value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![value];
    while let Some(item) = stack.pop() {
        match item {
            Value::String(s) => {
                out.push(s.clone());
                let quoted = Value::String(s.clone()).to_string();
                let escaped = quoted.strip_prefix('"').and_then(|q| q.strip_suffix('"'));
                out.extend(escaped.map(str::to_owned));
                out.push(json_ascii(s));
                out.push(python_repr_body(s));
            }
            Value::Number(n) => out.push(n.to_string()),
            Value::Array(items) => stack.extend(items),
            Value::Object(map) => stack.extend(map.values()),
            Value::Null | Value::Bool(_) => {}
        }
    }
    if matches!(value, Value::Array(_) | Value::Object(_)) {
        out.push(value.to_string());
        let mut spaced = String::new();
        python_json(value, &mut spaced);
        out.push(spaced);
        // As Python's `repr` prints the decoded object (`{'a': True}`).
        out.push(crate::config::to_repr(value));
    }
    out.sort();
    out.dedup();
    out
}

/// The body of a JSON string with every non-ASCII char as `\uXXXX` (UTF-16),
/// as Python's `json.dumps` writes it by default.
///
/// Hand-written: `serde_json` writes non-ASCII text raw and has no option
/// for this escape.
fn json_ascii(s: &str) -> String {
    let quoted = Value::String(s.to_owned()).to_string();
    let body = quoted
        .strip_prefix('"')
        .and_then(|q| q.strip_suffix('"'))
        .unwrap_or(&quoted);
    let mut out = String::with_capacity(body.len());
    for c in body.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                // Writing to a String cannot fail.
                let _ = write!(out, "\\u{unit:04x}");
            }
        }
    }
    out
}

/// The text between the quotes of Python's `repr` of a `str` in single
/// quotes: backslash, `'`, `\t`, `\n`, `\r` escaped, other control chars as
/// `\xNN`, everything else as is.
///
/// Hand-written: no crate writes Python literals, and the rule is short.
fn python_repr_body(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\x7f' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// `value` as Python's `json.dumps` writes it by default (`, ` and `: `
/// separators, non-ASCII escaped).
fn python_json(value: &Value, out: &mut String) {
    match value {
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                python_json(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                let _ = write!(out, "\"{}\": ", json_ascii(key));
                python_json(item, out);
            }
            out.push('}');
        }
        Value::String(s) => {
            let _ = write!(out, "\"{}\"", json_ascii(s));
        }
        other => out.push_str(&other.to_string()),
    }
}

/// `url` as it may be shown: any `user:password@` in its authority masked,
/// and the query string and fragment dropped (they may carry a token).
pub(crate) fn redact_url(url: &str) -> String {
    let url = url.find(['?', '#']).map_or(url, |end| &url[..end]);
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let authority_start = scheme_end + 3;
    let rest = &url[authority_start..];
    let authority_len = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_len].rfind('@') {
        Some(at) => format!("{}{MASK}{}", &url[..authority_start], &rest[at..]),
        None => url.to_owned(),
    }
}

/// The parts of `url` that [`redact_url`] hides (the user-info, the query
/// string, the fragment), as needles for [`scrub`]: an HTTP stack's error
/// may quote the URL whole.
pub(crate) fn url_needles(url: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(start) = url.find(['?', '#']) {
        out.push(url[start + 1..].to_owned());
    }
    let without = url.find(['?', '#']).map_or(url, |end| &url[..end]);
    if let Some(scheme_end) = without.find("://") {
        let rest = &without[scheme_end + 3..];
        let authority = &rest[..rest.find('/').unwrap_or(rest.len())];
        if let Some(at) = authority.rfind('@') {
            out.push(authority[..at].to_owned());
        }
    }
    out.retain(|n| !n.is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scrub_masks_longest_needle_first() {
        let text = "got invalid value \"hunter2-long\" and hunter2";
        let out = scrub(text, &["hunter2", "hunter2-long", ""]);
        assert_eq!(out, format!("got invalid value \"{MASK}\" and {MASK}"));
    }

    #[test]
    fn needles_cover_nested_and_escaped_forms() {
        let needles = needles_of(&json!({"a": ["x\"y", 42]}));
        assert!(needles.contains(&"x\"y".to_owned()));
        assert!(needles.contains(&"x\\\"y".to_owned()));
        assert!(needles.contains(&"42".to_owned()));
        assert!(needles.contains(&r#"{"a":["x\"y",42]}"#.to_owned()));
        assert!(needles.contains(&r#"{"a": ["x\"y", 42]}"#.to_owned()));
        assert!(needles.contains(&r#"{'a': ['x"y', 42]}"#.to_owned()));
    }

    #[test]
    fn echoes_in_other_encodings_are_masked() {
        let value = json!("it's-sëcret-välue\n");
        let needles = needles_of(&value);
        let needles: Vec<&str> = needles.iter().map(String::as_str).collect();
        for echo in [
            r"Invalid value 'it\'s-sëcret-välue\n'", // Python repr
            r#"Invalid value "it's-s\u00ebcret-v\u00e4lue\n""#, // JSON, ASCII only
            "Invalid value 'it's-sëcret-v...'",      // truncated
            "INVALID VALUE IT'S-SËCRET-VÄLUE",       // upper-cased
        ] {
            let out = scrub(echo, &needles);
            assert!(out.contains(MASK), "{echo} -> {out}");
            assert!(!out.to_lowercase().contains("sëcret"), "{echo} -> {out}");
            assert!(!out.contains("s\\u00ebcret"), "{echo} -> {out}");
        }
    }

    #[test]
    fn short_agreements_are_not_masked() {
        // The value starts with a common word; the message shares 7 chars.
        let needles = needles_of(&json!("invalid-2f9c-4e1a"));
        let needles: Vec<&str> = needles.iter().map(String::as_str).collect();
        let text = "Invalid value for input: expected String!";
        assert_eq!(scrub(text, &needles), text);
        // 8 shared chars are masked: an over-masked message costs little.
        let needles = needles_of(&json!("expected-2f9c-4e1a"));
        let needles: Vec<&str> = needles.iter().map(String::as_str).collect();
        assert_eq!(
            scrub(text, &needles),
            format!("Invalid value for input: {MASK} String!")
        );
    }

    #[test]
    fn fuzzy_masking_keeps_text_around() {
        assert_eq!(
            mask_fuzzy("a ABCDEFGHIJ… b", "abcdefghijklmnop"),
            format!("a {MASK}… b")
        );
        assert_eq!(mask_fuzzy("abcdefg", "abcdefghij"), "abcdefg");
    }

    #[test]
    fn url_credentials_query_and_fragment_are_hidden() {
        assert_eq!(
            redact_url("https://u:p@host/graphql"),
            format!("https://{MASK}@host/graphql")
        );
        assert_eq!(
            redact_url("http://127.0.0.1:4200/graphql?a=b@c"),
            "http://127.0.0.1:4200/graphql"
        );
        assert_eq!(
            redact_url("https://u:p@h/graphql?token=t0k#frag"),
            format!("https://{MASK}@h/graphql")
        );
        assert_eq!(redact_url("https://h?token=t"), "https://h");
        assert_eq!(
            redact_url("https://api.prefect.io/graphql"),
            "https://api.prefect.io/graphql"
        );
        assert_eq!(redact_url("not a url"), "not a url");
        assert_eq!(
            url_needles("https://u:p@h/g?token=t0k#f"),
            vec!["token=t0k#f".to_owned(), "u:p".to_owned()]
        );
    }
}

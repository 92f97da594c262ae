//! Masking rules for text that leaves the secrets API.
//!
//! Secret values and API keys never get into an error on purpose; these
//! functions cover the text this crate does not write itself: the API's error
//! messages, the HTTP stack's errors, and a URL that may carry credentials.

use serde_json::Value;

use crate::redact::MASK;

/// `text` with every non-empty needle replaced by the mask.
///
/// Used on messages that come from outside (the API, the HTTP stack), which
/// may echo what was sent: GraphQL servers quote invalid variables, so a
/// rejected `set_secret` could otherwise carry the value into an error.
pub(crate) fn scrub(text: &str, needles: &[&str]) -> String {
    let mut needles: Vec<&str> = needles.iter().copied().filter(|n| !n.is_empty()).collect();
    // Longest first, so a needle that contains another is masked whole.
    needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
    let mut out = text.to_owned();
    for needle in needles {
        if out.contains(needle) {
            out = out.replace(needle, MASK);
        }
    }
    out
}

/// Every text form of `value` that an echoing server might print: each string
/// leaf raw and JSON-escaped, each number, and a container as compact JSON.
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
            }
            Value::Number(n) => out.push(n.to_string()),
            Value::Array(items) => stack.extend(items),
            Value::Object(map) => stack.extend(map.values()),
            Value::Null | Value::Bool(_) => {}
        }
    }
    if matches!(value, Value::Array(_) | Value::Object(_)) {
        out.push(value.to_string());
    }
    out
}

/// `url` with any `user:password@` in its authority masked.
pub(crate) fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let authority_start = scheme_end + 3;
    let rest = &url[authority_start..];
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_len].rfind('@') {
        Some(at) => format!("{}{MASK}{}", &url[..authority_start], &rest[at..]),
        None => url.to_owned(),
    }
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
    }

    #[test]
    fn url_credentials_are_masked() {
        assert_eq!(
            redact_url("https://u:p@host/graphql"),
            format!("https://{MASK}@host/graphql")
        );
        assert_eq!(
            redact_url("http://127.0.0.1:4200/graphql?a=b@c"),
            "http://127.0.0.1:4200/graphql?a=b@c"
        );
        assert_eq!(
            redact_url("https://api.prefect.io/graphql"),
            "https://api.prefect.io/graphql"
        );
        assert_eq!(redact_url("not a url"), "not a url");
    }
}

//! One-line text of a value and of a source, for a terminal: what
//! `explain`'s text and the CLI print beside a key. Masking happens before
//! (the caller passes a masked value); escaping happens here.

use serde_json::Value;

use crate::config::Source;
use crate::render::terminal;

/// The short label of a source: `defaults`, a file path, or a variable
/// name, on one line.
///
/// ```
/// use prefect_config::config::Source;
/// use prefect_config::render::source_label;
/// assert_eq!(source_label(&Source::EnvVar("PREFECT__X".into())), "PREFECT__X");
/// assert_eq!(source_label(&Source::EnvVar("P__\u{1b}]0;x".into())), r"P__\u{1b}]0;x");
/// ```
pub fn source_label(source: &Source) -> String {
    let text = if let Some(var) = source.env_var() {
        var.to_owned()
    } else {
        match (source.layer(), source.file()) {
            ("defaults", Some(path)) => format!("defaults {}", path.display()),
            (_, Some(path)) => path.display().to_string(),
            ("task_defaults", None) => "task defaults".to_owned(),
            (layer, None) => layer.to_owned(),
        }
    };
    terminal(&text).into_owned()
}

/// A value on one line, as compact JSON (strings quoted, so `"4200"` and
/// 4200 differ), except that null prints as Python's `None`, the spelling
/// that loads back as null; escaped for a terminal (JSON leaves DEL, C1
/// controls and bidi overrides as they are).
///
/// ```
/// use prefect_config::render::inline;
/// use serde_json::json;
/// assert_eq!(inline(&json!({"a": [1, "2", null]})), r#"{"a":[1,"2",None]}"#);
/// ```
pub fn inline(value: &Value) -> String {
    let mut text = String::new();
    inline_json(&mut text, value);
    terminal(&text).into_owned()
}

fn inline_json(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("None"),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                inline_json(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, value)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                inline_json(out, &Value::String(key.clone()));
                out.push(':');
                inline_json(out, value);
            }
            out.push('}');
        }
        // A number, boolean or string: serde_json's escaping cannot fail.
        other => out.push_str(&serde_json::to_string(other).unwrap_or_default()),
    }
}

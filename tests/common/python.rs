//! Python literal text for JSON values, for tests that feed values through
//! the loader's casting.

use serde_json::{Value, json};

/// `value` as a Python literal that casts back to exactly `value`.
pub fn python_literal(value: &Value) -> String {
    match value {
        Value::Null => "None".into(),
        Value::Bool(b) => if *b { "True" } else { "False" }.into(),
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() => format!("{f:e}"),
            _ => n.to_string(),
        },
        Value::String(s) => {
            let escaped: String = s
                .chars()
                .flat_map(|c| match c {
                    '\\' => vec!['\\', '\\'],
                    '\'' => vec!['\\', '\''],
                    '\n' => vec!['\\', 'n'],
                    '\r' => vec!['\\', 'r'],
                    c if (c as u32) < 0x20 || c == '\u{7f}' => {
                        format!("\\x{:02x}", c as u32).chars().collect()
                    }
                    c => vec![c],
                })
                .collect();
            format!("'{escaped}'")
        }
        Value::Array(items) => format!(
            "[{}]",
            items
                .iter()
                .map(python_literal)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Object(map) => format!(
            "{{{}}}",
            map.iter()
                .map(|(k, v)| format!("{}: {}", python_literal(&json!(k)), python_literal(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

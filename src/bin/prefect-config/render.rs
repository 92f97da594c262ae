//! Rendering values as TOML, JSON and shell `export` lines.

use prefect_config::Value;

/// A value tree as TOML; a scalar prints as its TOML literal.
pub fn toml_text(value: &Value) -> Result<String, String> {
    match to_toml(value) {
        toml::Value::Table(table) => toml::to_string(&table).map_err(|e| e.to_string()),
        scalar => Ok(format!("{scalar}\n")),
    }
}

/// Pretty JSON with a final newline.
pub fn json_text(value: &Value) -> Result<String, String> {
    let mut text = serde_json::to_string_pretty(value).map_err(|e| e.to_string())?;
    text.push('\n');
    Ok(text)
}

/// How null prints outside JSON: Python's `None`, the one spelling that
/// loads back as null (casting turns `None` into null). `get` and `explain`
/// print it bare, TOML as the string `"None"` (TOML has no null), `env` as
/// `PREFECT__X='None'`; only JSON output prints `null`.
pub const NULL: &str = "None";

/// A value tree as TOML values; null becomes the string [`NULL`].
pub fn to_toml(value: &Value) -> toml::Value {
    match value {
        Value::Null => toml::Value::String(NULL.into()),
        Value::Bool(b) => toml::Value::Boolean(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => toml::Value::Integer(i),
            None => n
                .as_f64()
                .map_or_else(|| toml::Value::String(n.to_string()), toml::Value::Float),
        },
        Value::String(s) => toml::Value::String(s.clone()),
        Value::Array(items) => toml::Value::Array(items.iter().map(to_toml).collect()),
        Value::Object(map) => {
            toml::Value::Table(map.iter().map(|(k, v)| (k.clone(), to_toml(v))).collect())
        }
    }
}

/// `text` quoted for a POSIX shell: single quotes, each `'` written `'\''`.
pub fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// True for a name a POSIX shell accepts in `export NAME=...`.
pub fn is_shell_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_survive_single_quotes() {
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(""), "''");
    }

    #[test]
    fn shell_names() {
        assert!(is_shell_name("PREFECT__A_1"));
        assert!(!is_shell_name("PREFECT__A-B"));
        assert!(!is_shell_name("1A"));
    }
}

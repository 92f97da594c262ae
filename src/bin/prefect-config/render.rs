//! Rendering values as TOML and JSON (escaping for a shell or a terminal is
//! the library's `prefect_config::render`).

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

/// A value tree as TOML values; null becomes the string [`NULL`]. TOML has
/// no null inside an array, so an array holding one (at any depth) becomes
/// its Python literal (`"[1, None]"`), which loads back as the array, as
/// `set` writes it; `"None"` as an element would load back as a string.
pub fn to_toml(value: &Value) -> toml::Value {
    match value {
        Value::Null => toml::Value::String(NULL.into()),
        Value::Array(_) if prefect_config::render::toml_cannot_hold(value) => {
            toml::Value::String(prefect_config::render::python_literal(value))
        }
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

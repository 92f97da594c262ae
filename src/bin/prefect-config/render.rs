//! Rendering a configuration for people and for machines.

use prefect_config::Value;
use prefect_config::config::Config;

/// What a masked value prints as.
const MASK: &str = "********";

/// The configuration (or the subtree at `path`) as TOML or JSON, with every
/// value under `context.secrets` masked.
pub fn view(config: &Config, path: &str, json: bool) -> Result<String, String> {
    let value = config
        .get(path)
        .ok_or_else(|| format!("no key `{path}` in the configuration"))?;
    let mut value = value.clone();
    mask_secrets(&mut value, path);
    if json {
        let mut text = serde_json::to_string_pretty(&value).map_err(|e| e.to_string())?;
        text.push('\n');
        return Ok(text);
    }
    match to_toml(&value) {
        toml::Value::Table(table) => toml::to_string(&table).map_err(|e| e.to_string()),
        scalar => Ok(format!("{scalar}\n")),
    }
}

/// Masks every value below `context.secrets`, given that `value` sits at
/// `path` in the whole tree.
fn mask_secrets(value: &mut Value, path: &str) {
    let parts: Vec<&str> = path.split('.').filter(|p| !p.is_empty()).collect();
    let secrets = match parts.as_slice() {
        [] => value.get_mut("context").and_then(|c| c.get_mut("secrets")),
        ["context"] => value.get_mut("secrets"),
        ["context", "secrets", ..] => Some(value),
        _ => None,
    };
    if let Some(secrets) = secrets {
        match secrets {
            Value::Object(map) if parts.len() <= 2 => {
                for secret in map.values_mut() {
                    *secret = Value::String(MASK.into());
                }
            }
            other => *other = Value::String(MASK.into()),
        }
    }
}

/// TOML has no null: print it as `"None"`, which loads back as null.
fn to_toml(value: &Value) -> toml::Value {
    match value {
        Value::Null => toml::Value::String("None".into()),
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

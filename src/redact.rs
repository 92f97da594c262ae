//! Masking of values that must not be shown, by the one sensitivity rule of
//! [`crate::config`] (its `sensitive` module): this file only applies it to
//! plain values that live outside a loaded tree, such as the context's.

use serde_json::{Map, Value};

use crate::config::Config;
use crate::config::sensitive::{has_url_password, is_blank};

/// The context key (and `context` table key) whose values are secrets.
pub(crate) const SECRETS_KEY: &str = "secrets";

/// What a masked value prints as (defined with the sensitivity rule).
pub(crate) use crate::config::sensitive::MASK;

/// The context key whose value is the effective configuration.
const CONFIG_KEY: &str = "config";

/// A copy of a context (`{key: value, ..., "config": {...}}`) with every
/// sensitive value masked. A context key `k` is judged as the configuration
/// key `context.k` (so everything under `secrets`, credential-like names such
/// as `api_key` at any depth, and keys whose `[context]` value in `config`
/// was built from a secret), and any string holding a URL with a password is
/// masked wherever it is. `config` is masked by the configuration's own flags.
/// Unset values (`null`, `""`) stay visible, as in [`Config`]'s `Debug`.
pub(crate) fn redact_context(context: &Map<String, Value>, config: &Config) -> Value {
    let mut out = Map::with_capacity(context.len());
    let mut path = vec!["context"];
    for (key, value) in context {
        let shown = if key == CONFIG_KEY {
            config.redacted()
        } else {
            path.push(key);
            let shown = redact_at(value, &mut path, config);
            path.pop();
            shown
        };
        out.insert(key.clone(), shown);
    }
    Value::Object(out)
}

fn redact_at<'a>(value: &'a Value, path: &mut Vec<&'a str>, config: &Config) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, child)| {
                    path.push(key);
                    let shown = redact_at(child, path, config);
                    path.pop();
                    (key.clone(), shown)
                })
                .collect(),
        ),
        _ if is_blank(value) => value.clone(),
        _ if config.is_sensitive_parts(path.iter().copied()) => Value::String(MASK.into()),
        _ => mask_urls(value),
    }
}

/// `value` with each string that holds a URL with a password masked.
fn mask_urls(value: &Value) -> Value {
    match value {
        Value::String(s) if has_url_password(s) => Value::String(MASK.into()),
        Value::Array(items) => Value::Array(items.iter().map(mask_urls).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Loader;
    use serde_json::json;

    #[test]
    fn context_keys_follow_the_config_rule() {
        let config = Loader::new()
            .defaults_toml(
                "[context]\nderived = '${context.secrets.T}'\n[context.secrets]\nT = 'canary-1'",
            )
            .load()
            .unwrap();
        let context = json!({
            "secrets": {"T": "canary-1", "EMPTY": ""},
            "api_key": "canary-2",
            "run": {"nested": {"auth_token": "canary-3"}, "id": "r-1"},
            "dsn": ["postgresql://u:canary-4@h/db", "plain"],
            "derived": "canary-1",
            "config": {"ignored": "canary-5"},
        });
        let shown = redact_context(context.as_object().unwrap(), &config).to_string();
        for canary in ["canary-1", "canary-2", "canary-3", "canary-4", "canary-5"] {
            assert!(!shown.contains(canary), "{canary} in {shown}");
        }
        assert!(
            shown.contains(r#""id":"r-1""#) && shown.contains(r#""plain""#),
            "{shown}"
        );
        assert!(shown.contains(r#""EMPTY":"""#), "{shown}");
    }
}

//! Masking rules for values that must not be shown.

use serde_json::Value;

/// The context key (and `context` table key) whose values are secrets.
pub(crate) const SECRETS_KEY: &str = "secrets";

/// What a masked value prints as.
pub(crate) const MASK: &str = "********";

/// A copy of the tree with every value under `context.secrets` replaced by
/// the mask (the secret names stay visible).
pub(crate) fn redact_secrets(value: &Value) -> Value {
    let mut out = value.clone();
    if let Some(Value::Object(secrets)) = out.get_mut("context").and_then(|c| c.get_mut("secrets"))
    {
        for secret in secrets.values_mut() {
            *secret = Value::String(MASK.into());
        }
    } else if let Some(secrets) = out.get_mut("context").and_then(|c| c.get_mut("secrets")) {
        *secrets = Value::String(MASK.into());
    }
    out
}

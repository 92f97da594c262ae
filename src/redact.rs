//! Masking rules for values that must not be shown.

use std::fmt;

use serde_json::Value;

/// The context key (and `context` table key) whose values are secrets.
pub(crate) const SECRETS_KEY: &str = "secrets";

/// What a masked value prints as.
pub(crate) const MASK: &str = "********";

/// True when a dotted path lies under `context.secrets`.
pub(crate) fn is_secret_path<'a>(mut path: impl Iterator<Item = &'a str>) -> bool {
    path.next() == Some("context") && path.next() == Some(SECRETS_KEY)
}

/// `Debug` for a value tree with everything under `context.secrets` masked.
pub(crate) struct Redacted<'a>(pub(crate) &'a Value);

impl fmt::Debug for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", redact_secrets(self.0))
    }
}

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

//! [`SecretValue`]: a secret's JSON value, redacted when printed and wiped
//! when dropped.

use std::fmt;

use secrecy::zeroize::Zeroize;
use secrecy::{ExposeSecret, SecretBox};
use serde_json::Value;

use crate::render::MASK;

/// A secret's value: any JSON value, kept out of sight.
///
/// Built on [`secrecy::SecretBox`], and made to behave like `secrecy`'s types:
///
/// - `Debug` prints `SecretValue("********")`; there is no `Display`, no
///   `Serialize` and no `Clone` (copy it out explicitly if you must:
///   `SecretValue::new(v.expose_secret().clone())`);
/// - the only way to the value is [`ExposeSecret::expose_secret`], so every
///   use is easy to find with grep;
/// - on drop, every string in the value (object keys included) is overwritten
///   with zeros before its memory is freed. Numbers and booleans live inline
///   in the `Value` and are dropped without being wiped, so this is a best
///   effort for them; secrets are almost always strings.
///
/// The value is a whole [`serde_json::Value`] rather than a `String` because
/// Prefect secrets are JSON: `AWS_CREDENTIALS` is an object, and local
/// secrets go through `json.loads`.
///
/// ```
/// use prefect_config::secrets::{ExposeSecret, SecretValue};
/// use serde_json::json;
///
/// let token = SecretValue::new(json!("ghp_marker"));
/// assert_eq!(format!("{token:?}"), r#"SecretValue("********")"#);
/// assert_eq!(token.expose_secret(), &json!("ghp_marker"));
/// ```
pub struct SecretValue(SecretBox<WipedValue>);

impl SecretValue {
    /// Wraps `value`.
    ///
    /// ```
    /// use prefect_config::secrets::{ExposeSecret, SecretValue};
    ///
    /// let v = SecretValue::new(serde_json::json!({"password": "p"}));
    /// assert_eq!(v.expose_secret()["password"], "p");
    /// ```
    pub fn new(value: Value) -> Self {
        SecretValue(SecretBox::new(Box::new(WipedValue(value))))
    }
}

impl From<Value> for SecretValue {
    /// Same as [`SecretValue::new`].
    ///
    /// ```
    /// use prefect_config::secrets::{ExposeSecret, SecretValue};
    ///
    /// let v: SecretValue = serde_json::json!(42).into();
    /// assert_eq!(v.expose_secret(), &serde_json::json!(42));
    /// ```
    fn from(value: Value) -> Self {
        SecretValue::new(value)
    }
}

impl ExposeSecret<Value> for SecretValue {
    fn expose_secret(&self) -> &Value {
        &self.0.expose_secret().0
    }
}

impl fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SecretValue").field(&MASK).finish()
    }
}

/// A `Value` that wipes its strings when zeroized (which `SecretBox` does on
/// drop).
pub(crate) struct WipedValue(pub(crate) Value);

impl Zeroize for WipedValue {
    fn zeroize(&mut self) {
        wipe(&mut self.0);
    }
}

/// Overwrites every string in `value` (keys too) and leaves `Null` behind.
///
/// Iterative, so that a deeply nested value cannot overflow the stack here
/// (it also spares serde_json's recursive drop the work).
pub(crate) fn wipe(value: &mut Value) {
    let mut stack = vec![std::mem::take(value)];
    while let Some(mut item) = stack.pop() {
        match &mut item {
            Value::String(s) => s.zeroize(),
            Value::Array(items) => stack.append(items),
            Value::Object(map) => {
                for (mut key, child) in std::mem::take(map) {
                    key.zeroize();
                    stack.push(child);
                }
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn wipe_leaves_null_and_handles_deep_nesting() {
        let mut v = json!({"a": ["b", {"c": "d"}], "n": 1});
        wipe(&mut v);
        assert_eq!(v, Value::Null);

        let mut deep = Value::Null;
        for _ in 0..200_000 {
            deep = Value::Array(vec![deep]);
        }
        wipe(&mut deep);
        assert_eq!(deep, Value::Null);
    }

    #[test]
    fn zeroized_string_buffer_is_cleared() {
        let mut s = String::from("hunter2");
        s.zeroize();
        assert!(s.is_empty());
    }
}

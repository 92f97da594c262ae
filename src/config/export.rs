//! Values as environment variable text that loads back to the same value.

use std::sync::Arc;

use serde_json::Value;

use crate::config::{Source, cast, python};

/// The text for an environment variable that loads back as `value`.
///
/// Python's `str()` is used when it round-trips; strings that would load as
/// something else (`"4200"`, `"true"`, `"'x'"`) are quoted as Python literals,
/// once or twice, because environment values are cast twice when loading.
pub(crate) fn env_text(value: &Value) -> String {
    let plain = python::to_str(value);
    if let Value::String(s) = value {
        if loads_as(&plain, value) {
            return plain;
        }
        let once = python::to_repr(value);
        if loads_as(&once, value) {
            return once;
        }
        let twice = python::to_repr(&Value::String(once));
        if loads_as(&twice, value) {
            return twice;
        }
        return s.clone();
    }
    plain
}

/// What an environment variable's text loads as, leaving out `$VAR`
/// expansion (see [`cast::rounds`] for why it is cast twice).
pub(crate) fn load_env_text(text: &str) -> Value {
    cast::load_text(text, &Source::EnvVar(Arc::from("")))
}

fn loads_as(text: &str, value: &Value) -> bool {
    &load_env_text(text) == value
}

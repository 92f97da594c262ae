//! Values as text that loads back to the same value: as an environment
//! variable ([`leaf_env_text`], [`env_text`]) or as a TOML string in a file
//! ([`file_text`]).
//! Both ask [`cast::load_text`], so the twice-cast rule stays in one place.
//! [`Config::to_environment_variable`] exports one value in time linear in
//! its key and text, so exporting each key of a configuration in turn stays
//! linear in its size.

use std::sync::Arc;

use serde_json::Value;

use crate::config::key::var_name_of;
use crate::config::node::{Leaf, Node, Raw};
use crate::config::{Config, Source, cast, literal, python};

impl Config {
    /// The variable (name and text) that
    /// [`to_environment_variables`](Config::to_environment_variables) makes
    /// for the value at the dotted `key`, found without walking the rest of
    /// the configuration; `None` when `key` names no value (a table, a
    /// missing key, or a path into an array). As there, the text is the
    /// value itself, secret or not.
    ///
    /// ```
    /// use prefect_config::config::Loader;
    /// let cfg = Loader::new()
    ///     .defaults_toml("[server]\nport = 4200\nname = \"'42'\"")
    ///     .load()?;
    /// assert_eq!(
    ///     cfg.to_environment_variable("server.port", "PREFECT"),
    ///     Some(("PREFECT__SERVER__PORT".to_owned(), "4200".to_owned()))
    /// );
    /// // The string "42" is quoted so that loading it back keeps it a string.
    /// assert_eq!(cfg.get("server.name"), Some(&serde_json::json!("42")));
    /// let (_, text) = cfg.to_environment_variable("server.name", "PREFECT").unwrap();
    /// assert_eq!(text, "\"'42'\"");
    /// assert_eq!(cfg.to_environment_variable("server", "PREFECT"), None);
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn to_environment_variable(&self, key: &str, prefix: &str) -> Option<(String, String)> {
        let Node::Table(root) = &self.root else {
            return None;
        };
        let parts: Vec<&str> = key.split('.').collect();
        match root.node(parts.iter().copied())? {
            Node::Leaf(leaf) => Some((var_name_of(prefix, &parts), leaf_env_text(leaf))),
            Node::Table(_) => None,
        }
    }
}

/// The text for an environment variable that loads back as the leaf's
/// value, as Prefect writes it (`str()` of the value): a value cast from a
/// literal JSON flattens (a tuple `(1, 2)`, a set `{1, 2}`) prints as Python
/// prints it, not as the array it became. Else [`env_text`].
pub(crate) fn leaf_env_text(leaf: &Leaf) -> String {
    if let Raw::Text(text) = leaf.literal() {
        if let Some(printed) = literal::python_str(&text) {
            if loads_as(&printed, &leaf.value) {
                return printed;
            }
        }
    }
    env_text(&leaf.value)
}

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

fn loads_as(text: &str, value: &Value) -> bool {
    cast::load_text(text, &Source::EnvVar(Arc::from(""))) == *value
}

/// The text for a TOML string in a configuration file that loads back as
/// exactly `s`, or `None` when casting alone cannot preserve it.
///
/// File values are cast once (environment values twice, see [`env_text`]):
/// `s` itself when it stays a string, else its Python `repr` (`'True'`,
/// `'4200'`), which casts back to `s`. `$VAR`, `~` and `${a.b}` expansion
/// happen before casting, so a caller still has to check those.
// Only the `edit` feature writes files; the unit tests below use it always.
#[cfg_attr(not(feature = "edit"), allow(dead_code))]
pub(crate) fn file_text(s: &str) -> Option<String> {
    let loads_as_s = |text: &str| cast::load_text(text, &Source::DefaultsToml).as_str() == Some(s);
    if loads_as_s(s) {
        return Some(s.to_owned());
    }
    let quoted = python::to_repr(&Value::String(s.to_owned()));
    loads_as_s(&quoted).then_some(quoted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_text_quotes_only_what_casting_would_change() {
        for (s, text) in [
            ("plain", "plain"),
            ("True", "'True'"),
            ("1e5", "'1e5'"),
            ("'quoted'", "\"'quoted'\""),
            ("None", "'None'"),
        ] {
            assert_eq!(file_text(s).as_deref(), Some(text), "{s}");
            assert_eq!(cast::string_to_type(text), Value::String(s.into()));
        }
    }
}

//! The context every thread starts from, built once per process from
//! [`crate::global()`], and what it is when that failed.

use std::sync::{Arc, OnceLock};

use serde_json::{Map, Value};

use super::entries::{SMALL, key_bit, same_key};
use crate::config::{Config, ConfigError, ConfigWarning, Loader};

/// The key whose value is the effective configuration.
pub(crate) const CONFIG_KEY: &str = "config";

/// The process-wide base context.
pub(crate) struct Base {
    /// The `context` table of the global configuration, without `config`.
    values: Map<String, Value>,
    /// The [`key_bit`] summary of `values`' keys: most lookups that reach
    /// the base are for a key it lacks, and this rejects them with one test.
    mask: u64,
    /// The global configuration, with `context.config` merged in if present.
    pub(crate) config: Arc<Config>,
    /// Why the global configuration failed to load, if it did.
    pub(crate) error: Option<ConfigError>,
}

static BASE: OnceLock<Base> = OnceLock::new();

/// The process-wide base context.
pub(crate) fn base() -> &'static Base {
    BASE.get_or_init(|| match crate::global() {
        Ok(config) => Base::from_config(config, None),
        Err(error) => Base::from_config(Arc::new(fallback(&error)), Some(error)),
    })
}

/// What the context holds when the global configuration failed to load:
/// the embedded defaults (as [`Loader::prefect()`] would give them with no
/// file and no `PREFECT__*` variable), carrying a warning that names the
/// error, so that a program reading `config().get(..)` gets Prefect's
/// defaults rather than nothing and the failure shows wherever warnings are
/// reported.
fn fallback(error: &ConfigError) -> Config {
    let mut config = Loader::new()
        .embedded_defaults()
        .task_defaults(true)
        .load()
        // The embedded defaults are tested to load; if `$VAR` expansion
        // ever made them fail, an empty tree still carries the warning.
        .unwrap_or_else(|_| Config::empty());
    config.warnings.push(ConfigWarning::GlobalLoadFailed {
        error: crate::config::with_causes(error),
    });
    config
}

impl Base {
    fn from_config(config: Arc<Config>, error: Option<ConfigError>) -> Base {
        let mut values = match config.get("context") {
            Some(Value::Object(map)) => map.clone(),
            _ => Map::new(),
        };
        // As in Prefect, a `config` key in the context table is merged into
        // the configuration rather than kept as a plain value.
        let config = match values.shift_remove(CONFIG_KEY) {
            Some(patch @ Value::Object(_)) => Arc::new(config.with_overrides(&patch)),
            _ => config,
        };
        let mask = values.keys().fold(0, |mask, key| mask | key_bit(key));
        Base {
            values,
            mask,
            config,
            error,
        }
    }

    /// The base value of `key`. A few keys are scanned rather than hashed:
    /// the `[context]` table is usually small, and hashing costs more than
    /// comparing a handful of short strings.
    pub(crate) fn get(&self, key: &str) -> Option<&Value> {
        self.get_with_bit(key, key_bit(key))
    }

    /// [`get`](Base::get) for a key whose [`key_bit`] is already known.
    #[inline]
    pub(crate) fn get_with_bit(&self, key: &str, bit: u64) -> Option<&Value> {
        if self.mask & bit == 0 {
            None
        } else if self.values.len() <= SMALL {
            self.values
                .iter()
                .find(|(k, _)| same_key(k, key))
                .map(|(_, v)| v)
        } else {
            self.values.get(key)
        }
    }

    /// Every base key and value, in the order of the `[context]` table.
    pub(crate) fn values(&self) -> &Map<String, Value> {
        &self.values
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fallback_is_the_embedded_defaults_with_a_warning_naming_the_error() {
        let error = Loader::new()
            .defaults_toml("[server]\nport = ")
            .load()
            .unwrap_err();
        let config = fallback(&error);
        assert_eq!(config.get("server.port"), Some(&serde_json::json!(4200)));
        let [ConfigWarning::GlobalLoadFailed { error: text }] = config.warnings() else {
            panic!("one warning expected: {:?}", config.warnings());
        };
        assert_eq!(text, &error.to_string());
        assert!(text.contains("line 2"), "{text}");
    }

    #[test]
    fn a_config_key_of_the_context_table_patches_the_configuration() {
        let config = Loader::new()
            .defaults_toml("[a]\nb = 1\n[context]\nx = 2\n[context.config.a]\nb = 3")
            .load()
            .unwrap();
        let base = Base::from_config(Arc::new(config), None);
        assert_eq!(base.get("x"), Some(&serde_json::json!(2)));
        assert_eq!(base.get(CONFIG_KEY), None);
        assert_eq!(base.get("y"), None);
        assert_eq!(base.config.get("a.b"), Some(&serde_json::json!(3)));
    }
}

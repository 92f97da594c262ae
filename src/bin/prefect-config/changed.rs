//! `--changed` and `--show-defaults`: which values differ from the defaults,
//! and what the defaults alone give beside them.
//!
//! A value is *set* outside the defaults when its [`Source`] is a layer above
//! them (user or backend file, secrets directory, environment). It is
//! *changed* when it is set, or when a value the defaults compute (through
//! `${...}`) differs from what the defaults alone give, as
//! `server.endpoint` does once `server.port` is set. `env --changed` exports
//! only the set values: loading them over the same defaults computes the
//! others again.

use std::path::Path;

use prefect_config::Value;
use prefect_config::config::{Config, Loader, PrefectVersion, Source};

use crate::output::{MASK, inline, is_blank, join};
use crate::{Failure, with_causes};

/// True for the layers the defaults are made of (the defaults file, and the
/// values the task-defaults step fills in).
pub fn is_default(source: &Source) -> bool {
    matches!(source.layer(), "defaults" | "task_defaults")
}

/// True when the value at `key` was set by a layer above the defaults.
fn is_set(config: &Config, key: &str) -> bool {
    config.source_of(key).is_some_and(|s| !is_default(s))
}

/// The configuration the defaults alone give: the same defaults (`--defaults`
/// or the embedded ones), task defaults, and the process environment for
/// `$VAR` and `~`, but no file, secrets directory or `PREFIX__*` variable.
pub struct Defaults(Config);

impl Defaults {
    pub fn load(
        defaults_file: Option<&Path>,
        version: PrefectVersion,
    ) -> Result<Defaults, Failure> {
        let loader = match defaults_file {
            Some(path) => Loader::new().defaults_file(path),
            None => Loader::new().embedded_defaults().prefect_version(version),
        };
        let config = loader.task_defaults(true).load().map_err(|e| {
            Failure::from(format!(
                "cannot load the defaults alone to compare with them: {}",
                with_causes(&e)
            ))
        })?;
        Ok(Defaults(config))
    }

    /// True when `key` is set outside the defaults or its value differs
    /// from theirs.
    pub fn is_changed(&self, config: &Config, key: &str) -> bool {
        is_set(config, key) || self.0.get(key) != config.get(key)
    }

    /// `value`, the subtree at `path`, with only its changed leaves (tables
    /// left empty are dropped); `None` when nothing in it changed.
    pub fn changed_only(&self, config: &Config, path: &str, value: &Value) -> Option<Value> {
        match value {
            // A leaf whose value is a table (a context value cast from text)
            // is walked like a table: `source_of` and `get` reach inside it.
            Value::Object(map) => {
                let kept: serde_json::Map<String, Value> = map
                    .iter()
                    .filter_map(|(key, child)| {
                        let child = self.changed_only(config, &join(path, key), child)?;
                        Some((key.clone(), child))
                    })
                    .collect();
                (!kept.is_empty()).then_some(Value::Object(kept))
            }
            _ => self.is_changed(config, path).then(|| value.clone()),
        }
    }

    /// What the defaults give at `key`, for a label: `default: 4200`,
    /// `default: ********` (masked by the same rule as the value unless
    /// `show` is set), or `not in the defaults`.
    pub fn label(&self, config: &Config, key: &str, show: bool) -> String {
        match self.0.get(key) {
            None => "not in the defaults".to_owned(),
            Some(value) => format!("default: {}", inline(&self.shown(config, key, value, show))),
        }
    }

    /// What the defaults give at `key`, masked unless `show` is set; `None`
    /// when they have no such key.
    pub fn value(&self, config: &Config, key: &str, show: bool) -> Option<Value> {
        let value = self.0.get(key)?;
        Some(self.shown(config, key, value, show))
    }

    fn shown(&self, config: &Config, key: &str, value: &Value, show: bool) -> Value {
        let sensitive = self.0.is_sensitive(key) || config.is_sensitive(key);
        if show || !sensitive || is_blank(value) {
            value.clone()
        } else {
            Value::String(MASK.into())
        }
    }
}

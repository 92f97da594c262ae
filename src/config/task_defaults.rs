//! Prefect's task defaults: `tasks.defaults.max_retries`, `retry_delay` and
//! `timeout`, normalised after loading and read back as typed values.

use std::time::Duration;

use serde_json::{Map, Value};

use crate::config::tree::Meta;
use crate::config::{Config, Source};

/// The typed view of `tasks.defaults`, from [`Config::task_defaults`].
///
/// ```
/// use prefect_config::config::Loader;
/// let cfg = Loader::new().defaults_toml("").task_defaults(true).load()?;
/// let defaults = cfg.task_defaults();
/// assert_eq!((defaults.max_retries, defaults.retry_delay, defaults.timeout), (0, None, None));
/// # Ok::<(), prefect_config::config::ConfigError>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TaskDefaults {
    /// How many times a task is retried (`false`, `null` or absent: 0).
    pub max_retries: u64,
    /// The pause between retries (`false` or absent: none; a number: seconds).
    pub retry_delay: Option<Duration>,
    /// The task timeout (`false` or absent: none; a number: seconds).
    pub timeout: Option<Duration>,
}

impl TaskDefaults {
    pub(crate) fn from_config(config: &Config) -> TaskDefaults {
        let get = |key: &str| config.get(&format!("tasks.defaults.{key}"));
        TaskDefaults {
            max_retries: get("max_retries").and_then(Value::as_u64).unwrap_or(0),
            retry_delay: get("retry_delay").and_then(seconds),
            timeout: get("timeout").and_then(seconds),
        }
    }
}

fn seconds(value: &Value) -> Option<Duration> {
    match value {
        Value::Bool(true) => Some(Duration::from_secs(1)),
        Value::Number(n) => n.as_f64().and_then(|s| Duration::try_from_secs_f64(s).ok()),
        _ => None,
    }
}

/// Normalises `tasks.defaults` in place the way Prefect's loader does.
pub(crate) fn apply(config: &mut Config) {
    let tasks = config
        .value
        .get("tasks")
        .cloned()
        .unwrap_or(Value::Object(Map::new()));
    let defaults = tasks
        .get("defaults")
        .cloned()
        .unwrap_or(Value::Object(Map::new()));
    let Value::Object(defaults) = defaults else {
        // Prefect would fail here; leave a non-table `tasks.defaults` alone.
        return;
    };
    let falsy = |v: Option<&Value>| match v {
        None | Some(Value::Null) | Some(Value::Bool(false)) => true,
        Some(Value::Number(n)) => n.as_f64() == Some(0.0),
        Some(Value::String(s)) => s.is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        Some(Value::Object(o)) => o.is_empty(),
        Some(Value::Bool(true)) => false,
    };
    let mut set = |key: &str, value: Value| {
        if defaults.get(key) != Some(&value) || !defaults.contains_key(key) {
            config.set_path(&format!("tasks.defaults.{key}"), value);
            mark(&mut config.meta, key);
        }
    };
    if falsy(defaults.get("max_retries")) {
        set("max_retries", Value::from(0));
    }
    match defaults.get("retry_delay") {
        None | Some(Value::Bool(false)) => set("retry_delay", Value::Null),
        Some(Value::Bool(true)) => set("retry_delay", Value::from(1)),
        _ => {}
    }
    if matches!(defaults.get("timeout"), None | Some(Value::Bool(false))) {
        set("timeout", Value::Null);
    }
}

/// Marks a value written by this step with [`Source::TaskDefaults`].
fn mark(meta: &mut Meta, key: &str) {
    let Meta::Table { children, .. } = meta else {
        return;
    };
    let Some(Meta::Table { children, .. }) = children.get_mut("tasks") else {
        return;
    };
    let Some(Meta::Table { children, .. }) = children.get_mut("defaults") else {
        return;
    };
    children.insert(key.to_owned(), Meta::leaf(Source::TaskDefaults));
}

//! Prefect's task defaults: `tasks.defaults.max_retries`, `retry_delay` and
//! `timeout`, normalised after loading and read back as typed values.

use std::time::Duration;

use serde_json::Value;

use crate::config::node::{Leaf, Node, Table};
use crate::config::step::{Step, StepKind};
use crate::config::{Config, ConfigError, Source};

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

impl Config {
    /// The typed task defaults (`tasks.defaults.*`).
    ///
    /// ```
    /// use prefect_config::config::Loader;
    /// use std::time::Duration;
    /// let cfg = Loader::new()
    ///     .defaults_toml("[tasks.defaults]\nmax_retries = 3\nretry_delay = 10")
    ///     .task_defaults(true)
    ///     .load()?;
    /// let defaults = cfg.task_defaults();
    /// assert_eq!(defaults.max_retries, 3);
    /// assert_eq!(defaults.retry_delay, Some(Duration::from_secs(10)));
    /// assert_eq!(defaults.timeout, None);
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn task_defaults(&self) -> TaskDefaults {
        let get = |key: &str| self.get(&format!("tasks.defaults.{key}"));
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

/// Normalises `tasks.defaults` in place the way Prefect's loader does,
/// recording each change as a [`StepKind::TaskDefaults`] step.
pub(crate) fn apply(root: &mut Table) -> Result<(), ConfigError> {
    let tasks = root
        .entries
        .entry("tasks".into())
        .or_insert_with(|| Node::Table(Table::new(Source::TaskDefaults)));
    let tasks = match tasks {
        Node::Table(tasks) => tasks,
        // Prefect fails here too.
        Node::Leaf(leaf) => {
            return Err(ConfigError::NotATable {
                key: "tasks".into(),
                origin: leaf.source.clone(),
            });
        }
    };
    let defaults = tasks
        .entries
        .entry("defaults".into())
        .or_insert_with(|| Node::Table(Table::new(Source::TaskDefaults)));
    let defaults = match defaults {
        Node::Table(defaults) => defaults,
        Node::Leaf(leaf) => {
            return Err(ConfigError::NotATable {
                key: "tasks.defaults".into(),
                origin: leaf.source.clone(),
            });
        }
    };
    let falsy = |node: Option<&Node>| match node {
        None => true,
        Some(Node::Table(t)) => t.entries.is_empty(),
        Some(Node::Leaf(leaf)) => match &leaf.value {
            Value::Null | Value::Bool(false) => true,
            Value::Number(n) => n.as_f64() == Some(0.0),
            Value::String(s) => s.is_empty(),
            Value::Array(a) => a.is_empty(),
            Value::Object(o) => o.is_empty(),
            Value::Bool(true) => false,
        },
    };
    let value_of = |node: Option<&Node>| match node {
        Some(Node::Leaf(leaf)) => Some(leaf.value.clone()),
        _ => None,
    };
    let max_retries = defaults.entries.get("max_retries");
    if falsy(max_retries) {
        set(defaults, "max_retries", Value::from(0));
    }
    match value_of(defaults.entries.get("retry_delay")) {
        None if !defaults.entries.contains_key("retry_delay") => {
            set(defaults, "retry_delay", Value::Null)
        }
        Some(Value::Bool(false)) => set(defaults, "retry_delay", Value::Null),
        Some(Value::Bool(true)) => set(defaults, "retry_delay", Value::from(1)),
        _ => {}
    }
    let timeout = defaults.entries.get("timeout");
    if timeout.is_none() || value_of(timeout) == Some(Value::Bool(false)) {
        set(defaults, "timeout", Value::Null);
    }
    Ok(())
}

/// Sets one task default, unless it already holds exactly that value.
fn set(defaults: &mut Table, key: &str, value: Value) {
    let old = defaults.entries.get(key);
    if matches!(old, Some(Node::Leaf(leaf)) if leaf.value == value) {
        return;
    }
    let mut leaf = Leaf::new(value.clone(), Source::TaskDefaults);
    leaf.apply(Step::new(StepKind::TaskDefaults, value));
    // `insert` keeps an existing key's place.
    if let Some(Node::Leaf(old)) = defaults.entries.insert(key.into(), Node::Leaf(leaf)) {
        if let Some(Node::Leaf(new)) = defaults.entries.get_mut(key) {
            new.trail_mut().overridden = old.into_history();
        }
    }
}

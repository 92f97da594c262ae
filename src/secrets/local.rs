//! Local secrets: the `secrets` key of the context, and the "a flow is
//! being built" marker that makes [`Secret::get`](super::Secret::get) fail.
//!
//! Both are secrets rules written on top of the context: this module uses
//! [`context`], and the context knows nothing of it. The marker is a typed
//! value the context carries for us, so an ordinary `flow` key never
//! triggers it.

use std::sync::Arc;

use serde_json::Value;

use crate::config::{ConfigError, MAX_DEPTH, depth};
use crate::context;
use crate::render::SECRETS_KEY;
use crate::secrets::SecretValue;

/// Marks a scope as building a flow; carried by the context as a typed
/// value, so no context key can fake or hide it.
struct BuildingFlow {
    name: Arc<str>,
}

/// Runs `f` as Prefect runs code while a flow is being built: inside it,
/// [`Secret::get`](super::Secret::get) fails with Prefect's "Secrets should
/// only be retrieved during a Flow run" error. The marker follows snapshots
/// and [`context::with_async`] like any scope.
///
/// (Before issue 12 this was `context::building_flow`.)
///
/// ```
/// # prefect_config::set_global(prefect_config::config::Loader::new().embedded_defaults().env_vars([("HOME", "/h")]).load().unwrap()).ok();
/// use prefect_config::secrets::{self, Secret, SecretError};
/// let err = secrets::building_flow("etl", || {
///     assert_eq!(secrets::building_flow_name().as_deref(), Some("etl"));
///     Secret::new("ANY").get().unwrap_err()
/// });
/// assert!(matches!(err, SecretError::BuildingFlow));
/// assert_eq!(secrets::building_flow_name(), None);
/// ```
pub fn building_flow<R>(name: &str, f: impl FnOnce() -> R) -> R {
    let marker = BuildingFlow {
        name: Arc::from(name),
    };
    context::attach(marker, f)
}

/// The name of the flow being built here (see [`building_flow`]), if any.
///
/// ```
/// # prefect_config::set_global(prefect_config::config::Loader::new().embedded_defaults().env_vars([("HOME", "/h")]).load().unwrap()).ok();
/// use prefect_config::{context, secrets};
/// assert_eq!(secrets::building_flow_name(), None);
/// // An ordinary `flow` key is not the marker.
/// context::with(serde_json::json!({"flow": "etl"}), || assert_eq!(secrets::building_flow_name(), None));
/// ```
pub fn building_flow_name() -> Option<String> {
    context::with_attached(|marker: &BuildingFlow| marker.name.to_string())
}

/// The local secrets: the view of the `secrets` namespace of the current
/// context.
///
/// (Before issue 12 this was `context::secrets()`.)
///
/// ```
/// # prefect_config::set_global(prefect_config::config::Loader::new().embedded_defaults().env_vars([("HOME", "/h")]).load().unwrap()).ok();
/// use prefect_config::{context, secrets};
/// context::with(serde_json::json!({"secrets": {"A": 1}}), || {
///     assert_eq!(secrets::local().names(), ["A"]);
/// });
/// ```
pub fn local() -> Secrets {
    Secrets
}

/// Runs `f` on the visible secret `name` (an entry of the `secrets` object).
pub(crate) fn with_secret<R>(name: &str, f: impl Fn(Option<&Value>) -> R) -> R {
    context::with_value(SECRETS_KEY, |secrets| f(secrets.and_then(|s| s.get(name))))
}

/// The view of the `secrets` namespace of the current context (Prefect's
/// `prefect.context.secrets`), as returned by [`local()`]. It holds nothing
/// itself: every call reads the context of the calling thread at that moment.
///
/// ```
/// # prefect_config::set_global(prefect_config::config::Loader::new().embedded_defaults().env_vars([("HOME", "/h")]).load().unwrap()).ok();
/// use prefect_config::{context, secrets};
/// context::with(serde_json::json!({}), || {
///     secrets::local().insert("MY_KEY", "MY_VALUE");
///     assert!(secrets::local().contains("MY_KEY"));
///     assert_eq!(secrets::local().names(), ["MY_KEY"]);
/// });
/// assert!(!secrets::local().contains("MY_KEY")); // the edit ended with the scope
/// ```
#[derive(Clone, Copy, Debug, Default)]
#[non_exhaustive]
pub struct Secrets;

impl Secrets {
    /// The names of the secrets visible here, in order.
    ///
    /// ```
    /// # prefect_config::set_global(prefect_config::config::Loader::new().embedded_defaults().env_vars([("HOME", "/h")]).load().unwrap()).ok();
    /// use prefect_config::{context, secrets};
    /// context::with(serde_json::json!({"secrets": {"B": 1, "A": 2}}), || {
    ///     assert_eq!(secrets::local().names(), ["B", "A"]);
    /// });
    /// ```
    pub fn names(&self) -> Vec<String> {
        context::with_value(SECRETS_KEY, |secrets| {
            secrets
                .and_then(Value::as_object)
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default()
        })
    }

    /// True when a secret called `name` is visible here.
    ///
    /// ```
    /// # prefect_config::set_global(prefect_config::config::Loader::new().embedded_defaults().env_vars([("HOME", "/h")]).load().unwrap()).ok();
    /// use prefect_config::{context, secrets};
    /// context::with(serde_json::json!({"secrets": {"A": 1}}), || {
    ///     assert!(secrets::local().contains("A") && !secrets::local().contains("a"));
    /// });
    /// ```
    pub fn contains(&self, name: &str) -> bool {
        with_secret(name, |value| value.is_some())
    }

    /// The secret's value as stored (no JSON decoding), wrapped.
    ///
    /// ```
    /// # prefect_config::set_global(prefect_config::config::Loader::new().embedded_defaults().env_vars([("HOME", "/h")]).load().unwrap()).ok();
    /// use prefect_config::{context, secrets::{self, ExposeSecret}};
    /// context::with(serde_json::json!({"secrets": {"N": "42"}}), || {
    ///     let raw = secrets::local().get("N").unwrap();
    ///     assert_eq!(raw.expose_secret(), "42");
    /// });
    /// ```
    pub fn get(&self, name: &str) -> Option<SecretValue> {
        with_secret(name, |value| value.cloned().map(SecretValue::new))
    }

    /// Sets a secret in the current scope (or for the thread, outside any
    /// scope), like Prefect's
    /// `prefect.context.setdefault("secrets", {})["NAME"] = value`; unlike
    /// Prefect, the edit ends with the scope.
    ///
    /// ```
    /// # prefect_config::set_global(prefect_config::config::Loader::new().embedded_defaults().env_vars([("HOME", "/h")]).load().unwrap()).ok();
    /// use prefect_config::{context, secrets::{self, Secret}};
    /// context::with(serde_json::json!({}), || {
    ///     secrets::local().insert("MY_KEY", "MY_VALUE");
    ///     assert_eq!(Secret::new("MY_KEY").get().unwrap(), "MY_VALUE");
    /// });
    /// assert!(!Secret::new("MY_KEY").exists());
    /// ```
    ///
    /// A secret sits one level inside the `secrets` key, so its value may
    /// nest [`MAX_DEPTH`] − 1 levels; a deeper one is refused and sets
    /// nothing (see [`context`'s rule](crate::context#how-deep-a-value-may-nest));
    /// [`try_insert`](Secrets::try_insert) reports it.
    pub fn insert(&self, name: impl Into<String>, value: impl Into<Value>) {
        let value = value.into();
        if depth::deeper_than(&value, MAX_DEPTH - 1) {
            // Before the secrets are copied: the refusal costs no copy.
            depth::dismantle(value);
            return;
        }
        self.insert_within_cap(name.into(), value);
    }

    /// [`insert`](Secrets::insert), or
    /// [`ConfigError::ValueTooDeep`] for the key `secrets.<name>` when the
    /// value nests deeper than [`MAX_DEPTH`] − 1 levels (then nothing is
    /// set).
    ///
    /// ```
    /// # prefect_config::set_global(prefect_config::config::Loader::new().embedded_defaults().env_vars([("HOME", "/h")]).load().unwrap()).ok();
    /// use prefect_config::{config::MAX_DEPTH, context, secrets};
    /// let mut deep = serde_json::json!("v");
    /// for _ in 0..MAX_DEPTH {
    ///     deep = serde_json::json!([deep]);
    /// }
    /// context::with(serde_json::json!({}), || {
    ///     let err = secrets::local().try_insert("DEEP", deep).unwrap_err();
    ///     assert_eq!(err.key(), Some("secrets.DEEP"));
    ///     assert!(!secrets::local().contains("DEEP"));
    /// });
    /// ```
    pub fn try_insert(
        &self,
        name: impl Into<String>,
        value: impl Into<Value>,
    ) -> Result<(), ConfigError> {
        let (name, value) = (name.into(), value.into());
        if depth::deeper_than(&value, MAX_DEPTH - 1) {
            depth::dismantle(value);
            return Err(ConfigError::too_deep(format!("{SECRETS_KEY}.{name}")));
        }
        self.insert_within_cap(name, value);
        Ok(())
    }

    fn insert_within_cap(&self, name: String, value: Value) {
        let mut secrets = context::with_value(SECRETS_KEY, |secrets| match secrets {
            Some(Value::Object(map)) => map.clone(),
            _ => serde_json::Map::new(),
        });
        secrets.insert(name, value);
        context::set(SECRETS_KEY, Value::Object(secrets));
    }
}

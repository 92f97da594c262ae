//! Cross-thread handoff: a frozen, shareable view of a thread's context.

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::base::CONFIG_KEY;
use super::env_export;
use super::frame::{Chain, Extra, Frame};
use super::future::InContext;
use super::guard::{Overrides, ScopeGuard};
use super::{frame, stack};
use crate::config::Config;
use crate::render::mask::mask_context;

/// The context visible on one thread at one moment, frozen: `Send + Sync`,
/// and cheap to clone (it shares the frames, it does not copy them).
///
/// [`attach`](Snapshot::attach) runs code with the snapshot as the visible
/// context on any thread, *instead of* that thread's own scopes and
/// top-level edits (as if the code ran where the snapshot was taken).
/// Scopes and edits inside `attach` stack on top of the snapshot and end
/// with it; the snapshot itself never changes.
///
/// `Debug` and `Display` mask every sensitive value by the configuration's
/// one rule (see [`crate::config::is_sensitive_key`]): a context key `k` is
/// judged as the key `context.k`, so everything under `secrets`, keys such as
/// `api_key` or `db_password` at any depth, values the `[context]` table built
/// from a secret, and URLs with a password; `config` is masked as
/// [`Config`]'s `Debug` masks it.
///
/// ```
/// use prefect_config::context;
/// use serde_json::json;
///
/// let snap = context::with([("request", "r-1")], context::snapshot);
/// let seen = std::thread::spawn(move || snap.attach(|| context::get("request")))
///     .join()
///     .unwrap();
/// assert_eq!(seen, Some(json!("r-1")));
/// ```
#[derive(Clone)]
pub struct Snapshot {
    chain: Chain,
}

impl Snapshot {
    pub(crate) fn capture() -> Snapshot {
        Snapshot {
            chain: stack::top(),
        }
    }

    fn top(&self) -> Option<&Arc<Frame>> {
        self.chain.0.as_ref()
    }

    /// Runs `f` with this snapshot as the visible context on the current
    /// thread, then restores the thread's own context (also on panic).
    ///
    /// ```
    /// use prefect_config::context;
    /// let snap = context::with([("a", 1)], context::snapshot);
    /// context::with([("b", 2)], || {
    ///     snap.attach(|| {
    ///         assert!(context::contains("a"));
    ///         assert!(!context::contains("b")); // instead of, not on top of
    ///     });
    ///     assert!(context::contains("b"));
    /// });
    /// ```
    pub fn attach<R>(&self, f: impl FnOnce() -> R) -> R {
        let _guard = self.enter();
        f()
    }

    /// Makes this snapshot the visible context until the guard is dropped.
    ///
    /// ```
    /// use prefect_config::context;
    /// let snap = context::with([("a", 1)], context::snapshot);
    /// let guard = snap.enter();
    /// assert_eq!(context::get("a"), Some(serde_json::json!(1)));
    /// drop(guard);
    /// assert_eq!(context::get("a"), None);
    /// ```
    pub fn enter(&self) -> ScopeGuard {
        ScopeGuard::push(Frame::with_extra(Extra::detached(self.chain.clone())))
    }

    /// Wraps a future so that every poll sees this snapshot plus
    /// `overrides` (for example a task spawned onto another runtime thread
    /// that should carry its caller's context).
    ///
    /// ```
    /// use prefect_config::context;
    /// use serde_json::json;
    /// let snap = context::with([("a", 1)], context::snapshot);
    /// let fut = snap.attach_async([("b", 2)], async { (context::get("a"), context::get("b")) });
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     use std::task::{Context, Poll, Waker};
    /// #     let mut f = Box::pin(f);
    /// #     let mut cx = Context::from_waker(Waker::noop());
    /// #     loop { if let Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
    /// # }
    /// assert_eq!(block_on(fut), (Some(json!(1)), Some(json!(2))));
    /// ```
    pub fn attach_async<F: Future>(
        &self,
        overrides: impl Into<Overrides>,
        future: F,
    ) -> InContext<F> {
        InContext::new(overrides.into(), future, Some(self.chain.clone()))
    }

    /// The value of `key` in this snapshot (`config` gives the effective
    /// configuration as a value).
    ///
    /// ```
    /// use prefect_config::context;
    /// let snap = context::with([("a", 1)], context::snapshot);
    /// assert_eq!(snap.get("a"), Some(serde_json::json!(1)));
    /// assert_eq!(snap.get("zzz"), None);
    /// ```
    pub fn get(&self, key: &str) -> Option<Value> {
        if key == CONFIG_KEY {
            return Some(self.config().as_value().clone());
        }
        frame::find(self.top(), key).cloned()
    }

    /// The effective configuration in this snapshot.
    ///
    /// ```
    /// use prefect_config::context;
    /// use serde_json::json;
    /// let snap = context::with(json!({"config": {"x": 1}}), context::snapshot);
    /// assert_eq!(snap.config().get("x"), Some(&json!(1)));
    /// ```
    pub fn config(&self) -> Arc<Config> {
        frame::effective_config(self.top())
    }

    /// The whole visible context as one JSON object, `config` included.
    /// This exposes secrets: do not log it.
    ///
    /// ```
    /// use prefect_config::context;
    /// let snap = context::with([("a", 1)], context::snapshot);
    /// assert_eq!(snap.to_value()["a"], 1);
    /// assert!(snap.to_value()["config"].is_object());
    /// ```
    pub fn to_value(&self) -> Value {
        let config = self.config().as_value().clone();
        Value::Object(frame::visible(self.top(), Some(config)))
    }

    /// The snapshot's context as environment variables for a child
    /// process: every key (`config` aside, which travels as the
    /// configuration's own variables) as `PREFIX__CONTEXT__KEY`, nested
    /// objects as nested names, each value as text the loader reads back as
    /// that value: the rule of
    /// [`Config::to_environment_variables`](crate::config::Config::to_environment_variables).
    /// With the standard prefix `PREFECT`, [`global()`](crate::global())
    /// in the child puts them back into its context, as Prefect's agents
    /// hand a flow run its context.
    ///
    /// `secrets` is left out (see
    /// [`to_environment_variables_with_secrets`](Snapshot::to_environment_variables_with_secrets)).
    /// Names are upper case and the loader lower-cases them, so a key with
    /// capitals comes back lower-cased, and the child's loader interpolates
    /// strings (`$NAME`, a leading `~`, `${a.b}`) as it does for any
    /// variable: both as in Prefect. A
    /// key no variable name can carry (empty, or holding `__`, `=` or a NUL
    /// byte) is left out.
    ///
    /// ```
    /// # prefect_config::set_global(prefect_config::config::Loader::new().embedded_defaults().env_vars([("HOME", "/h")]).load().unwrap()).ok();
    /// use prefect_config::config::Loader;
    /// use prefect_config::context;
    /// use serde_json::json;
    ///
    /// let snap = context::with(json!({"run": {"id": "42", "ok": true}, "secrets": {"K": "v"}}), context::snapshot);
    /// let vars = snap.to_environment_variables("PREFECT");
    /// assert_eq!(vars["PREFECT__CONTEXT__RUN__ID"], r#""'42'""#); // quoted: stays a string
    /// assert_eq!(vars["PREFECT__CONTEXT__RUN__OK"], "True");
    /// assert!(!vars.keys().any(|name| name.contains("SECRETS")));
    ///
    /// // What a child process's loader makes of them:
    /// let child = Loader::new().env_prefix("PREFECT").env_vars(vars).load()?;
    /// assert_eq!(child.get("context.run"), Some(&json!({"id": "42", "ok": true})));
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn to_environment_variables(&self, prefix: &str) -> BTreeMap<String, String> {
        let values = frame::visible(self.top(), None);
        env_export::environment_variables(&values, prefix, false)
    }

    /// Like [`to_environment_variables`](Snapshot::to_environment_variables),
    /// with the `secrets` key too: `PREFIX__CONTEXT__SECRETS__Name`, whose
    /// names keep their case. The values are secrets: hand them only to a
    /// process that may see them, and never log them.
    ///
    /// ```
    /// # prefect_config::set_global(prefect_config::config::Loader::new().embedded_defaults().env_vars([("HOME", "/h")]).load().unwrap()).ok();
    /// use prefect_config::context;
    /// use serde_json::json;
    ///
    /// let snap = context::with(json!({"secrets": {"MyToken": "t-1"}}), context::snapshot);
    /// let vars = snap.to_environment_variables_with_secrets("PREFECT");
    /// assert_eq!(vars["PREFECT__CONTEXT__SECRETS__MyToken"], "t-1");
    /// ```
    pub fn to_environment_variables_with_secrets(&self, prefix: &str) -> BTreeMap<String, String> {
        let values = frame::visible(self.top(), None);
        env_export::environment_variables(&values, prefix, true)
    }

    fn redacted(&self) -> Value {
        let config = self.config();
        let values = frame::visible(self.top(), Some(Value::Object(Map::new())));
        mask_context(&values, config.redacted(), &|path| {
            config.is_flagged(std::iter::once("context").chain(path.iter().copied()))
        })
    }
}

/// The visible context as JSON, with sensitive values masked.
impl fmt::Display for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.redacted())
    }
}

/// The visible context, with sensitive values masked.
impl fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Snapshot").field(&self.redacted()).finish()
    }
}

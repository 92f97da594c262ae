//! The RAII scope: overrides in, a guard out, the previous state back on drop.

use std::fmt;
use std::marker::PhantomData;

use serde_json::{Map, Value};

use super::base::CONFIG_KEY;
use super::entries::Key;
use super::frame::Frame;
use super::stack::{self, Token};
use crate::config::{ConfigError, depth};

/// The keys a scope sets, built from a JSON object, a [`Map`], or
/// `(key, value)` pairs whose keys are any `AsRef<str>` (`&str`, `String`,
/// ...). Keys of up to 24 bytes are stored inline.
///
/// An `Overrides` is the scope's frame itself, filled as it is built:
/// entering the scope moves one pointer, and a one-key scope usually
/// reuses a frame an earlier scope on the thread gave back.
///
/// A later pair for the same key wins. The `config` key is a deep-merge
/// patch for the configuration and must be an object (anything else under
/// `config` is ignored). A [`Value`] that is not an object sets nothing;
/// `Value::Null` is the empty set of overrides.
///
/// ```
/// use prefect_config::context::Overrides;
/// use serde_json::json;
///
/// let a = Overrides::from(json!({"a": 1, "b": "x"}));
/// let b = Overrides::from([("a", json!(1)), ("b", json!("x"))]);
/// assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
/// assert!(Overrides::from(json!(null)).is_empty());
/// ```
#[derive(Clone)]
pub struct Overrides {
    frame: Box<Frame>,
}

impl Default for Overrides {
    #[inline]
    fn default() -> Self {
        Overrides {
            frame: stack::fresh(),
        }
    }
}

impl Overrides {
    /// No overrides.
    ///
    /// ```
    /// assert!(prefect_config::context::Overrides::new().is_empty());
    /// ```
    #[inline]
    pub fn new() -> Self {
        Overrides::default()
    }

    /// Adds one key (builder style).
    ///
    /// ```
    /// use prefect_config::context::Overrides;
    /// let o = Overrides::new().with("a", 1).with("b", "two");
    /// assert_eq!(o.keys().collect::<Vec<_>>(), ["a", "b"]);
    /// ```
    #[inline]
    pub fn with(mut self, key: impl AsRef<str>, value: impl Into<Value>) -> Self {
        self.set_str(key.as_ref(), value);
        self
    }

    #[inline]
    fn set_str(&mut self, key: &str, value: impl Into<Value>) {
        if !self.frame.set_str(key, value) {
            self.frame.refused(key);
        }
    }

    #[inline]
    fn set(&mut self, key: Key, value: Value) {
        if depth::too_deep(&value) {
            depth::dismantle(value);
            self.frame.refused(&key);
            return;
        }
        self.frame.set(key, value);
    }

    /// `Err` when a value given for these overrides nested deeper than
    /// [`MAX_DEPTH`](crate::config::MAX_DEPTH) levels and was left out
    /// (naming the first such key); see
    /// [how deep a value may nest](crate::context#how-deep-a-value-may-nest).
    ///
    /// ```
    /// use prefect_config::{config::MAX_DEPTH, context::Overrides};
    /// let mut deep = serde_json::json!(1);
    /// for _ in 0..=MAX_DEPTH {
    ///     deep = serde_json::json!({"a": deep});
    /// }
    /// let overrides = Overrides::new().with("ok", 1).with("deep", deep);
    /// assert_eq!(overrides.check().unwrap_err().key(), Some("deep"));
    /// assert_eq!(overrides.keys().collect::<Vec<_>>(), ["ok"]);
    /// assert!(Overrides::new().with("ok", 1).check().is_ok());
    /// ```
    pub fn check(&self) -> Result<(), ConfigError> {
        match self.frame.refused_key() {
            Some(key) => Err(ConfigError::too_deep(key)),
            None => Ok(()),
        }
    }

    /// The keys, each once in the order first given, then `config` if a
    /// configuration patch was given.
    ///
    /// ```
    /// use prefect_config::context::Overrides;
    /// assert_eq!(Overrides::from(serde_json::json!({"x": 1})).keys().next(), Some("x"));
    /// ```
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        let config = self
            .frame
            .extra
            .as_ref()
            .is_some_and(|extra| extra.config.is_some());
        self.frame
            .values
            .iter()
            .map(|(k, _)| k)
            .chain(config.then_some(CONFIG_KEY))
    }

    /// True when there is nothing to override.
    ///
    /// ```
    /// use prefect_config::context::Overrides;
    /// assert!(!Overrides::new().with("a", 1).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.keys().next().is_none()
    }

    /// The frame holding these overrides.
    #[inline]
    pub(crate) fn into_frame(self) -> Box<Frame> {
        self.frame
    }
}

/// Prints the keys only, never the values.
impl fmt::Debug for Overrides {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Overrides")
            .field("keys", &self.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl From<Value> for Overrides {
    #[inline]
    fn from(value: Value) -> Self {
        match value {
            Value::Object(map) => map.into(),
            _ => Overrides::default(),
        }
    }
}

impl From<Map<String, Value>> for Overrides {
    #[inline]
    fn from(map: Map<String, Value>) -> Self {
        // `Key::from(String)` keeps a short key inline and frees the
        // `String`.
        let mut out = Overrides::default();
        for (key, value) in map {
            out.set(Key::from(key), value);
        }
        out
    }
}

impl<K: AsRef<str>, V: Into<Value>, const N: usize> From<[(K, V); N]> for Overrides {
    #[inline]
    fn from(pairs: [(K, V); N]) -> Self {
        pairs.into_iter().collect()
    }
}

impl<K: AsRef<str>, V: Into<Value>> From<Vec<(K, V)>> for Overrides {
    fn from(pairs: Vec<(K, V)>) -> Self {
        pairs.into_iter().collect()
    }
}

impl<K: AsRef<str>, V: Into<Value>> From<(K, V)> for Overrides {
    #[inline]
    fn from((key, value): (K, V)) -> Self {
        Overrides::new().with(key, value)
    }
}

impl<K: AsRef<str>, V: Into<Value>> FromIterator<(K, V)> for Overrides {
    #[inline]
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut out = Overrides::default();
        for (key, value) in iter {
            out.set_str(key.as_ref(), value);
        }
        out
    }
}

/// An active scope: its overrides are visible on this thread until the
/// guard is dropped, which restores the previous state exactly.
///
/// Made by [`scope`](super::scope) and [`Snapshot::enter`](super::Snapshot::enter).
/// Guards must be dropped in reverse order of creation. If one is dropped
/// while scopes entered after it are still open, it ends those scopes too
/// (their guards then do nothing when dropped), so the stack never holds a
/// frame whose guard is gone.
///
/// A guard belongs to the thread that made it; it is not `Send`:
///
/// ```compile_fail
/// let guard = prefect_config::context::scope([("a", 1)]);
/// std::thread::spawn(move || drop(guard));
/// ```
///
/// ```
/// use prefect_config::context;
/// use serde_json::json;
///
/// let outer = context::scope([("a", 1)]);
/// let inner = context::scope([("a", 2)]);
/// assert_eq!(context::get("a"), Some(json!(2)));
/// drop(outer); // out of order: ends `inner` too
/// assert_eq!(context::get("a"), None);
/// drop(inner); // no effect
/// assert_eq!(context::get("a"), None);
/// ```
#[must_use = "the scope ends as soon as the guard is dropped"]
pub struct ScopeGuard {
    token: Option<Token>,
    _not_send: PhantomData<*const ()>,
}

impl ScopeGuard {
    #[inline]
    pub(crate) fn push(frame: Box<Frame>) -> ScopeGuard {
        ScopeGuard {
            token: stack::push(frame),
            _not_send: PhantomData,
        }
    }

    /// How many scopes are open on this thread including this one, or `None`
    /// if the guard could not enter (the thread is shutting down).
    ///
    /// ```
    /// let a = prefect_config::context::scope([("a", 1)]);
    /// let b = prefect_config::context::scope([("b", 1)]);
    /// assert_eq!(b.depth(), a.depth().map(|d| d + 1));
    /// ```
    pub fn depth(&self) -> Option<usize> {
        self.token.map(|t| t.depth())
    }
}

impl Drop for ScopeGuard {
    #[inline]
    fn drop(&mut self) {
        if let Some(token) = self.token.take() {
            stack::pop(token);
        }
    }
}

impl fmt::Debug for ScopeGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScopeGuard")
            .field("depth", &self.depth())
            .finish()
    }
}

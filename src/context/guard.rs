//! The RAII scope: overrides in, a guard out, the previous state back on drop.

use std::fmt;
use std::marker::PhantomData;

use serde_json::{Map, Value};

use super::base::CONFIG_KEY;
use super::entries::{Entries, Key, Pairs, SMALL, key_bit};
use super::stack::{self, Extra, Token};

/// The keys a scope sets, built from a JSON object, a [`Map`], or
/// `(key, value)` pairs whose keys are any `AsRef<str>` (`&str`, `String`,
/// ...). Keys of up to 24 bytes are stored inline, and a single pair needs
/// no allocation of its own.
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
#[derive(Clone, Default)]
pub struct Overrides {
    pairs: Pairs,
    /// The [`key_bit`] summary of the keys, kept as they are added so that
    /// entering a scope does not walk them again.
    mask: u64,
}

impl Overrides {
    /// No overrides.
    ///
    /// ```
    /// assert!(prefect_config::context::Overrides::new().is_empty());
    /// ```
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
    pub fn with(mut self, key: impl AsRef<str>, value: impl Into<Value>) -> Self {
        let key = key.as_ref();
        self.mask |= key_bit(key);
        self.pairs.push((Key::from(key), value.into()));
        self
    }

    /// The keys, in the order given (a repeated key appears once per pair).
    ///
    /// ```
    /// use prefect_config::context::Overrides;
    /// assert_eq!(Overrides::from(serde_json::json!({"x": 1})).keys().next(), Some("x"));
    /// ```
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.pairs.iter().map(|(k, _)| k.as_str())
    }

    /// True when there is nothing to override.
    ///
    /// ```
    /// use prefect_config::context::Overrides;
    /// assert!(!Overrides::new().with("a", 1).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// Splits into plain keys, their [`key_bit`] summary (a superset when a
    /// key repeats or is `config`) and the configuration patch, boxed.
    #[inline]
    pub(crate) fn into_frame(self) -> (Entries, u64, Option<Box<Extra>>) {
        // The common case (a few distinct plain keys) keeps the pairs as
        // the frame's storage: nothing is copied or allocated.
        let plain = self.pairs.len() <= SMALL
            && self.pairs.iter().enumerate().all(|(i, (key, _))| {
                key != CONFIG_KEY && self.pairs[..i].iter().all(|(prev, _)| prev != key)
            });
        if plain {
            return (Entries::Small(self.pairs), self.mask, None);
        }
        let mut entries = Entries::default();
        let mut config: Option<Value> = None;
        for (key, value) in self.pairs {
            if key == CONFIG_KEY {
                if value.is_object() {
                    match &mut config {
                        Some(existing) => stack::merge_json(existing, value),
                        None => config = Some(value),
                    }
                }
            } else {
                entries.insert(key, value);
            }
        }
        (entries, self.mask, Extra::for_config(config))
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
    fn from(value: Value) -> Self {
        match value {
            Value::Object(map) => map.into(),
            _ => Overrides::default(),
        }
    }
}

impl From<Map<String, Value>> for Overrides {
    fn from(map: Map<String, Value>) -> Self {
        // `Key::from(String)` keeps a short key inline and frees the
        // `String`; a one-key map needs no allocation of its own here.
        let mut pairs = Pairs::new();
        let mut mask = 0;
        for (key, value) in map {
            mask |= key_bit(&key);
            pairs.push((Key::from(key), value));
        }
        Overrides { pairs, mask }
    }
}

impl<K: AsRef<str>, V: Into<Value>, const N: usize> From<[(K, V); N]> for Overrides {
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
    fn from((key, value): (K, V)) -> Self {
        Overrides::new().with(key, value)
    }
}

impl<K: AsRef<str>, V: Into<Value>> FromIterator<(K, V)> for Overrides {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        // A plain loop: `SmallVec`'s generic `extend` costs more than the
        // rest of entering a one-key scope.
        let mut pairs = Pairs::new();
        let mut mask = 0;
        for (key, value) in iter {
            let key = key.as_ref();
            mask |= key_bit(key);
            pairs.push((Key::from(key), value.into()));
        }
        Overrides { pairs, mask }
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
    pub(crate) fn push(entries: Entries, keys: u64, extra: Option<Box<Extra>>) -> ScopeGuard {
        ScopeGuard {
            token: stack::push(entries, keys, extra),
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
    fn drop(&mut self) {
        if let Some(token) = self.token.take() {
            drop(stack::pop(token));
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

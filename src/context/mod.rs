//! Prefect's scoped, thread-local context.
//!
//! Prefect's `prefect.context` is a per-thread dictionary seeded from the
//! `[context]` table of the configuration plus a `config` key holding the
//! effective configuration; `with prefect.context(a=1): ...` adds keys for a
//! block. This module is the Rust version.
//!
//! ```
//! # prefect_config::set_global(prefect_config::config::Loader::new().embedded_defaults().env_vars([("HOME", "/home/doc")]).load().unwrap()).ok();
//! use prefect_config::context;
//! use serde_json::json;
//!
//! context::with(json!({"flow_name": "etl", "config": {"logging": {"level": "DEBUG"}}}), || {
//!     assert_eq!(context::get("flow_name"), Some(json!("etl")));
//!     let cfg = context::config();
//!     assert_eq!(cfg.get("logging.level"), Some(&json!("DEBUG")));
//!     assert!(cfg.contains("logging.format")); // merged, not replaced
//!     context::with([("flow_name", "inner")], || {
//!         assert_eq!(context::get("flow_name"), Some(json!("inner")));
//!     });
//!     assert_eq!(context::get("flow_name"), Some(json!("etl")));
//! });
//! assert_eq!(context::get("flow_name"), None);
//!
//! // Runtime edits, Prefect style; at the top level they last for the thread.
//! context::setdefault("secrets", json!({}));
//! context::set_path("secrets.MY_KEY", "MY_VALUE");
//! assert_eq!(context::get_path("secrets.MY_KEY"), Some(json!("MY_VALUE")));
//! assert!(!context::snapshot().to_string().contains("MY_VALUE")); // masked
//! ```
//!
//! # What is visible
//!
//! | layer (innermost wins) | holds |
//! |---|---|
//! | open scopes ([`with`], [`scope`], [`with_async`]), innermost first | the keys they set, plus edits made while they are the innermost |
//! | the thread's root frame | top-level edits ([`set`] and friends outside any scope) |
//! | the base, one per process | the `context` table of [`global()`](crate::global()) (so `[context.secrets]` and `PREFECT__CONTEXT__SECRETS__*` appear as `secrets`), and `config` |
//!
//! | key | rule |
//! |---|---|
//! | `config` | a deep-merge patch: objects merge key by key, anything else replaces; overridden leaves report [`Source::Runtime`](crate::config::Source::Runtime). A `config` value that is not an object is ignored. |
//! | any other key | a plain value, replaced whole (never merged) |
//!
//! Every edit ([`set`], [`update`], [`setdefault`], [`set_path`]) goes to the
//! innermost open scope and vanishes when that scope ends, nested edits
//! included (Prefect leaks in-place edits of nested dicts out of a block; we
//! do not). Outside any scope, edits go to the thread's root frame and last
//! for the thread. A scope costs what it sets: entering copies nothing of
//! the rest of the context or of the configuration, and a `config` patch is
//! merged into a full [`Config`] once per scope, on the first [`config`]
//! call.
//!
//! # How deep a value may nest
//!
//! A value set under a context key may nest at most
//! [`MAX_DEPTH`](crate::config::MAX_DEPTH) (64) levels of arrays and
//! objects, the cap TOML and the environment are held to: deeper values
//! would overflow the stack of whatever walks them next (printing a
//! [`Snapshot`], merging a `config` patch, [`Secret::get`](crate::secrets::Secret::get)).
//! A value over the cap is **refused whole and sets nothing**, never cut
//! short: the key keeps what it had, and the value is taken apart without
//! recursion. The functions that return nothing ([`with`], [`scope`],
//! [`with_async`], [`set`], [`update`], [`setdefault`], [`set_path`])
//! refuse it silently; their fallible twins say so with
//! [`ConfigError::ValueTooDeep`]
//! naming the key: [`try_with`], [`try_scope`], [`try_with_async`],
//! [`try_set`], and [`Overrides::check`] for overrides built by hand.
//! `set_path("a.b", v)` counts the levels its path adds.
//!
//! ```
//! # prefect_config::set_global(prefect_config::config::Loader::new().embedded_defaults().env_vars([("HOME", "/home/doc")]).load().unwrap()).ok();
//! use prefect_config::{config::MAX_DEPTH, context};
//! use serde_json::json;
//! let mut deep = json!("leaf");
//! for _ in 0..=MAX_DEPTH {
//!     deep = json!([deep]);
//! }
//! assert!(context::try_with([("k", deep.clone())], || ()).is_err());
//! context::with([("k", deep)], || assert_eq!(context::get("k"), None));
//! ```
//!
//! # Threads and tasks
//!
//! Each thread starts from the base and never sees another thread's scopes.
//! To hand a context to a worker, take a [`snapshot`] (`Send + Sync`, one
//! pointer copy) and [`attach`](Snapshot::attach) it there; it replaces the
//! worker's own context for the duration. For async code, [`with_async`] (or
//! [`InContextExt::in_context`]) wraps a future so its overrides are visible
//! on every poll, on whichever thread polls it, and invisible to other
//! tasks. No runtime is required.
//!
//! # Guards
//!
//! [`scope`] returns a [`ScopeGuard`], which is `#[must_use]` and not `Send`.
//! Guards should be dropped in reverse order; dropping one early ends every
//! scope opened after it too (their guards then do nothing). Do not hold a
//! guard across `.await`: use [`with_async`].
//!
//! # When the global configuration fails to load
//!
//! The base is built from [`global()`](crate::global()) once per process.
//! If that failed, the context is never empty: [`config`] is the embedded
//! defaults (as [`Loader::prefect()`](crate::config::Loader::prefect) gives
//! them with no file and no `PREFECT__*` variable), so a program reading
//! `config().get("cloud.api")` gets Prefect's default rather than nothing.
//! The failure stays visible in three places: [`try_config`] and
//! [`global()`](crate::global()) return the load error, and
//! `config().warnings()` holds a
//! [`ConfigWarning::GlobalLoadFailed`](crate::config::ConfigWarning::GlobalLoadFailed)
//! naming it, so code that reports warnings reports it on first use.
//!
//! # Handing a context to a child process
//!
//! [`Snapshot::to_environment_variables`] turns a context into
//! `PREFECT__CONTEXT__*` variables that the child's loader reads back into
//! the child's context, as Prefect's agents start a flow run; run
//! `cargo run --example child_process` to see it.
//!
//! # Secrets
//!
//! The context only knows that its values are masked by the configuration's
//! sensitivity rule when a [`Snapshot`] is printed (`secrets`, and any key
//! `k` that the rule finds sensitive as `context.k`). The secrets rules are built on top of it,
//! in the `secrets` module, which uses this one and never the reverse:
//! `prefect_config::secrets::local()` (the view of the `secrets` key,
//! formerly `context::secrets()`) and `prefect_config::secrets::building_flow`
//! (formerly `context::building_flow`), whose marker is a typed value the
//! context carries without knowing its type.
//!
//! # Cost
//!
//! An [`Overrides`] is the scope's frame, filled as it is built (keys up to
//! 24 bytes inline), from a per-thread pool of frames that ended scopes
//! give back; entering and leaving a scope of a few keys then costs no
//! allocation and no reference-count update, only three borrows of a
//! thread-local. Frames are shared (`Arc`) only when a [`snapshot`] or a
//! merged [`config`] needs the chain. A lookup tests one summary word per
//! open scope, kept side by side, and a missing key is usually rejected by
//! one bit test; [`config`] with no `config` override in scope is an `Arc`
//! clone. `benches/context.rs` measures these.
//!
//! # Where this differs from Prefect
//!
//! - Edits inside a scope, including nested ones, never outlive the scope.
//! - Keys are plain strings; dotted access is [`get_path`] / [`set_path`].
//! - `Debug`/`Display` of a [`Snapshot`] masks sensitive values (`secrets`,
//!   credential-like keys, values built from a secret, URLs with a password).
//! - During thread teardown (thread-local destructors), reads see the base
//!   and scopes and edits have no effect, instead of panicking.

mod base;
mod entries;
mod env_export;
mod frame;
mod future;
mod guard;
mod snapshot;
mod stack;

use std::any::{Any, TypeId};
use std::future::Future;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::config::{Config, ConfigError, depth};
use crate::render::SECRETS_KEY;

pub use future::{InContext, InContextExt};
pub use guard::{Overrides, ScopeGuard};
pub use snapshot::Snapshot;

use base::CONFIG_KEY;
use entries::Key;

/// Runs `f` with `overrides` visible on this thread, then restores the
/// exact previous state, also when `f` panics.
///
/// ```
/// # prefect_config::set_global(prefect_config::config::Loader::new().embedded_defaults().env_vars([("HOME", "/home/doc")]).load().unwrap()).ok();
/// use prefect_config::context;
/// use serde_json::json;
/// let out = context::with(json!({"a": 1}), || context::get("a"));
/// assert_eq!(out, Some(json!(1)));
/// assert_eq!(context::get("a"), None);
/// ```
#[inline]
pub fn with<R>(overrides: impl Into<Overrides>, f: impl FnOnce() -> R) -> R {
    let _guard = scope(overrides);
    f()
}

/// [`with`], or an error when a value in `overrides` nests deeper than
/// [`MAX_DEPTH`](crate::config::MAX_DEPTH) (then `f` does not run); see
/// [how deep a value may nest](self#how-deep-a-value-may-nest).
///
/// ```
/// # prefect_config::set_global(prefect_config::config::Loader::new().embedded_defaults().env_vars([("HOME", "/home/doc")]).load().unwrap()).ok();
/// use prefect_config::context;
/// assert_eq!(context::try_with([("a", 1)], || context::get("a"))?, Some(serde_json::json!(1)));
/// # Ok::<(), prefect_config::config::ConfigError>(())
/// ```
pub fn try_with<R>(
    overrides: impl Into<Overrides>,
    f: impl FnOnce() -> R,
) -> Result<R, ConfigError> {
    let _guard = try_scope(overrides)?;
    Ok(f())
}

/// [`scope`], or an error when a value in `overrides` nests deeper than
/// [`MAX_DEPTH`](crate::config::MAX_DEPTH) (then no scope opens).
///
/// ```
/// # prefect_config::set_global(prefect_config::config::Loader::new().embedded_defaults().env_vars([("HOME", "/home/doc")]).load().unwrap()).ok();
/// use prefect_config::context;
/// let _guard = context::try_scope([("task_name", "load")])?;
/// assert!(context::contains("task_name"));
/// # Ok::<(), prefect_config::config::ConfigError>(())
/// ```
pub fn try_scope(overrides: impl Into<Overrides>) -> Result<ScopeGuard, ConfigError> {
    let overrides = overrides.into();
    overrides.check()?;
    Ok(ScopeGuard::push(overrides.into_frame()))
}

/// [`with_async`], or an error when a value in `overrides` nests deeper
/// than [`MAX_DEPTH`](crate::config::MAX_DEPTH).
///
/// ```
/// use prefect_config::context;
/// assert!(context::try_with_async([("run", 1)], async {}).is_ok());
/// ```
pub fn try_with_async<F: Future>(
    overrides: impl Into<Overrides>,
    future: F,
) -> Result<InContext<F>, ConfigError> {
    let overrides = overrides.into();
    overrides.check()?;
    Ok(InContext::new(overrides, future, None))
}

/// Runs `f` on the visible value of `key`, without copying the whole value.
pub(crate) fn with_value<R>(key: &str, f: impl Fn(Option<&Value>) -> R) -> R {
    stack::with_found(key, f)
}

/// Runs `f` in a scope that carries `value`, a typed value no context key
/// can reach; [`with_attached`] finds it. Other modules use this to mark a
/// scope (the secrets module's "a flow is being built" marker) without the
/// context knowing their types. Like keys, it follows snapshots and
/// [`with_async`].
pub(crate) fn attach<T: Any + Send + Sync, R>(value: T, f: impl FnOnce() -> R) -> R {
    let mut extra = frame::Extra::default();
    extra.attached.push((TypeId::of::<T>(), Arc::new(value)));
    let _guard = ScopeGuard::push(frame::Frame::with_extra(extra));
    f()
}

/// Runs `f` on the innermost value of type `T` that an enclosing scope
/// carries (see [`attach`]), or returns `None` when there is none.
pub(crate) fn with_attached<T: Any, R>(f: impl Fn(&T) -> R) -> Option<R> {
    stack::read(|top| frame::attached::<T>(top).map(&f))
}

/// Opens a scope with `overrides` until the returned guard is dropped.
///
/// ```
/// # prefect_config::set_global(prefect_config::config::Loader::new().embedded_defaults().env_vars([("HOME", "/home/doc")]).load().unwrap()).ok();
/// use prefect_config::context;
/// {
///     let _guard = context::scope([("task_name", "load")]);
///     assert_eq!(context::get("task_name"), Some(serde_json::json!("load")));
/// }
/// assert!(!context::contains("task_name"));
/// ```
#[inline]
pub fn scope(overrides: impl Into<Overrides>) -> ScopeGuard {
    ScopeGuard::push(overrides.into().into_frame())
}

/// Wraps `future` so `overrides` are visible on every poll of it, on top of
/// whatever context the polling thread has, and to no other task.
///
/// ```
/// # prefect_config::set_global(prefect_config::config::Loader::new().embedded_defaults().env_vars([("HOME", "/home/doc")]).load().unwrap()).ok();
/// use prefect_config::context;
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     use std::task::{Context, Poll, Waker};
/// #     let mut f = Box::pin(f);
/// #     let mut cx = Context::from_waker(Waker::noop());
/// #     loop { if let Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// let fut = context::with_async([("run", 1)], async {
///     context::set("seen", true); // stays with this future
///     context::get("run")
/// });
/// assert_eq!(block_on(fut), Some(serde_json::json!(1)));
/// assert!(!context::contains("seen"));
/// ```
pub fn with_async<F: Future>(overrides: impl Into<Overrides>, future: F) -> InContext<F> {
    InContext::new(overrides.into(), future, None)
}

/// Runs `f` with the configuration overridden at dotted keys, in the spirit
/// of Prefect's `set_temporary_config` test helper.
///
/// ```
/// # prefect_config::set_global(prefect_config::config::Loader::new().embedded_defaults().env_vars([("HOME", "/home/doc")]).load().unwrap()).ok();
/// use prefect_config::context;
/// use serde_json::json;
/// context::with_temporary_config([("cloud.use_local_secrets", json!(false))], || {
///     assert_eq!(context::config().get("cloud.use_local_secrets"), Some(&json!(false)));
/// });
/// assert_eq!(context::config().get("cloud.use_local_secrets"), Some(&json!(true)));
/// ```
pub fn with_temporary_config<K, V, R>(
    items: impl IntoIterator<Item = (K, V)>,
    f: impl FnOnce() -> R,
) -> R
where
    K: AsRef<str>,
    V: Into<Value>,
{
    let mut patch = Value::Object(Map::new());
    for (key, value) in items {
        let nested = nest(key.as_ref(), value.into());
        // The path adds levels too: refused here, before the merge walks it.
        if depth::too_deep(&nested) {
            depth::dismantle(nested);
            continue;
        }
        frame::merge_json(&mut patch, nested);
    }
    with(Overrides::new().with(CONFIG_KEY, patch), f)
}

/// `{"a": {"b": value}}` for the dotted path `a.b`.
fn nest(path: &str, value: Value) -> Value {
    path.rsplit('.').fold(value, |inner, part| {
        let mut map = Map::new();
        map.insert(part.to_owned(), inner);
        Value::Object(map)
    })
}

/// Sets `key` in the innermost scope (outside any scope: for the rest of
/// this thread). `config` is deep-merged into the effective configuration.
///
/// ```
/// # prefect_config::set_global(prefect_config::config::Loader::new().embedded_defaults().env_vars([("HOME", "/home/doc")]).load().unwrap()).ok();
/// use prefect_config::context;
/// use serde_json::json;
/// context::with([("a", 1)], || {
///     context::set("a", 2);
///     assert_eq!(context::get("a"), Some(json!(2)));
/// });
/// assert_eq!(context::get("a"), None); // the edit ended with the scope
/// context::set("b", 3);
/// assert_eq!(context::get("b"), Some(json!(3))); // top level: lasts
/// ```
pub fn set(key: impl Into<String>, value: impl Into<Value>) {
    let (key, value) = (Key::from(key.into()), value.into());
    // A value nested too deep is refused by the frame (see the module docs).
    stack::edit(|frame| frame.set(key, value));
}

/// [`set`], or an error when `value` nests deeper than
/// [`MAX_DEPTH`](crate::config::MAX_DEPTH) (then nothing is set).
///
/// ```
/// # prefect_config::set_global(prefect_config::config::Loader::new().embedded_defaults().env_vars([("HOME", "/home/doc")]).load().unwrap()).ok();
/// use prefect_config::context;
/// context::with([("a", 1)], || {
///     context::try_set("a", 2)?;
///     assert_eq!(context::get("a"), Some(serde_json::json!(2)));
///     Ok::<(), prefect_config::config::ConfigError>(())
/// })?;
/// # Ok::<(), prefect_config::config::ConfigError>(())
/// ```
pub fn try_set(key: impl Into<String>, value: impl Into<Value>) -> Result<(), ConfigError> {
    let (key, value) = (key.into(), value.into());
    if depth::too_deep(&value) {
        depth::dismantle(value);
        return Err(ConfigError::too_deep(key));
    }
    set(key, value);
    Ok(())
}

/// Sets several keys at once, like [`set`] for each pair.
///
/// ```
/// # prefect_config::set_global(prefect_config::config::Loader::new().embedded_defaults().env_vars([("HOME", "/home/doc")]).load().unwrap()).ok();
/// use prefect_config::context;
/// context::with([("a", 1)], || {
///     context::update(serde_json::json!({"a": 10, "b": 20}));
///     assert_eq!(context::get("b"), Some(serde_json::json!(20)));
/// });
/// ```
pub fn update(overrides: impl Into<Overrides>) {
    let mut given = overrides.into().into_frame();
    let entries = std::mem::take(&mut given.values);
    let config = given.extra.take().and_then(|extra| extra.config);
    stack::edit(|frame| {
        for (key, value) in entries.iter() {
            frame.set(Key::from(key), value.clone());
        }
        if let Some(config) = config {
            frame.merge_config(config);
        }
    });
}

/// The value of `key` if it is visible; otherwise sets it to `default` (as
/// [`set`] does) and returns that. A `default` nested deeper than
/// [`MAX_DEPTH`](crate::config::MAX_DEPTH) sets nothing and gives `null`.
///
/// ```
/// # prefect_config::set_global(prefect_config::config::Loader::new().embedded_defaults().env_vars([("HOME", "/home/doc")]).load().unwrap()).ok();
/// use prefect_config::context;
/// use serde_json::json;
/// context::with([("a", 1)], || {
///     assert_eq!(context::setdefault("a", 5), json!(1));
///     assert_eq!(context::setdefault("b", 5), json!(5));
///     assert_eq!(context::get("b"), Some(json!(5)));
/// });
/// ```
pub fn setdefault(key: impl Into<String>, default: impl Into<Value>) -> Value {
    let key = key.into();
    if let Some(existing) = get(&key) {
        return existing;
    }
    let default = default.into();
    // Refused before the copy, which would walk it (see the module docs).
    if depth::too_deep(&default) {
        depth::dismantle(default);
        return Value::Null;
    }
    set(key, default.clone());
    default
}

/// Sets the value at a dotted path such as `secrets.MY_KEY`, like [`set`] on
/// its first part. Missing objects on the way are created, and a value on
/// the way that is not an object is replaced by one; array elements are not
/// addressed. `config.a.b` sets `a.b` in the effective configuration.
///
/// The first key's visible value is copied into the innermost scope and
/// edited there, so the edit vanishes with that scope.
///
/// ```
/// # prefect_config::set_global(prefect_config::config::Loader::new().embedded_defaults().env_vars([("HOME", "/home/doc")]).load().unwrap()).ok();
/// use prefect_config::context;
/// use serde_json::json;
/// context::with(json!({"secrets": {"A": "1"}}), || {
///     context::with([("x", 0)], || {
///         context::set_path("secrets.B", "2");
///         assert_eq!(context::get("secrets"), Some(json!({"A": "1", "B": "2"})));
///     });
///     assert_eq!(context::get("secrets"), Some(json!({"A": "1"})));
/// });
/// ```
pub fn set_path(path: &str, value: impl Into<Value>) {
    let value = value.into();
    let (first, rest) = match path.split_once('.') {
        Some((first, rest)) => (first, Some(rest)),
        None => (path, None),
    };
    let Some(rest) = rest else {
        set(first, value);
        return;
    };
    if first == CONFIG_KEY {
        set(CONFIG_KEY, nest(rest, value));
        return;
    }
    let mut root = get(first).unwrap_or_else(|| Value::Object(Map::new()));
    let mut node = &mut root;
    for part in rest.split('.') {
        if !node.is_object() {
            *node = Value::Object(Map::new());
        }
        let Value::Object(map) = node else {
            return; // just made an object
        };
        node = map.entry(part.to_owned()).or_insert(Value::Null);
    }
    *node = value;
    set(first, root);
}

/// The value of `key`, or `None`. `config` gives the effective
/// configuration as a value (a full copy; prefer [`config`]).
///
/// ```
/// # prefect_config::set_global(prefect_config::config::Loader::new().embedded_defaults().env_vars([("HOME", "/home/doc")]).load().unwrap()).ok();
/// use prefect_config::context;
/// assert_eq!(context::with([("a", 1)], || context::get("a")), Some(serde_json::json!(1)));
/// assert!(context::get("config").is_some_and(|c| c.is_object()));
/// ```
#[inline]
pub fn get(key: &str) -> Option<Value> {
    if key == CONFIG_KEY {
        return config_value();
    }
    stack::get(key)
}

/// The effective configuration as a value, for `get("config")`.
#[cold]
fn config_value() -> Option<Value> {
    Some(config().as_value().clone())
}

/// The value at a dotted path: the first part is a context key, the rest
/// walks into objects (and arrays, by index). `config.a.b` reads the
/// effective configuration.
///
/// ```
/// # prefect_config::set_global(prefect_config::config::Loader::new().embedded_defaults().env_vars([("HOME", "/home/doc")]).load().unwrap()).ok();
/// use prefect_config::context;
/// use serde_json::json;
/// context::with(json!({"a": {"b": [10, 20]}}), || {
///     assert_eq!(context::get_path("a.b.1"), Some(json!(20)));
///     assert_eq!(context::get_path("a.c"), None);
///     assert!(context::get_path("config.logging.level").is_some());
/// });
/// ```
pub fn get_path(path: &str) -> Option<Value> {
    let (first, rest) = match path.split_once('.') {
        Some((first, rest)) => (first, rest),
        None => return get(path),
    };
    if first == CONFIG_KEY {
        return config().get(rest).cloned();
    }
    stack::with_found(first, |found| {
        let mut node = found?;
        for part in rest.split('.') {
            node = match node {
                Value::Object(map) => map.get(part)?,
                Value::Array(items) => items.get(part.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(node.clone())
    })
}

/// The value of `key` deserialized into `T`: `Ok(None)` when the key is not
/// visible. Errors name the key, and show the value only when the key is
/// not sensitive (as `context.<key>`, by
/// [`is_sensitive_key`](crate::config::is_sensitive_key)).
///
/// ```
/// # prefect_config::set_global(prefect_config::config::Loader::new().embedded_defaults().env_vars([("HOME", "/home/doc")]).load().unwrap()).ok();
/// use prefect_config::context;
/// context::with([("retries", 3)], || {
///     assert_eq!(context::get_as::<u32>("retries")?, Some(3));
///     assert_eq!(context::get_as::<u32>("missing")?, None);
///     let err = context::get_as::<Vec<u32>>("retries").unwrap_err();
///     assert_eq!(err.key(), Some("retries"));
///     Ok::<(), prefect_config::config::ConfigError>(())
/// })?;
/// # Ok::<(), prefect_config::config::ConfigError>(())
/// ```
pub fn get_as<T: DeserializeOwned>(key: &str) -> Result<Option<T>, ConfigError> {
    let Some(value) = get(key) else {
        return Ok(None);
    };
    // Reuse the configuration's extraction, whose messages show a value only
    // for a key that is not sensitive; a context key `k` is sensitive as
    // `context.k` (see `Snapshot`), so such a value goes under
    // `context.secrets`, which also masks messages from custom deserializers.
    let sensitive = crate::config::is_sensitive_key(&format!("context.{key}"));
    let name = if key == SECRETS_KEY || sensitive {
        SECRETS_KEY
    } else {
        "value"
    };
    let mut inner = Map::new();
    inner.insert(name.to_owned(), value);
    let mut outer = Map::new();
    outer.insert("context".to_owned(), Value::Object(inner));
    let prefix = format!("context.{name}");
    Config::empty()
        .with_overrides(&Value::Object(outer))
        .extract_at::<T>(&prefix)
        .map(Some)
        .map_err(|err| match err {
            ConfigError::Extract {
                key: at, message, ..
            } => ConfigError::Extract {
                key: match at.strip_prefix(&prefix) {
                    Some(rest) => format!("{key}{rest}"),
                    None => key.to_owned(),
                },
                origin: None,
                message,
            },
            other => other,
        })
}

/// True when `key` is visible (`config` always is).
///
/// ```
/// # prefect_config::set_global(prefect_config::config::Loader::new().embedded_defaults().env_vars([("HOME", "/home/doc")]).load().unwrap()).ok();
/// use prefect_config::context;
/// assert!(context::contains("config"));
/// assert!(context::with([("a", 1)], || context::contains("a")));
/// assert!(!context::contains("a"));
/// ```
pub fn contains(key: &str) -> bool {
    key == CONFIG_KEY || stack::with_found(key, |found| found.is_some())
}

/// Every visible key: the base keys, `config`, then keys added by scopes
/// and edits, outermost first.
///
/// ```
/// # prefect_config::set_global(prefect_config::config::Loader::new().embedded_defaults().env_vars([("HOME", "/home/doc")]).load().unwrap()).ok();
/// use prefect_config::context;
/// let keys = context::with([("zz", 1)], context::keys);
/// assert!(keys.contains(&"config".to_owned()));
/// assert_eq!(keys.last().map(String::as_str), Some("zz"));
/// ```
pub fn keys() -> Vec<String> {
    stack::read(|top| {
        frame::visible(top, Some(Value::Null))
            .into_iter()
            .map(|(k, _)| k)
            .collect()
    })
}

/// The whole visible context as one JSON object, `config` included (a full
/// copy). This exposes secrets: do not log it; log a [`snapshot`] instead.
///
/// ```
/// # prefect_config::set_global(prefect_config::config::Loader::new().embedded_defaults().env_vars([("HOME", "/home/doc")]).load().unwrap()).ok();
/// use prefect_config::context;
/// let all = context::with([("a", 1)], context::to_value);
/// assert_eq!(all["a"], 1);
/// assert!(all["config"]["logging"].is_object());
/// ```
pub fn to_value() -> Value {
    snapshot().to_value()
}

/// The effective configuration: the global one with every `config`
/// override in scope deep-merged (overridden keys report
/// [`Source::Runtime`](crate::config::Source::Runtime)). With no override in
/// scope this is the shared global `Arc`; inside a scope that overrides
/// `config` the merged view is built on the first call and then reused.
/// If the global configuration failed to load this is the embedded
/// defaults, carrying a warning that names the error; see [`try_config`]
/// and the module docs.
///
/// ```
/// # prefect_config::set_global(prefect_config::config::Loader::new().embedded_defaults().env_vars([("HOME", "/home/doc")]).load().unwrap()).ok();
/// use prefect_config::{config::Source, context};
/// use serde_json::json;
/// context::with(json!({"config": {"logging": {"level": "DEBUG"}}}), || {
///     let cfg = context::config();
///     assert_eq!(cfg.source_of("logging.level"), Some(&Source::Runtime));
///     assert!(std::sync::Arc::ptr_eq(&cfg, &context::config())); // built once
/// });
/// ```
#[inline]
pub fn config() -> Arc<Config> {
    stack::config()
}

/// Like [`config`], but returns the error if the global configuration
/// failed to load (the same error as [`global()`](crate::global())).
///
/// ```
/// # prefect_config::set_global(prefect_config::config::Loader::new().embedded_defaults().env_vars([("HOME", "/home/doc")]).load().unwrap()).ok();
/// let cfg = prefect_config::context::try_config()?;
/// assert!(cfg.contains("logging.level"));
/// # Ok::<(), prefect_config::config::ConfigError>(())
/// ```
pub fn try_config() -> Result<Arc<Config>, ConfigError> {
    match &base::base().error {
        Some(error) => Err(error.clone()),
        None => Ok(config()),
    }
}

/// Captures the context visible on this thread, to [`attach`](Snapshot::attach)
/// elsewhere. Cheap: it shares the frames.
///
/// ```
/// # prefect_config::set_global(prefect_config::config::Loader::new().embedded_defaults().env_vars([("HOME", "/home/doc")]).load().unwrap()).ok();
/// use prefect_config::context;
/// let snap = context::with([("a", 1)], context::snapshot);
/// assert_eq!(snap.get("a"), Some(serde_json::json!(1)));
/// assert_eq!(context::get("a"), None);
/// ```
pub fn snapshot() -> Snapshot {
    Snapshot::capture()
}

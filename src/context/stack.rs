//! Thread-local frames: the only code that touches the thread-local stack.
//!
//! A thread's context is a chain of immutable-once-shared frames, innermost
//! first, ending in the process-wide [`Base`]. Each frame holds only what it
//! changes: a few keys and, when it overrides `config`, a JSON patch plus a
//! lazily built merged [`Config`]. Frames are `Arc`s so a snapshot is one
//! pointer copy; the top frame is edited in place (`Arc::make_mut`), which
//! copies that one frame only if a snapshot shares it.
//!
//! Two links leave a frame: `below`, the frame that becomes the top again
//! when this one ends (the thread's own stack, used for LIFO checks), and
//! `next()`, where lookups continue. They differ only for a frame pushed by
//! `Snapshot::attach`, whose lookups continue in the snapshot instead.
//!
//! No user code runs while the `RefCell` is borrowed: the closures given to
//! [`read`] and [`write`] are all in this module's callers inside the crate
//! and only look up, clone or drop values.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use serde_json::{Map, Value};

use crate::config::{Config, ConfigError};

/// The key whose value is the effective configuration.
pub(crate) const CONFIG_KEY: &str = "config";

/// The context every thread starts from, built once per process from
/// [`crate::global()`].
pub(crate) struct Base {
    /// The `context` table of the global configuration, without `config`.
    pub(crate) values: Map<String, Value>,
    /// The global configuration, with `context.config` merged in if present.
    pub(crate) config: Arc<Config>,
    /// Why the global configuration failed to load, if it did.
    pub(crate) error: Option<ConfigError>,
}

static BASE: OnceLock<Base> = OnceLock::new();

/// The process-wide base context.
pub(crate) fn base() -> &'static Base {
    BASE.get_or_init(|| match crate::global() {
        Ok(config) => Base::from_config(config),
        Err(error) => Base {
            values: Map::new(),
            config: Arc::new(Config::empty()),
            error: Some(error),
        },
    })
}

impl Base {
    fn from_config(config: Arc<Config>) -> Base {
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
        Base {
            values,
            config,
            error: None,
        }
    }
}

/// Frames with at most this many keys are scanned linearly; a string
/// comparison is cheaper than hashing the key.
pub(crate) const SMALL: usize = 8;

/// The keys one frame sets.
#[derive(Clone, Debug)]
pub(crate) enum Entries {
    Small(Vec<(String, Value)>),
    Large(Map<String, Value>),
}

impl Default for Entries {
    fn default() -> Self {
        Entries::Small(Vec::new())
    }
}

impl Entries {
    pub(crate) fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Entries::Small(items) => items.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            Entries::Large(map) => map.get(key),
        }
    }

    pub(crate) fn insert(&mut self, key: String, value: Value) {
        match self {
            Entries::Small(items) => {
                if let Some(slot) = items.iter_mut().find(|(k, _)| *k == key) {
                    slot.1 = value;
                } else if items.len() < SMALL {
                    items.push((key, value));
                } else {
                    let mut map: Map<String, Value> = std::mem::take(items).into_iter().collect();
                    map.insert(key, value);
                    *self = Entries::Large(map);
                }
            }
            Entries::Large(map) => {
                map.insert(key, value);
            }
        }
    }

    pub(crate) fn iter(&self) -> Box<dyn Iterator<Item = (&String, &Value)> + '_> {
        match self {
            Entries::Small(items) => Box::new(items.iter().map(|(k, v)| (k, v))),
            Entries::Large(map) => Box::new(map.iter()),
        }
    }
}

/// One scope's changes, or the thread's top-level edits (depth 0).
#[derive(Clone)]
pub(crate) struct Frame {
    /// Unique in the process (ids come in per-thread blocks).
    id: u64,
    /// Position in the owning thread's stack: 0 for the root frame.
    depth: usize,
    /// The frame that becomes the top again when this one ends.
    below: Option<Arc<Frame>>,
    /// For a frame pushed by `Snapshot::attach`: where lookups continue
    /// instead of `below` (the snapshot's top, or the base for `None`).
    detached: Option<Option<Arc<Frame>>>,
    pub(crate) values: Entries,
    /// A deep-merge patch for the configuration (always an object).
    pub(crate) config: Option<Value>,
    /// True when this frame or any frame it looks up through has a patch.
    has_config: bool,
    /// The effective configuration at this frame, built on first use.
    merged: OnceLock<Arc<Config>>,
    /// Set by `context::building_flow`: the name of the flow being built.
    pub(crate) building_flow: Option<Arc<str>>,
}

impl Frame {
    /// Where lookups continue after this frame.
    pub(crate) fn next(&self) -> Option<&Arc<Frame>> {
        match &self.detached {
            Some(chain) => chain.as_ref(),
            None => self.below.as_ref(),
        }
    }

    /// Sets one key; `config` is deep-merged into this frame's patch.
    pub(crate) fn set(&mut self, key: String, value: Value) {
        if key == CONFIG_KEY {
            self.merge_config(value);
        } else {
            self.values.insert(key, value);
        }
    }

    /// Deep-merges an object into this frame's configuration patch; any
    /// other value is ignored (see the module docs of `context`).
    pub(crate) fn merge_config(&mut self, patch: Value) {
        if !patch.is_object() {
            return;
        }
        match &mut self.config {
            Some(existing) => merge_json(existing, patch),
            None => self.config = Some(patch),
        }
        self.has_config = true;
        self.merged = OnceLock::new();
    }
}

impl Drop for Frame {
    /// Unlinks chains iteratively so that dropping a very deep stack cannot
    /// overflow the call stack.
    fn drop(&mut self) {
        let mut pending: Vec<Arc<Frame>> = Vec::new();
        pending.extend(self.below.take());
        pending.extend(self.detached.take().flatten());
        while let Some(frame) = pending.pop() {
            if let Some(mut frame) = Arc::into_inner(frame) {
                pending.extend(frame.below.take());
                pending.extend(frame.detached.take().flatten());
            }
        }
    }
}

/// Deep merge: objects merge key by key, anything else replaces.
pub(crate) fn merge_json(into: &mut Value, patch: Value) {
    match (into, patch) {
        (Value::Object(into), Value::Object(patch)) => {
            for (key, value) in patch {
                match into.get_mut(&key) {
                    Some(slot) => merge_json(slot, value),
                    None => {
                        into.insert(key, value);
                    }
                }
            }
        }
        (into, patch) => *into = patch,
    }
}

/// Identifies a pushed frame, for the LIFO check when it is popped.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Token {
    id: u64,
    depth: usize,
}

impl Token {
    pub(crate) fn depth(&self) -> usize {
        self.depth
    }
}

struct State {
    top: Option<Arc<Frame>>,
    next_id: u64,
    end_id: u64,
}

/// Number of threads whose stack is not empty. While it is zero no thread
/// has a scope or an edit, and reads skip the thread-local entirely.
static ACTIVE: AtomicUsize = AtomicUsize::new(0);
/// The next block of frame ids to hand to a thread.
static NEXT_BLOCK: AtomicU64 = AtomicU64::new(1);
const BLOCK: u64 = 1 << 16;

impl State {
    fn alloc_id(&mut self) -> u64 {
        if self.next_id == self.end_id {
            self.next_id = NEXT_BLOCK
                .fetch_add(1, Ordering::Relaxed)
                .wrapping_mul(BLOCK);
            self.end_id = self.next_id.wrapping_add(BLOCK);
        }
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1);
        id
    }

    /// Replaces the top, keeping [`ACTIVE`] in step; returns the old top.
    fn set_top(&mut self, top: Option<Arc<Frame>>) -> Option<Arc<Frame>> {
        match (self.top.is_some(), top.is_some()) {
            (false, true) => {
                ACTIVE.fetch_add(1, Ordering::Relaxed);
            }
            (true, false) => {
                ACTIVE.fetch_sub(1, Ordering::Relaxed);
            }
            _ => {}
        }
        std::mem::replace(&mut self.top, top)
    }
}

impl Drop for State {
    fn drop(&mut self) {
        // Relaxed is enough: a thread only needs to see its own increments,
        // and every decrement pairs with an earlier increment by the same
        // thread, so the count never reads zero while this thread is active.
        self.set_top(None);
    }
}

thread_local! {
    static STATE: RefCell<State> = const {
        RefCell::new(State { top: None, next_id: 0, end_id: 0 })
    };
}

/// Runs `f` with this thread's top frame (`None`: the base only). During
/// thread teardown, or if the state is somehow borrowed, `f` sees the base.
pub(crate) fn read<R>(f: impl Fn(Option<&Arc<Frame>>) -> R) -> R {
    if ACTIVE.load(Ordering::Relaxed) == 0 {
        return f(None);
    }
    match STATE.try_with(|state| state.try_borrow().ok().map(|state| f(state.top.as_ref()))) {
        Ok(Some(out)) => out,
        _ => f(None),
    }
}

/// Runs `f` on this thread's state; `None` during thread teardown.
fn write<R>(f: impl FnOnce(&mut State) -> R) -> Option<R> {
    STATE
        .try_with(|state| state.try_borrow_mut().ok().map(|mut state| f(&mut state)))
        .ok()
        .flatten()
}

/// The top frame of this thread, for a snapshot.
pub(crate) fn top() -> Option<Arc<Frame>> {
    read(|top| top.cloned())
}

/// Pushes a frame. `detached` makes lookups continue in that chain instead
/// of in this thread's stack. `None` during thread teardown.
pub(crate) fn push(
    values: Entries,
    config: Option<Value>,
    detached: Option<Option<Arc<Frame>>>,
) -> Option<Token> {
    let (token, _old) = write(|state| {
        let id = state.alloc_id();
        let below = state.top.clone();
        let depth = below.as_ref().map_or(1, |b| b.depth + 1);
        let next = match &detached {
            Some(chain) => chain.as_ref(),
            None => below.as_ref(),
        };
        let has_config = config.is_some() || next.is_some_and(|n| n.has_config);
        let frame = Frame {
            id,
            depth,
            below,
            detached,
            values,
            config,
            has_config,
            merged: OnceLock::new(),
            building_flow: None,
        };
        let old = state.set_top(Some(Arc::new(frame)));
        (Token { id, depth }, old)
    })?;
    Some(token)
}

/// Pops the frame of `token` and every frame above it (left there by a
/// guard dropped out of order). Returns the popped frame, or `None` when it
/// is no longer on the stack because an outer guard already popped it.
pub(crate) fn pop(token: Token) -> Option<Arc<Frame>> {
    let (frame, _above) = write(|state| {
        let mut node = state.top.as_ref();
        while let Some(frame) = node {
            if frame.depth <= token.depth {
                break;
            }
            node = frame.below.as_ref();
        }
        match node {
            Some(frame) if frame.id == token.id && frame.depth == token.depth => {
                let frame = frame.clone();
                let above = state.set_top(frame.below.clone());
                (Some(frame), above)
            }
            _ => (None, None),
        }
    })?;
    frame
}

/// Edits the top frame, creating the thread's root frame when no scope is
/// active. `None` during thread teardown.
pub(crate) fn edit<R>(f: impl FnOnce(&mut Frame) -> R) -> Option<R> {
    write(|state| {
        if state.top.is_none() {
            let id = state.alloc_id();
            state.set_top(Some(Arc::new(Frame {
                id,
                depth: 0,
                below: None,
                detached: None,
                values: Entries::default(),
                config: None,
                has_config: false,
                merged: OnceLock::new(),
                building_flow: None,
            })));
        }
        state.top.as_mut().map(|top| f(Arc::make_mut(top)))
    })
    .flatten()
}

/// The name of the flow being built, from the innermost frame that says so.
pub(crate) fn building_flow(top: Option<&Arc<Frame>>) -> Option<Arc<str>> {
    let mut node = top;
    while let Some(frame) = node {
        if let Some(name) = &frame.building_flow {
            return Some(name.clone());
        }
        node = frame.next();
    }
    None
}

/// The value of `key` seen from `top`: the innermost frame that sets it,
/// else the base. (`config` is not a frame key; see [`effective_config`].)
pub(crate) fn find<'a>(top: Option<&'a Arc<Frame>>, key: &str) -> Option<&'a Value> {
    let mut node = top;
    while let Some(frame) = node {
        if let Some(value) = frame.values.get(key) {
            return Some(value);
        }
        node = frame.next();
    }
    base().values.get(key)
}

/// The effective configuration seen from `top`: the base configuration
/// with every patch in scope merged, outermost first. The result is cached
/// in the innermost frame with a patch, so it is built once per scope.
pub(crate) fn effective_config(top: Option<&Arc<Frame>>) -> Arc<Config> {
    let base = base();
    let mut pending: Vec<&Frame> = Vec::new();
    let mut node = top;
    let start = loop {
        match node {
            Some(frame) if frame.has_config => {
                if frame.config.is_some() {
                    if let Some(merged) = frame.merged.get() {
                        break merged.clone();
                    }
                    pending.push(frame);
                }
                node = frame.next();
            }
            _ => break base.config.clone(),
        }
    };
    let Some(innermost) = pending.first() else {
        return start;
    };
    innermost
        .merged
        .get_or_init(|| {
            let mut patch = Value::Object(Map::new());
            for frame in pending.iter().rev() {
                if let Some(config) = &frame.config {
                    merge_json(&mut patch, config.clone());
                }
            }
            Arc::new(start.with_overrides(&patch))
        })
        .clone()
}

/// Every visible key in definition order: base keys first, then `config`
/// (when given, as in Prefect), then keys added by each frame from the
/// outermost in.
pub(crate) fn visible(top: Option<&Arc<Frame>>, config: Option<Value>) -> Map<String, Value> {
    let mut chain: Vec<&Frame> = Vec::new();
    let mut node = top;
    while let Some(frame) = node {
        chain.push(frame);
        node = frame.next();
    }
    let mut out = base().values.clone();
    if let Some(config) = config {
        out.insert(CONFIG_KEY.to_owned(), config);
    }
    for frame in chain.iter().rev() {
        for (key, value) in frame.values.iter() {
            out.insert(key.clone(), value.clone());
        }
    }
    out
}

//! Thread-local frames: the only code that touches the thread-local stack.
//!
//! A thread's context is a chain of immutable-once-shared frames, innermost
//! first, ending in the process-wide [`Base`](super::base::Base). Each frame
//! holds only what it changes: a few keys and, rarely, an [`Extra`] (a
//! configuration patch with its lazily merged [`Config`], typed values other
//! modules attach, or the snapshot a frame was attached to). Frames are
//! `Arc`s so a snapshot is one pointer copy; the top frame is edited in place
//! (`Arc::make_mut`), which copies that one frame only if a snapshot shares
//! it.
//!
//! Two links leave a frame: `below`, the frame that becomes the top again
//! when this one ends (the thread's own stack, used for LIFO checks), and
//! [`Frame::next`], where lookups continue. They differ only for a frame
//! pushed by `Snapshot::attach`, whose lookups continue in the snapshot.
//!
//! Entering a one-key scope costs one allocation (the frame) and two
//! borrows of the thread-local; leaving it moves `below` back to the top
//! without touching any reference count but the frame's own.
//!
//! No user code runs while the `RefCell` is borrowed: the closures given to
//! [`read`] and [`write`] are all in this module's callers inside the crate
//! and only look up, clone or drop values; a popped frame is dropped after
//! the borrow ends.

use std::any::{Any, TypeId};
use std::cell::RefCell;
use std::sync::{Arc, OnceLock};

use serde_json::{Map, Value};
use smallvec::SmallVec;

use super::base::{CONFIG_KEY, base};
use super::entries::{Entries, Key, key_bit};
use crate::config::Config;

/// A value of any type attached to a frame by another module.
pub(crate) type Attachment = Arc<dyn Any + Send + Sync>;

/// A chain of frames ending in the base: its innermost frame, or `None`
/// for the base alone (what a snapshot holds).
#[derive(Clone, Default)]
pub(crate) struct Chain(pub(crate) Option<Arc<Frame>>);

/// The rarely used parts of a frame, boxed so that the common frame (keys
/// only) stays small.
#[derive(Clone, Default)]
pub(crate) struct Extra {
    /// For a frame pushed by `Snapshot::attach`: where lookups continue
    /// instead of `below`.
    pub(crate) detached: Option<Chain>,
    /// A deep-merge patch for the configuration (always an object).
    pub(crate) config: Option<Value>,
    /// The effective configuration at this frame, built on first use.
    merged: OnceLock<Arc<Config>>,
    /// Typed values attached by other modules, at most one per type.
    pub(crate) attached: SmallVec<[(TypeId, Attachment); 1]>,
}

impl Extra {
    /// An `Extra` for a frame whose lookups continue in `chain`.
    pub(crate) fn detached(chain: Chain, config: Option<Value>) -> Box<Extra> {
        Box::new(Extra {
            detached: Some(chain),
            config,
            ..Extra::default()
        })
    }

    /// An `Extra` holding only a configuration patch, if there is one.
    #[inline]
    pub(crate) fn for_config(config: Option<Value>) -> Option<Box<Extra>> {
        config.map(|config| {
            Box::new(Extra {
                config: Some(config),
                ..Extra::default()
            })
        })
    }
}

/// One scope's changes, or the thread's top-level edits (depth 0).
#[derive(Clone)]
pub(crate) struct Frame {
    /// The frame that becomes the top again when this one ends.
    below: Option<Arc<Frame>>,
    /// Unique among the frames this thread pushes.
    id: u64,
    /// Position in the owning thread's stack: 0 for the root frame.
    depth: usize,
    /// True when this frame or any frame it looks up through has a patch.
    has_config: bool,
    /// The [`key_bit`] summary of this frame's keys.
    keys: u64,
    /// The summary of the keys of this frame and of every frame it looks up
    /// through: a lookup stops walking where its bit is missing.
    seen: u64,
    pub(crate) values: Entries,
    pub(crate) extra: Option<Box<Extra>>,
}

impl Frame {
    /// Where lookups continue after this frame.
    pub(crate) fn next(&self) -> Option<&Arc<Frame>> {
        match &self.extra {
            Some(extra) => match &extra.detached {
                Some(chain) => chain.0.as_ref(),
                None => self.below.as_ref(),
            },
            None => self.below.as_ref(),
        }
    }

    /// Sets one key; `config` is deep-merged into this frame's patch.
    pub(crate) fn set(&mut self, key: Key, value: Value) {
        if key == CONFIG_KEY {
            self.merge_config(value);
        } else {
            let bit = key_bit(&key);
            self.keys |= bit;
            self.seen |= bit;
            self.values.insert(key, value);
        }
    }

    /// Deep-merges an object into this frame's configuration patch; any
    /// other value is ignored (see the module docs of `context`).
    pub(crate) fn merge_config(&mut self, patch: Value) {
        if !patch.is_object() {
            return;
        }
        let extra = self.extra.get_or_insert_with(Box::default);
        match &mut extra.config {
            Some(existing) => merge_json(existing, patch),
            None => extra.config = Some(patch),
        }
        extra.merged = OnceLock::new();
        self.has_config = true;
    }

    /// The snapshot chain this frame was attached to, taken out.
    fn take_detached(&mut self) -> Option<Arc<Frame>> {
        self.extra
            .as_mut()
            .and_then(|extra| extra.detached.take())
            .and_then(|chain| chain.0)
    }
}

impl Drop for Frame {
    /// Unlinks chains iteratively so that dropping a very deep stack cannot
    /// overflow the call stack. `below` links are followed in a loop; the
    /// work list is only used (and stays inline unless they nest) for the
    /// chains of attached snapshots.
    fn drop(&mut self) {
        let mut pending: SmallVec<[Arc<Frame>; 2]> = SmallVec::new();
        if let Some(chain) = self.take_detached() {
            pending.push(chain);
        }
        let mut next = self.below.take();
        loop {
            let Some(frame) = next.take().or_else(|| pending.pop()) else {
                return;
            };
            if let Some(mut frame) = Arc::into_inner(frame) {
                if let Some(chain) = frame.take_detached() {
                    pending.push(chain);
                }
                next = frame.below.take();
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
    /// Frame ids only need to be unique per thread: a token is `!Send` and
    /// is only ever checked against the stack of the thread that made it.
    next_id: u64,
}

thread_local! {
    static STATE: RefCell<State> = const {
        RefCell::new(State { top: None, next_id: 0 })
    };
}

/// Runs `f` with this thread's top frame (`None`: the base only). During
/// thread teardown, or if the state is somehow borrowed, `f` sees the base.
pub(crate) fn read<R>(f: impl Fn(Option<&Arc<Frame>>) -> R) -> R {
    // The result goes straight into `out` rather than through nested
    // `Option`/`Result` wrappers: copying a `Value`-sized result through
    // those layers cost more than the lookup itself.
    let mut out = None;
    let _ = STATE.try_with(|state| {
        if let Ok(state) = state.try_borrow() {
            out = Some(f(state.top.as_ref()));
        }
    });
    match out {
        Some(out) => out,
        None => f(None),
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
pub(crate) fn top() -> Chain {
    Chain(read(|top| top.cloned()))
}

/// Pushes a frame holding `values` (whose [`key_bit`] summary is `keys`,
/// or a superset of it) and `extra`. `None` during thread teardown.
pub(crate) fn push(values: Entries, keys: u64, mut extra: Option<Box<Extra>>) -> Option<Token> {
    if let Some(extra) = &mut extra {
        // A frame given back by a future may carry a merge made on top of
        // other frames: build it again on first use.
        extra.merged = OnceLock::new();
    }
    // The frame is allocated before the thread-local is borrowed and only
    // its links are filled in there: moving the keys through the closures
    // of `write` cost more than the rest of entering a scope.
    let mut frame = Arc::new(Frame {
        below: None,
        id: 0,
        depth: 0,
        has_config: false,
        keys,
        seen: keys,
        values,
        extra,
    });
    write(move |state| {
        // Just made, so not shared; `None` cannot happen.
        let new = Arc::get_mut(&mut frame)?;
        let id = state.next_id;
        state.next_id = state.next_id.wrapping_add(1);
        new.below = state.top.take();
        new.id = id;
        new.depth = new.below.as_ref().map_or(1, |b| b.depth + 1);
        let next = new.next();
        let own_config = new.extra.as_ref().is_some_and(|e| e.config.is_some());
        let (next_config, next_seen) = next.map_or((false, 0), |n| (n.has_config, n.seen));
        new.has_config = own_config || next_config;
        new.seen |= next_seen;
        let token = Token {
            id,
            depth: new.depth,
        };
        state.top = Some(frame);
        Some(token)
    })
    .flatten()
}

/// Pops the frame of `token` and every frame above it (left there by a
/// guard dropped out of order). Returns the popped frame, or `None` when it
/// is no longer on the stack because an outer guard already popped it.
/// Frames are dropped by the caller, after the thread-local is released.
pub(crate) fn pop(token: Token) -> Option<Arc<Frame>> {
    let (frame, _above) = write(|state| {
        // The usual case: the frame is the top and nothing else holds it,
        // so its `below` moves back to the top untouched.
        if let Some(top) = &mut state.top {
            if top.id == token.id && top.depth == token.depth {
                let below = match Arc::get_mut(top) {
                    Some(frame) => frame.below.take(),
                    None => top.below.clone(),
                };
                let frame = std::mem::replace(&mut state.top, below);
                return (frame, None);
            }
        }
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
                let above = std::mem::replace(&mut state.top, frame.below.clone());
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
            let id = state.next_id;
            state.next_id = state.next_id.wrapping_add(1);
            state.top = Some(Arc::new(Frame {
                below: None,
                id,
                depth: 0,
                has_config: false,
                keys: 0,
                seen: 0,
                values: Entries::default(),
                extra: None,
            }));
        }
        state.top.as_mut().map(|top| f(Arc::make_mut(top)))
    })
    .flatten()
}

/// The innermost value of type `T` attached to a frame seen from `top`.
pub(crate) fn attached<T: Any>(top: Option<&Arc<Frame>>) -> Option<&T> {
    let mut node = top;
    while let Some(frame) = node {
        if let Some(extra) = &frame.extra {
            let found = extra
                .attached
                .iter()
                .find(|(id, _)| *id == TypeId::of::<T>())
                .and_then(|(_, value)| value.downcast_ref::<T>());
            if found.is_some() {
                return found;
            }
        }
        node = frame.next();
    }
    None
}

/// The value of `key` seen from `top`: the innermost frame that sets it,
/// else the base. (`config` is not a frame key; see [`effective_config`].)
pub(crate) fn find<'a>(top: Option<&'a Arc<Frame>>, key: &str) -> Option<&'a Value> {
    let bit = key_bit(key);
    let mut node = top;
    while let Some(frame) = node {
        if frame.seen & bit == 0 {
            break;
        }
        if frame.keys & bit != 0 {
            if let Some(value) = frame.values.get(key) {
                return Some(value);
            }
        }
        node = frame.next();
    }
    base().get(key)
}

/// The effective configuration seen from `top`: the base configuration
/// with every patch in scope merged, outermost first. The result is cached
/// in the innermost frame with a patch, so it is built once per scope.
pub(crate) fn effective_config(top: Option<&Arc<Frame>>) -> Arc<Config> {
    let base = base();
    let mut pending: Vec<&Extra> = Vec::new();
    let mut node = top;
    let start = loop {
        match node {
            Some(frame) if frame.has_config => {
                if let Some(extra) = frame.extra.as_deref().filter(|e| e.config.is_some()) {
                    if let Some(merged) = extra.merged.get() {
                        break merged.clone();
                    }
                    pending.push(extra);
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
            for extra in pending.iter().rev() {
                if let Some(config) = &extra.config {
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
    let mut out = base().values().clone();
    if let Some(config) = config {
        out.insert(CONFIG_KEY.to_owned(), config);
    }
    for frame in chain.iter().rev() {
        for (key, value) in frame.values.iter() {
            out.insert(key.to_owned(), value.clone());
        }
    }
    out
}

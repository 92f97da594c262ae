//! A frame: what one scope (or the thread's top-level edits) changes.
//!
//! A frame holds only what its scope sets: a few keys and, rarely, an
//! [`Extra`] (a configuration patch with its lazily merged [`Config`],
//! typed values other modules attach, or the snapshot a frame was attached
//! to). Frames are owned by the thread's stack (see `stack`) and become
//! `Arc`s, linked to the frame below, only when a snapshot or a chain walk
//! needs them; a [`Chain`] is such a linked frame and everything below it.
//! The functions at the end walk a chain.

use std::any::{Any, TypeId};
use std::sync::{Arc, OnceLock};

use serde_json::{Map, Value};
use smallvec::SmallVec;

use super::base::{CONFIG_KEY, base};
use super::entries::{Entries, Key, key_bit};
use crate::config::{Config, depth};

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
    pub(super) merged: OnceLock<Arc<Config>>,
    /// Typed values attached by other modules, at most one per type.
    pub(crate) attached: SmallVec<[(TypeId, Attachment); 1]>,
    /// The first key given a value nested too deep while this frame was
    /// built as an [`Overrides`](crate::context::Overrides).
    pub(crate) refused: Option<Key>,
}

impl Extra {
    /// An `Extra` for a frame whose lookups continue in `chain`.
    pub(crate) fn detached(chain: Chain) -> Extra {
        Extra {
            detached: Some(chain),
            ..Extra::default()
        }
    }
}

/// One scope's changes, or the thread's top-level edits (the root frame).
#[derive(Clone, Default)]
pub(crate) struct Frame {
    /// The frame below this one on the stack that pushed it, once linked.
    pub(super) below: Option<Arc<Frame>>,
    /// True once `below` is written (or there is nothing below).
    pub(super) linked: bool,
    /// True when this frame or any frame it looks up through has a patch.
    pub(super) has_config: bool,
    /// The [`key_bit`] summary of this frame's keys.
    pub(super) keys: u64,
    /// The summary of the keys of this frame and of every frame it looks up
    /// through: a lookup stops walking where its bit is missing.
    pub(super) seen: u64,
    pub(crate) values: Entries,
    pub(crate) extra: Option<Box<Extra>>,
}

impl Frame {
    /// A frame carrying only `extra`.
    pub(crate) fn with_extra(extra: Extra) -> Box<Frame> {
        let mut frame = Box::<Frame>::default();
        frame.extra = Some(Box::new(extra));
        frame
    }

    /// Where lookups continue after this frame.
    #[inline]
    pub(crate) fn next(&self) -> Option<&Arc<Frame>> {
        match &self.extra {
            Some(extra) => match &extra.detached {
                Some(chain) => chain.0.as_ref(),
                None => self.below.as_ref(),
            },
            None => self.below.as_ref(),
        }
    }

    pub(super) fn detached(&self) -> Option<&Chain> {
        self.extra
            .as_ref()
            .and_then(|extra| extra.detached.as_ref())
    }

    pub(super) fn own_config(&self) -> bool {
        self.extra
            .as_ref()
            .is_some_and(|extra| extra.config.is_some())
    }

    /// Sets one key; `config` is deep-merged into this frame's patch. A
    /// value nested deeper than [`MAX_DEPTH`](crate::config::MAX_DEPTH)
    /// changes nothing and gives `false`.
    #[inline]
    pub(crate) fn set(&mut self, key: Key, value: Value) -> bool {
        if key == CONFIG_KEY {
            self.merge_config(value)
        } else {
            let bit = key_bit(&key);
            self.keys |= bit;
            self.seen |= bit;
            self.values.insert(key, value)
        }
    }

    /// [`set`](Frame::set) for a borrowed key and any value, writing both
    /// in place (see [`Entries::set`]).
    #[inline]
    pub(crate) fn set_str(&mut self, key: &str, value: impl Into<Value>) -> bool {
        if key == CONFIG_KEY {
            self.merge_config(value.into())
        } else {
            // `seen` is only read once the frame is pushed, which sets it.
            // A refused key leaves its bit set: a summary bit only means
            // "maybe here".
            self.keys |= key_bit(key);
            self.values.set(key, value)
        }
    }

    /// Deep-merges an object into this frame's configuration patch; any
    /// other value is ignored (see the module docs of `context`), and one
    /// nested too deep changes nothing and gives `false`.
    pub(crate) fn merge_config(&mut self, patch: Value) -> bool {
        if depth::too_deep(&patch) {
            depth::dismantle(patch);
            return false;
        }
        if !patch.is_object() {
            return true;
        }
        let extra = self.extra.get_or_insert_with(Box::default);
        match &mut extra.config {
            Some(existing) => merge_json(existing, patch),
            None => extra.config = Some(patch),
        }
        extra.merged = OnceLock::new();
        self.has_config = true;
        true
    }

    /// Notes that `key` was given a value nested too deep (the first such
    /// key is kept), for the fallible entry points to report.
    #[cold]
    pub(crate) fn refused(&mut self, key: &str) {
        let extra = self.extra.get_or_insert_with(Box::default);
        extra.refused.get_or_insert_with(|| Key::from(key));
    }

    /// The first key [`refused`](Frame::refused) noted.
    pub(crate) fn refused_key(&self) -> Option<&str> {
        self.extra.as_ref()?.refused.as_deref()
    }

    /// The snapshot chain this frame was attached to, taken out.
    fn take_detached(&mut self) -> Option<Arc<Frame>> {
        self.extra
            .as_mut()
            .and_then(|extra| extra.detached.take())
            .and_then(|chain| chain.0)
    }

    /// This frame's own contents, unlinked from any stack: for a frame
    /// given back by a future, which a snapshot taken during a poll may
    /// share.
    pub(crate) fn unlinked_copy(&self) -> Frame {
        Frame {
            below: None,
            linked: false,
            has_config: self.own_config(),
            keys: self.keys,
            seen: self.keys,
            values: self.values.clone(),
            extra: self.extra.clone(),
        }
    }

    /// Unlinks this frame from the stack it was on (the frame must not be
    /// shared); the returned link is for the caller to drop.
    pub(crate) fn unlink(&mut self) -> Option<Arc<Frame>> {
        self.linked = false;
        self.seen = self.keys;
        self.has_config = self.own_config();
        self.below.take()
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
    base().get_with_bit(key, bit)
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

//! Thread-local frames: the only code that touches the thread-local stack.
//!
//! A context is a chain of immutable-once-shared frames, innermost first,
//! ending in the process-wide [`Base`](super::base::Base). Each frame holds
//! only what it changes: a few keys and, rarely, an [`Extra`] (a
//! configuration patch with its lazily merged [`Config`], typed values other
//! modules attach, or the snapshot a frame was attached to). Frames are
//! `Arc`s so a snapshot is one pointer copy; the top frame is edited in place
//! (`Arc::make_mut`), which copies that one frame only if a snapshot shares
//! it.
//!
//! A thread keeps its open scopes in a `Vec` of small slots, innermost
//! last, each holding its frame and the key summaries a lookup needs, so
//! that a lookup tests the summaries of the whole stack in one contiguous
//! run and touches only the frame that holds the key. The `below` links
//! that make the stack a chain are only written when something needs the
//! chain (a snapshot, the merged configuration, listing the keys), from the
//! lowest unlinked frame up; frames linked once stay linked while they are
//! on the stack, because only the top frame is ever edited.
//!
//! A frame pushed by `Snapshot::attach` continues its lookups in the
//! snapshot ([`Frame::next`]) rather than in the frames below it.
//!
//! Entering a one-key scope writes the key straight into a frame (taken
//! from a small per-thread pool of frames that earlier scopes gave back, so
//! usually without an allocation) and pushes one slot; leaving it pops the
//! slot and gives the frame back to the pool.
//!
//! No user code runs while the `RefCell` is borrowed: the closures given to
//! [`read`] and [`with_found`] are all in this module's callers inside the
//! crate and only look up, clone or drop values; frames that may hold the
//! last reference to a chain are dropped after the borrow ends.

use std::any::{Any, TypeId};
use std::cell::RefCell;
use std::num::NonZeroU64;
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
    below: Option<Arc<Frame>>,
    /// True once `below` is written (or there is nothing below).
    linked: bool,
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

    fn detached(&self) -> Option<&Chain> {
        self.extra
            .as_ref()
            .and_then(|extra| extra.detached.as_ref())
    }

    fn own_config(&self) -> bool {
        self.extra
            .as_ref()
            .is_some_and(|extra| extra.config.is_some())
    }

    /// Sets one key; `config` is deep-merged into this frame's patch.
    #[inline]
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

    /// [`set`](Frame::set) for a borrowed key and any value, writing both
    /// in place (see [`Entries::set`]).
    #[inline]
    pub(crate) fn set_str(&mut self, key: &str, value: impl Into<Value>) {
        if key == CONFIG_KEY {
            self.merge_config(value.into());
        } else {
            // `seen` is only read once the frame is pushed, which sets it.
            self.keys |= key_bit(key);
            self.values.set(key, value);
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

/// Identifies a pushed frame, for the LIFO check when it is popped.
///
/// Eight bytes, so that it travels in a register: a wider token was copied
/// through memory on the way out of the thread-local, and those copies
/// cost more than the push. Ids wrap after 2^32 scopes; a guard could only
/// mistake another scope for its own if an outer guard had already ended
/// its scope and exactly 2^32 scopes later one opened at the same depth.
/// The id is the low half and the depth (never 0) the high half of one
/// word, read with one load.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Token(NonZeroU64);

impl Token {
    /// `None` for depth 0, which no scope has.
    fn new(id: u32, depth: u32) -> Option<Token> {
        NonZeroU64::new((u64::from(depth) << 32) | u64::from(id))
            .filter(|_| depth > 0)
            .map(Token)
    }

    fn id(self) -> u32 {
        // Keeps the low half.
        self.0.get() as u32
    }

    pub(crate) fn depth(self) -> usize {
        // `usize` is at least 32 bits on every target std supports.
        usize::try_from(self.0.get() >> 32).unwrap_or(usize::MAX)
    }
}

/// A frame on the stack: owned until something needs it shared (a
/// snapshot, a chain walk), so that entering and leaving a scope touch no
/// reference count (atomic operations were most of a scope's cost).
enum Held {
    Owned(Box<Frame>),
    Shared(Arc<Frame>),
}

impl std::ops::Deref for Held {
    type Target = Frame;

    #[inline]
    fn deref(&self) -> &Frame {
        match self {
            Held::Owned(frame) => frame,
            Held::Shared(frame) => frame,
        }
    }
}

impl Held {
    fn make_mut(&mut self) -> &mut Frame {
        match self {
            Held::Owned(frame) => frame,
            Held::Shared(frame) => Arc::make_mut(frame),
        }
    }

    fn shared(&self) -> Option<&Arc<Frame>> {
        match self {
            Held::Owned(_) => None,
            Held::Shared(frame) => Some(frame),
        }
    }

    /// Links an owned frame to `below` and shares it.
    fn link(&mut self, below: Option<Arc<Frame>>) {
        let frame = match self {
            Held::Owned(frame) => frame,
            Held::Shared(_) => return,
        };
        frame.below = below;
        frame.linked = true;
        // Moves the frame out, leaving an empty one (no allocation) in the
        // box that the assignment below frees.
        let shared = Arc::new(std::mem::take(&mut **frame));
        *self = Held::Shared(shared);
    }

    /// The frame, unlinked and owned (copied if a snapshot shares it), and
    /// its old link for the caller to drop.
    fn into_owned(self) -> (Box<Frame>, Option<Arc<Frame>>) {
        let mut frame = match self {
            Held::Owned(frame) => frame,
            Held::Shared(frame) => match Arc::try_unwrap(frame) {
                Ok(frame) => Box::new(frame),
                Err(frame) => Box::new(frame.unlinked_copy()),
            },
        };
        let below = frame.unlink();
        (frame, below)
    }
}

/// One place on this thread's stack. Slots are kept when their scope ends
/// and written field by field by the next scope: building a whole slot and
/// moving it into the `Vec` cost more (the CPU cannot forward the narrow
/// writes that built it to the wide reads that copy it) than the rest of
/// entering a scope.
#[derive(Default)]
struct Slot {
    /// The scope's frame; `None` in a slot above the top.
    frame: Option<Held>,
    /// The frame's own key summary (kept here so a lookup need not load
    /// the frame).
    keys: u64,
    /// The summary of every key visible from this slot.
    seen: u64,
    /// Unique among the frames this thread pushes (see [`Token`]).
    id: u32,
    /// True when a `config` patch is visible from this slot.
    has_config: bool,
    /// True for a frame pushed by `Snapshot::attach`: lookups continue in
    /// its chain, not in the slots below.
    detached: bool,
}

impl Slot {
    fn frame(&self) -> Option<&Frame> {
        self.frame.as_deref()
    }

    fn shared(&self) -> Option<&Arc<Frame>> {
        self.frame.as_ref().and_then(Held::shared)
    }
}

/// How many given-back frames a thread keeps for its next scopes.
const SPARE: usize = 16;

struct State {
    /// The thread's top-level edits, below every scope.
    root: Option<Arc<Frame>>,
    /// Open scopes, innermost last: the scope at depth `d` is in
    /// `slots[d - 1]`, and slots from `depth` on are unused.
    slots: Vec<Slot>,
    depth: usize,
    /// Empty frames given back by ended scopes, for the next ones. Boxed:
    /// a frame moves between an `Overrides`, a slot and this pool as one
    /// pointer.
    #[allow(clippy::vec_box)]
    spare: Vec<Box<Frame>>,
    /// Frame ids only need to be unique per thread: a token is `!Send` and
    /// is only ever checked against the stack of the thread that made it.
    next_id: u32,
}

thread_local! {
    static STATE: RefCell<State> = const {
        RefCell::new(State {
            root: None,
            slots: Vec::new(),
            depth: 0,
            spare: Vec::new(),
            next_id: 0,
        })
    };
}

impl State {
    /// The open scopes, innermost last.
    #[inline]
    fn stack(&self) -> &[Slot] {
        self.slots.get(..self.depth).unwrap_or_default()
    }

    /// The innermost frame as a chain, once [linked](State::link) (an
    /// unlinked top reads as the base).
    fn top(&self) -> Option<&Arc<Frame>> {
        match self.stack().last() {
            Some(slot) => slot.shared(),
            None => self.root.as_ref(),
        }
    }

    /// The key summary and config flag visible from the top.
    fn top_summary(&self) -> (u64, bool) {
        match (self.stack().last(), &self.root) {
            (Some(slot), _) => (slot.seen, slot.has_config),
            (None, Some(root)) => (root.keys, root.has_config),
            (None, None) => (0, false),
        }
    }

    /// The value of `key` (whose bit is `bit`) visible on this thread.
    #[inline]
    fn find(&self, key: &str, bit: u64) -> Option<&Value> {
        if self.top_summary().0 & bit == 0 {
            return base().get_with_bit(key, bit);
        }
        for slot in self.stack().iter().rev() {
            if slot.keys & bit != 0 {
                if let Some(value) = slot.frame().and_then(|frame| frame.values.get(key)) {
                    return Some(value);
                }
            }
            if slot.detached {
                return find(slot.frame().and_then(Frame::next), key);
            }
        }
        if let Some(root) = &self.root {
            if let Some(value) = root.values.get(key) {
                return Some(value);
            }
        }
        base().get_with_bit(key, bit)
    }

    /// Writes the `below` links of every frame not yet linked, so that the
    /// top frame is a whole chain.
    fn link(&mut self) {
        let stack = self.slots.get_mut(..self.depth).unwrap_or_default();
        let mut start = stack.len();
        while start > 0 && !stack[start - 1].frame().is_some_and(|f| f.linked) {
            start -= 1;
        }
        for i in start..stack.len() {
            let below = match i {
                0 => self.root.clone(),
                _ => stack[i - 1].shared().cloned(),
            };
            if let Some(frame) = &mut stack[i].frame {
                frame.link(below);
            }
        }
    }

    /// Takes a frame from the pool, if there is one.
    fn spare(&mut self) -> Option<Box<Frame>> {
        self.spare.pop()
    }

    /// Gives an ended scope's frame back to the pool when it is owned (no
    /// snapshot saw it, so it holds no link) and cheap to reset; otherwise
    /// returns it, to be dropped after the borrow ends.
    #[inline]
    fn recycle(&mut self, frame: Held) -> Option<Held> {
        match frame {
            Held::Owned(mut frame)
                if self.spare.len() < SPARE && frame.extra.is_none() && frame.values.is_small() =>
            {
                // Dropping values runs no user code.
                frame.values.clear();
                frame.keys = 0;
                frame.seen = 0;
                frame.has_config = false;
                self.spare.push(frame);
                None
            }
            frame => Some(frame),
        }
    }
}

/// An empty frame for a new scope, from this thread's pool when it has one.
#[inline]
pub(crate) fn fresh() -> Box<Frame> {
    let mut out = None;
    let _ = STATE.try_with(|state| {
        if let Ok(mut state) = state.try_borrow_mut() {
            out = state.spare();
        }
    });
    out.unwrap_or_default()
}

/// Runs `f` with this thread's whole chain (`None`: the base only),
/// linking it first. During thread teardown, or if the state is somehow
/// borrowed, `f` sees the base.
pub(crate) fn read<R>(f: impl Fn(Option<&Arc<Frame>>) -> R) -> R {
    let mut out = None;
    let _ = STATE.try_with(|state| {
        if let Ok(mut state) = state.try_borrow_mut() {
            state.link();
        }
        // Shared, so that `f` may read the context again.
        if let Ok(state) = state.try_borrow() {
            out = Some(f(state.top()));
        }
    });
    match out {
        Some(out) => out,
        None => f(None),
    }
}

/// Runs `f` on the value of `key` visible on this thread.
#[inline]
pub(crate) fn with_found<R>(key: &str, f: impl Fn(Option<&Value>) -> R) -> R {
    let bit = key_bit(key);
    let mut out = None;
    let _ = STATE.try_with(|state| {
        if let Ok(state) = state.try_borrow() {
            out = Some(f(state.find(key, bit)));
        }
    });
    match out {
        Some(out) => out,
        None => f(base().get(key)),
    }
}

/// Puts a copy of the value of `key` visible on this thread into `out`
/// (which the caller passes empty) and says whether there was one.
///
/// `context::get` is written around this rather than a function returning
/// the value because a `Value` cannot leave the thread-local's closure by
/// reference: returned from it, it was copied through the closure's result,
/// the thread-local's `Result` and an `Option`, each time even for a
/// missing key, and a copy of a freshly built `Value` stalls the CPU (it
/// cannot forward the narrow writes that built it to the wide reads of the
/// copy); those copies cost as much as the lookup. Here a missing key costs
/// no copy, and a present one is copied once into `out`.
#[inline(never)]
pub(crate) fn get_into(key: &str, out: &mut Option<Value>) -> bool {
    let bit = key_bit(key);
    let read = STATE.try_with(|state| match state.try_borrow() {
        Ok(state) => Some(copy_into(state.find(key, bit), out)),
        Err(_) => None,
    });
    match read {
        Ok(Some(found)) => found,
        _ => copy_into(base().get(key), out),
    }
}

/// Copies `value`, if any, into the empty `out`.
#[inline]
fn copy_into(value: Option<&Value>, out: &mut Option<Value>) -> bool {
    match (value, &*out) {
        (Some(value), None) => {
            *out = Some(copy(value));
            true
        }
        _ => false,
    }
}

/// `value.clone()`, kept out of line so that its result is written where
/// the caller wants it rather than built in a temporary and moved.
#[inline(never)]
fn copy(value: &Value) -> Value {
    value.clone()
}

/// The effective configuration on this thread: the base's, unless a patch
/// is in scope.
pub(crate) fn config() -> Arc<Config> {
    let mut patched = false;
    let _ = STATE.try_with(|state| {
        if let Ok(state) = state.try_borrow() {
            patched = state.top_summary().1;
        }
    });
    if patched {
        read(effective_config)
    } else {
        base().config.clone()
    }
}

/// Runs `f` on this thread's state; `None` during thread teardown.
#[inline]
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

/// Pushes `frame` as the new top scope. `None` during thread teardown.
#[inline]
pub(crate) fn push(mut frame: Box<Frame>) -> Option<Token> {
    drop(frame.unlink());
    if let Some(extra) = &mut frame.extra {
        // A frame given back by a future may carry a merge made on top of
        // other frames: build it again on first use.
        extra.merged = OnceLock::new();
    }
    let chain = frame.detached().map(|chain| {
        chain
            .0
            .as_ref()
            .map_or((0, false), |f| (f.seen, f.has_config))
    });
    write(move |state| {
        let (seen_below, config_below) = match chain {
            Some(summary) => summary,
            None => state.top_summary(),
        };
        let seen = frame.keys | seen_below;
        let has_config = frame.has_config | config_below;
        frame.seen = seen;
        frame.has_config = has_config;
        let id = state.next_id;
        state.next_id = state.next_id.wrapping_add(1);
        let index = state.depth;
        let depth = u32::try_from(index + 1).ok()?;
        if index == state.slots.len() {
            state.slots.push(Slot::default());
        }
        let slot = state.slots.get_mut(index)?;
        slot.keys = frame.keys;
        slot.seen = seen;
        slot.has_config = has_config;
        slot.detached = chain.is_some();
        slot.id = id;
        slot.frame = Some(Held::Owned(frame));
        state.depth = index + 1;
        Token::new(id, depth)
    })
    .flatten()
}

/// What popping the top scope found.
enum Popped {
    /// The scope was the top and is gone; its frame, if not given back to
    /// the pool, is for the caller to drop or keep.
    Top(Option<Held>),
    /// The scope is not the top: see [`pop_below`].
    NotTop,
}

/// Pops the scope of `token` if it is the top (the usual case, kept apart
/// so that what leaves the thread-local fits in registers). With `keep`,
/// the frame is returned; otherwise it goes back to the pool when it can.
#[inline]
fn pop_top(token: Token, keep: bool) -> Option<Popped> {
    write(|state| {
        let index = state.depth.wrapping_sub(1);
        if token.depth() != state.depth
            || state.slots.get(index).map(|slot| slot.id) != Some(token.id())
        {
            return Popped::NotTop;
        }
        state.depth = index;
        let frame = state
            .slots
            .get_mut(index)
            .and_then(|slot| slot.frame.take());
        Popped::Top(match frame {
            Some(frame) if !keep => state.recycle(frame),
            frame => frame,
        })
    })
}

/// Pops the scope of `token` and every scope above it (left there by a
/// guard dropped out of order). Returns the frames, for the caller to drop
/// after the thread-local is released (the scope's own first), or nothing
/// when the scope is no longer on the stack because an outer guard already
/// popped it.
#[cold]
fn pop_below(token: Token) -> Vec<Held> {
    write(|state| {
        let index = token.depth() - 1;
        if index >= state.depth || state.slots.get(index).map(|slot| slot.id) != Some(token.id()) {
            return Vec::new();
        }
        let popped = state
            .slots
            .get_mut(index..state.depth)
            .map(|slots| {
                slots
                    .iter_mut()
                    .filter_map(|slot| slot.frame.take())
                    .collect()
            })
            .unwrap_or_default();
        state.depth = index;
        popped
    })
    .unwrap_or_default()
}

/// Pops the scope of `token` (and any scope above it) and gives its frame
/// back to the pool.
#[inline]
pub(crate) fn pop(token: Token) {
    match pop_top(token, false) {
        Some(Popped::Top(frame)) => drop(frame),
        Some(Popped::NotTop) => drop(pop_below(token)),
        None => {}
    }
}

/// Pops the scope of `token` (and any scope above it) and returns its
/// frame, unlinked and owned, or `None` when an outer guard already popped
/// it.
pub(crate) fn pop_frame(token: Token) -> Option<Box<Frame>> {
    let frame = match pop_top(token, true)? {
        Popped::Top(frame) => frame?,
        Popped::NotTop => {
            let mut popped = pop_below(token).into_iter();
            let frame = popped.next()?;
            drop(popped);
            frame
        }
    };
    let (frame, below) = frame.into_owned();
    drop(below);
    Some(frame)
}

/// Edits the top frame, creating the thread's root frame when no scope is
/// active. `None` during thread teardown.
pub(crate) fn edit<R>(f: impl FnOnce(&mut Frame) -> R) -> Option<R> {
    write(|state| {
        let top = state
            .depth
            .checked_sub(1)
            .and_then(|i| state.slots.get_mut(i));
        let Some(slot) = top else {
            let root = state.root.get_or_insert_with(|| {
                let mut root = Frame::default();
                root.linked = true;
                Arc::new(root)
            });
            return Some(f(Arc::make_mut(root)));
        };
        let frame = slot.frame.as_mut()?.make_mut();
        let out = f(frame);
        slot.keys = frame.keys;
        slot.seen |= frame.keys;
        frame.seen = slot.seen;
        if frame.own_config() {
            slot.has_config = true;
            frame.has_config = true;
        }
        Some(out)
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

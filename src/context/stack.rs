//! The thread-local stack of open scopes: the only code that touches it.
//!
//! A context is a chain of frames (see `frame`), innermost first, ending in
//! the process-wide [`Base`](super::base::Base). The top frame is edited in
//! place, which copies it only if a snapshot shares it.
//!
//! A thread keeps its open scopes in a `Vec` of small slots, innermost
//! last, each holding its frame and the key summaries a lookup needs. A
//! lookup tests the innermost slot's keys, then goes straight to the slot
//! that last set the key's summary bit (`State::last`), so it touches only
//! the frame that holds the key however deep the stack is. The `below` links
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

use std::cell::RefCell;
use std::num::NonZeroU64;
use std::sync::{Arc, OnceLock};

use serde_json::Value;

use super::base::base;
use super::entries::key_bit;
use super::frame::{self, Chain, Frame};
use crate::config::Config;

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
    /// The depth of the nearest detached slot at or below this one (0 when
    /// there is none): lookups never reach the slots below it.
    fence: u32,
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
    /// For each [`key_bit`], the depth of the slot that last set it when
    /// pushed or edited (0: none). Every slot above that depth lacks the
    /// bit, so a lookup starts there instead of testing each slot from the
    /// top. Popping a scope leaves its entries stale rather than restoring
    /// them: a stale depth only makes the lookup start higher than needed.
    last: [u32; 64],
}

thread_local! {
    static STATE: RefCell<State> = const {
        RefCell::new(State {
            root: None,
            slots: Vec::new(),
            depth: 0,
            spare: Vec::new(),
            next_id: 0,
            last: [0; 64],
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

    /// The key summary, config flag and fence (see [`Slot::fence`])
    /// visible from the top.
    fn top_summary(&self) -> (u64, bool, u32) {
        match (self.stack().last(), &self.root) {
            (Some(slot), _) => (slot.seen, slot.has_config, slot.fence),
            (None, Some(root)) => (root.keys, root.has_config, 0),
            (None, None) => (0, false, 0),
        }
    }

    /// The value of `key` (whose bit is `bit`) visible on this thread.
    ///
    /// Written as one straight path for the usual case (the key is set by
    /// some scope, or by none), with every other case out of line: each
    /// call on this path cost a lookup more than the work it did.
    #[inline(always)]
    fn find(&self, key: &str, bit: u64) -> Option<&Value> {
        let stack = self.stack();
        let Some(top) = stack.last() else {
            return match self.root {
                None => base().get_with_bit(key, bit),
                Some(_) => self.find_below(key, bit),
            };
        };
        if top.seen & bit == 0 {
            return base().get_with_bit(key, bit);
        }
        if top.keys & bit != 0 {
            if let Some(value) = top.frame().and_then(|frame| frame.values.get(key)) {
                return Some(value);
            }
        }
        let start = self.last[bit_index(bit)];
        if top.fence > start {
            return self.find_detached(top.fence, key);
        }
        for slot in stack.get(..start as usize).unwrap_or(stack).iter().rev() {
            if slot.keys & bit != 0 {
                if let Some(value) = slot.frame().and_then(|frame| frame.values.get(key)) {
                    return Some(value);
                }
            }
            if slot.detached {
                return frame::find(slot.frame().and_then(Frame::next), key);
            }
        }
        self.find_below(key, bit)
    }

    /// The value of `key` when no slot sets it: the root's or the base's.
    #[inline(never)]
    fn find_below(&self, key: &str, bit: u64) -> Option<&Value> {
        if let Some(root) = &self.root {
            if let Some(value) = root.values.get(key) {
                return Some(value);
            }
        }
        base().get_with_bit(key, bit)
    }

    /// The value of `key` when no slot sets it from the detached slot at
    /// depth `fence` up: the value in the chain that slot continues in.
    #[cold]
    fn find_detached(&self, fence: u32, key: &str) -> Option<&Value> {
        // `fence` is a depth, so at least 1.
        let index = (fence as usize).saturating_sub(1);
        let detached = self.stack().get(index).and_then(Slot::frame);
        frame::find(detached.and_then(Frame::next), key)
    }

    /// Records that the slot at `depth` sets every bit of `keys`.
    #[inline]
    fn mark(&mut self, mut keys: u64, depth: u32) {
        while keys != 0 {
            self.last[bit_index(keys)] = depth;
            keys &= keys - 1;
        }
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

/// Where `bit` (a single [`key_bit`]) stands in a 64-bit summary.
#[inline]
fn bit_index(bit: u64) -> usize {
    // At most 63 once masked, so indexing `State::last` needs no check.
    (bit.trailing_zeros() & 63) as usize
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

/// A copy of the value of `key` visible on this thread.
///
/// Scalars leave the thread-local's closure as a [`Found`], which the
/// compiler keeps in registers, and the returned value is built once, in
/// place. Returning the `Value` itself from the closure (or filling an
/// `Option<Value>` passed in) made the compiler build it in a temporary
/// and copy it out, and a copy of a value written a moment before stalls
/// the CPU (it cannot forward the narrow writes that built the value to
/// the wide reads of the copy): those copies cost as much as the lookup.
/// Strings, arrays and objects are cloned into a local and moved out: the
/// copy costs little beside their allocation.
#[inline(never)]
pub(crate) fn get(key: &str) -> Option<Value> {
    let bit = key_bit(key);
    let mut other = None;
    let found = STATE
        .try_with(|state| match state.try_borrow() {
            Ok(state) => Found::of(state.find(key, bit), &mut other),
            Err(_) => Found::kind(Kind::Unread),
        })
        .unwrap_or(Found::kind(Kind::Unread));
    match found.kind {
        Kind::Number => Some(Value::Number(found.number)),
        Kind::Bool(b) => Some(Value::Bool(b)),
        Kind::Null => Some(Value::Null),
        Kind::Missing => None,
        Kind::Other => other,
        Kind::Unread => copy_other(base().get(key)),
    }
}

/// What a lookup found, kept apart from the number so that neither
/// changes the other's layout (an enum holding both packed the number at
/// odd offsets, copied byte by byte).
struct Found {
    kind: Kind,
    /// The number found, when `kind` is [`Kind::Number`]; zero otherwise.
    number: serde_json::Number,
}

/// The kind of value a lookup found.
#[derive(Clone, Copy)]
enum Kind {
    Missing,
    Null,
    Bool(bool),
    Number,
    /// A string, array or object, copied aside.
    Other,
    /// The thread's stack could not be read (thread teardown): the base's
    /// value is copied.
    Unread,
}

impl Found {
    #[inline(always)]
    fn kind(kind: Kind) -> Found {
        Found {
            kind,
            number: serde_json::Number::from(0u8),
        }
    }

    /// What `found` is; a string, array or object is copied into `other`.
    #[inline(always)]
    fn of(found: Option<&Value>, other: &mut Option<Value>) -> Found {
        match found {
            Some(Value::Number(n)) => Found {
                kind: Kind::Number,
                number: n.clone(),
            },
            Some(Value::Bool(b)) => Found::kind(Kind::Bool(*b)),
            Some(Value::Null) => Found::kind(Kind::Null),
            Some(value) => {
                *other = copy_other(Some(value));
                Found::kind(Kind::Other)
            }
            None => Found::kind(Kind::Missing),
        }
    }
}

/// `found.cloned()`, out of line: strings, arrays and objects allocate
/// anyway, and kept apart they leave the scalar path short.
#[inline(never)]
fn copy_other(found: Option<&Value>) -> Option<Value> {
    found.cloned()
}

/// The effective configuration on this thread: the base's, unless a patch
/// is in scope.
pub(crate) fn config() -> Arc<Config> {
    let mut patched = false;
    let mut merged = None;
    let _ = STATE.try_with(|state| {
        if let Ok(state) = state.try_borrow() {
            patched = state.top_summary().1;
            // Already a chain (asked before, or shared by a snapshot): no
            // need to link it first.
            if let (true, Some(top)) = (patched, state.top()) {
                merged = Some(frame::effective_config(Some(top)));
            }
        }
    });
    match (merged, patched) {
        (Some(merged), _) => merged,
        (None, true) => read(frame::effective_config),
        (None, false) => base().config.clone(),
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
        let index = state.depth;
        let depth = u32::try_from(index + 1).ok()?;
        let (seen_below, config_below, fence) = match chain {
            Some((seen, config)) => (seen, config, depth),
            None => state.top_summary(),
        };
        let seen = frame.keys | seen_below;
        let has_config = frame.has_config | config_below;
        frame.seen = seen;
        frame.has_config = has_config;
        let id = state.next_id;
        state.next_id = state.next_id.wrapping_add(1);
        let keys = frame.keys;
        state.mark(keys, depth);
        if index == state.slots.len() {
            state.slots.push(Slot::default());
        }
        let slot = state.slots.get_mut(index)?;
        slot.keys = keys;
        slot.seen = seen;
        slot.has_config = has_config;
        slot.detached = chain.is_some();
        slot.fence = fence;
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
        let added = frame.keys & !slot.keys;
        slot.keys = frame.keys;
        slot.seen |= frame.keys;
        frame.seen = slot.seen;
        if frame.own_config() {
            slot.has_config = true;
            frame.has_config = true;
        }
        let depth = u32::try_from(state.depth).unwrap_or(u32::MAX);
        state.mark(added, depth);
        Some(out)
    })
    .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_keeps_its_id_and_depth_apart() {
        let token = Token::new(u32::MAX, 3).unwrap();
        assert_eq!((token.id(), token.depth()), (u32::MAX, 3));
        let token = Token::new(0, u32::MAX).unwrap();
        assert_eq!((token.id(), token.depth()), (0, u32::MAX as usize));
        assert!(Token::new(5, 0).is_none());
    }
}

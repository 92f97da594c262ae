//! The one tree: every node carries its value and its provenance.
//!
//! A [`Node`] is a [`Table`] of named children or a [`Leaf`]. A leaf holds its
//! value, its [`Source`], whether it is sensitive, and a [`Trail`] of what the
//! load did to it (the raw values of the layers it overrode, the value as
//! written, each step since). Arrays and values cast from text (even when they
//! cast to a table) are leaves: Prefect treats them as one value.
//!
//! Tables keep their keys in the order they first appeared across the layers
//! (the defaults file's order first).

use std::sync::Arc;

use indexmap::IndexMap;
use serde_json::{Map, Value};
use smallvec::SmallVec;

use crate::config::Source;
use crate::config::step::{LayerValue, Step, StepKind};

/// A hash map with a fast hasher for internal maps keyed by configuration
/// keys (std's SipHash showed up as a sixth of load time).
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// A table's children, in first-appearance order.
pub(crate) type Entries = IndexMap<Key, Node, foldhash::fast::RandomState>;

/// A key of a table: up to 24 bytes inline (nearly every key), so that most
/// nodes cost no allocation for their name.
pub(crate) type Key = compact_str::CompactString;

/// One node of the loaded tree.
#[derive(Clone)]
pub(crate) enum Node {
    Table(Table),
    Leaf(Leaf),
}

/// A table of named children.
#[derive(Clone)]
pub(crate) struct Table {
    pub(crate) entries: Entries,
    /// The highest layer that defined this table.
    pub(crate) source: Source,
}

/// A value and where it came from.
#[derive(Clone)]
pub(crate) struct Leaf {
    pub(crate) value: Value,
    pub(crate) source: Source,
    /// Decided by the one rule in `sensitive.rs`, and carried through
    /// references and expansion.
    pub(crate) sensitive: bool,
    /// Taken exactly as written: no expansion, casting or references
    /// (values read from a secrets directory).
    pub(crate) verbatim: bool,
    /// What happened to the value; `None` while nothing has.
    pub(crate) trail: Option<Box<Trail>>,
}

/// The record `explain` reads.
#[derive(Clone, Default)]
pub(crate) struct Trail {
    /// The value as the winning layer wrote it, once a step changed it.
    pub(crate) written: Option<Value>,
    /// The raw values of lower layers this leaf overrode, lowest first.
    pub(crate) overridden: Vec<LayerValue>,
    /// Each step from the written value to the current one (most values
    /// take one step, kept inline). While `last_is_current`, the last step's
    /// value is not stored (it is `Null`): it is the leaf's current value,
    /// and [`Leaf::steps`] fills it in. A value is then never copied just to
    /// be recorded, however many bytes references made it.
    steps: SmallVec<[Step; 1]>,
    last_is_current: bool,
    /// The text the current value was cast from, when casting changed its type.
    pub(crate) raw: Raw,
    /// Steps past [`MAX_STEPS`] not recorded one by one, and the last of
    /// them (recorded by [`Leaf::finish_steps`]).
    pub(crate) folded: usize,
    pending_fold: Option<Step>,
}

impl Trail {
    /// Keeps the value a step is about to replace where `explain` needs it:
    /// as the written value before the first step, as the value of the last
    /// recorded step while that one stands for the current value, nowhere
    /// otherwise (steps folded past [`MAX_STEPS`]).
    fn keep_before_step(&mut self, old: impl FnOnce() -> Value) {
        if self.written.is_none() {
            self.written = Some(old());
        } else if self.last_is_current {
            if let Some(last) = self.steps.last_mut() {
                last.value = old();
            }
            self.last_is_current = false;
        }
    }
}

/// How many steps a leaf records one by one. A value built from more
/// references keeps the first ones and one last step with the final value,
/// so that a hostile file cannot make `explain`'s record grow with the
/// square of its size.
pub(crate) const MAX_STEPS: usize = 16;

/// Where the text a value was cast from is kept.
#[derive(Clone, Default)]
pub(crate) enum Raw {
    /// Casting did not change the value's type.
    #[default]
    None,
    /// The written value is that text (the common case: one cast step).
    Written,
    /// Some other text (after expansion, or copied through a reference).
    Text(Arc<str>),
    /// Casting kept the string value as it is, but it is a Python literal
    /// JSON cannot hold (`-1e400`, `b'x'`), which Python's `str()` prints
    /// differently from its text.
    Kept,
}

impl Table {
    pub(crate) fn new(source: Source) -> Table {
        Table {
            entries: Entries::default(),
            source,
        }
    }

    /// The child `key`. Small tables (most of a configuration) are scanned,
    /// comparing lengths first, which beats hashing the key.
    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        if self.entries.len() <= 32 {
            self.entries
                .iter()
                .find(|(k, _)| k.len() == key.len() && k.as_str() == key)
                .map(|(_, node)| node)
        } else {
            self.entries.get(key)
        }
    }

    /// The node at `parts`, if there is exactly one there.
    pub(crate) fn node<'a>(&self, parts: impl IntoIterator<Item = &'a str>) -> Option<&Node> {
        let mut parts = parts.into_iter();
        let mut node = self.get(parts.next()?)?;
        for part in parts {
            node = node.child(part)?;
        }
        Some(node)
    }

    /// The leaf at `parts`.
    pub(crate) fn leaf_mut(&mut self, parts: &[String]) -> Option<&mut Leaf> {
        let (last, parents) = parts.split_last()?;
        let mut table = self;
        for part in parents {
            match table.entries.get_mut(part.as_str())? {
                Node::Table(child) => table = child,
                Node::Leaf(_) => return None,
            }
        }
        match table.entries.get_mut(last.as_str())? {
            Node::Leaf(leaf) => Some(leaf),
            Node::Table(_) => None,
        }
    }

    /// The table as a plain value.
    pub(crate) fn to_value(&self) -> Value {
        Value::Object(
            self.entries
                .iter()
                .map(|(key, node)| (key.to_string(), node.to_value()))
                .collect::<Map<String, Value>>(),
        )
    }

    /// A table of runtime values built from a plain value (tables become
    /// tables, anything else a leaf), sensitivity by the key rule and the
    /// URL-with-password rule.
    pub(crate) fn from_value(
        map: &Map<String, Value>,
        source: &Source,
        path: &mut Vec<String>,
    ) -> Table {
        let mut table = Table::new(source.clone());
        for (key, value) in map {
            path.push(key.clone());
            let node = match value {
                Value::Object(child) => Node::Table(Table::from_value(child, source, path)),
                other => {
                    let mut leaf = Leaf::new(other.clone(), source.clone());
                    leaf.sensitive = crate::config::sensitive::is_sensitive_path(
                        path.iter().map(String::as_str),
                    ) || other
                        .as_str()
                        .is_some_and(crate::config::sensitive::has_embedded_credential);
                    Node::Leaf(leaf)
                }
            };
            path.pop();
            table.entries.insert(key.into(), node);
        }
        table
    }
}

impl Node {
    pub(crate) fn source(&self) -> &Source {
        match self {
            Node::Table(table) => &table.source,
            Node::Leaf(leaf) => &leaf.source,
        }
    }

    pub(crate) fn child(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Table(table) => table.get(key),
            Node::Leaf(_) => None,
        }
    }

    /// The node at `parts`, or the deepest node on the way that holds it (the
    /// leaf for a path into an array or a value cast from text).
    pub(crate) fn find<'a>(&self, parts: impl IntoIterator<Item = &'a str>) -> &Node {
        let mut node = self;
        for part in parts {
            match node.child(part) {
                Some(child) => node = child,
                None => return node,
            }
        }
        node
    }

    pub(crate) fn to_value(&self) -> Value {
        match self {
            Node::Table(table) => table.to_value(),
            Node::Leaf(leaf) => leaf.value.clone(),
        }
    }
}

impl Leaf {
    pub(crate) fn new(value: Value, source: Source) -> Leaf {
        Leaf {
            value,
            source,
            sensitive: false,
            verbatim: false,
            trail: None,
        }
    }

    /// The value as the winning layer wrote it.
    pub(crate) fn written(&self) -> &Value {
        self.trail
            .as_ref()
            .and_then(|t| t.written.as_ref())
            .unwrap_or(&self.value)
    }

    /// The text the value was cast from, when casting changed its type.
    pub(crate) fn raw(&self) -> Option<&str> {
        let trail = self.trail.as_ref()?;
        match &trail.raw {
            Raw::None | Raw::Kept => None,
            Raw::Written => trail.written.as_ref()?.as_str(),
            Raw::Text(text) => Some(text),
        }
    }

    /// Where the text behind the value is kept, for printing the value as
    /// Python would: [`Raw::Text`] when casting changed its type, [`Raw::Kept`]
    /// when the value is that text, else [`Raw::None`].
    pub(crate) fn literal(&self) -> Raw {
        match self.trail.as_ref().map(|t| &t.raw) {
            None | Some(Raw::None) => Raw::None,
            Some(Raw::Kept) => Raw::Kept,
            Some(Raw::Text(text)) => Raw::Text(Arc::clone(text)),
            Some(Raw::Written) => self
                .raw()
                .map_or(Raw::None, |text| Raw::Text(Arc::from(text))),
        }
    }

    /// How many steps are recorded one by one.
    pub(crate) fn step_count(&self) -> usize {
        self.trail.as_ref().map_or(0, |t| t.steps.len())
    }

    /// True when the next step keeps a copy of the value it replaces (see
    /// [`Trail::keep_before_step`]), for the loader's size accounting.
    pub(crate) fn next_step_copies(&self) -> bool {
        self.trail
            .as_ref()
            .is_none_or(|t| t.written.is_none() || t.last_is_current)
    }

    /// The recorded steps, each with the value it produced.
    pub(crate) fn steps(&self) -> Vec<Step> {
        let Some(trail) = &self.trail else {
            return Vec::new();
        };
        let mut steps = trail.steps.to_vec();
        if trail.last_is_current {
            if let Some(last) = steps.last_mut() {
                last.value = self.value.clone();
            }
        }
        steps
    }

    /// Steps that were not recorded one by one.
    pub(crate) fn folded_steps(&self) -> usize {
        self.trail.as_ref().map_or(0, |t| t.folded)
    }

    pub(crate) fn overridden(&self) -> &[LayerValue] {
        self.trail.as_ref().map_or(&[], |t| &t.overridden)
    }

    pub(crate) fn trail_mut(&mut self) -> &mut Trail {
        self.trail.get_or_insert_with(Default::default)
    }

    /// Replaces the value, recording the step (and the written value, the
    /// first time).
    /// A string that holds a URL with a password makes the leaf sensitive
    /// from this step on.
    pub(crate) fn apply(&mut self, mut step: Step) {
        let new = std::mem::take(&mut step.value);
        let old = std::mem::replace(&mut self.value, new);
        self.trail_mut().keep_before_step(|| old);
        self.record(step);
    }

    /// Replaces `range` of a string value with `text` in place: one
    /// `${...}` reference, recorded as a step.
    pub(crate) fn replace_text(
        &mut self,
        range: std::ops::Range<usize>,
        text: &str,
        reference: String,
        source: Option<Source>,
    ) {
        let trail = self.trail.get_or_insert_with(Default::default);
        let value = &self.value;
        trail.keep_before_step(|| value.clone());
        trail.raw = Raw::None;
        if let Value::String(value) = &mut self.value {
            if value.get(range.clone()).is_some() {
                value.replace_range(range, text);
            }
        }
        let mut step = Step::new(StepKind::Reference, Value::Null);
        step.reference = Some(reference);
        step.source = source;
        self.record(step);
    }

    /// Records a step whose value is the current value (for one past
    /// [`MAX_STEPS`], only counts it).
    fn record(&mut self, step: Step) {
        let recorded = self.trail.as_ref().map_or(0, |t| t.steps.len());
        if recorded < MAX_STEPS {
            // Checked for each recorded step, and once more at the end for
            // folded ones: a scan per substitution would be quadratic.
            self.push_current(step);
        } else {
            let trail = self.trail_mut();
            trail.folded += 1;
            trail.pending_fold = Some(step);
        }
    }

    /// Ends a run of steps: the last folded step, if any, is recorded with
    /// the final value.
    pub(crate) fn finish_steps(&mut self) {
        let Some(step) = self.trail.as_mut().and_then(|t| t.pending_fold.take()) else {
            return;
        };
        self.push_current(step);
    }

    /// Records `step` as the one that produced the current value (which it
    /// stands for, unstored, until the next step), with the sensitivity the
    /// value has now.
    fn push_current(&mut self, mut step: Step) {
        self.note_url_password();
        step.sensitive = self.sensitive;
        step.value = Value::Null;
        let trail = self.trail_mut();
        trail.steps.push(step);
        trail.last_is_current = true;
    }

    /// A string that holds a URL with a password makes the leaf sensitive.
    fn note_url_password(&mut self) {
        self.sensitive |= self
            .value
            .as_str()
            .is_some_and(crate::config::sensitive::has_embedded_credential);
    }

    /// This leaf as a lower layer's raw value, for the leaf that overrides it.
    pub(crate) fn into_history(self) -> Vec<LayerValue> {
        let Leaf {
            value,
            source,
            trail,
            ..
        } = self;
        let (written, mut overridden) = match trail {
            Some(trail) => {
                let Trail {
                    written,
                    overridden,
                    ..
                } = *trail;
                (written.unwrap_or(value), overridden)
            }
            None => (value, Vec::new()),
        };
        overridden.push(LayerValue::new(source, written));
        overridden
    }
}

/// The value at `parts` below `value`, through objects and arrays (by index).
pub(crate) fn value_at<'a, 'p>(
    value: &'a Value,
    parts: impl IntoIterator<Item = &'p str>,
) -> Option<&'a Value> {
    let mut node = value;
    for part in parts {
        node = match node {
            Value::Object(map) => map.get(part)?,
            Value::Array(items) => items.get(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(node)
}

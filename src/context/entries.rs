//! The keys one frame sets, stored so that a small scope costs no
//! allocation of its own.
//!
//! Keys are [`CompactString`]s: up to 24 bytes live inline, so
//! `[("task_name", 1)]` copies the key instead of allocating a `String`.
//! Up to [`SMALL`] keys sit in a [`SmallVec`] whose first slot is inline,
//! so a one-key scope is one allocation in all (its frame); beyond that a
//! hash map takes over.

use compact_str::CompactString;
use indexmap::IndexMap;
use serde_json::Value;
use smallvec::SmallVec;

/// A context key.
pub(crate) type Key = CompactString;

/// `(key, value)` pairs with room for one inline.
pub(crate) type Pairs = SmallVec<[(Key, Value); 1]>;

/// Frames with at most this many keys are scanned linearly; comparing a few
/// short strings is cheaper than hashing the key.
pub(crate) const SMALL: usize = 8;

/// One bit standing for `key` in a 64-bit summary of a set of keys.
///
/// A frame keeps the summary of its own keys and of every key it can see
/// below it, so that a lookup skips frames (and, for a missing key, the
/// whole stack) with one `AND` each instead of comparing strings. Mixing
/// the length with the first and last bytes tells apart the usual keys
/// (`k1`/`k2`, `flow_name`/`task_name`); a collision only costs a compare.
#[inline]
pub(crate) fn key_bit(key: &str) -> u64 {
    let bytes = key.as_bytes();
    let (first, last) = match bytes {
        [] => (0, 0),
        [first, .., last] => (*first, *last),
        [only] => (*only, *only),
    };
    let mix = bytes
        .len()
        .wrapping_add(usize::from(first).wrapping_mul(7))
        .wrapping_add(usize::from(last).wrapping_mul(31));
    1 << (mix % 64)
}

/// The keys one frame sets, each once.
#[derive(Clone, Debug)]
pub(crate) enum Entries {
    Small(Pairs),
    Large(IndexMap<Key, Value, foldhash::fast::RandomState>),
}

impl Default for Entries {
    fn default() -> Self {
        Entries::Small(Pairs::new())
    }
}

impl Entries {
    #[inline]
    pub(crate) fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Entries::Small(items) => items
                .iter()
                .find(|(k, _)| k.as_str() == key)
                .map(|(_, v)| v),
            Entries::Large(map) => map.get(key),
        }
    }

    /// Sets `key` to `value`, writing both straight into their place: a
    /// key and value built first and then moved in were copied while the
    /// CPU was still writing them, which stalls it (narrow writes cannot be
    /// forwarded to the wide reads of the copy).
    #[inline]
    pub(crate) fn set(&mut self, key: &str, value: impl Into<Value>) {
        if let Entries::Small(items) = self {
            if let Some(slot) = items.iter_mut().find(|(k, _)| k.as_str() == key) {
                slot.1 = value.into();
                return;
            }
            if items.len() < SMALL {
                // A constant, so that it is copied whole (wide) rather than
                // built field by field and then copied.
                const BLANK: (Key, Value) = (Key::const_new(""), Value::Null);
                items.push(BLANK);
                if let Some((k, v)) = items.last_mut() {
                    k.push_str(key);
                    *v = value.into();
                }
                return;
            }
        }
        self.insert(Key::from(key), value.into());
    }

    #[inline]
    pub(crate) fn insert(&mut self, key: Key, value: Value) {
        match self {
            Entries::Small(items) => {
                if let Some(slot) = items.iter_mut().find(|(k, _)| *k == key) {
                    slot.1 = value;
                } else if items.len() < SMALL {
                    items.push((key, value));
                } else {
                    let mut map: IndexMap<Key, Value, _> =
                        std::mem::take(items).into_iter().collect();
                    map.insert(key, value);
                    *self = Entries::Large(map);
                }
            }
            Entries::Large(map) => {
                map.insert(key, value);
            }
        }
    }

    /// True while the keys are kept as a short list, not a map.
    pub(crate) fn is_small(&self) -> bool {
        matches!(self, Entries::Small(_))
    }

    /// Removes every key, keeping the storage.
    #[inline]
    pub(crate) fn clear(&mut self) {
        match self {
            Entries::Small(items) => items.clear(),
            Entries::Large(map) => map.clear(),
        }
    }

    /// The keys and values, in the order they were first set.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        let (small, large) = match self {
            Entries::Small(items) => (Some(items.iter()), None),
            Entries::Large(map) => (None, Some(map.iter())),
        };
        small
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.as_str(), v))
            .chain(large.into_iter().flatten().map(|(k, v)| (k.as_str(), v)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_ninth_key_moves_to_a_map_and_keeps_order_and_values() {
        let mut entries = Entries::default();
        for i in 0..=SMALL {
            entries.insert(Key::from(format!("k{i}")), json!(i));
        }
        assert!(matches!(entries, Entries::Large(_)));
        entries.insert(Key::from("k0"), json!("again"));
        let keys: Vec<&str> = entries.iter().map(|(k, _)| k).collect();
        assert_eq!(keys.len(), SMALL + 1);
        assert_eq!(keys[0], "k0");
        assert_eq!(entries.get("k0"), Some(&json!("again")));
        assert_eq!(entries.get(&format!("k{SMALL}")), Some(&json!(SMALL)));
        assert_eq!(entries.get("nope"), None);
    }

    #[test]
    fn the_usual_keys_get_distinct_bits() {
        let keys = ["k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9"];
        let mask = keys.iter().fold(0u64, |m, k| m | key_bit(k));
        assert_eq!(mask.count_ones(), 10);
        assert_ne!(key_bit("flow_name"), key_bit("task_name"));
        assert_eq!(key_bit(""), key_bit(""));
    }

    #[test]
    fn setting_a_key_again_replaces_it_in_place() {
        let mut entries = Entries::default();
        entries.insert(Key::from("a"), json!(1));
        entries.insert(Key::from("b"), json!(2));
        entries.insert(Key::from("a"), json!(3));
        let pairs: Vec<(&str, &Value)> = entries.iter().collect();
        assert_eq!(pairs, [("a", &json!(3)), ("b", &json!(2))]);
    }
}

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

use crate::config::depth;

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

/// `a == b` for context keys, inline for keys up to 16 bytes.
///
/// Written by hand because the slice comparison calls `bcmp` through the
/// dynamic linker for every key it compares, which cost a lookup more
/// than finding the frame. Two equally long keys are compared through two
/// windows that together cover every byte (the first and last 8 bytes of an
/// 8 to 16 byte key, the first and last 4 of a 4 to 7 byte one, and the
/// first, middle and last byte of a shorter one).
#[inline]
pub(crate) fn same_key(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let len = a.len();
    if len != b.len() {
        return false;
    }
    match len {
        0 => true,
        1..=3 => a[0] == b[0] && a[len / 2] == b[len / 2] && a[len - 1] == b[len - 1],
        4..=7 => {
            window::<4>(a, 0) == window::<4>(b, 0)
                && window::<4>(a, len - 4) == window::<4>(b, len - 4)
        }
        8..=16 => {
            window::<8>(a, 0) == window::<8>(b, 0)
                && window::<8>(a, len - 8) == window::<8>(b, len - 8)
        }
        _ => a == b,
    }
}

/// The `N` bytes of `bytes` from `at` (zeros if out of range, which the
/// callers' length checks rule out).
#[inline(always)]
fn window<const N: usize>(bytes: &[u8], at: usize) -> [u8; N] {
    bytes
        .get(at..at + N)
        .and_then(|window| window.try_into().ok())
        .unwrap_or([0; N])
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
    #[inline(always)]
    pub(crate) fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Entries::Small(items) => {
                // A plain loop: `Iterator::find` was unrolled four times
                // for lists that usually hold one pair.
                for (k, v) in items {
                    if same_key(k, key) {
                        return Some(v);
                    }
                }
                None
            }
            Entries::Large(map) => Self::get_large(map, key),
        }
    }

    /// Kept out of line: hashing is rare and long, and inlined it made the
    /// usual short lookup save and restore more registers.
    #[inline(never)]
    fn get_large<'a>(
        map: &'a IndexMap<Key, Value, foldhash::fast::RandomState>,
        key: &str,
    ) -> Option<&'a Value> {
        map.get(key)
    }

    /// Sets `key` to `value`, writing both straight into their place: a
    /// key and value built first and then moved in were copied while the
    /// CPU was still writing them, which stalls it (narrow writes cannot be
    /// forwarded to the wide reads of the copy).
    ///
    /// A value nested deeper than [`MAX_DEPTH`](crate::config::MAX_DEPTH)
    /// changes nothing and gives `false` (it is checked where it was
    /// written, and taken out again).
    #[inline]
    pub(crate) fn set(&mut self, key: &str, value: impl Into<Value>) -> bool {
        if let Entries::Small(items) = self {
            if let Some(slot) = items.iter_mut().find(|(k, _)| k.as_str() == key) {
                let value = value.into();
                if depth::too_deep(&value) {
                    depth::dismantle(value);
                    return false;
                }
                slot.1 = value;
                return true;
            }
            if items.len() < SMALL {
                // A constant, so that it is copied whole (wide) rather than
                // built field by field and then copied.
                const BLANK: (Key, Value) = (Key::const_new(""), Value::Null);
                items.push(BLANK);
                if let Some((k, v)) = items.last_mut() {
                    k.push_str(key);
                    *v = value.into();
                    if depth::too_deep(v) {
                        Self::take_back(items);
                        return false;
                    }
                }
                return true;
            }
        }
        self.insert(Key::from(key), value.into())
    }

    /// Removes the pair just pushed, whose value was too deep.
    #[cold]
    fn take_back(items: &mut Pairs) {
        if let Some((_, value)) = items.pop() {
            depth::dismantle(value);
        }
    }

    /// Sets `key` to `value`; like [`set`](Entries::set), a value nested too
    /// deep changes nothing and gives `false`.
    #[inline]
    pub(crate) fn insert(&mut self, key: Key, value: Value) -> bool {
        if depth::too_deep(&value) {
            depth::dismantle(value);
            return false;
        }
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
        true
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

    proptest::proptest! {
        /// Equal lengths are the interesting case: the windows must cover
        /// every byte, so each key is also compared with a copy of itself
        /// that differs in one byte.
        #[test]
        fn same_key_is_string_equality(
            a in "[a-c_é]{0,20}",
            flip: proptest::sample::Index,
            other in "[a-c_é]{0,20}",
        ) {
            proptest::prop_assert_eq!(same_key(&a, &other), a == other);
            proptest::prop_assert!(same_key(&a, &a.clone()));
            let mut bytes = a.clone().into_bytes();
            if !bytes.is_empty() {
                let byte = &mut bytes[flip.index(a.len())];
                // Only ASCII is flipped, so the result stays UTF-8.
                if byte.is_ascii() {
                    *byte = if *byte == b'a' { b'b' } else { b'a' };
                }
            }
            let b = String::from_utf8(bytes).unwrap();
            proptest::prop_assert_eq!(same_key(&a, &b), a == b);
        }

        /// Short keys, where the three single-byte probes must cover all.
        #[test]
        fn same_key_tells_apart_short_keys(a in "[ab]{0,4}", b in "[ab]{0,4}") {
            proptest::prop_assert_eq!(same_key(&a, &b), a == b);
        }
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

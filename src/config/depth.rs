//! The depth cap for values given at run time: one check and one drop,
//! both iterative, for every entry point that takes a value.
//!
//! A value's depth is how many arrays and objects enclose its innermost
//! element: a scalar is 0, `[1]` is 1, `{"a": [1]}` is 2. Each value set
//! under a top-level key (of the context, of [`Config::with_overrides`], of a
//! provider's data) may nest at most [`MAX_DEPTH`] levels, the cap TOML and
//! the environment are held to. The passes after an entry point (printing a
//! [`Snapshot`](crate::context::Snapshot), merging, cloning, masking)
//! recurse once per level, so a value from code that nests 50,000 levels
//! would overflow the stack there; it is refused where it comes in instead.
//!
//! Both functions here loop over an explicit stack: the check keeps one
//! iterator per open level (at most [`MAX_DEPTH`] + 1 of them, as it stops
//! at the cap), and [`dismantle`] empties containers into a work list, so
//! that refusing a value never recurses through it either (serde_json's own
//! drop does, and overflows a 2 MiB thread at 50,000 levels).
//!
//! [`Config::with_overrides`]: crate::config::Config::with_overrides

use serde_json::Value;

use crate::config::MAX_DEPTH;

/// A tree whose containers can be walked and emptied without recursion.
pub(crate) trait Nested: Sized {
    /// The children of a container, or `None` for a scalar.
    fn children(&self) -> Option<impl Iterator<Item = &Self>>;
    /// Moves the children of a container out into `into`.
    fn take_children(&mut self, into: &mut Vec<Self>);
}

impl Nested for Value {
    #[inline]
    fn children(&self) -> Option<impl Iterator<Item = &Self>> {
        match self {
            Value::Array(items) => Some(Either::Left(items.iter())),
            Value::Object(map) => Some(Either::Right(map.values())),
            _ => None,
        }
    }

    fn take_children(&mut self, into: &mut Vec<Self>) {
        match self {
            Value::Array(items) => into.append(items),
            Value::Object(map) => into.extend(std::mem::take(map).into_iter().map(|(_, v)| v)),
            _ => {}
        }
    }
}

/// Two iterator types as one, so that [`Nested::children`] needs no box.
pub(crate) enum Either<A, B> {
    Left(A),
    Right(B),
}

impl<'a, T: 'a, A: Iterator<Item = &'a T>, B: Iterator<Item = &'a T>> Iterator for Either<A, B> {
    type Item = &'a T;

    #[inline]
    fn next(&mut self) -> Option<&'a T> {
        match self {
            Either::Left(a) => a.next(),
            Either::Right(b) => b.next(),
        }
    }
}

/// True when `value` nests more than [`MAX_DEPTH`] levels. A scalar costs
/// one match: the walk starts only for a container.
#[inline]
pub(crate) fn too_deep<T: Nested>(value: &T) -> bool {
    value.children().is_some() && deeper_than(value, MAX_DEPTH)
}

/// True when `value` nests more than `limit` levels.
#[inline(never)]
pub(crate) fn deeper_than<T: Nested>(value: &T, limit: usize) -> bool {
    let Some(top) = value.children() else {
        return false;
    };
    if limit == 0 {
        return true;
    }
    // `stack.len()` is the depth of the containers whose children are being
    // visited; it never passes `limit`, so the walk is O(limit) in memory.
    let mut stack = Vec::with_capacity(limit.min(MAX_DEPTH));
    stack.push(top);
    while let Some(children) = stack.last_mut() {
        match children.next() {
            None => {
                stack.pop();
            }
            Some(child) => {
                if let Some(grand) = child.children() {
                    if stack.len() >= limit {
                        return true;
                    }
                    stack.push(grand);
                }
            }
        }
    }
    false
}

/// Drops `value` without recursing through it.
pub(crate) fn dismantle<T: Nested>(value: T) {
    let mut pending = vec![value];
    while let Some(mut item) = pending.pop() {
        item.take_children(&mut pending);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn nested(levels: usize) -> Value {
        let mut value = json!(1);
        for i in 0..levels {
            // Not `json!`: it would copy `value` through a recursive `to_value`.
            value = if i % 2 == 0 {
                Value::Array(vec![value])
            } else {
                let mut map = serde_json::Map::new();
                map.insert("k".into(), value);
                Value::Object(map)
            };
        }
        value
    }

    #[test]
    fn the_cap_is_exact_for_arrays_and_objects() {
        assert!(!too_deep(&json!("scalar")));
        assert!(!too_deep(&nested(MAX_DEPTH)));
        assert!(too_deep(&nested(MAX_DEPTH + 1)));
        assert!(!deeper_than(&json!([[], [1]]), 2));
        assert!(deeper_than(&json!([[], [[]]]), 2));
        assert!(deeper_than(&json!([]), 0) && !deeper_than(&json!(0), 0));
    }

    #[test]
    fn a_very_deep_value_is_checked_and_dropped_on_a_small_stack() {
        let result = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(|| {
                let deep = nested(200_000);
                let refused = too_deep(&deep);
                dismantle(deep);
                refused
            })
            .unwrap()
            .join()
            .unwrap();
        assert!(result);
    }
}

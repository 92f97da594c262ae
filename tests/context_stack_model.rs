//! `context::get` against a model of the stack, through random scopes,
//! edits, snapshots entered as scopes, and scopes ended in order.
//!
//! Lookups start at the slot that last set the key's summary bit and leave
//! that record stale when scopes end, so the operations here reuse depths
//! with and without a key, and the keys include names that share a bit.

mod common;

use std::collections::BTreeMap;

use prefect_config::context::{self, ScopeGuard, Snapshot};
use proptest::prelude::*;
use serde_json::{Value, json};

/// `axb`, `ayb` and `azb` share a summary bit (same length, first and last
/// byte); `region` is also a base key, so scopes shadow it.
const KEYS: [&str; 9] = [
    "a",
    "b",
    "k1",
    "k2",
    "axb",
    "ayb",
    "azb",
    "region",
    "a_long_key_of_20b",
];

#[derive(Clone, Debug)]
enum Op {
    Push(Vec<(usize, i64)>),
    Pop,
    Set(usize, i64),
    Snapshot,
    Enter(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => prop::collection::vec((0..KEYS.len(), -5i64..5), 0..3).prop_map(Op::Push),
        3 => Just(Op::Pop),
        2 => (0..KEYS.len(), -5i64..5).prop_map(|(k, v)| Op::Set(k, v)),
        1 => Just(Op::Snapshot),
        1 => (0..4usize).prop_map(Op::Enter),
    ]
}

/// The keys one depth of the model sees, with their values.
type Visible = BTreeMap<&'static str, Value>;

fn check(model: &Visible) -> Result<(), TestCaseError> {
    for key in KEYS {
        prop_assert_eq!(context::get(key), model.get(key).cloned(), "key {}", key);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn get_agrees_with_a_model_of_the_stack(ops in prop::collection::vec(op(), 1..40)) {
        common::context::init();
        let base: Visible = KEYS
            .iter()
            .filter_map(|key| context::get(key).map(|value| (*key, value)))
            .collect();
        // Open scopes, innermost last, each with what it sees.
        let mut open: Vec<(ScopeGuard, Visible)> = Vec::new();
        let mut snapshots: Vec<(Snapshot, Visible)> = Vec::new();
        for op in ops {
            let seen = open.last().map_or(&base, |(_, visible)| visible).clone();
            match op {
                Op::Push(pairs) => {
                    let mut visible = seen;
                    let pairs: Vec<(&str, i64)> =
                        pairs.iter().map(|&(k, v)| (KEYS[k], v)).collect();
                    for (key, value) in &pairs {
                        visible.insert(key, json!(value));
                    }
                    open.push((context::scope(pairs), visible));
                }
                Op::Pop => {
                    open.pop();
                }
                // Top-level edits outlive the case; only scopes are edited.
                Op::Set(k, v) => {
                    if let Some((_, visible)) = open.last_mut() {
                        context::set(KEYS[k], v);
                        visible.insert(KEYS[k], json!(v));
                    }
                }
                Op::Snapshot => snapshots.push((context::snapshot(), seen)),
                Op::Enter(i) => {
                    if let Some((snapshot, visible)) = snapshots.get(i) {
                        open.push((snapshot.enter(), visible.clone()));
                    }
                }
            }
            check(open.last().map_or(&base, |(_, visible)| visible))?;
        }
        while let Some((guard, _)) = open.pop() {
            drop(guard);
            check(open.last().map_or(&base, |(_, visible)| visible))?;
        }
    }
}

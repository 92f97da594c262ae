//! Merging: every rule for combining a higher layer with a lower one.
//!
//! | lower \ higher | table              | leaf                    |
//! |----------------|--------------------|-------------------------|
//! | absent         | inserted           | inserted                |
//! | table          | merged key by key  | replaces the table      |
//! | leaf           | replaces the leaf  | replaces, and records the lower value for `explain` |
//!
//! Arrays and values cast from text are leaves, so they are replaced whole.
//! New keys go after the existing ones, so the result keeps the order in
//! which keys first appear (the defaults file's order first). One pass over
//! each layer; nothing is converted.

use crate::config::node::{Node, Table};

/// Merges `higher` into `lower`.
pub(crate) fn merge(lower: &mut Table, higher: Table) {
    lower.source = higher.source;
    lower.entries.reserve(higher.entries.len());
    for (key, node) in higher.entries {
        match (lower.entries.get_mut(&key), node) {
            (None, node) => {
                lower.entries.insert(key, node);
            }
            (Some(Node::Table(low)), Node::Table(high)) => merge(low, high),
            (Some(slot), node) => {
                let old = std::mem::replace(slot, node);
                if let (Node::Leaf(old), Node::Leaf(new)) = (old, slot) {
                    let history = old.into_history();
                    new.trail_mut().overridden = history;
                }
            }
        }
    }
}

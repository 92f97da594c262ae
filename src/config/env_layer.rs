//! The environment layer: `PREFIX__SECTION__KEY=value` sets `section.key`.
//!
//! Each variable becomes a leaf holding its text as written, with the
//! variable as its [`Source`]; expansion and casting happen later, in the
//! values pass, like every other layer's (with the twice-cast rule of
//! [`cast`](super::cast) for environment values). Building the layer is one
//! walk down each variable's key: linear in the size of the environment.

use std::sync::Arc;

use serde_json::Value;

use crate::config::collect::Sink;
use crate::config::env::Environment;
use crate::config::key::KeyPath;
use crate::config::layer::Layer;
use crate::config::node::{Leaf, Node, Table};
use crate::config::{ConfigError, ConfigWarning, MAX_DEPTH, Source};

/// Builds the environment layer from the variables named `PREFIX__...`.
pub(crate) fn read(
    env: &Environment,
    prefix: &str,
    warnings: &mut Vec<ConfigWarning>,
    sink: &mut Sink,
) -> Result<Layer, ConfigError> {
    let layer_source = Source::EnvVar(Arc::from(format!("{prefix}__*")));
    let mut root = Table::new(layer_source.clone());
    for (name, rest, text) in env.with_prefix(prefix) {
        let path = match KeyPath::from_env(name, rest) {
            Ok(path) => path,
            Err(err) => {
                sink.report(err)?;
                continue;
            }
        };
        let source = Source::EnvVar(name.clone());
        if path.parts().len() > MAX_DEPTH {
            sink.report(ConfigError::TooDeep {
                origin: source,
                line: 1,
                limit: MAX_DEPTH,
            })?;
            continue;
        }
        let leaf = Leaf::new(Value::String(text.to_owned()), source);
        insert(
            &mut root,
            path.into_parts(),
            leaf,
            &layer_source,
            name,
            warnings,
        );
    }
    Ok(Layer {
        source: layer_source,
        root,
    })
}

/// Inserts one variable's leaf. A variable that sets a key inside another
/// variable's value, or a parent of another variable's key, replaces it
/// (later names win), with a warning naming the one ignored.
fn insert(
    root: &mut Table,
    mut parts: Vec<String>,
    leaf: Leaf,
    table_source: &Source,
    winner: &str,
    warnings: &mut Vec<ConfigWarning>,
) {
    let Some(last) = parts.pop() else {
        return;
    };
    let mut table = root;
    for part in parts {
        let slot = table
            .entries
            .entry(part.into())
            .or_insert_with(|| Node::Table(Table::new(table_source.clone())));
        if let Node::Leaf(_) = slot {
            let old = std::mem::replace(slot, Node::Table(Table::new(table_source.clone())));
            report_replaced(&old, winner, warnings);
        }
        let Node::Table(child) = slot else { return };
        table = child;
    }
    if let Some(old) = table.entries.insert(last.into(), Node::Leaf(leaf)) {
        report_replaced(&old, winner, warnings);
    }
}

/// Warns about every variable whose value `old` held.
fn report_replaced(old: &Node, winner: &str, warnings: &mut Vec<ConfigWarning>) {
    match old {
        Node::Leaf(leaf) => {
            if let Source::EnvVar(var) = &leaf.source {
                warnings.push(ConfigWarning::EnvConflict {
                    var: var.to_string(),
                    winner: winner.to_owned(),
                });
            }
        }
        Node::Table(table) => {
            for child in table.entries.values() {
                report_replaced(child, winner, warnings);
            }
        }
    }
}

/// Fails for each variable that sets a key below a value of the layers
/// under it (Prefect's `set_nested` fails there too): the first variable
/// below each such key is named.
pub(crate) fn check_below_values(
    lower: &Table,
    env: &Table,
    path: &mut Vec<String>,
    sink: &mut Sink,
) -> Result<(), ConfigError> {
    for (key, node) in &env.entries {
        let (Node::Table(env_child), Some(low)) = (node, lower.entries.get(key)) else {
            continue;
        };
        path.push(key.to_string());
        match low {
            Node::Table(low_child) => check_below_values(low_child, env_child, path, sink)?,
            Node::Leaf(leaf) => sink.report(ConfigError::EnvBelowValue {
                var: first_var(env_child).unwrap_or_default(),
                key: path.join("."),
                origin: leaf.source.clone(),
            })?,
        }
        path.pop();
    }
    Ok(())
}

fn first_var(table: &Table) -> Option<String> {
    table.entries.values().find_map(|node| match node {
        Node::Leaf(leaf) => leaf.source.env_var().map(str::to_owned),
        Node::Table(child) => first_var(child),
    })
}

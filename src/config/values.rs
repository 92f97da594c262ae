//! The values pass: one walk over the merged tree that, for each leaf,
//! decides sensitivity by the key rule, expands `$VAR`/`~` and casts strings
//! (see [`cast::expand_and_cast`]), and notes the leaves that still hold a
//! `${...}` reference for the references pass. Tables left empty are
//! dropped, as Prefect drops them.
//!
//! Strings inside arrays are not touched, and values from a secrets
//! directory are taken as written.

use crate::config::collect::Sink;
use crate::config::env::Environment;
use crate::config::expand::{self, ExpandError};
use crate::config::limits::{Budget, Limits, value_bytes};
use crate::config::node::{Node, Table};
use crate::config::sensitive::{self, Scope};
use crate::config::{ConfigError, cast};

/// A key path kept on the stack while walking down, built into a `Vec`
/// only when needed (for errors and the references pass).
pub(crate) struct PathLink<'a> {
    pub(crate) key: &'a str,
    pub(crate) parent: Option<&'a PathLink<'a>>,
}

impl PathLink<'_> {
    pub(crate) fn to_vec(&self) -> Vec<String> {
        let mut parts = Vec::new();
        let mut link = Some(self);
        while let Some(l) = link {
            parts.push(l.key.to_owned());
            link = l.parent;
        }
        parts.reverse();
        parts
    }
}

/// Runs the pass; returns the paths of leaves holding `${`. What expansion
/// and casting build is charged to `budget`.
pub(crate) fn run(
    root: &mut Table,
    env: &Environment,
    limits: &Limits,
    budget: &mut Budget,
    sink: &mut Sink,
) -> Result<Vec<Vec<String>>, ConfigError> {
    let mut pending = Vec::new();
    let mut pass = Pass {
        env,
        limits,
        budget,
        pending: &mut pending,
        sink,
    };
    walk(root, None, Scope::Root, &mut pass)?;
    Ok(pending)
}

/// What the walk carries down.
struct Pass<'a> {
    env: &'a Environment,
    limits: &'a Limits,
    budget: &'a mut Budget,
    pending: &'a mut Vec<Vec<String>>,
    sink: &'a mut Sink,
}

fn walk(
    table: &mut Table,
    parent: Option<&PathLink<'_>>,
    scope: Scope,
    pass: &mut Pass<'_>,
) -> Result<(), ConfigError> {
    let (env, limits) = (pass.env, pass.limits);
    let mut has_empty = false;
    for (key, node) in table.entries.iter_mut() {
        let link = PathLink { key, parent };
        let child_scope = scope.child(key);
        match node {
            Node::Table(child) => {
                walk(child, Some(&link), child_scope, pass)?;
                has_empty |= child.entries.is_empty();
            }
            Node::Leaf(leaf) => {
                leaf.sensitive = child_scope.is_sensitive()
                    || leaf
                        .value
                        .as_str()
                        .is_some_and(sensitive::has_embedded_credential);
                if leaf.verbatim {
                    continue;
                }
                if leaf
                    .value
                    .as_str()
                    .is_some_and(|t| t.len() > limits.max_value_bytes)
                {
                    pass.sink.report(ConfigError::TooLarge {
                        key: link.to_vec().join("."),
                        origin: leaf.source.clone(),
                        limit: limits.max_value_bytes,
                    })?;
                    continue;
                }
                let steps_before = leaf.step_count();
                let result = cast::expand_and_cast(leaf, |text| {
                    let expanded = expand::expand_env(text, env, limits.max_value_bytes)?;
                    Ok(expanded.map(|e| (e.text, e.sensitive)))
                });
                if let Err(err) = result {
                    let key = link.to_vec().join(".");
                    let origin = leaf.source.clone();
                    pass.sink.report(match err {
                        ExpandError::DidNotSettle => {
                            ConfigError::ExpansionDidNotSettle { key, origin }
                        }
                        ExpandError::TooLarge => ConfigError::TooLarge {
                            key,
                            origin,
                            limit: limits.max_value_bytes,
                        },
                    })?;
                    continue;
                }
                // Each step keeps the value it replaced for `explain`, so a
                // value that took steps is counted once for each.
                let steps = leaf.step_count() - steps_before;
                if steps > 0 {
                    let cost = value_bytes(&leaf.value).saturating_mul(steps);
                    if !pass
                        .budget
                        .spend(cost, || link.to_vec().join("."), pass.sink)?
                    {
                        continue;
                    }
                }
                if let Some(text) = leaf.value.as_str() {
                    if memchr::memmem::find(text.as_bytes(), b"${").is_some() {
                        pass.pending.push(link.to_vec());
                    }
                }
            }
        }
    }
    if has_empty {
        table
            .entries
            .retain(|_, node| !matches!(node, Node::Table(t) if t.entries.is_empty()));
    }
    Ok(())
}

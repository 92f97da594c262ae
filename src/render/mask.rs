//! Masking by the one sensitivity rule ([`crate::config`]'s *What is
//! sensitive*, written in `config/sensitive.rs`): this file only applies it.
//!
//! A value is masked whole when its own flag says so (its key is sensitive,
//! or it was built from a sensitive value); otherwise it is walked and each
//! sensitive part is masked on its own: a credential-named key at any depth,
//! inside arrays too, a string with a password in it, and text that casts to
//! a list or table holding either. So `[[dbs]]` tables keep their `host` and
//! lose their `password`.

use serde_json::{Map, Value};

use crate::config::MAX_DEPTH;
use crate::config::node::Node;
use crate::config::sensitive::{Scope, cast_text_is_sensitive, has_embedded_credential};

/// What a masked value prints as, everywhere.
///
/// ```
/// assert_eq!(prefect_config::render::MASK, "********");
/// ```
pub const MASK: &str = "********";

/// The context key (and `context` table key) whose values are secrets.
pub(crate) const SECRETS_KEY: &str = "secrets";

/// The context key whose value is the effective configuration.
const CONFIG_KEY: &str = "config";

/// True for an unset value (`null` or `""`): it has nothing to hide, so it
/// prints as it is even where its key is sensitive.
///
/// ```
/// use prefect_config::render::is_blank;
/// assert!(is_blank(&serde_json::json!(null)) && is_blank(&serde_json::json!("")));
/// assert!(!is_blank(&serde_json::json!("x")));
/// ```
pub fn is_blank(value: &Value) -> bool {
    crate::config::sensitive::is_blank(value)
}

/// The mask, or `value` itself when it is unset.
pub(crate) fn masked_whole(value: &Value) -> Value {
    if is_blank(value) {
        value.clone()
    } else {
        Value::String(MASK.into())
    }
}

/// `value`, whose key has `scope`, with every sensitive part masked; masked
/// whole when `whole` (its own flag) is set.
///
/// Values deeper than twice [`MAX_DEPTH`] (none of a loaded tree; the
/// context's entry points refuse them too) are masked whole below that
/// depth rather than walked further.
pub(crate) fn mask_value(value: &Value, scope: Scope, whole: bool) -> Value {
    if whole {
        return masked_whole(value);
    }
    mask_parts(value, scope, 0)
}

fn mask_parts(value: &Value, scope: Scope, depth: usize) -> Value {
    if depth > 2 * MAX_DEPTH {
        return masked_whole(value);
    }
    match value {
        Value::String(text)
            if has_embedded_credential(text) || cast_text_is_sensitive(text, scope) =>
        {
            Value::String(MASK.into())
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| mask_parts(item, scope, depth + 1))
                .collect(),
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, child)| {
                    let child_scope = scope.child(key);
                    let shown = if child_scope.is_sensitive() {
                        masked_whole(child)
                    } else {
                        mask_parts(child, child_scope, depth + 1)
                    };
                    (key.clone(), shown)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The tree below `node` (whose key has `scope`) as a plain value, each leaf
/// masked by its own flag and its parts by the rule.
pub(crate) fn mask_node(node: &Node, scope: Scope) -> Value {
    match node {
        Node::Table(table) => Value::Object(
            table
                .entries
                .iter()
                .map(|(key, child)| (key.to_string(), mask_node(child, scope.child(key))))
                .collect(),
        ),
        Node::Leaf(leaf) => mask_value(&leaf.value, scope, leaf.sensitive || scope.is_sensitive()),
    }
}

/// A copy of a context (`{key: value, ..., "config": {...}}`) with every
/// sensitive part masked. A context key `k` is judged as the configuration
/// key `context.k`: by the key rule (everything under `secrets`,
/// credential-like names at any depth), by the rule for the parts of its
/// value, and masked whole where `flagged(path)` says the configuration's
/// value at `context.<path>` was built from a sensitive value. `config` is
/// the configuration's own masked view, put in place of the context's
/// `config`.
pub(crate) fn mask_context(
    context: &Map<String, Value>,
    config: Value,
    flagged: &dyn Fn(&[&str]) -> bool,
) -> Value {
    let mut config = Some(config);
    let mut out = Map::with_capacity(context.len());
    let mut path = Vec::new();
    for (key, value) in context {
        let shown = if key == CONFIG_KEY {
            config.take().unwrap_or_default()
        } else {
            path.push(key.as_str());
            let shown = mask_flagged(value, Scope::Context.child(key), &mut path, flagged);
            path.pop();
            shown
        };
        out.insert(key.clone(), shown);
    }
    Value::Object(out)
}

/// [`mask_value`] where a table's children may carry flags of their own.
fn mask_flagged<'a>(
    value: &'a Value,
    scope: Scope,
    path: &mut Vec<&'a str>,
    flagged: &dyn Fn(&[&str]) -> bool,
) -> Value {
    if scope.is_sensitive() || flagged(path) {
        return masked_whole(value);
    }
    match value {
        Value::Object(map) if path.len() <= MAX_DEPTH => Value::Object(
            map.iter()
                .map(|(key, child)| {
                    path.push(key);
                    let shown = mask_flagged(child, scope.child(key), path, flagged);
                    path.pop();
                    (key.clone(), shown)
                })
                .collect(),
        ),
        other => mask_parts(other, scope, path.len()),
    }
}

//! Validation after loading: keys Prefect rejects.

use serde_json::Value;

use crate::config::node::{Node, Table};
use crate::config::{ConfigError, Source};

/// Defines [`RESERVED_KEYS`] and a `match` on the same names (a length
/// switch, then one comparison), so the list is written once.
macro_rules! reserved_keys {
    ($($name:literal),* $(,)?) => {
        /// Names Prefect rejects as keys because they shadow methods of its `Config`
        /// object. Case-sensitive.
        ///
        /// ```
        /// use prefect_config::config::{Loader, RESERVED_KEYS};
        /// assert!(RESERVED_KEYS.contains(&"keys"));
        /// assert!(Loader::new().defaults_toml("[a]\nkeys = 1").load().is_err());
        /// assert!(Loader::new().defaults_toml("[a]\nKeys = 1").load().is_ok());
        /// ```
        pub const RESERVED_KEYS: &[&str] = &[$($name),*];

        fn is_reserved_name(key: &str) -> bool {
            matches!(key, $($name)|*)
        }
    };
}

reserved_keys!(
    "clear",
    "copy",
    "from_json",
    "from_msgpack",
    "from_toml",
    "from_yaml",
    "fromkeys",
    "get",
    "items",
    "keys",
    "merge_update",
    "pop",
    "popitem",
    "setdefault",
    "to_dict",
    "to_json",
    "to_msgpack",
    "to_toml",
    "to_yaml",
    "update",
    "values",
);

/// True for a key Prefect rejects: a name in [`RESERVED_KEYS`], or a Python
/// special name such as `__class__` (every `__x__` name is an attribute of
/// Prefect's `Config`).
///
/// ```
/// use prefect_config::config::is_reserved_key;
/// assert!(is_reserved_key("keys") && is_reserved_key("__class__"));
/// assert!(!is_reserved_key("Keys") && !is_reserved_key("____"));
/// ```
pub fn is_reserved_key(key: &str) -> bool {
    is_reserved_name(key) || (key.len() > 4 && key.starts_with("__") && key.ends_with("__"))
}

/// Every reserved key (at most `max`), in tree order, as the error it raises.
pub(crate) fn reserved_keys<'a>(
    table: &'a Table,
    path: &mut Vec<&'a str>,
    found: &mut Vec<ConfigError>,
    max: usize,
) {
    for (key, node) in &table.entries {
        if found.len() >= max {
            return;
        }
        path.push(key);
        if is_reserved_key(key) {
            found.push(invalid(path, node.source()));
        } else {
            match node {
                Node::Table(child) => reserved_keys(child, path, found, max),
                Node::Leaf(leaf) => {
                    if let Some(inner) = find_reserved(&leaf.value, path) {
                        found.push(invalid(&inner, &leaf.source));
                    }
                }
            }
        }
        path.pop();
    }
}

fn invalid(path: &[&str], origin: &Source) -> ConfigError {
    ConfigError::InvalidKey {
        key: path.join("."),
        name: path.last().copied().unwrap_or_default().to_owned(),
        origin: origin.clone(),
    }
}

/// The path of the first reserved key inside a value cast from text.
fn find_reserved<'a>(value: &'a Value, path: &[&'a str]) -> Option<Vec<&'a str>> {
    let Value::Object(map) = value else {
        return None;
    };
    for (key, child) in map {
        let mut inner = path.to_vec();
        inner.push(key);
        if is_reserved_key(key) {
            return Some(inner);
        }
        if let Some(found) = find_reserved(child, &inner) {
            return Some(found);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_match_and_the_list_name_the_same_keys() {
        assert!(RESERVED_KEYS.iter().all(|k| is_reserved_name(k)));
        for near in ["key", "keyss", "Get", "to_", "from", ""] {
            assert!(!is_reserved_key(near), "{near}");
        }
    }
}

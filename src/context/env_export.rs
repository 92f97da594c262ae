//! A context as `PREFIX__CONTEXT__KEY` environment variables, for a child
//! process whose configuration loader reads them back into its context.
//!
//! Names and texts follow the one rule of
//! [`Config::to_environment_variables`](crate::config::Config::to_environment_variables)
//! (`var_name_of` and `env_text` of the configuration module): nested
//! objects become nested names, values print as Python's `str()` and are
//! quoted where the loader's casting would change them, and names are upper
//! case except secret names under `context.secrets`.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::config::export::env_text;
use crate::config::key::{SEPARATOR, var_name_of};
use crate::render::SECRETS_KEY;

/// The variables for `values` (the visible context, without `config`).
/// `secrets` is left out unless `with_secrets`.
///
/// A key that cannot be part of a variable name the loader reads back (an
/// empty key, or one holding the `__` separator, `=` or a NUL byte) is left
/// out with everything under it, and so is a value whose text holds a NUL
/// byte: no environment can carry them.
pub(crate) fn environment_variables(
    values: &Map<String, Value>,
    prefix: &str,
    with_secrets: bool,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    // Depth first with explicit stacks rather than recursion: a value may
    // nest deeper than the call stack allows. `path` holds the name parts
    // down to the object whose entries `open.last()` walks.
    let mut path: Vec<&str> = vec!["context"];
    let mut open = vec![values.iter()];
    while let Some(entries) = open.last_mut() {
        let Some((key, value)) = entries.next() else {
            open.pop();
            path.truncate(open.len());
            continue;
        };
        let top_level = open.len() == 1;
        if !nameable(key) || (top_level && !with_secrets && key == SECRETS_KEY) {
            continue;
        }
        path.push(key);
        match value {
            Value::Object(map) if !map.is_empty() => open.push(map.iter()),
            // An empty object is a leaf: `{}` loads back as an empty table.
            leaf => {
                let text = env_text(leaf);
                if !text.contains('\0') {
                    out.insert(var_name_of(prefix, &path), text);
                }
                path.pop();
            }
        }
    }
    out
}

/// True when `key` can be one part of an environment variable name.
fn nameable(key: &str) -> bool {
    !key.is_empty() && !key.contains(SEPARATOR) && !key.contains(['=', '\0'])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn vars(value: Value, with_secrets: bool) -> BTreeMap<String, String> {
        let Value::Object(map) = value else {
            panic!("an object")
        };
        environment_variables(&map, "P", with_secrets)
    }

    #[test]
    fn nested_objects_become_nested_names_and_secrets_keep_their_case() {
        let out = vars(
            json!({"run": {"id": "42", "tags": []}, "secrets": {"MyKey": "v"}}),
            true,
        );
        assert_eq!(out["P__CONTEXT__RUN__ID"], "\"'42'\"");
        assert_eq!(out["P__CONTEXT__RUN__TAGS"], "[]");
        assert_eq!(out["P__CONTEXT__SECRETS__MyKey"], "v");
        let out = vars(json!({"secrets": {"MyKey": "v"}}), false);
        assert!(out.is_empty(), "{out:?}");
    }

    #[test]
    fn keys_no_variable_can_name_are_left_out() {
        let out = vars(
            json!({"": 1, "a__b": 2, "a=b": 3, "ok": {"": 4, "x": 5}, "nul": "a\u{0}b"}),
            false,
        );
        assert_eq!(out.keys().collect::<Vec<_>>(), ["P__CONTEXT__OK__X"]);
    }
}

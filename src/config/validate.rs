//! Checks run after loading: reserved keys (an error) and likely typos in
//! environment variable names (a warning).

use serde_json::Value;

use crate::config::layer::Layer;
use crate::config::{Config, ConfigError, ConfigWarning};

/// Names Prefect rejects as keys because they shadow methods of its `Config`
/// object. Case-sensitive.
pub const RESERVED_KEYS: &[&str] = &[
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
];

/// True for a key Prefect rejects: a listed method name, or a Python special
/// name such as `__class__` (every `__x__` name is an attribute of `Config`).
pub(crate) fn is_reserved(key: &str) -> bool {
    RESERVED_KEYS.contains(&key) || (key.len() > 4 && key.starts_with("__") && key.ends_with("__"))
}

/// Fails on the first reserved key, in tree order, including keys inside
/// tables that were cast from text.
pub(crate) fn reserved_keys(config: &Config) -> Result<(), ConfigError> {
    let mut path = Vec::new();
    if !find_reserved(&config.value, &mut path) {
        return Ok(());
    }
    let origin = config.meta.find(path.iter().copied()).source().clone();
    let name = path.last().copied().unwrap_or_default().to_owned();
    Err(ConfigError::InvalidKey {
        key: path.join("."),
        name,
        origin,
    })
}

/// True when a reserved key exists; `path` then holds its path.
fn find_reserved<'a>(value: &'a Value, path: &mut Vec<&'a str>) -> bool {
    let Value::Object(map) = value else {
        return false;
    };
    for (key, child) in map {
        path.push(key);
        if is_reserved(key) || find_reserved(child, path) {
            return true;
        }
        path.pop();
    }
    false
}

/// Warns about environment variables that set a key no file layer has, when
/// changing one part of it by one edit gives a key that exists.
pub(crate) fn env_typos(file_layers: &[Layer], env_layer: Option<&Layer>) -> Vec<ConfigWarning> {
    let Some(sources) = env_layer.and_then(|layer| layer.leaf_sources.as_ref()) else {
        return Vec::new();
    };
    let exists = |path: &[String]| file_layers.iter().any(|layer| layer.get(path).is_some());
    let mut warnings = Vec::new();
    for (path, source) in sources.iter() {
        let is_secret = path.len() > 2 && path[0] == "context" && path[1] == "secrets";
        if is_secret || exists(path) {
            continue;
        }
        if let Some(suggestion) = suggest(path, file_layers, &exists) {
            warnings.push(ConfigWarning::UnknownEnvKey {
                var: source.env_var().unwrap_or_default().to_owned(),
                key: path.join("."),
                suggestion: suggestion.join("."),
            });
        }
    }
    warnings.sort_by_key(ToString::to_string);
    warnings
}

fn suggest(
    path: &[String],
    layers: &[Layer],
    exists: &dyn Fn(&[String]) -> bool,
) -> Option<Vec<String>> {
    let first_missing = (1..=path.len()).find(|&len| !exists(&path[..len]))? - 1;
    let parent = &path[..first_missing];
    let wrong = &path[first_missing];
    for layer in layers {
        let siblings = if parent.is_empty() {
            Some(&*layer.data)
        } else {
            layer.get(parent).and_then(Value::as_object)
        };
        for candidate in siblings.into_iter().flat_map(|m| m.keys()) {
            if candidate.len().abs_diff(wrong.len()) > 1
                || strsim::osa_distance(candidate, wrong) != 1
            {
                continue;
            }
            let mut fixed = path.to_vec();
            fixed[first_missing] = candidate.clone();
            if exists(&fixed) {
                return Some(fixed);
            }
        }
    }
    None
}

//! Checks run after loading: reserved keys (an error) and likely typos in
//! environment variable names (a warning).

use std::collections::HashMap;

use serde_json::Value;

use crate::config::layer::Layer;
use crate::config::{Config, ConfigError, ConfigWarning};

/// Names Prefect rejects as keys because they shadow methods of its `Config`
/// object. Case-sensitive.
///
/// ```
/// use prefect_config::config::{Loader, RESERVED_KEYS};
/// assert!(RESERVED_KEYS.contains(&"keys"));
/// assert!(Loader::new().defaults_toml("[a]\nkeys = 1").load().is_err());
/// assert!(Loader::new().defaults_toml("[a]\nKeys = 1").load().is_ok());
/// ```
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
        if is_reserved_key(key) || find_reserved(child, path) {
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
    // Many variables share a misspelt section (`PREFECT__LOGINGG__*`): look
    // each misspelt part up once.
    let mut memo: HashMap<(Vec<String>, String), Vec<String>> = HashMap::new();
    let mut warnings = Vec::new();
    for (path, source) in sources.iter() {
        let is_secret = path.len() > 2 && path[0] == "context" && path[1] == "secrets";
        if is_secret || exists(path) {
            continue;
        }
        let Some(missing) = (1..=path.len())
            .find(|&len| !exists(&path[..len]))
            .map(|len| len - 1)
        else {
            continue;
        };
        let parent = path[..missing].to_vec();
        let wrong = path[missing].clone();
        let candidates = memo
            .entry((parent.clone(), wrong.clone()))
            .or_insert_with(|| near_siblings(&parent, &wrong, file_layers));
        let suggestion = candidates.iter().find_map(|candidate| {
            let mut fixed = path.clone();
            fixed[missing] = candidate.clone();
            exists(&fixed).then_some(fixed)
        });
        if let Some(suggestion) = suggestion {
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

/// Keys beside `parent` (in any file layer) one edit away from `wrong`.
fn near_siblings(parent: &[String], wrong: &str, layers: &[Layer]) -> Vec<String> {
    let mut found = Vec::new();
    for layer in layers {
        let siblings = if parent.is_empty() {
            Some(&*layer.data)
        } else {
            layer.get(parent).and_then(Value::as_object)
        };
        for candidate in siblings.into_iter().flat_map(|m| m.keys()) {
            let close = candidate.len().abs_diff(wrong.len()) <= 1
                && strsim::osa_distance(candidate, wrong) == 1;
            if close && !found.contains(candidate) {
                found.push(candidate.clone());
            }
        }
    }
    found
}

//! Key paths: a dotted key (`server.port`) and the environment variable that
//! sets it (`PREFECT__SERVER__PORT`) are two spellings of one [`KeyPath`].
//!
//! The case rule lives here and nowhere else: key parts read from a variable
//! name are lower-cased, except the secret's name below `context.secrets`
//! (`PREFECT__CONTEXT__SECRETS__MyName` sets `context.secrets.MyName`; the
//! `CONTEXT__SECRETS` part is matched in any case). Written back, parts are
//! upper-cased, except a secret's name.

use smallvec::SmallVec;

use crate::config::ConfigError;

/// The separator between key parts in an environment variable name.
pub(crate) const SEPARATOR: &str = "__";

/// A key as its parts.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct KeyPath(Vec<String>);

impl KeyPath {
    /// The key an environment variable sets, given its name after `PREFIX__`;
    /// `var` is the full name, for the error.
    pub(crate) fn from_env(var: &str, rest: &str) -> Result<KeyPath, ConfigError> {
        let parts = split_env(rest);
        if parts.iter().any(|p| p.is_empty()) {
            return Err(ConfigError::EmptyEnvKeyPart {
                var: var.to_owned(),
            });
        }
        let keep_from = case_kept_from(parts.iter().copied(), str::eq_ignore_ascii_case);
        Ok(KeyPath(
            parts
                .iter()
                .enumerate()
                .map(|(i, part)| {
                    if i >= keep_from {
                        (*part).to_owned()
                    } else if part.is_ascii() {
                        // The same as Python's `lower()` for ASCII, and cheaper.
                        part.to_ascii_lowercase()
                    } else {
                        part.to_lowercase()
                    }
                })
                .collect(),
        ))
    }

    /// The parts of the key.
    pub(crate) fn parts(&self) -> &[String] {
        &self.0
    }

    pub(crate) fn into_parts(self) -> Vec<String> {
        self.0
    }
}

/// `rest` split at each `__`, left to right, as `str::split("__")` does.
/// Written out because `split` with a two-byte pattern sets up a substring
/// searcher per call, which costs more than the scan for names this short.
fn split_env(rest: &str) -> SmallVec<[&str; 4]> {
    let bytes = rest.as_bytes();
    let mut parts = SmallVec::new();
    let (mut start, mut i) = (0, 0);
    while i + 1 < bytes.len() {
        if bytes[i] == b'_' && bytes[i + 1] == b'_' {
            // Both bytes are ASCII, so both cuts are on char boundaries.
            parts.push(&rest[start..i]);
            i += 2;
            start = i;
        } else {
            i += 1;
        }
    }
    parts.push(&rest[start..]);
    parts
}

/// The dotted key that the environment variable `name` sets under `prefix`,
/// by the loader's case rule (`PREFECT__SERVER__PORT` → `server.port`;
/// `PREFECT__CONTEXT__SECRETS__MyName` → `context.secrets.MyName`).
///
/// For names people type: `PREFIX__` is matched in any ASCII case (the loader
/// itself matches it exactly). `None` when `name` does not start with
/// `PREFIX__`, has an empty part (`PREFECT__A____B`), or has a part holding a
/// dot, which no dotted key can spell.
///
/// ```
/// use prefect_config::config::env_var_key;
/// assert_eq!(env_var_key("PREFECT", "prefect__Server__PORT").as_deref(), Some("server.port"));
/// assert_eq!(
///     env_var_key("PREFECT", "PREFECT__CONTEXT__SECRETS__MyName").as_deref(),
///     Some("context.secrets.MyName"),
/// );
/// assert_eq!(env_var_key("PREFECT", "server.port"), None);
/// assert_eq!(env_var_key("PREFECT", "PREFECT__A____B"), None);
/// ```
pub fn env_var_key(prefix: &str, name: &str) -> Option<String> {
    let given_prefix = name.get(..prefix.len())?;
    if !given_prefix.eq_ignore_ascii_case(prefix) {
        return None;
    }
    // `get` succeeded, so `prefix.len()` is a character boundary.
    let rest = name[prefix.len()..].strip_prefix(SEPARATOR)?;
    let path = KeyPath::from_env(name, rest).ok()?;
    if path.parts().iter().any(|part| part.contains('.')) {
        return None;
    }
    Some(path.into_parts().join("."))
}

/// The index from which parts keep their case: the secret's name below
/// `context.secrets`; past the end for any other key.
fn case_kept_from<'a>(
    parts: impl Iterator<Item = &'a str> + Clone,
    same: impl Fn(&str, &str) -> bool,
) -> usize {
    let mut it = parts.clone();
    let is_secret = matches!((it.next(), it.next(), it.next()),
        (Some(a), Some(b), Some(_)) if same(a, "context") && same(b, "secrets"));
    if is_secret { 2 } else { usize::MAX }
}

/// Splits a dotted key; the empty key has no parts.
pub(crate) fn split(path: &str) -> impl Iterator<Item = &str> + Clone {
    path.split('.').filter(|part| !part.is_empty())
}

/// The environment variable name that sets `path` under `prefix`: the inverse
/// of [`KeyPath::from_env`] for keys that are lower-case (and any secret name).
pub(crate) fn var_name_of(prefix: &str, path: &[&str]) -> String {
    let keep_from = case_kept_from(path.iter().copied(), |a, b| a == b);
    let mut name = String::from(prefix);
    for (i, part) in path.iter().enumerate() {
        name.push_str(SEPARATOR);
        if i >= keep_from {
            name.push_str(part);
        } else {
            name.push_str(&part.to_uppercase());
        }
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names_keep_their_case_in_both_directions() {
        let path =
            KeyPath::from_env("P__context__SECRETS__MyKey", "context__SECRETS__MyKey").unwrap();
        assert_eq!(path.parts(), ["context", "secrets", "MyKey"]);
        let refs: Vec<&str> = path.parts().iter().map(String::as_str).collect();
        assert_eq!(var_name_of("P", &refs), "P__CONTEXT__SECRETS__MyKey");
    }

    #[test]
    fn a_bare_secrets_table_is_lower_cased_like_any_key() {
        let path = KeyPath::from_env("P__CONTEXT__SECRETS", "CONTEXT__SECRETS").unwrap();
        assert_eq!(path.parts(), ["context", "secrets"]);
    }

    #[test]
    fn empty_parts_are_rejected_with_the_variable_name() {
        for rest in ["A____B", "A__", "", "__A"] {
            let err = KeyPath::from_env("X", rest).unwrap_err();
            assert!(matches!(err, ConfigError::EmptyEnvKeyPart { .. }), "{rest}");
        }
    }

    #[test]
    fn env_var_key_inverts_var_name_of() {
        for key in [
            "server.port",
            "context.secrets.MyKey",
            "a._b",
            "tasks.defaults.timeout",
        ] {
            let parts: Vec<&str> = key.split('.').collect();
            let name = var_name_of("APP", &parts);
            assert_eq!(env_var_key("APP", &name).as_deref(), Some(key), "{name}");
        }
        // Names that do not load back as the key they came from.
        assert_eq!(
            env_var_key("APP", &var_name_of("APP", &["a", "B"])).as_deref(),
            Some("a.b")
        );
        assert_eq!(env_var_key("APP", &var_name_of("APP", &["a", ""])), None);
        assert_eq!(env_var_key("APP", "APP__A.B__C"), None);
        assert_eq!(env_var_key("APP", "APPX__A"), None);
        assert_eq!(env_var_key("APP", "AP"), None);
        assert_eq!(env_var_key("APP", "APP__"), None);
        // A multi-byte character where the prefix would end is no match, not a panic.
        assert_eq!(env_var_key("AB", "Aé__X"), None);
        assert_eq!(env_var_key("A", "é__X"), None);
    }

    #[test]
    fn three_underscores_split_like_python() {
        assert_eq!(
            KeyPath::from_env("X", "A___B").unwrap().parts(),
            ["a", "_b"]
        );
    }

    proptest::proptest! {
        #[test]
        fn split_env_is_str_split(rest in "[A_bé]{0,12}") {
            let ours: Vec<&str> = split_env(&rest).into_vec();
            let std: Vec<&str> = rest.split(SEPARATOR).collect();
            proptest::prop_assert_eq!(ours, std);
        }
    }
}

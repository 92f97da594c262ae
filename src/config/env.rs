//! One snapshot of the environment, and the mapping between environment
//! variable names and key paths.
//!
//! The process environment is read once per load, here and nowhere else, so
//! that tests can hand the loader a map instead (see
//! [`Loader::env_vars`](crate::config::Loader::env_vars)).
//!
//! Name rules (Prefect 0.15): `PREFECT__SERVER__PORT` sets `server.port`. Key
//! parts are lower-cased, except below `CONTEXT__SECRETS__` (matched in any
//! case), where the secret's name keeps its case.

use std::fmt;
use std::sync::Arc;

use indexmap::IndexMap;

use crate::config::ConfigError;

/// The separator between key parts in an environment variable name.
pub(crate) const SEPARATOR: &str = "__";

/// An immutable snapshot of environment variables, in the order the
/// environment lists them: when two variables set the same key (say
/// `PREFECT__A` and `PREFECT__a`), the later one wins, as in Prefect.
#[derive(Clone, Default)]
pub(crate) struct Environment {
    vars: Arc<IndexMap<String, String>>,
    /// When true, `~` may fall back to the OS's idea of the home directory.
    from_process: bool,
}

impl Environment {
    /// Reads the process environment. Variables whose name or value is not
    /// UTF-8 are skipped: Prefect could not use them either.
    pub(crate) fn from_process() -> Self {
        let vars = std::env::vars_os()
            .filter_map(|(name, value)| Some((name.into_string().ok()?, value.into_string().ok()?)))
            .collect();
        Environment {
            vars: Arc::new(vars),
            from_process: true,
        }
    }

    /// An environment made only of the given pairs.
    pub(crate) fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        Environment {
            vars: Arc::new(
                pairs
                    .into_iter()
                    .map(|(k, v)| (k.into(), v.into()))
                    .collect(),
            ),
            from_process: false,
        }
    }

    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    /// The home directory used to expand a leading `~`: `HOME`, else (for the
    /// process environment only) the operating system's answer.
    pub(crate) fn home(&self) -> Option<String> {
        if let Some(home) = self.get("HOME") {
            return Some(home.to_owned());
        }
        if self.from_process {
            return dirs::home_dir().and_then(|p| p.into_os_string().into_string().ok());
        }
        None
    }

    /// Variables whose name starts with `PREFIX__`, in environment order,
    /// with the part after the prefix.
    pub(crate) fn with_prefix<'a>(
        &'a self,
        prefix: &'a str,
    ) -> impl Iterator<Item = (&'a str, &'a str, &'a str)> + 'a {
        self.vars.iter().filter_map(move |(name, value)| {
            let rest = name.strip_prefix(prefix)?.strip_prefix(SEPARATOR)?;
            Some((name.as_str(), rest, value.as_str()))
        })
    }
}

/// Names only: values may be secrets.
impl fmt::Debug for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Environment")
            .field("names", &self.vars.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// The key path an environment variable sets, given its name after `PREFIX__`.
///
/// `var` is the full variable name, used in the error.
pub(crate) fn key_path_of(var: &str, rest: &str) -> Result<Vec<String>, ConfigError> {
    let parts: Vec<&str> = rest.split(SEPARATOR).collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(ConfigError::EmptyEnvKeyPart {
            var: var.to_owned(),
        });
    }
    let is_secret = parts.len() > 2
        && parts[0].eq_ignore_ascii_case("context")
        && parts[1].eq_ignore_ascii_case("secrets");
    Ok(parts
        .iter()
        .enumerate()
        .map(|(i, part)| {
            if is_secret && i >= 2 {
                (*part).to_owned()
            } else {
                part.to_lowercase()
            }
        })
        .collect())
}

/// The environment variable name that sets `path` under `prefix`: the inverse
/// of [`key_path_of`] for keys that are lower-case (and for any secret name).
pub(crate) fn var_name_of(prefix: &str, path: &[&str]) -> String {
    let is_secret = path.len() > 2 && path[0] == "context" && path[1] == "secrets";
    let mut name = String::from(prefix);
    for (i, part) in path.iter().enumerate() {
        name.push_str(SEPARATOR);
        if is_secret && i >= 2 {
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
        let path = key_path_of("P__context__SECRETS__MyKey", "context__SECRETS__MyKey").unwrap();
        assert_eq!(path, ["context", "secrets", "MyKey"]);
        let refs: Vec<&str> = path.iter().map(String::as_str).collect();
        assert_eq!(var_name_of("P", &refs), "P__CONTEXT__SECRETS__MyKey");
    }

    #[test]
    fn a_bare_secrets_table_is_lower_cased_like_any_key() {
        let path = key_path_of("P__CONTEXT__SECRETS", "CONTEXT__SECRETS").unwrap();
        assert_eq!(path, ["context", "secrets"]);
    }

    #[test]
    fn empty_parts_are_rejected_with_the_variable_name() {
        for rest in ["A____B", "A__", "", "__A"] {
            let err = key_path_of("X", rest).unwrap_err();
            assert!(matches!(err, ConfigError::EmptyEnvKeyPart { .. }), "{rest}");
        }
    }

    #[test]
    fn three_underscores_split_like_python() {
        assert_eq!(key_path_of("X", "A___B").unwrap(), ["a", "_b"]);
    }
}

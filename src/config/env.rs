//! One snapshot of the environment.
//!
//! The process environment is read once per load, here and nowhere else, so
//! that tests can hand the loader a map instead (see
//! [`Loader::env_vars`](crate::config::Loader::env_vars)).
//! How a variable's name maps to a key is [`key`](super::key)'s business.

use std::fmt;
use std::sync::Arc;

use indexmap::IndexMap;

use crate::config::key::SEPARATOR;

/// An immutable snapshot of environment variables, in the order the
/// environment lists them: when two variables set the same key (say
/// `PREFECT__A` and `PREFECT__a`), the later one wins, as in Prefect.
#[derive(Clone, Default)]
pub(crate) struct Environment {
    vars: Arc<IndexMap<Arc<str>, String>>,
    /// When true, `~` may fall back to the OS's idea of the home directory.
    from_process: bool,
}

impl Environment {
    /// Reads the process environment. Variables whose name or value is not
    /// UTF-8 are skipped: Prefect could not use them either.
    pub(crate) fn from_process() -> Self {
        let vars = std::env::vars_os()
            .filter_map(|(name, value)| {
                Some((
                    Arc::from(name.into_string().ok()?),
                    value.into_string().ok()?,
                ))
            })
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
                    .map(|(k, v)| (Arc::from(k.into()), v.into()))
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
    ) -> impl Iterator<Item = (&'a Arc<str>, &'a str, &'a str)> + 'a {
        self.vars.iter().filter_map(move |(name, value)| {
            let rest = name.strip_prefix(prefix)?.strip_prefix(SEPARATOR)?;
            Some((name, rest, value.as_str()))
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

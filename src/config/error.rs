//! The one error type of configuration loading and extraction.
//!
//! Every variant names what is at fault: a file with line and column, an
//! environment variable, or a key path with the layer it came from. Only an
//! extraction error shows a value, the one that did not fit, and never for a
//! [sensitive](crate::config::Config::is_sensitive) key; so formatting an
//! error can never print a secret.

use std::io;
use std::path::PathBuf;
use std::sync::Arc;

use crate::config::Source;
use crate::render::Line;

/// Everything that can go wrong while loading a [`Config`](crate::config::Config)
/// or extracting typed values from it.
///
/// Messages read "`<what>` for key `a.b` in `<origin>`" and never include a
/// secret: only [`Extract`](ConfigError::Extract) shows a value, and only for
/// a key that is not sensitive. Names read from files or the environment
/// (keys, variables, paths) print with their control characters escaped
/// ([`render::terminal`](crate::render::terminal)).
///
/// ```
/// use prefect_config::config::{ConfigError, Loader};
///
/// let err = Loader::new().defaults_toml("[server]\nport = ").load().unwrap_err();
/// assert!(matches!(err, ConfigError::Syntax { line: 2, .. }));
/// assert!(err.to_string().contains("line 2"));
/// ```
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A configuration file (or secrets directory entry) could not be read.
    ///
    /// The message names the file; the I/O error is the
    /// [`source`](std::error::Error::source), so that printing the error
    /// chain shows it once.
    ///
    /// ```
    /// use std::error::Error;
    /// use prefect_config::config::Loader;
    /// let err = Loader::new().defaults_file("/nonexistent/defaults.toml").load().unwrap_err();
    /// assert_eq!(err.to_string(), "cannot read `/nonexistent/defaults.toml`");
    /// let cause = err.source().unwrap().to_string(); // "No such file or directory (os error 2)"
    /// assert!(!cause.is_empty() && !err.to_string().contains(&cause));
    /// ```
    #[error("cannot read `{}`", Line(path.display()))]
    Read {
        /// The file that could not be read.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: Arc<io::Error>,
    },

    /// A file the crate was asked to read is not a regular file: a
    /// directory, FIFO, device or socket, or a file on `/proc` or `/sys`
    /// (see [`read_file`](crate::config::read_file)). It is refused without
    /// being read, so that it can neither block nor run on forever.
    ///
    /// ```
    /// use prefect_config::config::{ConfigError, Loader};
    /// let dir = tempfile::tempdir()?;
    /// let err = Loader::new().defaults_file(dir.path()).load().unwrap_err();
    /// assert!(matches!(err, ConfigError::NotRegularFile { what: "a directory", .. }));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[error("cannot read `{}`: it is {what}, not a regular file", path.display())]
    NotRegularFile {
        /// The file.
        path: PathBuf,
        /// What it is instead ("a FIFO", "a directory", "a file on /proc or /sys", ...).
        what: &'static str,
    },

    /// A configuration file is larger than
    /// [`Limits::max_file_bytes`](crate::config::Limits::max_file_bytes); at
    /// most one byte more than the limit was read.
    #[error("`{}` is larger than the limit of {limit} bytes", path.display())]
    FileTooLarge {
        /// The file.
        path: PathBuf,
        /// The limit, in bytes.
        limit: u64,
    },

    /// A value given at run time nests deeper than
    /// [`MAX_DEPTH`](crate::config::MAX_DEPTH) levels below its top-level
    /// key: a context value, an override, a provider's value. It is refused
    /// whole (see the [`context`](crate::context#how-deep-a-value-may-nest)
    /// module docs).
    ///
    /// ```
    /// use prefect_config::{config::{ConfigError, MAX_DEPTH}, context};
    /// let mut deep = serde_json::json!(1);
    /// for _ in 0..=MAX_DEPTH {
    ///     deep = serde_json::json!([deep]);
    /// }
    /// let err = context::try_set("k", deep).unwrap_err();
    /// assert!(matches!(err, ConfigError::ValueTooDeep { limit: MAX_DEPTH, .. }));
    /// assert_eq!(err.key(), Some("k"));
    /// ```
    #[error("the value for key `{key}` in {origin} is nested more than {limit} levels deep")]
    ValueTooDeep {
        /// The top-level key the value was given for.
        key: String,
        /// Who gave it ([`Source::Runtime`] for code).
        origin: Source,
        /// The nesting limit.
        limit: usize,
    },

    /// A TOML layer is not valid TOML.
    #[error(
        "TOML syntax error in {origin} at line {line}, column {column}: {}",
        Line(message)
    )]
    Syntax {
        /// The layer holding the bad TOML.
        origin: Source,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column (in characters) of the error.
        column: usize,
        /// What the parser expected or found.
        message: String,
    },

    /// Tables are nested deeper than this crate loads (see [`MAX_DEPTH`](crate::config::MAX_DEPTH)).
    #[error("tables nested more than {limit} levels deep at line {line} in {origin}")]
    TooDeep {
        /// The layer holding the deep nesting.
        origin: Source,
        /// 1-based line (for environment variables: 1).
        line: usize,
        /// The nesting limit.
        limit: usize,
    },

    /// A key shadows a method of Prefect's `Config` object, which Prefect rejects.
    #[error(
        "invalid key `{}` in {origin}: `{}` is reserved (it names a method of Prefect's Config)",
        Line(key),
        Line(name)
    )]
    InvalidKey {
        /// The full dotted path of the key.
        key: String,
        /// The reserved name itself (the last part of `key`).
        name: String,
        /// The layer that set the key.
        origin: Source,
    },

    /// An environment variable such as `PREFECT__A____B` has an empty key part.
    #[error(
        "environment variable `{}` has an empty key part (two `__` separators in a row or at the end)",
        Line(var)
    )]
    EmptyEnvKeyPart {
        /// The variable's name.
        var: String,
    },

    /// An environment variable sets a key below one that a lower layer sets
    /// to a value, not a table (`a = 1` in a file, `PREFECT__A__B=2`).
    /// Prefect fails here too.
    #[error(
        "environment variable `{}` sets a key below `{}`, which {origin} sets to a value, not a table",
        Line(var),
        Line(key)
    )]
    EnvBelowValue {
        /// The variable.
        var: String,
        /// The key holding a value.
        key: String,
        /// The layer that set that value.
        origin: Source,
    },

    /// A key that must hold a table holds a value (`tasks = 1` where the
    /// standard loader fills in task defaults). Prefect fails here too.
    #[error("key `{}` in {origin} must be a table", Line(key))]
    NotATable {
        /// The key.
        key: String,
        /// The layer that set it.
        origin: Source,
    },

    /// `${a.b}` references form a cycle.
    #[error("reference cycle between keys: {}", Line(.keys.join(" -> ")))]
    ReferenceCycle {
        /// The keys in the cycle, in order, the first repeated at the end.
        keys: Vec<String>,
    },

    /// Expanding `$VAR` / `~` kept changing a value for 10 rounds.
    #[error(
        "expanding environment variables for key `{}` in {origin} did not settle after 10 rounds",
        Line(key)
    )]
    ExpansionDidNotSettle {
        /// The key whose value kept changing.
        key: String,
        /// Where the value came from.
        origin: Source,
    },

    /// Resolving `${a.b}` references in one value did not finish.
    #[error(
        "resolving references for key `{}` in {origin} did not finish (the value keeps producing new references)",
        Line(key)
    )]
    ReferenceDidNotSettle {
        /// The key whose value kept changing.
        key: String,
        /// Where the value came from.
        origin: Source,
    },

    /// A value grew past [`Limits::max_value_bytes`](crate::config::Limits::max_value_bytes)
    /// through `$VAR` expansion or `${...}` references.
    #[error(
        "the value for key `{}` in {origin} grew past the limit of {limit} bytes",
        Line(key)
    )]
    TooLarge {
        /// The key whose value grew too large.
        key: String,
        /// Where the value came from.
        origin: Source,
        /// The limit, in bytes.
        limit: usize,
    },

    /// The tree a load builds (its layers, what casting, expansion and
    /// `${...}` references make, the copies `explain` keeps) grew larger
    /// than [`Limits::max_total_bytes`](crate::config::Limits::max_total_bytes).
    #[error(
        "the configuration grew past the limit of {limit} bytes at key `{}`",
        Line(key)
    )]
    TreeTooLarge {
        /// The key whose value passed the limit.
        key: String,
        /// The limit, in bytes.
        limit: usize,
    },

    /// A figment provider added with [`Loader::provider`](crate::config::Loader::provider)
    /// failed to give its data.
    #[error("{origin} failed: {}", Line(message))]
    Provider {
        /// The provider.
        origin: Source,
        /// The first line of figment's error.
        message: String,
    },

    /// A value could not be extracted into the requested Rust type.
    ///
    /// ```
    /// use prefect_config::config::Loader;
    /// let cfg = Loader::prefect().env_vars([("PREFECT__SERVER__PORT", "-1"), ("PREFECT__CLOUD__API_KEY", "-2")]).load()?;
    /// let err = cfg.extract_at::<u16>("server.port").unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "invalid value: expected u16, found integer `-1` for key `server.port` in environment variable `PREFECT__SERVER__PORT`",
    /// );
    /// let err = cfg.extract_at::<u16>("cloud.api_key").unwrap_err();
    /// assert!(!err.to_string().contains("-2"));
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    #[error("{} for key `{}`{}", Line(message), Line(key), origin_suffix(.origin))]
    Extract {
        /// The dotted key path at fault (empty for the root).
        key: String,
        /// Where that value came from, when known.
        origin: Option<Source>,
        /// What was expected and what was found: the value itself when the
        /// key is not sensitive (``expected u16, found integer `-1` ``), else
        /// only its kind (`found an integer`).
        message: String,
    },
}

/// `err`'s message followed by each of its causes (`cannot read `x`: No
/// such file or directory (os error 2)`): for messages that stand alone.
pub(crate) fn with_causes(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(next) = cause {
        text.push_str(": ");
        text.push_str(&next.to_string());
        cause = next.source();
    }
    text
}

fn origin_suffix(origin: &Option<Source>) -> String {
    match origin {
        Some(source) => format!(" in {source}"),
        None => String::new(),
    }
}

impl ConfigError {
    /// A too-deep value given for `key` by code.
    pub(crate) fn too_deep(key: impl Into<String>) -> Self {
        ConfigError::ValueTooDeep {
            key: key.into(),
            origin: Source::Runtime,
            limit: crate::config::MAX_DEPTH,
        }
    }

    pub(crate) fn read(path: impl Into<PathBuf>, source: io::Error) -> Self {
        ConfigError::Read {
            path: path.into(),
            source: Arc::new(source),
        }
    }

    /// The dotted key path this error is about, when it is about one key.
    ///
    /// ```
    /// use prefect_config::config::Loader;
    /// let err = Loader::new().defaults_toml("[server]\nkeys = 1").load().unwrap_err();
    /// assert_eq!(err.key(), Some("server.keys"));
    /// ```
    pub fn key(&self) -> Option<&str> {
        match self {
            ConfigError::InvalidKey { key, .. }
            | ConfigError::ExpansionDidNotSettle { key, .. }
            | ConfigError::ReferenceDidNotSettle { key, .. }
            | ConfigError::TooLarge { key, .. }
            | ConfigError::TreeTooLarge { key, .. }
            | ConfigError::ValueTooDeep { key, .. }
            | ConfigError::EnvBelowValue { key, .. }
            | ConfigError::NotATable { key, .. }
            | ConfigError::Extract { key, .. } => Some(key),
            ConfigError::ReferenceCycle { keys } => keys.first().map(String::as_str),
            _ => None,
        }
    }

    /// The layer this error is about, when it is about one layer.
    ///
    /// ```
    /// use prefect_config::config::{Loader, Source};
    /// let err = Loader::new().defaults_toml("x = [").load().unwrap_err();
    /// assert_eq!(err.origin(), Some(&Source::DefaultsToml));
    /// ```
    pub fn origin(&self) -> Option<&Source> {
        match self {
            ConfigError::Syntax { origin, .. }
            | ConfigError::TooDeep { origin, .. }
            | ConfigError::InvalidKey { origin, .. }
            | ConfigError::ExpansionDidNotSettle { origin, .. }
            | ConfigError::ReferenceDidNotSettle { origin, .. }
            | ConfigError::TooLarge { origin, .. }
            | ConfigError::EnvBelowValue { origin, .. }
            | ConfigError::NotATable { origin, .. }
            | ConfigError::Provider { origin, .. }
            | ConfigError::ValueTooDeep { origin, .. } => Some(origin),
            ConfigError::Extract { origin, .. } => origin.as_ref(),
            _ => None,
        }
    }
}

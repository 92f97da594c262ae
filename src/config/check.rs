//! [`Loader::check`]: every problem of a set of inputs at once, located.
//!
//! The check runs the very pipeline [`Loader::load`] runs, with a sink that
//! collects each error and lets every pass go on past it: all TOML syntax
//! errors of each file, every reserved key, every reference cycle, every
//! broken environment variable; then the warnings of the load, and keys of
//! the user and backend files that are not in the defaults but are one or two
//! edits from a key that is ("did you mean"). Keys far from every default are
//! the user's own and pass silently. Each problem is located (file, line and
//! column where it is in a file) and, like every error, never shows a value.
//!
//! ```
//! use prefect_config::config::{Loader, Location};
//!
//! let dir = tempfile::tempdir()?;
//! let user = dir.path().join("config.toml");
//! std::fs::write(&user, "[server]\nkeys = 1\nhots = 'x'\n[c]\na = '${c.b}'\nb = '${c.a}'\n")?;
//! let problems = Loader::new()
//!     .defaults_toml("[server]\nhost = 'localhost'")
//!     .user_file(&user)
//!     .check();
//! let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
//! assert_eq!(problems.iter().filter(|p| p.is_error()).count(), 2, "{text:?}");
//! assert!(text.iter().any(|t| t.ends_with("error: invalid key `server.keys` in user config `{}`: `keys` is reserved (it names a method of Prefect's Config)".replace("{}", &user.display().to_string()).as_str())));
//! assert!(text.iter().any(|t| t.contains("reference cycle between keys: c.a -> c.b -> c.a")));
//! assert!(text.iter().any(|t| t.contains("warning: key `server.hots`") && t.contains("did you mean `server.host`?")));
//! let reserved = problems.iter().find(|p| p.to_string().contains("server.keys")).unwrap();
//! assert!(matches!(&reserved.at, Some(Location::File { line: 2, column: 1, .. })));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::path::PathBuf;

use serde::ser::{Serialize, SerializeMap, Serializer};
use toml::de::{DeTable, DeValue};

use crate::config::collect::{Seen, Sink};
use crate::config::error::with_causes;
use crate::config::layer::line_column;
use crate::config::node::{Node, Table};
use crate::config::typos::SiblingIndex;
use crate::config::{ConfigError, ConfigWarning, Loader, Source, sensitive};

/// One problem found by [`Loader::check`].
///
/// `Display` reads `file:line:column: error: message` (or `warning:`), with
/// the location left out when there is none. `Serialize` writes the
/// [`Problem`]'s fields and `at` (a [`Location`] or null).
///
/// ```
/// use prefect_config::config::Loader;
/// let problems = Loader::new().defaults_toml("x = [").check();
/// let json = serde_json::to_value(&problems[0]).unwrap();
/// assert_eq!((&json["severity"], &json["at"]), (&"error".into(), &serde_json::Value::Null));
/// assert!(json["message"].as_str().unwrap().starts_with("TOML syntax error"));
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Diagnostic {
    /// What is wrong.
    pub problem: Problem,
    /// Where, when it can be told.
    pub at: Option<Location>,
}

/// An error (loading fails) or a warning (it loads, but look).
///
/// ```
/// use prefect_config::config::{Loader, Problem};
/// let problems = Loader::new().defaults_toml("a = '${nope}'").check();
/// assert!(matches!(problems[0].problem, Problem::Warning(_)));
/// assert!(!problems[0].is_error());
/// let json = serde_json::to_value(&problems[0].problem).unwrap();
/// assert_eq!(json["severity"], "warning");
/// assert_eq!(json["warning"]["kind"], "missing_reference");
/// ```
///
/// `Serialize` writes `severity` (`error` or `warning`) and `message` (the
/// `Display` text, which never holds a secret); an error adds its `key` and
/// `origin` when it has them, a warning its fields as `warning`
/// (see [`ConfigWarning`]).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Problem {
    /// [`Loader::load`] fails with this error.
    Error(ConfigError),
    /// [`Loader::load`] succeeds with this warning (or a check's own:
    /// a likely typo in a file's key).
    Warning(ConfigWarning),
}

/// Where a problem is.
///
/// ```
/// use prefect_config::config::Location;
/// let at = Location::File { path: "config.toml".into(), line: 3, column: 1 };
/// assert_eq!(at.to_string(), "config.toml:3:1");
/// assert_eq!(Location::EnvVar("PREFECT__X".into()).to_string(), "PREFECT__X");
/// assert_eq!(
///     serde_json::to_value(&at).unwrap(),
///     serde_json::json!({"path": "config.toml", "line": 3, "column": 1}),
/// );
/// assert_eq!(
///     serde_json::to_value(Location::EnvVar("PREFECT__X".into())).unwrap(),
///     serde_json::json!({"env_var": "PREFECT__X"}),
/// );
/// ```
///
/// `Serialize` writes `{"path", "line", "column"}` for a position in a file,
/// `{"path"}` for a whole file or directory and `{"env_var"}` for a variable.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Location {
    /// A position in a file: 1-based line and column (in characters).
    File {
        /// The file.
        path: PathBuf,
        /// The line.
        line: usize,
        /// The column.
        column: usize,
    },
    /// A file or directory as a whole.
    Path(PathBuf),
    /// An environment variable.
    EnvVar(String),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File { path, line, column } => {
                write!(f, "{}:{line}:{column}", path.display())
            }
            Location::Path(path) => write!(f, "{}", path.display()),
            Location::EnvVar(name) => f.write_str(name),
        }
    }
}

impl Serialize for Location {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        match self {
            Location::File { path, line, column } => {
                map.serialize_entry("path", &path.display().to_string())?;
                map.serialize_entry("line", line)?;
                map.serialize_entry("column", column)?;
            }
            Location::Path(path) => map.serialize_entry("path", &path.display().to_string())?,
            Location::EnvVar(name) => map.serialize_entry("env_var", name)?,
        }
        map.end()
    }
}

impl Problem {
    /// The entries of this problem's JSON map (shared with [`Diagnostic`]'s).
    fn serialize_entries<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
        match self {
            Problem::Error(err) => {
                map.serialize_entry("severity", "error")?;
                map.serialize_entry("message", &with_causes(err))?;
                if let Some(key) = err.key() {
                    map.serialize_entry("key", key)?;
                }
                if let Some(origin) = err.origin() {
                    map.serialize_entry("origin", origin)?;
                }
            }
            Problem::Warning(warning) => {
                map.serialize_entry("severity", "warning")?;
                map.serialize_entry("message", &warning.to_string())?;
                map.serialize_entry("warning", warning)?;
            }
        }
        Ok(())
    }
}

impl Serialize for Problem {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        self.serialize_entries(&mut map)?;
        map.end()
    }
}

impl Serialize for Diagnostic {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        self.problem.serialize_entries(&mut map)?;
        map.serialize_entry("at", &self.at)?;
        map.end()
    }
}

impl Diagnostic {
    /// True for an error, false for a warning.
    ///
    /// ```
    /// use prefect_config::config::Loader;
    /// let problems = Loader::new().defaults_toml("x = [").check();
    /// assert!(problems[0].is_error());
    /// ```
    pub fn is_error(&self) -> bool {
        matches!(self.problem, Problem::Error(_))
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(at) = &self.at {
            write!(f, "{at}: ")?;
        }
        match &self.problem {
            Problem::Error(err) => write!(f, "error: {}", with_causes(err)),
            Problem::Warning(warning) => write!(f, "warning: {warning}"),
        }
    }
}

impl Loader {
    /// Every problem of this loader's inputs, errors first, each located;
    /// empty when the configuration loads cleanly. See the
    /// [module docs](crate::config#diagnostics).
    ///
    /// ```
    /// use prefect_config::config::Loader;
    /// let problems = Loader::new()
    ///     .defaults_toml("[a]\nkeys = 1\nitems = 2\nurl = '${a.nope}'")
    ///     .check();
    /// let errors = problems.iter().filter(|p| p.is_error()).count();
    /// assert_eq!((errors, problems.len()), (2, 3));
    /// assert!(Loader::new().defaults_toml("a = 1").check().is_empty());
    /// ```
    pub fn check(&self) -> Vec<Diagnostic> {
        let mut sink = Sink::collect();
        let mut seen = Seen::default();
        let mut warnings = match self.pipeline(&mut sink, Some(&mut seen)) {
            Ok(layers) => layers.config().warnings().to_vec(),
            Err(err) => {
                sink.errors.push(err);
                Vec::new()
            }
        };
        if let Some(defaults) = &seen.defaults {
            for (source, table) in &seen.file_layers {
                file_typos(defaults, table, source, &mut Vec::new(), &mut warnings);
            }
        }
        let files: Vec<File<'_>> = seen
            .texts
            .iter()
            .map(|(source, text)| File {
                source,
                text,
                table: DeTable::parse(text).ok().map(toml::Spanned::into_inner),
            })
            .collect();
        let errors = sink.errors.into_iter().map(|err| Diagnostic {
            at: locate_error(&err, &files),
            problem: Problem::Error(err),
        });
        let warnings = warnings.into_iter().map(|warning| Diagnostic {
            at: locate_warning(&warning, &files),
            problem: Problem::Warning(warning),
        });
        errors.chain(warnings).collect()
    }
}

/// Keys of `file` missing from `defaults` that are one or two edits from a
/// sibling that is there.
fn file_typos<'a>(
    defaults: &Table,
    file: &'a Table,
    source: &Source,
    path: &mut Vec<&'a str>,
    out: &mut Vec<ConfigWarning>,
) {
    let mut index: Option<SiblingIndex> = None;
    for (key, node) in &file.entries {
        path.push(key);
        match defaults.entries.get(key) {
            Some(Node::Table(lower)) => {
                if let Node::Table(child) = node {
                    file_typos(lower, child, source, path, out);
                }
            }
            Some(Node::Leaf(_)) => {}
            None if !sensitive::is_secrets_scope(path.iter().copied()) => {
                let index = index.get_or_insert_with(|| SiblingIndex::new(defaults, 2));
                if let Some(near) = index.near(key).first() {
                    let parent = &path[..path.len() - 1];
                    let suggestion = parent.iter().copied().chain([*near]).collect::<Vec<_>>();
                    out.push(ConfigWarning::UnknownFileKey {
                        key: path.join("."),
                        origin: source.clone(),
                        suggestion: suggestion.join("."),
                    });
                }
            }
            None => {}
        }
        path.pop();
    }
}

fn locate_error(err: &ConfigError, texts: &[File<'_>]) -> Option<Location> {
    match err {
        ConfigError::Syntax {
            origin,
            line,
            column,
            ..
        } if origin.file().is_some() => Some(Location::File {
            path: origin.file()?.to_path_buf(),
            line: *line,
            column: *column,
        }),
        ConfigError::TooDeep { origin, line, .. } if origin.file().is_some() => {
            Some(Location::File {
                path: origin.file()?.to_path_buf(),
                line: *line,
                column: 1,
            })
        }
        ConfigError::Read { path, .. } => Some(Location::Path(path.clone())),
        ConfigError::EmptyEnvKeyPart { var } => Some(Location::EnvVar(var.clone())),
        _ => locate(err.key()?, err.origin(), texts),
    }
}

fn locate_warning(warning: &ConfigWarning, texts: &[File<'_>]) -> Option<Location> {
    match warning {
        ConfigWarning::MissingReference { key, origin, .. }
        | ConfigWarning::TableReference { key, origin, .. }
        | ConfigWarning::UnknownFileKey { key, origin, .. } => locate(key, Some(origin), texts),
        ConfigWarning::UnknownEnvKey { var, .. } | ConfigWarning::EnvConflict { var, .. } => {
            Some(Location::EnvVar(var.clone()))
        }
        ConfigWarning::SecretsDir { path, .. } => Some(Location::Path(path.clone())),
        ConfigWarning::MissingFile { var, .. } => Some(Location::EnvVar(var.clone())),
        ConfigWarning::GlobalLoadFailed { .. } => None,
    }
}

/// The position of `key` in its origin's file, else in the highest file that
/// has it; else the origin itself.
fn locate(key: &str, origin: Option<&Source>, texts: &[File<'_>]) -> Option<Location> {
    let wanted = origin.and_then(Source::file);
    for File {
        source,
        text,
        table,
    } in texts.iter().rev()
    {
        let Some(path) = source.file() else { continue };
        if wanted.is_some_and(|w| w != path) {
            continue;
        }
        if let Some(offset) = table.as_ref().and_then(|table| key_offset(table, key)) {
            let (line, column) = line_column(text, offset);
            return Some(Location::File {
                path: path.to_path_buf(),
                line,
                column,
            });
        }
    }
    match origin? {
        source if source.env_var().is_some() => {
            source.env_var().map(|var| Location::EnvVar(var.to_owned()))
        }
        source => source.file().map(|path| Location::Path(path.to_path_buf())),
    }
}

/// One TOML input, parsed once (with spans) to locate every problem in it.
struct File<'a> {
    source: &'a Source,
    text: &'a str,
    table: Option<DeTable<'a>>,
}

/// The byte offset where the last part of `key` is written in a parsed text.
fn key_offset(table: &DeTable<'_>, key: &str) -> Option<usize> {
    let mut table = table;
    let mut parts = key.split('.').peekable();
    while let Some(part) = parts.next() {
        let (name, value) = table.get_key_value(part)?;
        if parts.peek().is_none() {
            return Some(name.span().start);
        }
        match value.get_ref() {
            DeValue::Table(child) => table = child,
            _ => return None,
        }
    }
    None
}

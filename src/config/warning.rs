//! Things that loaded but look wrong.

use std::fmt;
use std::path::Path;

use serde::Serialize;

use crate::config::Source;
use crate::render::Line;

/// A problem that did not stop loading but probably deserves a look.
///
/// Read them with [`Config::warnings`](crate::config::Config::warnings). Like
/// errors, warnings name keys and origins, never values; `Display` escapes
/// the control characters of names read from files or the environment
/// ([`render::terminal`](crate::render::terminal)), so that printing a
/// warning cannot drive the terminal.
///
/// ```
/// use prefect_config::config::{ConfigWarning, Loader};
///
/// let cfg = Loader::new()
///     .defaults_toml("[logging]\nlevel = 'INFO'")
///     .env_prefix("PREFECT")
///     .env_vars([("PREFECT__LOGGING__LEVLE", "DEBUG")])
///     .load()?;
/// assert!(matches!(
///     &cfg.warnings()[0],
///     ConfigWarning::UnknownEnvKey { suggestion, .. } if suggestion == "logging.level"
/// ));
/// # Ok::<(), prefect_config::config::ConfigError>(())
/// ```
///
/// `Serialize` writes the variant's fields with its name as `kind`
/// (`{"kind": "unknown_env_key", "var": ..., "key": ..., "suggestion": ...}`);
/// paths as displayed.
///
/// ```
/// use prefect_config::config::{ConfigWarning, Source};
/// let warning = ConfigWarning::EnvConflict { var: "P__A__B".into(), winner: "P__A".into() };
/// assert_eq!(
///     serde_json::to_value(&warning).unwrap(),
///     serde_json::json!({"kind": "env_conflict", "var": "P__A__B", "winner": "P__A"}),
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ConfigWarning {
    /// An environment variable set a key that no file has, one edit away from
    /// a key that exists: probably a typo.
    UnknownEnvKey {
        /// The variable's name.
        var: String,
        /// The key it set.
        key: String,
        /// The existing key it probably meant.
        suggestion: String,
    },
    /// A `${a.b}` reference names a key that does not exist; it became `""`.
    MissingReference {
        /// The key whose value holds the reference.
        key: String,
        /// The referenced key.
        reference: String,
        /// Where the referencing value came from.
        origin: Source,
    },
    /// A `${a.b}` reference names a table; like Prefect, it became `""`.
    TableReference {
        /// The key whose value holds the reference.
        key: String,
        /// The referenced table.
        reference: String,
        /// Where the referencing value came from.
        origin: Source,
    },
    /// An entry of the secrets directory was skipped (a subdirectory, an
    /// unreadable or non-UTF-8 file), or the directory could not be listed.
    SecretsDir {
        /// The directory or file at fault.
        #[serde(serialize_with = "displayed")]
        path: std::path::PathBuf,
        /// What is wrong with it (never its content).
        problem: String,
    },
    /// A file sets a key the defaults do not have, one or two edits from one
    /// they do: probably a typo. Reported by
    /// [`Loader::check`](crate::config::Loader::check), not by loading.
    UnknownFileKey {
        /// The key the file sets.
        key: String,
        /// The file.
        origin: Source,
        /// The existing key it probably meant.
        suggestion: String,
    },
    /// `PREFECT__USER_CONFIG_PATH` or `PREFECT__BACKEND_CONFIG_PATH` names a
    /// file that does not exist; it was skipped, as Prefect skips it.
    MissingFile {
        /// The variable.
        var: String,
        /// The path it named, expanded.
        path: std::path::PathBuf,
    },
    /// Two environment variables set a key and one of its parents; the one
    /// named here was ignored.
    EnvConflict {
        /// The ignored variable.
        var: String,
        /// The variable that won.
        winner: String,
    },
    /// The process-wide configuration ([`global()`](crate::global())) failed
    /// to load, so the context uses the embedded defaults instead. Carried by
    /// [`context::config()`](crate::context::config) in that case.
    GlobalLoadFailed {
        /// The load error's message (which never contains a value).
        error: String,
    },
}

/// A path as displayed: one that is not UTF-8 still serializes.
pub(crate) fn displayed<S: serde::Serializer>(
    path: &Path,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&path.display())
}

impl fmt::Display for ConfigWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigWarning::UnknownEnvKey {
                var,
                key,
                suggestion,
            } => write!(
                f,
                "environment variable `{}` sets unknown key `{}`: did you mean `{}`?",
                Line(var),
                Line(key),
                Line(suggestion)
            ),
            ConfigWarning::MissingReference {
                key,
                reference,
                origin,
            } => write!(
                f,
                "reference `${{{}}}` for key `{}` in {origin} names no key; it became \"\"",
                Line(reference),
                Line(key)
            ),
            ConfigWarning::TableReference {
                key,
                reference,
                origin,
            } => write!(
                f,
                "reference `${{{}}}` for key `{}` in {origin} names a table, not a value; it became \"\"",
                Line(reference),
                Line(key)
            ),
            ConfigWarning::UnknownFileKey {
                key,
                origin,
                suggestion,
            } => write!(
                f,
                "key `{}` in {origin} is not in the defaults: did you mean `{}`?",
                Line(key),
                Line(suggestion)
            ),
            ConfigWarning::MissingFile { var, path } => write!(
                f,
                "`{}` names `{}`, which does not exist; it was skipped",
                Line(var),
                Line(path.display())
            ),
            ConfigWarning::SecretsDir { path, problem } => {
                write!(
                    f,
                    "secrets directory entry `{}` {}; skipped",
                    Line(path.display()),
                    Line(problem)
                )
            }
            ConfigWarning::EnvConflict { var, winner } => write!(
                f,
                "environment variable `{}` was ignored: `{}` sets the same key or one of its parents or children",
                Line(var),
                Line(winner)
            ),
            ConfigWarning::GlobalLoadFailed { error } => write!(
                f,
                "the global configuration failed to load ({}); the context uses the embedded defaults",
                Line(error)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 19: names read from a file or a directory listing reached the
    /// terminal raw (an OSC title sequence) through a warning's `Display`.
    #[test]
    fn names_display_escaped() {
        let osc = "n\u{1b}]0;owned\u{7}\n";
        let warnings = [
            ConfigWarning::SecretsDir {
                path: format!("/run/secrets/{osc}").into(),
                problem: "is a directory".into(),
            },
            ConfigWarning::MissingReference {
                key: osc.into(),
                reference: osc.into(),
                origin: Source::EnvVar(osc.into()),
            },
            ConfigWarning::UnknownEnvKey {
                var: osc.into(),
                key: osc.into(),
                suggestion: osc.into(),
            },
        ];
        for warning in warnings {
            let text = warning.to_string();
            assert!(!text.contains(['\u{1b}', '\u{7}', '\n']), "{text:?}");
            assert!(text.contains(r"n\u{1b}]0;owned\u{7}\n"), "{text}");
        }
        let err = crate::config::ConfigError::NotATable {
            key: osc.into(),
            origin: Source::UserFile(std::path::Path::new(osc).into()),
        };
        assert!(!err.to_string().contains('\u{1b}'), "{err}");
    }
}

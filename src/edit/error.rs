//! [`EditError`]: why an edit was not written. No variant holds a value.

use std::io;
use std::path::PathBuf;

/// Why an edit of a configuration file was not written. In every case the
/// file is left as it was. Messages name the file and key, never a value.
///
/// ```
/// use prefect_config::edit::{Change, ConfigFile, EditError};
/// let dir = tempfile::tempdir()?;
/// let err = ConfigFile::new(dir.path().join("config.toml"))
///     .apply(&[Change::unset("server.port")])
///     .unwrap_err();
/// assert!(matches!(err, EditError::NotInFile { ref key, .. } if key == "server.port"));
/// assert!(err.to_string().contains("`server.port` is not set in"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EditError {
    /// The file (or its lock, or a symlink to it) could not be read.
    #[error("cannot read `{}`", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// The new text could not be written or renamed into place.
    #[error("cannot write `{}`", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// The current file is not valid TOML, so it cannot be edited in place.
    #[error("`{}` is not valid TOML: {message}", path.display())]
    Syntax {
        /// The file.
        path: PathBuf,
        /// The parser's message (without the snippet, which could show a secret).
        message: String,
    },
    /// A key on the way to the edited key holds a value, not a table.
    #[error("`{key}` in `{}` is not a table", path.display())]
    NotATable {
        /// The file.
        path: PathBuf,
        /// The dotted key that is not a table.
        key: String,
    },
    /// An unset of a key that the file does not set.
    #[error("`{key}` is not set in `{}`", path.display())]
    NotInFile {
        /// The file.
        path: PathBuf,
        /// The dotted key.
        key: String,
    },
    /// No text loads back as the given value, because the loader expands it.
    #[error("the value for `{key}` would not load back as given: {reason}")]
    NotExact {
        /// The dotted key.
        key: String,
        /// Which expansion would change it.
        reason: &'static str,
    },
    /// The value has no TOML form (a null inside a list).
    #[error("the value for `{key}` cannot be written to TOML: {reason}")]
    Unrepresentable {
        /// The dotted key.
        key: String,
        /// What cannot be written.
        reason: &'static str,
    },
    /// The edited file would not load: a reserved key, a reference cycle, ...
    #[error("`{}` was left unchanged: {reason}", path.display())]
    WouldNotLoad {
        /// The file.
        path: PathBuf,
        /// The loader's error, naming the file (not its temporary copy).
        reason: String,
    },
}

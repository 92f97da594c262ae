//! [`EditError`]: why an edit was not written. No variant holds a value.

use std::io;
use std::path::{Path, PathBuf};

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
    /// The config path, or the file its symlinks lead to, exists but is not
    /// a regular file (a device, a FIFO, a directory, ...): an edit would
    /// replace it with one, so it is refused. A symlink to `/dev/null` is a
    /// common way to turn a config file off.
    #[error("{}", not_a_file(path, target, kind))]
    NotAFile {
        /// The path as given.
        path: PathBuf,
        /// Where its symlinks lead (the same as `path` when it is none).
        target: PathBuf,
        /// What it is instead: `"a character device"`, `"a FIFO"`, ...
        kind: &'static str,
    },
    /// The lock file beside the config is a symlink or not a regular file;
    /// it is never followed, so that a planted link cannot make an edit
    /// create or lock a file elsewhere.
    #[error(
        "the lock file `{}` is {kind}, not a regular file, so nothing was written; \
         remove it if no edit is running",
        path.display()
    )]
    UnsafeLock {
        /// The lock file.
        path: PathBuf,
        /// What it is instead: `"a symbolic link"`, `"a directory"`, ...
        kind: &'static str,
    },
    /// The file has more than one name (hard links). An edit replaces the
    /// file, which would leave the other names with the old text, so it is
    /// refused; see the [module docs](crate::edit).
    #[error(
        "`{}` has {links} hard links, and an edit would leave the other names with the old \
         text, so nothing was written; keep one name (a symbolic link can stand for another)",
        path.display()
    )]
    HardLinked {
        /// The file.
        path: PathBuf,
        /// How many names it has.
        links: u64,
    },
    /// The file belongs to another user or group, and the edited copy could
    /// not be given the same owner (only root can give a file away): the
    /// edit would take the file from its owner, so it is refused.
    #[error(
        "`{}` belongs to user {uid} and group {gid}, and the edited file could not be given \
         them ({source}), so nothing was written; edit it as its owner",
        path.display()
    )]
    Owner {
        /// The file.
        path: PathBuf,
        /// Its owner.
        uid: u32,
        /// Its group.
        gid: u32,
        /// Why the change of owner failed (usually "operation not permitted").
        source: io::Error,
    },
    /// The file is larger than a configuration file may be
    /// ([`Limits::max_file_bytes`](crate::config::Limits::max_file_bytes)).
    #[error("`{}` is larger than {limit} bytes, the limit of a configuration file", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The cap, in bytes.
        limit: u64,
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

fn not_a_file(path: &Path, target: &Path, kind: &str) -> String {
    if path == target {
        format!(
            "`{}` is {kind}, not a regular file, so nothing was written",
            path.display()
        )
    } else {
        format!(
            "`{}` is a symbolic link to `{}`, {kind}, not a regular file, so nothing was \
             written; remove the link to edit a file of its own",
            path.display(),
            target.display()
        )
    }
}

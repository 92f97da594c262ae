//! Safe edits of a TOML configuration file: the one write path of this crate.
//!
//! [`ConfigFile::apply`] changes keys of a file such as
//! `~/.prefect/config.toml` and keeps its comments, order and formatting
//! (`toml_edit`). Every edit is
//!
//! - **locked**: an exclusive advisory lock on `.NAME.lock` beside the file
//!   is held from the read to the rename, so concurrent edits of different
//!   keys all survive;
//! - **validated**: the new text is loaded with the [`Loader`] given to
//!   [`ConfigFile::validate_with`] (as its user file) before it replaces the
//!   file; a reserved key, a syntax error or a reference cycle fails the edit
//!   with [`EditError::WouldNotLoad`] and leaves the file untouched;
//! - **exact**: a value is written as text that loads back as exactly that
//!   value: a string that casting would change (`True`, `1e5`, `'x'`, `None`)
//!   is written as a quoted Python literal. `$NAME` of a set variable, a
//!   leading `~` and `${...}` are always expanded by the loader, so no text
//!   keeps them: such a value fails with [`EditError::NotExact`] unless
//!   [`ConfigFile::allow_expansion`] is set;
//! - **atomic and tidy**: the text goes to `.NAME.prefect-edit-XXXXXX.tmp` in
//!   the same directory, is flushed to disk and renamed over the file; a
//!   failed edit removes its temporary file, and the next edit removes those
//!   of processes that died mid-write;
//! - **symlink-aware**: when the path is a symlink, the file it points to is
//!   edited in its own directory and the link is kept; a link to a missing
//!   file creates it;
//! - **only ever replacing a regular file**: when the path, or the end of its
//!   symlinks, is a device, a FIFO, a directory or a socket, the edit fails
//!   with [`EditError::NotAFile`] before anything is created (a link to
//!   `/dev/null`, a common way to turn a file off, stays one). The file is
//!   opened without following a symlink and without blocking, and the opened
//!   descriptor is checked, so a swap after the check is caught too;
//! - **not led by its lock**: the lock file is opened without following a
//!   symlink; a lock name that is a symlink or not a regular file fails with
//!   [`EditError::UnsafeLock`] (refused, not replaced: removing a lock name
//!   is what would let two edits hold different locks), so a planted
//!   `.NAME.lock -> elsewhere` never creates `elsewhere`;
//! - **keeping the owner**: the new file gets the old one's owner, group and
//!   mode before it is renamed into place, so root editing a user's file
//!   leaves it the user's. Only root can give a file away: when the old
//!   owner or group cannot be given (another user's file edited by a
//!   non-root user with write access to its directory), the edit fails with
//!   [`EditError::Owner`] rather than take the file from its owner;
//! - **refusing hard links**: a file with more than one name fails with
//!   [`EditError::HardLinked`]. The rename that makes an edit atomic gives
//!   the path a new file, and the other names would keep the old text: a
//!   split that nobody sees until it bites. Writing in place instead would
//!   keep the links but lose atomicity (a crash or a full disk mid-write
//!   leaves a truncated file) and the lock (it is per name, so an edit
//!   through another name would not wait). A refusal that says why, with a
//!   symlink as the remedy, loses nothing;
//! - **keeping its bytes**: a UTF-8 byte-order mark stays, lines the edit
//!   does not touch keep their line endings byte for byte, and new or
//!   changed lines take the file's usual ending (CRLF in a CRLF file);
//! - **private**: a new file gets mode 0600 and new directories 0700; an
//!   existing file keeps its mode ([`Edited::readable_by_others`] tells a
//!   caller when to warn).
//!
//! ```
//! use prefect_config::config::Loader;
//! use prefect_config::edit::{Change, ConfigFile, EditError};
//! use serde_json::json;
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("config.toml");
//! std::fs::write(&path, "# my settings\n[server]\nport = 4200 # the API\n")?;
//!
//! let file = ConfigFile::new(&path).env_vars([("HOME", "/home/me")]);
//! file.apply(&[
//!     Change::set("server.port", json!(8080)),
//!     Change::set_secret("FLAG", json!("True")), // the string, not a boolean
//! ])?;
//! let text = std::fs::read_to_string(&path)?;
//! assert!(text.starts_with("# my settings\n[server]\nport = 8080 # the API\n"));
//!
//! let cfg = Loader::new().user_file(&path).load()?;
//! assert_eq!(cfg.get("context.secrets.FLAG"), Some(&json!("True")));
//!
//! // `~/x` would load as `/home/me/x`: refused, and the file is unchanged.
//! let err = file.apply(&[Change::set("a", json!("~/x"))]).unwrap_err();
//! assert!(matches!(err, EditError::NotExact { .. }));
//! // `keys` is reserved: the edited file would not load.
//! let err = file.apply(&[Change::set("keys", json!(1))]).unwrap_err();
//! assert!(matches!(err, EditError::WouldNotLoad { .. }));
//! assert_eq!(std::fs::read_to_string(&path)?, text);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod change;
mod endings;
mod error;
mod exact;
mod file;

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::config::{ConfigError, Loader};

pub use change::Change;
pub use error::EditError;

/// A configuration file to edit, and the rules the result must load under.
///
/// ```
/// use prefect_config::edit::{Change, ConfigFile};
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("new/config.toml");
/// let edited = ConfigFile::new(&path).apply(&[Change::set("debug", true.into())])?;
/// assert!(edited.created());
/// assert_eq!(std::fs::read_to_string(&path)?, "debug = true\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
#[must_use = "a ConfigFile does nothing until `apply` is called"]
pub struct ConfigFile {
    path: PathBuf,
    loader: Loader,
    env: Option<Vec<(String, String)>>,
    allow_expansion: bool,
}

/// What an edit did; see [`ConfigFile::apply`].
///
/// ```
/// use prefect_config::edit::{Change, ConfigFile};
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("config.toml");
/// let edited = ConfigFile::new(&path).apply(&[Change::set("a", 1.into())])?;
/// assert_eq!(edited.file(), path);
/// assert!(!edited.readable_by_others()); // new files are 0600
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edited {
    file: PathBuf,
    created: bool,
    mode: u32,
}

impl ConfigFile {
    /// The file at `path` (created by the first edit if missing), checked
    /// on its own: validation loads it with `Loader::new()`.
    ///
    /// ```
    /// use prefect_config::edit::ConfigFile;
    /// assert_eq!(ConfigFile::new("/tmp/x.toml").path(), std::path::Path::new("/tmp/x.toml"));
    /// ```
    pub fn new(path: impl Into<PathBuf>) -> ConfigFile {
        ConfigFile {
            path: path.into(),
            loader: Loader::new(),
            env: None,
            allow_expansion: false,
        }
    }

    /// Validates each edited text with `loader`, the edited text taking the
    /// place of its user file (for example `Loader::prefect()`, so that a
    /// reference cycle with the defaults is found).
    ///
    /// ```
    /// use prefect_config::config::Loader;
    /// use prefect_config::edit::{Change, ConfigFile, EditError};
    /// let dir = tempfile::tempdir()?;
    /// let file = ConfigFile::new(dir.path().join("config.toml"))
    ///     .validate_with(Loader::new().defaults_toml("[a]\nx = '${a.y}'"));
    /// let err = file.apply(&[Change::set("a.y", "${a.x}".into())]);
    /// assert!(matches!(err, Err(EditError::NotExact { .. })));
    /// let err = file.clone().allow_expansion(true).apply(&[Change::set("a.y", "${a.x}".into())]);
    /// assert!(err.unwrap_err().to_string().contains("reference cycle"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn validate_with(mut self, loader: Loader) -> ConfigFile {
        self.loader = loader;
        self
    }

    /// Uses exactly these variables as the environment of both checks
    /// (validation and exactness) instead of the process's.
    ///
    /// ```
    /// use prefect_config::edit::{Change, ConfigFile};
    /// let dir = tempfile::tempdir()?;
    /// let file = ConfigFile::new(dir.path().join("c.toml"));
    /// let value = "pa$SET/x";
    /// assert!(file.clone().env_vars([("SET", "1")]).apply(&[Change::set("a", value.into())]).is_err());
    /// assert!(file.env_vars([("OTHER", "1")]).apply(&[Change::set("a", value.into())]).is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn env_vars<K, V>(mut self, vars: impl IntoIterator<Item = (K, V)>) -> ConfigFile
    where
        K: Into<String>,
        V: Into<String>,
    {
        self.env = Some(
            vars.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        );
        self
    }

    /// Writes values that the loader will expand (`$NAME`, `~`, `${...}`)
    /// instead of refusing them.
    ///
    /// ```
    /// use prefect_config::edit::{Change, ConfigFile};
    /// let dir = tempfile::tempdir()?;
    /// let file = ConfigFile::new(dir.path().join("c.toml")).allow_expansion(true);
    /// file.apply(&[Change::set("url", "${server.host}/api".into())])?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn allow_expansion(mut self, allow: bool) -> ConfigFile {
        self.allow_expansion = allow;
        self
    }

    /// The path given to [`ConfigFile::new`].
    ///
    /// ```
    /// use prefect_config::edit::ConfigFile;
    /// assert!(ConfigFile::new("c.toml").path().ends_with("c.toml"));
    /// ```
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Applies `changes` in order, all or nothing, under the file's lock;
    /// see the [module docs](self) for the guarantees.
    ///
    /// ```
    /// use prefect_config::edit::{Change, ConfigFile};
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("config.toml");
    /// std::fs::write(&path, "a = 1\nb = 2\n")?;
    /// ConfigFile::new(&path).apply(&[Change::unset("a"), Change::set("c", "x".into())])?;
    /// assert_eq!(std::fs::read_to_string(&path)?, "b = 2\nc = \"x\"\n");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn apply(&self, changes: &[Change]) -> Result<Edited, EditError> {
        let target = file::resolve_links(&self.path).map_err(|source| EditError::Read {
            path: self.path.clone(),
            source,
        })?;
        let write_error = |source| EditError::Write {
            path: target.clone(),
            source,
        };
        let (dir, name) = file::split(&target).map_err(write_error)?;
        // Before anything is created for the edit (a lock in `/dev`, say).
        file::check_target(&self.path, &target)?;
        if !dir.is_dir() {
            // Nothing exists yet: find a failing change (an unset) before
            // creating directories for nothing.
            let mut doc = toml_edit::DocumentMut::new();
            for change in changes {
                change.apply(&mut doc, &target)?;
            }
        }
        file::create_private_dir(&dir).map_err(write_error)?;
        let _lock = file::lock(&dir, &name)?;
        file::remove_stale_temps(&dir, &name);

        let existing = file::read_existing(&self.path, &target)?;
        let created = existing.is_none();
        let (text, owner) = existing.unwrap_or((String::new(), file::Owner::NEW));
        let (bom, text) = endings::split_bom(&text);
        let mut doc = change::parse(text, &target)?;
        for change in changes {
            change.apply(&mut doc, &target)?;
        }
        let new_text = endings::with_bom(bom, endings::restore(text, &doc.to_string()));
        let temp = file::write_temp(&dir, &name, &target, &new_text, owner)?;
        // On failure `temp` is dropped here, which removes it.
        self.check(temp.path(), &target, changes)?;
        file::commit(temp, &target).map_err(write_error)?;
        Ok(Edited {
            file: target,
            created,
            mode: owner.mode,
        })
    }

    /// Loads the edited text at `temp` on its own, to see that every value
    /// set reads back as given, then with the validation loader.
    fn check(&self, temp: &Path, target: &Path, changes: &[Change]) -> Result<(), EditError> {
        let would_not_load = |e: ConfigError| EditError::WouldNotLoad {
            path: target.to_path_buf(),
            reason: e
                .to_string()
                .replace(&temp.display().to_string(), &target.display().to_string()),
        };
        if !self.allow_expansion {
            self.check_exact(temp, changes, &would_not_load)?;
        }
        // `user_file` expands `$VAR` and `~` in the path; the temporary
        // file's own name has neither.
        self.with_env(self.loader.clone().user_file(temp))
            .load()
            .map_err(would_not_load)?;
        Ok(())
    }

    /// Loads the file at `temp` on its own and compares every value set.
    fn check_exact(
        &self,
        temp: &Path,
        changes: &[Change],
        would_not_load: &dyn Fn(ConfigError) -> EditError,
    ) -> Result<(), EditError> {
        let sets: Vec<(&[String], &Value)> = changes.iter().filter_map(Change::as_set).collect();
        if sets.is_empty() {
            return Ok(());
        }
        let alone = self
            .with_env(Loader::new().user_file(temp))
            .load()
            .map_err(would_not_load)?;
        // Later sets win: check each key's last value only, and skip keys
        // that a later set of a parent table replaced.
        let mut later: Vec<&[String]> = Vec::new();
        for (path, value) in sets.into_iter().rev() {
            if later.iter().any(|p| path.starts_with(p)) {
                continue;
            }
            later.push(path);
            if value_at(alone.as_value(), path) != Some(value) {
                return Err(EditError::NotExact {
                    key: path.join("."),
                    reason: exact::expansion_reason(value),
                });
            }
        }
        Ok(())
    }

    fn with_env(&self, loader: Loader) -> Loader {
        match &self.env {
            Some(env) => loader.env_vars(env.iter().cloned()),
            None => loader,
        }
    }
}

/// Shows the path and options, never the environment (it may hold secrets).
impl std::fmt::Debug for ConfigFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfigFile")
            .field("path", &self.path)
            .field("allow_expansion", &self.allow_expansion)
            .finish_non_exhaustive()
    }
}

impl Edited {
    /// The file written: the path edited, or the file its symlink points to.
    ///
    /// ```
    /// # use prefect_config::edit::{Change, ConfigFile};
    /// # let dir = tempfile::tempdir()?;
    /// let edited = ConfigFile::new(dir.path().join("c.toml")).apply(&[Change::set("a", 1.into())])?;
    /// assert!(edited.file().ends_with("c.toml"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// Whether the file did not exist before this edit.
    ///
    /// ```
    /// # use prefect_config::edit::{Change, ConfigFile};
    /// # let dir = tempfile::tempdir()?;
    /// let file = ConfigFile::new(dir.path().join("c.toml"));
    /// assert!(file.apply(&[Change::set("a", 1.into())])?.created());
    /// assert!(!file.apply(&[Change::set("a", 2.into())])?.created());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn created(&self) -> bool {
        self.created
    }

    /// Whether group or others may read the file (an existing file keeps its
    /// mode); a caller that wrote a secret should warn.
    ///
    /// ```
    /// # use prefect_config::edit::{Change, ConfigFile};
    /// # let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("c.toml");
    /// std::fs::write(&path, "")?;
    /// # #[cfg(unix)] {
    /// use std::os::unix::fs::PermissionsExt;
    /// std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644))?;
    /// let edited = ConfigFile::new(&path).apply(&[Change::set_secret("A", "x".into())])?;
    /// assert!(edited.readable_by_others());
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn readable_by_others(&self) -> bool {
        cfg!(unix) && self.mode & 0o044 != 0
    }
}

/// The value at a key path of a loaded tree.
fn value_at<'a>(mut value: &'a Value, path: &[String]) -> Option<&'a Value> {
    for part in path {
        value = value.as_object()?.get(part)?;
    }
    Some(value)
}

//! Every write goes through the library's `edit::ConfigFile` (locked,
//! validated, exact, atomic); this file builds it and reports the outcome.

use std::path::{Path, PathBuf};

use prefect_config::config::Loader;
use prefect_config::edit::{Change, ConfigFile, EditError, Edited};

use crate::Failure;
use prefect_config::config::is_sensitive_key;

/// The user file at `path`, validated with the loader the flags describe.
pub fn user_file(path: PathBuf, loader: &Loader, allow_expansion: bool) -> ConfigFile {
    ConfigFile::new(path)
        .validate_with(loader.clone())
        .allow_expansion(allow_expansion)
}

/// Applies `changes`, then warns when the file now holds a secret that
/// group or others may read.
pub fn apply(file: &ConfigFile, changes: &[Change]) -> Result<Edited, Failure> {
    let edited = file.apply(changes).map_err(|e| match e {
        EditError::NotExact { .. } => {
            Failure::from(format!("{e}; pass --allow-expansion to store it anyway"))
        }
        other => Failure::from(other.to_string()),
    })?;
    if edited.readable_by_others() && changes.iter().any(|c| is_sensitive_key(&c.key())) {
        warn_readable(edited.file());
    }
    Ok(edited)
}

/// The warning for a file with secrets that group or others may read.
pub fn warn_readable(path: &Path) {
    // Escaped and quoted: a path may hold a newline and a command, and the
    // suggestion is meant to be pasted into a shell.
    let path = path.display().to_string();
    let shown = prefect_config::render::terminal(&path);
    crate::style::warning(format_args!(
        "`{shown}` holds secrets and is readable by group or others; run `chmod 600 {}`",
        prefect_config::render::shell_quote(&shown)
    ));
}

/// True when group or others may read `path`.
#[cfg(unix)]
pub fn readable_by_others(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o044 != 0)
}

#[cfg(not(unix))]
pub fn readable_by_others(_path: &Path) -> bool {
    false
}

//! The file side of an edit: following symlinks, the lock, temporary files,
//! the atomic rename, and file modes.
//!
//! Every edit of `dir/name` holds an exclusive advisory lock on
//! `dir/.name.lock` from the read to the rename. The lock file is never
//! removed: removing it would let a waiter lock a file that a newcomer has
//! already replaced. The lock cannot be the edited file itself, because the
//! rename gives the path a new inode that a waiter has not locked.
//!
//! The new text goes to `dir/.name.prefect-edit-XXXXXX.tmp`, is flushed to
//! disk, then renamed over `dir/name`. The temporary file is removed when the
//! edit fails; one left by a process that died mid-write carries the
//! recognisable prefix, and the next edit (holding the lock, so no live edit
//! owns it) removes it.

use std::ffi::OsString;
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use fs4::fs_std::FileExt;
use tempfile::NamedTempFile;

/// How many symlinks are followed before giving up (Linux's own limit).
const MAX_LINKS: usize = 40;

/// The infix that marks this crate's temporary files.
const TEMP_INFIX: &str = ".prefect-edit-";
const TEMP_SUFFIX: &str = ".tmp";

/// The regular file an edit of `path` changes: `path` itself, or the file
/// its chain of symlinks ends at (which need not exist yet).
///
/// Written by hand: `std::fs::canonicalize` fails when the final target does
/// not exist yet, and an edit may create it.
pub(crate) fn resolve_links(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = std::fs::read_link(&current)?;
                current = match current.parent() {
                    Some(parent) if target.is_relative() => parent.join(target),
                    _ => target,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(io::Error::other(format!(
        "more than {MAX_LINKS} symbolic links to follow"
    )))
}

/// The directory and file name of a (resolved) target path.
pub(crate) fn split(path: &Path) -> io::Result<(PathBuf, OsString)> {
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::other("the path does not name a file"))?
        .to_owned();
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok((dir, name))
}

/// Creates `dir` and its missing parents with mode 0700.
pub(crate) fn create_private_dir(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// The exclusive lock on `dir/.name.lock`, held until the returned file is
/// dropped (closing the descriptor releases it, even if the process dies).
pub(crate) fn lock(dir: &Path, name: &OsString) -> io::Result<File> {
    let mut lock_name = OsString::from(".");
    lock_name.push(name);
    lock_name.push(".lock");
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(dir.join(lock_name))?;
    file.lock_exclusive()?;
    Ok(file)
}

fn temp_prefix(name: &OsString) -> String {
    format!(".{}{TEMP_INFIX}", name.to_string_lossy())
}

/// Removes temporary files that earlier edits of `dir/name` left behind when
/// their process died. Call only while holding the lock.
pub(crate) fn remove_stale_temps(dir: &Path, name: &OsString) {
    let prefix = temp_prefix(name);
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        if (file_name.starts_with(&prefix) && file_name.ends_with(TEMP_SUFFIX))
            || is_legacy_temp(&file_name, name)
        {
            // Best effort: a file we cannot remove does no harm.
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// A temporary file of earlier builds (`.NAME.XXXXXX.tmp`, `tempfile`'s
/// six random characters), which a crash may have left before an upgrade.
fn is_legacy_temp(file_name: &str, name: &OsString) -> bool {
    let Some(rest) = file_name.strip_prefix(&format!(".{}.", name.to_string_lossy())) else {
        return false;
    };
    rest.strip_suffix(TEMP_SUFFIX).is_some_and(|random| {
        random.len() == 6 && random.chars().all(|c| c.is_ascii_alphanumeric())
    })
}

/// Writes `text` to a new temporary file beside the target, with `mode`
/// (Unix permission bits), flushed to disk. Dropping the result removes it.
pub(crate) fn write_temp(
    dir: &Path,
    name: &OsString,
    text: &str,
    mode: u32,
) -> io::Result<NamedTempFile> {
    // `tempfile` creates the file with mode 0600 on Unix.
    let mut temp = tempfile::Builder::new()
        .prefix(&temp_prefix(name))
        .suffix(TEMP_SUFFIX)
        .tempfile_in(dir)?;
    temp.write_all(text.as_bytes())?;
    set_mode(temp.as_file(), mode)?;
    temp.as_file().sync_all()?;
    Ok(temp)
}

/// Renames the temporary file over `target` and makes the rename durable.
pub(crate) fn commit(temp: NamedTempFile, target: &Path) -> io::Result<()> {
    temp.persist(target).map_err(|e| e.error)?;
    // Not every platform can sync a directory; the data itself is synced.
    if let Some(dir) = target.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if let Ok(dir) = File::open(dir) {
            let _ = dir.sync_all();
        }
    }
    Ok(())
}

/// The permission bits of an existing file, `None` when it does not exist.
pub(crate) fn existing_mode(path: &Path) -> io::Result<Option<u32>> {
    match std::fs::metadata(path) {
        Ok(meta) => Ok(Some(mode_of(&meta))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

#[cfg(unix)]
fn mode_of(meta: &std::fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o7777
}

#[cfg(not(unix))]
fn mode_of(_meta: &std::fs::Metadata) -> u32 {
    0o600
}

#[cfg(unix)]
fn set_mode(file: &File, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_file: &File, _mode: u32) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn links_are_followed_to_a_target_that_may_not_exist() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real/config.toml");
        let link = dir.path().join("link.toml");
        std::os::unix::fs::symlink("real/config.toml", &link).unwrap();
        assert_eq!(
            resolve_links(&link).unwrap(),
            dir.path().join("real/config.toml")
        );
        std::fs::create_dir(dir.path().join("real")).unwrap();
        std::fs::write(&real, "").unwrap();
        assert_eq!(resolve_links(&link).unwrap(), real);
        let looped = dir.path().join("loop");
        std::os::unix::fs::symlink("loop", &looped).unwrap();
        assert!(resolve_links(&looped).is_err());
    }

    #[test]
    fn only_our_stale_temp_files_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let name = OsString::from("config.toml");
        for file in [
            ".config.toml.prefect-edit-abc123.tmp",
            ".config.toml.Ab12Cd.tmp",
            ".config.toml.other.tmp",
            ".other.toml.prefect-edit-abc123.tmp",
        ] {
            std::fs::write(dir.path().join(file), "").unwrap();
        }
        remove_stale_temps(dir.path(), &name);
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                ".config.toml.other.tmp",
                ".other.toml.prefect-edit-abc123.tmp"
            ]
        );
    }
}

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

use crate::config::read_file::{self, Refused};
use crate::edit::EditError;

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
///
/// The lock is opened without following a symlink and must be a regular
/// file: a planted `.name.lock -> elsewhere` would otherwise make the edit
/// create `elsewhere` (with `O_CREAT`, even when the link dangles). Such a
/// lock is refused rather than replaced: replacing it would mean removing a
/// lock name, which lets a waiter and a newcomer hold different locks.
pub(crate) fn lock(dir: &Path, name: &OsString) -> Result<File, EditError> {
    let mut lock_name = OsString::from(".");
    lock_name.push(name);
    lock_name.push(".lock");
    let path = dir.join(lock_name);
    let unsafe_lock = |kind| EditError::UnsafeLock {
        path: path.clone(),
        kind,
    };
    let write_error = |source| EditError::Write {
        path: path.clone(),
        source,
    };
    match std::fs::symlink_metadata(&path) {
        Ok(meta) if !meta.is_file() => return Err(unsafe_lock(kind_of(&meta.file_type()))),
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(write_error(e)),
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    no_follow(&mut options, 0o600);
    let file = options.open(&path).map_err(|e| match refused_kind(&e) {
        Some(kind) => unsafe_lock(kind),
        None => write_error(e),
    })?;
    // The name may have been swapped between the look and the open.
    let meta = file.metadata().map_err(write_error)?;
    if !meta.is_file() {
        return Err(unsafe_lock(kind_of(&meta.file_type())));
    }
    file.lock_exclusive().map_err(write_error)?;
    Ok(file)
}

/// Refuses a config path whose (resolved) `target` exists but is not a
/// regular file, before anything is created for the edit. `path` is the
/// path as given, for the message. A missing target is fine: the edit
/// creates it.
pub(crate) fn check_target(path: &Path, target: &Path) -> Result<(), EditError> {
    match std::fs::symlink_metadata(target) {
        Ok(meta) if meta.is_file() => Ok(()),
        Ok(meta) => Err(not_a_file(path, target, kind_of(&meta.file_type()))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(EditError::Read {
            path: target.to_path_buf(),
            source,
        }),
    }
}

/// The owner, group and permission bits a file keeps through an edit.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Owner {
    pub(crate) mode: u32,
    /// `None` for a new file, which keeps the editor's own.
    ids: Option<(u32, u32)>,
}

impl Owner {
    /// What a file created by an edit gets: mode 0600, the editor's ids.
    pub(crate) const NEW: Owner = Owner {
        mode: 0o600,
        ids: None,
    };
}

/// The text and owner of the existing file at `target`, `None` when there
/// is none. Call while holding the lock.
///
/// The file is opened without following a symlink and without blocking
/// (a FIFO would otherwise hang the edit while it holds the lock), and the
/// *opened* descriptor must be a regular file with one name.
/// The text is read by the loader's one reader (`config/read_file.rs`):
/// at most [`Limits::max_file_bytes`](crate::config::Limits::max_file_bytes),
/// never a file on `/proc` or `/sys`.
pub(crate) fn read_existing(
    path: &Path,
    target: &Path,
) -> Result<Option<(String, Owner)>, EditError> {
    let read_error = |source| EditError::Read {
        path: target.to_path_buf(),
        source,
    };
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    no_follow(&mut options, 0o600);
    let file = match options.open(target) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(match refused_kind(&e) {
                Some(kind) => not_a_file(path, target, kind),
                None => read_error(e),
            });
        }
    };
    let meta = file.metadata().map_err(read_error)?;
    if !meta.is_file() {
        return Err(not_a_file(path, target, kind_of(&meta.file_type())));
    }
    let links = link_count(&meta);
    if links > 1 {
        return Err(EditError::HardLinked {
            path: target.to_path_buf(),
            links,
        });
    }
    let cap = crate::config::Limits::default().max_file_bytes;
    let bytes = read_file::read_opened(file, target, cap).map_err(|refused| match refused {
        Refused::Io(e) => read_error(e),
        Refused::NotRegular(kind) => not_a_file(path, target, kind),
        Refused::TooLarge => EditError::TooLarge {
            path: target.to_path_buf(),
            limit: cap,
        },
    })?;
    let text = String::from_utf8(bytes).map_err(|_| {
        read_error(io::Error::new(
            io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        ))
    })?;
    Ok(Some((
        text,
        Owner {
            mode: mode_of(&meta),
            ids: ids_of(&meta),
        },
    )))
}

fn not_a_file(path: &Path, target: &Path, kind: &'static str) -> EditError {
    EditError::NotAFile {
        path: path.to_path_buf(),
        target: target.to_path_buf(),
        kind,
    }
}

/// What a file that is not a regular one is, for a message.
fn kind_of(file_type: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
        if file_type.is_fifo() {
            return "a FIFO";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    if file_type.is_dir() {
        "a directory"
    } else if file_type.is_symlink() {
        "a symbolic link"
    } else if file_type.is_file() {
        "a regular file"
    } else {
        "not a file"
    }
}

/// Opens without following a final symlink and without blocking, creating
/// with `mode`.
#[cfg(unix)]
fn no_follow(options: &mut std::fs::OpenOptions, mode: u32) {
    use std::os::unix::fs::OpenOptionsExt;
    options
        .mode(mode)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
}

#[cfg(not(unix))]
fn no_follow(_options: &mut std::fs::OpenOptions, _mode: u32) {}

/// The kind of file an open refused by its flags: a symlink where
/// `O_NOFOLLOW` was asked (`ELOOP`; `EMLINK` on the BSDs), a directory
/// opened for writing.
#[cfg(unix)]
fn refused_kind(e: &io::Error) -> Option<&'static str> {
    match e.raw_os_error() {
        Some(libc::ELOOP) | Some(libc::EMLINK) => Some("a symbolic link"),
        Some(libc::EISDIR) => Some("a directory"),
        _ => None,
    }
}

#[cfg(not(unix))]
fn refused_kind(_e: &io::Error) -> Option<&'static str> {
    None
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

/// Writes `text` to a new temporary file beside `target`, gives it
/// `owner`'s ids and mode, and flushes it to disk. Dropping the result
/// removes it.
pub(crate) fn write_temp(
    dir: &Path,
    name: &OsString,
    target: &Path,
    text: &str,
    owner: Owner,
) -> Result<NamedTempFile, EditError> {
    let write_error = |source| EditError::Write {
        path: target.to_path_buf(),
        source,
    };
    // `tempfile` creates the file with mode 0600 on Unix.
    let mut temp = tempfile::Builder::new()
        .prefix(&temp_prefix(name))
        .suffix(TEMP_SUFFIX)
        .tempfile_in(dir)
        .map_err(write_error)?;
    temp.write_all(text.as_bytes()).map_err(write_error)?;
    if let Some((uid, gid)) = owner.ids {
        give(temp.as_file(), uid, gid).map_err(|source| EditError::Owner {
            path: target.to_path_buf(),
            uid,
            gid,
            source,
        })?;
    }
    // After the change of owner, which clears set-id bits.
    set_mode(temp.as_file(), owner.mode).map_err(write_error)?;
    temp.as_file().sync_all().map_err(write_error)?;
    Ok(temp)
}

/// Gives `file` the owner `uid` and group `gid` unless it has them: the
/// rename would otherwise hand an edited file to whoever edited it (root,
/// say), locking its owner out of a 0600 file.
#[cfg(unix)]
fn give(file: &File, uid: u32, gid: u32) -> io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let meta = file.metadata()?;
    if (meta.uid(), meta.gid()) == (uid, gid) {
        return Ok(());
    }
    std::os::unix::fs::fchown(file, Some(uid), Some(gid))
}

#[cfg(not(unix))]
fn give(_file: &File, _uid: u32, _gid: u32) -> io::Result<()> {
    Ok(())
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

#[cfg(unix)]
fn ids_of(meta: &std::fs::Metadata) -> Option<(u32, u32)> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.uid(), meta.gid()))
}

#[cfg(not(unix))]
fn ids_of(_meta: &std::fs::Metadata) -> Option<(u32, u32)> {
    None
}

#[cfg(unix)]
fn link_count(meta: &std::fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::nlink(meta)
}

#[cfg(not(unix))]
fn link_count(_meta: &std::fs::Metadata) -> u64 {
    1
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

//! The one reader of every file the crate reads: the defaults, user and
//! backend files, each secrets-directory entry, and the files the CLI reads
//! as configuration.
//!
//! The rule: open without blocking, look at the *opened* descriptor, read at
//! most the cap.
//!
//! - The file is opened with `O_NONBLOCK` (a FIFO with no writer, or a
//!   device, cannot hang the open) and `O_NOCTTY` (a terminal named as a
//!   config file never becomes the controlling terminal).
//! - `fstat` of that descriptor must say "regular file". Checking the path
//!   first and opening it second would leave a window in which the entry can
//!   be swapped for a FIFO; the descriptor cannot change.
//! - Files on `/proc` and `/sys` are refused (on Linux by the filesystem's
//!   magic number from `fstatfs`, elsewhere by the canonical path): they
//!   call themselves regular files of size 0, and some never end or block
//!   (`/proc/kmsg`).
//! - The null device (`/dev/null`, or a configuration file linked to it, a
//!   common way to switch one off) reads as an empty configuration file; a
//!   secrets-directory entry linked to it is skipped like any device.
//! - At most `cap + 1` bytes are read, so a file over the cap is detected
//!   without reading it whole, whatever its size claims.

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::path::Path;

use crate::config::{ConfigError, Limits};

/// Why a file was not read.
#[derive(Debug)]
pub(crate) enum Refused {
    /// Opening or reading failed (`NotFound` when there is no such file).
    Io(io::Error),
    /// The opened file is not a regular file; says what it is instead.
    NotRegular(&'static str),
    /// The file holds more than the cap.
    TooLarge,
}

impl Refused {
    /// True when the path names nothing (or goes through something that is
    /// not a directory).
    pub(crate) fn is_missing(&self) -> bool {
        matches!(
            self,
            Refused::Io(e) if matches!(e.kind(), io::ErrorKind::NotFound | io::ErrorKind::NotADirectory)
        )
    }

    /// This refusal as the error for the configuration file `path`.
    pub(crate) fn into_error(self, path: &Path, cap: u64) -> ConfigError {
        match self {
            Refused::Io(e) => ConfigError::read(path, e),
            Refused::NotRegular(what) => ConfigError::NotRegularFile {
                path: path.to_path_buf(),
                what,
            },
            Refused::TooLarge => ConfigError::FileTooLarge {
                path: path.to_path_buf(),
                limit: cap,
            },
        }
    }
}

/// Reads the configuration file `path` as UTF-8 text, holding it to
/// [`Limits::max_file_bytes`]: the function the loader uses for the
/// defaults, user and backend files, for programs that read a file as
/// configuration themselves (the CLI's `init --full` does).
///
/// A FIFO, device, directory or socket is
/// [`ConfigError::NotRegularFile`] (so is a file on `/proc` or `/sys`), a
/// file over the cap [`ConfigError::FileTooLarge`], and neither is opened
/// in a way that can block or read past the cap.
///
/// ```
/// use prefect_config::config::{ConfigError, Limits, read_file};
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("config.toml");
/// std::fs::write(&path, "debug = true\n")?;
/// assert_eq!(read_file(&path, &Limits::default())?, "debug = true\n");
/// let small = Limits::default().max_file_bytes(4);
/// assert!(matches!(read_file(&path, &small), Err(ConfigError::FileTooLarge { limit: 4, .. })));
/// assert!(matches!(read_file(dir.path(), &Limits::default()), Err(ConfigError::NotRegularFile { .. })));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_file(path: impl AsRef<Path>, limits: &Limits) -> Result<String, ConfigError> {
    let path = path.as_ref();
    read_config_text(path, limits.max_file_bytes)
        .map_err(|r| r.into_error(path, limits.max_file_bytes))
}

/// What a file that is (or links to) the null device calls itself.
const NULL_DEVICE: &str = "the null device";

/// [`read_text`] for a configuration file: the null device (`/dev/null`,
/// or a config file linked to it, a common way to switch one off) reads as
/// an empty file, as reading it does everywhere else.
pub(crate) fn read_config_text(path: &Path, cap: u64) -> Result<String, Refused> {
    match read_text(path, cap) {
        Err(Refused::NotRegular(NULL_DEVICE)) => Ok(String::new()),
        other => other,
    }
}

/// [`read_bytes`] as UTF-8 text; text that is not UTF-8 is an I/O error of
/// kind `InvalidData`, as `std::fs::read_to_string` gives.
pub(crate) fn read_text(path: &Path, cap: u64) -> Result<String, Refused> {
    let bytes = read_bytes(path, cap)?;
    String::from_utf8(bytes).map_err(|_| {
        Refused::Io(io::Error::new(
            io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        ))
    })
}

/// Reads at most `cap` bytes of the regular file `path` (see the module
/// docs for what is refused).
pub(crate) fn read_bytes(path: &Path, cap: u64) -> Result<Vec<u8>, Refused> {
    let file = open(path).map_err(Refused::Io)?;
    read_opened(file, path, cap)
}

/// The rest of the rule for a file a caller opened itself (without
/// blocking; the edit path opens without following a symlink too): the
/// opened descriptor must be a regular file off `/proc` and `/sys`, and at
/// most `cap` bytes are read.
pub(crate) fn read_opened(file: File, path: &Path, cap: u64) -> Result<Vec<u8>, Refused> {
    let meta = file.metadata().map_err(Refused::Io)?;
    if !meta.is_file() {
        if is_null_device(&meta) {
            return Err(Refused::NotRegular(NULL_DEVICE));
        }
        return Err(Refused::NotRegular(kind_of(&meta)));
    }
    if on_pseudo_filesystem(&file, path) {
        return Err(Refused::NotRegular("a file on /proc or /sys"));
    }
    if meta.len() > cap {
        return Err(Refused::TooLarge);
    }
    // The size can be wrong (the file grows while it is read): `take` is
    // the bound, the size only a hint for the buffer.
    let hint = usize::try_from(meta.len()).unwrap_or(0);
    let mut bytes = Vec::with_capacity(hint.saturating_add(1));
    file.take(cap.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(Refused::Io)?;
    if bytes.len() as u64 > cap {
        return Err(Refused::TooLarge);
    }
    Ok(bytes)
}

#[cfg(unix)]
fn open(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    let flags = rustix::fs::OFlags::NONBLOCK | rustix::fs::OFlags::NOCTTY;
    // The flags are small positive bits, so the cast keeps their value.
    OpenOptions::new()
        .read(true)
        .custom_flags(flags.bits() as i32)
        .open(path)
}

#[cfg(not(unix))]
fn open(path: &Path) -> io::Result<File> {
    OpenOptions::new().read(true).open(path)
}

/// True for the null device: the same device number as `/dev/null`.
#[cfg(unix)]
fn is_null_device(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::{FileTypeExt, MetadataExt};
    meta.file_type().is_char_device()
        && std::fs::metadata("/dev/null").is_ok_and(|null| null.rdev() == meta.rdev())
}

#[cfg(not(unix))]
fn is_null_device(_meta: &std::fs::Metadata) -> bool {
    false
}

#[cfg(unix)]
fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let kind = meta.file_type();
    if kind.is_dir() {
        "a directory"
    } else if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

#[cfg(not(unix))]
fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    if meta.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

/// True for a file on procfs or sysfs, asked of the open descriptor.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn on_pseudo_filesystem(file: &File, _path: &Path) -> bool {
    /// `SYSFS_MAGIC` from `<linux/magic.h>` (rustix names only procfs's).
    const SYSFS_MAGIC: u64 = 0x6265_6572;
    match rustix::fs::fstatfs(file) {
        // `f_type`'s width differs between targets; the magic numbers fit
        // in 32 bits on all of them.
        #[allow(clippy::unnecessary_cast, clippy::useless_conversion)]
        Ok(stat) => {
            let magic = stat.f_type as u64 & 0xffff_ffff;
            magic == rustix::fs::PROC_SUPER_MAGIC as u64 & 0xffff_ffff || magic == SYSFS_MAGIC
        }
        // Not knowing is not a reason to refuse a file that is regular.
        Err(_) => false,
    }
}

/// True for a file under `/proc` or `/sys`, by its canonical path: where no
/// filesystem magic is at hand.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn on_pseudo_filesystem(_file: &File, path: &Path) -> bool {
    let real: std::path::PathBuf =
        std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    real.starts_with("/proc") || real.starts_with("/sys")
}

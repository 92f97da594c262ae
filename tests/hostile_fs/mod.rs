//! Hostile file kinds for the edit tests: FIFOs, device nodes, other owners.
#![allow(dead_code)]

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use super::common::TempFiles;

/// Whether the tests run as root (the CI does): only root can make a file
/// owned by someone else, or a device node.
pub fn is_root() -> bool {
    let files = TempFiles::new();
    let probe = files.write("probe", "");
    std::fs::metadata(probe).unwrap().uid() == 0
}

fn c_path(path: &Path) -> CString {
    CString::new(path.as_os_str().as_bytes()).unwrap()
}

pub fn mkfifo(path: &Path) {
    let c = c_path(path);
    // SAFETY: `c` is a valid NUL-terminated path that outlives the call.
    let rc = unsafe { libc::mkfifo(c.as_ptr(), 0o600) };
    assert_eq!(rc, 0, "mkfifo {}", path.display());
}

/// A character device like `/dev/null` (1, 3) at `path` when the tests may
/// make one (root); else the real `/dev/null`, which a non-root edit cannot
/// replace even on the old code, so the test never damages the machine.
pub fn device(path: &Path) -> PathBuf {
    let c = c_path(path);
    // SAFETY: `c` is a valid NUL-terminated path that outlives the call.
    let rc = unsafe { libc::mknod(c.as_ptr(), libc::S_IFCHR | 0o666, libc::makedev(1, 3)) };
    if rc == 0 {
        path.to_path_buf()
    } else {
        PathBuf::from("/dev/null")
    }
}

pub fn is_char_device(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_char_device())
}

pub fn is_fifo(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_fifo())
}

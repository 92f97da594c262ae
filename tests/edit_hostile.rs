//! Writes that never destroy (issue 19, item 5): hostile file kinds at the
//! config path and at its lock, other owners, hard links, BOMs and CRLF.
#![cfg(all(feature = "edit", unix))]

mod common;
mod hostile_fs;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::time::Duration;

use prefect_config::edit::{Change, ConfigFile, EditError};
use serde_json::json;

use common::TempFiles;
use hostile_fs::{device, is_char_device, is_fifo, is_root, mkfifo};

fn set_a(path: &Path) -> Result<prefect_config::edit::Edited, EditError> {
    ConfigFile::new(path).apply(&[Change::set("a", json!(5))])
}

#[test]
fn a_config_linked_to_a_device_is_refused_and_the_device_kept() {
    let files = TempFiles::new();
    let dev = device(&files.path("null"));
    let path = files.path("config.toml");
    std::os::unix::fs::symlink(&dev, &path).unwrap();
    let err = set_a(&path).unwrap_err();
    assert!(
        matches!(err, EditError::NotAFile { ref path, ref target, kind }
            if path.ends_with("config.toml") && *target == dev && kind == "a character device"),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(message.contains(&dev.display().to_string()), "{message}");
    assert!(is_char_device(&dev), "the device was replaced");
    assert!(std::fs::symlink_metadata(&path).unwrap().is_symlink());
}

#[test]
fn a_config_linked_to_a_fifo_or_a_directory_is_refused() {
    let files = TempFiles::new();
    let fifo = files.path("fifo");
    mkfifo(&fifo);
    let dir = files.path("dir");
    std::fs::create_dir(&dir).unwrap();
    for (target, kind) in [(&fifo, "a FIFO"), (&dir, "a directory")] {
        let path = files.path("config.toml");
        let _ = std::fs::remove_file(&path);
        std::os::unix::fs::symlink(target, &path).unwrap();
        let err = set_a(&path).unwrap_err();
        assert!(
            matches!(err, EditError::NotAFile { kind: k, .. } if k == kind),
            "{err:?}"
        );
    }
    assert!(is_fifo(&fifo));
    assert!(dir.is_dir() && std::fs::read_dir(&dir).unwrap().next().is_none());
}

/// A FIFO at the path itself: refused at once, never a hang under the lock.
#[test]
fn a_config_that_is_a_fifo_or_a_directory_is_refused_without_blocking() {
    let files = TempFiles::new();
    let fifo = files.path("config.toml");
    mkfifo(&fifo);
    let (send, receive) = std::sync::mpsc::channel();
    let path = fifo.clone();
    std::thread::spawn(move || send.send(set_a(&path).map(|_| ())));
    let result = receive
        .recv_timeout(Duration::from_secs(10))
        .expect("the edit of a FIFO blocked");
    assert!(
        matches!(result, Err(EditError::NotAFile { kind: "a FIFO", .. })),
        "{result:?}"
    );
    assert!(is_fifo(&fifo));

    let dir = files.path("d.toml");
    std::fs::create_dir(&dir).unwrap();
    let err = set_a(&dir).unwrap_err();
    assert!(matches!(
        err,
        EditError::NotAFile {
            kind: "a directory",
            ..
        }
    ));
    assert!(err.to_string().contains("d.toml"), "{err}");
}

#[test]
fn a_link_to_a_missing_file_still_creates_it() {
    let files = TempFiles::new();
    let path = files.path("config.toml");
    std::os::unix::fs::symlink("real/new.toml", &path).unwrap();
    let edited = set_a(&path).unwrap();
    assert!(edited.created());
    assert_eq!(
        std::fs::read_to_string(files.path("real/new.toml")).unwrap(),
        "a = 5\n"
    );
    assert!(std::fs::symlink_metadata(&path).unwrap().is_symlink());
}

#[test]
fn a_planted_dangling_lock_link_creates_nothing() {
    let files = TempFiles::new();
    let path = files.write("conf/config.toml", "a = 1\n");
    let planted = files.path("planted");
    std::os::unix::fs::symlink(&planted, files.path("conf/.config.toml.lock")).unwrap();
    let err = set_a(&path).unwrap_err();
    assert!(
        matches!(err, EditError::UnsafeLock { ref path, kind: "a symbolic link" }
            if path.ends_with(".config.toml.lock")),
        "{err:?}"
    );
    assert!(err.to_string().contains(".config.toml.lock"), "{err}");
    assert!(std::fs::symlink_metadata(&planted).is_err(), "created");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "a = 1\n");
}

#[test]
fn a_lock_that_is_a_fifo_or_a_link_to_a_file_is_refused() {
    let files = TempFiles::new();
    let path = files.write("conf/config.toml", "a = 1\n");
    let lock = files.path("conf/.config.toml.lock");
    let victim = files.write("victim", "mine\n");
    std::os::unix::fs::symlink(&victim, &lock).unwrap();
    let err = set_a(&path).unwrap_err();
    assert!(matches!(err, EditError::UnsafeLock { .. }), "{err:?}");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "mine\n");
    std::fs::remove_file(&lock).unwrap();
    mkfifo(&lock);
    let err = set_a(&path).unwrap_err();
    assert!(
        matches!(err, EditError::UnsafeLock { kind: "a FIFO", .. }),
        "{err:?}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "a = 1\n");
}

#[test]
fn another_users_file_keeps_its_owner_group_and_mode() {
    if !is_root() {
        // Only root can make a file owned by someone else; the CI runs as root.
        eprintln!("not root: another user's file cannot be made");
        return;
    }
    let files = TempFiles::new();
    let path = files.write("config.toml", "a = 1\n");
    std::os::unix::fs::chown(&path, Some(12345), Some(12346)).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    let edited = set_a(&path).unwrap();
    let meta = std::fs::metadata(&path).unwrap();
    assert_eq!((meta.uid(), meta.gid()), (12345, 12346));
    assert_eq!(meta.mode() & 0o7777, 0o640);
    assert!(!edited.created());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "a = 5\n");
}

/// A user who may replace another user's file (a directory they can write)
/// but not give a file away is refused, and the file stays its owner's.
#[cfg(feature = "cli")]
#[test]
fn a_non_root_edit_that_cannot_keep_the_owner_is_refused() {
    use std::os::unix::process::CommandExt;
    if !is_root() {
        eprintln!("not root: the test needs two other users");
        return;
    }
    let files = TempFiles::new();
    std::fs::set_permissions(files.dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let path = files.write("config.toml", "a = 1\n");
    std::os::unix::fs::chown(&path, Some(12345), Some(12345)).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_prefect-config"))
        .env_clear()
        .env("HOME", files.dir.path())
        .args(["--user".as_ref(), path.as_os_str()])
        .args(["set", "a", "5"])
        .uid(23456)
        .gid(23456)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("belongs to user 12345"), "{stderr}");
    let meta = std::fs::metadata(&path).unwrap();
    assert_eq!(
        (meta.uid(), meta.gid(), meta.mode() & 0o7777),
        (12345, 12345, 0o644)
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "a = 1\n");
    let left: Vec<_> = std::fs::read_dir(files.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("prefect-edit"))
        .collect();
    assert!(left.is_empty(), "temporary files left: {left:?}");
}

#[test]
fn a_hard_linked_config_is_refused_and_no_name_splits() {
    let files = TempFiles::new();
    let path = files.write("config.toml", "a = 1\n");
    let other = files.path("other.toml");
    std::fs::hard_link(&path, &other).unwrap();
    let err = set_a(&path).unwrap_err();
    assert!(
        matches!(err, EditError::HardLinked { links: 2, .. }),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        message.contains("config.toml") && message.contains("hard links"),
        "{message}"
    );
    for name in [&path, &other] {
        assert_eq!(std::fs::read_to_string(name).unwrap(), "a = 1\n");
    }
    assert_eq!(std::fs::metadata(&path).unwrap().nlink(), 2);
}

#[test]
fn a_bom_and_crlf_endings_are_kept() {
    let files = TempFiles::new();
    let text = "\u{feff}# top\r\na = 1\r\n[t]\r\nb = 2\r\n";
    let path = files.write("config.toml", text);
    ConfigFile::new(&path)
        .apply(&[Change::set("a", json!(5)), Change::set("t.c", json!("x"))])
        .unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "\u{feff}# top\r\na = 5\r\n[t]\r\nb = 2\r\nc = \"x\"\r\n"
    );
}

#[test]
fn untouched_lines_of_mixed_endings_are_byte_identical() {
    let files = TempFiles::new();
    let path = files.write("config.toml", "# lf\na = 1\r\n# crlf\r\n[t]\nb = 2\r\n");
    ConfigFile::new(&path)
        .apply(&[Change::set("t.b", json!(3))])
        .unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "# lf\na = 1\r\n# crlf\r\n[t]\nb = 3\r\n"
    );
}

/// The edit reads the file through the loader's one reader: a file over the
/// configuration cap is refused, not read whole, and is left as it was.
#[test]
fn a_config_over_the_file_cap_is_refused_unchanged() {
    let files = TempFiles::new();
    let path = files.path("config.toml");
    let cap = prefect_config::config::Limits::default().max_file_bytes;
    let text = format!("# {}\n", "x".repeat(usize::try_from(cap).unwrap()));
    std::fs::write(&path, &text).unwrap();
    let err = set_a(&path).unwrap_err();
    assert!(
        matches!(err, EditError::TooLarge { limit, .. } if limit == cap),
        "{err}"
    );
    assert!(err.to_string().contains("config.toml"), "{err}");
    assert_eq!(std::fs::metadata(&path).unwrap().len(), text.len() as u64);
}

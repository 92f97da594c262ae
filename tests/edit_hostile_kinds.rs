//! Writes that never destroy (issue 19, item 5), as a property: random file
//! kinds at the config path and at its lock, random edits.
#![cfg(all(feature = "edit", unix))]

mod common;
mod hostile_fs;

use std::cell::Cell;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use prefect_config::edit::{Change, ConfigFile, EditError};
use proptest::{prop_assert, prop_assert_eq};
use serde_json::json;

use common::TempFiles;
use hostile_fs::{device, is_char_device, is_root, mkfifo};

/// What is at the config path before an edit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Config {
    Missing,
    Regular,
    LinkToRegular,
    Dangling,
    LinkToDevice,
    LinkToFifo,
    Fifo,
    Directory,
    HardLink,
    /// A file of another owner (as root); else a file of an unusual mode.
    OtherOwner,
}

const CONFIGS: [Config; 10] = [
    Config::Missing,
    Config::Regular,
    Config::LinkToRegular,
    Config::Dangling,
    Config::LinkToDevice,
    Config::LinkToFifo,
    Config::Fifo,
    Config::Directory,
    Config::HardLink,
    Config::OtherOwner,
];

/// What is at the lock path (beside the file the config path leads to).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Lock {
    Missing,
    Regular,
    Dangling,
    LinkToRegular,
    LinkToDevice,
    Fifo,
    Directory,
}

const LOCKS: [Lock; 7] = [
    Lock::Missing,
    Lock::Regular,
    Lock::Dangling,
    Lock::LinkToRegular,
    Lock::LinkToDevice,
    Lock::Fifo,
    Lock::Directory,
];

/// How the lines of an existing file end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Endings {
    Lf,
    Crlf,
    Mixed,
}

#[derive(Clone, Debug)]
struct Case {
    config: Config,
    lock: Lock,
    bom: bool,
    endings: Endings,
    /// For `Endings::Mixed`: which lines end with CRLF.
    crlf_lines: Vec<bool>,
    mode: u32,
    changes: Vec<(usize, Option<i64>)>,
}

const KEYS: [&str; 5] = ["a", "t.b", "t.c", "u.d", "context.secrets.S"];
const LINES: [&str; 6] = ["# top", "a = 1", "", "[t]", "# inside", "b = 2"];

fn case() -> impl proptest::strategy::Strategy<Value = Case> {
    use proptest::prelude::*;
    (
        proptest::sample::select(&CONFIGS[..]),
        // Half the locks are harmless, so that many edits get through.
        prop_oneof![
            2 => proptest::sample::select(&LOCKS[..2]),
            3 => proptest::sample::select(&LOCKS[..]),
        ],
        any::<bool>(),
        prop_oneof![Just(Endings::Lf), Just(Endings::Crlf), Just(Endings::Mixed)],
        proptest::collection::vec(any::<bool>(), LINES.len()),
        proptest::sample::select(&[0o600u32, 0o644, 0o640, 0o604][..]),
        proptest::collection::vec(
            (0..KEYS.len(), proptest::option::weighted(0.8, -9i64..100)),
            1..4,
        ),
    )
        .prop_map(
            |(config, lock, bom, endings, crlf_lines, mode, changes)| Case {
                config,
                lock,
                bom,
                endings,
                crlf_lines,
                mode,
                changes,
            },
        )
}

fn original_text(case: &Case) -> String {
    let mut text = String::from(if case.bom { "\u{feff}" } else { "" });
    for (i, line) in LINES.iter().enumerate() {
        let crlf = match case.endings {
            Endings::Lf => false,
            Endings::Crlf => true,
            Endings::Mixed => case.crlf_lines[i],
        };
        text.push_str(line);
        text.push_str(if crlf { "\r\n" } else { "\n" });
    }
    text
}

/// The lines of `text` with their endings, without a BOM.
fn split_lines(text: &str) -> Vec<&str> {
    text.trim_start_matches('\u{feff}')
        .split_inclusive('\n')
        .collect()
}

fn file_type(path: &Path) -> Option<std::fs::FileType> {
    std::fs::symlink_metadata(path).ok().map(|m| m.file_type())
}

/// Random kinds of file at the config path and at its lock, random edits:
/// no non-regular file is ever replaced, nothing outside the config's
/// directory is created through the lock, every refusal is a typed error
/// naming its path, and a successful edit keeps owner, mode, BOM and the
/// endings of untouched lines.
#[test]
fn hostile_file_kinds_never_lose_anything() {
    use proptest::test_runner::{Config as Runner, TestCaseError, TestRunner};
    let root = is_root();
    let configs: [Cell<usize>; CONFIGS.len()] = Default::default();
    let locks_reached: [Cell<usize>; LOCKS.len()] = Default::default();
    // Successful edits of an existing file: with a BOM, CRLF, mixed endings.
    let kept: [Cell<usize>; 3] = Default::default();
    let mut runner = TestRunner::new(Runner {
        cases: 500,
        failure_persistence: None,
        ..Runner::default()
    });
    runner
        .run(&case(), |case| {
            let seen = &configs[CONFIGS.iter().position(|c| *c == case.config).unwrap()];
            seen.set(seen.get() + 1);
            let files = TempFiles::new();
            let conf_dir = files.path("conf");
            let outside = files.path("outside");
            std::fs::create_dir_all(&conf_dir).unwrap();
            std::fs::create_dir_all(&outside).unwrap();
            let path = conf_dir.join("config.toml");
            let text = original_text(&case);
            // Where the config path leads: the file an edit writes.
            let target = match case.config {
                Config::LinkToRegular => {
                    let real = outside.join("real.toml");
                    std::fs::write(&real, &text).unwrap();
                    std::os::unix::fs::symlink(&real, &path).unwrap();
                    real
                }
                Config::Dangling => {
                    std::os::unix::fs::symlink("new.toml", &path).unwrap();
                    conf_dir.join("new.toml")
                }
                Config::LinkToDevice => {
                    let dev = device(&outside.join("null"));
                    std::os::unix::fs::symlink(&dev, &path).unwrap();
                    dev
                }
                Config::LinkToFifo => {
                    let fifo = outside.join("fifo");
                    mkfifo(&fifo);
                    std::os::unix::fs::symlink(&fifo, &path).unwrap();
                    fifo
                }
                Config::Fifo => {
                    mkfifo(&path);
                    path.clone()
                }
                Config::Directory => {
                    std::fs::create_dir(&path).unwrap();
                    path.clone()
                }
                Config::HardLink => {
                    std::fs::write(&path, &text).unwrap();
                    std::fs::hard_link(&path, outside.join("other.toml")).unwrap();
                    path.clone()
                }
                Config::Regular | Config::OtherOwner => {
                    std::fs::write(&path, &text).unwrap();
                    path.clone()
                }
                Config::Missing => path.clone(),
            };
            let regular_before = file_type(&target).is_some_and(|t| t.is_file());
            if regular_before {
                std::fs::set_permissions(&target, std::fs::Permissions::from_mode(case.mode))
                    .unwrap();
                if case.config == Config::OtherOwner && root {
                    std::os::unix::fs::chown(&target, Some(12345), Some(12346)).unwrap();
                }
            }
            let before = std::fs::symlink_metadata(&target).ok();
            let target_dir = target.parent().unwrap().to_path_buf();
            let lock = target_dir.join(format!(
                ".{}.lock",
                target.file_name().unwrap().to_string_lossy()
            ));
            let planted = files.path("planted");
            let victim = files.write("victim", "mine\n");
            let unsafe_lock = !matches!(case.lock, Lock::Missing | Lock::Regular);
            if !is_char_device(&target) {
                match case.lock {
                    Lock::Missing => {}
                    Lock::Regular => std::fs::write(&lock, "").unwrap(),
                    Lock::Dangling => std::os::unix::fs::symlink(&planted, &lock).unwrap(),
                    Lock::LinkToRegular => std::os::unix::fs::symlink(&victim, &lock).unwrap(),
                    Lock::LinkToDevice => {
                        let dev = device(&files.path("lockdev"));
                        std::os::unix::fs::symlink(dev, &lock).unwrap();
                    }
                    Lock::Fifo => mkfifo(&lock),
                    Lock::Directory => std::fs::create_dir(&lock).unwrap(),
                }
            }
            let changes: Vec<Change> = case
                .changes
                .iter()
                .map(|&(key, value)| match value {
                    Some(v) => Change::set(KEYS[key], json!(v)),
                    None => Change::unset(KEYS[key]),
                })
                .collect();
            let result = ConfigFile::new(&path).apply(&changes);

            // Never is a path outside the config's directory created or
            // changed through the lock.
            prop_assert!(file_type(&planted).is_none(), "planted created");
            prop_assert_eq!(std::fs::read_to_string(&victim).unwrap(), "mine\n");
            let non_regular = matches!(
                case.config,
                Config::LinkToDevice | Config::LinkToFifo | Config::Fifo | Config::Directory
            );
            let after = std::fs::symlink_metadata(&target).ok();
            if non_regular {
                let err = result.expect_err("a non-regular file was edited");
                prop_assert!(
                    matches!(err, EditError::NotAFile { path: ref p, .. } if *p == path),
                    "{:?}",
                    err
                );
                prop_assert!(err.to_string().contains(&path.display().to_string()));
                let (before, after) = (before.unwrap(), after.unwrap());
                prop_assert_eq!(before.file_type(), after.file_type());
                prop_assert_eq!(before.ino(), after.ino(), "replaced");
                return Ok(());
            }
            let seen = &locks_reached[LOCKS.iter().position(|l| *l == case.lock).unwrap()];
            seen.set(seen.get() + 1);
            if unsafe_lock {
                let err = result.as_ref().expect_err("an unsafe lock was used");
                prop_assert!(
                    matches!(err, EditError::UnsafeLock { path: p, .. } if *p == lock),
                    "{:?}",
                    err
                );
                prop_assert!(err.to_string().contains(&lock.display().to_string()));
            } else if case.config == Config::HardLink {
                let err = result.as_ref().expect_err("a hard-linked file was edited");
                let hard_linked = matches!(err, EditError::HardLinked { links: 2, .. });
                prop_assert!(hard_linked, "{:?}", err);
                prop_assert!(err.to_string().contains(&target.display().to_string()));
            }
            let new_text = std::fs::read_to_string(&target).ok();
            let edited = match result {
                Ok(edited) => edited,
                Err(err) => {
                    // Refused: every name keeps its text (unset of a key the
                    // file lacks also lands here).
                    if regular_before {
                        prop_assert_eq!(new_text.as_deref(), Some(text.as_str()), "{}", err);
                    } else {
                        prop_assert!(new_text.is_none(), "{}", err);
                    }
                    if case.config == Config::HardLink {
                        let other = std::fs::read_to_string(outside.join("other.toml")).unwrap();
                        prop_assert_eq!(other, text.as_str());
                    }
                    return Ok(());
                }
            };
            let new_text = new_text.unwrap();
            prop_assert_eq!(edited.file(), target.as_path());
            let meta = after.unwrap();
            prop_assert!(meta.file_type().is_file());
            if let Some(before) = before.filter(|b| b.file_type().is_file()) {
                prop_assert_eq!(
                    (meta.uid(), meta.gid(), meta.mode() & 0o7777),
                    (before.uid(), before.gid(), before.mode() & 0o7777)
                );
                prop_assert_eq!(new_text.starts_with('\u{feff}'), case.bom);
                check_endings(&case, &text, &new_text)?;
                for (seen, hit) in kept.iter().zip([
                    case.bom,
                    case.endings == Endings::Crlf,
                    case.endings == Endings::Mixed,
                ]) {
                    seen.set(seen.get() + usize::from(hit));
                }
            } else {
                prop_assert_eq!(meta.mode() & 0o7777, 0o600);
            }
            Ok::<(), TestCaseError>(())
        })
        .unwrap();
    // The generator hits every kind often enough to mean something.
    for (kind, n) in CONFIGS.iter().zip(configs.iter().map(Cell::get)) {
        assert!(n >= 8, "{kind:?} generated {n} times");
    }
    for (kind, n) in LOCKS.iter().zip(locks_reached.iter().map(Cell::get)) {
        assert!(n >= 4, "lock {kind:?} reached {n} times");
    }
    for (kind, n) in ["a BOM", "CRLF", "mixed endings"]
        .iter()
        .zip(kept.iter().map(Cell::get))
    {
        assert!(n >= 4, "edits kept {kind} {n} times");
    }
}

/// Untouched lines (those whose text is unique in both files) keep their
/// endings byte for byte; in a file of one ending, every line has it.
fn check_endings(
    case: &Case,
    old: &str,
    new: &str,
) -> Result<(), proptest::test_runner::TestCaseError> {
    use proptest::prop_assert;
    let old_lines = split_lines(old);
    let new_lines = split_lines(new);
    match case.endings {
        Endings::Lf => prop_assert!(!new.contains('\r'), "{:?}", new),
        Endings::Crlf => prop_assert!(new_lines.iter().all(|l| l.ends_with("\r\n")), "{:?}", new),
        Endings::Mixed => {}
    }
    let bare = |l: &&str| l.trim_end_matches(['\r', '\n']).to_owned();
    for line in &old_lines {
        let text = bare(line);
        let once = |lines: &[&str]| lines.iter().filter(|l| bare(l) == text).count() == 1;
        if once(&old_lines) && once(&new_lines) {
            let kept = new_lines.iter().find(|l| bare(l) == text).unwrap();
            prop_assert!(kept == line, "{:?} became {:?} in {:?}", line, kept, new);
        }
    }
    Ok(())
}

//! The one file reader: every file type at every read path.
//!
//! Each hostile file is refused by looking at the descriptor that was
//! opened: a FIFO never blocks, a device or `/proc` file is never read, an
//! oversized file is read no further than its cap. Loads that could block
//! (a FIFO on the old code) run on a thread with a deadline, so a
//! regression fails instead of hanging the suite.
#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use prefect_config::config::{Config, ConfigError, ConfigWarning, Limits, Loader, read_file};
use proptest::prelude::*;
use tempfile::TempDir;

/// What a test plants at a read path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Regular,
    Fifo,
    Directory,
    DevZero,
    DevNull,
    ProcStatus,
    Oversized,
}

const KINDS: [Kind; 7] = [
    Kind::Regular,
    Kind::Fifo,
    Kind::Directory,
    Kind::DevZero,
    Kind::DevNull,
    Kind::ProcStatus,
    Kind::Oversized,
];

/// The cap the tests load with: small, so an oversized file is cheap.
const CAP: u64 = 64;

fn plant(path: &Path, kind: Kind) {
    match kind {
        Kind::Regular => std::fs::write(path, "x = 1\n").unwrap(),
        Kind::Fifo => rustix::fs::mkfifoat(
            rustix::fs::CWD,
            path,
            rustix::fs::Mode::RUSR | rustix::fs::Mode::WUSR,
        )
        .unwrap(),
        Kind::Directory => std::fs::create_dir(path).unwrap(),
        Kind::DevZero => std::os::unix::fs::symlink("/dev/zero", path).unwrap(),
        Kind::DevNull => std::os::unix::fs::symlink("/dev/null", path).unwrap(),
        Kind::ProcStatus => std::os::unix::fs::symlink("/proc/self/status", path).unwrap(),
        Kind::Oversized => {
            std::fs::write(path, format!("x = '{}'\n", "a".repeat(CAP as usize))).unwrap()
        }
    }
}

/// Runs `load` on a thread and gives up after a few seconds: a FIFO read
/// the old way blocks forever.
fn within_deadline<T: Send + 'static>(load: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(load());
    });
    rx.recv_timeout(Duration::from_secs(10))
        .expect("the load blocked: a file was opened or read in a way that waits")
}

fn loader(dir: &Path) -> Loader {
    Loader::new()
        .defaults_toml("")
        .limits(
            Limits::default()
                .max_file_bytes(CAP)
                .max_secret_file_bytes(CAP),
        )
        .env_vars([("HOME", dir.to_str().unwrap())])
}

fn load_in(dir: PathBuf, make: fn(Loader, &Path) -> Loader) -> Result<Config, ConfigError> {
    within_deadline(move || make(loader(&dir), &dir).load())
}

/// What a configuration file of `kind` must give: a regular file loads,
/// every other kind is an error naming the file.
fn assert_config_file_outcome(kind: Kind, path: &Path, result: Result<Config, ConfigError>) {
    match (kind, result) {
        (Kind::Regular, Ok(cfg)) => assert_eq!(cfg.get("x"), Some(&serde_json::json!(1))),
        (Kind::DevNull, Ok(cfg)) => assert_eq!(cfg.get("x"), None),
        (Kind::Oversized, Err(err)) => {
            assert!(
                matches!(err, ConfigError::FileTooLarge { limit: CAP, .. }),
                "{err}"
            );
            assert!(
                err.to_string().contains(&path.display().to_string()),
                "{err}"
            );
        }
        (_, Err(err)) => {
            assert!(
                matches!(err, ConfigError::NotRegularFile { .. }),
                "{kind:?}: {err}"
            );
            assert!(
                err.to_string().contains(&path.display().to_string()),
                "{err}"
            );
        }
        (kind, Ok(_)) => panic!("a {kind:?} was loaded as a configuration file"),
    }
}

#[test]
fn a_user_config_path_of_dev_zero_is_refused_quickly_naming_it() {
    // The old code read /dev/zero without limit (516 MiB), then called it missing.
    let dir = TempDir::new().unwrap();
    let err = within_deadline({
        let home = dir.path().to_str().unwrap().to_owned();
        move || {
            Loader::prefect()
                .env_vars([
                    ("HOME", home.as_str()),
                    ("PREFECT__USER_CONFIG_PATH", "/dev/zero"),
                ])
                .load()
                .unwrap_err()
        }
    });
    assert!(
        matches!(
            err,
            ConfigError::NotRegularFile {
                what: "a character device",
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("/dev/zero"), "{err}");
}

#[test]
fn a_user_config_that_is_a_fifo_is_refused_without_blocking() {
    let dir = TempDir::new().unwrap();
    let fifo = dir.path().join("config.toml");
    plant(&fifo, Kind::Fifo);
    let result = load_in(dir.path().to_path_buf(), |l, d| {
        l.user_file(d.join("config.toml"))
    });
    assert_config_file_outcome(Kind::Fifo, &fifo, result);
}

#[test]
fn a_config_file_that_is_a_directory_is_an_error_not_a_missing_file() {
    // The old code skipped it silently, as if it did not exist.
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("config.toml");
    plant(&path, Kind::Directory);
    let result = load_in(dir.path().to_path_buf(), |l, d| {
        l.user_file(d.join("config.toml"))
    });
    assert_config_file_outcome(Kind::Directory, &path, result);
}

#[test]
fn a_missing_user_file_is_still_skipped() {
    let dir = TempDir::new().unwrap();
    let cfg = loader(dir.path())
        .user_file(dir.path().join("nope.toml"))
        .load()
        .unwrap();
    assert_eq!(cfg.get("x"), None);
}

#[test]
fn an_oversized_config_file_is_an_error_naming_the_file_and_the_cap() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("defaults.toml");
    plant(&path, Kind::Oversized);
    let err = loader(dir.path()).defaults_file(&path).load().unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "`{}` is larger than the limit of {CAP} bytes",
            path.display()
        )
    );
    // At the cap exactly is fine.
    std::fs::write(&path, format!("x = '{}'", "a".repeat(CAP as usize - 6))).unwrap();
    assert!(loader(dir.path()).defaults_file(&path).load().is_ok());
}

#[test]
fn the_public_reader_refuses_proc_files_and_devices() {
    let limits = Limits::default();
    for path in ["/proc/self/status", "/proc/self/cmdline"] {
        let err = read_file(path, &limits).unwrap_err();
        assert!(
            matches!(
                err,
                ConfigError::NotRegularFile {
                    what: "a file on /proc or /sys",
                    ..
                }
            ),
            "{err}"
        );
    }
    // The null device reads as an empty file: pointing a config path at it
    // is a common way to switch a file off.
    assert_eq!(read_file("/dev/null", &limits).unwrap(), "");
}

/// Loads a secrets directory holding one `GOOD` file and one entry `BAD` of
/// `kind`; gives the secrets and the warnings about `BAD`.
fn secrets_dir_with(kind: Kind) -> (serde_json::Value, Vec<String>) {
    let dir = TempDir::new().unwrap();
    let secrets = dir.path().join("secrets");
    std::fs::create_dir(&secrets).unwrap();
    std::fs::write(secrets.join("GOOD"), "fine\n").unwrap();
    plant(&secrets.join("BAD"), kind);
    let cfg = within_deadline(move || {
        let cfg = loader(dir.path()).secrets_dir(&secrets).load().unwrap();
        drop(dir);
        cfg
    });
    let warnings = cfg
        .warnings()
        .iter()
        .filter_map(|w| match w {
            ConfigWarning::SecretsDir { path, problem } if path.ends_with("BAD") => {
                Some(problem.clone())
            }
            _ => None,
        })
        .collect();
    (cfg.get("context.secrets").cloned().unwrap(), warnings)
}

#[test]
fn a_secrets_entry_linked_to_proc_is_skipped_with_a_warning() {
    // The old code checked the path (a regular file, size 0) and read it.
    let (secrets, warnings) = secrets_dir_with(Kind::ProcStatus);
    assert_eq!(secrets, serde_json::json!({"GOOD": "fine"}));
    assert_eq!(warnings, ["is a file on /proc or /sys, not a regular file"]);
}

#[test]
fn secrets_entries_that_are_not_regular_files_are_skipped_with_a_warning() {
    for (kind, problem) in [
        (Kind::Fifo, "is a FIFO, not a regular file"),
        (Kind::Directory, "is a directory, not a secret file"),
        (Kind::DevNull, "is the null device, not a regular file"),
        (Kind::DevZero, "is a character device, not a regular file"),
        (Kind::Oversized, "is larger than 64 bytes"),
    ] {
        let (secrets, warnings) = secrets_dir_with(kind);
        assert_eq!(secrets, serde_json::json!({"GOOD": "fine"}), "{kind:?}");
        assert_eq!(warnings, [problem], "{kind:?}");
    }
    let (secrets, warnings) = secrets_dir_with(Kind::Regular);
    assert_eq!(secrets, serde_json::json!({"GOOD": "fine", "BAD": "x = 1"}));
    assert!(warnings.is_empty());
}

/// The read paths a configuration file can come in by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Via {
    Defaults,
    User,
    Backend,
    Secret,
}

const VIAS: [Via; 4] = [Via::Defaults, Via::User, Via::Backend, Via::Secret];

fn check_one(kind: Kind, via: Via) {
    if via == Via::Secret {
        let (secrets, warnings) = secrets_dir_with(kind);
        assert_eq!(
            secrets.get("BAD").is_some(),
            kind == Kind::Regular,
            "{kind:?}"
        );
        assert_eq!(warnings.is_empty(), kind == Kind::Regular, "{kind:?}");
        return;
    }
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("file.toml");
    plant(&path, kind);
    let make: fn(Loader, &Path) -> Loader = match via {
        Via::Defaults => |l, d| l.defaults_file(d.join("file.toml")),
        Via::User => |l, d| l.user_file(d.join("file.toml")),
        _ => |l, d| l.backend_file(d.join("file.toml")),
    };
    let result = load_in(dir.path().to_path_buf(), make);
    assert_config_file_outcome(kind, &path, result);
}

fn cases() -> impl Strategy<Value = (Kind, Via)> {
    (
        proptest::sample::select(KINDS.to_vec()),
        proptest::sample::select(VIAS.to_vec()),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 56, ..ProptestConfig::default() })]

    #[test]
    fn every_file_type_at_every_read_path_is_read_or_refused_never_hangs((kind, via) in cases()) {
        check_one(kind, via);
    }
}

/// The generator must reach every file type and every read path in a run
/// of the size above.
#[test]
fn the_generator_hits_every_kind_and_path() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut kinds = std::collections::HashSet::new();
    let mut vias = std::collections::HashSet::new();
    for _ in 0..56 {
        let (kind, via) = cases().new_tree(&mut runner).unwrap().current();
        kinds.insert(format!("{kind:?}"));
        vias.insert(format!("{via:?}"));
    }
    assert_eq!(kinds.len(), KINDS.len());
    assert_eq!(vias.len(), VIAS.len());
}

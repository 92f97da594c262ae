//! The global `--prefect VERSION` flag: Prefect 1.4.1's embedded defaults
//! with `--prefect 1`, 0.15.13's by default and with `--prefect 0.15`.
#![cfg(feature = "cli")]

mod common;

use common::TempFiles;
use common::cli::{cmd, user_file};

fn stdout_of(args: &[&str], files: &TempFiles) -> (Option<i32>, String) {
    let out = cmd(files).args(args).output().expect("runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn prefect_1_loads_the_1_4_1_defaults() {
    let files = TempFiles::new();
    let key = "cloud.rate_limiting.max_retries";
    assert_eq!(
        stdout_of(&["--prefect", "1", "get", key], &files),
        (Some(0), "6\n".to_owned())
    );
    // After the subcommand too: the flag is global.
    assert_eq!(
        stdout_of(&["get", key, "--prefect", "1.4.1"], &files),
        (Some(0), "6\n".to_owned())
    );
    for args in [&["get", key][..], &["--prefect", "0.15", "get", key]] {
        assert_eq!(stdout_of(args, &files).0, Some(1), "{args:?}");
    }
    // The rest of the defaults is the same in both.
    assert_eq!(
        stdout_of(&["--prefect", "1", "get", "server.port"], &files),
        stdout_of(&["get", "server.port"], &files)
    );
}

#[test]
fn an_unknown_version_is_a_usage_error() {
    let files = TempFiles::new();
    let out = cmd(&files)
        .args(["--prefect", "2", "view"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("expected `0.15` or `1`"), "{err}");
}

/// `view --changed` compares with the chosen version's defaults: the 1.x
/// table is not "changed" under `--prefect 1`.
#[test]
fn changed_compares_with_the_chosen_versions_defaults() {
    let files = TempFiles::new();
    let (code, out) = stdout_of(&["--prefect", "1", "view", "--changed"], &files);
    assert_eq!(code, Some(0));
    assert!(!out.contains("rate_limiting"), "{out}");
    let (_, full) = stdout_of(&["--prefect", "1", "view", "cloud"], &files);
    assert!(full.contains("[cloud.rate_limiting]"), "{full}");
}

#[test]
fn init_full_writes_the_chosen_versions_defaults() {
    let files = TempFiles::new();
    let (code, _) = stdout_of(&["--prefect", "1", "init", "--full"], &files);
    assert_eq!(code, Some(0));
    let text = std::fs::read_to_string(user_file(&files)).expect("written");
    assert_eq!(text, prefect_config::config::EMBEDDED_DEFAULTS_V1);
    let (code, _) = stdout_of(&["init", "--full", "--force"], &files);
    assert_eq!(code, Some(0));
    let text = std::fs::read_to_string(user_file(&files)).expect("written");
    assert_eq!(text, prefect_config::config::EMBEDDED_DEFAULTS);
}

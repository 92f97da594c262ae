//! The process environment, read once per load: variables that are not
//! UTF-8 are skipped, never a panic. Run through the binary, so that the test
//! never changes its own process's environment.
#![cfg(feature = "cli")]
#![cfg(unix)]

mod common;

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::process::Command;

use common::TempFiles;

#[test]
fn non_utf8_variables_are_skipped() {
    let files = TempFiles::new();
    let out = Command::new(env!("CARGO_BIN_EXE_prefect-config"))
        .args(["view", "server", "--format", "json"])
        .env_clear()
        .env("HOME", files.dir.path())
        .env(
            "PREFECT__SERVER__HOST",
            OsString::from_vec(b"bad\xff".to_vec()),
        )
        .env(OsString::from_vec(b"PREFECT__SERVER__\xff".to_vec()), "x")
        .env("PREFECT__SERVER__PORT", "1")
        .output()
        .expect("run prefect-config");
    assert!(out.status.success(), "{out:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["port"], 1);
    assert_eq!(
        json["host"], "http://localhost",
        "the non-UTF-8 value was skipped"
    );
}

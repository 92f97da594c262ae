//! Snapshots of the human-readable output of `view --show-sources`,
//! `explain` and `sources`, with the temp dir redacted to `[TMP]`.
#![cfg(feature = "cli")]

mod common;

use common::TempFiles;
use common::cli::{cmd, redact, with_defaults};

fn snapshot_of(files: &TempFiles, args: &[&str]) -> String {
    let d = with_defaults(files);
    files.write(".prefect/config.toml", "[server]\nport = '8080'\n");
    let out = cmd(files)
        .args(&d)
        .args(args)
        .env("PREFECT__SERVER__HOST", "http://example.com")
        .env("NO_COLOR", "1")
        .assert()
        .success();
    redact(&out.get_output().stdout, files)
}

#[test]
fn view_show_sources() {
    let files = TempFiles::new();
    insta::assert_snapshot!(snapshot_of(&files, &["view", "--show-sources"]));
}

#[test]
fn explain_with_references() {
    let files = TempFiles::new();
    insta::assert_snapshot!(snapshot_of(&files, &["explain", "server.endpoint"]));
}

#[test]
fn explain_across_layers() {
    let files = TempFiles::new();
    insta::assert_snapshot!(snapshot_of(&files, &["explain", "server.port"]));
}

#[test]
fn explain_of_a_value_built_from_a_secret() {
    let files = TempFiles::new();
    insta::assert_snapshot!(snapshot_of(
        &files,
        &["explain", "server.database.connection_url"]
    ));
}

#[test]
fn sources() {
    let files = TempFiles::new();
    insta::assert_snapshot!(snapshot_of(&files, &["sources"]));
}

//! The flags every command shares: `--format`, `--show-secrets` (old
//! spellings kept, hidden), `-q/--quiet`, `--color`, and the help's layout.
//! Colour on a terminal is in `cli_terminal.rs`.
#![cfg(feature = "cli")]

mod common;

use common::TempFiles;
use common::cli::{CANARY, cmd, user_file, with_defaults};
use predicates::prelude::*;

fn stdout_of(files: &TempFiles, args: &[&str]) -> String {
    let d = with_defaults(files);
    let out = cmd(files).args(&d).args(args).assert().success();
    String::from_utf8_lossy(&out.get_output().stdout).into_owned()
}

#[test]
fn format_json_on_get_explain_and_sources_and_json_still_works() {
    let files = TempFiles::new();
    for (new, old) in [
        (
            &["get", "server", "--format", "json"][..],
            &["get", "server", "--json"][..],
        ),
        (
            &["explain", "server.endpoint", "--format", "json"],
            &["explain", "server.endpoint", "--json"],
        ),
        (&["sources", "--format", "json"], &["sources", "--json"]),
    ] {
        let text = stdout_of(&files, new);
        let json: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        assert!(json.is_object() || json.is_array(), "{text}");
        assert_eq!(text, stdout_of(&files, old), "{new:?}");
    }
    // `text` is the default, and says so.
    assert_eq!(
        stdout_of(&files, &["get", "server.port", "--format", "text"]),
        "4200\n"
    );
    assert_eq!(stdout_of(&files, &["get", "server.port"]), "4200\n");
    assert!(stdout_of(&files, &["sources", "--format=text"]).starts_with("1. defaults"));
}

#[test]
fn format_rejects_what_a_command_cannot_print() {
    let files = TempFiles::new();
    for args in [
        &["get", "server.port", "--format", "toml"][..],
        &["sources", "--format", "env"],
        &["get", "server.port", "--json", "--format", "text"],
    ] {
        cmd(&files).args(args).assert().code(2);
    }
}

#[test]
fn the_old_spellings_are_hidden_from_help() {
    let files = TempFiles::new();
    for command in ["get", "explain", "sources"] {
        let help = stdout_of(&files, &[command, "--help"]);
        assert!(help.contains("--format <FORMAT>"), "{help}");
        assert!(!help.contains("--json"), "{help}");
    }
    let help = stdout_of(&files, &["secret", "get", "--help"]);
    assert!(help.contains("--show-secrets"), "{help}");
    assert!(!help.contains("--show "), "{help}");
}

#[test]
fn show_secrets_on_secret_get_and_show_still_works() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    files.write(
        ".prefect/config.toml",
        &format!("[context.secrets]\nDB = '{CANARY}'\n"),
    );
    for flag in ["--show-secrets", "--show"] {
        cmd(&files)
            .args(&d)
            .args(["secret", "get", "DB", flag])
            .assert()
            .success()
            .stdout(format!("{CANARY}\n"));
    }
    cmd(&files)
        .args(&d)
        .args(["secret", "get", "DB"])
        .assert()
        .success()
        .stdout(predicate::str::contains(CANARY).not());
}

#[test]
fn quiet_leaves_out_warnings_and_notes_but_not_output_or_errors() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    // `env` notes the secrets it leaves out (and the readable defaults
    // file holding one is warned about).
    let loud = cmd(&files).args(&d).arg("env").assert().success();
    let loud = loud.get_output().clone();
    let stderr = String::from_utf8_lossy(&loud.stderr);
    assert!(stderr.contains("note:"), "{stderr}");
    for quiet in ["-q", "--quiet"] {
        let out = cmd(&files)
            .args(&d)
            .args([quiet, "env"])
            .assert()
            .success()
            .stderr("");
        assert_eq!(out.get_output().stdout, loud.stdout);
        // After the subcommand too (a global flag).
        cmd(&files)
            .args(&d)
            .args(["env", quiet])
            .assert()
            .success()
            .stderr("");
    }
    // What a write did is a note as well.
    cmd(&files)
        .args(&d)
        .args(["set", "server.host", "example.com"])
        .assert()
        .success()
        .stderr(predicate::str::contains("set `server.host`"));
    cmd(&files)
        .args(&d)
        .args(["-q", "set", "server.host", "example.org"])
        .assert()
        .success()
        .stderr("");
    let written = std::fs::read_to_string(user_file(&files)).unwrap();
    assert!(written.contains("example.org"), "{written}");
    // validate's summary line goes; its findings (the requested output) stay.
    let bad = files.write("bad.toml", "[server]\nkeys = 1\n");
    cmd(&files)
        .args(&d)
        .args(["-q", "validate"])
        .arg(&bad)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("error: invalid key `server.keys`"))
        .stderr("");
    // Errors are never silenced.
    cmd(&files)
        .args(&d)
        .args(["-q", "get", "server.nope"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("error: no key `server.nope`"));
}

#[test]
fn color_takes_auto_always_never_only() {
    let files = TempFiles::new();
    for when in ["auto", "always", "never"] {
        stdout_of(&files, &["--color", when, "get", "server.port"]);
    }
    cmd(&files)
        .args(["--color", "sometimes", "get", "server.port"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "possible values: auto, always, never",
        ));
    // A forced colour does not touch a value printed on its own.
    assert_eq!(
        stdout_of(&files, &["--color", "always", "get", "server.port"]),
        "4200\n"
    );
}

#[test]
fn color_never_keeps_clap_errors_plain() {
    let files = TempFiles::new();
    let out = cmd(&files)
        .args(["--color", "always", "frobnicate"])
        .assert()
        .code(2);
    assert!(String::from_utf8_lossy(&out.get_output().stderr).contains('\u{1b}'));
    let out = cmd(&files)
        .args(["--color", "never", "frobnicate"])
        .env("CLICOLOR_FORCE", "1")
        .assert()
        .code(2);
    assert!(!String::from_utf8_lossy(&out.get_output().stderr).contains('\u{1b}'));
}

#[test]
fn help_opens_with_the_purpose_and_lists_global_options_apart() {
    let files = TempFiles::new();
    let help = stdout_of(&files, &["--help"]);
    let first = help.lines().next().unwrap();
    assert!(
        first.starts_with("Inspect, explain and edit Prefect's layered configuration"),
        "{help}"
    );
    assert!(first.contains("where each value comes from"), "{help}");
    for help in [help, stdout_of(&files, &["view", "--help"])] {
        let (own, global) = help.split_once("Global options:").expect(&help);
        for flag in [
            "--defaults",
            "--user",
            "--backend",
            "--env-prefix",
            "--color",
            "-q, --quiet",
        ] {
            assert!(global.contains(flag), "{flag}: {help}");
            assert!(!own.contains(flag), "{flag}: {help}");
        }
    }
    let help = stdout_of(&files, &["--help"]);
    assert!(help.contains("completions"), "{help}");
    assert!(!help.contains("__complete-keys"), "{help}");
}

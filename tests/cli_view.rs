//! The `prefect-config view` command, run as a process with a clean
//! environment and a temporary home.
#![cfg(feature = "cli")]

mod common;

use std::process::{Command, Output};

use common::TempFiles;

const CANARY: &str = "CANARY-cli-9a8b";

fn run(files: &TempFiles, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_prefect-config"))
        .args(args)
        .env_clear()
        .env("HOME", files.dir.path())
        .envs(env.iter().copied())
        .output()
        .expect("run prefect-config")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn view_prints_the_embedded_defaults_as_toml() {
    let files = TempFiles::new();
    let out = run(&files, &["view"], &[]);
    assert!(out.status.success(), "{out:?}");
    let text = stdout(&out);
    let parsed: toml::Table = text.parse().expect("view prints valid TOML");
    assert_eq!(parsed["server"]["port"].as_integer(), Some(4200));
    assert_eq!(
        parsed["home_dir"].as_str(),
        Some(format!("{}/.prefect", files.dir.path().display()).as_str())
    );
}

#[test]
fn view_reads_the_user_file_from_home_and_env_overrides() {
    let files = TempFiles::new();
    files.write(".prefect/config.toml", "[server]\nport = 1234\n");
    let out = run(
        &files,
        &["view", "server", "--format", "json"],
        &[("PREFECT__SERVER__HOST", "h")],
    );
    assert!(out.status.success(), "{out:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["port"], 1234);
    assert_eq!(json["host"], "h");
    assert_eq!(json["endpoint"], "h:1234");
}

#[test]
fn global_flags_point_at_other_inputs() {
    let files = TempFiles::new();
    let defaults = files.write("d.toml", "[a]\nb = 1\nc = 1\n");
    let user = files.write("u.toml", "[a]\nb = 2\n");
    let out = run(
        &files,
        &[
            "--defaults",
            defaults.to_str().unwrap(),
            "--user",
            user.to_str().unwrap(),
            "--env-prefix",
            "APP",
            "view",
            "a",
            "--format",
            "json",
        ],
        &[("APP__A__C", "3"), ("PREFECT__A__C", "9")],
    );
    assert!(out.status.success(), "{out:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json, serde_json::json!({"b": 2, "c": 3}));
}

#[test]
fn secrets_are_masked_in_every_format() {
    let files = TempFiles::new();
    files.write(
        ".prefect/config.toml",
        &format!("[context.secrets]\nTOML_SECRET = '{CANARY}'\n"),
    );
    for args in [
        &["view"][..],
        &["view", "--format", "json"],
        &["view", "context"],
        &["view", "context.secrets.ENV_SECRET"],
    ] {
        let out = run(
            &files,
            args,
            &[("PREFECT__CONTEXT__SECRETS__ENV_SECRET", CANARY)],
        );
        assert!(out.status.success(), "{args:?}: {out:?}");
        let text = format!("{}{}", stdout(&out), String::from_utf8_lossy(&out.stderr));
        assert!(!text.contains(CANARY), "{args:?}: {text}");
        assert!(text.contains("********"), "{args:?}: {text}");
    }
}

#[test]
fn errors_go_to_stderr_with_exit_status_1_and_usage_errors_2() {
    let files = TempFiles::new();
    let out = run(&files, &["view", "no.such.key"], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no.such.key"));

    let bad = files.write("bad.toml", "x = [");
    let out = run(&files, &["--user", bad.to_str().unwrap(), "view"], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("line 1"),
        "{out:?}"
    );

    let out = run(&files, &["view", "--format", "yaml"], &[]);
    assert_eq!(out.status.code(), Some(2));
}

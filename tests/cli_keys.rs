//! Keys as users type them (`server.port` or `PREFECT__SERVER__PORT` in any
//! case), subtrees printed with their full table paths, and null printed
//! one way, run as a process with a temporary home and an explicit
//! environment.
#![cfg(feature = "cli")]

mod common;

use common::TempFiles;
use common::cli::{cmd, user_file, with_defaults};
use predicates::prelude::*;
use serde_json::{Value, json};

fn text_of(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

#[test]
fn every_command_takes_a_variable_name_for_a_key() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    for key in [
        "server.port",
        "PREFECT__SERVER__PORT",
        "prefect__Server__PORT",
    ] {
        cmd(&files)
            .args(&d)
            .args(["get", key])
            .assert()
            .success()
            .stdout("4200\n");
        cmd(&files)
            .args(&d)
            .args(["explain", key])
            .assert()
            .success()
            .stdout(predicate::str::starts_with("server.port\n"));
        cmd(&files)
            .args(&d)
            .args(["view", key, "--format", "json"])
            .assert()
            .success()
            .stdout("4200\n");
        cmd(&files)
            .args(&d)
            .args(["env", "--include", key])
            .assert()
            .success()
            .stdout("export PREFECT__SERVER__PORT='4200'\n");
    }
    cmd(&files)
        .args(&d)
        .args(["view", "PREFECT__SERVER__DATABASE", "--format", "json"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"password\""));
    // A secret's name keeps its case; the prefix follows --env-prefix.
    cmd(&files)
        .args(&d)
        .args(["get", "PREFECT__CONTEXT__SECRETS__MyKey", "--show-secrets"])
        .env("PREFECT__CONTEXT__SECRETS__MyKey", "v")
        .assert()
        .success()
        .stdout("v\n");
    cmd(&files)
        .args(&d)
        .args(["--env-prefix", "APP", "get", "app__server__port"])
        .env("APP__SERVER__PORT", "1")
        .assert()
        .success()
        .stdout("1\n");
    // A name the loader would reject is no key.
    cmd(&files)
        .args(&d)
        .args(["get", "PREFECT__SERVER____PORT"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no key `PREFECT__SERVER____PORT`"));
}

#[test]
fn set_and_unset_take_a_variable_name_for_a_key() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    cmd(&files)
        .args(&d)
        .args([
            "set",
            "PREFECT__SERVER__HOST=example.com",
            "prefect__debug",
            "x",
        ])
        .assert()
        .success();
    let written: toml::Table = std::fs::read_to_string(user_file(&files))
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(written["server"]["host"].as_str(), Some("example.com"));
    assert_eq!(written["debug"].as_str(), Some("x"));
    cmd(&files)
        .args(&d)
        .args(["unset", "Prefect__Server__Host"])
        .assert()
        .success();
    let written: toml::Table = std::fs::read_to_string(user_file(&files))
        .unwrap()
        .parse()
        .unwrap();
    assert!(written.get("server").and_then(|s| s.get("host")).is_none());
}

#[test]
fn a_subtree_prints_with_its_full_table_path_and_pastes_into_a_config_file() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    let out = cmd(&files)
        .args(&d)
        .args(["view", "server.database", "--show-secrets"])
        .assert()
        .success();
    let text = text_of(&out.get_output().stdout);
    assert!(
        text.starts_with("[server.database]\npassword = \"db-pw\"\n"),
        "{text}"
    );
    // Pasted as a user file (with another password), it sets those keys.
    files.write(".prefect/config.toml", &text.replace("db-pw", "pasted"));
    cmd(&files)
        .args(&d)
        .args(["get", "server.database.password", "--show-secrets"])
        .assert()
        .success()
        .stdout("pasted\n");
    // A leaf, and a subtree with sources, keep the path too.
    cmd(&files)
        .args(&d)
        .args(["view", "server.port"])
        .assert()
        .success()
        .stdout("[server]\nport = 4200\n");
    let out = cmd(&files)
        .args(&d)
        .args(["view", "server.port", "--show-sources"])
        .assert()
        .success();
    let text = text_of(&out.get_output().stdout);
    assert!(
        text.starts_with("[server]\nport = 4200  # defaults "),
        "{text}"
    );
}

#[test]
fn null_prints_as_none_everywhere_but_json() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    // `tasks.defaults.timeout` is null (filled in by the task defaults).
    let run = |args: &[&str]| {
        let out = cmd(&files).args(&d).args(args).assert().success();
        text_of(&out.get_output().stdout)
    };
    assert_eq!(run(&["get", "tasks.defaults.timeout"]), "None\n");
    assert_eq!(run(&["get", "tasks.defaults.timeout", "--json"]), "null\n");
    assert!(run(&["explain", "tasks.defaults.timeout"]).contains("  value: None  "));
    assert!(run(&["view", "tasks.defaults"]).contains("timeout = \"None\"\n"));
    assert!(run(&["view", "tasks.defaults", "--show-sources"]).contains("timeout = \"None\"  # "));
    assert_eq!(
        run(&["env", "--include", "tasks.defaults.timeout"]),
        "export PREFECT__TASKS__DEFAULTS__TIMEOUT='None'\n"
    );
    let json: Value =
        serde_json::from_str(&run(&["view", "tasks.defaults", "--format", "json"])).unwrap();
    assert_eq!(json["timeout"], Value::Null);
    // Each spelling loads back as null: TOML pasted into a user file, and the
    // variable `env` printed.
    files.write(".prefect/config.toml", "[x]\nn = \"None\"\n");
    assert_eq!(run(&["get", "x.n", "--json"]), "null\n");
    let out = cmd(&files)
        .args(&d)
        .args(["get", "x.m", "--json"])
        .env("PREFECT__X__M", "None")
        .assert()
        .success();
    assert_eq!(
        serde_json::from_slice::<Value>(&out.get_output().stdout).unwrap(),
        json!(null)
    );
}

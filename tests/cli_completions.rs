//! `completions SHELL`, `man`, and the hidden `__complete-keys` the scripts
//! call, from the binary alone; the scripts run in bash, zsh and fish in
//! `cli_shells.rs` (feature `integration`).
#![cfg(feature = "cli")]
#![cfg(unix)]

mod common;

use common::TempFiles;
use common::cli::{cmd, with_defaults};
use predicates::prelude::*;

const SUBCOMMANDS: [&str; 12] = [
    "view",
    "get",
    "explain",
    "sources",
    "env",
    "validate",
    "init",
    "set",
    "unset",
    "secret",
    "completions",
    "man",
];

fn script(files: &TempFiles, shell: &str) -> String {
    let out = cmd(files).args(["completions", shell]).assert().success();
    String::from_utf8(out.get_output().stdout.clone()).expect("UTF-8")
}

#[test]
fn every_shell_gets_a_script_naming_the_subcommands() {
    let files = TempFiles::new();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let text = script(&files, shell);
        assert!(text.len() > 1000, "{shell}: {text}");
        for sub in SUBCOMMANDS {
            assert!(text.contains(sub), "{shell} lacks `{sub}`");
        }
        for flag in ["show-secrets", "format", "color", "quiet"] {
            assert!(text.contains(flag), "{shell} lacks `{flag}`");
        }
    }
    cmd(&files)
        .args(["completions", "tcsh"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bash"));
}

#[test]
fn the_scripts_for_bash_zsh_and_fish_ask_for_key_names() {
    let files = TempFiles::new();
    for shell in ["bash", "zsh", "fish"] {
        let text = script(&files, shell);
        assert!(text.contains("__complete-keys"), "{shell}");
    }
    let zsh = script(&files, "zsh");
    assert_eq!(
        zsh.matches(":_prefect_config_keys' \\").count(),
        5,
        "get, explain, view, set, unset: {zsh}"
    );
}

#[test]
fn completions_work_without_a_loadable_configuration() {
    let files = TempFiles::new();
    files.write(".prefect/config.toml", "not = [toml\n");
    assert!(script(&files, "bash").contains("_prefect_config_keys"));
    cmd(&files).arg("man").assert().success();
}

#[test]
fn man_prints_a_roff_page() {
    let files = TempFiles::new();
    let out = cmd(&files).arg("man").assert().success();
    let page = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let first = page.lines().next().unwrap();
    assert!(first.starts_with('.'), "{first}");
    let header = page
        .lines()
        .take(5)
        .find(|l| l.starts_with(".TH "))
        .expect("a .TH header in the first lines");
    assert!(header.starts_with(".TH prefect-config 1"), "{header}");
    assert!(page.contains(".SH NAME"), "{page}");
    assert!(page.contains(".SH SYNOPSIS"), "{page}");
    assert!(page.contains("layered configuration"), "{page}");
    for sub in SUBCOMMANDS {
        assert!(page.contains(sub), "man lacks `{sub}`");
    }
    assert!(!page.contains("__complete-keys"));
}

#[test]
fn complete_keys_lists_tables_and_leaves_of_every_layer() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    files.write(".prefect/config.toml", "[extra]\nthing = 1\n");
    let out = cmd(&files)
        .args(&d)
        .arg("__complete-keys")
        .env("PREFECT__FROM_ENV", "x")
        .assert()
        .success()
        .stderr("");
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    let keys: Vec<&str> = text.lines().collect();
    for key in [
        "server",
        "server.port",
        "server.database.password",
        "extra.thing",
        "from_env",
    ] {
        assert!(keys.contains(&key), "{key}: {text}");
    }
    let server = keys.iter().position(|k| *k == "server").unwrap();
    let port = keys.iter().position(|k| *k == "server.port").unwrap();
    assert!(server < port);
    assert_eq!(keys.iter().filter(|k| **k == "server").count(), 1, "{text}");
    // Names only: no value is printed.
    assert!(!text.contains("db-pw"), "{text}");
    cmd(&files)
        .args(&d)
        .args(["__complete-keys", "server.d"])
        .assert()
        .success()
        .stdout("server.database\nserver.database.password\nserver.database.connection_url\n");
}

#[test]
fn complete_keys_falls_back_to_the_defaults_quietly() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    files.write(".prefect/config.toml", "[server\nport = 1\n");
    cmd(&files)
        .args(&d)
        .args(["__complete-keys", "server.p"])
        .assert()
        .success()
        .stdout("server.port\n")
        .stderr("");
}

/// Issue 19: `__complete-keys` printed raw ESC characters and newlines. A
/// key with a control character is left out; `--bash` quotes the others.
#[test]
fn complete_keys_prints_no_control_character() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    files.write(
        ".prefect/config.toml",
        "[x]\n\"t\\u001b]0;owned\\u0007\" = 1\n\"a\\nb\" = 2\n\"$(touch y)\" = 3\nplain = 4\n",
    );
    for (flag, want) in [
        (None, "x.$(touch y)\nx.plain\n"),
        (Some("--bash"), "x.\\$\\(touch\\ y\\)\nx.plain\n"),
    ] {
        cmd(&files)
            .args(&d)
            .arg("__complete-keys")
            .args(flag)
            .arg("x.")
            .assert()
            .success()
            .stdout(want)
            .stderr("");
    }
}

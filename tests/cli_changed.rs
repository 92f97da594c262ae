//! `view --changed`, `view --show-defaults` and `env --changed`: what differs
//! from the defaults, run as a process with a temporary home and an explicit
//! environment.
#![cfg(feature = "cli")]

mod common;

use common::TempFiles;
use common::cli::{CANARY, cmd, user_file, with_defaults};
use serde_json::{Value, json};

fn json_of(out: &[u8]) -> Value {
    serde_json::from_slice(out).expect("JSON output")
}

fn text_of(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

/// A user file over the small defaults: the port set, a new key, and the
/// database password (a secret) replaced by the canary.
fn changed_files() -> (TempFiles, Vec<String>) {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    files.write(
        ".prefect/config.toml",
        &format!(
            "[server]\nport = 8080\n[server.database]\npassword = '{CANARY}'\n[extra]\nkey = 'x'\n"
        ),
    );
    common::cli::chmod(&user_file(&files), 0o600);
    (files, d)
}

#[test]
fn view_changed_shows_only_values_that_differ_from_the_defaults() {
    let (files, d) = changed_files();
    let out = cmd(&files)
        .args(&d)
        .args(["view", "--changed", "--format", "json"])
        .env("PREFECT__DEBUG", "true")
        .assert()
        .success();
    assert_eq!(
        json_of(&out.get_output().stdout),
        json!({
            "debug": true,
            "server": {
                "port": 8080,
                // Computed by the defaults from a changed value.
                "endpoint": "http://localhost:8080",
                "database": {"password": "********", "connection_url": "********"},
            },
            "extra": {"key": "x"},
        })
    );
    // A subtree, in TOML with its full table path.
    let out = cmd(&files)
        .args(&d)
        .args(["view", "server", "--changed"])
        .assert()
        .success();
    let text = text_of(&out.get_output().stdout);
    assert!(
        text.starts_with("[server]\nport = 8080\nendpoint = \"http://localhost:8080\"\n"),
        "{text}"
    );
    assert!(text.contains("[server.database]\n"), "{text}");
    assert!(!text.contains("host ="), "{text}");
    assert!(!text.contains(CANARY), "{text}");
}

#[test]
fn view_changed_with_nothing_changed_prints_nothing_and_says_so() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    cmd(&files)
        .args(&d)
        .args(["view", "--changed"])
        .assert()
        .success()
        .stdout("")
        .stderr(predicates::str::contains(
            "prefect-config: note: no value differs from the defaults\n",
        ));
    cmd(&files)
        .args(&d)
        .args(["view", "server.port", "--changed", "--format", "json"])
        .assert()
        .success()
        .stdout("{}\n")
        .stderr(predicates::str::contains("under `server.port`"));
}

#[test]
fn show_defaults_puts_the_default_beside_each_changed_value_masked_like_it() {
    let (files, d) = changed_files();
    let out = cmd(&files)
        .args(&d)
        .args(["view", "--show-defaults"])
        .assert()
        .success();
    let text = text_of(&out.get_output().stdout);
    assert!(text.contains("port = 8080  # default: 4200\n"), "{text}");
    assert!(
        text.contains(
            "endpoint = \"http://localhost:8080\"  # default: \"http://localhost:4200\"\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("password = \"********\"  # default: \"********\"\n"),
        "{text}"
    );
    assert!(
        text.contains("key = \"x\"  # not in the defaults\n"),
        "{text}"
    );
    assert!(!text.contains("db-pw") && !text.contains(CANARY), "{text}");
    assert!(
        !text.contains("debug"),
        "unchanged values are left out: {text}"
    );

    // With sources too, and in JSON; secrets only on request.
    let out = cmd(&files)
        .args(&d)
        .args([
            "view",
            "server",
            "--show-defaults",
            "--show-sources",
            "--format",
            "json",
        ])
        .assert()
        .success();
    let items = json_of(&out.get_output().stdout);
    let port = &items[0];
    assert_eq!(port["key"], "server.port");
    assert_eq!(
        (&port["value"], &port["default"]),
        (&json!(8080), &json!(4200))
    );
    assert_eq!(port["source"]["layer"], "user");
    assert!(!items.to_string().contains(CANARY) && !items.to_string().contains("db-pw"));
    let out = cmd(&files)
        .args(&d)
        .args([
            "view",
            "--show-defaults",
            "--format",
            "json",
            "--show-secrets",
        ])
        .assert()
        .success();
    let items = json_of(&out.get_output().stdout);
    let by_key = |k: &str| {
        items
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["key"] == k)
            .cloned()
    };
    let password = by_key("server.database.password").unwrap();
    assert_eq!(
        (&password["value"], &password["default"]),
        (&json!(CANARY), &json!("db-pw"))
    );
    let extra = by_key("extra.key").unwrap();
    assert!(extra.get("default").is_none(), "{extra}");
    assert!(by_key("server.host").is_none());

    // As `export` lines with the default as a comment.
    cmd(&files)
        .args(&d)
        .args(["view", "server.port", "--show-defaults", "--format", "env"])
        .assert()
        .success()
        .stdout("export PREFECT__SERVER__PORT='8080'  # default: 4200\n");
}

#[test]
fn env_changed_exports_only_values_set_above_the_defaults() {
    let (files, d) = changed_files();
    let out = cmd(&files)
        .args(&d)
        .args(["env", "--changed"])
        .env("PREFECT__DEBUG", "true")
        .assert()
        .success();
    assert_eq!(
        text_of(&out.get_output().stdout),
        "export PREFECT__DEBUG='True'\nexport PREFECT__SERVER__PORT='8080'\nexport PREFECT__EXTRA__KEY='x'\n"
    );
    assert!(text_of(&out.get_output().stderr).contains("1 secret value was left out"));

    // What it exports, loaded over the same defaults alone, is the same
    // configuration (the endpoint is computed again).
    let out = cmd(&files)
        .args(&d)
        .args(["env", "--changed", "--show-secrets"])
        .assert()
        .success();
    let vars: Vec<(String, String)> = text_of(&out.get_output().stdout)
        .lines()
        .map(|line| {
            let (name, quoted) = line
                .strip_prefix("export ")
                .and_then(|l| l.split_once('='))
                .expect("an export line");
            let value = quoted.trim_matches('\'');
            assert!(!value.contains('\''), "simple values only: {line}");
            (name.to_owned(), value.to_owned())
        })
        .collect();
    assert_eq!(vars.len(), 3, "{vars:?}");
    let view = |files: &TempFiles, vars: &[(String, String)]| {
        let out = cmd(files)
            .args(&d)
            .args(["view", "--format", "json", "--show-secrets"])
            .envs(vars.iter().map(|(n, v)| (n, v)))
            .assert()
            .success();
        json_of(&out.get_output().stdout)
    };
    let fresh = TempFiles::new();
    let mut original = view(&files, &[]);
    let mut reloaded = view(&fresh, &vars);
    // Only the home directory differs between the two temp homes.
    for config in [&mut original, &mut reloaded] {
        config.as_object_mut().unwrap().remove("home_dir");
    }
    assert_eq!(original, reloaded);
    assert_eq!(reloaded["server"]["endpoint"], "http://localhost:8080");
}

//! The CLI answers a newcomer's questions (issue 22): tables print with full
//! paths in `get` as in `view`, `explain` of a table lists each leaf with its
//! value and source, `view --show-sources` labels the keys inside a secret
//! cast from JSON text, `secret get` suggests near names and speaks JSON,
//! `sources` marks a file that does not load.
#![cfg(feature = "cli")]

mod common;

use common::TempFiles;
use common::cli::{CANARY, cmd, with_defaults};
use serde_json::{Value, json};

fn stdout(out: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&out.get_output().stdout).into_owned()
}

fn stderr(out: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&out.get_output().stderr).into_owned()
}

#[test]
fn get_of_a_table_prints_full_table_paths_as_view_does() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    let get = stdout(
        &cmd(&files)
            .args(&d)
            .args(["get", "server"])
            .assert()
            .success(),
    );
    let view = stdout(
        &cmd(&files)
            .args(&d)
            .args(["view", "server"])
            .assert()
            .success(),
    );
    assert!(get.contains("[server.database]"), "{get}");
    assert_eq!(get, view);
}

#[test]
fn explain_of_a_table_lists_each_leaf_with_its_value_and_source() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    let out = cmd(&files)
        .args(&d)
        .args(["explain", "server"])
        .env("PREFECT__SERVER__PORT", "8080")
        .assert()
        .success();
    let text = stdout(&out);
    assert!(text.lines().count() > 3, "{text}");
    assert!(
        text.lines().any(|l| l.contains("server.port")
            && l.contains("8080")
            && l.contains("PREFECT__SERVER__PORT")),
        "{text}"
    );
    assert!(
        text.lines().any(|l| l.contains("server.host")
            && l.contains("\"http://localhost\"")
            && l.contains("defaults")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.contains("server.database.password") && l.contains("********")),
        "{text}"
    );
    assert!(!text.contains("db-pw"), "{text}");
}

#[test]
fn show_sources_labels_the_keys_inside_a_secret_cast_from_json() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    let out = cmd(&files)
        .args(&d)
        .args([
            "view",
            "--show-sources",
            "--show-secrets",
            "context.secrets",
        ])
        .env(
            "PREFECT__CONTEXT__SECRETS__AWS",
            "{'ACCESS_KEY': 'ak', 'SECRET_ACCESS_KEY': 's'}",
        )
        .assert()
        .success();
    let text = stdout(&out);
    for key in ["ACCESS_KEY = \"ak\"", "SECRET_ACCESS_KEY = \"s\""] {
        assert!(
            text.lines()
                .any(|l| l.starts_with(key) && l.ends_with("# PREFECT__CONTEXT__SECRETS__AWS")),
            "{key} in {text}"
        );
    }
}

#[test]
fn secret_get_on_a_miss_suggests_the_case_and_one_edit_neighbours() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    let env = [("PREFECT__CONTEXT__SECRETS__GITHUB_TOKEN", CANARY)];
    for (asked, suggested) in [
        ("github_token", true),
        ("GITHUB_TOKN", true),
        ("OTHER", false),
    ] {
        let out = cmd(&files)
            .args(&d)
            .args(["secret", "get", asked])
            .envs(env)
            .assert()
            .code(1);
        let err = stderr(&out);
        assert!(err.contains("was not found"), "{err}");
        assert_eq!(
            err.contains("Did you mean `GITHUB_TOKEN`?"),
            suggested,
            "{asked}: {err}"
        );
        assert!(!err.contains(CANARY), "{err}");
    }
}

#[test]
fn secret_get_speaks_json() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    let env = [(
        "PREFECT__CONTEXT__SECRETS__CREDS",
        "{\"user\": \"u\", \"n\": [1]}",
    )];
    let json_of = |args: &[&str]| -> Value {
        let out = cmd(&files).args(&d).args(args).envs(env).assert().success();
        serde_json::from_slice(&out.get_output().stdout).expect("JSON")
    };
    assert_eq!(
        json_of(&["secret", "get", "CREDS", "--format", "json"]),
        json!("********")
    );
    assert_eq!(
        json_of(&[
            "secret",
            "get",
            "CREDS",
            "--format",
            "json",
            "--show-secrets"
        ]),
        json!({"user": "u", "n": [1]})
    );
}

#[test]
fn sources_marks_a_file_that_does_not_load_with_its_first_error_line() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    let user = files.write(".prefect/config.toml", "a = 1\n\n[server\nport = 2\n");
    let out = cmd(&files).args(&d).arg("sources").assert().success();
    let text = stdout(&out);
    let line = text
        .lines()
        .find(|l| l.contains(&*user.display().to_string()))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains("broken") && line.contains("line 3"), "{line}");
    let out = cmd(&files)
        .args(&d)
        .args(["sources", "--format", "json"])
        .assert()
        .success();
    let json: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(json[1]["layer"], "user");
    assert_eq!(json[1]["broken"], json!({"line": 3}));
    assert_eq!(json[0].get("broken"), None);
}

//! Writes through the one edit path: `init`, `set`, `unset`, `secret set`
//! and `secret delete` are locked, validated, exact, atomic, tidy,
//! symlink-aware and private; paths named on the command line must exist.
#![cfg(feature = "cli")]
#![cfg(unix)]

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use common::TempFiles;
use common::cli::{chmod, cmd, mode, user_file, with_defaults};
use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;
use serde_json::{Value, json};

const ORIGINAL: &str = "# keep me\n[server]\nhost = \"http://example\" # and me\n";

/// `get KEY --json --show-secrets`, parsed.
fn get(files: &TempFiles, key: &str) -> Value {
    let out = cmd(files)
        .args(with_defaults(files))
        .args(["get", key, "--json", "--show-secrets"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{key}: {out:?}");
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Names of the files in `dir` that end in `.tmp`.
fn temp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect()
}

/// Issue item 1: concurrent writers of distinct keys all survive.
#[test]
fn thirty_concurrent_secret_sets_all_survive() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    let bin = assert_cmd::cargo::cargo_bin("prefect-config");
    let children: Vec<_> = (0..30)
        .map(|i| {
            Command::new(&bin)
                .env_clear()
                .env("HOME", files.dir.path())
                .args(&d)
                .args(["secret", "set", &format!("S{i}"), &format!("v{i}")])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{out:?}");
    }
    let secrets = get(&files, "context.secrets");
    for i in 0..30 {
        assert_eq!(
            secrets[format!("S{i}")],
            json!(format!("v{i}")),
            "{secrets}"
        );
    }
    assert!(temp_files(&files.path(".prefect")).is_empty());
}

/// Issue item 2: a write that would not load is refused, and a file that
/// does not load can be repaired with `unset`.
#[test]
fn a_reserved_key_is_refused_and_can_be_unset() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    let path = files.write(".prefect/config.toml", ORIGINAL);
    cmd(&files)
        .args(&d)
        .args(["secret", "set", "keys", "z"])
        .assert()
        .code(1)
        .stderr(contains("`keys` is reserved").and(contains("left unchanged")));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), ORIGINAL);
    cmd(&files).args(&d).arg("view").assert().success();

    // A file broken by hand: reads fail, `unset` repairs it.
    std::fs::write(&path, format!("keys = 1\n{ORIGINAL}")).unwrap();
    cmd(&files).args(&d).arg("view").assert().code(1);
    cmd(&files)
        .args(&d)
        .args(["unset", "keys"])
        .assert()
        .success();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), ORIGINAL);
    cmd(&files).args(&d).arg("view").assert().success();
}

#[test]
fn a_reference_cycle_the_edit_creates_is_refused() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    let path = files.write(".prefect/config.toml", ORIGINAL);
    cmd(&files)
        .args(&d)
        .args([
            "set",
            "--allow-expansion",
            "server.host",
            "${server.endpoint}",
        ])
        .assert()
        .code(1)
        .stderr(contains("reference cycle"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), ORIGINAL);
}

/// Issue item 3: values read back exactly as given.
#[test]
fn values_read_back_exactly() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    let values = [
        "True",
        "1e5",
        "'quoted'",
        "None",
        "4200",
        "[1, 2]",
        "pa$UNSET_VAR/x",
        "a \"b\" \\ c",
        "",
    ];
    for (i, value) in values.iter().enumerate() {
        cmd(&files)
            .args(&d)
            .args(["secret", "set", &format!("S{i}"), value])
            .assert()
            .success();
        assert_eq!(get(&files, &format!("context.secrets.S{i}")), json!(value));
    }
    for (i, value) in values.iter().enumerate() {
        cmd(&files)
            .args(&d)
            .args(["set", "--string", &format!("plain.k{i}"), value])
            .assert()
            .success();
        assert_eq!(get(&files, &format!("plain.k{i}")), json!(value));
    }
}

#[test]
fn values_the_loader_would_expand_are_refused_unless_allowed() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    let path = files.write(".prefect/config.toml", ORIGINAL);
    for (value, reason) in [
        ("pa$HOME/x", "`$NAME`"),
        ("~/key", "leading `~`"),
        ("x${server.port}", "`${...}`"),
        ("pa${ss}word", "`${...}`"),
    ] {
        cmd(&files)
            .args(&d)
            .args(["secret", "set", "S", value])
            .assert()
            .code(1)
            .stderr(contains(reason).and(contains("--allow-expansion")));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), ORIGINAL);
    }
    cmd(&files)
        .args(&d)
        .args(["set", "--allow-expansion", "x.url", "${server.host}/api"])
        .assert()
        .success();
    assert_eq!(get(&files, "x.url"), json!("http://example/api"));
}

#[test]
fn json_values_are_stored_as_such() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    cmd(&files)
        .args(&d)
        .args([
            "set",
            "--json",
            "server.port",
            "8080",
            "x.table={\"a\": \"True\", \"n\": null}",
            "x.list",
            "[1, \"2\", true]",
        ])
        .assert()
        .success();
    assert_eq!(get(&files, "server.port"), json!(8080));
    assert_eq!(get(&files, "x.table"), json!({"a": "True", "n": null}));
    assert_eq!(get(&files, "x.list"), json!([1, "2", true]));
    cmd(&files)
        .args(&d)
        .args(["set", "--json", "x.bad", "{oops"])
        .assert()
        .code(1)
        .stderr(contains("not valid JSON"));
}

#[test]
fn secret_set_reads_a_pipe_as_is() {
    let files = TempFiles::new();
    cmd(&files)
        .args(with_defaults(&files))
        .args(["secret", "set", "PIPED"])
        .write_stdin("  two words \n")
        .assert()
        .success();
    assert_eq!(get(&files, "context.secrets.PIPED"), json!("  two words "));
}

/// Issue item 5: a write killed mid-way leaves a temporary file, which the
/// next write removes; a write that fails and survives leaves none.
#[test]
fn temp_files_of_a_killed_write_are_removed_by_the_next_write() {
    let files = TempFiles::new();
    let path = files.write(".prefect/config.toml", ORIGINAL);
    let dir = path.parent().unwrap();
    let bin = assert_cmd::cargo::cargo_bin("prefect-config");
    // A limit of one block and no `trap`: `SIGXFSZ` kills the process.
    let big = "x".repeat(8192);
    let killed = Command::new("sh")
        .env_clear()
        .env("HOME", files.dir.path())
        .arg("-c")
        .arg("ulimit -f 1 && exec \"$0\" \"$@\"")
        .arg(&bin)
        .args(["secret", "set", "BIG", &big])
        .output()
        .unwrap();
    assert!(!killed.status.success(), "{killed:?}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), ORIGINAL);
    assert_eq!(temp_files(dir).len(), 1, "the crash leaves its temp file");

    cmd(&files)
        .args(["secret", "set", "SMALL", "v"])
        .assert()
        .success();
    assert!(temp_files(dir).is_empty(), "{:?}", temp_files(dir));
}

/// Issue item 6: a symlinked config file stays a link; its target is edited.
#[test]
fn a_symlinked_config_is_edited_through_the_link() {
    let files = TempFiles::new();
    let target = files.write("dotfiles/prefect.toml", ORIGINAL);
    let link = user_file(&files);
    std::fs::create_dir_all(link.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink("../dotfiles/prefect.toml", &link).unwrap();
    let d = with_defaults(&files);
    cmd(&files)
        .args(&d)
        .args(["secret", "set", "LINKED", "v"])
        .assert()
        .success();
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let text = std::fs::read_to_string(&target).unwrap();
    assert_eq!(
        text,
        format!("{ORIGINAL}\n[context.secrets]\nLINKED = \"v\"\n")
    );
    assert!(temp_files(target.parent().unwrap()).is_empty());
    assert!(temp_files(link.parent().unwrap()).is_empty());
    cmd(&files)
        .args(&d)
        .args(["set", "server.host", "http://other"])
        .assert()
        .success();
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(get(&files, "server.host"), json!("http://other"));
    assert_eq!(get(&files, "context.secrets.LINKED"), json!("v"));
}

/// Issue item 7: a path named on the command line must exist.
#[test]
fn a_missing_path_on_the_command_line_is_an_error() {
    let files = TempFiles::new();
    let missing = files.path("atl.toml");
    let missing = missing.to_str().unwrap();
    for args in [
        &["--user", missing, "view"][..],
        &["--backend", missing, "get", "server.port"],
        &["--defaults", missing, "view"],
        &["validate", missing],
    ] {
        cmd(&files)
            .args(args)
            .assert()
            .code(1)
            .stderr(contains("atl.toml").and(contains("does not exist")));
    }
    // The user file of a write is created.
    cmd(&files)
        .args(["--user", missing, "set", "a", "1"])
        .assert()
        .success();
    assert_eq!(mode(Path::new(missing)), 0o600);
}

#[test]
fn set_and_unset_keep_comments_and_unset_of_a_missing_key_fails() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    let path = files.write(".prefect/config.toml", ORIGINAL);
    cmd(&files)
        .args(&d)
        .args(["set", "server.host=http://x", "flows.name", "a=b"])
        .assert()
        .success();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        format!(
            "{}\n[flows]\nname = \"a=b\"\n",
            ORIGINAL.replace("http://example", "http://x")
        )
    );
    assert_eq!(get(&files, "flows.name"), json!("a=b"));
    let before = std::fs::read_to_string(&path).unwrap();
    cmd(&files)
        .args(&d)
        .args(["unset", "flows.name", "server.nope"])
        .assert()
        .code(1)
        .stderr(contains("`server.nope` is not set in"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), before);
    cmd(&files)
        .args(&d)
        .args(["unset", "flows.name", "server.host"])
        .assert()
        .success();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "# keep me\n[server]\n\n[flows]\n"
    );
    cmd(&files)
        .args(&d)
        .args(["set", "lonely"])
        .assert()
        .code(1)
        .stderr(contains("has no value"));
}

#[test]
fn secret_delete_removes_a_local_secret_and_fails_when_absent() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    cmd(&files)
        .args(&d)
        .args(["secret", "set", "A", "1"])
        .assert()
        .success();
    cmd(&files)
        .args(&d)
        .args(["secret", "delete", "A"])
        .assert()
        .success();
    cmd(&files)
        .args(&d)
        .args(["secret", "exists", "A"])
        .assert()
        .code(1);
    cmd(&files)
        .args(&d)
        .args(["secret", "delete", "A"])
        .assert()
        .code(1)
        .stderr(contains("`context.secrets.A` is not set"));
}

#[test]
fn new_files_and_directories_are_private() {
    let files = TempFiles::new();
    cmd(&files)
        .args(["secret", "set", "A", "x"])
        .assert()
        .success();
    let path = user_file(&files);
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(path.parent().unwrap()), 0o700);
}

#[test]
fn readable_secret_files_are_warned_about() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    let secret = files.write("secrets/TOKEN", "t");
    chmod(&secret, 0o644);
    cmd(&files)
        .args(&d)
        .arg("view")
        .env("PREFECT__SECRETS_DIR", secret.parent().unwrap())
        .assert()
        .success()
        .stderr(contains(
            "TOKEN` holds secrets and is readable by group or others",
        ));
}

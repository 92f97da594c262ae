//! No secret text in any command's output without `--show-secrets`/`--show`,
//! and writes that fail leave the original file intact.
#![cfg(feature = "cli")]

mod common;

use std::path::Path;

use common::TempFiles;
use common::cli::{CANARY, chmod, cmd, user_file, with_defaults};

#[test]
fn no_command_prints_a_secret_unless_asked() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    let user = files.write(
        ".prefect/config.toml",
        &format!("[context.secrets]\nTOML_SECRET = '{CANARY}'\n[cloud]\napi_key = '{CANARY}'\n[x]\nderived = 'p:${{cloud.api_key}}'\nmy_token = '{CANARY}'\n"),
    );
    chmod(&user, 0o600);
    let secrets_dir = files.write("secrets/FILE_SECRET", CANARY);
    let commands: &[&[&str]] = &[
        &["view"],
        &["view", "--format", "json"],
        &["view", "--format", "env"],
        &["view", "--show-sources"],
        &["view", "--show-sources", "--format", "json"],
        &["view", "context.secrets.TOML_SECRET"],
        &["view", "x"],
        &["view", "--changed"],
        &["view", "--show-defaults", "--show-sources"],
        &["view", "--show-defaults", "--format", "json"],
        &["view", "--show-defaults", "--format", "env"],
        &["env", "--changed"],
        &["get", "cloud.api_key"],
        &["get", "x.derived", "--json"],
        &["get", "context.secrets"],
        &["explain", "cloud.api_key"],
        &["explain", "x.derived"],
        &["explain", "x.derived", "--json"],
        &["explain", "context.secrets.ENV_SECRET"],
        &["explain", "context.secrets.FILE_SECRET"],
        &["sources"],
        &["sources", "--json"],
        &["env"],
        &["validate"],
        &["secret", "get", "TOML_SECRET"],
        &["secret", "get", "ENV_SECRET"],
        &["secret", "list"],
        &["secret", "exists", "TOML_SECRET"],
        &["get", "nope.key"],
    ];
    for args in commands {
        let out = cmd(&files)
            .args(&d)
            .args(*args)
            .env("PREFECT__CONTEXT__SECRETS__ENV_SECRET", CANARY)
            .env("PREFECT__SECRETS_DIR", secrets_dir.parent().unwrap())
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            !text.contains(CANARY),
            "{args:?} printed the secret: {text}"
        );
    }
    // And with the flags, they do.
    for args in [
        &["view", "--show-secrets"][..],
        &["secret", "get", "TOML_SECRET", "--show"],
        &["explain", "x.derived", "--show-secrets"],
    ] {
        let out = cmd(&files).args(&d).args(args).output().unwrap();
        assert!(
            String::from_utf8_lossy(&out.stdout).contains(CANARY),
            "{args:?}"
        );
    }
}

/// Runs the binary with a file size limit of zero, so that every write of
/// data fails (as on a full disk), even as root. `SIGXFSZ` is ignored so the
/// write returns an error instead of killing the process.
fn run_with_no_room(files: &TempFiles, args: &[&str]) -> std::process::Output {
    let bin = assert_cmd::cargo::cargo_bin("prefect-config");
    std::process::Command::new("sh")
        .env_clear()
        .env("HOME", files.dir.path())
        .arg("-c")
        .arg("ulimit -f 0 && trap '' XFSZ && exec \"$0\" \"$@\"")
        .arg(bin)
        .args(args)
        .output()
        .expect("run sh")
}

const ORIGINAL: &str = "# a comment to keep\n[server] # here too\nport = 1\n";

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect()
}

#[test]
fn failed_writes_leave_the_original_intact_even_as_root() {
    let files = TempFiles::new();
    let path = files.write(".prefect/config.toml", ORIGINAL);
    for args in [&["init", "--force"][..], &["secret", "set", "A", "value"]] {
        let out = run_with_no_room(&files, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {out:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("cannot write"),
            "{out:?}"
        );
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            ORIGINAL,
            "{args:?}"
        );
        assert!(leftovers(path.parent().unwrap()).is_empty());
    }
}

#[cfg(unix)]
#[test]
fn read_only_directory_leaves_the_original_intact() {
    let files = TempFiles::new();
    let path = files.write(".prefect/config.toml", ORIGINAL);
    let dir = path.parent().unwrap().to_path_buf();
    chmod(&dir, 0o500);
    // Root may write into a read-only directory: then the write succeeds
    // and there is nothing to check here (the test above covers root).
    let writable = std::fs::write(dir.join("probe"), "x").is_ok();
    let _ = std::fs::remove_file(dir.join("probe"));
    let d = with_defaults(&files);
    for args in [&["init", "--force"][..], &["secret", "set", "A", "value"]] {
        let out = cmd(&files).args(&d).args(args).output().unwrap();
        if !writable {
            assert_eq!(out.status.code(), Some(1), "{args:?}: {out:?}");
            assert_eq!(std::fs::read_to_string(&path).unwrap(), ORIGINAL);
        }
    }
    chmod(&dir, 0o700);
}

#[cfg(unix)]
#[test]
fn secret_set_keeps_comments_and_the_mode_with_a_warning() {
    let files = TempFiles::new();
    let path = files.write(".prefect/config.toml", ORIGINAL);
    chmod(&path, 0o644);
    let d = with_defaults(&files);
    cmd(&files)
        .args(&d)
        .args(["secret", "set", "My Key", "v'1"])
        .assert()
        .success()
        .stderr(predicates::str::contains("readable by group or others"));
    cmd(&files)
        .args(&d)
        .args(["secret", "set", "My Key", "v2"])
        .assert()
        .success();
    let text = std::fs::read_to_string(user_file(&files)).unwrap();
    assert_eq!(
        text,
        format!("{ORIGINAL}\n[context.secrets]\n\"My Key\" = \"v2\"\n")
    );
    assert_eq!(common::cli::mode(&path), 0o644);
}

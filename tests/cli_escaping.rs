//! Output that is data, never code: `eval` of `env` and `view --format env
//! --show-sources` in `sh` only assigns, whatever keys, values, reference
//! names and file paths hold; stderr carries no raw control character; a
//! closed pipe ends quietly and a full disk is an error (issue 19).
//!
//! `sh` is POSIX's, on every Unix these tests run on, so they are not
//! behind the `integration` feature.
#![cfg(feature = "cli")]
#![cfg(unix)]

mod common;
#[path = "common/hostile_text.rs"]
mod hostile_text;

use std::io::Read;
use std::process::{Command, Stdio};

use common::TempFiles;
use common::cli::{cmd, with_defaults};
use hostile_text::{PWNED, has_control, hit_rates, hostile_key, hostile_value};
use proptest::prelude::*;
use serde_json::Value;

/// Evaluates `script` in `sh` from `cwd`, then prints each of `names`
/// (NUL-ended); the values, or `None` for one that is unset.
fn eval_in_sh(cwd: &std::path::Path, script: &str, names: &[String]) -> Vec<Option<String>> {
    let mut program = String::from("eval \"$PROGRAM\"\n");
    for name in names {
        program.push_str(&format!(
            "if [ -n \"${{{name}+set}}\" ]; then printf 'set:%s\\0' \"${name}\"; else printf 'unset\\0'; fi\n"
        ));
    }
    let out = Command::new("sh")
        .args(["-c", &program])
        .current_dir(cwd)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("PROGRAM", script)
        .output()
        .expect("sh");
    assert!(out.status.success(), "{out:?}\n{script}");
    String::from_utf8_lossy(&out.stdout)
        .split_terminator('\0')
        .map(|v| v.strip_prefix("set:").map(str::to_owned))
        .collect()
}

/// A user config under a directory whose name is hostile too (it becomes the
/// source label of every value in it): `x.v` holds `value`, `h.<key>` holds
/// `value` and `x.r` reads it through `${h.<key>}` (a reference name in
/// the source comment), and `x.<key>` is set as well.
fn hostile_files(key: &str, value: &str, dir_name: &str) -> (TempFiles, String) {
    let files = TempFiles::new();
    std::fs::create_dir_all(files.path("cwd")).unwrap();
    let mut x = toml::Table::new();
    x.insert("v".into(), value.into());
    x.insert(key.into(), value.into());
    x.insert("r".into(), format!("${{h.{key}}}").into());
    let mut h = toml::Table::new();
    h.insert(key.into(), value.into());
    let mut root = toml::Table::new();
    root.insert("x".into(), toml::Value::Table(x));
    root.insert("h".into(), toml::Value::Table(h));
    let dir = files.path(dir_name);
    std::fs::create_dir_all(&dir).unwrap();
    let user = dir.join("config.toml");
    std::fs::write(&user, toml::to_string(&root).unwrap()).unwrap();
    (files, user.display().to_string())
}

fn pwned(files: &TempFiles) -> bool {
    files.path("cwd").join(PWNED).exists() || files.path(PWNED).exists()
}

/// The values the library loaded, as `get --format json` gives them.
fn loaded(files: &TempFiles, user: &str, key: &str) -> Option<Value> {
    let out = cmd(files)
        .args(with_defaults(files))
        .args(["--user", user, "get", "--format", "json", key])
        .output()
        .unwrap();
    out.status
        .success()
        .then(|| serde_json::from_slice(&out.stdout).unwrap())
}

/// A directory name: hostile text without `/`, which no file name holds.
fn hostile_dir() -> impl Strategy<Value = String> {
    hostile_value().prop_map(|v| format!("d{}", v.replace('/', "_")))
}

#[test]
fn the_generators_are_hostile_often_enough() {
    for (what, (control, expansion)) in [
        ("keys", hit_rates(hostile_key())),
        ("values", hit_rates(hostile_value())),
        ("directories", hit_rates(hostile_dir())),
    ] {
        assert!(
            control > 300,
            "{what}: {control} of 1000 with a control character"
        );
        assert!(
            expansion > 300,
            "{what}: {expansion} of 1000 with an expansion"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn eval_of_env_output_only_assigns(
        key in hostile_key(),
        value in hostile_value(),
        dir in hostile_dir(),
    ) {
        let (files, user) = hostile_files(&key, &value, &dir);
        let names: Vec<String> = ["PREFECT__X__V", "PREFECT__X__R"].map(String::from).into();
        for args in [&["env"][..], &["view", "--format", "env", "--show-sources"]] {
            let out = cmd(&files)
                .args(with_defaults(&files))
                .args(["--user", &user])
                .args(args)
                .output()
                .unwrap();
            prop_assert!(out.status.success(), "{args:?}: {out:?}");
            let script = String::from_utf8_lossy(&out.stdout).into_owned();
            let stderr = String::from_utf8_lossy(&out.stderr);
            prop_assert!(!has_control(&stderr.replace('\n', "")), "{stderr:?}");
            let got = eval_in_sh(&files.path("cwd"), &script, &names);
            prop_assert!(!pwned(&files), "eval ran a command:\n{script}");
            for (name, got) in names.iter().zip(got) {
                let key = format!("x.{}", name.rsplit("__").next().unwrap().to_lowercase());
                let want = loaded(&files, &user, &key);
                // The variable holds the value's text as the environment
                // layer reads it (quoted where it would cast otherwise):
                // read back by that rule, it is the loaded value.
                let got = got.map(|text| prefect_config::config::env_string_to_type(&text));
                prop_assert_eq!(got, want, "{}: {}", name, script);
            }
        }
    }

    /// Warnings and did-you-mean errors name keys, references and files
    /// taken from the file: stderr holds none of their control characters.
    #[test]
    fn stderr_carries_no_control_character(
        key in hostile_key(),
        value in hostile_value(),
        dir in hostile_dir(),
    ) {
        let (files, user) = hostile_files(&key, &value, &dir);
        files.write("extra.toml", &format!(
            "[x]\nmissing = {}\n",
            toml::Value::String(format!("${{nope.{key}}}"))
        ));
        let typo: String = format!("x.{key}x");
        for args in [
            vec!["--user", &user, "get", &typo],
            vec!["--user", &user, "explain", "x.r"],
            vec!["--user", &user, "env"],
            vec!["--backend", "extra.toml", "--user", &user, "view"],
        ] {
            let out = cmd(&files)
                .current_dir(files.dir.path())
                .args(with_defaults(&files))
                .args(&args)
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            prop_assert!(!has_control(&stderr.replace('\n', "")), "{args:?}: {stderr:?}");
            if args.contains(&"explain") {
                let stdout = String::from_utf8_lossy(&out.stdout);
                prop_assert!(!has_control(&stdout.replace('\n', "")), "{stdout:?}");
            }
        }
    }
}

/// Issue 19: a `${...}` reference name in a source comment ran a command
/// under `eval` of `view --format env --show-sources`.
#[test]
fn a_reference_name_in_a_source_comment_cannot_run_a_command() {
    let key = format!("k\ntouch {PWNED}\n");
    let (files, user) = hostile_files(&key, "v", "plain");
    let out = cmd(&files)
        .args(with_defaults(&files))
        .args(["--user", &user, "view", "--format", "env", "--show-sources"])
        .output()
        .unwrap();
    let script = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(script.contains(r"${h.k\ntouch pwned\n}"), "{script}");
    let got = eval_in_sh(&files.path("cwd"), &script, &["PREFECT__X__R".into()]);
    assert!(!pwned(&files), "{script}");
    assert_eq!(got, [Some("v".to_owned())]);
}

/// Issue 19: warnings wrote raw ESC and BEL (an OSC title) to stderr.
#[test]
fn a_missing_reference_with_an_osc_title_is_escaped_on_stderr() {
    let files = TempFiles::new();
    files.write(
        ".prefect/config.toml",
        concat!("[x]\n", r#"y = "${a\u001b]0;owned\u0007}""#, "\n"),
    );
    let out = cmd(&files)
        .args(with_defaults(&files))
        .arg("view")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(r"${a\u{1b}]0;owned\u{7}}"), "{stderr:?}");
    assert!(!stderr.contains(['\u{1b}', '\u{7}']), "{stderr:?}");
}

/// Issue 19: `view | head -c10` panicked ("failed printing to stdout").
#[test]
fn a_closed_pipe_ends_quietly() {
    let files = TempFiles::new();
    // Enough output that the reader is gone before the last write.
    let mut big = String::from("[x]\n");
    for i in 0..200 {
        big.push_str(&format!("k{i} = \"{}\"\n", "v".repeat(2000)));
    }
    files.write(".prefect/config.toml", &big);
    for args in [&["view"][..], &["env"], &["view", "--format", "json"]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_prefect-config"))
            .args(with_defaults(&files))
            .args(args)
            .env_clear()
            .env("HOME", files.dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = [0u8; 10];
        child.stdout.take().unwrap().read_exact(&mut first).unwrap();
        // The read end is closed here, as `head -c10` closes it.
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(!stderr.contains("Broken pipe"), "{args:?}: {stderr}");
    }
}

/// Issue 19: `get server.port > /dev/full` panicked.
#[test]
fn a_full_disk_is_an_error() {
    let files = TempFiles::new();
    for args in [
        &["get", "server.port"][..],
        &["view"],
        &["man"],
        &["completions", "bash"],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_prefect-config"))
            .args(with_defaults(&files))
            .args(args)
            .env_clear()
            .env("HOME", files.dir.path())
            .stdout(full)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains("prefect-config: error: cannot write to standard output"),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

//! Colour into a pipe (assert_cmd), and what reaches a terminal: no raw
//! control character from a file on stderr. On a pseudo-terminal (util-linux
//! `script`, another program): `cli_pty.rs`.
#![cfg(feature = "cli")]
#![cfg(unix)]

mod common;

use common::TempFiles;
use common::cli::{cmd, with_defaults};

const ESC: char = '\u{1b}';

/// The text without its escape codes.
fn plain(text: &str) -> String {
    anstream::adapter::strip_str(text).to_string()
}

#[test]
fn always_colours_a_pipe_and_clicolor_force_does_too() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    let piped = |args: &[&str], env: &[(&str, &str)]| {
        let mut c = cmd(&files);
        c.args(&d).args(args);
        for (name, value) in env {
            c.env(name, value);
        }
        let out = c.assert().success();
        String::from_utf8_lossy(&out.get_output().stdout).into_owned()
    };
    let explain = ["explain", "server.port"];
    assert!(!piped(&explain, &[]).contains(ESC));
    assert!(piped(&["--color", "always", "explain", "server.port"], &[]).contains(ESC));
    assert!(piped(&explain, &[("CLICOLOR_FORCE", "1")]).contains(ESC));
    // NO_COLOR beats CLICOLOR_FORCE; an explicit flag beats both.
    let both = [("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")];
    assert!(!piped(&explain, &both).contains(ESC));
    assert!(piped(&["--color=always", "explain", "server.port"], &both).contains(ESC));
    assert!(!piped(&["--color", "never", "explain", "server.port"], &both[..1]).contains(ESC));
    // Machine-readable output is never styled.
    let json = piped(&["--color", "always", "sources", "--format", "json"], &[]);
    assert!(!json.contains(ESC), "{json}");
}

#[test]
fn validate_errors_are_red_and_warnings_yellow() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    let bad = files.write("bad.toml", "[server]\nkeys = 1\nurl = '${server.nope}/x'\n");
    let out = cmd(&files)
        .args(&d)
        .args(["--color", "always", "validate"])
        .arg(&bad)
        .assert()
        .code(1);
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    let red = anstyle::AnsiColor::Red.on_default().render().to_string();
    let yellow = anstyle::AnsiColor::Yellow.on_default().render().to_string();
    let error_line = text.lines().find(|l| l.contains("invalid key")).unwrap();
    assert!(error_line.contains(&format!("{red}error")), "{text:?}");
    let warning_line = text.lines().find(|l| l.contains("server.nope")).unwrap();
    assert!(
        warning_line.contains(&format!("{yellow}warning")),
        "{text:?}"
    );
    assert!(plain(&text).contains("bad.toml:2:1: error: invalid key `server.keys`"));
}

#[test]
fn stderr_warnings_follow_the_colour_of_stderr() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    // `env` leaves the database password out and says so in a note.
    let out = cmd(&files)
        .args(&d)
        .args(["--color", "always", "env"])
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains(ESC), "{stderr:?}");
    let plain_stderr = plain(&stderr);
    assert!(
        plain_stderr
            .lines()
            .any(|l| l.starts_with("prefect-config: note: 2 secret values were left out")),
        "{plain_stderr}"
    );
    let out = cmd(&files).args(&d).arg("env").assert().success();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(!stderr.contains(ESC), "{stderr:?}");
}

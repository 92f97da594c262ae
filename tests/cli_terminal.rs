//! Colour on a terminal and off it: the binary runs under a pseudo-terminal
//! made by util-linux `script`, which Debian-based machines (ours and CI's)
//! have, or into a pipe (assert_cmd).
#![cfg(feature = "cli")]
#![cfg(unix)]

mod common;

use std::process::Command;

use common::TempFiles;
use common::cli::{cmd, with_defaults};

const ESC: char = '\u{1b}';

/// Runs the binary on a pseudo-terminal with `TERM=xterm` plus `env`, and
/// returns what it printed (`script` merges stdout and stderr).
fn on_terminal(files: &TempFiles, args: &str, env: &[(&str, &str)]) -> String {
    let bin = env!("CARGO_BIN_EXE_prefect-config");
    let mut cmd = Command::new("script");
    cmd.args(["-qec", &format!("{bin} {args}"), "/dev/null"])
        .env_clear()
        .env("HOME", files.dir.path())
        .env("PATH", "/usr/bin:/bin")
        .env("TERM", "xterm");
    for (name, value) in env {
        cmd.env(name, value);
    }
    let out = cmd.output().expect("`script` (util-linux) is installed");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The text without its escape codes.
fn plain(text: &str) -> String {
    anstream::adapter::strip_str(text).to_string()
}

#[test]
fn auto_colours_a_terminal_unless_no_color() {
    let files = TempFiles::new();
    let coloured = on_terminal(&files, "explain server.port", &[]);
    assert!(coloured.contains(ESC), "{coloured:?}");
    let auto = on_terminal(&files, "--color auto explain server.port", &[]);
    assert!(auto.contains(ESC), "{auto:?}");
    let plain_text = on_terminal(&files, "explain server.port", &[("NO_COLOR", "1")]);
    assert!(!plain_text.contains(ESC), "{plain_text:?}");
    assert!(plain_text.contains("server.port"));
    assert_eq!(plain(&coloured), plain_text);
}

#[test]
fn never_is_plain_on_a_terminal() {
    let files = TempFiles::new();
    for args in [
        "--color never explain server.port",
        "explain server.port --color=never",
        "--color never sources",
    ] {
        let out = on_terminal(&files, args, &[]);
        assert!(!out.contains(ESC), "{args}: {out:?}");
    }
}

#[test]
fn a_dumb_terminal_is_plain_unless_forced() {
    let files = TempFiles::new();
    let dumb = on_terminal(&files, "explain server.port", &[("TERM", "dumb")]);
    assert!(!dumb.contains(ESC), "{dumb:?}");
    let forced = on_terminal(
        &files,
        "explain server.port",
        &[("TERM", "dumb"), ("CLICOLOR_FORCE", "1")],
    );
    assert!(forced.contains(ESC), "{forced:?}");
}

#[test]
fn the_flag_wins_over_no_color() {
    let files = TempFiles::new();
    let out = on_terminal(
        &files,
        "--color always explain server.port",
        &[("NO_COLOR", "1")],
    );
    assert!(out.contains(ESC), "{out:?}");
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

/// The column after the layer name starts at the same place on every line,
/// with colour on (on a terminal, and forced into a pipe).
#[test]
fn sources_columns_line_up_in_colour() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    files.write(".prefect/config.toml", "[server]\nport = 1\n");
    let forced = cmd(&files)
        .args(&d)
        .args(["--color", "always", "sources"])
        .env("PREFECT__SERVER__HOST", "h")
        .assert()
        .success();
    let forced = String::from_utf8_lossy(&forced.get_output().stdout).into_owned();
    let terminal = on_terminal(&files, "sources", &[]);
    for text in [forced, terminal] {
        assert!(text.contains(ESC), "{text:?}");
        let stripped = plain(&text);
        let rows: Vec<&str> = stripped
            .lines()
            .filter(|l| l.starts_with(|c: char| c.is_ascii_digit()))
            .collect();
        assert_eq!(rows.len(), 4, "{stripped}");
        let starts: Vec<usize> = rows
            .iter()
            .map(|row| {
                // `N. layer   place  (status)`: where `place` starts.
                let layer_at = row.find(". ").unwrap() + 2;
                let after_layer = layer_at + row[layer_at..].find(' ').unwrap();
                row.len() - row[after_layer..].trim_start().len()
            })
            .collect();
        assert!(starts.iter().all(|s| *s == starts[0]), "{stripped}");
        assert!(rows[0].contains("defaults"), "{stripped}");
        assert!(rows[3].contains("PREFECT__*"), "{stripped}");
    }
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

//! The binary on a pseudo-terminal made by util-linux `script` (another
//! program: behind the `integration` feature, see Cargo.toml): colour
//! choices, escaping of what a terminal would act on, and a prompt without
//! echo. Colour into a pipe is tested in `cli_terminal.rs`.
#![cfg(feature = "integration")]
#![cfg(feature = "cli")]
#![cfg(unix)]

mod common;

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::TempFiles;
use common::cli::{cmd, with_defaults};
use serde_json::{Value, json};

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

/// Starts the binary on a pseudo-terminal (util-linux `script`) and returns
/// it with a reader thread that collects what the terminal shows.
fn spawn_on_terminal(
    files: &TempFiles,
    args: &str,
) -> (std::process::Child, std::sync::mpsc::Receiver<Vec<u8>>) {
    let bin = assert_cmd::cargo::cargo_bin("prefect-config");
    let mut child = Command::new("script")
        .args(["-qec", &format!("{} {args}", bin.display()), "/dev/null"])
        .env_clear()
        .env("HOME", files.dir.path())
        .env("PATH", "/usr/bin:/bin")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("`script` (util-linux) is installed");
    let mut stdout = child.stdout.take().unwrap();
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 || send.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    (child, receive)
}

/// Issue item 4: on a terminal, `secret set NAME` prompts on stderr and
/// reads without echo.
#[test]
fn secret_set_prompts_without_echo_on_a_terminal() {
    let files = TempFiles::new();
    let d = with_defaults(&files).join(" ");
    let (mut child, output) = spawn_on_terminal(&files, &format!("{d} secret set TYPED"));
    let mut shown = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !String::from_utf8_lossy(&shown).contains("TYPED") {
        assert!(
            Instant::now() < deadline,
            "no prompt: {:?}",
            String::from_utf8_lossy(&shown)
        );
        if let Ok(chunk) = output.recv_timeout(Duration::from_millis(100)) {
            shown.extend(chunk);
        }
    }
    // The prompt is written just before echo is turned off.
    std::thread::sleep(Duration::from_millis(300));
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"typed-secret-42\r").unwrap();
    stdin.flush().unwrap();
    let status = child.wait().unwrap();
    drop(stdin);
    while let Ok(chunk) = output.recv_timeout(Duration::from_millis(500)) {
        shown.extend(chunk);
    }
    let shown = String::from_utf8_lossy(&shown);
    assert!(status.success(), "{shown}");
    assert!(shown.contains("Value for secret `TYPED`"), "{shown}");
    assert!(!shown.contains("typed-secret-42"), "echoed: {shown}");
    assert_eq!(
        get(&files, "context.secrets.TYPED"),
        json!("typed-secret-42")
    );
}

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

/// A value holding an OSC title sequence and a CSI is printed exactly into
/// a pipe (a script wants the value) and escaped on a terminal; so are the
/// values `env` quotes and the keys `explain` names.
#[test]
fn values_are_escaped_on_a_terminal_only() {
    let files = TempFiles::new();
    let d = with_defaults(&files).join(" ");
    let hostile = "t\u{1b}]0;owned\u{7}x\u{9b}2J\u{202e}";
    files.write(
        ".prefect/config.toml",
        &format!(
            "[x]\nv = {}\n",
            toml::Value::String(format!("{hostile}\nline two"))
        ),
    );
    let piped = cmd(&files)
        .args(with_defaults(&files))
        .args(["get", "x.v"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&piped.stdout),
        format!("{hostile}\nline two\n")
    );
    for args in ["get x.v", "env --include x.v", "explain x.v", "view x"] {
        let shown = on_terminal(&files, &format!("--color never {d} {args}"), &[]);
        assert!(
            !shown.contains(['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}']),
            "{args}: {shown:?}"
        );
        // JSON and TOML escape C0 themselves; the rest is the renderer's.
        assert!(
            shown.contains(r"\u{1b}]0;owned\u{7}")
                || !args.starts_with("get") && !args.starts_with("env"),
            "{args}: {shown:?}"
        );
        assert!(shown.contains(r"\u{9b}2J\u{202e}"), "{args}: {shown:?}");
    }
}

//! Colour on a terminal: the binary runs under a pseudo-terminal made by
//! util-linux `script`, which Debian-based machines (ours and CI's) have.
#![cfg(feature = "cli")]
#![cfg(unix)]

mod common;

use std::process::Command;

use common::TempFiles;

/// Runs the binary on a pseudo-terminal and returns what it printed.
fn on_terminal(files: &TempFiles, args: &str, no_color: bool) -> String {
    let bin = env!("CARGO_BIN_EXE_prefect-config");
    let mut cmd = Command::new("script");
    cmd.args(["-qec", &format!("{bin} {args}"), "/dev/null"])
        .env_clear()
        .env("HOME", files.dir.path())
        .env("PATH", "/usr/bin:/bin");
    if no_color {
        cmd.env("NO_COLOR", "1");
    }
    let out = cmd.output().expect("`script` (util-linux) is installed");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn colour_on_a_terminal_unless_no_color() {
    let files = TempFiles::new();
    let coloured = on_terminal(&files, "explain server.port", false);
    assert!(coloured.contains("\u{1b}["), "{coloured:?}");
    let plain = on_terminal(&files, "explain server.port", true);
    assert!(!plain.contains('\u{1b}'), "{plain:?}");
    assert!(plain.contains("server.port"));
}

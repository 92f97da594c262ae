//! Issue 19, CLI side: every command and format masks the parts of a value
//! that are sensitive (arrays of tables, URLs in arrays, tables cast from
//! text, `PREFECT__CONTEXT` cast to a table) through the library's renderer,
//! and keeps the plain parts beside them.

#![cfg(feature = "cli")]

mod common;

use common::TempFiles;
use common::cli::cmd;

const SECRET: &str = "CANARY-parts-91";

fn defaults(files: &TempFiles) -> Vec<String> {
    let text = format!(
        "[[dbs]]\nhost = \"db-host-a\"\npassword = \"{SECRET}\"\n\n[x]\nurls = [\"postgresql://u:{SECRET}@h/db\", \"plain-url\"]\nlit = \"{{'token': '{SECRET}', 'name': 'lit-name'}}\"\nn = \"n=${{x.lit}}\"\nname = \"x-name\"\n\n[context]\n"
    );
    let path = files.write("defaults.toml", &text);
    vec!["--defaults".into(), path.display().to_string()]
}

/// Runs `args` and returns stdout and stderr, checked for the secret.
fn run(files: &TempFiles, args: &[&str]) -> String {
    let out = cmd(files)
        .args(defaults(files))
        .args(args)
        .env(
            "PREFECT__CONTEXT",
            format!("{{'secrets': {{'A': '{SECRET}'}}}}"),
        )
        .output()
        .expect("runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!text.contains(SECRET), "{args:?} shows the secret:\n{text}");
    text
}

#[test]
fn every_command_masks_parts_and_keeps_the_rest() {
    let files = TempFiles::new();
    for format in ["toml", "json", "env"] {
        let out = run(&files, &["view", "--format", format]);
        assert!(out.contains("x-name"), "view --format {format}: {out}");
        if format != "env" {
            assert!(out.contains("db-host-a"), "view --format {format}: {out}");
            assert!(out.contains("plain-url"), "view --format {format}: {out}");
        }
    }
    run(&files, &["view", "--show-sources"]);
    for key in [
        "dbs",
        "x.urls",
        "x.lit",
        "x.lit.token",
        "x.n",
        "context",
        "context.secrets.A",
    ] {
        run(&files, &["get", key]);
        run(&files, &["get", key, "--format", "json"]);
        run(&files, &["explain", key]);
        run(&files, &["explain", key, "--format", "json"]);
    }
    assert!(run(&files, &["get", "dbs"]).contains("db-host-a"));
    assert!(run(&files, &["get", "dbs", "--format", "json"]).contains("db-host-a"));
    run(&files, &["env"]);
    run(&files, &["view", "--changed"]);
}

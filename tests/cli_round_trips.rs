//! What `view` prints loads back to what it showed: a null inside an array
//! survives TOML, and `view labels.0` prints the element.
#![cfg(feature = "cli")]

mod common;

use std::process::{Command, Output};

use common::TempFiles;
use prefect_config::config::Loader;
use serde_json::{Value, json};

fn run(files: &TempFiles, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_prefect-config"))
        .args(args)
        .env_clear()
        .env("HOME", files.dir.path())
        .output()
        .expect("run prefect-config")
}

fn stdout(output: &Output) -> String {
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout.clone()).expect("UTF-8")
}

const USER: &str = "[extra]\nx = \"[1, None, 'a']\"\nn = \"None\"\ndeep = \"[[None], {'k': None}]\"\n\
                    plain = [1, 2]\nrows = \"[{'k': None, 'v': 1}]\"\nlabels = ['a', 'b']\n\
                    dbs = [{ host = 'h', port = 1 }]\n";

/// `view extra` as TOML, loaded as a file, gives what `view extra` shows as
/// JSON: the nulls inside arrays come back as nulls, not the string `"None"`.
#[test]
fn a_null_inside_an_array_survives_toml() {
    let files = TempFiles::new();
    files.write(".prefect/config.toml", USER);
    let shown: Value = serde_json::from_str(&stdout(&run(
        &files,
        &["view", "extra", "--format", "json"],
    )))
    .expect("JSON");
    assert_eq!(shown["x"], json!([1, null, "a"]));
    let toml = stdout(&run(&files, &["view", "extra"]));
    assert!(toml.contains("x = \"[1, None, 'a']\""), "{toml}");
    let back = Loader::new()
        .defaults_toml(toml)
        .load()
        .expect("view's TOML loads");
    assert_eq!(back.get("extra"), Some(&shown));
    assert_eq!(back.get("extra.deep"), Some(&json!([[null], {"k": null}])));
    assert_eq!(back.get("extra.rows"), Some(&json!([{"k": null, "v": 1}])));
}

/// A path into an array addresses the element, in every format.
#[test]
fn view_of_an_array_element_prints_the_element() {
    let files = TempFiles::new();
    files.write(".prefect/config.toml", USER);
    assert_eq!(stdout(&run(&files, &["view", "extra.labels.1"])), "\"b\"\n");
    assert_eq!(
        stdout(&run(
            &files,
            &["view", "extra.labels.1", "--format", "json"]
        )),
        "\"b\"\n"
    );
    let table = stdout(&run(&files, &["view", "extra.dbs.0"]));
    let parsed: toml::Table = table.parse().expect("a table prints as TOML");
    assert_eq!(parsed["host"].as_str(), Some("h"), "{table}");
    assert!(!table.contains("[extra"), "{table}");
    assert_eq!(stdout(&run(&files, &["view", "extra.dbs.0.port"])), "1\n");
}

/// `--show-sources` names the array's source beside an element.
#[test]
fn an_array_element_shows_its_source() {
    let files = TempFiles::new();
    files.write(".prefect/config.toml", USER);
    let text = stdout(&run(&files, &["view", "extra.labels.0", "--show-sources"]));
    assert!(text.starts_with("\"a\"  # "), "{text}");
    assert!(text.contains("config.toml"), "{text}");
    let table = stdout(&run(&files, &["view", "extra.dbs.0", "--show-sources"]));
    assert!(table.contains("host = \"h\"  # "), "{table}");
}

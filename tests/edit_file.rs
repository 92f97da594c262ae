//! The library's edit path, `prefect_config::edit`, used directly.
#![cfg(feature = "edit")]

mod common;

use prefect_config::config::Loader;
use prefect_config::edit::{Change, ConfigFile, EditError};
use serde_json::json;

use common::TempFiles;

#[test]
fn edits_from_many_threads_all_survive() {
    let files = TempFiles::new();
    let path = files.path("config.toml");
    std::thread::scope(|scope| {
        for i in 0..12 {
            let path = &path;
            scope.spawn(move || {
                ConfigFile::new(path)
                    .env_vars([("HOME", "/home/me")])
                    .apply(&[Change::set(&format!("t.k{i}"), json!(i))])
                    .unwrap();
            });
        }
    });
    let cfg = Loader::new().user_file(&path).load().unwrap();
    for i in 0..12 {
        assert_eq!(cfg.get(&format!("t.k{i}")), Some(&json!(i)));
    }
}

#[test]
fn the_validation_loader_sees_the_defaults() {
    let files = TempFiles::new();
    let path = files.write("config.toml", "# mine\n");
    let file = ConfigFile::new(&path)
        .validate_with(Loader::new().defaults_toml("[a]\nx = '${a.y}'"))
        .allow_expansion(true);
    let err = file
        .apply(&[Change::set("a.y", json!("${a.x}"))])
        .unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, EditError::WouldNotLoad { .. }));
    assert!(message.contains("reference cycle"), "{message}");
    assert!(
        !message.contains("prefect-edit"),
        "names the temp file: {message}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "# mine\n");
}

#[test]
fn a_value_through_a_non_table_is_refused() {
    let files = TempFiles::new();
    let path = files.write("config.toml", "a = 1\n");
    let err = ConfigFile::new(&path)
        .apply(&[Change::set("a.b", json!("x"))])
        .unwrap_err();
    assert!(matches!(err, EditError::NotATable { ref key, .. } if key == "a"));
}

#[test]
fn values_inside_inline_tables_and_lists_read_back() {
    let files = TempFiles::new();
    let path = files.write("config.toml", "t = { a = 1 }\n");
    let value = json!({"s": "True", "l": ["None", 1.5], "n": null});
    ConfigFile::new(&path)
        .apply(&[
            Change::set("t.b", value.clone()),
            Change::set("t.c", json!("x")),
        ])
        .unwrap();
    let cfg = Loader::new().user_file(&path).load().unwrap();
    assert_eq!(cfg.get("t.b"), Some(&value));
    assert_eq!(cfg.get("t.c"), Some(&json!("x")));
    assert_eq!(cfg.get("t.a"), Some(&json!(1)));
}

#[test]
fn a_broken_file_is_not_edited() {
    let files = TempFiles::new();
    let path = files.write("config.toml", "[a\nsecret = 'pw-marker'\n");
    let err = ConfigFile::new(&path)
        .apply(&[Change::set("b", json!(1))])
        .unwrap_err();
    assert!(matches!(err, EditError::Syntax { .. }));
    assert!(!err.to_string().contains("pw-marker"));
}

#[cfg(unix)]
#[test]
fn an_existing_file_keeps_its_mode() {
    use std::os::unix::fs::PermissionsExt;
    let files = TempFiles::new();
    let path = files.write("config.toml", "");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    let edited = ConfigFile::new(&path)
        .apply(&[Change::set_secret("A", json!("x"))])
        .unwrap();
    assert!(edited.readable_by_others());
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
}

#[test]
fn an_unset_in_a_missing_directory_creates_nothing() {
    let files = TempFiles::new();
    let path = files.path("new/config.toml");
    let err = ConfigFile::new(&path)
        .apply(&[Change::unset_secret("A")])
        .unwrap_err();
    assert!(matches!(err, EditError::NotInFile { .. }));
    assert!(!files.path("new").exists());
}

#[test]
fn a_read_error_names_the_file_and_keeps_its_cause_apart() {
    use std::error::Error as _;
    let files = TempFiles::new();
    // Text that is not UTF-8 cannot be read as TOML (a directory, the old
    // example, is now refused as `NotAFile` before any read).
    let path = files.path("config.toml");
    std::fs::write(&path, b"a = \"\xff\"\n").unwrap();
    let err = ConfigFile::new(&path)
        .env_vars([("HOME", "/home/me")])
        .apply(&[Change::set("a", json!(1))])
        .unwrap_err();
    assert!(
        matches!(err, EditError::Read { .. } | EditError::Write { .. }),
        "{err:?}"
    );
    let cause = err.source().expect("an I/O cause").to_string();
    assert!(err.to_string().contains("config.toml"), "{err}");
    // The chain prints the cause once: as the source, not in the message.
    assert!(!err.to_string().contains(&cause), "{err} / {cause}");
}

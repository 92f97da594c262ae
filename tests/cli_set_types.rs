//! `set KEY VALUE` means what `PREFECT__KEY=VALUE` would mean: the file it
//! writes holds TOML's own integer, boolean, array or table, or a string in a
//! form casting leaves alone, and loads back through the crate as the value
//! the environment variable gives; `--string` keeps the exact text.
#![cfg(feature = "cli")]

mod common;

use common::TempFiles;
use common::cli::{cmd, user_file, with_defaults};
use prefect_config::config::{Loader, env_string_to_type};
use prefect_config::edit::{Change, ConfigFile};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use serde_json::{Value, json};

/// Values as a user types them, and what each must load as.
const CASES: &[(&str, &str)] = &[
    ("8080", "8080"),
    ("false", "false"),
    ("FALSE", "false"),
    ("True", "true"),
    ("[1, 2]", "[1, 2]"),
    ("'x'", "\"x\""),
    ("\"'5'\"", "\"5\""),
    ("'5'", "5"),
    ("'True'", "true"),
    ("1.5", "1.5"),
    ("-7", "-7"),
    (
        "{'a': 1, 'b': [True, None]}",
        "{\"a\": 1, \"b\": [true, null]}",
    ),
    ("None", "null"),
    ("[1, None]", "[1, null]"),
    ("hello world", "\"hello world\""),
    ("", "\"\""),
    ("http://h:4200/x", "\"http://h:4200/x\""),
    ("1,2", "[1, 2]"),
    ("['True', '1']", "[\"True\", \"1\"]"),
    (
        "{'k': 'None', 'n': {'m': '1'}}",
        "{\"k\": \"None\", \"n\": {\"m\": \"1\"}}",
    ),
];

fn get_json(files: &TempFiles, d: &[String], key: &str, env: &[(&str, &str)]) -> Value {
    let out = cmd(files)
        .args(d)
        .args(["get", key, "--format", "json"])
        .envs(env.iter().copied())
        .assert()
        .success();
    serde_json::from_slice(&out.get_output().stdout).expect("JSON")
}

#[test]
fn set_stores_what_the_environment_variable_would_mean() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    let mut args: Vec<String> = vec!["set".into()];
    for (i, (text, _)) in CASES.iter().enumerate() {
        args.push(format!("x.k{i}"));
        args.push((*text).to_owned());
    }
    cmd(&files).args(&d).args(&args).assert().success();
    // Another home, without a user file.
    let no_file = TempFiles::new();
    for (i, (text, want)) in CASES.iter().enumerate() {
        let key = format!("x.k{i}");
        let want: Value = serde_json::from_str(want).unwrap();
        assert_eq!(get_json(&files, &d, &key, &[]), want, "set {key} {text:?}");
        // The same text in the environment, without the file, gives the same.
        let var = format!("PREFECT__X__K{i}");
        let from_env = cmd(&no_file)
            .args(&d)
            .args(["get", &key, "--format", "json"])
            .env(&var, text)
            .assert()
            .success();
        let from_env: Value = serde_json::from_slice(&from_env.get_output().stdout).unwrap();
        assert_eq!(from_env, want, "{var}={text:?}");
    }
}

#[test]
fn set_writes_native_toml_types_and_says_what_it_stored() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    let out = cmd(&files)
        .args(&d)
        .args(["set", "server.port", "8080", "flows.checkpointing=false"])
        .args([
            "x.l",
            "[1, 2]",
            "x.t",
            "{'a': 1}",
            "x.s",
            "'x'",
            "x.n",
            "[1, None]",
        ])
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    for line in [
        "set `server.port` = 8080 (integer)",
        "set `flows.checkpointing` = false (boolean)",
        "set `x.l` = [1,2] (list)",
        "set `x.t` = {\"a\":1} (table)",
        "set `x.s` = \"x\" (string)",
    ] {
        assert!(stderr.contains(line), "{line} in {stderr}");
    }
    let written = std::fs::read_to_string(user_file(&files)).unwrap();
    let doc: toml::Table = written.parse().unwrap();
    assert_eq!(doc["server"]["port"], toml::Value::Integer(8080));
    assert_eq!(doc["flows"]["checkpointing"], toml::Value::Boolean(false));
    assert!(
        doc["x"]["l"].is_array() && doc["x"]["t"].is_table(),
        "{written}"
    );
    assert_eq!(doc["x"]["s"], toml::Value::String("x".into()));
    // TOML has no null: Python's literal, which casting reads as the list.
    assert_eq!(doc["x"]["n"], toml::Value::String("[1, None]".into()));
}

#[test]
fn string_keeps_the_exact_text_and_json_still_parses_json() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    cmd(&files)
        .args(&d)
        .args(["set", "--string", "x.a", "8080", "x.b", "'x'"])
        .assert()
        .success();
    cmd(&files)
        .args(&d)
        .args(["set", "--json", "x.c", "[1, \"2\"]"])
        .assert()
        .success();
    assert_eq!(get_json(&files, &d, "x.a", &[]), json!("8080"));
    assert_eq!(get_json(&files, &d, "x.b", &[]), json!("'x'"));
    assert_eq!(get_json(&files, &d, "x.c", &[]), json!([1, "2"]));
    cmd(&files)
        .args(&d)
        .args(["set", "--string", "--json", "x.d", "1"])
        .assert()
        .code(2);
}

#[test]
fn a_sensitive_value_is_masked_in_what_set_reports() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    let out = cmd(&files)
        .args(&d)
        .args([
            "set",
            "x.api_key",
            "123456",
            "x.url",
            "postgresql://u:pw-9f@h/db",
        ])
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        !stderr.contains("123456") && !stderr.contains("pw-9f"),
        "{stderr}"
    );
    assert!(
        stderr.contains("set `x.api_key` = \"********\" (integer)"),
        "{stderr}"
    );
}

/// Text a user might type: literals of every kind, quoted forms, words.
fn typed_value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        prop_oneof![Just("true"), Just("False"), Just("None"), Just("TRUE")].prop_map(String::from),
        "[a-z0-9 ,'\"]{0,12}",
        prop::collection::vec(
            prop_oneof!["-?[0-9]{1,3}", Just("None".to_owned()), "'[a-z]{0,3}'"],
            0..4
        )
        .prop_map(|items| format!("[{}]", items.join(", "))),
        r"\{'[a-z]{1,3}': ('[a-zA-Z0-9]{0,4}'|[0-9]{1,3}|None|True)\}",
        r#"'[a-zA-Z0-9 ']{0,6}'|"'[0-9a-zA-Z]{0,4}'""#,
        "-?[0-9]{1,3}\\.[0-9]{1,3}",
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// The library path `set` takes: the env meaning, stored, reloads as it.
    #[test]
    fn stored_env_values_reload_as_the_environment_gives_them(text in typed_value()) {
        prop_assume!(!text.contains(['$', '~']) && !text.contains('\0'));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        let value = env_string_to_type(&text);
        let file = ConfigFile::new(&path).env_vars(std::iter::empty::<(String, String)>());
        match file.apply(&[Change::set("x.k", value.clone())]) {
            Ok(_) => {}
            // A string no quoted form casts back to is refused, never stored wrong.
            Err(e) => {
                prop_assert!(value.is_string(), "{e}");
                return Ok(());
            }
        }
        let empty = std::iter::empty::<(String, String)>();
        let loaded = Loader::new().env_vars(empty).user_file(&path).load().unwrap();
        let from_env = Loader::new()
            .env_prefix("PREFECT")
            .env_vars([("PREFECT__X__K", text.as_str())])
            .load()
            .unwrap();
        prop_assert_eq!(loaded.get("x.k"), from_env.get("x.k"));
        prop_assert_eq!(loaded.get("x.k"), Some(&value));
    }
}

#[test]
fn the_generator_hits_each_kind_of_value() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = typed_value();
    let (mut ints, mut lists, mut tables, mut strings, mut nulls_in_lists) = (0, 0, 0, 0, 0);
    for _ in 0..400 {
        let text = strategy.new_tree(&mut runner).unwrap().current();
        match env_string_to_type(&text) {
            Value::Number(_) => ints += 1,
            Value::Array(items) => {
                lists += 1;
                nulls_in_lists += usize::from(items.contains(&Value::Null));
            }
            Value::Object(_) => tables += 1,
            Value::String(_) => strings += 1,
            _ => {}
        }
    }
    assert!(
        ints > 40 && lists > 20 && tables > 20 && strings > 60,
        "{ints} {lists} {tables} {strings}"
    );
    assert!(nulls_in_lists > 5, "{nulls_in_lists}");
}

//! A context handed to a real child process through
//! `Snapshot::to_environment_variables`: the child (the `child_process`
//! example, built here with cargo so that `cargo test --test` works alone)
//! reads the variables back through its own loader and `context::get`
//! returns the parent's values.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use common::TempFiles;
use common::context::{MARKER_SECRET, init};
use prefect_config::context;
use serde_json::{Value, json};

/// The `child_process` example, built once per test binary.
fn child_binary() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        escargot::CargoBuild::new()
            .example("child_process")
            .current_release()
            // No `--target`: the example then shares `target/debug` with
            // this test build, which `cargo test` has already compiled it into.
            .run()
            .expect("build the child_process example")
            .path()
            .to_path_buf()
    })
}

/// Runs the child with exactly `vars` (and a temporary home) as its
/// environment and returns the JSON object it prints for `keys`.
fn run_child(vars: &BTreeMap<String, String>, keys: &[&str]) -> Value {
    let home = TempFiles::new();
    let output = Command::new(child_binary())
        .arg("--child")
        .args(keys)
        .env_clear()
        .env("HOME", home.dir.path())
        .envs(vars)
        .output()
        .expect("start the child");
    assert!(output.status.success(), "{output:?}");
    serde_json::from_slice(&output.stdout).expect("the child prints JSON")
}

/// Values that casting would change if they were not quoted, and shapes
/// that need nested names.
fn tricky_values() -> Value {
    json!({
        "int_text": "42",
        "zero_padded_text": "0042",
        "float_text": "1.5",
        "negative_text": "-3",
        "bool_text": "true",
        "title_bool_text": "False",
        "none_text": "None",
        "null_text": "null",
        "quoted_text": "'x'",
        "list_text": "[1, 2]",
        "plain": "hello world",
        "int": 7,
        "float": 2.5,
        "bool": false,
        "none": null,
        "nested": {"a": {"b": "12", "c": true, "d": null}, "e": "x"},
        "list": ["1", 2, true, null, "None", {"k": "v"}],
        "empty_list": [],
        "empty_table": {}
    })
}

#[test]
fn the_child_sees_the_parents_values() {
    init();
    let values = tricky_values();
    let keys: Vec<&str> = values
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let (vars, parent) = context::with(values.clone(), || {
        let parent: Vec<(String, Option<Value>)> = keys
            .iter()
            .map(|k| (k.to_string(), context::get(k)))
            .collect();
        (
            context::snapshot().to_environment_variables("PREFECT"),
            parent,
        )
    });
    let mut asked = keys.clone();
    asked.push("region"); // a base key, from the parent's `[context]` table
    let child = run_child(&vars, &asked);
    for (key, value) in parent {
        assert_eq!(
            child.get(&key),
            value.as_ref(),
            "key `{key}`; variables {vars:?}"
        );
    }
    assert_eq!(child["region"], "eu");
}

#[test]
fn secrets_stay_behind_unless_asked_for_and_keep_the_case_of_their_names() {
    init();
    let overrides = json!({"secrets": {"MixedCase": "0042", "lower": {"user": "u"}}, "job": "j"});
    let snapshot = context::with(overrides, context::snapshot);

    let without = snapshot.to_environment_variables("PREFECT");
    assert!(
        !without.values().any(|v| v.contains(MARKER_SECRET)),
        "{without:?}"
    );
    let child = run_child(&without, &["secrets", "job"]);
    assert_eq!(child, json!({"job": "j"}));

    let with = snapshot.to_environment_variables_with_secrets("PREFECT");
    assert!(with.contains_key("PREFECT__CONTEXT__SECRETS__MixedCase"));
    let child = run_child(&with, &["secrets"]);
    assert_eq!(
        child["secrets"],
        // The scope's `secrets` replaced the base's whole, as any key does.
        json!({"MixedCase": "0042", "lower": {"user": "u"}})
    );
    // Outside that scope the base secrets of the parent's configuration are
    // the visible ones, and they travel the same way.
    let base = context::snapshot().to_environment_variables_with_secrets("PREFECT");
    let child = run_child(&base, &["secrets"]);
    assert_eq!(
        child["secrets"],
        json!({"TOML_SECRET": MARKER_SECRET, "ENV_SECRET": "from-env"})
    );
}

#[test]
fn the_variables_are_those_of_config_to_environment_variables() {
    init();
    // One rule: the same tree exported by the configuration gives the same
    // names and texts.
    let values = tricky_values();
    let vars = context::with(values.clone(), || {
        context::snapshot().to_environment_variables("P")
    });
    let config = prefect_config::config::Loader::new()
        .load()
        .unwrap()
        .with_overrides(&json!({ "context": values }));
    let from_config = config.to_environment_variables(None, "P");
    for (name, text) in &from_config {
        assert_eq!(vars.get(name), Some(text), "{name}");
    }
}

//! Property tests: casting never panics and printed values cast back;
//! `to_environment_variables` output loads back to the same configuration.

mod common;

use common::python::python_literal;
use prefect_config::config::{Loader, string_to_type};
use proptest::prelude::*;
use serde_json::{Map, Value};

/// JSON values whose keys are lower-case (environment names lose case) and
/// whose strings have no `$` or leading `~` (expanded on load).
fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e300f64..1e300).prop_map(Value::from),
        "[^$~]{0,12}".prop_map(Value::String),
        prop::sample::select(vec![
            "4200", "true", "None", "'x'", "[1]", "1.10", " 5", "a,b", "\"q\"", "#", "\\n"
        ])
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z]{1,3}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// A configuration tree: tables of lower-case keys with any values.
fn tree() -> impl Strategy<Value = Value> {
    // Keys an environment name can spell: no leading, trailing or double `_`.
    prop::collection::btree_map("[a-z]{1,3}(_[a-z]{1,2})?", value(), 1..6)
        .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>()))
}

/// Renders a tree as TOML in which every value is a Python literal string,
/// so loading it back gives exactly the tree.
fn toml_of(tree: &Value) -> String {
    let mut out = String::new();
    for (key, value) in tree.as_object().into_iter().flatten() {
        let literal = python_literal(value);
        let quoted = serde_json::to_string(&literal).unwrap_or_default();
        out.push_str(&format!("{key} = {quoted}\n"));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn string_to_type_never_panics(text in "\\PC{0,40}") {
        let _ = string_to_type(&text);
    }

    #[test]
    fn string_to_type_never_panics_on_literal_like_text(text in "[\\[\\](){}'\",:0-9a-fA-FxjeE_.+\\- \\\\#\\n]{0,40}") {
        let _ = string_to_type(&text);
    }

    #[test]
    fn python_literals_cast_back_to_their_value(value in value()) {
        prop_assert_eq!(string_to_type(&python_literal(&value)), value);
    }

    /// The `load` fuzz target's property, bounded: any TOML-ish text and
    /// environment loads or fails without panicking, and a failing load has
    /// an error in its check.
    #[test]
    fn loading_anything_never_panics_and_check_agrees(
        toml in "[a-c=\\[\\]{}$.'\"\\n 0-9#~]{0,60}",
        vars in prop::collection::vec(("[A-C_]{0,6}", "[a-c${}.0-9~'\\[\\]]{0,12}"), 0..4),
    ) {
        let vars: Vec<(String, String)> =
            vars.into_iter().map(|(k, v)| (format!("PREFECT__{k}"), v)).collect();
        let loader = Loader::new().defaults_toml(toml).env_prefix("PREFECT").env_vars(vars);
        let loaded = loader.load();
        let problems = loader.check();
        if loaded.is_err() {
            prop_assert!(problems.iter().any(|p| p.is_error()), "{:?}", problems);
        }
    }

    /// The `references` fuzz target's property, bounded.
    #[test]
    fn any_web_of_references_resolves_or_fails_cleanly(
        values in prop::collection::vec("(\\$\\{k[0-5]\\}|\\$\\{|\\}|x|\\.|k[0-5]){0,8}", 1..6),
    ) {
        let toml: String = values
            .iter()
            .enumerate()
            .map(|(i, v)| format!("k{i} = {}\n", serde_json::to_string(v).unwrap()))
            .collect();
        let _ = Loader::new().defaults_toml(toml).load();
    }

    #[test]
    fn environment_export_round_trips(tree in tree()) {
        let config = Loader::new().defaults_toml(toml_of(&tree)).env_vars([("HOME", "/h")]).load();
        let config = match config {
            Ok(config) => config,
            // A generated key may be reserved (`get`, `keys`, ...).
            Err(err) => { prop_assert!(err.key().is_some(), "{}", err); return Ok(()); }
        };
        prop_assert_eq!(config.as_value(), &tree);
        let vars = config.to_environment_variables_with_secrets(None, "PREFECT");
        let mut env: Vec<(String, String)> = vars.into_iter().collect();
        env.push(("HOME".into(), "/h".into()));
        let reloaded = Loader::new().defaults_toml("").env_prefix("PREFECT").env_vars(env).load().unwrap();
        // Empty tables vanish on load, as in Prefect; compare what survives.
        prop_assert_eq!(reloaded.as_value(), config.as_value());
    }
}

//! Environment variable names and values.

use prefect_config::config::{ConfigError, ConfigWarning, Loader, Source};
use serde_json::json;

fn load(vars: &[(&str, &str)]) -> Result<prefect_config::config::Config, ConfigError> {
    Loader::new()
        .defaults_toml("[server]\nport = 4200\n[logging]\nlevel = 'INFO'\n")
        .env_prefix("PREFECT")
        .env_vars(vars.iter().copied())
        .load()
}

#[test]
fn key_parts_are_lower_cased() {
    let cfg = load(&[
        ("PREFECT__Server__PORT", "1"),
        ("PREFECT__NEW__Deep__KEY", "x"),
    ])
    .unwrap();
    assert_eq!(cfg.get("server.port"), Some(&json!(1)));
    assert_eq!(cfg.get("new.deep.key"), Some(&json!("x")));
}

#[test]
fn secret_names_keep_their_case_in_any_spelling_of_the_prefix() {
    let cfg = load(&[
        ("PREFECT__CONTEXT__SECRETS__MyKey", "a"),
        ("PREFECT__context__secrets__lowerKey", "b"),
        ("PREFECT__Context__Secrets__ODD", "c"),
        ("PREFECT__CONTEXT__SECRETS__Nested__Name", "d"),
    ])
    .unwrap();
    assert_eq!(
        cfg.get("context.secrets"),
        Some(&json!({"MyKey": "a", "lowerKey": "b", "ODD": "c", "Nested": {"Name": "d"}}))
    );
    assert_eq!(
        cfg.source_of("context.secrets.MyKey"),
        Some(&Source::EnvVar("PREFECT__CONTEXT__SECRETS__MyKey".into()))
    );
}

#[test]
fn only_the_prefix_with_a_double_underscore_matches() {
    let cfg = load(&[
        ("PREFECTX__A", "1"),
        ("PREFECT_A", "1"),
        ("prefect__a", "1"),
    ])
    .unwrap();
    assert!(cfg.get("a").is_none());
}

#[test]
fn an_empty_key_part_is_an_error_naming_the_variable() {
    for var in ["PREFECT__A____B", "PREFECT__A__", "PREFECT__"] {
        let err = load(&[(var, "1")]).unwrap_err();
        assert!(
            matches!(&err, ConfigError::EmptyEnvKeyPart { var: v } if v == var),
            "{var}: {err}"
        );
        assert!(err.to_string().contains(var));
    }
}

#[test]
fn values_are_expanded_then_cast_twice() {
    let cfg = load(&[
        ("PREFECT__A__INT", "5"),
        ("PREFECT__A__QUOTED", "'5'"),
        ("PREFECT__A__TWICE", "\"'5'\""),
        ("PREFECT__A__LIST", "[1, 'x']"),
        ("PREFECT__A__DICT", "{'k': None}"),
        ("PREFECT__A__VAR", "$TARGET"),
        ("TARGET", "7"),
    ])
    .unwrap();
    assert_eq!(cfg.get("a.int"), Some(&json!(5)));
    // Cast once to the string "5", then once more to 5, as Prefect does.
    assert_eq!(cfg.get("a.quoted"), Some(&json!(5)));
    assert_eq!(cfg.get("a.twice"), Some(&json!("5")));
    assert_eq!(cfg.get("a.list"), Some(&json!([1, "x"])));
    assert_eq!(cfg.get("a.dict"), Some(&json!({"k": null})));
    assert_eq!(cfg.get("a.var"), Some(&json!(7)));
    assert_eq!(cfg.raw_text("a.var"), Some("7"));
}

#[test]
fn a_cast_table_from_the_environment_replaces_rather_than_merges() {
    let cfg = load(&[("PREFECT__SERVER", "{'host': 'h'}")]).unwrap();
    assert_eq!(cfg.get("server"), Some(&json!({"host": "h"})));
    assert_eq!(
        cfg.source_of("server.host"),
        Some(&Source::EnvVar("PREFECT__SERVER".into()))
    );
}

#[test]
fn a_variable_under_another_variables_key_wins_with_a_warning() {
    let cfg = load(&[("PREFECT__X", "1"), ("PREFECT__X__Y", "2")]).unwrap();
    assert_eq!(cfg.get("x"), Some(&json!({"y": 2})));
    assert!(
        cfg.warnings()
            .iter()
            .any(|w| matches!(w, ConfigWarning::EnvConflict { var, .. } if var == "PREFECT__X"))
    );
}

#[test]
fn likely_typos_are_warned_about_with_a_suggestion() {
    let cfg = load(&[
        ("PREFECT__LOGGING__LEVLE", "DEBUG"),
        ("PREFECT__SERVR__PORT", "1"),
        ("PREFECT__BRAND__NEW", "1"),
    ])
    .unwrap();
    let text: Vec<String> = cfg.warnings().iter().map(ToString::to_string).collect();
    assert!(
        text.iter()
            .any(|w| w.contains("PREFECT__LOGGING__LEVLE") && w.contains("logging.level")),
        "{text:?}"
    );
    assert!(
        text.iter()
            .any(|w| w.contains("PREFECT__SERVR__PORT") && w.contains("server.port")),
        "{text:?}"
    );
    assert!(
        !text.iter().any(|w| w.contains("BRAND")),
        "no suggestion for a new key: {text:?}"
    );
    assert!(
        !text.iter().any(|w| w.contains("DEBUG")),
        "warnings never show values"
    );
}

#[test]
fn too_many_key_parts_are_rejected_cleanly() {
    let name = format!("PREFECT{}", "__A".repeat(10_000));
    let err = load(&[(name.as_str(), "1")]).unwrap_err();
    assert!(matches!(err, ConfigError::TooDeep { .. }));
}

#[test]
fn when_two_variables_set_one_key_the_later_one_wins() {
    let cfg = load(&[
        ("PREFECT__logging__level", "first"),
        ("PREFECT__LOGGING__LEVEL", "second"),
    ])
    .unwrap();
    assert_eq!(cfg.get("logging.level"), Some(&json!("second")));
    assert_eq!(
        cfg.source_of("logging.level"),
        Some(&Source::EnvVar("PREFECT__LOGGING__LEVEL".into()))
    );
    let cfg = load(&[
        ("PREFECT__LOGGING__LEVEL", "second"),
        ("PREFECT__logging__level", "first"),
    ])
    .unwrap();
    assert_eq!(cfg.get("logging.level"), Some(&json!("first")));
}

//! Layer order, file discovery and merging.

mod common;

use common::TempFiles;
use prefect_config::config::{ConfigError, Loader, Source};
use serde_json::json;

#[test]
fn four_layers_apply_lowest_to_highest() {
    let files = TempFiles::new();
    let defaults = files.write("defaults.toml", "[s]\na = 'd'\nb = 'd'\nc = 'd'\nd = 'd'\n");
    let user = files.write("user.toml", "[s]\nb = 'u'\nc = 'u'\nd = 'u'\n");
    let backend = files.write("backend.toml", "[s]\nc = 'b'\nd = 'b'\n");
    let cfg = Loader::new()
        .defaults_file(&defaults)
        .user_file(&user)
        .backend_file(&backend)
        .env_prefix("PREFECT")
        .env_vars([("PREFECT__S__D", "e")])
        .load()
        .unwrap();
    assert_eq!(
        cfg.get("s"),
        Some(&json!({"a": "d", "b": "u", "c": "b", "d": "e"}))
    );
    assert_eq!(
        cfg.source_of("s.a"),
        Some(&Source::DefaultsFile(defaults.into()))
    );
    assert_eq!(cfg.source_of("s.b"), Some(&Source::UserFile(user.into())));
    assert_eq!(
        cfg.source_of("s.c"),
        Some(&Source::BackendFile(backend.into()))
    );
    assert_eq!(
        cfg.source_of("s.d"),
        Some(&Source::EnvVar("PREFECT__S__D".into()))
    );
}

#[test]
fn tables_merge_deeply_while_scalars_and_arrays_replace() {
    let files = TempFiles::new();
    let user = files.write(
        "user.toml",
        "[a.b]\ny = 2\n[a]\nlist = [3]\nscalar = { now = 'table' }\n",
    );
    let cfg = Loader::new()
        .defaults_toml("[a]\nlist = [1, 2]\nscalar = 1\n[a.b]\nx = 1\n")
        .user_file(&user)
        .load()
        .unwrap();
    assert_eq!(cfg.get("a.b"), Some(&json!({"x": 1, "y": 2})));
    assert_eq!(cfg.get("a.list"), Some(&json!([3])));
    assert_eq!(cfg.get("a.scalar"), Some(&json!({"now": "table"})));
}

#[test]
fn a_table_replaced_by_a_scalar_is_gone() {
    let files = TempFiles::new();
    let user = files.write("user.toml", "server = 'off'\n");
    let cfg = Loader::new()
        .defaults_toml("[server]\nport = 1\n")
        .user_file(&user)
        .load()
        .unwrap();
    assert_eq!(cfg.get("server"), Some(&json!("off")));
    assert!(cfg.get("server.port").is_none());
}

#[test]
fn missing_user_and_backend_files_are_skipped() {
    let files = TempFiles::new();
    let cfg = Loader::new()
        .defaults_toml("a = 1")
        .user_file(files.path("nope.toml"))
        .backend_file(files.path("nope/backend.toml"))
        .load()
        .unwrap();
    assert_eq!(cfg.as_value(), &json!({"a": 1}));
    // A directory is not a missing file: it is an error naming it (issue 19).
    let err = Loader::new()
        .defaults_toml("a = 1")
        .backend_file(files.dir.path())
        .load()
        .unwrap_err();
    assert!(
        matches!(
            err,
            ConfigError::NotRegularFile {
                what: "a directory",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn a_missing_defaults_file_is_an_error_naming_it() {
    let files = TempFiles::new();
    let missing = files.path("defaults.toml");
    let err = Loader::new().defaults_file(&missing).load().unwrap_err();
    assert!(matches!(&err, ConfigError::Read { path, .. } if *path == missing));
    assert!(err.to_string().contains("defaults.toml"));
}

#[test]
fn the_standard_loader_finds_files_through_its_environment() {
    let files = TempFiles::new();
    let user = files.write("custom/user.toml", "[server]\nport = 1111\n");
    let backend = files.write("home/.prefect/backend.toml", "backend = 'server'\n");
    let home = files.path("home");
    let cfg = Loader::prefect()
        .env_vars([
            ("PREFECT__USER_CONFIG_PATH", user.to_str().unwrap()),
            ("HOME", home.to_str().unwrap()),
        ])
        .load()
        .unwrap();
    assert_eq!(cfg.get("server.port"), Some(&json!(1111)));
    assert_eq!(cfg.get("backend"), Some(&json!("server")));
    // `cloud.api` follows `backend` through `${${backend}.endpoint}`.
    assert_eq!(cfg.get("cloud.api"), Some(&json!("http://localhost:1111")));
    assert_eq!(
        cfg.source_of("backend"),
        Some(&Source::BackendFile(backend.into()))
    );
    assert_eq!(
        cfg.get("home_dir"),
        Some(&json!(format!("{}/.prefect", home.display())))
    );
}

#[test]
fn file_paths_expand_variables_and_home() {
    let files = TempFiles::new();
    files.write("conf/user.toml", "x = 'from user'\n");
    let cfg = Loader::new()
        .defaults_toml("x = 'default'")
        .user_file("~/conf/$NAME.toml")
        .env_vars([
            ("HOME", files.dir.path().to_str().unwrap()),
            ("NAME", "user"),
        ])
        .load()
        .unwrap();
    assert_eq!(cfg.get("x"), Some(&json!("from user")));
}

#[test]
fn without_home_in_the_environment_tilde_paths_are_not_guessed() {
    // An injected environment without HOME must never reach the real home.
    let cfg = Loader::prefect().env_vars([("X", "1")]).load().unwrap();
    assert_eq!(cfg.get("home_dir"), Some(&json!("~/.prefect")));
    assert_eq!(cfg.source_of("debug"), Some(&Source::EmbeddedDefaults));
}

#[test]
fn key_case_and_order_are_kept_from_toml() {
    let cfg = Loader::new()
        .defaults_toml("Zeta = 1\nalpha = 2\n[Mixed]\nCaseKey = 3\n")
        .load()
        .unwrap();
    let keys: Vec<&String> = cfg.as_value().as_object().unwrap().keys().collect();
    assert_eq!(keys, ["Zeta", "alpha", "Mixed"]);
    assert_eq!(cfg.get("Mixed.CaseKey"), Some(&json!(3)));
}

#[test]
fn keys_added_by_later_layers_come_after_the_defaults_keys() {
    let files = TempFiles::new();
    let user = files.write("user.toml", "new = 1\n[b]\nz = 1\n");
    let cfg = Loader::new()
        .defaults_toml("a = 1\n[b]\ny = 1\n")
        .user_file(&user)
        .load()
        .unwrap();
    let keys: Vec<&String> = cfg.as_value().as_object().unwrap().keys().collect();
    assert_eq!(keys, ["a", "b", "new"]);
}

#[test]
fn empty_tables_vanish_as_in_prefect() {
    let cfg = Loader::new()
        .defaults_toml("a = 1\n[context.secrets]\n[empty]\n")
        .load()
        .unwrap();
    assert_eq!(cfg.as_value(), &json!({"a": 1}));
}

#[test]
fn task_defaults_follow_prefects_rules() {
    let cfg = Loader::new()
        .defaults_toml("[tasks.defaults]\nmax_retries = false\nretry_delay = false\n")
        .task_defaults(true)
        .load()
        .unwrap();
    assert_eq!(
        cfg.get("tasks.defaults"),
        Some(&json!({"max_retries": 0, "retry_delay": null, "timeout": null}))
    );
    assert_eq!(
        cfg.source_of("tasks.defaults.timeout"),
        Some(&Source::TaskDefaults)
    );

    let cfg = Loader::new()
        .defaults_toml("[tasks.defaults]\nmax_retries = 2\nretry_delay = 30\ntimeout = 5\n")
        .task_defaults(true)
        .load()
        .unwrap();
    let defaults = cfg.task_defaults();
    assert_eq!(defaults.max_retries, 2);
    assert_eq!(
        defaults.retry_delay,
        Some(std::time::Duration::from_secs(30))
    );
    assert_eq!(defaults.timeout, Some(std::time::Duration::from_secs(5)));

    let bare = Loader::new().defaults_toml("").load().unwrap();
    assert!(
        bare.get("tasks").is_none(),
        "task defaults only when asked for"
    );
}

#[test]
fn load_configuration_has_prefects_shape() {
    let files = TempFiles::new();
    let defaults = files.write("d.toml", "[a]\nb = 1\n");
    let user = files.write("u.toml", "[a]\nb = 2\n");
    let cfg = prefect_config::config::load_configuration(
        &defaults,
        Some(user.to_str().unwrap()),
        None,
        None,
    )
    .unwrap();
    assert_eq!(cfg.get("a.b"), Some(&json!(2)));
}

#[test]
fn a_missing_file_named_by_a_variable_is_a_warning_not_silence() {
    let files = common::TempFiles::new();
    let home = files.dir.path().to_str().unwrap();
    let cfg = prefect_config::config::Loader::prefect()
        .env_vars([
            ("HOME", home),
            ("PREFECT__USER_CONFIG_PATH", "$HOME/typo.toml"),
        ])
        .load()
        .unwrap();
    let missing: Vec<String> = cfg
        .warnings()
        .iter()
        .filter(|w| matches!(w, prefect_config::config::ConfigWarning::MissingFile { .. }))
        .map(ToString::to_string)
        .collect();
    assert_eq!(missing.len(), 1, "{missing:?}");
    assert!(missing[0].contains("PREFECT__USER_CONFIG_PATH") && missing[0].contains("typo.toml"));
    // The default path, missing, is skipped silently as in Prefect.
    let cfg = prefect_config::config::Loader::prefect()
        .env_vars([("HOME", home)])
        .load()
        .unwrap();
    assert!(cfg.warnings().is_empty(), "{:?}", cfg.warnings());
}

#[test]
fn a_file_edited_between_loads_is_read_again() {
    // Parses are cached by source and text: an edit must never be missed.
    let files = common::TempFiles::new();
    let user = files.write("config.toml", "[server]\nport = 1\n");
    let loader = prefect_config::config::Loader::new()
        .defaults_toml("[server]\nport = 0\n")
        .user_file(&user);
    assert_eq!(
        loader.load().unwrap().get("server.port"),
        Some(&serde_json::json!(1))
    );
    assert_eq!(
        loader.load().unwrap().get("server.port"),
        Some(&serde_json::json!(1))
    );
    files.write("config.toml", "[server]\nport = 2\n");
    assert_eq!(
        loader.load().unwrap().get("server.port"),
        Some(&serde_json::json!(2))
    );
    // The same text from another file keeps that file as its source.
    let other = files.write("other.toml", "[server]\nport = 2\n");
    let cfg = prefect_config::config::Loader::new()
        .defaults_toml("")
        .user_file(&other)
        .load()
        .unwrap();
    assert_eq!(
        cfg.source_of("server.port").and_then(|s| s.file()),
        Some(other.as_path())
    );
}

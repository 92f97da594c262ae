//! When the global configuration fails to load, the context is the embedded
//! defaults, never an empty tree, and the error stays visible. Its own test
//! binary: the global configuration is loaded once per process, here from a
//! process environment that the `ProcessEnv` fixture sets and restores.

mod common;

use common::TempFiles;
use common::process_env::ProcessEnv;
use prefect_config::config::{ConfigError, ConfigWarning};
use prefect_config::context;
use serde_json::json;

/// Sets a home and a user file that is not valid TOML, for as long as the
/// returned fixture lives. Whichever test runs first loads the global
/// configuration under it.
fn broken_user_file() -> (ProcessEnv, TempFiles) {
    let files = TempFiles::new();
    let user = files.write("broken.toml", "[server]\nport = \n");
    let home = files
        .dir
        .path()
        .to_str()
        .expect("UTF-8 temp dir")
        .to_owned();
    let user = user.to_str().expect("UTF-8 temp path").to_owned();
    let env = ProcessEnv::set(&[
        ("HOME", home.as_str()),
        ("PREFECT__USER_CONFIG_PATH", user.as_str()),
    ]);
    (env, files)
}

#[test]
fn config_is_the_embedded_defaults_and_every_report_names_the_error() {
    let (_env, _files) = broken_user_file();

    let global = prefect_config::global().unwrap_err();
    assert!(
        matches!(global, ConfigError::Syntax { line: 2, .. }),
        "{global}"
    );
    assert!(global.to_string().contains("broken.toml"), "{global}");

    let tried = context::try_config().unwrap_err();
    assert_eq!(tried.to_string(), global.to_string());

    let config = context::config();
    assert_eq!(config.get("server.port"), Some(&json!(4200)));
    assert_eq!(
        config.get("cloud.use_local_secrets"),
        Some(&json!(true)),
        "the embedded defaults, not an empty tree"
    );
    let warnings: Vec<&ConfigWarning> = config
        .warnings()
        .iter()
        .filter(|w| matches!(w, ConfigWarning::GlobalLoadFailed { .. }))
        .collect();
    assert_eq!(warnings.len(), 1, "{:?}", config.warnings());
    let text = warnings[0].to_string();
    assert!(
        text.contains("broken.toml") && text.contains("embedded defaults"),
        "{text}"
    );

    assert_eq!(
        context::get("config").and_then(|c| c.pointer("/server/port").cloned()),
        Some(json!(4200))
    );
}

#[test]
fn scopes_and_other_threads_build_on_the_defaults() {
    let (_env, _files) = broken_user_file();

    context::with(json!({"config": {"server": {"port": 1}}, "a": 1}), || {
        let config = context::config();
        assert_eq!(config.get("server.port"), Some(&json!(1)));
        assert_eq!(config.get("server.host"), Some(&json!("http://localhost")));
        assert_eq!(context::get("a"), Some(json!(1)));
    });

    let (port, failed) = std::thread::spawn(|| {
        (
            context::config().get("server.port").cloned(),
            context::try_config().is_err(),
        )
    })
    .join()
    .expect("the thread runs");
    assert_eq!(port, Some(json!(4200)));
    assert!(failed);
}

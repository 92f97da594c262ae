//! The loader's model: figment providers in and out, `explain` as recorded by
//! the load, and `Loader::check` collecting every problem.

mod common;

use figment::Figment;
use figment::providers::{Format, Json, Serialized, Toml};
use prefect_config::config::{Loader, Location, Problem, Source, StepKind};
use serde_json::json;

const DEFAULTS: &str = "backend = 'cloud'\n[server]\nhost = 'localhost'\nport = 4200\n[cloud]\napi = 'https://api.prefect.io'\n[cloud.server]\napi = 'http://localhost:4200'\n";

#[test]
fn string_providers_sit_above_the_files_and_below_the_environment() {
    let cfg = Loader::new()
        .defaults_toml(DEFAULTS)
        .provider(Toml::string("[server]\nport = '8080'\nhost = 'toml-host'"))
        .provider(Json::string(
            r#"{"server": {"host": "json-host", "debug": "True"}}"#,
        ))
        .env_prefix("PREFECT")
        .env_vars([("PREFECT__SERVER__PORT", "9090")])
        .load()
        .unwrap();
    // Later providers win over earlier ones, the environment over both.
    assert_eq!(cfg.get("server.host"), Some(&json!("json-host")));
    assert_eq!(cfg.get("server.port"), Some(&json!(9090)));
    // Provider strings are cast like TOML strings.
    assert_eq!(cfg.get("server.debug"), Some(&json!(true)));
    match cfg.source_of("server.host") {
        Some(Source::Provider { name, file: None }) => assert!(name.contains("JSON"), "{name}"),
        other => panic!("unexpected source {other:?}"),
    }
    let why = cfg.explain("server.host").unwrap();
    let layers: Vec<&str> = why.layers().iter().map(|l| l.source.layer()).collect();
    assert_eq!(layers, ["defaults", "provider", "provider"]);
}

#[test]
fn a_serialized_provider_gets_expansion_casting_and_references() {
    let cfg = Loader::new()
        .defaults_toml(DEFAULTS)
        .provider(Serialized::defaults(json!({
            "server": {"port": "'7000'", "url": "http://${server.host}:${server.port}", "home": "$HOME/x"}
        })))
        .env_vars([("HOME", "/home/me")])
        .load()
        .unwrap();
    assert_eq!(cfg.get("server.port"), Some(&json!("7000")));
    assert_eq!(cfg.get("server.url"), Some(&json!("http://localhost:7000")));
    assert_eq!(cfg.get("server.home"), Some(&json!("/home/me/x")));
    assert_eq!(cfg.get("server.host"), Some(&json!("localhost")));
    assert!(matches!(
        cfg.source_of("server.url"),
        Some(Source::Provider { .. })
    ));
    assert_eq!(cfg.source_of("server.host"), Some(&Source::DefaultsToml));
}

#[test]
fn a_file_provider_names_its_file() {
    let files = common::TempFiles::new();
    let path = files.write("extra.toml", "[server]\nport = 1234\n");
    let cfg = Loader::new()
        .defaults_toml(DEFAULTS)
        .provider(Toml::file(&path))
        .load()
        .unwrap();
    let source = cfg.source_of("server.port").unwrap();
    assert_eq!(source.file(), Some(path.as_path()));
    assert!(source.to_string().contains("extra.toml"), "{source}");
}

#[test]
fn a_failing_provider_is_an_error_naming_it_without_its_input() {
    let err = Loader::new()
        .defaults_toml(DEFAULTS)
        .provider(Toml::string("token = 'SECRET-MARKER\n"))
        .load()
        .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("provider"), "{text}");
    assert!(!text.contains("SECRET-MARKER"), "{text}");
}

#[test]
fn the_loaded_figment_names_each_values_source() {
    let cfg = Loader::new()
        .defaults_toml(DEFAULTS)
        .env_prefix("PREFECT")
        .env_vars([("PREFECT__SERVER__PORT", "8080")])
        .load()
        .unwrap();
    let figment: Figment = cfg.figment();
    assert_eq!(figment.extract_inner::<u16>("server.port").unwrap(), 8080);
    assert_eq!(
        figment.extract_inner::<String>("server.host").unwrap(),
        "localhost"
    );
    let port = figment.find_metadata("server.port").unwrap();
    assert!(port.name.contains("PREFECT__SERVER__PORT"), "{}", port.name);
    let host = figment.find_metadata("server.host").unwrap();
    assert_eq!(host.name, Source::DefaultsToml.to_string());

    #[derive(serde::Deserialize)]
    struct Server {
        host: String,
        port: u16,
    }
    let server: Server = figment
        .clone()
        .merge(Serialized::default("server.host", "override"))
        .extract_inner("server")
        .unwrap();
    assert_eq!((server.host.as_str(), server.port), ("override", 8080));
}

#[test]
fn explain_shows_the_expansion_of_an_environment_value() {
    let cfg = Loader::new()
        .defaults_toml(DEFAULTS)
        .env_prefix("PREFECT")
        .env_vars([("PREFECT__SERVER__HOST", "$PORT"), ("PORT", "abc")])
        .load()
        .unwrap();
    let why = cfg.explain("server.host").unwrap();
    let env_layer = why.layers().last().unwrap();
    assert_eq!(
        env_layer.source,
        Source::EnvVar("PREFECT__SERVER__HOST".into())
    );
    assert_eq!(env_layer.raw, json!("$PORT"));
    let steps: Vec<(StepKind, serde_json::Value)> = why
        .steps()
        .iter()
        .map(|s| (s.kind, s.value.clone()))
        .collect();
    assert_eq!(steps, [(StepKind::ExpandEnv, json!("abc"))]);
    assert_eq!(why.value(), &json!("abc"));
}

#[test]
fn explain_names_the_variable_behind_a_reference() {
    let cfg = Loader::new()
        .defaults_toml(format!(
            "{DEFAULTS}[cloud.x]\nuse = '${{${{backend}}.api}}'\n"
        ))
        .env_prefix("PREFECT")
        .env_vars([("PREFECT__BACKEND", "server")])
        .load()
        .unwrap();
    // `${backend}` first (from the variable), then `${server.api}`... which
    // does not exist here, so the chain records both with their sources.
    let why = cfg.explain("cloud.x.use").unwrap();
    let first = &why.steps()[0];
    assert_eq!(first.reference.as_deref(), Some("backend"));
    assert_eq!(
        first.source,
        Some(Source::EnvVar("PREFECT__BACKEND".into()))
    );
    assert_eq!(first.value, json!("${server.api}"));
}

#[test]
fn check_reports_every_problem_of_one_file_at_once() {
    let files = common::TempFiles::new();
    let user = files.write(
        "config.toml",
        "[server]\nkeys = 1\nhots = 'x'\nmy_own_setting = 1\n[a]\nx = '${a.y}'\ny = '${a.x}'\nz = '${a.nope}'\n[b.items]\nc = 1\n",
    );
    let problems = Loader::new()
        .defaults_toml(DEFAULTS)
        .user_file(&user)
        .env_prefix("PREFECT")
        .env_vars([("PREFECT__A____B", "1"), ("PREFECT__SERVER__PROT", "1")])
        .check();
    let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
    let has = |needle: &str| text.iter().any(|t| t.contains(needle));
    assert!(has("invalid key `server.keys`"), "{text:#?}");
    assert!(has("invalid key `b.items`"), "{text:#?}");
    assert!(
        has("reference cycle between keys: a.x -> a.y -> a.x"),
        "{text:#?}"
    );
    assert!(has("reference `${a.nope}` for key `a.z`"), "{text:#?}");
    assert!(has("`PREFECT__A____B` has an empty key part"), "{text:#?}");
    assert!(has("did you mean `server.port`?"), "{text:#?}");
    assert!(
        has("key `server.hots`") && has("did you mean `server.host`?"),
        "{text:#?}"
    );
    // A key far from every default is the user's own.
    assert!(!has("my_own_setting"), "{text:#?}");
    let errors = problems.iter().filter(|p| p.is_error()).count();
    assert_eq!(errors, 4, "{text:#?}");
    // Positions in the file.
    let keys = problems
        .iter()
        .find(|p| p.to_string().contains("server.keys"))
        .unwrap();
    assert_eq!(
        keys.at,
        Some(Location::File {
            path: user.clone(),
            line: 2,
            column: 1
        })
    );
    assert!(matches!(&keys.problem, Problem::Error(_)));
}

#[test]
fn check_reports_every_syntax_error_of_a_file() {
    let files = common::TempFiles::new();
    let user = files.write("config.toml", "a = \nb = 'ok'\nc = [1,\n");
    let problems = Loader::new().defaults_toml("").user_file(&user).check();
    let lines: Vec<usize> = problems
        .iter()
        .filter_map(|p| match &p.at {
            Some(Location::File { line, .. }) => Some(*line),
            _ => None,
        })
        .collect();
    assert!(lines.len() >= 2, "{problems:#?}");
    assert!(lines.contains(&1), "{lines:?}");
}

#[test]
fn no_value_appears_in_a_diagnostic() {
    let files = common::TempFiles::new();
    let user = files.write(
        "config.toml",
        "[context.secrets]\nNEST = 'hunter2-marker'\n[x]\ny = '${${context.secrets.NEST}}'\nkeys = 'hunter2-marker'\n",
    );
    let problems = Loader::new().defaults_toml("").user_file(&user).check();
    assert!(!problems.is_empty());
    for problem in &problems {
        let shown = format!("{problem} {problem:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
    }
}

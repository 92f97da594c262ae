//! Typed extraction.

use std::collections::BTreeMap;

use prefect_config::config::{ConfigError, Loader, Source};
use serde::Deserialize;
use serde_json::json;

fn cfg(toml: &str) -> prefect_config::config::Config {
    Loader::new()
        .defaults_toml(toml)
        .env_prefix("PREFECT")
        .env_vars([("PREFECT__S__FROM_ENV", "x")])
        .load()
        .unwrap()
}

#[test]
fn cast_values_extract_into_strings_as_written() {
    #[derive(Deserialize)]
    struct S {
        version: String,
        port: String,
        flag: String,
        native: String,
    }
    let s: S = cfg("[s]\nversion = '1.10'\nport = '4200'\nflag = 'TRUE'\nnative = 7")
        .extract_at("s")
        .unwrap();
    assert_eq!(
        (s.version.as_str(), s.port.as_str(), s.flag.as_str()),
        ("1.10", "4200", "TRUE")
    );
    assert_eq!(s.native, "7");
}

#[test]
fn numbers_and_booleans_written_as_strings_extract_into_typed_fields() {
    #[derive(Deserialize)]
    struct S {
        port: u16,
        ratio: f64,
        on: bool,
        maybe: Option<i32>,
        absent: Option<i32>,
    }
    // `'"8080"'` loads as the string "8080"; extraction still gives a u16.
    let s: S = cfg("[s]\nport = '\"8080\"'\nratio = '\"0.5\"'\non = '\"True\"'\nmaybe = '\"-3\"'")
        .extract_at("s")
        .unwrap();
    assert_eq!(
        (s.port, s.ratio, s.on, s.maybe, s.absent),
        (8080, 0.5, true, Some(-3), None)
    );
}

#[test]
fn extraction_errors_name_the_key_its_source_and_the_value_unless_sensitive() {
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct S {
        port: u16,
    }
    let config = cfg("[s]\nport = 'http-port'");
    let err = config.extract_at::<S>("s").unwrap_err();
    assert!(
        matches!(&err, ConfigError::Extract { key, origin: Some(Source::DefaultsToml), .. } if key == "s.port"),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "invalid type: expected a number, found string \"http-port\" for key `s.port` in defaults (TOML string)"
    );

    // The example: an out-of-range number from the environment.
    let config = Loader::prefect()
        .env_vars([("PREFECT__SERVER__PORT", "-1")])
        .load()
        .unwrap();
    let err = config.extract_at::<u16>("server.port").unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid value: expected u16, found integer `-1` for key `server.port` in environment variable `PREFECT__SERVER__PORT`"
    );

    // Sensitive keys (by `Config::is_sensitive`) show only the kind.
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Creds {
        api_key: u16,
        password: bool,
        nested: Vec<u8>,
    }
    let config = cfg(
        "[s]\napi_key = 'canary-key-1'\npassword = 'canary-pw-2'\nnested = ['canary-3']\n[t]\nurl = 'postgres://u:canary-url-4@h/db'",
    );
    for err in [
        config.extract_at::<Creds>("s").unwrap_err(),
        config.extract_at::<u16>("s.api_key").unwrap_err(),
        config.extract_at::<bool>("s.password").unwrap_err(),
        config.extract_at::<u16>("t.url").unwrap_err(),
        config
            .extract_at::<std::collections::HashMap<String, u16>>("t")
            .unwrap_err(),
    ] {
        let text = format!("{err} {err:?}");
        assert!(!text.contains("canary"), "{text}");
        assert!(text.contains("found a string"), "{text}");
    }
    // A long value is cut, and control characters are escaped.
    let long = format!("{}\n{}", "x".repeat(100), "tail");
    let config = Loader::new()
        .defaults_toml("")
        .env_prefix("PREFECT")
        .env_vars([("PREFECT__LONG", long.as_str())])
        .load()
        .unwrap();
    let text = config.extract_at::<u8>("long").unwrap_err().to_string();
    assert!(
        text.contains(&"x".repeat(60)) && !text.contains("tail") && !text.contains('\n'),
        "{text}"
    );

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Missing {
        port: u16,
        timeout: u32,
    }
    let err = cfg("[s]\nport = 1").extract_at::<Missing>("s").unwrap_err();
    assert_eq!(err.key(), Some("s.timeout"), "{err}");

    let err = cfg("").extract_at::<u8>("no.such.key").unwrap_err();
    assert_eq!(err.key(), Some("no.such.key"));
}

#[test]
fn maps_enums_and_nested_values_extract() {
    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "lowercase")]
    enum Mode {
        Process,
        Thread,
    }
    #[derive(Debug, Deserialize)]
    struct Cloud {
        heartbeat_mode: Mode,
        labels: Vec<String>,
        extra: BTreeMap<String, u8>,
        from_env: String,
    }
    let config =
        cfg("[s]\nheartbeat_mode = 'thread'\nlabels = \"['a', 'b']\"\nextra = \"{'x': 1}\"\n");
    let cloud: Cloud = config.extract_at("s").unwrap();
    assert_eq!(cloud.heartbeat_mode, Mode::Thread);
    assert_eq!(cloud.labels, ["a", "b"]);
    assert_eq!(cloud.extra["x"], 1);
    assert_eq!(cloud.from_env, "x");
    let err = cfg("[s]\nheartbeat_mode = 'off'")
        .extract_at::<BTreeMap<String, Mode>>("s")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown variant \"off\", expected one of: process, thread for key `s.heartbeat_mode` in defaults (TOML string)"
    );
    // Never the value of a sensitive key.
    let err = cfg("[s]\ntoken = 'canary-variant'")
        .extract_at::<BTreeMap<String, Mode>>("s")
        .unwrap_err();
    assert!(
        err.to_string().contains("process"),
        "lists the variants: {err}"
    );
    assert!(
        !err.to_string().contains("canary"),
        "never the value: {err}"
    );
    let _ = Mode::Process;
}

#[test]
fn the_standard_configuration_extracts_into_a_typed_struct() {
    #[derive(Deserialize)]
    struct Settings {
        debug: bool,
        server: Server,
        cloud: Cloud,
    }
    #[derive(Deserialize)]
    struct Server {
        port: u16,
        endpoint: String,
    }
    #[derive(Deserialize)]
    struct Cloud {
        use_local_secrets: bool,
        request_timeout: u64,
        heartbeat_interval: f64,
    }
    let config = Loader::prefect()
        .env_vars([("PREFECT__SERVER__PORT", "9000")])
        .load()
        .unwrap();
    let s: Settings = config.extract().unwrap();
    assert!(!s.debug && s.cloud.use_local_secrets);
    assert_eq!(
        (s.server.port, s.server.endpoint.as_str()),
        (9000, "http://localhost:9000")
    );
    assert_eq!(
        (s.cloud.request_timeout, s.cloud.heartbeat_interval),
        (15, 30.0)
    );
    assert_eq!(config.get("cloud.agent.labels"), Some(&json!([])));
}

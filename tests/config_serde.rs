//! `Serialize` on the public inspection types: the shapes, and a canary
//! secret that never reaches JSON unless exposure is asked for.

mod common;

use common::TempFiles;
use prefect_config::config::{Diagnostic, Loader, Source};
use serde_json::{Value, json};

const CANARY: &str = "canary-5e5e";

fn secret_config() -> prefect_config::config::Config {
    Loader::new()
        .defaults_toml(format!(
            "[db]\npassword = '{CANARY}'\nhost = 'h'\n\
             dsn = 'pg://u:${{db.password}}@${{db.host}}/x'\n\
             url = 'https://u:{CANARY}@example.com/'\n\
             [context.secrets]\nTOKEN = '{CANARY}'\n\
             [cloud]\napi_key = '${{context.secrets.TOKEN}}'\n"
        ))
        .env_prefix("PREFECT")
        .env_vars([("PREFECT__DB__PASSWORD", CANARY)])
        .load()
        .unwrap()
}

#[test]
fn no_serialized_explanation_or_part_of_one_holds_a_secret() {
    let cfg = secret_config();
    let mut seen_mask = 0;
    for key in [
        "db",
        "db.password",
        "db.dsn",
        "db.url",
        "context.secrets.TOKEN",
        "context.secrets",
        "cloud.api_key",
    ] {
        let why = cfg.explain(key).unwrap();
        let mut texts = vec![
            serde_json::to_string(&why).unwrap(),
            serde_json::to_string(&why.redacted()).unwrap(),
        ];
        texts.extend(
            why.layers()
                .iter()
                .map(|l| serde_json::to_string(l).unwrap()),
        );
        texts.extend(
            why.steps()
                .iter()
                .map(|s| serde_json::to_string(s).unwrap()),
        );
        for text in texts {
            assert!(!text.contains(CANARY), "{key}: {text}");
            seen_mask += usize::from(text.contains("********"));
        }
        // Asked for: the values in the clear.
        let exposed = serde_json::to_string(&why.expose_secrets()).unwrap();
        assert!(exposed.contains(CANARY), "{key}: {exposed}");
    }
    assert!(seen_mask > 10, "masks were written: {seen_mask}");
}

#[test]
fn an_explanation_serializes_in_the_cli_shape() {
    let cfg = Loader::new()
        .defaults_toml("[server]\nhost = 'h'\nport = '4200'\nurl = '${server.host}:${server.port}'")
        .env_prefix("PREFECT")
        .env_vars([("PREFECT__SERVER__HOST", "e")])
        .load()
        .unwrap();
    let json = serde_json::to_value(cfg.explain("server.url").unwrap()).unwrap();
    assert_eq!(
        json,
        json!({
            "key": "server.url",
            "layers": [{"source": {"layer": "defaults"}, "raw": "${server.host}:${server.port}"}],
            "steps": [
                {"step": "reference", "value": "e:${server.port}", "reference": "server.host",
                 "referenced_source": {"layer": "env", "var": "PREFECT__SERVER__HOST"}},
                {"step": "reference", "value": "e:4200", "reference": "server.port",
                 "referenced_source": {"layer": "defaults"}},
            ],
            "value": "e:4200",
            "source": {"layer": "defaults"},
        })
    );
    // Folded steps are counted only when there are some.
    let refs = "${a}".repeat(20);
    let cfg = Loader::new()
        .defaults_toml(format!("a = 'x'\nb = '{refs}'"))
        .load()
        .unwrap();
    let json = serde_json::to_value(cfg.explain("b").unwrap()).unwrap();
    assert_eq!(json["folded_steps"], 4);
}

#[test]
fn sources_serialize_with_their_file_or_variable() {
    let files = TempFiles::new();
    let user = files.write("config.toml", "a = 2\n");
    let cfg = Loader::new()
        .defaults_toml("a = 1\nb = 1\nc = 1")
        .user_file(&user)
        .env_prefix("P")
        .env_vars([("P__B", "2")])
        .load()
        .unwrap();
    let of = |key: &str| serde_json::to_value(cfg.source_of(key).unwrap()).unwrap();
    assert_eq!(
        of("a"),
        json!({"layer": "user", "path": user.display().to_string()})
    );
    assert_eq!(of("b"), json!({"layer": "env", "var": "P__B"}));
    assert_eq!(of("c"), json!({"layer": "defaults"}));
    let provider = Source::Provider {
        name: "figment".into(),
        file: None,
    };
    assert_eq!(
        serde_json::to_value(provider).unwrap(),
        json!({"layer": "provider", "name": "figment"})
    );
}

#[test]
fn warnings_and_diagnostics_serialize_with_kind_location_and_no_value() {
    let files = TempFiles::new();
    let user = files.write(
        "config.toml",
        &format!("[server]\nhots = '{CANARY}'\nkeys = '{CANARY}'\n"),
    );
    let problems: Vec<Diagnostic> = Loader::new()
        .defaults_toml("[server]\nhost = 'h'\nurl = '${nope}'")
        .user_file(&user)
        .env_prefix("PREFECT")
        .env_vars([("PREFECT__SERVER__HOTS2", CANARY)])
        .check();
    let json = serde_json::to_value(&problems).unwrap();
    let text = json.to_string();
    assert!(!text.contains(CANARY), "{text}");
    let error = &json[0];
    assert_eq!(error["severity"], "error");
    assert_eq!(error["key"], "server.keys");
    assert_eq!(
        error["origin"],
        json!({"layer": "user", "path": user.display().to_string()})
    );
    assert_eq!(
        error["at"],
        json!({"path": user.display().to_string(), "line": 3, "column": 1})
    );
    let warnings: Vec<&Value> = json
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["severity"] == "warning")
        .collect();
    let kinds: Vec<&str> = warnings
        .iter()
        .map(|w| w["warning"]["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"missing_reference"), "{kinds:?}");
    assert!(kinds.contains(&"unknown_file_key"), "{kinds:?}");
    let typo = warnings
        .iter()
        .find(|w| w["warning"]["kind"] == "unknown_file_key")
        .unwrap();
    assert_eq!(typo["warning"]["suggestion"], "server.host");
    assert_eq!(
        typo["message"],
        format!(
            "key `server.hots` in user config `{}` is not in the defaults: did you mean `server.host`?",
            user.display()
        )
    );
}

#[test]
fn inputs_serialize_as_the_sources_command_prints_them() {
    let inputs = Loader::new()
        .defaults_toml("")
        .user_file("/nonexistent/config.toml")
        .env_prefix("APP")
        .env_vars([("APP__X", CANARY)])
        .inputs();
    assert_eq!(
        serde_json::to_value(&inputs).unwrap(),
        json!([
            {"layer": "defaults", "path": null, "found": true},
            {"layer": "user", "path": "/nonexistent/config.toml", "found": false},
            {"layer": "env", "path": null, "found": true, "prefix": "APP__", "env_vars": ["APP__X"]},
        ])
    );
}

//! `Secret::get` / `exists` through the context, the Cloud fallback against a
//! GraphQL server on 127.0.0.1, and a canary planted in every source.

mod common;

use std::sync::{Arc, Once};
#[cfg(feature = "cloud")]
use std::thread::JoinHandle;

use common::TempFiles;
use prefect_config::config::Loader;
use prefect_config::secrets::{
    AwsCredentials, ExposeSecret, GitHubToken, MemoryBackend, Secret, SecretError,
};
use prefect_config::{context, secrets, set_global};
#[cfg(feature = "cloud")]
use serde_json::Value;
use serde_json::json;

const CANARY: &str = "CANARY-lookup-3e9f";

/// The global configuration: secrets from TOML, the secrets directory and
/// an environment variable, each holding the canary.
fn init() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let files = TempFiles::new();
        files.write("secrets/FROM_DIR", &format!("{{\"token\": \"{CANARY}\"}}\n"));
        let toml = format!(
            "backend = 'cloud'\n[cloud]\nuse_local_secrets = true\ngraphql = 'http://127.0.0.1:9/graphql'\napi_key = ''\n\
             [context.secrets]\nFROM_TOML = '{CANARY}'\nJSON = '{{\"x\": 42}}'\nNUMBER = '42'\n\
             AWS_CREDENTIALS = \"{{'ACCESS_KEY': 'AKIA', 'SECRET_ACCESS_KEY': '{CANARY}'}}\"\n"
        );
        let config = Loader::new()
            .defaults_toml(toml)
            .secrets_dir(files.path("secrets"))
            .env_prefix("PREFECT")
            .env_vars([("PREFECT__CONTEXT__SECRETS__FromEnv", CANARY), ("PREFECT__CONTEXT__SECRETS__GITHUB_ACCESS_TOKEN", "ghp_x")])
            .load()
            .expect("fixture config loads");
        set_global(config).ok();
        // The directory's contents were read while loading.
        drop(files);
    });
}

#[test]
fn secrets_come_from_every_layer_with_their_case() {
    init();
    assert_eq!(Secret::new("FROM_TOML").get().unwrap(), json!(CANARY));
    assert_eq!(Secret::new("FromEnv").get().unwrap(), json!(CANARY));
    assert!(
        Secret::new("FROMENV").get().is_err(),
        "names are case-sensitive"
    );
    // A secrets file holding JSON comes back decoded.
    assert_eq!(
        Secret::new("FROM_DIR").get().unwrap(),
        json!({"token": CANARY})
    );
    let mut names = secrets::local().names();
    names.sort();
    assert_eq!(
        names,
        [
            "AWS_CREDENTIALS",
            "FROM_DIR",
            "FROM_TOML",
            "FromEnv",
            "GITHUB_ACCESS_TOKEN",
            "JSON",
            "NUMBER"
        ]
    );
}

#[test]
fn strings_that_are_json_come_back_decoded() {
    init();
    // TOML casting already turned '42' into 42 and the JSON text stays a string.
    assert_eq!(Secret::new("NUMBER").get().unwrap(), json!(42));
    assert_eq!(Secret::new("JSON").get().unwrap(), json!({"x": 42}));
    context::with(
        json!({"secrets": {"S": "\"quoted\"", "N": "4.5", "T": "not json", "O": {"a": 1}}}),
        || {
            assert_eq!(Secret::new("S").get().unwrap(), json!("quoted"));
            assert_eq!(Secret::new("N").get().unwrap(), json!(4.5));
            assert_eq!(Secret::new("T").get().unwrap(), json!("not json"));
            assert_eq!(Secret::new("O").get().unwrap(), json!({"a": 1}));
            assert_eq!(Secret::new("N").get_as::<f32>().unwrap(), 4.5);
        },
    );
}

#[test]
fn runtime_edits_are_scoped() {
    init();
    context::with(json!({}), || {
        secrets::local().insert("RUNTIME", CANARY);
        assert!(Secret::new("RUNTIME").exists());
        assert!(secrets::local().get("RUNTIME").is_some());
        context::setdefault("secrets", json!({}));
        context::set_path("secrets.OTHER", "v");
        assert_eq!(Secret::new("OTHER").get().unwrap(), json!("v"));
        assert_eq!(
            Secret::new("FROM_TOML").get().unwrap(),
            json!(CANARY),
            "others stay visible"
        );
    });
    assert!(!Secret::new("RUNTIME").exists());
    assert_eq!(
        Secret::new("RUNTIME").get().unwrap_err().to_string(),
        r#"Local Secret "RUNTIME" was not found."#
    );
}

#[test]
fn building_a_flow_blocks_secrets_but_a_plain_flow_key_does_not() {
    init();
    let err = secrets::building_flow("etl", || Secret::new("FROM_TOML").get().unwrap_err());
    assert!(matches!(err, SecretError::BuildingFlow));
    assert_eq!(
        err.to_string(),
        "Secrets should only be retrieved during a Flow run, not while building a Flow."
    );
    context::with(json!({"flow": "etl", "flow_name": "etl"}), || {
        assert_eq!(Secret::new("FROM_TOML").get().unwrap(), json!(CANARY));
    });
    // The marker follows a snapshot to another thread.
    let snapshot = secrets::building_flow("etl", context::snapshot);
    let outcome = std::thread::spawn(move || snapshot.attach(|| Secret::new("FROM_TOML").get()))
        .join()
        .unwrap();
    assert!(matches!(outcome, Err(SecretError::BuildingFlow)));
}

#[test]
fn local_secrets_only_unless_cloud_is_on() {
    init();
    let vault = Arc::new(MemoryBackend::new().with("REMOTE", json!("{\"k\": 1}")));
    // use_local_secrets = true: the backend is never asked.
    let err = Secret::new("REMOTE")
        .with_backend(vault.clone())
        .get()
        .unwrap_err();
    assert!(matches!(err, SecretError::LocalNotFound { .. }));
    // backend = server: local only as well.
    let err = context::with_temporary_config(
        [
            ("backend", json!("server")),
            ("cloud.use_local_secrets", json!(false)),
        ],
        || {
            Secret::new("REMOTE")
                .with_backend(vault.clone())
                .get()
                .unwrap_err()
        },
    );
    assert!(matches!(err, SecretError::LocalNotFound { .. }));
    // Cloud with local secrets off: the backend answers, JSON-decoded.
    context::with_temporary_config([("cloud.use_local_secrets", json!(false))], || {
        let remote = Secret::new("REMOTE").with_backend(vault.clone());
        assert_eq!(remote.get().unwrap(), json!({"k": 1}));
        assert!(remote.exists());
        assert!(!Secret::new("NOPE").with_backend(vault.clone()).exists());
        // Local secrets still come first.
        assert_eq!(
            Secret::new("FROM_TOML")
                .with_backend(vault.clone())
                .get()
                .unwrap(),
            json!(CANARY)
        );
    });
}

/// A GraphQL server on 127.0.0.1 answering `replies` in order.
#[cfg(feature = "cloud")]
fn serve(replies: Vec<(u16, String)>) -> (String, JoinHandle<Vec<Value>>) {
    let server = tiny_http::Server::http("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/graphql", server.server_addr());
    let handle = std::thread::spawn(move || {
        let mut seen = Vec::new();
        for (status, body) in replies {
            let Ok(Some(mut request)) = server.recv_timeout(std::time::Duration::from_secs(5))
            else {
                break;
            };
            let mut text = String::new();
            request.as_reader().read_to_string(&mut text).ok();
            seen.push(serde_json::from_str(&text).unwrap_or(Value::Null));
            request
                .respond(tiny_http::Response::from_string(body).with_status_code(status))
                .ok();
        }
        seen
    });
    (url, handle)
}

/// Built without the Cloud client, a secret that must come from Cloud fails
/// saying why; local secrets still work.
#[cfg(not(feature = "cloud"))]
#[test]
fn without_the_cloud_feature_a_cloud_secret_is_a_clear_error() {
    init();
    let cloud = [
        ("cloud.use_local_secrets", json!(false)),
        ("cloud.api_key", json!("key-123")),
    ];
    let (remote, exists) = context::with_temporary_config(cloud, || {
        (
            Secret::new("CLOUD_ONLY").get(),
            Secret::new("CLOUD_ONLY").try_exists(),
        )
    });
    assert!(
        matches!(remote, Err(SecretError::CloudNotCompiled)),
        "{remote:?}"
    );
    assert!(
        matches!(exists, Err(SecretError::CloudNotCompiled)),
        "{exists:?}"
    );
    assert!(remote.unwrap_err().to_string().contains("`cloud` feature"));
}

#[cfg(feature = "cloud")]
#[test]
fn the_real_cloud_client_is_asked_with_the_effective_configuration() {
    init();
    let (url, server) = serve(vec![
        (
            200,
            json!({"data": {"secret_value": format!("{{\"cloud\": \"{CANARY}\"}}")}}).to_string(),
        ),
        (
            200,
            json!({"errors": [{"message": "No value found for the requested key"}], "data": null})
                .to_string(),
        ),
        (
            200,
            json!({"data": {"secret_names": ["A", "CLOUD_ONLY"]}}).to_string(),
        ),
        (500, "oops".to_owned()),
    ]);
    let cloud = [
        ("cloud.use_local_secrets", json!(false)),
        ("cloud.graphql", json!(url)),
        ("cloud.api_key", json!("key-123")),
        ("cloud.request_timeout", json!(5)),
    ];
    let (found, missing, exists, failure) = context::with_temporary_config(cloud, || {
        (
            Secret::new("CLOUD_ONLY").get(),
            Secret::new("MISSING").get(),
            Secret::new("CLOUD_ONLY").try_exists(),
            Secret::new("BROKEN").get(),
        )
    });
    assert_eq!(found.unwrap(), json!({"cloud": CANARY}));
    let missing = missing.unwrap_err();
    assert!(
        matches!(missing, SecretError::CloudNotFound { .. }),
        "{missing}"
    );
    assert!(missing.to_string().contains("MISSING"));
    assert!(exists.unwrap());
    let failure = failure.unwrap_err();
    assert!(matches!(failure, SecretError::Client { .. }), "{failure}");
    let seen = server.join().unwrap();
    assert_eq!(seen[0]["variables"]["name"], "CLOUD_ONLY");
    // Not configured: a missing API key is reported before anything is sent.
    let err = context::with_temporary_config([("cloud.use_local_secrets", json!(false))], || {
        Secret::new("X").get()
    });
    assert!(matches!(err, Err(SecretError::MissingApiKey)), "{err:?}");
}

#[test]
fn typed_default_secrets_read_their_default_names() {
    init();
    let aws = AwsCredentials::get().unwrap();
    assert_eq!(aws.access_key_id, "AKIA");
    assert_eq!(aws.secret_access_key.expose_secret(), CANARY);
    assert!(!format!("{aws:?}").contains(CANARY));
    let token = GitHubToken::get().unwrap();
    assert!(!format!("{token:?}").contains("ghp_x"));
    let err = prefect_config::secrets::GcpCredentials::get().unwrap_err();
    assert!(matches!(err, SecretError::LocalNotFound { .. }));
}

#[test]
fn the_canary_never_appears_in_formatted_output() {
    init();
    let mut shown = Vec::new();
    let mut show = |label: &str, text: String| shown.push(format!("{label}: {text}"));

    let config = prefect_config::global().unwrap();
    show("config", format!("{config:?}"));
    show(
        "context",
        format!("{:?} {}", context::snapshot(), context::snapshot()),
    );
    show("secret", format!("{:?}", Secret::new("FROM_TOML")));
    show(
        "wrapped",
        format!("{:?}", Secret::new("FROM_TOML").get_secret().unwrap()),
    );
    show("view", format!("{:?}", secrets::local().get("FromEnv")));
    context::with(json!({}), || {
        secrets::local().insert("RUNTIME", CANARY);
        show(
            "runtime",
            format!("{:?} {}", context::snapshot(), context::snapshot()),
        );
    });
    // Errors of every kind, next to the planted secrets.
    fn both<E: std::fmt::Debug + std::fmt::Display>(err: E) -> String {
        format!("{err} {err:?}")
    }
    let errors = [
        both(Secret::new("FROM_TOML").get_as::<u64>().unwrap_err()),
        both(Secret::new("FROM_DIR").get_as::<Vec<u8>>().unwrap_err()),
        both(Secret::new("ABSENT").get().unwrap_err()),
        both(secrets::building_flow("f", || Secret::new("FROM_TOML").get().unwrap_err())),
        both(config.extract_at::<u32>("context.secrets.FROM_TOML").unwrap_err()),
        both(context::get_as::<Vec<bool>>("secrets").unwrap_err()),
        both(
            Loader::new()
                .defaults_toml(format!("[context.secrets]\nA = '{CANARY}${{context.secrets.B}}'\nB = '${{context.secrets.A}}'"))
                .load()
                .unwrap_err(),
        ),
    ];
    for err in errors {
        show("error", err);
    }
    for line in &shown {
        assert!(!line.contains(CANARY), "{line}");
    }
}

/// Issue 22: a numeric password reads back as its text through
/// `get_text`, and `get_as::<String>` says so instead of only failing.
#[test]
fn numeric_text_reads_back_as_text() {
    init();
    context::with(
        json!({"secrets": {"PW": "123456", "PIN": "0042", "CFG": "{\"a\": 1}", "N": 7}}),
        || {
            assert_eq!(Secret::new("PW").get().unwrap(), json!(123456));
            assert_eq!(
                Secret::new("PW").get_text().unwrap().expose_secret(),
                "123456"
            );
            assert_eq!(
                Secret::new("PIN").get_text().unwrap().expose_secret(),
                "0042"
            );
            assert_eq!(
                Secret::new("CFG").get_text().unwrap().expose_secret(),
                "{\"a\": 1}"
            );
            assert_eq!(
                Secret::new("N").get_text().unwrap().expose_secret(),
                &json!(7)
            );
            let err = Secret::new("PW").get_as::<String>().unwrap_err();
            let text = format!("{err} {err:?}");
            assert!(text.contains("get_text"), "{text}");
            assert!(!text.contains("123456"), "{text}");
            // A value stored as a number gives no such hint.
            let err = Secret::new("N").get_as::<String>().unwrap_err().to_string();
            assert!(!err.contains("get_text"), "{err}");
            assert!(matches!(
                Secret::new("MISSING").get_text(),
                Err(SecretError::LocalNotFound { .. })
            ));
        },
    );
}

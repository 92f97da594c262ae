//! Issue 9, Cloud side (items 4, 7, 11, 12): the Cloud client shows no URL
//! query string, scrubs a rejected value echoed in any encoding, never sends
//! the API key in clear text to another machine unless allowed, and follows
//! no redirect. Servers are on 127.0.0.1, started by each test.
#![cfg(feature = "cloud")]

mod common;

use std::time::Duration;

use common::graphql::{Reply, Server};
use prefect_config::config::Loader;
use prefect_config::secrets::{CloudBackend, SecretBackend, SecretError};
use serde_json::json;

const KEY: &str = "CANARY-api-key-5d1e";

fn assert_clean(what: &str, text: &str) {
    assert!(
        !text.to_lowercase().contains("canary"),
        "{what} printed a canary:\n{text}"
    );
}

fn backend(url: &str) -> CloudBackend {
    CloudBackend::builder(url)
        .api_key(KEY)
        .timeout(Duration::from_secs(5))
        .build()
}

/// A port with nothing listening on it.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Item 4: `Debug` of the builder and the backend, and a connection error,
/// show neither the user-info nor the query string nor the fragment.
#[test]
fn urls_print_without_credentials_query_or_fragment() {
    let url = "https://user:CANARY-pw@api.example/graphql?token=CANARY-query#CANARY-fragment";
    let builder = CloudBackend::builder(url).api_key(KEY).tenant_id("t-1");
    assert_clean("CloudBackendBuilder Debug", &format!("{builder:?}"));
    let cloud = builder.build();
    let debug = format!("{cloud:?}");
    assert_clean("CloudBackend Debug", &debug);
    assert!(debug.contains("api.example/graphql"), "{debug}");

    let port = closed_port();
    let url = format!("http://127.0.0.1:{port}/graphql?token=CANARY-query#CANARY-fragment");
    let err = backend(&url).names().unwrap_err();
    assert!(matches!(err, SecretError::Connection { .. }), "{err:?}");
    assert_clean("Connection error", &format!("{err} {err:?}"));
    assert!(
        err.to_string()
            .contains(&format!("127.0.0.1:{port}/graphql"))
    );
}

/// The rejected value of a `set`, as servers echo it.
const VALUE: &str = "CANARY-s\u{e4}cr\u{e8}t-it's-long-enough";

/// Item 7: a rejected `set` value echoed as Python's `repr`, with JSON
/// `\uXXXX` escapes, cut short, or upper-cased never reaches the error.
#[test]
fn set_errors_scrub_the_value_in_every_encoding() {
    let python_repr = "CANARY-s\u{e4}cr\u{e8}t-it\\'s-long-enough";
    let json_ascii = "CANARY-s\\u00e4cr\\u00e8t-it's-long-enough";
    let truncated = "CANARY-s\u{e4}cr\u{e8}t-i...";
    let upper = VALUE.to_uppercase();
    let echoes = [
        format!("Variable '$input' got invalid value {{'name': 'X', 'value': '{python_repr}'}}"),
        format!("Variable \"$input\" got invalid value {{\"value\": \"{json_ascii}\"}}"),
        format!("value too long: '{truncated}'"),
        format!("INVALID VALUE {upper}"),
        format!("key {} is not valid", KEY.to_uppercase()),
    ];
    let replies = echoes
        .iter()
        .map(|m| Reply::json(json!({"errors": [{"message": m}], "data": null})))
        .collect();
    let server = Server::start(replies);
    let cloud = backend(&server.url);
    for echo in &echoes {
        let err = cloud.set("X", &json!(VALUE)).unwrap_err();
        assert!(matches!(err, SecretError::Client { .. }), "{err:?}");
        assert_clean(
            &format!("set error for {echo:?}"),
            &format!("{err} {err:?}"),
        );
        assert!(err.to_string().contains("********"), "{err}");
    }
    // A nested value, echoed as Python prints a dict.
    let server = Server::start(vec![Reply::json(json!({"errors": [{
        "message": "bad input {'user': 'u', 'password': 'CANARY-nested-pw', 'port': 5432}"
    }]}))]);
    let err = backend(&server.url)
        .set(
            "X",
            &json!({"user": "u", "password": "CANARY-nested-pw", "port": 5432}),
        )
        .unwrap_err();
    assert_clean("set error (object)", &format!("{err} {err:?}"));
}

/// Item 7, the other side: short text a message shares with the value is
/// not masked.
#[test]
fn set_errors_keep_ordinary_words() {
    let server = Server::start(vec![Reply::json(
        json!({"errors": [{"message": "Invalid value: expected a JSON scalar"}]}),
    )]);
    let err = backend(&server.url)
        .set("X", &json!("Invalid-2f9c-4e1a-b0d7"))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Prefect Cloud API error: Invalid value: expected a JSON scalar"
    );
}

// `0.0.0.0` is not loopback by name, but on Linux a connection to it reaches
// this machine's 127.0.0.1 listeners: a "remote" host a test can serve.
#[cfg(target_os = "linux")]
fn remote_url(server: &Server) -> String {
    server.url.replace("127.0.0.1", "0.0.0.0")
}

/// Item 11: `http://` to a host that is not loopback is refused before
/// anything is sent, unless `cloud.allow_insecure_http` allows it.
#[cfg(target_os = "linux")]
#[test]
fn clear_text_keys_are_refused_unless_allowed() {
    let server = Server::start(vec![Reply::json(json!({"data": {"secret_names": ["A"]}}))]);
    let url = remote_url(&server);
    let refused = backend(&url);
    let host = refused.insecure_host().map(str::to_owned);
    assert_eq!(
        host.as_deref(),
        Some(&url["http://".len()..url.len() - "/graphql".len()])
    );
    let err = refused.names().unwrap_err();
    assert!(matches!(&err, SecretError::InsecureHttp { .. }), "{err:?}");
    assert!(
        err.to_string().contains("cloud.allow_insecure_http"),
        "{err}"
    );
    assert_clean("InsecureHttp", &format!("{err} {err:?}"));
    std::thread::sleep(Duration::from_millis(50));
    assert!(
        server.seen().is_empty(),
        "the key was sent: {:?}",
        server.seen()
    );

    // Allowed through the configuration: sent (and still reported).
    let cfg = Loader::new()
        .defaults_toml(format!(
            "[cloud]\ngraphql = '{url}'\napi_key = '{KEY}'\nallow_insecure_http = true\n"
        ))
        .load()
        .unwrap();
    let allowed = CloudBackend::from_config(&cfg).unwrap();
    assert_eq!(allowed.insecure_host(), host.as_deref());
    assert_eq!(allowed.names().unwrap(), ["A"]);
    assert_eq!(server.seen().len(), 1);

    // Loopback and https are never reported.
    assert_eq!(
        backend("http://127.0.0.1:4200/graphql").insecure_host(),
        None
    );
    assert_eq!(
        backend("https://api.prefect.io/graphql").insecure_host(),
        None
    );
    // A setting that is not a boolean is an error naming the key.
    let bad = Loader::new()
        .defaults_toml(format!(
            "[cloud]\ngraphql = '{url}'\nallow_insecure_http = 'yes please'\n"
        ))
        .load()
        .unwrap();
    let err = CloudBackend::from_config(&bad).unwrap_err();
    assert!(
        err.to_string().contains("cloud.allow_insecure_http"),
        "{err}"
    );
}

/// Item 12: a redirect is an error naming the status and the target host
/// (never its query string); the request is not repeated anywhere.
#[test]
fn redirects_are_errors_and_never_followed() {
    for status in [301, 302, 303, 307, 308] {
        let elsewhere = Server::start(vec![Reply::json(
            json!({"data": {"set_secret": {"success": true}}}),
        )]);
        let target = format!(
            "http://localhost:{}/graphql?token=CANARY-redirect",
            elsewhere.addr.rsplit(':').next().unwrap()
        );
        let server = Server::start(vec![Reply::redirect(status, &target)]);
        let cloud = CloudBackend::builder(&server.url)
            .api_key(KEY)
            .tenant_id("tenant-1")
            .timeout(Duration::from_secs(5))
            .build();
        let err = cloud.set("X", &json!("v")).unwrap_err();
        let port = elsewhere.addr.rsplit(':').next().unwrap().to_owned();
        assert_eq!(
            err,
            SecretError::Redirected {
                status,
                host: Some(format!("localhost:{port}")),
            }
        );
        let text = err.to_string();
        assert!(
            text.contains(&status.to_string()) && text.contains("localhost"),
            "{text}"
        );
        assert_clean("Redirected", &format!("{err} {err:?}"));
        std::thread::sleep(Duration::from_millis(50));
        assert!(
            elsewhere.seen().is_empty(),
            "HTTP {status} was followed: {:?}",
            elsewhere.seen()
        );
        let seen = server.seen();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].method, "POST");
    }
    // A redirect without a usable `Location` still names the status.
    let server = Server::start(vec![Reply::redirect(302, "")]);
    let err = backend(&server.url).names().unwrap_err();
    assert!(
        matches!(err, SecretError::Redirected { status: 302, .. }),
        "{err:?}"
    );
}

/// A secret that comes from Cloud never prints.
#[test]
fn cloud_answers_never_print() {
    let server = Server::start(vec![
        Reply::json(json!({"data": {"secret_value": "CANARY-from-cloud"}})),
        Reply::json(json!({"data": {"secret_value": {"password": "CANARY-from-cloud"}}})),
    ]);
    let cloud = backend(&server.url);
    for _ in 0..2 {
        let value = cloud.get_secret("X").unwrap();
        assert_clean("SecretValue Debug", &format!("{value:?} {value:#?}"));
    }
    assert_clean("CloudBackend Debug", &format!("{cloud:?}"));
    let seen = server.seen();
    assert_eq!(
        seen[0].header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
}

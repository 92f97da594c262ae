//! `CloudBackend` against a GraphQL server on 127.0.0.1 that each test starts,
//! answering with Prefect Cloud's response shapes; and the canary test: a
//! marker secret value and a marker API key never appear in any formatted
//! type or error.
#![cfg(feature = "cloud")]

use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use prefect_config::config::Loader;
use prefect_config::secrets::{
    AwsCredentials, Cast, CloudBackend, EnvVarSecret, GcpCredentials, GitHubToken, MemoryBackend,
    SecretBackend, SecretError, SecretValue, get_as,
};
use serde_json::{Value, json};

const KEY: &str = "test-api-key";
const GET_QUERY: &str = "query($name: String!) {\n    secret_value(name: $name)\n}";
const NAMES_QUERY: &str = "query {\n    secret_names\n}";
const SET_MUTATION: &str = "mutation($input: set_secret_input!) {\n    set_secret(input: $input) {\n        success\n    }\n}";
const DELETE_MUTATION: &str = "mutation($input: delete_secret_input!) {\n    delete_secret(input: $input) {\n        success\n    }\n}";

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    body: Value,
    authorization: Option<String>,
    content_type: Option<String>,
    tenant: Option<String>,
}

/// What the server answers.
struct Reply {
    status: u16,
    body: String,
    delay: Duration,
}

impl Reply {
    fn json(body: Value) -> Reply {
        Reply {
            status: 200,
            body: body.to_string(),
            delay: Duration::ZERO,
        }
    }
    fn status(status: u16, body: &str) -> Reply {
        Reply {
            status,
            body: body.to_owned(),
            delay: Duration::ZERO,
        }
    }
    fn errors(messages: &[&str]) -> Reply {
        let errors: Vec<Value> = messages
            .iter()
            .map(|m| json!({"message": m, "locations": [{"line": 2, "column": 5}], "path": ["secret_value"], "extensions": {"code": "INTERNAL_SERVER_ERROR"}}))
            .collect();
        Reply::json(json!({"errors": errors, "data": null}))
    }
}

type Handler = Box<dyn Fn(&Seen) -> Reply + Send>;

/// A GraphQL endpoint on 127.0.0.1 that answers `expected` requests, then
/// stops. Every wait is bounded, so a broken client cannot hang a test.
struct Server {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    server: Arc<tiny_http::Server>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    fn start(expected: usize, handler: impl Fn(&Seen) -> Reply + Send + 'static) -> Server {
        let handler: Handler = Box::new(handler);
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("bind 127.0.0.1:0"));
        let addr = server.server_addr().to_ip().expect("an IP address");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let thread = {
            let (server, seen) = (Arc::clone(&server), Arc::clone(&seen));
            std::thread::spawn(move || {
                for _ in 0..expected {
                    let Ok(Some(mut request)) = server.recv_timeout(Duration::from_secs(10)) else {
                        return;
                    };
                    let mut text = String::new();
                    let _ = request.as_reader().read_to_string(&mut text);
                    let header = |name: &str| {
                        request
                            .headers()
                            .iter()
                            .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
                            .map(|h| h.value.as_str().to_owned())
                    };
                    let record = Seen {
                        method: request.method().as_str().to_owned(),
                        body: serde_json::from_str(&text).unwrap_or(Value::Null),
                        authorization: header("Authorization"),
                        content_type: header("Content-Type"),
                        tenant: header("X-PREFECT-TENANT-ID"),
                    };
                    let reply = handler(&record);
                    seen.lock().unwrap().push(record);
                    std::thread::sleep(reply.delay);
                    let content_type =
                        tiny_http::Header::from_bytes("Content-Type", "application/json").unwrap();
                    let response = tiny_http::Response::from_string(reply.body)
                        .with_status_code(reply.status)
                        .with_header(content_type);
                    let _ = request.respond(response);
                }
            })
        };
        Server {
            url: format!("http://{addr}/graphql"),
            seen,
            server,
            thread: Some(thread),
        }
    }

    /// A server answering every request with `reply`'s body and status.
    fn replying(expected: usize, status: u16, body: Value) -> Server {
        Server::start(expected, move |_| Reply {
            status,
            body: body.to_string(),
            delay: Duration::ZERO,
        })
    }

    fn backend(&self) -> CloudBackend {
        CloudBackend::builder(&self.url)
            .api_key(KEY)
            .timeout(Duration::from_secs(5))
            .build()
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A port on 127.0.0.1 with nothing listening.
fn closed_port_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}/graphql")
}

fn assert_request(seen: &Seen, query: &str, variables: Value) {
    assert_eq!(seen.method, "POST");
    assert_eq!(seen.body["query"], query);
    assert_eq!(seen.body["variables"], variables);
    assert_eq!(seen.authorization.as_deref(), Some("Bearer test-api-key"));
    assert_eq!(seen.content_type.as_deref(), Some("application/json"));
}

// ---- success ------------------------------------------------------------

#[test]
fn get_sends_prefects_query_and_returns_the_value() {
    let server = Server::replying(
        1,
        200,
        json!({"data": {"secret_value": {"user": "u", "port": 5432}}}),
    );
    let value = server.backend().get("DB").unwrap();
    assert_eq!(value, json!({"user": "u", "port": 5432}));
    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    assert_request(&seen[0], GET_QUERY, json!({"name": "DB"}));
    assert_eq!(seen[0].tenant, None);
}

#[test]
fn get_returns_a_string_value_as_stored() {
    // Prefect's `Secret.get` json-decodes strings; the backend hands them over as stored.
    let server = Server::replying(1, 200, json!({"data": {"secret_value": "[1, 2]"}}));
    assert_eq!(server.backend().get("S").unwrap(), json!("[1, 2]"));
}

#[test]
fn get_secret_wraps_the_value() {
    let server = Server::replying(1, 200, json!({"data": {"secret_value": "hunter2"}}));
    let secret = server.backend().get_secret("PW").unwrap();
    assert_eq!(format!("{secret:?}"), r#"SecretValue("********")"#);
}

#[test]
fn names_lists_secret_names() {
    let server = Server::replying(1, 200, json!({"data": {"secret_names": ["A", "B"]}}));
    assert_eq!(server.backend().names().unwrap(), ["A", "B"]);
    assert_request(&server.seen()[0], NAMES_QUERY, json!({}));
}

#[test]
fn exists_asks_for_secret_names() {
    let server = Server::replying(2, 200, json!({"data": {"secret_names": ["A"]}}));
    let cloud = server.backend();
    assert!(cloud.exists("A").unwrap());
    assert!(!cloud.exists("B").unwrap());
    assert!(server.seen().iter().all(|s| s.body["query"] == NAMES_QUERY));
}

#[test]
fn set_sends_name_and_value_as_input() {
    let server = Server::replying(1, 200, json!({"data": {"set_secret": {"success": true}}}));
    server.backend().set("CREDS", &json!({"k": "v"})).unwrap();
    assert_request(
        &server.seen()[0],
        SET_MUTATION,
        json!({"input": {"name": "CREDS", "value": {"k": "v"}}}),
    );
}

#[test]
fn delete_sends_name_as_input() {
    let server = Server::replying(
        1,
        200,
        json!({"data": {"delete_secret": {"success": true}}}),
    );
    server.backend().delete("OLD").unwrap();
    assert_request(
        &server.seen()[0],
        DELETE_MUTATION,
        json!({"input": {"name": "OLD"}}),
    );
}

#[test]
fn unsuccessful_mutations_are_client_errors() {
    let server = Server::start(2, |seen| {
        let field = if seen.body["query"] == SET_MUTATION {
            "set_secret"
        } else {
            "delete_secret"
        };
        Reply::json(json!({"data": {field: {"success": false}}}))
    });
    let cloud = server.backend();
    let err = cloud.set("A", &json!(1)).unwrap_err();
    assert_eq!(
        err,
        SecretError::Client {
            status: None,
            message: "Setting secret failed.".into()
        }
    );
    let err = cloud.delete("A").unwrap_err();
    assert_eq!(
        err,
        SecretError::Client {
            status: None,
            message: "Deleting secret failed.".into()
        }
    );
}

#[test]
fn tenant_id_is_sent_as_a_header() {
    let server = Server::replying(1, 200, json!({"data": {"secret_names": []}}));
    let cloud = CloudBackend::builder(&server.url)
        .api_key(KEY)
        .tenant_id("tenant-1")
        .build();
    assert!(cloud.names().unwrap().is_empty());
    assert_eq!(server.seen()[0].tenant.as_deref(), Some("tenant-1"));
}

#[test]
fn from_config_reads_endpoint_key_and_timeout() {
    let server = Server::replying(1, 200, json!({"data": {"secret_names": ["X"]}}));
    let cfg = Loader::prefect()
        .env_vars([
            ("PREFECT__CLOUD__GRAPHQL", server.url.as_str()),
            ("PREFECT__CLOUD__API_KEY", KEY),
            ("PREFECT__CLOUD__REQUEST_TIMEOUT", "3"),
            ("PREFECT__CLOUD__TENANT_ID", "t-9"),
        ])
        .load()
        .unwrap();
    let cloud = CloudBackend::from_config(&cfg).unwrap();
    assert_eq!(cloud.timeout(), Duration::from_secs(3));
    assert_eq!(cloud.names().unwrap(), ["X"]);
    let seen = server.seen();
    assert_eq!(
        seen[0].authorization.as_deref(),
        Some("Bearer test-api-key")
    );
    assert_eq!(seen[0].tenant.as_deref(), Some("t-9"));
}

#[test]
fn from_config_falls_back_to_the_auth_token() {
    let server = Server::replying(1, 200, json!({"data": {"secret_names": []}}));
    let cfg = Loader::prefect()
        .env_vars([
            ("PREFECT__CLOUD__GRAPHQL", server.url.as_str()),
            ("PREFECT__CLOUD__AUTH_TOKEN", "legacy-token"),
        ])
        .load()
        .unwrap();
    let cloud = CloudBackend::from_config(&cfg).unwrap();
    assert_eq!(cloud.timeout(), Duration::from_secs(15));
    cloud.names().unwrap();
    assert_eq!(
        server.seen()[0].authorization.as_deref(),
        Some("Bearer legacy-token")
    );
}

#[test]
fn from_config_rejects_unusable_values() {
    let load = |vars: &[(&str, &str)]| {
        Loader::prefect()
            .env_vars(vars.iter().copied())
            .load()
            .unwrap()
    };
    for (vars, key) in [
        (
            &[("PREFECT__CLOUD__REQUEST_TIMEOUT", "0")][..],
            "cloud.request_timeout",
        ),
        (
            &[("PREFECT__CLOUD__REQUEST_TIMEOUT", "-1")][..],
            "cloud.request_timeout",
        ),
        (
            &[("PREFECT__CLOUD__REQUEST_TIMEOUT", "soon")][..],
            "cloud.request_timeout",
        ),
        (&[("PREFECT__CLOUD__GRAPHQL", "[1]")][..], "cloud.graphql"),
        (&[("PREFECT__CLOUD__API_KEY", "123")][..], "cloud.api_key"),
    ] {
        let err = CloudBackend::from_config(&load(vars)).unwrap_err();
        assert!(
            matches!(&err, SecretError::InvalidConfig { key: k, .. } if k == key),
            "{vars:?}: {err:?}"
        );
    }
    let err = CloudBackend::from_config(&prefect_config::config::Config::empty()).unwrap_err();
    assert!(matches!(err, SecretError::InvalidConfig { key, .. } if key == "cloud.graphql"));
}

// ---- errors -------------------------------------------------------------

#[test]
fn missing_api_key_fails_before_sending() {
    // Nothing listens there: a request would be a connection error.
    let cloud = CloudBackend::builder(closed_port_url()).build();
    assert_eq!(cloud.get("A"), Err(SecretError::MissingApiKey));
    assert_eq!(cloud.names(), Err(SecretError::MissingApiKey));
    assert_eq!(cloud.set("A", &json!(1)), Err(SecretError::MissingApiKey));
    assert_eq!(cloud.delete("A"), Err(SecretError::MissingApiKey));

    let cfg = Loader::prefect()
        .env_vars([("PREFECT__CLOUD__GRAPHQL", closed_port_url())])
        .load()
        .unwrap();
    let cloud = CloudBackend::from_config(&cfg).unwrap();
    assert!(!cloud.has_api_key());
    assert_eq!(cloud.names(), Err(SecretError::MissingApiKey));
    assert!(
        SecretError::MissingApiKey
            .to_string()
            .contains("cloud.api_key")
    );
}

#[test]
fn not_found_message_is_cloud_not_found() {
    let server = Server::start(1, |_| {
        Reply::errors(&["No value found for the requested key ('NOPE')"])
    });
    let err = server.backend().get("NOPE").unwrap_err();
    assert_eq!(
        err,
        SecretError::CloudNotFound {
            name: "NOPE".into()
        }
    );
    let text = err.to_string();
    assert!(
        text.contains("NOPE") && text.contains("prefect-config secret set NOPE VALUE --cloud"),
        "{text}"
    );
}

#[test]
fn other_graphql_errors_carry_the_apis_messages() {
    let server = Server::start(1, |_| {
        Reply::errors(&["Unauthorized to access tenant", "second"])
    });
    let err = server.backend().get("A").unwrap_err();
    assert_eq!(
        err,
        SecretError::Client {
            status: None,
            message: "Unauthorized to access tenant; second".into()
        }
    );
    assert_eq!(
        err.to_string(),
        "Prefect Cloud API error: Unauthorized to access tenant; second"
    );
}

#[test]
fn graphql_errors_on_a_400_keep_the_status() {
    let body = json!({"errors": [{"message": "Cannot query field \"secret_valu\" on type \"Query\".", "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"}}]});
    let server = Server::replying(1, 400, body);
    let err = server.backend().names().unwrap_err();
    assert!(
        matches!(&err, SecretError::Client { status: Some(400), message } if message.starts_with("Cannot query field")),
        "{err:?}"
    );
}

#[test]
fn the_not_found_message_is_only_special_for_get() {
    let server = Server::start(1, |_| {
        Reply::errors(&["No value found for the requested key"])
    });
    let err = server.backend().names().unwrap_err();
    assert!(matches!(err, SecretError::Client { .. }), "{err:?}");
}

#[test]
fn unauthenticated_graphql_errors_are_unauthorized() {
    let server = Server::start(2, |seen| {
        if seen.body["query"] == NAMES_QUERY {
            Reply::json(
                json!({"errors": [{"message": "Invalid API key", "extensions": {"code": "UNAUTHENTICATED"}}]}),
            )
        } else {
            Reply::errors(&["Malformed Authorization header"])
        }
    });
    let cloud = server.backend();
    assert_eq!(
        cloud.names(),
        Err(SecretError::Unauthorized {
            detail: "Invalid API key".into()
        })
    );
    assert!(matches!(
        cloud.get("A"),
        Err(SecretError::Unauthorized { .. })
    ));
}

#[test]
fn http_401_and_403_are_unauthorized() {
    let server = Server::start(2, |seen| {
        let status = if seen.body["query"] == NAMES_QUERY {
            401
        } else {
            403
        };
        Reply::status(status, r#"{"message": "Unauthorized"}"#)
    });
    let cloud = server.backend();
    let err = cloud.names().unwrap_err();
    assert_eq!(
        err,
        SecretError::Unauthorized {
            detail: "HTTP 401".into()
        }
    );
    assert!(err.to_string().contains("invalid or unauthorized"));
    assert_eq!(
        cloud.get("A"),
        Err(SecretError::Unauthorized {
            detail: "HTTP 403".into()
        })
    );
}

#[test]
fn http_500_is_a_client_error_with_the_status() {
    let server = Server::start(2, |_| {
        Reply::status(500, "<html>Internal Server Error</html>")
    });
    let cloud = server.backend();
    let err = cloud.get("A").unwrap_err();
    assert_eq!(
        err,
        SecretError::Client {
            status: Some(500),
            message: "Internal Server Error".into()
        }
    );
    assert_eq!(
        err.to_string(),
        "Prefect Cloud answered HTTP 500: Internal Server Error"
    );
    // A JSON body without GraphQL errors is reported by status too.
    let err = cloud.names().unwrap_err();
    assert!(
        matches!(
            err,
            SecretError::Client {
                status: Some(500),
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn a_slow_answer_times_out() {
    let server = Server::start(1, |_| Reply {
        status: 200,
        body: json!({"data": {"secret_names": []}}).to_string(),
        delay: Duration::from_secs(1),
    });
    let cloud = CloudBackend::builder(&server.url)
        .api_key(KEY)
        .timeout(Duration::from_millis(200))
        .build();
    let started = Instant::now();
    let err = cloud.names().unwrap_err();
    let elapsed = started.elapsed();
    assert_eq!(
        err,
        SecretError::Timeout {
            timeout: Duration::from_millis(200)
        }
    );
    assert_eq!(
        err.to_string(),
        "Prefect Cloud did not answer within 200 ms"
    );
    assert!(elapsed < Duration::from_millis(900), "took {elapsed:?}");
}

#[test]
fn malformed_bodies_are_malformed_responses() {
    let bodies = [
        r#"{"data": {"secret_names": ["A"]"#.to_owned(),
        "".to_owned(),
        "[1, 2]".to_owned(),
        json!({"data": {"secret_names": "A"}}).to_string(),
        json!({"data": {"secret_names": [1]}}).to_string(),
        json!({"nothing": true}).to_string(),
        json!({"errors": "bad"}).to_string(),
        json!({"data": []}).to_string(),
    ];
    let server = {
        let bodies = bodies.clone();
        let next = Mutex::new(0);
        Server::start(bodies.len(), move |_| {
            let mut i = next.lock().unwrap();
            *i += 1;
            Reply::status(200, &bodies[*i - 1])
        })
    };
    let cloud = server.backend();
    for body in &bodies {
        let err = cloud.names().unwrap_err();
        assert!(
            matches!(err, SecretError::MalformedResponse { .. }),
            "{body}: {err:?}"
        );
    }
}

#[test]
fn missing_fields_in_data_are_malformed() {
    let server = Server::replying(3, 200, json!({"data": {}}));
    let cloud = server.backend();
    assert!(matches!(
        cloud.get("A"),
        Err(SecretError::MalformedResponse { .. })
    ));
    assert!(matches!(
        cloud.set("A", &json!(1)),
        Err(SecretError::MalformedResponse { .. })
    ));
    assert!(matches!(
        cloud.delete("A"),
        Err(SecretError::MalformedResponse { .. })
    ));
}

#[test]
fn connection_refused_is_a_connection_error() {
    let url = closed_port_url();
    let cloud = CloudBackend::builder(&url)
        .api_key(KEY)
        .timeout(Duration::from_secs(2))
        .build();
    let err = cloud.names().unwrap_err();
    assert!(
        matches!(&err, SecretError::Connection { url: u, .. } if *u == url),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with(&format!("cannot reach Prefect Cloud at `{url}`"))
    );
}

#[test]
fn an_api_message_echoing_the_value_is_scrubbed() {
    // GraphQL servers quote rejected variables in their messages.
    let server = Server::start(1, |seen| {
        let echoed = seen.body["variables"]["input"].to_string();
        Reply::errors(&[&format!("Variable \"$input\" got invalid value {echoed}")])
    });
    let err = server
        .backend()
        .set("PW", &json!({"password": "pw-VALUE-marker"}))
        .unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(!text.contains("pw-VALUE-marker"), "{text}");
    assert!(text.contains("********"), "{text}");
}

// ---- canary ---------------------------------------------------------------

const SECRET_MARKER: &str = "CANARY-SECRET-7f3a9c";
const KEY_MARKER: &str = "CANARY-APIKEY-c0ffee";

/// Every error kind, provoked with the markers planted where they could leak.
fn every_error() -> Vec<SecretError> {
    let mut errors = Vec::new();
    // An API that echoes everything it gets: body, headers, variables.
    let echo = |seen: &Seen| {
        format!(
            "{} {} {:?}",
            seen.body,
            seen.authorization.clone().unwrap_or_default(),
            seen
        )
    };
    let server = Server::start(9, move |seen| {
        let field = seen.body["query"].as_str().unwrap_or_default().to_owned();
        let n = if field == GET_QUERY {
            0
        } else if field == NAMES_QUERY {
            1
        } else {
            2
        };
        match (
            n,
            seen.body["variables"]["name"].as_str(),
            seen.body["variables"]["input"]["name"].as_str(),
        ) {
            (0, Some("NOT_FOUND"), _) => Reply::errors(&[&format!(
                "No value found for the requested key {}",
                echo(seen)
            )]),
            (0, Some("UNAUTH"), _) => Reply::json(
                json!({"errors": [{"message": echo(seen), "extensions": {"code": "UNAUTHENTICATED"}}]}),
            ),
            (0, Some("HTTP401"), _) => Reply::status(401, &echo(seen)),
            (0, Some("HTTP500"), _) => Reply::status(500, &echo(seen)),
            (0, Some("SLOW"), _) => Reply {
                status: 200,
                body: echo(seen),
                delay: Duration::from_millis(600),
            },
            (0, _, _) => Reply::status(200, &format!("{{\"data\": {}", echo(seen))),
            (1, _, _) => {
                Reply::json(json!({"data": {"secret_names": [echo(seen)]}})).with_body_suffix()
            }
            (_, _, Some("FAIL")) => {
                Reply::json(json!({"data": {"set_secret": {"success": false}}}))
            }
            _ => Reply::errors(&[&echo(seen)]),
        }
    });
    let cloud = CloudBackend::builder(&server.url)
        .api_key(KEY_MARKER)
        .timeout(Duration::from_millis(300))
        .build();
    let planted = json!({"value": SECRET_MARKER});
    for name in ["NOT_FOUND", "UNAUTH", "HTTP401", "HTTP500", "MALFORMED"] {
        errors.push(cloud.get(name).unwrap_err());
    }
    errors.push(cloud.names().unwrap_err());
    errors.push(cloud.set("ECHO", &planted).unwrap_err());
    errors.push(cloud.set("FAIL", &planted).unwrap_err());
    // Last: the server answers one request at a time, so a slow answer delays the next.
    errors.push(cloud.get("SLOW").unwrap_err());
    drop(server);

    let refused = CloudBackend::builder(closed_port_url())
        .api_key(KEY_MARKER)
        .build();
    errors.push(refused.set("X", &planted).unwrap_err());
    errors.push(
        CloudBackend::builder(closed_port_url())
            .build()
            .set("X", &planted)
            .unwrap_err(),
    );

    let cfg = Loader::prefect()
        .env_vars([
            ("PREFECT__CLOUD__REQUEST_TIMEOUT", SECRET_MARKER),
            ("PREFECT__CLOUD__API_KEY", KEY_MARKER),
        ])
        .load()
        .unwrap();
    errors.push(CloudBackend::from_config(&cfg).unwrap_err());

    let store = MemoryBackend::new().with("PLANTED", json!(SECRET_MARKER));
    errors.push(store.get("MISSING").unwrap_err());
    errors.push(get_as::<u64>(&store, "PLANTED").unwrap_err());
    errors.push(
        AwsCredentials::from_value(&json!({"ACCESS_KEY": 1, "SECRET_ACCESS_KEY": SECRET_MARKER}))
            .unwrap_err(),
    );
    errors.push(AwsCredentials::from_value(&json!(SECRET_MARKER)).unwrap_err());
    errors.push(GcpCredentials::from_value(&json!([SECRET_MARKER])).unwrap_err());
    errors.push(GitHubToken::from_value(&json!([SECRET_MARKER])).unwrap_err());
    errors.push(
        EnvVarSecret::new("V")
            .raise_if_missing(true)
            .get_with(|_| None)
            .unwrap_err(),
    );
    for cast in [Cast::Int, Cast::Float, Cast::Bool, Cast::Json] {
        let value = format!("{{{SECRET_MARKER}");
        errors.push(
            EnvVarSecret::new("V")
                .cast(cast)
                .get_with(|_| Some(value))
                .unwrap_err(),
        );
    }
    errors.push(SecretError::BuildingFlow);
    errors
}

impl Reply {
    /// Leaves the body unparsable by cutting its last byte.
    fn with_body_suffix(mut self) -> Reply {
        self.body.pop();
        self
    }
}

#[test]
fn canary_markers_never_appear_in_formatted_output() {
    let errors = every_error();
    let kinds: std::collections::BTreeSet<String> = errors
        .iter()
        .map(|e| {
            format!("{e:?}")
                .split([' ', '(', '{'])
                .next()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    for kind in [
        "LocalNotFound",
        "CloudNotFound",
        "BuildingFlow",
        "Client",
        "MissingApiKey",
        "Unauthorized",
        "Timeout",
        "Connection",
        "MalformedResponse",
        "TypeMismatch",
        "EnvVarMissing",
        "EnvVarCast",
        "InvalidConfig",
    ] {
        assert!(
            kinds.contains(kind),
            "no {kind} error provoked; got {kinds:?}"
        );
    }

    let secret = SecretValue::new(json!({"k": SECRET_MARKER}));
    let aws = AwsCredentials::from_value(&json!({
        "ACCESS_KEY": "AKIA", "SECRET_ACCESS_KEY": SECRET_MARKER, "SESSION_TOKEN": SECRET_MARKER,
    }))
    .unwrap();
    let gcp = GcpCredentials::from_value(&json!({"project_id": "p", "private_key": SECRET_MARKER}))
        .unwrap();
    let github = GitHubToken::from_value(&json!(SECRET_MARKER)).unwrap();
    let store = MemoryBackend::new().with("PLANTED", json!(SECRET_MARKER));
    let builder = CloudBackend::builder("http://127.0.0.1:9/graphql").api_key(KEY_MARKER);
    let cloud = CloudBackend::builder("http://127.0.0.1:9/graphql")
        .api_key(KEY_MARKER)
        .build();
    let env = EnvVarSecret::new("V").cast(Cast::Json);
    let env_value = env
        .get_with(|_| Some(format!("\"{SECRET_MARKER}\"")))
        .unwrap();

    let mut outputs: Vec<String> = vec![
        format!("{secret:?} {secret:#?}"),
        format!("{aws:?} {aws:#?}"),
        format!("{gcp:?} {gcp:#?}"),
        format!("{github:?} {github:#?}"),
        format!("{store:?} {store:#?}"),
        format!("{builder:?} {builder:#?}"),
        format!("{cloud:?} {cloud:#?}"),
        format!("{env:?} {env_value:?}"),
        format!("{:?}", aws.to_secret_value()),
        format!("{:?}", github.to_secret_value()),
        format!("{:?}", aws.secret_access_key),
    ];
    for err in &errors {
        outputs.push(format!("{err}"));
        outputs.push(format!("{err:?}"));
        outputs.push(format!("{err:#?}"));
    }
    for out in &outputs {
        assert!(!out.contains(SECRET_MARKER), "secret leaked: {out}");
        assert!(!out.contains(KEY_MARKER), "API key leaked: {out}");
    }
}

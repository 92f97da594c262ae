//! `prefect-config secret ... --cloud` against a GraphQL server on 127.0.0.1
//! that the test starts.
#![cfg(all(feature = "cli", feature = "cloud"))]

mod common;

use std::thread::JoinHandle;
use std::time::Duration;

use common::TempFiles;
use common::cli::{CANARY, cmd, with_defaults};
use serde_json::{Value, json};

/// A request body and its `Authorization` header.
type Seen = (Value, Option<String>);

/// Answers `replies` in order and returns the requests it saw.
fn serve(replies: Vec<Value>) -> (String, JoinHandle<Vec<Seen>>) {
    let server = tiny_http::Server::http("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/graphql", server.server_addr());
    let handle = std::thread::spawn(move || {
        let mut seen = Vec::new();
        for reply in replies {
            let Ok(Some(mut request)) = server.recv_timeout(Duration::from_secs(10)) else {
                break;
            };
            let mut body = String::new();
            request.as_reader().read_to_string(&mut body).ok();
            let auth = request
                .headers()
                .iter()
                .find(|h| h.field.equiv("Authorization"))
                .map(|h| h.value.to_string());
            seen.push((serde_json::from_str(&body).unwrap_or(Value::Null), auth));
            request
                .respond(tiny_http::Response::from_string(reply.to_string()))
                .ok();
        }
        seen
    });
    (url, handle)
}

#[test]
fn cloud_secret_commands_talk_to_the_graphql_api() {
    let files = TempFiles::new();
    let (url, server) = serve(vec![
        json!({"data": {"secret_value": format!("{{\"token\": \"{CANARY}\"}}")}}),
        json!({"data": {"secret_value": format!("{{\"token\": \"{CANARY}\"}}")}}),
        json!({"data": {"secret_names": ["A", "B"]}}),
        json!({"data": {"secret_names": ["A", "B"]}}),
        json!({"data": {"set_secret": {"success": true}}}),
        json!({"errors": [{"message": "No value found for the requested key"}], "data": null}),
    ]);
    let args = with_defaults(&files);
    let run = |extra: &[&str]| {
        let mut all: Vec<String> = args.clone();
        all.extend(extra.iter().map(|s| (*s).to_owned()));
        cmd(&files)
            .args(&all)
            .env("PREFECT__CLOUD__GRAPHQL", &url)
            .env("PREFECT__CLOUD__API_KEY", "key-42")
            .output()
            .expect("run")
    };

    let masked = run(&["secret", "get", "DB", "--cloud"]);
    assert!(masked.status.success(), "{masked:?}");
    let masked_text = String::from_utf8_lossy(&masked.stdout);
    assert!(
        !masked_text.contains(CANARY) && masked_text.contains("********"),
        "{masked_text}"
    );

    let shown = run(&["secret", "get", "DB", "--cloud", "--show"]);
    assert!(String::from_utf8_lossy(&shown.stdout).contains(CANARY));

    let listed = run(&["secret", "list", "--cloud"]);
    assert_eq!(
        String::from_utf8_lossy(&listed.stdout)
            .split_whitespace()
            .collect::<Vec<_>>(),
        ["A", "B"]
    );

    assert_eq!(
        run(&["secret", "exists", "C", "--cloud"]).status.code(),
        Some(1)
    );

    let set = run(&["secret", "set", "NEW", "v-1", "--cloud"]);
    assert!(set.status.success(), "{set:?}");

    let missing = run(&["secret", "get", "GONE", "--cloud"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("GONE"),
        "{missing:?}"
    );

    let seen = server.join().unwrap();
    assert_eq!(seen.len(), 6);
    assert!(
        seen.iter()
            .all(|(_, auth)| auth.as_deref() == Some("Bearer key-42"))
    );
    assert_eq!(seen[0].0["variables"]["name"], "DB");
    assert_eq!(
        seen[4].0["variables"]["input"],
        json!({"name": "NEW", "value": "v-1"})
    );
}

#[test]
fn cloud_secret_delete_sends_the_delete_mutation() {
    let files = TempFiles::new();
    let (url, server) = serve(vec![
        json!({"data": {"delete_secret": {"success": true}}}),
        json!({"data": {"delete_secret": {"success": false}}}),
    ]);
    let run = || {
        cmd(&files)
            .args(with_defaults(&files))
            .args(["secret", "delete", "OLD", "--cloud"])
            .env("PREFECT__CLOUD__GRAPHQL", &url)
            .env("PREFECT__CLOUD__API_KEY", "key-42")
            .output()
            .expect("run")
    };
    let deleted = run();
    assert!(deleted.status.success(), "{deleted:?}");
    let refused = run();
    assert_eq!(refused.status.code(), Some(1), "{refused:?}");
    let seen = server.join().unwrap();
    assert_eq!(seen.len(), 2);
    assert!(
        seen[0].0["query"]
            .as_str()
            .is_some_and(|q| q.contains("delete_secret"))
    );
    assert_eq!(seen[0].0["variables"]["input"], json!({"name": "OLD"}));
    // The local file is not touched by a cloud delete.
    assert!(!common::cli::user_file(&files).exists());
}

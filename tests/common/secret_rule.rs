//! Replays `secret_rule.json` (recorded by `scripts/prefect_oracle.py`):
//! when `Secret::get`/`exists` go past the context's secrets to the backend.
//! Included with `#[path]` by the oracle test binaries, each of which sets
//! the process-wide configuration for its Prefect version first.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use prefect_config::context;
use prefect_config::secrets::{Secret, SecretBackend, SecretError};
use serde_json::{Value, json};

/// The recorder's stand-in for the Cloud client: it knows one secret, `X`,
/// and remembers whether it was asked anything.
#[derive(Default)]
struct Recording {
    asked: AtomicBool,
}

impl SecretBackend for Recording {
    fn get(&self, name: &str) -> Result<Value, SecretError> {
        self.asked.store(true, Ordering::SeqCst);
        match name {
            "X" => Ok(json!("\"from backend\"")),
            _ => Err(SecretError::LocalNotFound { name: name.into() }),
        }
    }

    fn names(&self) -> Result<Vec<String>, SecretError> {
        self.asked.store(true, Ordering::SeqCst);
        Ok(vec!["X".into()])
    }

    fn set(&self, _: &str, _: &Value) -> Result<(), SecretError> {
        unreachable!("the rule never writes")
    }

    fn delete(&self, _: &str) -> Result<(), SecretError> {
        unreachable!("the rule never writes")
    }
}

/// Each case's outcome under the current global configuration, compared
/// with the fixture's: the value or error, and whether the backend was
/// asked. Returns the differences, one a line.
pub fn failures(cases: &Value) -> Vec<String> {
    let cases = cases.as_array().expect("an array of cases");
    assert_eq!(
        cases.len(),
        16,
        "get/exists x backend x use_local_secrets x present"
    );
    let mut failures = Vec::new();
    for case in cases {
        let (method, backend) = (case["method"].as_str().unwrap(), &case["backend"]);
        let secrets = match case["present"].as_bool().unwrap() {
            true => json!({"X": "\"local\""}),
            false => json!({}),
        };
        let recording = Arc::new(Recording::default());
        let secret = Secret::new("X").with_backend(recording.clone());
        let items = [
            ("backend", backend.clone()),
            ("cloud.use_local_secrets", case["use_local_secrets"].clone()),
        ];
        let outcome = context::with_temporary_config(items, || {
            context::with(json!({ "secrets": secrets }), || match method {
                "get" => secret.get().map_err(|e| e.to_string()),
                _ => secret
                    .try_exists()
                    .map(Value::Bool)
                    .map_err(|e| e.to_string()),
            })
        });
        let ours = match &outcome {
            Ok(value) => (value.clone(), Value::Null),
            // Prefect's error is `ValueError: <our message>`.
            Err(message) => (Value::Null, json!(format!("ValueError: {message}"))),
        };
        let asked = recording.asked.load(Ordering::SeqCst);
        if ours != (case["value"].clone(), case["error"].clone())
            || Some(asked) != case["asked_backend"].as_bool()
        {
            failures.push(format!(
                "{method} backend={backend} use_local_secrets={} present={}: \
                 ours {outcome:?} (asked: {asked}), prefect {} / {} (asked: {})",
                case["use_local_secrets"],
                case["present"],
                case["value"],
                case["error"],
                case["asked_backend"],
            ));
        }
    }
    failures
}

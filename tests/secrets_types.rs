//! The secret types that need no server: `SecretValue`, `MemoryBackend`, the
//! typed default secrets, `get_as` and `EnvVarSecret`.

use std::collections::HashMap;
use std::sync::Arc;

use prefect_config::secrets::{
    AwsCredentials, Cast, EnvVarSecret, ExposeSecret, GcpCredentials, GitHubToken, MemoryBackend,
    SecretBackend, SecretError, SecretValue, get_as,
};
use serde_json::{Value, json};

fn exposed(value: Option<SecretValue>) -> Option<Value> {
    value.map(|v| v.expose_secret().clone())
}

// ---- SecretValue ------------------------------------------------------------

#[test]
fn secret_value_debug_is_redacted_for_every_json_kind() {
    for value in [
        json!(null),
        json!(true),
        json!(12345),
        json!("s3cr3t"),
        json!([1]),
        json!({"k": "v"}),
    ] {
        let secret = SecretValue::new(value.clone());
        assert_eq!(format!("{secret:?}"), r#"SecretValue("********")"#);
        assert_eq!(format!("{secret:#?}"), "SecretValue(\n    \"********\",\n)");
        assert_eq!(secret.expose_secret(), &value);
    }
}

#[test]
fn secret_value_is_usable_through_the_secrecy_trait() {
    fn len_of<S: ExposeSecret<Value>>(s: &S) -> usize {
        s.expose_secret().as_str().map_or(0, str::len)
    }
    assert_eq!(len_of(&SecretValue::from(json!("abcd"))), 4);
}

#[test]
fn secret_value_drops_deep_values_without_overflow() {
    let mut deep = json!("leaf");
    for _ in 0..100_000 {
        // Built by hand: `json!` would serialize (and recurse into) `deep`.
        let mut map = serde_json::Map::new();
        map.insert("k".into(), Value::Array(vec![deep]));
        deep = Value::Object(map);
    }
    drop(SecretValue::new(deep));
}

// ---- MemoryBackend ----------------------------------------------------------

#[test]
fn memory_backend_round_trips_set_get_names_delete() {
    let store = MemoryBackend::new();
    assert!(store.names().unwrap().is_empty());
    store.set("B", &json!({"x": 1})).unwrap();
    store.set("A", &json!("a")).unwrap();
    store.set("A", &json!("a2")).unwrap();
    assert_eq!(store.names().unwrap(), ["A", "B"]);
    assert_eq!(store.get("A").unwrap(), "a2");
    assert_eq!(store.get("B").unwrap(), json!({"x": 1}));
    assert!(store.exists("B").unwrap());
    store.delete("B").unwrap();
    assert!(!store.exists("B").unwrap());
    assert_eq!(
        store.get("B"),
        Err(SecretError::LocalNotFound { name: "B".into() })
    );
    assert_eq!(
        store.delete("B"),
        Err(SecretError::LocalNotFound { name: "B".into() })
    );
}

#[test]
fn memory_backend_not_found_reads_like_prefect() {
    let err = MemoryBackend::new().get("MY_SECRET").unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"Local Secret "MY_SECRET" was not found."#
    );
}

#[test]
fn memory_backend_names_are_case_sensitive() {
    let store = MemoryBackend::new().with("Token", json!(1));
    assert!(store.get("TOKEN").is_err());
    assert_eq!(store.get("Token").unwrap(), 1);
}

#[test]
fn memory_backend_debug_lists_names_only() {
    let store = MemoryBackend::new()
        .with("B", json!("vb"))
        .with("A", json!("va"));
    assert_eq!(
        format!("{store:?}"),
        r#"MemoryBackend { names: ["A", "B"] }"#
    );
}

#[test]
fn memory_backend_is_shared_between_threads() {
    let store: Arc<dyn SecretBackend> = Arc::new(MemoryBackend::new());
    let threads: Vec<_> = (0..4)
        .map(|i| {
            let store = Arc::clone(&store);
            std::thread::spawn(move || {
                for j in 0..50 {
                    store.set(&format!("S{i}_{j}"), &json!(j)).unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(store.names().unwrap().len(), 200);
    assert_eq!(store.get("S3_49").unwrap(), 49);
}

// ---- get_as -----------------------------------------------------------------

#[test]
fn get_as_deserializes_into_the_callers_type() {
    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Smtp {
        host: String,
        port: u16,
    }
    let store = MemoryBackend::new()
        .with("SMTP", json!({"host": "mail", "port": 25}))
        .with("N", json!(7));
    assert_eq!(
        get_as::<Smtp>(&store, "SMTP").unwrap(),
        Smtp {
            host: "mail".into(),
            port: 25
        }
    );
    assert_eq!(get_as::<i32>(&store, "N").unwrap(), 7);
    assert_eq!(get_as::<Value>(&store, "N").unwrap(), json!(7));
}

#[test]
fn get_as_mismatch_names_the_secret_and_type_but_not_the_value() {
    let store = MemoryBackend::new().with("PORT", json!("not-a-port-marker"));
    let err = get_as::<u16>(&store, "PORT").unwrap_err();
    assert_eq!(
        err,
        SecretError::TypeMismatch {
            name: "PORT".into(),
            expected: "`u16`".into(),
            found: "a string".into()
        }
    );
    assert_eq!(
        err.to_string(),
        "secret `PORT` holds a string, which cannot be read as `u16`"
    );
    assert!(!format!("{err:?}").contains("marker"));
}

#[test]
fn get_as_passes_lookup_errors_through() {
    let err = get_as::<u16>(&MemoryBackend::new(), "NONE").unwrap_err();
    assert_eq!(
        err,
        SecretError::LocalNotFound {
            name: "NONE".into()
        }
    );
}

// ---- default secrets --------------------------------------------------------

#[test]
fn aws_credentials_parse_and_round_trip() {
    let value = json!({"ACCESS_KEY": "AKIA", "SECRET_ACCESS_KEY": "sak", "SESSION_TOKEN": "tok"});
    let creds = AwsCredentials::from_value(&value).unwrap();
    assert_eq!(creds.access_key_id, "AKIA");
    assert_eq!(creds.secret_access_key.expose_secret(), "sak");
    assert_eq!(
        creds.session_token.as_ref().map(|t| t.expose_secret()),
        Some("tok")
    );
    assert_eq!(creds.to_secret_value().expose_secret(), &value);

    let again = AwsCredentials::from_value(creds.to_secret_value().expose_secret()).unwrap();
    assert_eq!(again.secret_access_key.expose_secret(), "sak");
}

#[test]
fn aws_credentials_without_session_token() {
    for value in [
        json!({"ACCESS_KEY": "A", "SECRET_ACCESS_KEY": "S"}),
        json!({"ACCESS_KEY": "A", "SECRET_ACCESS_KEY": "S", "SESSION_TOKEN": null}),
    ] {
        let creds = AwsCredentials::from_value(&value).unwrap();
        assert!(creds.session_token.is_none());
        assert_eq!(
            creds.to_secret_value().expose_secret(),
            &json!({"ACCESS_KEY": "A", "SECRET_ACCESS_KEY": "S"})
        );
    }
}

#[test]
fn aws_credentials_accept_json_text_as_prefect_does() {
    let text = json!(r#"{"ACCESS_KEY": "A", "SECRET_ACCESS_KEY": "S"}"#);
    assert_eq!(
        AwsCredentials::from_value(&text).unwrap().access_key_id,
        "A"
    );
}

#[test]
fn aws_credentials_reject_wrong_shapes_without_quoting() {
    let cases = [
        (
            json!({"SECRET_ACCESS_KEY": "S-marker"}),
            "an object without `ACCESS_KEY`",
        ),
        (
            json!({"ACCESS_KEY": "A"}),
            "an object without `SECRET_ACCESS_KEY`",
        ),
        (
            json!({"ACCESS_KEY": 1, "SECRET_ACCESS_KEY": "S-marker"}),
            "`ACCESS_KEY` as a number",
        ),
        (
            json!({"ACCESS_KEY": "A", "SECRET_ACCESS_KEY": "S-marker", "SESSION_TOKEN": 5}),
            "`SESSION_TOKEN` as a number",
        ),
        (json!("S-marker"), "a string that is not JSON"),
        (json!("[\"S-marker\"]"), "a string holding an array"),
        (json!(["S-marker"]), "an array"),
        (json!(null), "null"),
    ];
    for (value, found) in cases {
        let err = AwsCredentials::from_value(&value).unwrap_err();
        match &err {
            SecretError::TypeMismatch { name, found: f, .. } => {
                assert_eq!(name, "AWS_CREDENTIALS");
                assert_eq!(f, found, "{value}");
            }
            other => panic!("{value}: {other:?}"),
        }
        assert!(!format!("{err} {err:?}").contains("marker"));
    }
}

#[test]
fn aws_credentials_debug_masks_the_secret_parts() {
    let creds = AwsCredentials::from_value(
        &json!({"ACCESS_KEY": "AKIA", "SECRET_ACCESS_KEY": "sak-marker", "SESSION_TOKEN": "tok-marker"}),
    )
    .unwrap();
    assert_eq!(
        format!("{creds:?}"),
        r#"AwsCredentials { access_key_id: "AKIA", secret_access_key: "********", session_token: Some("********") }"#
    );
}

#[test]
fn gcp_credentials_parse_and_round_trip() {
    let key = json!({
        "type": "service_account",
        "project_id": "proj",
        "private_key_id": "kid",
        "private_key": "-----BEGIN PRIVATE KEY-----\nmarker\n-----END PRIVATE KEY-----\n",
        "client_email": "sa@proj.iam.gserviceaccount.com",
    });
    let creds = GcpCredentials::from_value(&key).unwrap();
    assert_eq!(creds.project_id(), Some("proj"));
    assert_eq!(
        creds.client_email(),
        Some("sa@proj.iam.gserviceaccount.com")
    );
    assert_eq!(creds.expose_secret(), &key);
    let from_text = GcpCredentials::from_value(&Value::String(key.to_string())).unwrap();
    assert_eq!(from_text.expose_secret(), &key);
    assert_eq!(
        format!("{creds:?}"),
        r#"GcpCredentials { project_id: Some("proj"), client_email: Some("sa@proj.iam.gserviceaccount.com"), .. }"#
    );
}

#[test]
fn gcp_credentials_reject_non_objects() {
    for value in [json!(1), json!("x"), json!("[1]"), json!([{}])] {
        let err = GcpCredentials::from_value(&value).unwrap_err();
        assert!(
            matches!(&err, SecretError::TypeMismatch { name, .. } if name == "GCP_CREDENTIALS")
        );
    }
}

#[test]
fn github_token_parses_and_round_trips() {
    let token = GitHubToken::from_value(&json!("ghp_abc")).unwrap();
    assert_eq!(token.expose_secret(), "ghp_abc");
    assert_eq!(token.to_secret_value().expose_secret(), &json!("ghp_abc"));
    assert_eq!(format!("{token:?}"), r#"GitHubToken("********")"#);
    for bad in [json!(""), json!(null), json!({"token": "t"}), json!(1)] {
        let err = GitHubToken::from_value(&bad).unwrap_err();
        assert!(
            matches!(&err, SecretError::TypeMismatch { name, .. } if name == "GITHUB_ACCESS_TOKEN")
        );
    }
}

#[test]
fn defaults_read_from_a_backend() {
    let store = MemoryBackend::new()
        .with(
            AwsCredentials::SECRET_NAME,
            json!({"ACCESS_KEY": "A", "SECRET_ACCESS_KEY": "S"}),
        )
        .with(GitHubToken::SECRET_NAME, json!("ghp"));
    let aws =
        AwsCredentials::from_value(store.get_secret("AWS_CREDENTIALS").unwrap().expose_secret());
    assert_eq!(aws.unwrap().access_key_id, "A");
    let gh = GitHubToken::from_value(
        store
            .get_secret("GITHUB_ACCESS_TOKEN")
            .unwrap()
            .expose_secret(),
    );
    assert_eq!(gh.unwrap().expose_secret(), "ghp");
}

// ---- EnvVarSecret -----------------------------------------------------------

/// A lookup over a fixed environment (the process environment is never touched).
fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |name: &str| map.get(name).cloned()
}

#[test]
fn env_var_without_cast_is_the_text() {
    let lookup = env(&[("TOKEN", " spaced ")]);
    let value = EnvVarSecret::new("TOKEN").get_with(&lookup).unwrap();
    assert_eq!(exposed(value), Some(json!(" spaced ")));
}

#[test]
fn env_var_missing_is_none_or_an_error() {
    let lookup = env(&[]);
    assert!(
        EnvVarSecret::new("NOPE")
            .cast(Cast::Int)
            .get_with(&lookup)
            .unwrap()
            .is_none()
    );
    let err = EnvVarSecret::new("NOPE")
        .raise_if_missing(true)
        .get_with(&lookup)
        .unwrap_err();
    assert_eq!(err, SecretError::EnvVarMissing { var: "NOPE".into() });
    assert_eq!(err.to_string(), "Environment variable not set: NOPE");
}

#[test]
fn env_var_empty_is_set() {
    let lookup = env(&[("EMPTY", "")]);
    let secret = EnvVarSecret::new("EMPTY").raise_if_missing(true);
    assert_eq!(exposed(secret.get_with(&lookup).unwrap()), Some(json!("")));
    let err = secret.cast(Cast::Int).get_with(&lookup).unwrap_err();
    assert!(matches!(err, SecretError::EnvVarCast { .. }));
}

#[test]
fn env_var_casts() {
    let lookup = env(&[
        ("INT", "-42"),
        ("BIG", "9_223_372_036_854_775_808"),
        ("FLOAT", "2.5e1"),
        ("INT_AS_FLOAT", "3"),
        ("YES", "True"),
        ("NO", " FALSE"),
        ("JSON", r#"{"a": [1, null, "x"]}"#),
        ("JSON_STR", r#""quoted""#),
    ]);
    let cast = |var: &str, cast: Cast| {
        exposed(EnvVarSecret::new(var).cast(cast).get_with(&lookup).unwrap()).unwrap()
    };
    assert_eq!(cast("INT", Cast::Int), json!(-42));
    assert_eq!(cast("BIG", Cast::Int), json!(9_223_372_036_854_775_808u64));
    assert_eq!(cast("FLOAT", Cast::Float), json!(25.0));
    assert_eq!(cast("INT_AS_FLOAT", Cast::Float), json!(3.0));
    assert_eq!(cast("INT", Cast::Float), json!(-42.0));
    assert_eq!(cast("YES", Cast::Bool), json!(true));
    assert_eq!(cast("NO", Cast::Bool), json!(false));
    assert_eq!(cast("JSON", Cast::Json), json!({"a": [1, null, "x"]}));
    assert_eq!(cast("JSON_STR", Cast::Json), json!("quoted"));
    assert_eq!(cast("INT", Cast::Json), json!(-42));
}

#[test]
fn env_var_cast_failures_name_the_variable_not_the_value() {
    let lookup = env(&[("V", "v4lue-marker")]);
    for (cast, reason) in [
        (Cast::Int, "is not an integer"),
        (Cast::Float, "is not a finite number"),
        (Cast::Bool, "is not `true` or `false`"),
        (Cast::Json, "is not valid JSON (error at line 1, column 1)"),
    ] {
        let err = EnvVarSecret::new("V")
            .cast(cast)
            .get_with(&lookup)
            .unwrap_err();
        assert_eq!(
            err,
            SecretError::EnvVarCast {
                var: "V".into(),
                reason: reason.into()
            }
        );
        assert_eq!(
            err.to_string(),
            format!("environment variable `V` {reason}")
        );
        assert!(!format!("{err:?}").contains("marker"));
    }
    let lookup = env(&[("F", "nan"), ("I", "1.5")]);
    assert!(
        EnvVarSecret::new("F")
            .cast(Cast::Float)
            .get_with(&lookup)
            .is_err()
    );
    assert!(
        EnvVarSecret::new("I")
            .cast(Cast::Int)
            .get_with(&lookup)
            .is_err()
    );
}

#[test]
fn env_var_lookup_gets_the_variable_name() {
    let mut asked = None;
    let secret = EnvVarSecret::new("ASKED_FOR");
    secret
        .get_with(|name| {
            asked = Some(name.to_owned());
            None
        })
        .unwrap();
    assert_eq!(asked.as_deref(), Some("ASKED_FOR"));
    assert_eq!(secret.var(), "ASKED_FOR");
}

#[test]
fn env_var_get_reads_the_process_environment() {
    // PATH is set for any test process; read it, never change it.
    let path = EnvVarSecret::new("PATH")
        .raise_if_missing(true)
        .get()
        .unwrap();
    assert!(exposed(path).is_some_and(|p| p.is_string()));
}

#[test]
fn env_var_secret_debug_shows_configuration_only() {
    let secret = EnvVarSecret::new("X")
        .cast(Cast::Json)
        .raise_if_missing(true);
    assert_eq!(
        format!("{secret:?}"),
        r#"EnvVarSecret { var: "X", cast: Some(Json), raise_if_missing: true }"#
    );
}

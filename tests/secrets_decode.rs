//! How `Secret::get` decodes string secrets (Prefect's `json.loads`), for
//! every way a secret is set: TOML, an environment variable, the secrets
//! directory, a runtime edit and a backend's answer.

mod common;

use std::sync::{Arc, Once};

use common::TempFiles;
use prefect_config::config::Loader;
use prefect_config::secrets::{Cast, EnvVarSecret, MemoryBackend, Secret, SecretError};
use prefect_config::{context, set_global};
use serde_json::{Value, json};

const BIG: &str = "18446744073709551616";
const BIG_NEGATIVE: &str = "-9223372036854775809";
const HUGE: &str = "123456789012345678901234567890";
const SUBNORMAL_EDGE: &str = "2.2250738585072011e-308";
const HALF_MIN: &str = "2.4703282292062328e-324";

/// The global configuration: `backend = "server"`, and secrets set in TOML,
/// the environment and the secrets directory.
fn init() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let files = TempFiles::new();
        files.write("secrets/BIG_DIR", &format!("{BIG}\n"));
        files.write("secrets/LIST_DIR", &format!("[1, {HUGE}]"));
        files.write("secrets/FLOAT_DIR", SUBNORMAL_EDGE);
        files.write("secrets/ZERO_DIR", "-0");
        let toml = format!(
            "backend = 'server'\n[cloud]\nuse_local_secrets = true\n\
             [context.secrets]\nBIG_TOML = '{BIG}'\nNEGATIVE_TOML = '{BIG_NEGATIVE}'\n\
             OBJECT_TOML = '{{\"id\": {HUGE}}}'\n"
        );
        let config = Loader::new()
            .defaults_toml(toml)
            .secrets_dir(files.path("secrets"))
            .env_prefix("PREFECT")
            .env_vars([
                ("HOME", "/home/decode"),
                ("PREFECT__CONTEXT__SECRETS__HUGE_ENV", HUGE),
                ("PREFECT__CONTEXT__SECRETS__LIST_ENV", &format!("[{BIG}]")),
            ])
            .load()
            .expect("fixture config loads");
        set_global(config).ok();
        drop(files);
    });
}

fn get(name: &str) -> Value {
    Secret::new(name).get().unwrap()
}

#[test]
fn integers_beyond_64_bits_keep_their_text_however_the_secret_is_set() {
    init();
    // TOML, environment and secrets-directory layers.
    assert_eq!(get("BIG_TOML"), json!(BIG));
    assert_eq!(get("NEGATIVE_TOML"), json!(BIG_NEGATIVE));
    assert_eq!(get("OBJECT_TOML"), json!(format!("{{\"id\": {HUGE}}}")));
    assert_eq!(get("HUGE_ENV"), json!(HUGE));
    assert_eq!(get("LIST_ENV"), json!(format!("[{BIG}]")));
    assert_eq!(get("BIG_DIR"), json!(BIG));
    assert_eq!(get("LIST_DIR"), json!(format!("[1, {HUGE}]")));
    // Runtime edits.
    context::with(json!({}), || {
        for text in [BIG, BIG_NEGATIVE, HUGE] {
            prefect_config::secrets::local().insert("RUNTIME", text);
            assert_eq!(get("RUNTIME"), json!(text));
        }
        // Within 64 bits the number is exact.
        prefect_config::secrets::local().insert("RUNTIME", "18446744073709551615");
        assert_eq!(get("RUNTIME"), json!(u64::MAX));
    });
    // A backend's answer.
    let vault = Arc::new(MemoryBackend::new().with("REMOTE", json!(HUGE)));
    let remote = context::with_temporary_config(
        [
            ("backend", json!("cloud")),
            ("cloud.use_local_secrets", json!(false)),
        ],
        || Secret::new("REMOTE").with_backend(vault).get(),
    );
    assert_eq!(remote.unwrap(), json!(HUGE));
    // `EnvVarSecret` with `Cast::Json` cannot keep text: it is an error.
    let err = EnvVarSecret::new("V")
        .cast(Cast::Json)
        .get_with(|_| Some(format!("[{BIG}]")))
        .unwrap_err();
    assert!(matches!(err, SecretError::EnvVarCast { .. }));
    assert!(err.to_string().contains("beyond 64 bits"), "{err}");
    assert!(!err.to_string().contains(BIG));
}

#[test]
fn floats_are_correctly_rounded() {
    init();
    let bits = |value: Value| value.as_f64().map(f64::to_bits);
    assert_eq!(
        bits(get("FLOAT_DIR")),
        Some(2.225073858507201e-308_f64.to_bits())
    );
    context::with(json!({}), || {
        prefect_config::secrets::local().insert("F", SUBNORMAL_EDGE);
        assert_eq!(bits(get("F")), Some(2.225073858507201e-308_f64.to_bits()));
        prefect_config::secrets::local().insert("F", HALF_MIN);
        assert_eq!(bits(get("F")), Some(5e-324_f64.to_bits()));
        prefect_config::secrets::local().insert("F", format!("[{HALF_MIN}, 0.1]"));
        assert_eq!(get("F"), json!([5e-324, 0.1]));
    });
}

#[test]
fn negative_zero_is_the_integer_zero() {
    init();
    let zero = get("ZERO_DIR");
    assert!(zero.is_u64(), "{zero}");
    assert_eq!(zero, json!(0));
    context::with(json!({}), || {
        prefect_config::secrets::local().insert("Z", r#"{"a": -0, "b": [-0], "c": "-0"}"#);
        let value = get("Z");
        assert_eq!(value, json!({"a": 0, "b": [0], "c": "-0"}));
        assert!(value["a"].is_u64() && value["b"][0].is_u64());
        // A float zero keeps its sign, as in Python.
        prefect_config::secrets::local().insert("Z", "-0.0");
        assert_eq!(get("Z").as_f64().map(f64::is_sign_negative), Some(true));
    });
}

/// Documented difference: JSON is decoded to at most `MAX_DEPTH` (64)
/// levels of nesting, the crate's cap for every value, where Python's
/// `json.loads` goes on; deeper text is kept as it is.
#[test]
fn json_nested_past_the_depth_cap_stays_text() {
    use prefect_config::config::MAX_DEPTH;
    init();
    let nested = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    context::with(json!({}), || {
        prefect_config::secrets::local().insert("D", nested(MAX_DEPTH));
        assert!(get("D").is_array());
        for depth in [MAX_DEPTH + 1, 128] {
            prefect_config::secrets::local().insert("D", nested(depth));
            assert_eq!(get("D"), json!(nested(depth)));
        }
    });
}

/// Documented difference: `backend` is read from the context's
/// configuration (Prefect reads the global one), so a scope that switches to
/// Cloud asks Cloud.
#[test]
fn the_backend_setting_comes_from_the_contexts_configuration() {
    init();
    let vault = Arc::new(MemoryBackend::new().with("ONLY_REMOTE", json!("\"remote\"")));
    let err = Secret::new("ONLY_REMOTE")
        .with_backend(vault.clone())
        .get()
        .unwrap_err();
    assert!(matches!(err, SecretError::LocalNotFound { .. }));
    let value = context::with_temporary_config(
        [
            ("backend", json!("cloud")),
            ("cloud.use_local_secrets", json!(false)),
        ],
        || Secret::new("ONLY_REMOTE").with_backend(vault).get(),
    );
    assert_eq!(value.unwrap(), json!("remote"));
}

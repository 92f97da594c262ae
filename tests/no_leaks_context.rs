//! Issue 9, item 2 (context part): `Display`/`Debug` of `context::snapshot()`
//! and `Debug` of `context::config()` mask every sensitive value, not only
//! `secrets`. Its own binary: it installs the global configuration.

use std::sync::Once;

use prefect_config::config::Loader;
use prefect_config::secrets::ExposeSecret;
use prefect_config::{context, secrets};
use serde_json::json;

const DEFAULTS: &str = r#"
[server.database]
password = "CANARY-server-db"
connection_url = "postgresql://prefect:${server.database.password}@localhost/prefect"

[cloud]
api_key = ""

[db]
db_password = "CANARY-db-password"
dsn = "postgresql://app:CANARY-dsn@db.internal/app"

[context]
flow_name = "visible-flow"
api_key = "CANARY-context-api-key"
derived = "x-${context.secrets.TOML_SECRET}"
via_var = "$PREFECT__CLOUD__API_KEY"
run = { id = "r-1", auth_token = "CANARY-nested-token" }

[context.secrets]
TOML_SECRET = "CANARY-toml"
"#;

fn init() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let config = Loader::new()
            .defaults_toml(DEFAULTS)
            .env_prefix("PREFECT")
            .env_vars([
                ("HOME", "/home/prefect-test"),
                ("PREFECT__CONTEXT__SECRETS__ENV_SECRET", "CANARY-env"),
                ("PREFECT__CLOUD__API_KEY", "CANARY-api-key"),
            ])
            .load()
            .expect("fixture loads");
        assert!(prefect_config::set_global(config).is_ok());
    });
}

fn assert_clean(what: &str, text: &str) {
    assert!(
        !text.to_lowercase().contains("canary"),
        "{what} printed a canary:\n{text}"
    );
}

fn all_formats() -> String {
    let snap = context::snapshot();
    let cfg = context::config();
    format!("{snap} {snap:?} {snap:#?} {cfg:?} {cfg:#?}")
}

#[test]
fn the_canaries_are_in_the_context() {
    init();
    let snap = context::snapshot().to_value().to_string().to_lowercase();
    for canary in [
        "canary-context-api-key",
        "canary-toml",
        "canary-env",
        "canary-nested-token",
        "canary-api-key",
        "canary-server-db",
    ] {
        assert!(snap.contains(canary), "{canary} missing");
    }
}

#[test]
fn snapshot_and_config_mask_every_sensitive_value() {
    init();
    let text = all_formats();
    assert_clean("context", &text);
    assert!(
        text.contains("visible-flow") && text.contains("r-1"),
        "{text}"
    );
}

#[test]
fn runtime_values_are_masked_too() {
    init();
    context::with(
        json!({
            "github_token": "CANARY-runtime-token",
            "dsn": "redis://:CANARY-runtime-dsn@cache:6379",
            "nested": {"deeper": {"private_key": "CANARY-runtime-pk"}},
            "config": {"extra": {"password": "CANARY-config-pw", "url": "postgresql://u:CANARY-config-dsn@h/db"}},
        }),
        || {
            // A runtime insert through the secrets view.
            secrets::local().insert("RUNTIME", "CANARY-runtime-secret");
            let text = all_formats();
            assert_clean("context with runtime values", &text);
            // Moved to another thread, it stays masked.
            let snap = context::snapshot();
            let there = std::thread::spawn(move || format!("{snap} {snap:?}"))
                .join()
                .unwrap();
            assert_clean("snapshot on another thread", &there);
            let value = secrets::local().get("RUNTIME").expect("inserted");
            assert_clean("SecretValue", &format!("{value:?}"));
            assert_eq!(value.expose_secret(), &json!("CANARY-runtime-secret"));
        },
    );
}

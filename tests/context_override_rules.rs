//! The two override rules the README states for test writers: an override
//! of a top-level context key (`secrets`) replaces it whole; a `config`
//! override is deep-merged but not interpolated again. And the way to change
//! one secret: a scope and `secrets::local().insert`.

use std::sync::Once;

use prefect_config::config::Loader;
use prefect_config::secrets::Secret;
use prefect_config::{context, secrets};
use serde_json::json;

fn init() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let config = Loader::new()
            .defaults_toml(concat!(
                "[server]\nhost = 'http://localhost'\nendpoint = '${server.host}:4200'\n",
                "[context.secrets]\nA = 'a-1'\nB = 'b-1'\n",
            ))
            .env_vars([("HOME", "/home/prefect-test")])
            .load()
            .expect("fixture config loads");
        assert!(prefect_config::set_global(config).is_ok());
    });
}

#[test]
fn an_override_of_secrets_replaces_the_table_whole() {
    init();
    context::with(json!({"secrets": {"A": "a-2"}}), || {
        assert_eq!(context::get("secrets"), Some(json!({"A": "a-2"})));
        assert!(!Secret::new("B").exists());
    });
    assert!(Secret::new("B").exists());
}

#[test]
fn a_config_override_is_merged_but_not_interpolated_again() {
    init();
    let over = json!({"config": {"server": {"host": "http://other", "x": "${server.host}"}}});
    context::with(over, || {
        let cfg = context::config();
        assert_eq!(cfg.get("server.host"), Some(&json!("http://other")));
        // Kept from the load: references are not resolved again.
        assert_eq!(
            cfg.get("server.endpoint"),
            Some(&json!("http://localhost:4200"))
        );
        assert_eq!(cfg.get("server.x"), Some(&json!("${server.host}")));
    });
}

#[test]
fn one_secret_changes_for_a_scope_with_local_insert() {
    init();
    context::with(json!({}), || {
        secrets::local().insert("A", "a-test");
        assert_eq!(Secret::new("A").get().unwrap(), json!("a-test"));
        assert_eq!(Secret::new("B").get().unwrap(), json!("b-1"));
    });
    assert_eq!(Secret::new("A").get().unwrap(), json!("a-1"));
}

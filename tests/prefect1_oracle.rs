//! The secrets rule of Prefect 1.4.1 (`tests/fixtures/prefect-1.4.1/`,
//! recorded by `scripts/prefect_oracle.py`), in its own binary because the
//! process-wide configuration is set once: here it is the 1.x defaults.
//! The 1.x defaults and load cases are checked in `tests/prefect_oracle.rs`.

mod common;
#[path = "common/secret_rule.rs"]
mod secret_rule;

use common::{FIXTURE_HOME, fixture};
use prefect_config::config::{Loader, PrefectVersion};
use prefect_config::context;
use serde_json::json;

fn install_global() {
    let v1 = Loader::new()
        .embedded_defaults()
        .prefect_version(PrefectVersion::V1)
        .env_vars([("HOME", FIXTURE_HOME)])
        .load()
        .expect("defaults load");
    prefect_config::set_global(v1).ok();
}

/// When `Secret::get` and `Secret::exists` ask the backend, under 1.x, as
/// Prefect 1.4.1 decides: both only with `backend = "cloud"` and local
/// secrets off.
#[test]
fn secret_rule_matches_prefect_1_4_1() {
    install_global();
    let failures = secret_rule::failures(&fixture("prefect-1.4.1/secret_rule.json"));
    assert!(
        failures.is_empty(),
        "{} case(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The version travels with the configuration into the context, through a
/// scope that overrides `config`, so the rule above is 1.x's.
#[test]
fn the_context_configuration_keeps_the_version() {
    install_global();
    assert_eq!(context::config().prefect_version(), PrefectVersion::V1);
    context::with(json!({"config": {"backend": "server"}}), || {
        assert_eq!(context::config().prefect_version(), PrefectVersion::V1);
        assert_eq!(context::config().get("backend"), Some(&json!("server")));
    });
    assert!(context::config().contains("cloud.rate_limiting.backoff_s"));
}

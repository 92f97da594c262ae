//! Formatting never prints a value under `secrets`.

mod common;

use common::context::MARKER_SECRET;
use prefect_config::context::{self, InContextExt, Overrides};
use serde_json::json;

fn init() {
    common::context::init();
}

fn assert_masked(text: &str) {
    assert!(!text.contains(MARKER_SECRET), "secret printed: {text}");
    assert!(!text.contains("runtime-secret"), "secret printed: {text}");
    assert!(text.contains("********"), "no mask in: {text}");
}

#[test]
fn snapshot_debug_and_display_mask_secrets() {
    init();
    let snap = context::snapshot();
    assert_masked(&format!("{snap:?}"));
    assert_masked(&format!("{snap:#?}"));
    assert_masked(&snap.to_string());
    assert!(
        snap.to_string().contains("TOML_SECRET"),
        "secret names stay visible"
    );
    assert!(snap.to_string().contains("\"region\":\"eu\""));
}

#[test]
fn runtime_secrets_and_config_secrets_are_masked_too() {
    init();
    context::with(
        json!({"config": {"context": {"secrets": {"CFG": "runtime-secret"}}}}),
        || {
            context::set_path("secrets.RUNTIME", "runtime-secret");
            let snap = context::snapshot();
            assert_masked(&format!("{snap:?}"));
            assert_masked(&snap.to_string());
            // The values are still there for code that asks explicitly.
            assert_eq!(
                context::get_path("secrets.RUNTIME"),
                Some(json!("runtime-secret"))
            );
        },
    );
    context::with(json!({"secrets": "runtime-secret"}), || {
        assert_masked(&context::snapshot().to_string());
    });
}

#[test]
fn other_debug_output_prints_no_values() {
    init();
    let overrides = Overrides::from(json!({"secrets": {"X": "runtime-secret"}}));
    assert!(!format!("{overrides:?}").contains("runtime-secret"));
    let guard = context::scope(overrides.clone());
    assert!(!format!("{guard:?}").contains("runtime-secret"));
    drop(guard);
    let fut = async {}.in_context(overrides);
    assert!(!format!("{fut:?}").contains("runtime-secret"));
}

#[test]
fn a_failed_get_as_on_secrets_does_not_echo_the_value() {
    init();
    let err = context::get_as::<u32>("secrets").unwrap_err();
    assert!(!err.to_string().contains(MARKER_SECRET), "{err}");
    assert_eq!(err.key(), Some("secrets"));
}

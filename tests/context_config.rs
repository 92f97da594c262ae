//! The `config` key: deep merges, provenance, caching, `with_temporary_config`.

mod common;

use std::sync::Arc;

use prefect_config::config::Source;
use prefect_config::context;
use serde_json::json;

fn init() {
    common::context::init();
}

#[test]
fn config_overrides_merge_deeply() {
    init();
    context::with(json!({"config": {"logging": {"x": 1}}}), || {
        let cfg = context::config();
        assert_eq!(cfg.get("logging.x"), Some(&json!(1)));
        assert_eq!(cfg.get("logging.level"), Some(&json!("INFO")));
        assert_eq!(cfg.get("logging.extra.depth"), Some(&json!(1)));
        assert_eq!(cfg.source_of("logging.x"), Some(&Source::Runtime));
        assert_eq!(cfg.source_of("logging.level"), Some(&Source::DefaultsToml));
        assert_eq!(context::get("config"), Some(cfg.as_value().clone()));
        assert_eq!(context::get_path("config.logging.x"), Some(json!(1)));
    });
    assert_eq!(context::config().get("logging.x"), None);
}

#[test]
fn nested_config_overrides_accumulate_and_restore() {
    init();
    context::with(json!({"config": {"logging": {"level": "DEBUG"}}}), || {
        context::with(json!({"a": 1}), || {
            context::with(
                json!({"config": {"logging": {"extra": {"depth": 3}}}}),
                || {
                    let cfg = context::config();
                    assert_eq!(cfg.get("logging.level"), Some(&json!("DEBUG")));
                    assert_eq!(cfg.get("logging.extra.depth"), Some(&json!(3)));
                },
            );
            assert_eq!(
                context::config().get("logging.extra.depth"),
                Some(&json!(1))
            );
            assert_eq!(
                context::config().get("logging.level"),
                Some(&json!("DEBUG"))
            );
        });
    });
    assert_eq!(context::config().get("logging.level"), Some(&json!("INFO")));
}

#[test]
fn without_a_config_override_config_is_the_global_arc() {
    init();
    let global = prefect_config::global().unwrap();
    assert!(Arc::ptr_eq(&context::config(), &global));
    context::with([("a", 1)], || {
        assert!(Arc::ptr_eq(&context::config(), &global))
    });
    assert!(Arc::ptr_eq(&context::try_config().unwrap(), &global));
}

#[test]
fn the_merged_view_is_built_once_per_scope() {
    init();
    context::with(json!({"config": {"debug": true}}), || {
        let first = context::config();
        assert!(Arc::ptr_eq(&first, &context::config()));
        // An inner scope without a config override reuses it.
        context::with([("a", 1)], || {
            assert!(Arc::ptr_eq(&first, &context::config()))
        });
        // An edit rebuilds it, once.
        context::set_path("config.debug", false);
        let second = context::config();
        assert!(!Arc::ptr_eq(&first, &second));
        assert!(Arc::ptr_eq(&second, &context::config()));
        assert_eq!(second.get("debug"), Some(&json!(false)));
    });
}

#[test]
fn with_temporary_config_takes_dotted_keys() {
    init();
    context::with_temporary_config(
        [
            ("cloud.use_local_secrets", json!(false)),
            ("logging.extra.depth", json!(9)),
        ],
        || {
            let cfg = context::config();
            assert_eq!(cfg.get("cloud.use_local_secrets"), Some(&json!(false)));
            assert_eq!(cfg.get("logging.extra.depth"), Some(&json!(9)));
            assert_eq!(cfg.get("cloud.api"), Some(&json!("https://api.prefect.io")));
            assert_eq!(
                cfg.source_of("cloud.use_local_secrets"),
                Some(&Source::Runtime)
            );
        },
    );
    assert_eq!(
        context::config().get("cloud.use_local_secrets"),
        Some(&json!(true))
    );
}

#[test]
fn a_config_override_that_is_not_an_object_is_ignored() {
    init();
    let global = prefect_config::global().unwrap();
    context::with(json!({"config": 5}), || {
        assert!(Arc::ptr_eq(&context::config(), &global));
    });
}

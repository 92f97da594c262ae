//! Runtime edits: `set`, `update`, `setdefault`, `set_path`.

mod common;

use prefect_config::context;
use serde_json::json;

fn init() {
    common::context::init();
}

#[test]
fn edits_inside_a_scope_vanish_when_it_ends() {
    init();
    let before = context::to_value();
    context::with([("a", 1)], || {
        context::set("a", 2);
        context::set("b", 2);
        context::update(json!({"c": 3, "region": "us"}));
        assert_eq!(context::setdefault("d", 4), json!(4));
        assert_eq!(context::get("a"), Some(json!(2)));
        assert_eq!(context::get("region"), Some(json!("us")));
        assert_eq!(context::get("d"), Some(json!(4)));
    });
    assert_eq!(context::to_value(), before);
}

#[test]
fn edits_go_to_the_innermost_scope_only() {
    init();
    context::with([("a", 1)], || {
        context::with([("x", 0)], || context::set("a", 2));
        assert_eq!(context::get("a"), Some(json!(1)));
    });
}

#[test]
fn nested_edits_do_not_leak_out_of_a_scope() {
    init();
    // In Prefect, `prefect.context.secrets["K"] = v` inside a block leaks out.
    context::with([("x", 0)], || {
        context::set_path("secrets.RUNTIME", "v");
        assert_eq!(context::get_path("secrets.RUNTIME"), Some(json!("v")));
        assert_eq!(
            context::get_path("secrets.TOML_SECRET"),
            Some(json!(common::context::MARKER_SECRET))
        );
    });
    assert_eq!(context::get_path("secrets.RUNTIME"), None);
    assert!(context::get_path("secrets.TOML_SECRET").is_some());
}

#[test]
fn setdefault_returns_the_existing_value() {
    init();
    context::with([("a", 1)], || {
        assert_eq!(context::setdefault("a", 9), json!(1));
        assert_eq!(context::setdefault("region", "zz"), json!("eu"));
        assert_eq!(context::get("a"), Some(json!(1)));
    });
}

#[test]
fn set_path_after_setdefault_prefect_style() {
    init();
    context::with([("x", 0)], || {
        context::setdefault("fresh", json!({}));
        context::set_path("fresh.MY_KEY", "MY_VALUE");
        assert_eq!(context::get("fresh"), Some(json!({"MY_KEY": "MY_VALUE"})));
        context::set_path("new.deep.key", 1);
        assert_eq!(context::get("new"), Some(json!({"deep": {"key": 1}})));
        context::set_path("fresh.MY_KEY.inner", 2); // a string on the way becomes an object
        assert_eq!(context::get_path("fresh.MY_KEY.inner"), Some(json!(2)));
        context::set_path("plain", 3);
        assert_eq!(context::get("plain"), Some(json!(3)));
    });
}

#[test]
fn top_level_edits_last_for_the_thread_only() {
    init();
    std::thread::spawn(|| {
        context::set("top", 1);
        context::with([("top", 2)], || context::set("top", 3));
        assert_eq!(context::get("top"), Some(json!(1)));
        context::set_path("secrets.TOP", "t");
        assert_eq!(context::get_path("secrets.TOP"), Some(json!("t")));
        // A scope on top of the root frame sees and shadows its edits.
        context::with([("other", 1)], || {
            assert_eq!(context::get("top"), Some(json!(1)))
        });
        std::thread::spawn(|| assert_eq!(context::get("top"), None))
            .join()
            .unwrap();
    })
    .join()
    .unwrap();
    assert_eq!(context::get("top"), None);
}

#[test]
fn editing_config_deep_merges() {
    init();
    context::with([("x", 0)], || {
        context::set("config", json!({"logging": {"level": "DEBUG"}}));
        context::set_path("config.logging.extra.depth", 5);
        context::update(json!({"config": {"cloud": {"use_local_secrets": false}}}));
        let cfg = context::config();
        assert_eq!(cfg.get("logging.level"), Some(&json!("DEBUG")));
        assert_eq!(cfg.get("logging.extra.depth"), Some(&json!(5)));
        assert_eq!(cfg.get("cloud.use_local_secrets"), Some(&json!(false)));
        assert!(cfg.contains("logging.format") && cfg.contains("cloud.api"));
        assert_eq!(context::setdefault("config", 1), cfg.as_value().clone());
        context::set("config", 7); // not an object: ignored
        assert_eq!(
            context::config().get("logging.level"),
            Some(&json!("DEBUG"))
        );
    });
    assert_eq!(context::config().get("logging.level"), Some(&json!("INFO")));
}

//! Scopes: `with`, `scope`, nesting, restoring, panics and guard order.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};

use prefect_config::context::{self, Overrides};
use serde_json::{Map, Value, json};

fn init() {
    common::context::init();
}

#[test]
fn base_context_is_the_context_table_plus_config() {
    init();
    assert_eq!(context::get("region"), Some(json!("eu")));
    assert_eq!(
        context::get_path("secrets.TOML_SECRET"),
        Some(json!(common::context::MARKER_SECRET))
    );
    assert_eq!(
        context::get_path("secrets.ENV_SECRET"),
        Some(json!("from-env"))
    );
    assert_eq!(
        context::get("config"),
        Some(prefect_config::global().unwrap().as_value().clone())
    );
    assert_eq!(context::keys(), ["region", "secrets", "config"]);
}

#[test]
fn with_adds_keys_for_the_block_and_restores_them() {
    init();
    let before = context::to_value();
    let out = context::with(json!({"a": 1, "region": "us"}), || {
        assert_eq!(context::get("a"), Some(json!(1)));
        assert_eq!(context::get("region"), Some(json!("us")));
        "done"
    });
    assert_eq!(out, "done");
    assert_eq!(context::get("a"), None);
    assert_eq!(context::to_value(), before);
}

#[test]
fn scopes_nest_and_inner_shadows_outer() {
    init();
    context::with([("a", 1), ("b", 1)], || {
        context::with([("a", 2)], || {
            assert_eq!(context::get("a"), Some(json!(2)));
            assert_eq!(context::get("b"), Some(json!(1)));
            context::with([("a", 3)], || assert_eq!(context::get("a"), Some(json!(3))));
            assert_eq!(context::get("a"), Some(json!(2)));
        });
        assert_eq!(context::get("a"), Some(json!(1)));
    });
    assert!(!context::contains("a"));
}

#[test]
fn overrides_accept_json_map_and_pairs() {
    init();
    let mut map = Map::new();
    map.insert("m".into(), json!(true));
    let forms: Vec<(Overrides, &str)> = vec![
        (json!({"k": 1}).into(), "k"),
        (map.into(), "m"),
        ([("p", 1)].into(), "p"),
        (vec![("v", "x")].into(), "v"),
        (("t", 2).into(), "t"),
        (Overrides::new().with("b", 3), "b"),
        ([("i", 4)].into_iter().collect(), "i"),
    ];
    for (overrides, key) in forms {
        assert!(context::with(overrides, || context::contains(key)), "{key}");
        assert!(!context::contains(key));
    }
    // Non-objects set nothing; a later pair wins.
    assert_eq!(context::with(json!(5), context::keys), context::keys());
    assert_eq!(
        context::with([("d", 1), ("d", 2)], || context::get("d")),
        Some(json!(2))
    );
}

#[test]
fn plain_keys_are_replaced_not_merged() {
    init();
    context::with(json!({"obj": {"a": 1, "b": 2}}), || {
        context::with(json!({"obj": {"a": 9}}), || {
            assert_eq!(context::get("obj"), Some(json!({"a": 9})));
        });
        assert_eq!(context::get("obj"), Some(json!({"a": 1, "b": 2})));
    });
    context::with(json!({"secrets": {"ONLY": "x"}}), || {
        assert_eq!(context::get("secrets"), Some(json!({"ONLY": "x"})));
    });
}

#[test]
fn a_panic_inside_with_leaves_the_parent_intact() {
    init();
    context::with([("parent", 1)], || {
        let before = context::to_value();
        let result = catch_unwind(AssertUnwindSafe(|| {
            context::with([("parent", 2), ("child", 2)], || {
                context::set("edited", true);
                panic!("boom");
            })
        }));
        assert!(result.is_err());
        assert_eq!(context::get("parent"), Some(json!(1)));
        assert!(!context::contains("child") && !context::contains("edited"));
        assert_eq!(context::to_value(), before);
        // The stack still works after the unwind.
        context::with([("parent", 3)], || {
            assert_eq!(context::get("parent"), Some(json!(3)))
        });
        assert_eq!(context::get("parent"), Some(json!(1)));
    });
}

#[test]
fn scope_guard_restores_on_drop() {
    init();
    let guard = context::scope([("g", 1)]);
    assert_eq!(context::get("g"), Some(json!(1)));
    drop(guard);
    assert_eq!(context::get("g"), None);
}

#[test]
fn dropping_an_outer_guard_first_ends_the_inner_scopes_too() {
    init();
    let base = context::to_value();
    let outer = context::scope([("x", 1)]);
    let middle = context::scope([("x", 2)]);
    let inner = context::scope([("x", 3)]);
    assert_eq!(inner.depth(), outer.depth().map(|d| d + 2));
    drop(middle);
    assert_eq!(
        context::get("x"),
        Some(json!(1)),
        "middle and inner are gone"
    );
    // A new scope at the depth the old inner had must not be popped by it.
    let fresh = context::scope([("x", 4)]);
    drop(inner);
    assert_eq!(context::get("x"), Some(json!(4)));
    drop(fresh);
    assert_eq!(context::get("x"), Some(json!(1)));
    drop(outer);
    assert_eq!(context::to_value(), base);
}

#[test]
fn a_forgotten_guard_leaves_a_scope_that_the_outer_guard_ends() {
    init();
    let outer = context::scope([("o", 1)]);
    std::mem::forget(context::scope([("leak", 1)]));
    assert!(context::contains("leak"));
    drop(outer);
    assert!(!context::contains("leak") && !context::contains("o"));
}

#[test]
fn reading_helpers() {
    init();
    context::with(
        json!({"n": 3, "tree": {"a": {"b": [1, 2]}}, "s": "x", "api_token": "canary-tok", "creds": {"password": "canary-pw"}}),
        || {
            assert_eq!(context::get_path("tree.a.b.0"), Some(json!(1)));
            assert_eq!(context::get_path("tree.a.missing"), None);
            assert_eq!(context::get_path("s.deeper"), None);
            assert_eq!(
                context::get_path("config.logging.level"),
                Some(json!("INFO"))
            );
            assert_eq!(context::get_as::<u8>("n").unwrap(), Some(3));
            assert_eq!(context::get_as::<u8>("nope").unwrap(), None);
            let err = context::get_as::<u8>("s").unwrap_err();
            assert_eq!(err.key(), Some("s"));
            assert!(err.to_string().contains("\"x\""), "{err}");
            // Sensitive context keys never show their value.
            let err = context::get_as::<u8>("api_token").unwrap_err();
            assert_eq!(err.key(), Some("api_token"));
            assert!(!err.to_string().contains("canary"), "{err}");
            #[derive(serde::Deserialize, Debug)]
            #[allow(dead_code)]
            struct Creds {
                password: u8,
            }
            let err = context::get_as::<Creds>("creds").unwrap_err();
            assert_eq!(err.key(), Some("creds.password"));
            assert!(!err.to_string().contains("canary"), "{err}");
            #[derive(serde::Deserialize, Debug)]
            struct Tree {
                #[allow(dead_code)]
                a: Value,
            }
            assert!(context::get_as::<Tree>("tree").unwrap().is_some());
            assert!(context::contains("n") && context::contains("config"));
            let keys = context::keys();
            assert_eq!(
                &keys[keys.len() - 5..],
                ["n", "tree", "s", "api_token", "creds"]
            );
            let all = context::to_value();
            assert_eq!(all["n"], 3);
            assert_eq!(all["region"], "eu");
        },
    );
}

/// Lookups skip frames by a one-bit summary of their keys; with 200 keys
/// many share a bit, and every lookup must still find the innermost value.
#[test]
fn lookups_agree_with_a_model_through_many_scopes_and_edits() {
    init();
    fn check(model: &std::collections::BTreeMap<String, i64>) {
        for i in 0..200 {
            let key = format!("key{i}");
            assert_eq!(
                context::get(&key),
                model.get(&key).map(|v| json!(v)),
                "{key}"
            );
        }
    }
    fn go(depth: i64, model: &mut std::collections::BTreeMap<String, i64>) {
        if depth == 20 {
            check(model);
            return;
        }
        let saved = model.clone();
        let keys: Vec<String> = (0..10)
            .map(|j| format!("key{}", (depth * 7 + j * 3) % 200))
            .collect();
        let pairs: Vec<(String, i64)> = keys.iter().map(|k| (k.clone(), depth)).collect();
        for (k, v) in &pairs {
            model.insert(k.clone(), *v);
        }
        context::with(pairs, || {
            check(model);
            // An edit inside the scope joins the innermost frame.
            let extra = format!("key{}", (depth * 13 + 1) % 200);
            context::set(extra.clone(), -depth);
            model.insert(extra, -depth);
            go(depth + 1, model);
        });
        *model = saved;
        check(model);
    }
    let mut model = std::collections::BTreeMap::new();
    go(0, &mut model);
}

#[test]
fn a_scope_never_sees_the_keys_of_an_ended_scope_whose_frame_it_reuses() {
    init();
    for round in 0..20 {
        context::with([("old", round)], || {
            context::set("edited", true);
        });
        let keys = context::with([("new", round)], context::keys);
        assert!(
            !keys.iter().any(|k| k == "old" || k == "edited"),
            "{keys:?}"
        );
        assert_eq!(keys.last().map(String::as_str), Some("new"));
        assert!(!context::contains("old"));
    }
}

#[test]
fn a_snapshot_keeps_its_scopes_through_out_of_order_drops_and_later_scopes() {
    init();
    let a = context::scope([("a", 1)]);
    let b = context::scope([("b", 2)]);
    let snap = context::snapshot(); // links (shares) the frames of `a` and `b`
    let c = context::scope([("c", 3)]); // owned again
    drop(a); // out of order: ends `b` and `c` too
    assert!(!context::contains("a") && !context::contains("b") && !context::contains("c"));
    drop(c);
    drop(b);
    context::with([("d", 4)], || {
        assert_eq!(context::get("d"), Some(json!(4)));
        assert!(!context::contains("b"));
        assert_eq!(snap.get("a"), Some(json!(1)));
        assert_eq!(snap.get("b"), Some(json!(2)));
        assert_eq!(snap.get("c"), None);
        assert_eq!(snap.get("d"), None);
    });
}

#[test]
fn an_edit_after_a_snapshot_changes_the_scope_not_the_snapshot() {
    init();
    context::with([("a", 1)], || {
        let snap = context::snapshot();
        context::set("a", 2);
        context::set("b", 3);
        assert_eq!(context::get("a"), Some(json!(2)));
        assert_eq!(snap.get("a"), Some(json!(1)));
        assert_eq!(snap.get("b"), None);
        // A scope opened now sees the edited frame below it.
        context::with([("c", 4)], || {
            let inner = context::snapshot();
            assert_eq!(inner.get("a"), Some(json!(2)));
            assert_eq!(inner.get("b"), Some(json!(3)));
        });
    });
}

#[test]
fn get_returns_every_kind_of_value_whole() {
    init();
    let values = json!({
        "null": null, "yes": true, "int": -3, "big": u64::MAX, "float": 1.5,
        "text": "t", "list": [1, "a"], "table": {"x": {"y": 1}}
    });
    context::with(values.clone(), || {
        for (key, value) in values.as_object().unwrap() {
            assert_eq!(context::get(key).as_ref(), Some(value), "{key}");
        }
    });
}

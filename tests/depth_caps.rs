//! The depth cap (`MAX_DEPTH`) at every public entry point that takes a
//! value: within it a value is kept and reads back equal; beyond it the
//! fallible entry point is a typed error, the infallible one sets nothing,
//! and nothing overflows the stack (every check runs on a thread with a
//! 2 MiB stack, the default for spawned threads).

mod common;

use std::future::Future;
use std::task::{Context, Poll, Waker};

use figment::value::{Dict, Map as FigMap, Value as FigValue};
use figment::{Metadata, Profile, Provider};
use prefect_config::config::{ConfigError, Loader, MAX_DEPTH};
use prefect_config::context::{self, Overrides};
use prefect_config::secrets::{self, Secret};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// How values nest: one choice per level, array (`false`) or object (`true`).
fn nested(shape: &[bool]) -> Value {
    shape.iter().fold(json!("leaf"), |inner, &object| {
        if object {
            let mut map = Map::new();
            map.insert("k".into(), inner);
            Value::Object(map)
        } else {
            Value::Array(vec![json!(0), inner])
        }
    })
}

/// `{key: value}`, built without `json!`, whose `to_value` recurses.
fn obj(key: &str, value: Value) -> Value {
    let mut map = Map::new();
    map.insert(key.into(), value);
    Value::Object(map)
}

/// The value's depth: the levels that enclose its leaf.
fn shape_of(depth: usize, seed: u64) -> Vec<bool> {
    (0..depth).map(|i| (seed >> (i % 64)) & 1 == 1).collect()
}

/// Drops a deep value without recursing (serde_json's drop would overflow).
fn drop_deep(value: Value) {
    let mut pending = vec![value];
    while let Some(item) = pending.pop() {
        match item {
            Value::Array(items) => pending.extend(items),
            Value::Object(map) => pending.extend(map.into_iter().map(|(_, v)| v)),
            _ => {}
        }
    }
}

/// Runs `f` on a thread with a 2 MiB stack; a stack overflow aborts the
/// whole test binary, which fails the run.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap();
}

fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = Box::pin(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

fn is_too_deep(err: &ConfigError, key: &str) -> bool {
    matches!(
        err,
        ConfigError::ValueTooDeep {
            limit: MAX_DEPTH,
            ..
        }
    ) && err.key() == Some(key)
}

/// The context entry points with a value of `depth` levels.
fn check_context(depth: usize, seed: u64) {
    let shape = shape_of(depth, seed);
    let within = depth <= MAX_DEPTH;
    let fresh = || nested(&shape);

    // `try_set` and `set`.
    context::with(json!({}), || {
        let result = context::try_set("k", fresh());
        assert_eq!(result.is_ok(), within, "try_set at depth {depth}");
        if let Err(err) = &result {
            assert!(is_too_deep(err, "k"), "{err}");
        }
        context::set("j", fresh());
        let (k, j) = (context::get("k"), context::get("j"));
        if within {
            assert_eq!(k.as_ref(), Some(&fresh()));
            assert_eq!(j.as_ref(), Some(&fresh()));
        } else {
            assert_eq!((k, j), (None, None));
        }
        // Printing what is there never walks an over-deep value.
        let _ = context::snapshot().to_string();
        let _ = format!("{:?}", context::snapshot());
    });

    // `try_with`, `with`, `try_scope`, `scope`, and `Overrides::check`.
    let got = context::try_with([("k", fresh())], || context::get("k"));
    match got {
        Ok(value) => {
            assert!(within);
            assert_eq!(value, Some(fresh()));
        }
        Err(err) => assert!(!within && is_too_deep(&err, "k"), "{err}"),
    }
    let seen = context::with(Overrides::new().with("a", 1).with("k", fresh()), || {
        (
            context::get("a"),
            context::get("k"),
            context::snapshot().to_string(),
        )
    });
    assert_eq!(seen.0, Some(json!(1)));
    assert_eq!(seen.1.is_some(), within);
    assert_eq!(context::try_scope(obj("k", fresh())).is_ok(), within);
    assert_eq!(
        Overrides::from(vec![("k", fresh())]).check().is_ok(),
        within
    );

    // `try_with_async`, `with_async`, a snapshot's `attach_async`.
    let fut = context::try_with_async([("k", fresh())], async { context::get("k") });
    match fut {
        Ok(fut) => assert_eq!(block_on(fut), Some(fresh())),
        Err(err) => assert!(!within && is_too_deep(&err, "k"), "{err}"),
    }
    let got = block_on(context::with_async([("k", fresh())], async {
        context::get("k")
    }));
    assert_eq!(got.is_some(), within);
    let snapshot = context::snapshot();
    let got = block_on(snapshot.attach_async([("k", fresh())], async { context::get("k") }));
    assert_eq!(got.is_some(), within);

    // `update`, `setdefault`, and a `config` patch.
    context::with(json!({}), || {
        context::update(obj("k", fresh()));
        assert_eq!(context::get("k").is_some(), within);
        let _ = context::setdefault("d", fresh());
        assert_eq!(context::get("d").is_some(), within);
        context::set("config", obj("deep", fresh()));
        let config = context::config();
        assert_eq!(
            config.get("deep").is_some(),
            depth < MAX_DEPTH,
            "config patch {depth}"
        );
    });
}

/// `Config::with_overrides` / `try_with_overrides`.
fn check_overrides(depth: usize, seed: u64) {
    let cfg = Loader::new().defaults_toml("a = 1").load().unwrap();
    let mut overrides = obj("a", json!(2));
    overrides["k"] = nested(&shape_of(depth, seed));
    let within = depth <= MAX_DEPTH;
    match cfg.try_with_overrides(&overrides) {
        Ok(over) => {
            assert!(within);
            assert_eq!(over.get("k"), overrides.get("k"));
        }
        Err(err) => assert!(!within && is_too_deep(&err, "k"), "{err}"),
    }
    let over = cfg.with_overrides(&overrides);
    assert_eq!(over.get("a"), Some(&json!(2)));
    assert_eq!(over.get("k").is_some(), within);
    let _ = format!("{over:?}");
    drop_deep(overrides);
}

/// `secrets::local()` edits, then `Secret::get`.
fn check_local_secrets(depth: usize, seed: u64) {
    let shape = shape_of(depth, seed);
    // A secret sits inside `secrets`, one level down.
    let within = depth < MAX_DEPTH;
    context::with(json!({}), || {
        let result = secrets::local().try_insert("S", nested(&shape));
        match &result {
            Ok(()) => assert!(within),
            Err(err) => assert!(!within && is_too_deep(err, "secrets.S"), "{err}"),
        }
        secrets::local().insert("T", nested(&shape));
        for name in ["S", "T"] {
            match Secret::new(name).get() {
                Ok(value) => {
                    assert!(within);
                    assert_eq!(value, nested(&shape));
                }
                Err(_) => assert!(!within, "{name} at depth {depth}"),
            }
        }
    });
}

/// A provider whose data nests `depth` levels under `k`, built without
/// recursion.
struct DeepProvider(Vec<bool>);

impl Provider for DeepProvider {
    fn metadata(&self) -> Metadata {
        Metadata::named("deep provider")
    }

    fn data(&self) -> Result<FigMap<Profile, Dict>, figment::Error> {
        let value = self
            .0
            .iter()
            .fold(FigValue::from("leaf"), |inner, &object| {
                if object {
                    let mut dict = Dict::new();
                    dict.insert("k".into(), inner);
                    FigValue::from(dict)
                } else {
                    FigValue::from(vec![FigValue::from(0), inner])
                }
            });
        let mut dict = Dict::new();
        dict.insert("k".into(), value);
        let mut map = FigMap::new();
        map.insert(Profile::Default, dict);
        Ok(map)
    }
}

fn check_provider(depth: usize, seed: u64) {
    let shape = shape_of(depth, seed);
    let result = Loader::new()
        .defaults_toml("")
        .provider(DeepProvider(shape.clone()))
        .load();
    match result {
        Ok(cfg) => {
            assert!(depth <= MAX_DEPTH);
            let got = cfg.get("k").cloned().unwrap();
            // Objects from a provider become tables: compare as JSON.
            assert_eq!(got, nested(&shape));
        }
        Err(err) => assert!(depth > MAX_DEPTH && is_too_deep(&err, "k"), "{err}"),
    }
}

/// `Secret::get` decodes JSON text only within the cap; deeper text stays
/// text (serde_json itself stops at 128 levels).
fn check_json_decoding(depth: usize) {
    let text = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
    context::with(json!({"secrets": {"J": text.clone()}}), || {
        let got = Secret::new("J").get().unwrap();
        if depth <= MAX_DEPTH {
            assert!(got.is_array() || depth == 0, "depth {depth}: {got}");
        } else {
            assert_eq!(got, json!(text));
        }
    });
}

fn check_all(depth: usize, seed: u64) {
    on_small_stack(move || {
        common::context::init();
        check_context(depth, seed);
        check_overrides(depth, seed);
        check_local_secrets(depth, seed);
        check_provider(depth, seed);
        if depth < 1000 {
            check_json_decoding(depth);
        }
    });
}

#[test]
fn values_nested_fifty_thousand_deep_are_refused_at_every_entry_point() {
    // Each of these aborted the process with a stack overflow before.
    check_all(50_000, 0x5555_5555_5555_5555);
    check_all(50_000, 0);
}

#[test]
fn the_cap_is_exact() {
    for depth in [MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1] {
        check_all(depth, 0xdead_beef);
    }
}

/// Depths around the cap and far beyond it.
fn depths() -> impl Strategy<Value = usize> {
    prop_oneof![
        3 => (MAX_DEPTH - 3)..=(MAX_DEPTH + 3),
        1 => 0..MAX_DEPTH,
        1 => (MAX_DEPTH + 4)..20_000usize,
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn nested_values_at_every_entry_point_are_kept_or_refused_never_a_crash(
        depth in depths(),
        seed in any::<u64>(),
    ) {
        check_all(depth, seed);
    }
}

#[test]
fn the_generator_hits_both_sides_of_the_cap_and_far_beyond() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let (mut at, mut over, mut far, mut mixed) = (0, 0, 0, 0);
    for _ in 0..40 {
        let depth = depths().new_tree(&mut runner).unwrap().current();
        let seed = any::<u64>().new_tree(&mut runner).unwrap().current();
        at += usize::from(depth == MAX_DEPTH);
        over += usize::from(depth == MAX_DEPTH + 1);
        far += usize::from(depth > 1000);
        let shape = shape_of(depth.min(64), seed);
        mixed += usize::from(shape.contains(&true) && shape.contains(&false));
    }
    assert!(
        at >= 2 && over >= 2 && far >= 2 && mixed >= 20,
        "{at} {over} {far} {mixed}"
    );
}

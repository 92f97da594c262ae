//! Hot paths of the scoped context.
//!
//! Targets (issue 12):
//! - enter + exit of a one-key scope given as `[("a", 1)]`: ≤ 40 ns; given as
//!   `json!({"a": 1})`: ≤ building and dropping that value alone + 40 ns (the
//!   three are in the `scope` group, so they are measured side by side);
//! - ten nested one-key scopes entered, one `get`, all exited: ≤ 500 ns;
//! - `get` of a present key at depth 10 and of a missing key: ≤ 15 ns;
//! - `config()` with no config override in scope: ≤ 20 ns.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use prefect_config::config::Loader;
use prefect_config::context;
use serde_json::{Value, json};

fn install() {
    let config = Loader::new()
        .embedded_defaults()
        .env_prefix("PREFECT")
        .env_vars([
            ("HOME", "/home/bench"),
            // A base context key (a number), for `get/base key, no scope`.
            ("PREFECT__CONTEXT__ATTEMPT", "3"),
        ])
        .load()
        .expect("embedded defaults load");
    let _ = prefect_config::set_global(config);
    assert_eq!(context::get("attempt"), Some(json!(3)));
}

const KEYS: [&str; 10] = ["k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9"];

/// Ten nested `with` scopes of one pair each, then `get("k0")` (set by the
/// outermost, so the lookup walks every frame).
fn nested_pairs(depth: usize) -> Option<Value> {
    if depth == KEYS.len() {
        return context::get(black_box("k0"));
    }
    context::with([(KEYS[depth], depth as u64)], || nested_pairs(depth + 1))
}

/// The same with each scope's overrides built by `json!`.
fn nested_json(depth: usize) -> Option<Value> {
    if depth == KEYS.len() {
        return context::get(black_box("k0"));
    }
    context::with(json!({ KEYS[depth]: depth }), || nested_json(depth + 1))
}

/// Runs `f` inside ten nested one-key scopes (`k0` outermost, `k9` innermost).
fn inside_ten<R>(f: impl FnOnce() -> R) -> R {
    fn go<R>(depth: usize, f: impl FnOnce() -> R) -> R {
        if depth == KEYS.len() {
            return f();
        }
        context::with([(KEYS[depth], depth as u64)], || go(depth + 1, f))
    }
    go(0, f)
}

fn scope(c: &mut Criterion) {
    let mut g = c.benchmark_group("scope");
    g.warm_up_time(Duration::from_secs(1));
    g.measurement_time(Duration::from_secs(3));
    g.bench_function("with [(\"a\", 1)] enter+exit", |b| {
        b.iter(|| context::with([("a", 1)], || black_box(())))
    });
    g.bench_function("with json!({\"a\": 1}) enter+exit", |b| {
        b.iter(|| context::with(json!({"a": 1}), || black_box(())))
    });
    g.bench_function("json!({\"a\": 1}) build+drop alone", |b| {
        b.iter(|| drop(black_box(json!({"a": 1}))))
    });
    g.bench_function("scope guard [(\"a\", 1)] enter+exit", |b| {
        b.iter(|| drop(black_box(context::scope([("a", 1)]))))
    });
    g.bench_function("snapshot + attach", |b| {
        b.iter(|| context::snapshot().attach(|| black_box(())))
    });
    g.finish();
}

fn nested(c: &mut Criterion) {
    let mut g = c.benchmark_group("nested");
    g.warm_up_time(Duration::from_secs(1));
    g.measurement_time(Duration::from_secs(3));
    g.bench_function("10 pair scopes + get + exit", |b| {
        b.iter(|| nested_pairs(0))
    });
    g.bench_function("10 json! scopes + get + exit", |b| {
        b.iter(|| nested_json(0))
    });
    g.finish();
}

#[inline(never)]
fn copy_out(value: &Value) -> Option<Value> {
    Some(value.clone())
}

fn get(c: &mut Criterion) {
    let mut g = c.benchmark_group("get");
    g.warm_up_time(Duration::from_secs(1));
    g.measurement_time(Duration::from_secs(3));
    // For comparison: a plain `Some(value.clone())` of a number returned
    // from a function (built in a temporary and copied out).
    let number = json!(0);
    g.bench_function("reference: Some(number.clone()) out of a function", |b| {
        b.iter(|| copy_out(black_box(&number)))
    });
    let text = json!("a short string");
    g.bench_function("reference: Some(string.clone()) out of a function", |b| {
        b.iter(|| copy_out(black_box(&text)))
    });
    g.bench_function("base key, no scope", |b| {
        b.iter(|| context::get(black_box("attempt")))
    });
    inside_ten(|| {
        g.bench_function("depth 10, key of the innermost", |b| {
            b.iter(|| context::get(black_box("k9")))
        });
        g.bench_function("depth 10, key of the outermost", |b| {
            b.iter(|| context::get(black_box("k0")))
        });
        g.bench_function("depth 10, missing key", |b| {
            b.iter(|| context::get(black_box("nope")))
        });
        context::with([("text", "a short string")], || {
            g.bench_function("depth 11, a string (allocates)", |b| {
                b.iter(|| context::get(black_box("text")))
            });
        });
    });
    g.finish();
}

fn config(c: &mut Criterion) {
    let mut g = c.benchmark_group("config");
    g.warm_up_time(Duration::from_secs(1));
    g.measurement_time(Duration::from_secs(3));
    g.bench_function("config() no scope", |b| b.iter(context::config));
    inside_ten(|| {
        g.bench_function("config() in 10 scopes, no override", |b| {
            b.iter(context::config)
        });
    });
    context::with(json!({"config": {"logging": {"level": "DEBUG"}}}), || {
        let _first = context::config();
        g.bench_function("config() in an overriding scope, after the first", |b| {
            b.iter(context::config)
        });
    });
    g.bench_function("with config override + first config() (merge)", |b| {
        b.iter(|| {
            context::with(
                json!({"config": {"logging": {"level": "DEBUG"}}}),
                context::config,
            )
        })
    });
    g.finish();
}

fn all(c: &mut Criterion) {
    install();
    scope(c);
    nested(c);
    get(c);
    config(c);
}

criterion_group!(context_benches, all);
criterion_main!(context_benches);

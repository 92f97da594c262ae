//! Hot paths of the scoped context.
//!
//! Targets: enter+exit of a one-key scope < 100 ns; `get` at the innermost
//! of 10 nested scopes < 50 ns; `config()` < 50 ns with no config override
//! in scope, and no slower inside one after its first call.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use prefect_config::config::Loader;
use prefect_config::context;
use serde_json::json;

fn install() {
    let config = Loader::new()
        .embedded_defaults()
        .env_vars([("HOME", "/home/bench")])
        .load()
        .expect("embedded defaults load");
    let _ = prefect_config::set_global(config);
}

/// Runs `f` inside ten nested one-key scopes; the outermost sets `outer`.
fn nested10<R>(f: impl FnOnce() -> R) -> R {
    let guards: Vec<_> = (0..10)
        .map(|i| {
            if i == 0 {
                context::scope([("outer", 0)])
            } else {
                context::scope([(format!("k{i}"), i)])
            }
        })
        .collect();
    let out = f();
    drop(guards.into_iter().rev().collect::<Vec<_>>());
    out
}

fn benches(c: &mut Criterion) {
    install();
    let mut g = c.benchmark_group("context");
    g.bench_function("with one key (enter+exit)", |b| {
        b.iter(|| context::with([("a", 1)], || black_box(())))
    });
    g.bench_function("scope guard one key (enter+exit)", |b| {
        b.iter(|| drop(black_box(context::scope([("a", 1)]))))
    });
    g.bench_function("get base key, no scope", |b| {
        b.iter(|| context::get(black_box("region")))
    });
    nested10(|| {
        g.bench_function("get innermost key in 10 nested scopes", |b| {
            b.iter(|| context::get(black_box("k9")))
        });
        g.bench_function("get outermost key in 10 nested scopes", |b| {
            b.iter(|| context::get(black_box("outer")))
        });
        g.bench_function("get missing key through 10 scopes + base", |b| {
            b.iter(|| context::get(black_box("nope")))
        });
        g.bench_function("config() in 10 scopes, no config override", |b| {
            b.iter(context::config)
        });
    });
    g.bench_function("config() no scope", |b| b.iter(context::config));
    context::with(json!({"config": {"logging": {"level": "DEBUG"}}}), || {
        let _first = context::config();
        g.bench_function(
            "config() in config-overriding scope (after first call)",
            |b| b.iter(context::config),
        );
    });
    g.bench_function("with config override + first config() (merge)", |b| {
        b.iter(|| {
            context::with(
                json!({"config": {"logging": {"level": "DEBUG"}}}),
                context::config,
            )
        })
    });
    g.bench_function("snapshot + attach on same thread", |b| {
        b.iter(|| context::snapshot().attach(|| black_box(())))
    });
    g.finish();
}

criterion_group!(context_benches, benches);
criterion_main!(context_benches);

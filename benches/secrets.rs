//! `Secret::get` of a local 100-byte JSON secret (target: under 1 µs).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use prefect_config::config::Loader;
use prefect_config::context;
use prefect_config::secrets::Secret;
use serde_json::json;

fn local_get(c: &mut Criterion) {
    // A 100-byte JSON object, stored as text as Prefect stores it.
    let shape = |host: &str| {
        json!({"user": "service-account", "password": "correct-horse-battery-staple", "host": host})
            .to_string()
    };
    let secret = shape(&"h".repeat(100 - shape("").len()));
    assert_eq!(secret.len(), 100, "{secret}");
    let config = Loader::new()
        .embedded_defaults()
        .env_prefix("PREFECT")
        .env_vars([
            ("HOME", "/home/bench"),
            ("PREFECT__CONTEXT__SECRETS__OTHER", "x"),
        ])
        .load()
        .expect("config loads");
    prefect_config::set_global(config).ok();

    let name = Secret::new("DB");
    context::with(json!({"secrets": {"DB": secret}}), || {
        assert!(name.get().expect("secret").is_object());
        c.bench_function("secrets/local_get_100_byte_json", |b| {
            b.iter(|| black_box(name.get()))
        });
        c.bench_function("secrets/exists", |b| b.iter(|| black_box(name.exists())));
    });
    c.bench_function("secrets/local_not_found", |b| {
        b.iter(|| black_box(name.get()))
    });
}

criterion_group!(benches, local_get);
criterion_main!(benches);

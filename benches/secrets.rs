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

    // Numbers decoded from text: correctly rounded floats and exact integers
    // cost more than the strings above.
    let numbers: Vec<f64> = (1..=50).map(|i| f64::from(i) * 1.1e-3 + 1e7).collect();
    let numbers = json!({"floats": numbers, "ints": (0..50).map(|i| i * 987_654_321_u64).collect::<Vec<_>>()})
        .to_string();

    let name = Secret::new("DB");
    let numeric = Secret::new("NUMBERS");
    context::with(
        json!({"secrets": {"DB": secret, "NUMBERS": numbers}}),
        || {
            assert!(name.get().expect("secret").is_object());
            assert!(numeric.get().expect("secret").is_object());
            c.bench_function("secrets/local_get_100_byte_json", |b| {
                b.iter(|| black_box(name.get()))
            });
            c.bench_function("secrets/local_get_100_numbers", |b| {
                b.iter(|| black_box(numeric.get()))
            });
            c.bench_function("secrets/exists", |b| b.iter(|| black_box(name.exists())));
        },
    );
    c.bench_function("secrets/local_not_found", |b| {
        b.iter(|| black_box(name.get()))
    });
}

criterion_group!(benches, local_get);
criterion_main!(benches);

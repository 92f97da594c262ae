//! Loading benchmarks.
//!
//! (a) the standard layers: embedded defaults, a 20-key user file and 50
//!     `PREFECT__` variables (target: under 300 µs);
//! (b) generated configurations of 10,000 and 20,000 keys in tables of 100
//!     keys, a tenth of them `${...}` references in chains of depth 5
//!     (target: 20,000 keys cost at most 2.3 × 10,000 keys).

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use prefect_config::config::Loader;

fn standard_layers(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let user = dir.path().join("config.toml");
    let mut text = String::from("[server]\n");
    for i in 0..10 {
        writeln!(text, "user_key_{i} = \"value {i}\"").ok();
    }
    text.push_str("[logging]\nlevel = \"DEBUG\"\n[user.extra]\n");
    for i in 0..9 {
        writeln!(text, "k{i} = \"{i}\"").ok();
    }
    std::fs::write(&user, text).expect("write user file");

    let mut env = vec![("HOME".to_owned(), "/home/bench".to_owned())];
    for i in 0..25 {
        env.push((format!("PREFECT__BENCH__KEY_{i}"), format!("{i}")));
        env.push((
            format!("PREFECT__CONTEXT__SECRETS__Secret{i}"),
            format!("{{\"token\": \"t{i}\"}}"),
        ));
    }
    let loader = Loader::prefect().user_file(&user).env_vars(env);
    c.bench_function("load/standard_layers", |b| {
        b.iter(|| black_box(loader.load().expect("load")))
    });
}

/// `keys` keys in tables of 100; every tenth value references the previous
/// reference in its chain, chains being 5 long.
fn generated(keys: usize) -> String {
    let mut text = String::new();
    let mut reference = 0usize;
    for table in 0..keys / 100 {
        writeln!(text, "[t{table}]").ok();
        for key in 0..100 {
            if key % 10 == 9 {
                let depth = reference % 5;
                let target = if depth == 0 {
                    format!("t{table}.k0")
                } else {
                    format!("t{table}.k{}", key - 10)
                };
                writeln!(text, "k{key} = \"${{{target}}}/{depth}\"").ok();
                reference += 1;
            } else {
                writeln!(text, "k{key} = \"{key}\"").ok();
            }
        }
    }
    text
}

fn large(c: &mut Criterion) {
    let mut group = c.benchmark_group("load/generated");
    group.sample_size(20);
    for keys in [10_000, 20_000] {
        let loader = Loader::new()
            .defaults_toml(generated(keys))
            .env_vars([("HOME", "/h")]);
        let cfg = loader.load().expect("generated config loads");
        assert_eq!(cfg.leaves().count(), keys);
        group.bench_function(format!("{keys}_keys"), |b| {
            b.iter(|| black_box(loader.load().expect("load")))
        });
    }
    group.finish();
}

criterion_group!(benches, standard_layers, large);
criterion_main!(benches);

//! Loading benchmarks.
//!
//! (a) Prefect's defaults *file*, a 20-key user file and 50 `PREFECT__`
//!     variables (target: ≤ 120 µs; Prefect 0.15: ~5.8 ms), loaded again as
//!     a program does (the files' parses come from the parse cache), and
//!     cold (a defaults text never seen before); `Loader::prefect()` on the
//!     embedded defaults alone (target: ≤ 80 µs);
//! (b) generated configurations of 10,000 and 20,000 keys in tables of 100
//!     keys, 1,000 of the 10,000 `${...}` references in chains of 5
//!     (target: ≤ 8 ms; 20,000 keys cost at most 2.2 × 10,000 keys);
//! (c) `Config::get` of a key at depth 3 (target: under 50 ns);
//! (d) `string_to_type` on a mix of Python literals (the literal parser).

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use prefect_config::config::{Loader, string_to_type};

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
    let defaults = dir.path().join("defaults.toml");
    std::fs::write(&defaults, prefect_config::config::EMBEDDED_DEFAULTS).expect("write defaults");
    let env_for_cold = env.clone();
    let loader = Loader::prefect()
        .defaults_file(&defaults)
        .user_file(&user)
        .env_vars(env);
    c.bench_function("load/defaults_file_user_env", |b| {
        b.iter(|| black_box(loader.load().expect("load")))
    });

    // The same layers with a defaults text never seen before each time: the
    // parse cache misses, so this is a cold load.
    let mut round = 0u64;
    c.bench_function("load/defaults_uncached_user_env", |b| {
        b.iter_batched(
            || {
                round += 1;
                Loader::prefect()
                    .defaults_toml(format!(
                        "{}\n# {round}\n",
                        prefect_config::config::EMBEDDED_DEFAULTS
                    ))
                    .user_file(&user)
                    .env_vars(env_for_cold.clone())
            },
            |loader| black_box(loader.load().expect("load")),
            criterion::BatchSize::SmallInput,
        )
    });

    let embedded = Loader::prefect().env_vars([("HOME", "/home/bench")]);
    c.bench_function("load/embedded_defaults", |b| {
        b.iter(|| black_box(embedded.load().expect("load")))
    });

    let cfg = loader.load().expect("load");
    c.bench_function("config/get_depth_3", |b| {
        b.iter(|| black_box(cfg.get(black_box("server.database.host"))))
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

/// Texts that reach the literal parser, as configuration values hold them.
const LITERALS: &[&str] = &[
    "{\"token\": \"t1\"}",
    "['a', 'b', 'c']",
    "1.5",
    "0x10",
    "'quoted'",
    "{'k': [1, None, True], 'é': (1, 2)}",
    "[%(asctime)s] %(levelname)s - %(name)s | %(message)s",
    "\"\"\"a longer string value with an escape\\n in it\"\"\"",
];

fn literals(c: &mut Criterion) {
    c.bench_function("cast/python_literals", |b| {
        b.iter(|| {
            for text in LITERALS {
                black_box(string_to_type(black_box(text)));
            }
        })
    });
}

criterion_group!(benches, standard_layers, large, literals);
criterion_main!(benches);

//! Hostile and large inputs (issue targets in brackets):
//! - 100,000 keys in a user file [≤ 150 ms]; 30,000 `PREFECT__` variables
//!   [≤ 60 ms]; 10,000 misspelt variables, each one edit from one of 10,000
//!   keys [≤ 100 ms];
//! - each blow-up input fails with its `ConfigError` [≤ 50 ms each; those
//!   of issue 19, whole-value copies, dense arrays, a full secrets
//!   directory, ≤ 200 ms];
//! - exporting 20,000 keys one by one as the CLI's `env` does [≤ 50 ms]; a
//!   missing key's "did you mean" among 100,000 keys [≤ 100 ms]; 300,000
//!   nested `${` [≤ 100 ms]; a 60 KB variable name beside a 70-key table.

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use prefect_config::config::{Loader, env_var_key};

fn scale(c: &mut Criterion) {
    let mut group = c.benchmark_group("scale");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(3));

    let dir = tempfile::tempdir().expect("temp dir");
    let user = dir.path().join("config.toml");
    let mut text = String::new();
    for table in 0..1_000 {
        writeln!(text, "[user_t{table}]").ok();
        for key in 0..100 {
            writeln!(text, "k{key} = \"{key}\"").ok();
        }
    }
    std::fs::write(&user, text).expect("write user file");
    let loader = Loader::new().embedded_defaults().user_file(&user);
    group.bench_function("user_file_100000_keys", |b| {
        b.iter(|| black_box(loader.load().expect("load")))
    });

    let vars: Vec<(String, String)> = (0..30_000)
        .map(|i| (format!("PREFECT__K{i}"), i.to_string()))
        .collect();
    let loader = Loader::new()
        .embedded_defaults()
        .env_prefix("PREFECT")
        .env_vars(vars);
    group.bench_function("variables_30000", |b| {
        b.iter(|| black_box(loader.load().expect("load")))
    });

    let mut defaults = String::from("[t]\n");
    for i in 0..10_000 {
        writeln!(defaults, "key{i:05} = 1").ok();
    }
    let vars: Vec<(String, String)> = (0..10_000)
        .map(|i| (format!("PREFECT__T__KEY{i:05}X"), "2".to_owned()))
        .collect();
    let loader = Loader::new()
        .defaults_toml(defaults)
        .env_prefix("PREFECT")
        .env_vars(vars);
    group.bench_function("misspelt_variables_10000", |b| {
        b.iter(|| black_box(loader.load().expect("load")))
    });

    // What `prefect-config env` does for each key: its variable, and the
    // name read back to check that it travels.
    let cfg = Loader::new()
        .defaults_toml(tables_of_keys(20_000))
        .load()
        .expect("load");
    group.bench_function("env_export_20000_keys", |b| {
        b.iter(|| {
            let mut travels = 0usize;
            for (key, value, _) in cfg.leaves() {
                if let Some((name, text)) = cfg.to_environment_variable(&key, "PREFECT") {
                    let back = env_var_key("PREFECT", &name);
                    travels += usize::from(
                        back.as_deref() == Some(key.as_str()) && cfg.get(&key) == Some(value),
                    );
                    black_box(text);
                }
            }
            assert_eq!(travels, 20_000);
        })
    });

    let cfg = Loader::new()
        .defaults_toml(tables_of_keys(100_000))
        .load()
        .expect("load");
    group.bench_function("missing_key_did_you_mean_100000_keys", |b| {
        b.iter(|| {
            assert!(cfg.get("nope").is_none());
            black_box(cfg.suggest_keys("nope"))
        })
    });

    let mut defaults = String::from("[t]\n");
    for i in 0..70 {
        writeln!(defaults, "key_{i} = 1").ok();
    }
    let loader = Loader::new()
        .defaults_toml(defaults)
        .env_prefix("PREFECT")
        .env_vars([(format!("PREFECT__T__{}", "X".repeat(60_000)), "1")]);
    group.bench_function("long_variable_name_60kb", |b| {
        b.iter(|| black_box(loader.load().expect("load")))
    });
    group.finish();
}

/// `n` keys in tables of 100, as TOML.
fn tables_of_keys(n: usize) -> String {
    let mut text = String::new();
    for i in 0..n {
        if i % 100 == 0 {
            writeln!(text, "[t{}]", i / 100).ok();
        }
        writeln!(text, "key_{i} = \"v{i}\"").ok();
    }
    text
}

fn blow_ups(c: &mut Criterion) {
    let mut group = c.benchmark_group("blow_up");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(2));
    let mut inputs: Vec<(&str, Loader)> = Vec::new();

    let mut doubling = String::new();
    for i in 0..30 {
        writeln!(doubling, "a{i} = \"${{a{n}}}${{a{n}}}\"", n = i + 1).ok();
    }
    doubling.push_str("a30 = \"xxxxxxxx\"\n");
    inputs.push(("doubling_references", Loader::new().defaults_toml(doubling)));

    inputs.push((
        "multiplying_expansion",
        Loader::new().env_prefix("PREFECT").env_vars([
            ("A".to_owned(), "$A".repeat(16)),
            ("PREFECT__X".to_owned(), "$A".to_owned()),
        ]),
    ));

    inputs.push((
        "huge_value",
        Loader::new()
            .env_prefix("PREFECT")
            .env_vars([("PREFECT__X", format!("1{}", "0".repeat(10 << 20)))]),
    ));

    inputs.push((
        "megabyte_reference_repeated",
        Loader::new().defaults_toml(format!(
            "y = '{}'\nx = '{}'\n",
            "v".repeat(1_000_000),
            "${y}".repeat(200)
        )),
    ));

    let mut chain = String::new();
    for i in 0..40_000 {
        writeln!(chain, "k{i} = \"x${{k{}}}\"", i + 1).ok();
    }
    chain.push_str("k40000 = \"end\"\n");
    inputs.push(("quadratic_chain", Loader::new().defaults_toml(chain)));

    let mut array = String::from("a = [");
    for i in 1..=100_000 {
        write!(array, "{i}, ").ok();
    }
    array.push_str("]\n");
    let mut copies = array.clone();
    for i in 0..200 {
        writeln!(copies, "b_{i} = \"${{a}}\"").ok();
    }
    inputs.push((
        "whole_value_array_copies",
        Loader::new().defaults_toml(copies),
    ));
    inputs.push((
        "whole_value_array_copies_by_variables",
        Loader::new()
            .defaults_toml(array)
            .env_prefix("PREFECT")
            .env_vars((0..100).map(|i| (format!("PREFECT__B_{i}"), "${a}"))),
    ));

    let mut dense = String::new();
    for i in 0..8 {
        writeln!(dense, "v{i} = [{}]", "1,".repeat(((1 << 20) - 16) / 2)).ok();
    }
    inputs.push(("eight_dense_arrays", Loader::new().defaults_toml(dense)));

    let secrets = tempfile::tempdir().expect("temp dir");
    let secret = "s".repeat(64 * 1024);
    for i in 0..4_000 {
        std::fs::write(secrets.path().join(format!("S{i}")), &secret).expect("write secret");
    }
    inputs.push((
        "secrets_dir_4000_files_of_64k",
        Loader::new().defaults_toml("").secrets_dir(secrets.path()),
    ));

    for (name, loader) in &inputs {
        assert!(loader.load().is_err(), "{name} must fail");
        group.bench_function(*name, |b| b.iter(|| black_box(loader.load().is_err())));
    }

    let mut slow: Vec<(&str, Loader)> = Vec::new();
    slow.push((
        "unclosed_references_200k",
        Loader::new().defaults_toml(format!("x = \"{}\"\n", "${".repeat(200_000))),
    ));
    slow.push((
        "comment_lines_50k",
        Loader::new().defaults_toml(format!("x = '''1 #c\n{}'''\n", " #c\n".repeat(50_000))),
    ));
    slow.push((
        "broken_then_real_references",
        Loader::new().defaults_toml(format!(
            "y = 'v'\nx = \"\"\"{}{}\"\"\"\n",
            "${\n".repeat(20_000),
            "${y}".repeat(9_000)
        )),
    ));
    slow.push((
        "nested_references_300k",
        Loader::new().defaults_toml(format!(
            "x = \"{}a{}\"\n",
            "${".repeat(300_000),
            "}".repeat(300_000)
        )),
    ));
    for (name, loader) in &slow {
        assert!(loader.load().is_ok(), "{name} must load");
        group.bench_function(*name, |b| b.iter(|| black_box(loader.load().is_ok())));
    }
    group.finish();
}

criterion_group!(benches, scale, blow_ups);
criterion_main!(benches);

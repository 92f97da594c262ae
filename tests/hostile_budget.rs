//! The one byte budget of a load (issue 19): each input that made a load
//! hold gigabytes now fails with `TreeTooLarge` (or loads) within 64 MB
//! plus four times its size, measured with a counting allocator; the passes
//! that were quadratic in a name's length or a nesting's depth cost little.
//! Times are in `benches/hostile.rs`.

mod common;
#[path = "common/counting.rs"]
mod counting;

use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};

use counting::{MB, SERIAL, peak_during};
use prefect_config::config::{ConfigError, ConfigWarning, Limits, Loader};

/// The most a load may hold for a hostile input of `input` bytes.
fn bound(input: usize) -> usize {
    64 * MB + 4 * input
}

/// Loads, failing with the budget's error, within [`bound`] of `input`.
fn fails_on_budget(loader: &Loader, input: usize) -> ConfigError {
    let (result, peak) = peak_during(|| loader.load());
    let err = result.expect_err("a hostile input must fail");
    assert!(
        peak <= bound(input),
        "peak {} MB for {} KB: {err}",
        peak / MB,
        input >> 10
    );
    assert!(matches!(err, ConfigError::TreeTooLarge { .. }), "{err}");
    err
}

/// `a = [1, 2, ..., n]`.
fn big_array(n: usize) -> String {
    let mut text = String::from("a = [");
    for i in 1..=n {
        write!(text, "{i}, ").ok();
    }
    text.push_str("]\n");
    text
}

#[test]
fn whole_value_copies_of_a_large_array_count_against_the_budget() {
    let _serial = SERIAL.lock();
    let mut text = big_array(100_000);
    for i in 0..200 {
        writeln!(text, "b_{i} = \"${{a}}\"").ok();
    }
    let err = fails_on_budget(&Loader::new().defaults_toml(text.clone()), text.len());
    assert!(err.key().is_some_and(|k| k.starts_with("b_")), "{err}");
}

#[test]
fn whole_value_copies_through_variables_count_too() {
    let _serial = SERIAL.lock();
    let text = big_array(100_000);
    let vars: Vec<(String, String)> = (0..100)
        .map(|i| (format!("PREFECT__B_{i}"), "${a}".to_owned()))
        .collect();
    let input = text.len() + vars.iter().map(|(k, v)| k.len() + v.len()).sum::<usize>();
    let loader = Loader::new()
        .defaults_toml(text)
        .env_prefix("PREFECT")
        .env_vars(vars);
    let err = fails_on_budget(&loader, input);
    assert!(err.key().is_some_and(|k| k.starts_with("b_")), "{err}");
}

#[test]
fn copies_of_a_table_cast_from_text_count_too() {
    let _serial = SERIAL.lock();
    let mut table = String::from("t = \"{");
    for i in 0..20_000 {
        write!(table, "'k{i}': {i}, ").ok();
    }
    table.push_str("}\"\n");
    for i in 0..400 {
        writeln!(table, "c_{i} = \"${{t}}\"").ok();
    }
    fails_on_budget(&Loader::new().defaults_toml(table.clone()), table.len());
}

#[test]
fn eight_arrays_just_under_the_value_cap_are_refused_before_parsing() {
    let _serial = SERIAL.lock();
    let mut text = String::new();
    for i in 0..8 {
        writeln!(text, "v{i} = [{}]", "1,".repeat((MB - 16) / 2)).ok();
    }
    let err = fails_on_budget(&Loader::new().defaults_toml(text.clone()), text.len());
    assert_eq!(err.key(), Some("v0"));
}

#[test]
fn eight_lists_cast_from_text_count_their_elements() {
    let _serial = SERIAL.lock();
    let mut text = String::new();
    for i in 0..8 {
        writeln!(text, "v{i} = \"[{}]\"", "1,".repeat((MB - 16) / 2)).ok();
    }
    fails_on_budget(&Loader::new().defaults_toml(text.clone()), text.len());
}

#[test]
fn a_secrets_directory_within_its_limits_fails_on_the_tree_budget() {
    let _serial = SERIAL.lock();
    let files = common::TempFiles::new();
    let secret = "s".repeat(64 * 1024);
    for i in 0..4_000 {
        files.write(&format!("secrets/S{i}"), &secret);
    }
    let loader = Loader::new()
        .defaults_toml("")
        .secrets_dir(files.dir.path().join("secrets"));
    let err = fails_on_budget(&loader, 4_000 * secret.len());
    assert!(
        err.key()
            .is_some_and(|k| k.starts_with("context.secrets.S")),
        "{err}"
    );
}

#[test]
fn a_long_variable_name_beside_a_large_table_costs_little() {
    let _serial = SERIAL.lock();
    let mut defaults = String::from("[t]\n");
    for i in 0..70 {
        writeln!(defaults, "key_{i} = 1").ok();
    }
    for i in 0..70 {
        writeln!(defaults, "top_{i} = 1").ok();
    }
    let long = "X".repeat(60_000);
    let loader = Loader::new()
        .defaults_toml(defaults)
        .env_prefix("PREFECT")
        .env_vars([
            (format!("PREFECT__T__{long}"), "1".to_owned()),
            (format!("PREFECT__{long}"), "1".to_owned()),
            (format!("PREFECT__T__KEY_{long}"), "1".to_owned()),
        ]);
    let (cfg, peak) = peak_during(|| loader.load().unwrap());
    assert!(peak <= bound(200_000), "peak {} MB", peak / MB);
    assert_eq!(
        cfg.get(&format!("t.{}", long.to_lowercase())),
        Some(&serde_json::json!(1))
    );
    // One edit from a key is still found beside the long names.
    let cfg = Loader::new()
        .defaults_toml(format!(
            "[t]\n{}",
            (0..70)
                .map(|i| format!("key_{i} = 1\n"))
                .collect::<String>()
        ))
        .env_prefix("PREFECT")
        .env_vars([("PREFECT__T__KEY_7X", "1")])
        .load()
        .unwrap();
    assert!(
        cfg.warnings().iter().any(|w| matches!(w, ConfigWarning::UnknownEnvKey { suggestion, .. } if suggestion == "t.key_7")),
        "{:?}",
        cfg.warnings()
    );
}

#[test]
fn did_you_mean_for_a_long_missing_key_costs_little() {
    let _serial = SERIAL.lock();
    let mut defaults = String::new();
    for i in 0..1_000 {
        writeln!(defaults, "key_{i} = 1").ok();
    }
    let cfg = Loader::new().defaults_toml(defaults).load().unwrap();
    let long = "k".repeat(60_000);
    let (near, peak) = peak_during(|| cfg.suggest_keys(&long));
    assert!(near.is_empty());
    assert!(peak < MB, "peak {peak}");
    assert_eq!(
        cfg.suggest_keys("key_77x"),
        ["key_77", "key_770", "key_771"]
    );
}

#[test]
fn three_hundred_thousand_nested_references_resolve_the_innermost() {
    let _serial = SERIAL.lock();
    let depth = 300_000;
    let text = format!("x = \"{}a{}\"\n", "${".repeat(depth), "}".repeat(depth));
    let loader = Loader::new().defaults_toml(text.clone());
    let (result, peak) = peak_during(|| loader.load());
    assert!(peak <= bound(text.len()), "peak {} MB", peak / MB);
    let cfg = result.unwrap();
    let x = cfg.get("x").and_then(|v| v.as_str()).unwrap();
    // The innermost 65 references (`${a}`, then 64 times `${}}`, a key
    // `}`) became "", the outer `${` stay text with their closing braces.
    assert_eq!(x.len(), 3 * depth + 1 - 4 - 64 * 4);
    assert!(x.starts_with("${${") && x.ends_with("}}"));
}

/// One way of making a load build more than it reads.
#[derive(Clone, Debug)]
enum BlowUp {
    /// `w = "${a}"` (or `${t}`): a whole copy of the array (or cast table).
    Whole { table: bool },
    /// `x = "v ${a}"`: the array printed into text.
    Text { table: bool },
    /// `PREFECT__E='${a}'`: a whole copy through a variable.
    Variable { table: bool },
    /// `PREFECT__X='$BIG$BIG'`: an environment variable expanded twice.
    Expand,
    /// `${` nested `depth` deep around `a`.
    Nested { depth: usize },
}

fn blow_up() -> impl proptest::strategy::Strategy<Value = (BlowUp, usize)> {
    use proptest::prelude::*;
    let kind = prop_oneof![
        any::<bool>().prop_map(|table| BlowUp::Whole { table }),
        any::<bool>().prop_map(|table| BlowUp::Text { table }),
        any::<bool>().prop_map(|table| BlowUp::Variable { table }),
        Just(BlowUp::Expand),
        (0..3_000usize).prop_map(|depth| BlowUp::Nested { depth }),
    ];
    (kind, 1..40usize)
}

/// The budget of the generated cases: small, so that they hit it often and
/// cheaply.
const BUDGET: usize = 16 * MB;

/// Builds a generated case: its loader and the bytes of its input.
fn blow_up_case(
    array: usize,
    table: usize,
    big: usize,
    pieces: &[(BlowUp, usize)],
) -> (Loader, usize) {
    let mut text = big_array(array);
    text.push_str("t = \"{");
    for i in 0..table {
        write!(text, "'k{i}': {i}, ").ok();
    }
    text.push_str("}\"\n");
    let mut vars = vec![("BIG".to_owned(), "y".repeat(big))];
    let target = |table: bool| if table { "t" } else { "a" };
    for (n, (piece, copies)) in pieces.iter().enumerate() {
        for i in 0..*copies {
            match piece {
                BlowUp::Whole { table } => {
                    writeln!(text, "w_{n}_{i} = \"${{{}}}\"", target(*table)).ok();
                }
                BlowUp::Text { table } => {
                    writeln!(text, "x_{n}_{i} = \"v ${{{}}}\"", target(*table)).ok();
                }
                BlowUp::Variable { table } => {
                    vars.push((
                        format!("PREFECT__E_{n}_{i}"),
                        format!("${{{}}}", target(*table)),
                    ));
                }
                BlowUp::Expand => vars.push((format!("PREFECT__X_{n}_{i}"), "$BIG$BIG".into())),
                BlowUp::Nested { depth } => {
                    let (open, close) = ("${".repeat(*depth), "}".repeat(*depth));
                    writeln!(text, "n_{n}_{i} = \"{open}a{close}\"").ok();
                }
            }
        }
    }
    let input = text.len() + vars.iter().map(|(k, v)| k.len() + v.len()).sum::<usize>();
    let loader = Loader::new()
        .defaults_toml(text)
        .env_prefix("PREFECT")
        .env_vars(vars)
        .limits(Limits::default().max_total_bytes(BUDGET));
    (loader, input)
}

/// Random mixes of whole-value copies of large arrays and tables, text
/// references, variable references, `$VAR` expansion and nested `${` either
/// load or fail on a cap, never holding more than the bound; and the cap is
/// hit often enough for that to say something.
#[test]
fn generated_blow_ups_load_or_fail_on_a_cap_within_the_bound() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
    let _serial = SERIAL.lock();
    let cases = 24;
    let strategy = (
        0..40_000usize,
        0..4_000usize,
        0..300_000usize,
        proptest::collection::vec(blow_up(), 1..4),
    );
    let (over_budget, loaded) = (AtomicUsize::new(0), AtomicUsize::new(0));
    // A fixed seed: the share of cases that hit the budget is then the
    // same on every run, not a coin toss near the threshold.
    let mut runner = TestRunner::new_with_rng(
        Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        },
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    );
    runner
        .run(&strategy, |(array, table, big, pieces)| {
            let (loader, input) = blow_up_case(array, table, big, &pieces);
            let (result, peak) = peak_during(|| loader.load());
            prop_assert!(peak <= bound(input), "peak {} MB for {pieces:?}", peak / MB);
            match result {
                Ok(_) => {
                    loaded.fetch_add(1, Ordering::Relaxed);
                }
                Err(ConfigError::TreeTooLarge { .. }) => {
                    over_budget.fetch_add(1, Ordering::Relaxed);
                }
                Err(ConfigError::TooLarge { .. }) => {}
                Err(err) => prop_assert!(false, "{err} for {pieces:?}"),
            }
            Ok(())
        })
        .unwrap();
    let (over, ok) = (over_budget.into_inner(), loaded.into_inner());
    eprintln!("{over} of {cases} cases hit the budget, {ok} loaded");
    assert!(
        over * 5 >= cases as usize,
        "only {over} of {cases} hit the budget"
    );
    assert!(ok * 5 >= cases as usize, "only {ok} of {cases} loaded");
}

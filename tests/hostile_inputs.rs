//! Hostile inputs: each fails with its `ConfigError` (or loads) without
//! taking the process's memory, and every pass stays linear. Peak memory is
//! measured with a counting allocator in this test binary; time is measured
//! by `benches/hostile.rs`, not here.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use std::fmt::Write as _;

use parking_lot::Mutex;
use prefect_config::config::{ConfigError, ConfigWarning, Limits, Loader};

/// Counts live bytes and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to the system allocator unchanged; the
// counters are plain atomics.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// One test at a time: the counters are process-wide, so a test that
/// allocates while another measures would be counted in its peak. Every test
/// of this binary holds this lock for its whole run.
static SERIAL: Mutex<()> = Mutex::new(());

/// The most memory `f` held at once beyond what was live when it started.
/// The caller holds [`SERIAL`].
fn peak_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let out = f();
    (out, PEAK.load(Ordering::Relaxed).saturating_sub(base))
}

const MB: usize = 1 << 20;

fn load_fails(loader: &Loader) -> ConfigError {
    let (result, peak) = peak_during(|| loader.load());
    let err = result.expect_err("a hostile input must fail");
    assert!(peak < 64 * MB, "peak {} MB for {err}", peak / MB);
    err
}

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

fn doubling_references(levels: usize) -> String {
    let mut text = String::new();
    for i in 0..levels {
        text.push_str(&format!("a{i} = \"${{a{n}}}${{a{n}}}\"\n", n = i + 1));
    }
    text.push_str(&format!("a{levels} = \"xxxxxxxx\"\n"));
    text
}

#[test]
fn references_that_double_at_each_level_hit_the_value_cap() {
    let _serial = SERIAL.lock();
    let err = load_fails(&Loader::new().defaults_toml(doubling_references(30)));
    assert!(
        matches!(
            err,
            ConfigError::TooLarge { .. } | ConfigError::TreeTooLarge { .. }
        ),
        "{err}"
    );
}

#[test]
fn doubling_references_through_variables_hit_the_cap_too() {
    let _serial = SERIAL.lock();
    let mut vars: Vec<(String, String)> = (0..26)
        .map(|i| {
            (
                format!("PREFECT__A{i}"),
                format!("${{a{n}}}${{a{n}}}", n = i + 1),
            )
        })
        .collect();
    vars.push(("PREFECT__A26".into(), "x".repeat(64)));
    let err = load_fails(&Loader::new().env_prefix("PREFECT").env_vars(vars));
    assert!(
        matches!(
            err,
            ConfigError::TooLarge { .. } | ConfigError::TreeTooLarge { .. }
        ),
        "{err}"
    );
}

#[test]
fn expansion_that_multiplies_each_round_hits_the_cap() {
    let _serial = SERIAL.lock();
    for copies in [8, 16] {
        let a = "$A".repeat(copies);
        let loader = Loader::new()
            .env_prefix("PREFECT")
            .env_vars([("A", a.as_str()), ("PREFECT__X", "$A")]);
        let err = load_fails(&loader);
        assert!(matches!(err, ConfigError::TooLarge { .. }), "{err}");
        assert_eq!(err.key(), Some("x"));
    }
}

#[test]
fn a_multiplying_path_variable_is_used_as_written() {
    let _serial = SERIAL.lock();
    let a = "$A".repeat(16);
    let loader = Loader::prefect().env_vars([
        ("A", a.as_str()),
        ("PREFECT__USER_CONFIG_PATH", "$A"),
        ("HOME", "/nonexistent-home"),
    ]);
    let (inputs, peak) = peak_during(|| loader.inputs());
    assert!(peak < 64 * MB);
    let user = inputs.iter().find(|i| i.layer == "user").unwrap();
    assert_eq!(user.path.as_deref(), Some(std::path::Path::new("$A")));
    assert!(!user.found);
}

#[test]
fn a_huge_secrets_file_is_skipped_with_a_warning() {
    let _serial = SERIAL.lock();
    let files = common::TempFiles::new();
    files.write("secrets/BIG", &"x".repeat(8 * MB));
    files.write("secrets/SMALL", "ok");
    let loader = Loader::new()
        .defaults_toml("")
        .secrets_dir(files.dir.path().join("secrets"));
    let (cfg, peak) = peak_during(|| loader.load().unwrap());
    assert!(peak < MB, "peak {peak}");
    assert!(cfg.get("context.secrets.BIG").is_none());
    assert_eq!(
        cfg.get("context.secrets.SMALL").and_then(|v| v.as_str()),
        Some("ok")
    );
    assert!(
        cfg.warnings().iter().any(|w| matches!(w, ConfigWarning::SecretsDir { problem, .. } if problem.contains("larger than"))),
        "{:?}",
        cfg.warnings()
    );
}

#[cfg(target_os = "linux")]
#[test]
fn procfs_as_the_secrets_directory_does_not_hang() {
    let _serial = SERIAL.lock();
    let loader = Loader::new().defaults_toml("").secrets_dir("/proc/self");
    let (cfg, peak) = peak_during(|| loader.load().unwrap());
    assert!(peak < 64 * MB, "peak {}", peak / MB);
    assert!(!cfg.warnings().is_empty());
}

#[test]
fn a_huge_value_starting_with_a_digit_hits_the_cap() {
    let _serial = SERIAL.lock();
    let value = format!("1{}", "0".repeat(10 * MB));
    let loader = Loader::new()
        .env_prefix("PREFECT")
        .env_vars([("PREFECT__X", value)]);
    let err = load_fails(&loader);
    assert!(matches!(err, ConfigError::TooLarge { .. }), "{err}");
}

#[test]
fn a_reference_to_a_megabyte_value_repeated_hits_the_cap() {
    let _serial = SERIAL.lock();
    let text = format!(
        "y = '{}'\nx = '{}'\n",
        "v".repeat(1_000_000),
        "${y}".repeat(200)
    );
    let err = load_fails(&Loader::new().defaults_toml(text));
    assert!(matches!(err, ConfigError::TooLarge { .. }), "{err}");
    assert_eq!(err.key(), Some("x"));
}

#[test]
fn a_long_chain_whose_output_grows_quadratically_hits_the_tree_cap() {
    let _serial = SERIAL.lock();
    let mut text = String::new();
    for i in 0..40_000 {
        text.push_str(&format!("k{i} = \"x${{k{}}}\"\n", i + 1));
    }
    text.push_str("k40000 = \"end\"\n");
    let err = load_fails(&Loader::new().defaults_toml(text));
    assert!(matches!(err, ConfigError::TreeTooLarge { .. }), "{err}");
}

#[test]
fn unclosed_references_in_a_row_stay_text() {
    let _serial = SERIAL.lock();
    let x = "${".repeat(200_000);
    let cfg = Loader::new()
        .defaults_toml(format!("x = \"{x}\"\n"))
        .env_vars([("HOME", "/h")])
        .load()
        .unwrap();
    assert_eq!(
        cfg.get("x").and_then(|v| v.as_str()).map(str::len),
        Some(x.len())
    );
}

#[test]
fn a_value_of_many_comment_lines_casts_in_one_pass() {
    let _serial = SERIAL.lock();
    let text = format!("1 #c\n{}", " #c\n".repeat(50_000));
    let cfg = Loader::new()
        .defaults_toml(format!("x = '''{text}'''\n"))
        .load()
        .unwrap();
    assert_eq!(cfg.get("x"), Some(&serde_json::json!(1)));
}

#[test]
fn many_broken_references_before_real_ones_resolve_in_one_pass() {
    let _serial = SERIAL.lock();
    let value = format!("{}{}", "${\n".repeat(20_000), "${y}".repeat(9_000));
    let cfg = Loader::new()
        .defaults_toml(format!("y = 'v'\nx = \"\"\"{value}\"\"\"\n"))
        .load()
        .unwrap();
    let x = cfg.get("x").and_then(|v| v.as_str()).unwrap();
    assert!(x.ends_with(&"v".repeat(9_000)));
    assert_eq!(x.len(), 3 * 20_000 + 9_000);
    let why = cfg.explain("x").unwrap();
    assert_eq!(why.steps().len() + why.folded_steps(), 9_000 + 1);
}

#[test]
fn fifty_thousand_user_keys_load() {
    let _serial = SERIAL.lock();
    let files = common::TempFiles::new();
    let mut text = String::from("[mine]\n");
    for i in 0..50_000 {
        text.push_str(&format!("key_{i} = {i}\n"));
    }
    let user = files.write("config.toml", &text);
    let cfg = Loader::new()
        .embedded_defaults()
        .user_file(user)
        .load()
        .unwrap();
    assert_eq!(cfg.get("mine.key_49999"), Some(&serde_json::json!(49_999)));
}

#[test]
fn thirty_thousand_variables_load() {
    let _serial = SERIAL.lock();
    let vars: Vec<(String, String)> = (0..30_000)
        .map(|i| (format!("PREFECT__K{i}"), i.to_string()))
        .collect();
    let cfg = Loader::new()
        .embedded_defaults()
        .env_prefix("PREFECT")
        .env_vars(vars)
        .load()
        .unwrap();
    assert_eq!(cfg.get("k29999"), Some(&serde_json::json!(29_999)));
}

#[test]
fn ten_thousand_misspelt_variables_each_get_their_suggestion() {
    let _serial = SERIAL.lock();
    let mut defaults = String::from("[t]\n");
    for i in 0..10_000 {
        defaults.push_str(&format!("key{i:05} = 1\n"));
    }
    let vars: Vec<(String, String)> = (0..10_000)
        .map(|i| (format!("PREFECT__T__KEY{i:05}X"), "2".to_owned()))
        .collect();
    let cfg = Loader::new()
        .defaults_toml(defaults)
        .env_prefix("PREFECT")
        .env_vars(vars)
        .load()
        .unwrap();
    let typos = cfg
        .warnings()
        .iter()
        .filter(|w| matches!(w, ConfigWarning::UnknownEnvKey { .. }))
        .count();
    assert_eq!(typos, 10_000);
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

//! Hostile inputs: each fails with its `ConfigError` (or loads) without
//! taking the process's memory, and every pass stays linear. Peak memory is
//! measured with a counting allocator in this test binary; time is measured
//! by `benches/hostile.rs`, not here.

mod common;
#[path = "common/counting.rs"]
mod counting;

use counting::{MB, SERIAL, peak_during};
use prefect_config::config::{ConfigError, ConfigWarning, Loader};

fn load_fails(loader: &Loader) -> ConfigError {
    let (result, peak) = peak_during(|| loader.load());
    let err = result.expect_err("a hostile input must fail");
    assert!(peak < 64 * MB, "peak {} MB for {err}", peak / MB);
    err
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

//! Loading any TOML text with any environment never panics; a check of the
//! same inputs never panics either, and finds an error whenever loading fails.
#![no_main]

use libfuzzer_sys::fuzz_target;
use prefect_config::config::Loader;

fuzz_target!(|input: (&str, Vec<(String, String)>)| {
    let (toml, vars) = input;
    let vars: Vec<(String, String)> = vars
        .into_iter()
        .map(|(name, value)| (format!("PREFECT__{name}"), value))
        .collect();
    let loader = Loader::new()
        .defaults_toml(toml)
        .env_prefix("PREFECT")
        .env_vars(vars);
    let loaded = loader.load();
    let problems = loader.check();
    if loaded.is_err() {
        assert!(problems.iter().any(|p| p.is_error()));
    }
});

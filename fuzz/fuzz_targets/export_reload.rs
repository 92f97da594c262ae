//! A loaded configuration exported as environment variables loads back to
//! the same values.
#![no_main]

use libfuzzer_sys::fuzz_target;
use prefect_config::config::Loader;

fuzz_target!(|values: Vec<(u8, String)>| {
    let mut toml = String::from("[a]\n");
    for (key, value) in values.iter().take(16) {
        // `$`, `~` and `${` are expanded on load; export does not quote them.
        if value.contains('$') || value.starts_with('~') {
            return;
        }
        let quoted = serde_json::to_string(value).unwrap_or_default();
        toml.push_str(&format!("k{key} = {quoted}\n"));
    }
    let Ok(cfg) = Loader::new().defaults_toml(toml).load() else {
        return;
    };
    let vars = cfg.to_environment_variables_with_secrets(None, "PREFECT");
    let back = Loader::new()
        .env_prefix("PREFECT")
        .env_vars(vars)
        .load()
        .expect("exported variables load");
    assert_eq!(back.as_value(), cfg.as_value());
});

//! Any mix of `${...}` references between a few keys resolves, or fails
//! with an error, without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use prefect_config::config::Loader;

fuzz_target!(|values: Vec<String>| {
    let mut toml = String::new();
    for (i, value) in values.iter().take(16).enumerate() {
        let quoted = serde_json::to_string(value).unwrap_or_default();
        toml.push_str(&format!("k{i} = {quoted}\n"));
    }
    let _ = Loader::new().defaults_toml(toml).load();
});

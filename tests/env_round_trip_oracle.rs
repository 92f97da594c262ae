//! The to-environment round trip over the inputs recorded from Python: each
//! `string_to_type` input, loaded from a file and exported with
//! `to_environment_variables_with_secrets`, loads back from the environment
//! to the same value, which prints inside `${}` as before (a tuple stays a
//! tuple); and each core load case's tree does too, but for the trees no
//! environment can spell.

mod common;

use common::{FIXTURE_HOME, fixture};
use prefect_config::config::Loader;
use serde_json::json;

/// Loads `toml` and `printing` (references that print values into text),
/// exports the values of `toml` (all, or those in `include`), and reloads
/// those variables over `printing` alone: `None` when the file does not load
/// (not a round-trip case), else whether the reloaded tree is the same, the
/// values printed by the references included (a tuple must come back a
/// tuple, to print `(1, 2)`, not `[1, 2]`).
fn round_trip(toml: &str, printing: &str, include: Option<&[&str]>) -> Option<Result<(), String>> {
    let cfg = Loader::new()
        .defaults_toml(format!("{toml}{printing}"))
        .env_vars([("HOME", FIXTURE_HOME)])
        .load()
        .ok()?;
    let mut env: Vec<(String, String)> = cfg
        .to_environment_variables_with_secrets(include, "PREFECT")
        .into_iter()
        .collect();
    env.push(("HOME".to_owned(), FIXTURE_HOME.to_owned()));
    let back = Loader::new()
        .defaults_toml(printing)
        .env_prefix("PREFECT")
        .env_vars(env.clone())
        .load();
    Some(match back {
        Ok(back) if back.as_value() == cfg.as_value() => Ok(()),
        Ok(back) => Err(format!(
            "{}\n    exported {env:?}\n    back {}",
            cfg.as_value(),
            back.as_value()
        )),
        Err(err) => Err(format!("{}: {err}", cfg.as_value())),
    })
}

#[test]
fn recorded_inputs_survive_the_environment() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in fixture("string_to_type.json").as_array().unwrap() {
        let input = case["input"].as_str().unwrap();
        // `$`, `~` and `${` expand in the printing reference too; those
        // inputs are checked as values only.
        let printing = if input.contains(['$', '~']) {
            ""
        } else {
            "y = '<${x}>'\n"
        };
        // A JSON string is a TOML basic string for these texts.
        let toml = format!("x = {}\n", json!(input));
        let Some(outcome) = round_trip(&toml, printing, Some(&["x"])) else {
            continue;
        };
        checked += 1;
        if let Err(why) = outcome {
            failures.push(format!("{input:?}: {why}"));
        }
    }
    eprintln!(
        "{} of {checked} inputs round-trip",
        checked - failures.len()
    );
    assert!(checked > 200, "only {checked} inputs checked");
    assert!(
        failures.is_empty(),
        "{} input(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Load cases whose tree no environment can spell, with the reason.
const LOST_IN_THE_ENVIRONMENT: &[(&str, &str)] = &[
    (
        "arrays_untouched",
        "`$VAR` in an environment value expands, inside a list too",
    ),
    (
        "mixed_case_toml_keys",
        "environment names lose the case of keys",
    ),
    (
        "dotted_quoted_keys",
        "`__` cannot tell a dot in a key from a table",
    ),
    ("odd_key_names", "an empty key part cannot be named"),
];

#[test]
fn core_load_cases_survive_the_environment() {
    let mut failures = Vec::new();
    let (mut checked, mut identical) = (0, 0);
    for case in fixture("load_cases.json").as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let Some(outcome) = round_trip(case["defaults_toml"].as_str().unwrap(), "", None) else {
            continue;
        };
        checked += 1;
        identical += usize::from(outcome.is_ok());
        let lost = LOST_IN_THE_ENVIRONMENT.iter().any(|(n, _)| *n == name);
        match outcome {
            Err(why) if !lost => failures.push(format!("{name}: {why}")),
            Ok(()) if lost => {
                failures.push(format!("{name}: now round-trips; remove it from the list"))
            }
            _ => {}
        }
    }
    eprintln!("{identical} of {checked} load cases round-trip");
    assert!(checked > 50, "only {checked} cases checked");
    assert!(
        failures.is_empty(),
        "{} case(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

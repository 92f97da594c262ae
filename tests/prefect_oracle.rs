//! Our loader against fixtures recorded from the real Prefect 0.15.13, and
//! for `PrefectVersion::V1` from Prefect 1.4.1 (`tests/fixtures/prefect-1.4.1/`;
//! `scripts/prefect_oracle.py` regenerates both). The 1.x secrets rule needs
//! its own process-wide configuration: `tests/prefect1_oracle.rs`.

mod common;
#[path = "common/secret_rule.rs"]
mod secret_rule;

use common::python::python_literal;
use common::{FIXTURE_HOME, TempFiles, defaults_path, fixture};
use prefect_config::config::{ConfigError, Loader, PrefectVersion, string_to_type};
use prefect_config::context;
use prefect_config::secrets::Secret;
use serde_json::{Value, json};

/// Cases where we deliberately differ from Prefect, with the reason.
const DIVERGENT_CASES: &[(&str, &str)] = &[
    (
        "env_secrets_keep_case",
        "`Context__Secrets__X` in any case is a secret (Prefect: upper case only)",
    ),
    (
        "env_secrets_prefix_quirk",
        "only `CONTEXT__SECRETS__` keeps case, not `CONTEXT__SECRETSX__`",
    ),
    (
        "env_prefix_only_names",
        "an empty key part is an error (Prefect makes a key \"\")",
    ),
    (
        "env_empty_key_part",
        "an empty key part is an error (Prefect makes a key \"\")",
    ),
    (
        "env_replaces_table_with_scalar",
        "a replaced table is gone for references too",
    ),
    (
        "dollar_never_settles",
        "an expansion that never settles is an error (Prefect: None)",
    ),
    (
        "toml_scalars",
        "TOML 1.0 datetimes keep their RFC 3339 text; -0.0 stays -0.0",
    ),
    (
        "datetime_in_partial_reference",
        "TOML 1.0 datetimes keep their RFC 3339 text",
    ),
    (
        "toml_mixed_array_error",
        "TOML 1.0 allows mixed arrays (Prefect's parser is TOML 0.5)",
    ),
    (
        "ref_eleven_in_one_value",
        "references resolve completely (Prefect stops after 10)",
    ),
    ("ref_self", "a self-reference is a cycle error"),
    ("ref_cycle", "a reference cycle is an error"),
];

#[test]
fn our_defaults_file_loads_to_prefects_defaults() {
    let cfg = Loader::new()
        .defaults_file(defaults_path())
        .env_vars([("HOME", FIXTURE_HOME)])
        .load()
        .expect("defaults load");
    assert_eq!(cfg.as_value(), &fixture("prefect_defaults.json"));
}

#[test]
fn embedded_defaults_with_task_defaults_match_prefect() {
    let cfg = Loader::new()
        .embedded_defaults()
        .task_defaults(true)
        .env_vars([("HOME", FIXTURE_HOME)])
        .load()
        .expect("defaults load");
    assert_eq!(
        cfg.as_value(),
        &fixture("prefect_defaults_with_task_defaults.json")
    );
}

/// The 1.x defaults, embedded and from the repository's file, load to
/// Prefect 1.4.1's tree (`[cloud.rate_limiting]` included), with and without
/// task defaults, keys in Prefect's order.
#[test]
fn v1_defaults_load_to_prefect_1_4_1_defaults() {
    let v1 = |task_defaults| {
        Loader::new()
            .embedded_defaults()
            .prefect_version(PrefectVersion::V1)
            .task_defaults(task_defaults)
            .env_vars([("HOME", FIXTURE_HOME)])
            .load()
            .expect("defaults load")
    };
    let expected = fixture("prefect-1.4.1/prefect_defaults.json");
    assert!(expected["cloud"]["rate_limiting"].is_object());
    let cfg = v1(false);
    assert_eq!(cfg.as_value(), &expected);
    let ours: Vec<&String> = cfg.as_value().as_object().unwrap().keys().collect();
    let prefect: Vec<&String> = expected.as_object().unwrap().keys().collect();
    assert_eq!(ours, prefect);
    assert_eq!(
        v1(true).as_value(),
        &fixture("prefect-1.4.1/prefect_defaults_with_task_defaults.json")
    );
    let file = Loader::new()
        .defaults_file(defaults_path().with_file_name("prefect-1.4.1.toml"))
        .env_vars([("HOME", FIXTURE_HOME)])
        .load()
        .expect("defaults load");
    assert_eq!(file.as_value(), &expected);
    // The standard loader picks them by version; 0.15 stays the default.
    let standard = |loader: Loader| {
        loader
            .env_vars([("HOME", FIXTURE_HOME)])
            .user_file("/nonexistent/user.toml")
            .backend_file("/nonexistent/backend.toml")
            .load()
            .expect("defaults load")
    };
    let cfg = standard(Loader::prefect().prefect_version(PrefectVersion::V1));
    assert_eq!(
        cfg.as_value(),
        &fixture("prefect-1.4.1/prefect_defaults_with_task_defaults.json")
    );
    assert_eq!(cfg.prefect_version(), PrefectVersion::V1);
    let cfg = standard(Loader::prefect());
    assert_eq!(
        cfg.as_value(),
        &fixture("prefect_defaults_with_task_defaults.json")
    );
    assert_eq!(cfg.prefect_version(), PrefectVersion::V0_15);
}

#[test]
fn key_order_follows_the_defaults_file() {
    let cfg = Loader::prefect()
        .env_vars([("HOME", FIXTURE_HOME)])
        .load()
        .unwrap();
    let ours: Vec<&String> = cfg.as_value().as_object().unwrap().keys().collect();
    let fixture = fixture("prefect_defaults.json");
    let prefect: Vec<&String> = fixture.as_object().unwrap().keys().collect();
    assert_eq!(ours, prefect);
}

#[test]
fn load_cases_match_prefect() {
    check_load_cases("load_cases.json", PrefectVersion::V0_15);
}

/// The same core cases, recorded from Prefect 1.4.1 and loaded for 1.x (the
/// releases load alike; the same cases differ, for the same reasons).
#[test]
fn load_cases_match_prefect_1_4_1() {
    check_load_cases("prefect-1.4.1/load_cases.json", PrefectVersion::V1);
}

fn check_load_cases(name: &str, version: PrefectVersion) {
    let cases = fixture(name);
    assert!(
        cases.as_array().unwrap().len() > 60,
        "{name}: the core cases"
    );
    let mut failures = Vec::new();
    for case in cases.as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let divergent = DIVERGENT_CASES.iter().any(|(n, _)| *n == name);
        let outcome = run_case(case, version);
        let ok = match (
            &outcome,
            case.get("expected"),
            case.get("expected_any_of"),
            case.get("expected_error"),
        ) {
            (Ok(value), Some(expected), _, _) => value == expected,
            (Ok(value), _, Some(Value::Array(options)), _) => options.contains(value),
            (Err(_), _, _, Some(_)) => true,
            _ => false,
        };
        if ok == divergent {
            failures.push(format!(
                "{name}: {}\n  ours: {:?}\n  prefect: {}",
                if divergent {
                    "now matches Prefect; remove it from DIVERGENT_CASES"
                } else {
                    "differs"
                },
                outcome
                    .as_ref()
                    .map(|v| v.to_string())
                    .map_err(|e| e.to_string()),
                case.get("expected")
                    .or(case.get("expected_error"))
                    .or(case.get("expected_any_of"))
                    .unwrap_or(&Value::Null)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn run_case(case: &Value, version: PrefectVersion) -> Result<Value, ConfigError> {
    let files = TempFiles::new();
    let mut loader = Loader::new()
        .prefect_version(version)
        .defaults_file(files.write("defaults.toml", case["defaults_toml"].as_str().unwrap()))
        .env_prefix("PREFECT");
    if let Some(text) = case["user_toml"].as_str() {
        loader = loader.user_file(files.write("user.toml", text));
    } else if let Some(path) = case.get("user_path").and_then(Value::as_str) {
        loader = loader.user_file(path);
    }
    if let Some(text) = case["backend_toml"].as_str() {
        loader = loader.backend_file(files.write("backend.toml", text));
    } else if let Some(path) = case.get("backend_path").and_then(Value::as_str) {
        loader = loader.backend_file(path);
    }
    let env: Vec<(String, String)> = case["env"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect();
    let task_defaults = case.get("task_defaults").and_then(Value::as_bool) == Some(true);
    let tree = loader
        .env_vars(env)
        .task_defaults(task_defaults)
        .load()
        .map(|cfg| cfg.as_value().clone())?;
    // The recorder kept only this table (the rest holds values JSON cannot hold).
    Ok(match case.get("check_table").and_then(Value::as_str) {
        Some(table) => tree[table].clone(),
        None => tree,
    })
}

/// Inputs where `string_to_type` knowingly differs from `ast.literal_eval`
/// (see the `cast` module docs) in a way the recorder cannot express: a set
/// of several strings holds them in the order written (Python's order changes
/// with every process). Empty sets and non-string dict keys are recorded in
/// `documented`.
fn known_cast_divergence(case: &Value) -> bool {
    case["value"].is_null() && case.get("documented").is_none() && known_set_order_divergence(case)
}

/// What a value the recorder could not write as JSON (a set, or a container
/// holding one) casts to: Python's `repr` of it with sets and tuples as
/// arrays, so members and their order are Python's. `None` where that is not
/// JSON (`(1,)`, `b'x'`, `inf`).
fn set_as_recorded(case: &Value) -> Option<Value> {
    let repr = case["repr"].as_str()?;
    if !(case["type"] == "set" || repr.contains('{')) {
        return None;
    }
    let text: String = repr
        .chars()
        .map(|c| match c {
            '{' | '(' => '[',
            '}' | ')' => ']',
            '\'' => '"',
            c => c,
        })
        .collect();
    serde_json::from_str(&text).ok()
}

#[test]
fn string_to_type_matches_python() {
    let cases = fixture("string_to_type.json");
    let mut failures = Vec::new();
    for case in cases.as_array().unwrap() {
        let input = case["input"].as_str().unwrap();
        let python_type = case["type"].as_str().unwrap();
        let ours = string_to_type(input);
        let expected = match (&case["value"], python_type, case.get("documented")) {
            (Value::Null, "NoneType", _) => Value::Null,
            // Our rule for empty sets and non-string keys.
            (Value::Null, _, Some(documented)) => documented.clone(),
            // A set: Python's members in Python's order.
            (Value::Null, _, None) if set_as_recorded(case).is_some() => {
                set_as_recorded(case).unwrap_or_default()
            }
            // JSON cannot hold the value: we keep the text as written.
            (Value::Null, _, None) => json!(input),
            (value, _, _) => value.clone(),
        };
        if ours != expected && !known_cast_divergence(case) {
            failures.push(format!(
                "{input:?}: ours {ours}, python {python_type} {}",
                case["repr"]
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} input(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A reference to each recorded `string_to_type` input inside a longer
/// string prints Python's `str()` of what Python cast it to: tuples, sets,
/// `inf`, big integers, bytes and the rest as Python prints them, though the
/// value itself is JSON (or the text, where JSON cannot hold it).
#[test]
fn values_print_inside_text_as_python_str_prints_them() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in fixture("string_to_type.json").as_array().unwrap() {
        let input = case["input"].as_str().unwrap();
        // `$`, `~` and `${` are expanded before casting, unlike in the
        // recorder's direct `string_to_type` call.
        if input.contains(['$', '~']) || known_set_order_divergence(case) {
            continue;
        }
        let toml = format!("x = {}\ny = \"<${{x}}>\"\n", json!(input));
        let cfg = Loader::new()
            .defaults_toml(toml)
            .load()
            .expect("case loads");
        let expected = format!("<{}>", case["str"].as_str().unwrap());
        checked += 1;
        if cfg.get("y") != Some(&json!(expected)) {
            failures.push(format!(
                "{input:?}: ours {:?}, python {expected:?}",
                cfg.get("y")
            ));
        }
    }
    assert!(checked > 200, "only {checked} inputs checked");
    assert!(
        failures.is_empty(),
        "{} input(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A set with members that are not all integers prints in the order written;
/// Python's order follows hashes, which for strings change with every process.
fn known_set_order_divergence(case: &Value) -> bool {
    let input = case["input"].as_str().unwrap_or_default();
    case["type"] == "set" && input.contains(['\'', '"'])
}

/// `Secret("X").get()` with X set in TOML, in `PREFECT__CONTEXT__SECRETS__X`
/// and at run time. Where Prefect returns an integer beyond 64 bits (no JSON
/// value here holds it exactly) we return the text as it was set.
#[test]
fn secret_get_matches_prefect() {
    // The context's base; the secrets below come from each case's own load.
    install_global();
    let mut failures = Vec::new();
    for case in fixture("secret_get.json").as_array().unwrap() {
        let (way, text) = (
            case["way"].as_str().unwrap(),
            case["text"].as_str().unwrap(),
        );
        let secrets = match way {
            "runtime" => json!({ "X": text }),
            _ => {
                let mut loader = Loader::new().env_prefix("PREFECT");
                let mut env = vec![("HOME".to_owned(), FIXTURE_HOME.to_owned())];
                if way == "toml" {
                    // A JSON string is a TOML basic string for these texts.
                    loader =
                        loader.defaults_toml(format!("[context.secrets]\nX = {}\n", json!(text)));
                } else {
                    loader = loader.defaults_toml("[context.secrets]\n");
                    env.push(("PREFECT__CONTEXT__SECRETS__X".to_owned(), text.to_owned()));
                }
                let cfg = loader.env_vars(env).load().expect("case loads");
                cfg.get("context.secrets")
                    .cloned()
                    .expect("the secret is set")
            }
        };
        let ours = context::with(json!({ "secrets": secrets }), || Secret::new("X").get())
            .expect("the secret is found");
        let expected = match (&case["value"], case["type"].as_str()) {
            (Value::Null, Some("NoneType")) => Value::Null,
            (Value::Null, _) => json!(text),
            (value, _) => value.clone(),
        };
        // `to_string` tells `0` from `-0.0`, which `==` does not.
        if ours != expected || format!("{ours}") != format!("{expected}") {
            failures.push(format!(
                "{way} {text:?}: ours {ours}, prefect {}",
                case["repr"]
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The context's base for the secrets tests: Prefect 0.15.13's defaults.
/// Every test of this binary that reads the context installs the same.
fn install_global() {
    let home = Loader::new()
        .embedded_defaults()
        .env_vars([("HOME", FIXTURE_HOME)])
        .load()
        .expect("defaults load");
    prefect_config::set_global(home).ok();
    assert_eq!(context::config().prefect_version(), PrefectVersion::V0_15);
}

/// When `Secret::get` and `Secret::exists` ask the backend, under 0.15, as
/// Prefect 0.15.13 decides: `exists` asks whenever local secrets are off,
/// also with `backend = "server"`.
#[test]
fn secret_rule_matches_prefect_0_15() {
    install_global();
    let failures = secret_rule::failures(&fixture("secret_rule.json"));
    assert!(
        failures.is_empty(),
        "{} case(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn to_environment_variables_matches_prefect() {
    for case in fixture("to_environment_variables.json").as_array().unwrap() {
        let prefix = case["prefix"].as_str().unwrap();
        let toml = json_to_toml(&case["config"], prefix, &case["expected"]);
        let cfg = Loader::new().defaults_toml(toml).load().unwrap();
        let include: Option<Vec<&str>> = case["include"]
            .as_array()
            .map(|keys| keys.iter().filter_map(Value::as_str).collect());
        let ours = cfg.to_environment_variables_with_secrets(include.as_deref(), prefix);
        let expected: std::collections::BTreeMap<String, String> =
            serde_json::from_value(case["expected"].clone()).unwrap();
        // Prefect upper-cases the whole name; we keep the prefix as given and
        // secret names as they are, so that loading the names back with the
        // same prefix round-trips. Compare names without case.
        let ours: std::collections::BTreeMap<String, &String> = ours
            .iter()
            .map(|(name, text)| (name.to_uppercase(), text))
            .collect();
        for (name, text) in &expected {
            assert_eq!(ours.get(name), Some(&text), "{}: {name}", case["name"]);
        }
        assert_eq!(ours.len(), expected.len(), "{}", case["name"]);
    }
}

/// Writes a JSON tree as TOML whose strings are quoted Python literals, so
/// that loading gives back exactly the tree. JSON holds a tuple as an array;
/// where Prefect exported a tuple (`(1, 2)`, in `expected`), that literal is
/// written instead, so the value loads as the tuple Prefect had.
fn json_to_toml(value: &Value, prefix: &str, expected: &Value) -> String {
    let mut out = String::new();
    fn walk(value: &Value, path: &mut Vec<String>, out: &mut String, names: (&str, &Value)) {
        let Value::Object(map) = value else { return };
        for (key, child) in map {
            if child.is_object() {
                continue;
            }
            let name = std::iter::once(names.0)
                .chain(path.iter().map(|p| p.trim_matches('"')))
                .chain([key.as_str()])
                .collect::<Vec<_>>()
                .join("__")
                .to_uppercase();
            let tuple = names.1[name.as_str()]
                .as_str()
                .filter(|t| t.starts_with('('));
            let literal = match child {
                _ if tuple.is_some() => format!("{:?}", tuple.unwrap_or_default()),
                Value::String(s) => format!("{:?}", format!("'{s}'")),
                Value::Null => "\"None\"".to_owned(),
                other => format!("{:?}", python_literal(other)),
            };
            out.push_str(&format!("\"{key}\" = {literal}\n"));
        }
        for (key, child) in map {
            if child.is_object() {
                path.push(format!("\"{key}\""));
                out.push_str(&format!("[{}]\n", path.join(".")));
                walk(child, path, out, names);
                path.pop();
            }
        }
    }
    walk(value, &mut Vec::new(), &mut out, (prefix, expected));
    out
}

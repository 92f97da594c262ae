//! Issue 9, library side: a canary set as a secret in every way a value can
//! be sensitive never appears in the `Debug`/`Display` of any public type,
//! error or warning, nor in a redacted explanation of any key or table.
//! Context, Cloud and CLI outputs have their own files (`no_leaks_*.rs`,
//! `cli_no_leaks.rs`); this one also holds the proptest inputs.

mod common;

use common::TempFiles;
use prefect_config::config::{ConfigError, ConfigWarning, Loader, Source, is_sensitive_key};
use proptest::prelude::*;
use serde::Deserialize;
use serde_json::{Value, json};

/// Every canary starts with this (compared in any case).
const CANARY: &str = "canary";

/// The defaults: a canary through every TOML way, and keys built from them.
const DEFAULTS: &str = r#"
[server]
host = "localhost"

[server.database]
password = "CANARY-server-db"
connection_url = "postgresql://prefect:${server.database.password}@localhost/prefect"

[cloud]
api_key = ""
graphql = "https://api.prefect.io/graphql"

[db]
db_password = "CANARY-db-password"
dsn = "postgresql://app:CANARY-dsn@db.internal/app"
host = "db.internal"

[app]
derived = "prefix-${context.secrets.TOML_SECRET}"
via_var = "$PREFECT__CLOUD__API_KEY"
by_dir = "${context.secrets.DIR_SECRET}"
plain = "visible-value"

[context]
flow_name = "visible-flow"

[context.secrets]
TOML_SECRET = "CANARY-toml"
NEST = "CANARYnest"
REFERS = "CANARY-refers-${CANARYREFNAME}"
"#;

/// The environment: a secret variable and the API key.
fn env() -> Vec<(&'static str, &'static str)> {
    vec![
        ("HOME", "/home/prefect-test"),
        ("PREFECT__CONTEXT__SECRETS__ENV_SECRET", "CANARY-env"),
        ("PREFECT__CLOUD__API_KEY", "CANARY-api-key"),
    ]
}

/// A loader with every canary; the secrets directory holds `DIR_SECRET`.
fn loader(files: &TempFiles) -> Loader {
    let dir = files.path("secrets");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("DIR_SECRET"), "CANARY-dir${word}").unwrap();
    Loader::new()
        .defaults_toml(DEFAULTS)
        .env_prefix("PREFECT")
        .env_vars(env())
        .secrets_dir(dir)
}

fn assert_clean(what: &str, text: &str) {
    assert!(
        !text.to_lowercase().contains(CANARY),
        "{what} printed a canary:\n{text}"
    );
}

/// Every key path of the tree, tables included, root (`""`) first.
fn all_paths(value: &Value, path: &str, out: &mut Vec<String>) {
    out.push(path.to_owned());
    if let Value::Object(map) = value {
        for (key, child) in map {
            let child_path = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            all_paths(child, &child_path, out);
        }
    }
}

#[test]
fn the_canaries_are_loaded() {
    // Guards the other tests: the canaries are really in the tree.
    let files = TempFiles::new();
    let cfg = loader(&files).load().unwrap();
    let all = cfg.as_value().to_string().to_lowercase();
    for canary in [
        "canary-server-db",
        "canary-db-password",
        "canary-dsn",
        "canary-toml",
        "canary-env",
        "canary-api-key",
        "canary-dir",
    ] {
        assert!(all.contains(canary), "{canary} not loaded");
    }
    assert_eq!(cfg.get("app.via_var"), Some(&json!("CANARY-api-key")));
    assert_eq!(cfg.get("app.derived"), Some(&json!("prefix-CANARY-toml")));
}

/// Item 8: the one rule knows `*_password` keys, DSNs with a password, and
/// values built through `$VAR` and `${...}` from a secret.
#[test]
fn the_rule_covers_every_way_a_value_is_sensitive() {
    let files = TempFiles::new();
    let cfg = loader(&files).load().unwrap();
    for path in [
        "server.database.password",
        "server.database.connection_url",
        "cloud.api_key",
        "db.db_password",
        "db.dsn",
        "app.derived",
        "app.via_var",
        "app.by_dir",
        "context.secrets.TOML_SECRET",
        "context.secrets.ENV_SECRET",
        "context.secrets.DIR_SECRET",
    ] {
        assert!(cfg.is_sensitive(path), "{path} is not sensitive");
    }
    for path in ["server.host", "db.host", "app.plain", "context.flow_name"] {
        assert!(!cfg.is_sensitive(path), "{path} is sensitive");
    }
    assert!(is_sensitive_key("x.DB_PASSWORD") && is_sensitive_key("x.github_token"));
}

/// Item 9: a file of the secrets directory is taken as written.
#[test]
fn secrets_dir_files_are_taken_verbatim() {
    let files = TempFiles::new();
    let cfg = loader(&files).load().unwrap();
    assert_eq!(
        cfg.get("context.secrets.DIR_SECRET"),
        Some(&json!("CANARY-dir${word}"))
    );
}

/// Item 2 (config part): `Debug` of `Config` masks every sensitive value.
#[test]
fn config_debug_masks_every_sensitive_value() {
    let files = TempFiles::new();
    let cfg = loader(&files).load().unwrap();
    assert_clean("Config Debug", &format!("{cfg:?}"));
    assert_clean("Config Debug (alternate)", &format!("{cfg:#?}"));
    assert!(format!("{cfg:?}").contains("visible-value"));
}

/// Item 1 (library part): a redacted explanation of every table from the
/// root down, and of every leaf, shows no canary; nor does the `Debug` of an
/// explanation, its layers or its steps, or of `Layers`.
#[test]
fn explanations_of_every_table_and_leaf_are_masked() {
    let files = TempFiles::new();
    let layers = loader(&files).load_layers().unwrap();
    let cfg = layers.config();
    assert_clean("Layers Debug", &format!("{layers:?}"));
    let mut paths = Vec::new();
    all_paths(cfg.as_value(), "", &mut paths);
    assert!(paths.len() > 20);
    for path in paths.iter().filter(|p| !p.is_empty()) {
        for why in [cfg.explain(path), layers.explain(path)] {
            let why = why.unwrap_or_else(|| panic!("no explanation of {path}"));
            assert_clean(path, &format!("{why:?}"));
            let shown = why.redacted();
            let text = format!(
                "{:?} {} {:?} {:?}",
                shown,
                shown.value(),
                shown.layers().iter().map(|l| &l.raw).collect::<Vec<_>>(),
                shown
                    .steps()
                    .iter()
                    .map(|s| (&s.value, &s.reference))
                    .collect::<Vec<_>>(),
            );
            assert_clean(&format!("explain {path}"), &text);
            for layer in why.layers() {
                assert_clean("LayerValue Debug", &format!("{layer:?}"));
            }
            for step in why.steps() {
                assert_clean("Step Debug", &format!("{step:?}"));
            }
        }
    }
}

/// Item 3: `Loader`'s `Debug` prints no defaults text and no environment value.
#[test]
fn loader_debug_prints_no_value() {
    let files = TempFiles::new();
    let loader = loader(&files);
    assert_clean("Loader Debug", &format!("{loader:?} {loader:#?}"));
}

/// Item 5: warnings never print secret text, also when a reference name is
/// itself made of a secret.
#[test]
fn warnings_print_no_secret_text() {
    let files = TempFiles::new();
    let cfg = loader(&files)
        .defaults_toml(format!(
            "{DEFAULTS}\n[nested]\ny = \"${{${{context.secrets.NEST}}}}\"\n"
        ))
        .env_vars(
            env()
                .into_iter()
                .chain([("PREFECT__SERVER__HOTS", "CANARY-typo-value")]),
        )
        .load()
        .unwrap();
    assert!(!cfg.warnings().is_empty());
    for warning in cfg.warnings() {
        assert_clean("warning", &format!("{warning} {warning:?}"));
    }
    // The checker's diagnostics, warnings and errors, too.
    let user = files.write(
        "user.toml",
        "[context.secrets]\nBROKEN = \"CANARY-syntax\nnext = 1\n",
    );
    let problems = loader(&files).user_file(&user).check();
    assert!(problems.iter().any(|p| p.is_error()), "{problems:?}");
    for problem in &problems {
        assert_clean("Diagnostic", &format!("{problem} {problem:?}"));
    }
    let good_user = files.write("good.toml", "[server]\nhots = 'CANARY-hots'\n");
    for problem in loader(&files).user_file(&good_user).check() {
        assert_clean("Diagnostic", &format!("{problem} {problem:?}"));
    }
    let warning = ConfigWarning::GlobalLoadFailed {
        error: loader(&files)
            .user_file(&user)
            .load()
            .unwrap_err()
            .to_string(),
    };
    assert_clean("GlobalLoadFailed", &warning.to_string());
}

/// A type whose `Deserialize` error quotes its input, as many do.
#[derive(Debug)]
struct Quoting;

impl<'de> Deserialize<'de> for Quoting {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Err(serde::de::Error::custom(format!("cannot use {text:?}")))
    }
}

/// Item 6: extraction errors at a sensitive path neither quote the value
/// (even when the type's own error does) nor lose the key.
#[test]
fn extraction_errors_name_the_key_not_the_value() {
    let files = TempFiles::new();
    let cfg = loader(&files).load().unwrap();
    for key in [
        "context.secrets.TOML_SECRET",
        "cloud.api_key",
        "db.dsn",
        "app.derived",
    ] {
        let err = cfg.extract_at::<Quoting>(key).unwrap_err();
        assert_clean("extract_at error", &format!("{err} {err:?}"));
        assert_eq!(err.key(), Some(key), "{err}");
        let err = cfg.extract_at::<u32>(key).unwrap_err();
        assert_clean("extract_at error", &format!("{err} {err:?}"));
    }
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Db {
        db_password: u32,
    }
    let err = cfg.extract_at::<Db>("db").unwrap_err();
    assert_clean("extract_at error", &format!("{err} {err:?}"));
    let err = cfg
        .extract_at::<std::collections::BTreeMap<String, u32>>("context.secrets")
        .unwrap_err();
    assert_clean("extract_at error", &format!("{err} {err:?}"));
}

/// Errors of loading: each variant that can sit next to a secret.
#[test]
fn load_errors_print_no_secret() {
    let files = TempFiles::new();
    let cases = [
        // A cycle through secrets.
        "[context.secrets]\nA = 'CANARY-a${context.secrets.B}'\nB = 'CANARY-b${context.secrets.A}'\n",
        // Syntax error on a secret line.
        "[cloud]\napi_key = 'CANARY-unterminated\n",
        // An invalid key beside a secret value.
        "[context.secrets]\nkeys = 'CANARY-reserved'\n",
    ];
    for text in cases {
        let err = Loader::new()
            .defaults_toml(text)
            .load()
            .expect_err("does not load");
        assert_clean("ConfigError", &format!("{err} {err:?} {:?}", err.origin()));
    }
    let err = Loader::new()
        .defaults_toml("a = 1")
        .env_prefix("PREFECT")
        .env_vars([("PREFECT__CONTEXT__SECRETS____X", "CANARY-empty-part")])
        .load();
    if let Err(err) = err {
        assert_clean("ConfigError", &format!("{err} {err:?}"));
    }
    let missing = Loader::new()
        .defaults_file(files.path("missing.toml"))
        .load()
        .unwrap_err();
    assert!(matches!(missing, ConfigError::Read { .. }));
}

/// `Source` and `Input` print origins only.
#[test]
fn sources_and_inputs_print_no_value() {
    let files = TempFiles::new();
    let loader = loader(&files);
    for input in loader.inputs() {
        assert_clean("Input", &format!("{input:?}"));
    }
    let layers = loader.load_layers().unwrap();
    for source in layers.sources() {
        assert_clean("Source", &format!("{source} {source:?}"));
    }
    assert_eq!(
        layers.config().source_of("app.via_var"),
        Some(&Source::DefaultsToml)
    );
}

/// The key names proptest places a canary under: sensitive ones and plain.
fn key_name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("password".to_owned()),
        Just("API_KEY".to_owned()),
        Just("db_password".to_owned()),
        Just("github_token".to_owned()),
        Just("private_key".to_owned()),
        Just("Credentials".to_owned()),
        "[a-z]{1,8}",
    ]
}

/// What a generated value looks like: the canary as a sensitive key's value,
/// in a DSN, or through `${...}` from a secret.
#[derive(Clone, Debug)]
enum Placement {
    /// `table.<sensitive key> = "<canary>"`
    Key(String),
    /// `table.<any key> = "scheme://user:<canary>@host"`
    Dsn(String),
    /// `context.secrets.<NAME> = "<canary>"`, `table.<any key> = "x${context.secrets.NAME}"`
    Reference(String),
    /// `table.<any key> = "$<VAR>"` with `VAR` a secret variable set to the canary
    Var(String),
}

fn placement() -> impl Strategy<Value = Placement> {
    prop_oneof![
        key_name().prop_map(Placement::Key),
        key_name().prop_map(Placement::Dsn),
        key_name().prop_map(Placement::Reference),
        key_name().prop_map(Placement::Var),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Random tables and keys holding a canary in each way: `Debug` of the
    /// config, every warning, and the redacted explanation of every path
    /// show no canary.
    #[test]
    fn generated_canaries_never_print(
        table in "[a-z]{1,6}",
        placements in proptest::collection::vec(placement(), 1..5),
        suffix in "[A-Za-z0-9]{4,12}",
        plain in "[a-z ]{0,12}",
    ) {
        let mut toml = format!("[{table}]\nplain_value = {plain:?}\n");
        let mut secrets = String::from("[context.secrets]\n");
        let mut vars = vec![("HOME".to_owned(), "/h".to_owned())];
        for (i, placement) in placements.iter().enumerate() {
            let canary = format!("CANARY{i}{suffix}");
            match placement {
                Placement::Key(key) if is_sensitive_key(key) => {
                    toml.push_str(&format!("{key} = {canary:?}\n"));
                }
                Placement::Key(_) => {}
                Placement::Dsn(key) => {
                    toml.push_str(&format!("{key}_dsn{i} = \"postgresql://u:{canary}@h:5432/db\"\n"));
                }
                Placement::Reference(key) => {
                    secrets.push_str(&format!("S{i} = {canary:?}\n"));
                    toml.push_str(&format!("{key}_ref{i} = \"x${{context.secrets.S{i}}}y\"\n"));
                }
                Placement::Var(key) => {
                    vars.push((format!("APP_{i}_PASSWORD"), canary.clone()));
                    toml.push_str(&format!("{key}_var{i} = \"$APP_{i}_PASSWORD\"\n"));
                }
            }
        }
        // Duplicate keys are a TOML error: those inputs are rejected (and
        // counted: proptest fails if too many are), any other error fails.
        let text = format!("{toml}\n{secrets}");
        let cfg = match Loader::new().defaults_toml(text.as_str()).env_vars(vars).load() {
            Ok(cfg) => cfg,
            Err(err) => {
                prop_assert!(!format!("{err} {err:?}").to_lowercase().contains(CANARY), "{}", err);
                prop_assert!(matches!(err, ConfigError::Syntax { .. }), "{}", err);
                prop_assume!(false, "duplicate keys");
                unreachable!("prop_assume! returned")
            }
        };
        let debug = format!("{cfg:?}");
        prop_assert!(!debug.to_lowercase().contains(CANARY), "{}\n{}", text, debug);
        for warning in cfg.warnings() {
            prop_assert!(!warning.to_string().to_lowercase().contains(CANARY));
        }
        let mut paths = Vec::new();
        all_paths(cfg.as_value(), "", &mut paths);
        for path in paths.iter().filter(|p| !p.is_empty()) {
            let why = cfg.explain(path).unwrap().redacted();
            let shown = format!(
                "{why:?} {} {:?} {:?}",
                why.value(),
                why.layers().iter().map(|l| &l.raw).collect::<Vec<_>>(),
                why.steps().iter().map(|s| (&s.value, &s.reference)).collect::<Vec<_>>(),
            );
            prop_assert!(!shown.to_lowercase().contains(CANARY), "{}: {}\n{}", path, text, shown);
        }
    }
}

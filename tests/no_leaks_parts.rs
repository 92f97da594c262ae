//! Issue 19, library side: sensitivity decided in the tree, part by part.
//!
//! A generated configuration places a canary secret at random where the key
//! rule or the password rule must find it: under credential-named keys in
//! any spelling, inside arrays and arrays of tables, in text cast to a list
//! or table, in URLs, query strings and `user:pw@host`, copied or quoted by
//! `${...}`, and in environment variables. Every library output (`Debug` of
//! `Config`, `get_masked`, `explain` redacted and serialized, extraction
//! errors, `figment()`'s errors, a context `Snapshot`) must not show it,
//! while a plain sibling value beside it stays visible.

use prefect_config::config::{Config, Loader, is_sensitive_key};
use prefect_config::context;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use serde_json::{Value, json};

const CANARY: &str = "CANARYq7x";
const VISIBLE: &str = "visible-sibling";

/// Credential key names in the spellings the rule must know.
const CREDENTIAL_KEYS: &[&str] = &[
    "password",
    "db-password",
    "dbPassword",
    "DB_PASSWORD",
    "api-key",
    "API_KEY",
    "aws_secret_access_key",
    "secret_key",
    "passphrase",
    "secret_id",
    "GITHUB_TOKEN",
    "client_secret",
];

/// Where a canary goes; each placement names the key that holds it.
#[derive(Clone, Debug)]
enum Placement {
    /// `[[list]]` tables with a credential key beside a plain one.
    ArrayOfTables(&'static str),
    /// An inline array of inline tables.
    InlineArray(&'static str),
    /// A URL with a password, inside an array.
    UrlInArray,
    /// Text that casts to a table.
    CastTable(&'static str),
    /// Text that casts to a list of tables.
    CastList(&'static str),
    /// A query-string password.
    QueryString,
    /// `user:pw@host` without a scheme.
    SchemeLess,
    /// A table holding the secret, quoted into text by `${...}`.
    TextReference(&'static str),
    /// The same, copied whole by `${...}`.
    WholeReference(&'static str),
    /// A variable whose text casts to a table with a credential key.
    EnvCastTable(&'static str),
    /// `PREFECT__CONTEXT` cast to a table holding `secrets`.
    EnvContextSecrets,
    /// A credential-named table: everything in it is sensitive.
    CredentialTable(&'static str),
}

impl Placement {
    fn index(&self) -> usize {
        match self {
            Placement::ArrayOfTables(_) => 0,
            Placement::InlineArray(_) => 1,
            Placement::UrlInArray => 2,
            Placement::CastTable(_) => 3,
            Placement::CastList(_) => 4,
            Placement::QueryString => 5,
            Placement::SchemeLess => 6,
            Placement::TextReference(_) => 7,
            Placement::WholeReference(_) => 8,
            Placement::EnvCastTable(_) => 9,
            Placement::EnvContextSecrets => 10,
            Placement::CredentialTable(_) => 11,
        }
    }
}

const PLACEMENTS: usize = 12;

fn placement() -> impl Strategy<Value = Placement> {
    let key = || proptest::sample::select(CREDENTIAL_KEYS);
    prop_oneof![
        key().prop_map(Placement::ArrayOfTables),
        key().prop_map(Placement::InlineArray),
        Just(Placement::UrlInArray),
        key().prop_map(Placement::CastTable),
        key().prop_map(Placement::CastList),
        Just(Placement::QueryString),
        Just(Placement::SchemeLess),
        key().prop_map(Placement::TextReference),
        key().prop_map(Placement::WholeReference),
        key().prop_map(Placement::EnvCastTable),
        Just(Placement::EnvContextSecrets),
        key().prop_map(Placement::CredentialTable),
    ]
}

/// A TOML key, quoted (credential names may hold `-`).
fn q(key: &str) -> String {
    format!("\"{key}\"")
}

/// The `[x{n}]` table for one placement: its TOML and its variables.
fn place(n: usize, placement: &Placement) -> (String, Vec<(String, String)>) {
    let t = format!("x{n}");
    let mut env = Vec::new();
    let toml = match placement {
        Placement::ArrayOfTables(key) => format!(
            "[[{t}.dbs]]\nhost = \"{VISIBLE}\"\n{} = \"{CANARY}\"\n[[{t}.dbs]]\nhost = \"h2\"\n",
            q(key)
        ),
        Placement::InlineArray(key) => format!(
            "[{t}]\nentries = [{{ name = \"{VISIBLE}\", {} = \"{CANARY}\" }}]\n",
            q(key)
        ),
        Placement::UrlInArray => {
            format!("[{t}]\nurls = [\"{VISIBLE}\", \"postgresql://u:{CANARY}@h/db\"]\n")
        }
        Placement::CastTable(key) => {
            format!("[{t}]\nlit = \"{{'{key}': '{CANARY}', 'name': '{VISIBLE}'}}\"\n")
        }
        Placement::CastList(key) => {
            format!("[{t}]\nlit = \"[{{'{key}': '{CANARY}'}}, '{VISIBLE}']\"\n")
        }
        Placement::QueryString => format!(
            "[{t}]\ndsn = \"jdbc:postgresql://h/db?user=u&password={CANARY}\"\nname = \"{VISIBLE}\"\n"
        ),
        Placement::SchemeLess => {
            format!("[{t}]\ndsn = \"u:{CANARY}@db.internal:5432\"\nname = \"{VISIBLE}\"\n")
        }
        Placement::TextReference(key) => format!(
            "[{t}]\nholder = \"[{{'{key}': '{CANARY}'}}]\"\nn = \"n=${{{t}.holder}}\"\nname = \"{VISIBLE}\"\n"
        ),
        Placement::WholeReference(key) => format!(
            "[{t}]\nholder = \"{{'{key}': '{CANARY}', 'name': '{VISIBLE}'}}\"\ndup = \"${{{t}.holder}}\"\n"
        ),
        Placement::EnvCastTable(key) => {
            env.push((
                format!("PREFECT__{}__LIT", t.to_uppercase()),
                format!("{{'{key}': '{CANARY}'}}"),
            ));
            format!("[{t}]\nlit = \"\"\nname = \"{VISIBLE}\"\n")
        }
        Placement::EnvContextSecrets => {
            env.push((
                "PREFECT__CONTEXT".into(),
                format!("{{'secrets': {{'A': '{CANARY}'}}, 'flow': '{VISIBLE}'}}"),
            ));
            String::new()
        }
        Placement::CredentialTable(key) => {
            format!(
                "[{t}.{}]\nuser = \"{CANARY}\"\n[{t}]\nname = \"{VISIBLE}\"\n",
                q(key)
            )
        }
    };
    (toml, env)
}

fn load(placements: &[Placement]) -> Config {
    let mut toml = String::from("[context]\nflow = 'f'\n");
    let mut env = vec![("HOME".to_owned(), "/home/t".to_owned())];
    for (n, placement) in placements.iter().enumerate() {
        let (text, vars) = place(n, placement);
        toml.push_str(&text);
        env.extend(vars);
    }
    Loader::new()
        .defaults_toml(toml)
        .env_prefix("PREFECT")
        .env_vars(env)
        .load()
        .expect("generated configurations load")
}

/// Every dotted path of a value tree: tables, array items, leaves.
fn paths(value: &Value, prefix: &str, out: &mut Vec<String>) {
    let join = |key: &str| {
        if prefix.is_empty() {
            key.to_owned()
        } else {
            format!("{prefix}.{key}")
        }
    };
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let path = join(key);
                out.push(path.clone());
                paths(child, &path, out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                let path = join(&i.to_string());
                out.push(path.clone());
                paths(child, &path, out);
            }
        }
        _ => {}
    }
}

fn assert_hidden(what: &str, text: &str) {
    assert!(!text.contains(CANARY), "{what} shows the secret: {text}");
}

/// Every library output of `cfg`, with the paths of every value in it.
fn check_outputs(cfg: &Config) {
    assert_hidden("Debug of Config", &format!("{cfg:?}"));
    let masked = cfg.get_masked("").expect("the root");
    assert_hidden("get_masked(\"\")", &masked.to_string());
    let mut all = Vec::new();
    paths(cfg.as_value(), "", &mut all);
    for path in &all {
        if let Some(value) = cfg.get_masked(path) {
            assert_hidden(&format!("get_masked({path})"), &value.to_string());
        }
        if let Some(why) = cfg.explain(path) {
            assert_hidden(&format!("explain({path}) Debug"), &format!("{why:?}"));
            let redacted = why.redacted();
            assert_hidden(
                &format!("explain({path}).redacted()"),
                &format!(
                    "{:?} {:?} {:?}",
                    redacted.value(),
                    redacted.layers(),
                    redacted.steps()
                ),
            );
            for layer in redacted.layers() {
                assert_hidden(&format!("explain({path}) layer"), &layer.raw.to_string());
            }
            for step in redacted.steps() {
                assert_hidden(&format!("explain({path}) step"), &step.value.to_string());
                if let Some(reference) = &step.reference {
                    assert_hidden(&format!("explain({path}) reference"), reference);
                }
            }
            let json = serde_json::to_string(&why).expect("explanations serialize");
            assert_hidden(&format!("explain({path}) Serialize"), &json);
        }
        if let Err(err) = cfg.extract_at::<u16>(path) {
            assert_hidden(&format!("extract_at::<u16>({path})"), &err.to_string());
        }
        if let Err(err) = cfg.extract_at::<Vec<u16>>(path) {
            assert_hidden(&format!("extract_at::<Vec<u16>>({path})"), &err.to_string());
        }
        if let Err(err) = cfg.figment().extract_inner::<u16>(path) {
            assert_hidden(&format!("figment extract_inner({path})"), &err.to_string());
        }
        if let Err(err) = cfg.figment().extract_inner::<bool>(path) {
            assert_hidden(
                &format!("figment extract_inner({path})"),
                &format!("{err:?}"),
            );
        }
    }
}

/// The sibling stays visible: masking is part by part, not all or nothing.
fn check_siblings(cfg: &Config, placements: &[Placement]) {
    let masked = cfg.get_masked("").expect("the root").to_string();
    let expected = placements
        .iter()
        .filter(|p| !matches!(p, Placement::TextReference(_)))
        .count();
    assert!(
        masked.matches(VISIBLE).count() >= expected.min(1),
        "no visible sibling left in {masked}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn no_library_output_shows_a_placed_secret(placements in proptest::collection::vec(placement(), 1..4)) {
        let cfg = load(&placements);
        check_outputs(&cfg);
        check_siblings(&cfg, &placements);
        // The context sees `[context]` and runtime values with secrets in
        // arrays; its Display and Debug mask them too.
        init_global();
        let shown = context::with(
            json!({"items": [{"password": CANARY, "name": VISIBLE}], "urls": [format!("redis://:{CANARY}@h")]}),
            || {
                let snap = context::snapshot();
                format!("{snap} {snap:?}")
            },
        );
        prop_assert!(!shown.contains(CANARY), "snapshot shows the secret: {}", shown);
        prop_assert!(shown.contains(VISIBLE), "snapshot masked everything: {}", shown);
    }
}

/// The global configuration of this test binary: a `[context]` value cast
/// from text with a credential inside, beside a plain one.
fn init_global() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let cfg = Loader::new()
            .defaults_toml(format!(
                "[context]\nlit = \"{{'token': '{CANARY}', 'name': '{VISIBLE}'}}\"\nlist = \"[{{'passphrase': '{CANARY}'}}]\"\n"
            ))
            .env_prefix("PREFECT")
            .env_vars([("HOME", "/home/t")])
            .load()
            .unwrap();
        prefect_config::set_global(cfg).expect("first use in this binary");
    });
}

#[test]
fn a_snapshot_masks_context_values_cast_from_text() {
    init_global();
    let snap = context::snapshot();
    let shown = format!("{snap} {snap:?}");
    assert!(!shown.contains(CANARY), "{shown}");
    assert!(shown.contains(VISIBLE), "{shown}");
}

/// The generator reaches every placement, so the property checks each.
#[test]
fn the_generator_places_every_kind() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut seen = [0usize; PLACEMENTS];
    for _ in 0..600 {
        let p = placement()
            .new_tree(&mut runner)
            .expect("a placement")
            .current();
        seen[p.index()] += 1;
    }
    assert!(seen.iter().all(|&n| n >= 20), "placements seen: {seen:?}");
}

#[test]
fn the_listed_cases() {
    let cfg = Loader::new()
        .defaults_toml(format!(
            "[[dbs]]\nhost = 'h'\npassword = '{CANARY}'\n[x]\nlit = \"{{'token': '{CANARY}'}}\"\nurls = ['postgresql://u:{CANARY}@h/db', 'plain']\n"
        ))
        .env_prefix("PREFECT")
        .env_vars([(
            "PREFECT__CONTEXT",
            format!("{{'secrets': {{'A': '{CANARY}'}}}}"),
        )])
        .load()
        .unwrap();
    assert_eq!(
        cfg.get_masked("dbs"),
        Some(json!([{"host": "h", "password": "********"}]))
    );
    assert_eq!(cfg.get_masked("x.urls"), Some(json!(["********", "plain"])));
    assert_eq!(cfg.get_masked("x.lit.token"), Some(json!("********")));
    assert!(cfg.is_sensitive("x.lit") && cfg.is_sensitive("x.lit.token"));
    assert!(cfg.is_sensitive("context.secrets.A") && !cfg.is_sensitive("dbs.0.host"));
    let why = cfg.explain("context.secrets.A").unwrap().redacted();
    assert_eq!(why.value(), &json!("********"));
    check_outputs(&cfg);
}

#[test]
fn the_key_rule_knows_every_spelling() {
    for key in CREDENTIAL_KEYS {
        assert!(is_sensitive_key(&format!("a.{key}")), "{key}");
    }
    for key in [
        "a.host",
        "a.primary_key_column",
        "a.tokens",
        "a.password_hint_url",
        "a.secrets",
    ] {
        assert!(!is_sensitive_key(key), "{key}");
    }
}

#[test]
fn a_reference_cycle_through_a_secret_names_no_secret_text() {
    // `z` reads the name of its next key out of a password.
    let err = Loader::new()
        .defaults_toml("[db]\npassword = 'x.secretname'\n[x]\nsecretname = '${z}'\n[top]\n")
        .env_prefix("PREFECT")
        .env_vars([("PREFECT__Z", "${${db.password}}")])
        .load()
        .unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(text.contains("cycle"), "{text}");
    assert!(!text.contains("secretname"), "{text}");
}

#[test]
fn figment_leaves_sensitive_values_out() {
    let cfg = Loader::new()
        .defaults_toml(format!(
            "[context.secrets]\nPORT = '{CANARY}'\n[server]\nport = 4200\n"
        ))
        .load()
        .unwrap();
    let figment = cfg.figment();
    let err = figment
        .extract_inner::<u16>("context.secrets.PORT")
        .unwrap_err();
    assert!(!format!("{err} {err:?}").contains(CANARY));
    assert_eq!(figment.extract_inner::<u16>("server.port").unwrap(), 4200);
}

/// Issue 22 item 2: the configuration's export leaves sensitive values out,
/// as the CLI's `env` does; the `_with_secrets` twin includes them.
#[test]
fn environment_exports_leave_secrets_out_unless_asked() {
    let cfg = Loader::new()
        .defaults_toml(format!(
            "[context.secrets]\nA = '{CANARY}'\n[db]\npassword = '{CANARY}'\nhost = 'h'\nempty_token = ''\n[x]\nlit = \"{{'token': '{CANARY}'}}\"\n"
        ))
        .load()
        .unwrap();
    let vars = cfg.to_environment_variables(None, "PREFECT");
    assert!(vars.values().all(|v| !v.contains(CANARY)), "{vars:?}");
    assert_eq!(vars["PREFECT__DB__HOST"], "h");
    assert_eq!(vars["PREFECT__DB__EMPTY_TOKEN"], "");
    let all = cfg.to_environment_variables_with_secrets(None, "PREFECT");
    assert_eq!(all["PREFECT__CONTEXT__SECRETS__A"], CANARY);
    assert_eq!(all["PREFECT__DB__PASSWORD"], CANARY);
    assert!(all["PREFECT__X__LIT"].contains(CANARY));
}

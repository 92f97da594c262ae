//! Errors, limits and secrets in error output.

mod common;

use common::TempFiles;
use prefect_config::config::{ConfigError, Limits, Loader, MAX_DEPTH, Source};

const CANARY: &str = "CANARY-s3cr3t-7f1d";

#[test]
fn toml_syntax_errors_name_the_file_line_and_column_without_the_line() {
    let files = TempFiles::new();
    let user = files.write(
        "user.toml",
        &format!("a = 1\n[context.secrets]\nTOKEN = \"{CANARY}\n"),
    );
    let err = Loader::new()
        .defaults_toml("")
        .user_file(&user)
        .load()
        .unwrap_err();
    let ConfigError::Syntax {
        origin,
        line,
        column,
        ..
    } = &err
    else {
        panic!("{err}")
    };
    assert_eq!(origin, &Source::UserFile(user.clone().into()));
    assert_eq!(*line, 3, "{err}");
    assert!(*column > 1, "{err}");
    let text = err.to_string();
    assert!(
        text.contains("user.toml") && text.contains("line 3"),
        "{text}"
    );
    assert!(!text.contains(CANARY) && !format!("{err:?}").contains(CANARY));
}

#[test]
fn reserved_keys_are_errors_naming_key_and_layer() {
    let files = TempFiles::new();
    let user = files.write("user.toml", "[server]\nkeys = 1\n");
    let err = Loader::new()
        .defaults_toml("[server]\nport = 1")
        .user_file(&user)
        .load()
        .unwrap_err();
    assert!(
        matches!(&err, ConfigError::InvalidKey { key, name, origin: Source::UserFile(_) }
        if key == "server.keys" && name == "keys"),
        "{err}"
    );

    let err = Loader::new()
        .defaults_toml("")
        .env_prefix("PREFECT")
        .env_vars([("PREFECT__X", "{'update': 1}")])
        .load()
        .unwrap_err();
    assert!(
        matches!(&err, ConfigError::InvalidKey { key, origin: Source::EnvVar(var), .. }
        if key == "x.update" && &**var == "PREFECT__X"),
        "{err}"
    );

    for ok in ["Keys", "get_x", "_get"] {
        assert!(
            Loader::new()
                .defaults_toml(format!("{ok} = 1"))
                .load()
                .is_ok(),
            "{ok} is allowed"
        );
    }
    assert!(Loader::new().defaults_toml("__class__ = 1").load().is_err());
}

#[test]
fn ten_thousand_nested_tables_fail_cleanly() {
    let header = format!("[{}]\nx = 1\n", vec!["t"; 10_000].join("."));
    let dotted = format!("{} = 1\n", vec!["t"; 10_000].join("."));
    let inline = format!("x = {}1{}\n", "{a = ".repeat(10_000), "}".repeat(10_000));
    for text in [header, dotted, inline] {
        let err = Loader::new().defaults_toml(text).load().unwrap_err();
        assert!(
            matches!(
                err,
                ConfigError::TooDeep {
                    limit: MAX_DEPTH,
                    ..
                } | ConfigError::Syntax { .. }
            ),
            "{err}"
        );
    }
}

#[test]
fn nesting_up_to_the_limit_loads_on_a_small_stack() {
    // Test threads have 2 MiB stacks; run on a smaller one to leave margin.
    // The TOML parser allows 80 levels per header or key; a header and a
    // dotted key together reach near our own limit.
    let handle = std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(|| {
            let header = vec!["t"; 30].join(".");
            let key = vec!["u"; MAX_DEPTH - 32].join(".");
            let toml = format!("[{header}]\n{key}.x = 'v'\n{key}.y = '${{{header}.{key}.x}}'\n");
            let env_key = format!("PREFECT{}__Z", "__E".repeat(MAX_DEPTH - 2));
            let cfg = Loader::new()
                .defaults_toml(toml)
                .env_prefix("PREFECT")
                .env_vars([(env_key, format!("{}1{}", "[".repeat(63), "]".repeat(63)))])
                .load()?;
            let mut copy = cfg.with_overrides(&serde_json::json!({"t": {"t": {"w": 1}}}));
            copy = copy.with_overrides(cfg.as_value());
            Ok::<_, ConfigError>((copy.leaves().count(), format!("{cfg:?}").len()))
        })
        .unwrap();
    let (leaves, _) = handle.join().unwrap().unwrap();
    assert_eq!(leaves, 4);
}

#[test]
fn a_ten_megabyte_value_loads_when_the_limit_allows_it() {
    let big = "x".repeat(10 * 1024 * 1024);
    let loader = Loader::new()
        .defaults_toml(format!("big = '{big}'\n"))
        .env_prefix("PREFECT")
        .env_vars([("PREFECT__LIST", format!("[{}]", "1,".repeat(1_000_000)))]);
    // By default a value is capped at 1 MiB.
    let err = loader.load().unwrap_err();
    assert!(matches!(err, ConfigError::TooLarge { .. }), "{err}");
    assert_eq!(err.key(), Some("big"));
    // The million-element list holds 32 MB: the tree budget must allow it too.
    let cfg = loader
        .limits(
            Limits::default()
                .max_value_bytes(16 << 20)
                .max_total_bytes(128 << 20),
        )
        .load()
        .unwrap();
    assert_eq!(
        cfg.get("big").and_then(|v| v.as_str()).map(str::len),
        Some(big.len())
    );
    assert_eq!(
        cfg.get("list").and_then(|v| v.as_array()).map(Vec::len),
        Some(1_000_000)
    );
}

#[test]
fn deeply_nested_literals_stay_text_instead_of_overflowing() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let cfg = Loader::new()
        .defaults_toml("")
        .env_prefix("PREFECT")
        .env_vars([("PREFECT__DEEP", deep.as_str())])
        .load()
        .unwrap();
    assert_eq!(
        cfg.get("deep").and_then(|v| v.as_str()).map(str::len),
        Some(deep.len())
    );
}

#[test]
fn no_error_or_debug_output_shows_a_secret() {
    let files = TempFiles::new();
    let user = files.write(
        "user.toml",
        &format!("[context.secrets]\nFROM_TOML = '{CANARY}'\nN = '{{\"k\": \"{CANARY}\"}}'\n"),
    );
    let loader = Loader::new()
        .defaults_toml("[server]\nport = 1")
        .user_file(&user)
        .env_prefix("PREFECT")
        .env_vars([("PREFECT__CONTEXT__SECRETS__FROM_ENV", CANARY)]);
    let cfg = loader.load().unwrap();
    assert!(!format!("{cfg:?}").contains(CANARY));
    assert!(
        format!("{cfg:?}").contains("FROM_TOML"),
        "names stay visible"
    );

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Secrets {
        #[serde(rename = "FROM_TOML")]
        from_toml: u32,
        #[serde(rename = "N")]
        nested: std::collections::HashMap<String, u8>,
    }
    let mut errors = vec![
        cfg.extract_at::<Secrets>("context.secrets").unwrap_err(),
        cfg.extract_at::<u8>("context.secrets.FROM_ENV")
            .unwrap_err(),
        cfg.extract_at::<bool>("context.secrets.FROM_TOML")
            .unwrap_err(),
    ];
    // Errors built while loading: a cycle, a reserved key, a syntax error,
    // an expansion loop, all next to the planted secrets.
    for toml in [
        format!(
            "[context.secrets]\nS = '{CANARY}${{context.secrets.a}}'\na = '${{context.secrets.S}}'"
        ),
        format!("[context.secrets]\nkeys = '{CANARY}'"),
        format!("[context.secrets]\nS = '{CANARY}"),
        format!("[context.secrets]\nS = '{CANARY}$LOOP'"),
    ] {
        errors.push(
            Loader::new()
                .defaults_toml(toml)
                .env_vars([("LOOP", "$LOOP$LOOP")])
                .load()
                .unwrap_err(),
        );
    }
    for err in &errors {
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains(CANARY), "{shown}");
    }
}

#[test]
fn a_variable_below_a_value_of_a_file_is_an_error_naming_all_three() {
    let files = TempFiles::new();
    let user = files.write("config.toml", "a = 1\n[b]\nc = 'x'\n");
    let err = Loader::new()
        .defaults_toml("")
        .user_file(&user)
        .env_prefix("PREFECT")
        .env_vars([("PREFECT__A__B", "2")])
        .load()
        .unwrap_err();
    match &err {
        ConfigError::EnvBelowValue { var, key, origin } => {
            assert_eq!((var.as_str(), key.as_str()), ("PREFECT__A__B", "a"));
            assert_eq!(origin.file(), Some(user.as_path()));
        }
        other => panic!("unexpected {other}"),
    }
    // A variable that replaces a table, or sets a new key in one, is fine.
    let cfg = Loader::new()
        .defaults_toml("")
        .user_file(&user)
        .env_prefix("PREFECT")
        .env_vars([("PREFECT__B", "1"), ("PREFECT__X__Y", "2")])
        .load()
        .unwrap();
    assert_eq!(cfg.get("b"), Some(&serde_json::json!(1)));
}

#[test]
fn a_value_where_task_defaults_need_a_table_is_an_error() {
    for (text, key) in [
        ("tasks = 1", "tasks"),
        ("[tasks]\ndefaults = 'x'", "tasks.defaults"),
    ] {
        let err = Loader::new()
            .defaults_toml(text)
            .task_defaults(true)
            .load()
            .unwrap_err();
        assert!(matches!(err, ConfigError::NotATable { .. }), "{err}");
        assert_eq!(err.key(), Some(key));
        assert_eq!(err.origin(), Some(&Source::DefaultsToml));
        // Without task defaults such a key is just a value.
        assert!(Loader::new().defaults_toml(text).load().is_ok());
    }
}

#[test]
fn toml_errors_at_the_end_of_a_file_without_a_final_newline_have_a_message() {
    let files = TempFiles::new();
    for (i, text) in [
        "[server]\nport = ",
        "x = [",
        "a = 'unterminated",
        "a = \"\"\"open",
        "[table",
        "a",
        "a.b.",
        "a = 1\nb = {",
        "a = 1\n[[",
    ]
    .into_iter()
    .enumerate()
    {
        let path = files.write(&format!("eof{i}.toml"), text);
        let err = Loader::new()
            .defaults_toml("")
            .user_file(&path)
            .load()
            .unwrap_err();
        let ConfigError::Syntax { message, line, .. } = &err else {
            panic!("{text:?}: {err}");
        };
        let message = message.trim();
        assert!(!message.is_empty(), "{text:?}: {err}");
        assert!(!message.ends_with(':'), "{text:?}: {err}");
        assert!(
            !err.to_string().trim_end().ends_with(':'),
            "{text:?}: {err}"
        );
        assert_eq!(*line, text.matches('\n').count() + 1, "{text:?}: {err}");
    }
}

#[test]
fn a_read_error_prints_its_cause_once_in_a_chain() {
    use std::error::Error;
    let files = TempFiles::new();
    let missing = files.dir.path().join("missing.toml");
    let err = Loader::new().defaults_file(&missing).load().unwrap_err();
    let cause = err
        .source()
        .expect("the I/O error is the source")
        .to_string();
    assert_eq!(
        err.to_string(),
        format!("cannot read `{}`", missing.display())
    );
    let mut chain = err.to_string();
    let mut next = err.source();
    while let Some(source) = next {
        chain.push_str(&format!(": {source}"));
        next = source.source();
    }
    assert_eq!(chain.matches(&cause).count(), 1, "{chain}");
    // `check` and its JSON carry the whole chain, once.
    let problems = Loader::new().defaults_file(&missing).check();
    let text = problems[0].to_string();
    assert_eq!(text.matches(&cause).count(), 1, "{text}");
    let json = serde_json::to_value(&problems[0]).unwrap();
    assert_eq!(
        json["message"].as_str().unwrap().matches(&cause).count(),
        1,
        "{json}"
    );
}

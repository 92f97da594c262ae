//! The secrets-directory layer.

mod common;

use common::TempFiles;
use prefect_config::config::{ConfigWarning, Loader, Source};
use serde_json::json;

const CANARY: &str = "CANARY-dir-51c2";

#[test]
fn each_file_becomes_a_secret_with_its_path_as_provenance() {
    let files = TempFiles::new();
    let token = files.write("secrets/GitHub_Token", &format!("{CANARY}\n"));
    files.write("secrets/JSON", "{\"a\": 1}\r\n");
    files.write("secrets/TWO_LINES", "x\n\n");
    files.write("secrets/.hidden", "skipped");
    let cfg = Loader::new()
        .defaults_toml("")
        .secrets_dir(files.path("secrets"))
        .load()
        .unwrap();
    assert_eq!(
        cfg.get("context.secrets"),
        Some(&json!({"GitHub_Token": CANARY, "JSON": "{\"a\": 1}", "TWO_LINES": "x\n"}))
    );
    assert_eq!(
        cfg.source_of("context.secrets.GitHub_Token"),
        Some(&Source::SecretsFile(token.into()))
    );
    assert!(!format!("{cfg:?}").contains(CANARY));
}

#[test]
fn values_are_taken_as_written_without_expansion_or_casting() {
    let files = TempFiles::new();
    files.write("s/PORT", "4200");
    files.write("s/DOLLAR", "$HOME");
    let cfg = Loader::new()
        .defaults_toml("")
        .secrets_dir(files.path("s"))
        .env_vars([("HOME", "/home/x")])
        .load()
        .unwrap();
    assert_eq!(cfg.get("context.secrets.PORT"), Some(&json!("4200")));
    assert_eq!(cfg.get("context.secrets.DOLLAR"), Some(&json!("$HOME")));
}

#[test]
fn the_layer_sits_above_toml_and_below_the_environment() {
    let files = TempFiles::new();
    files.write("s/A", "from dir");
    files.write("s/B", "from dir");
    let user = files.write(
        "user.toml",
        "[context.secrets]\nA = 'from toml'\nB = 'from toml'\nC = 'from toml'\n",
    );
    let cfg = Loader::new()
        .defaults_toml("")
        .user_file(&user)
        .secrets_dir(files.path("s"))
        .env_prefix("PREFECT")
        .env_vars([("PREFECT__CONTEXT__SECRETS__B", "from env")])
        .load()
        .unwrap();
    assert_eq!(
        cfg.get("context.secrets"),
        Some(&json!({"A": "from dir", "B": "from env", "C": "from toml"}))
    );
}

#[test]
fn the_standard_loader_finds_the_directory_by_variable_or_key() {
    let files = TempFiles::new();
    files.write("by_env/X", "1");
    files.write("by_key/Y", "2");
    let cfg = Loader::prefect()
        .env_vars([(
            "PREFECT__SECRETS_DIR",
            files.path("by_env").to_str().unwrap(),
        )])
        .load()
        .unwrap();
    assert_eq!(cfg.get("context.secrets"), Some(&json!({"X": "1"})));

    let user = files.write("user.toml", "secrets_dir = '$ROOT/by_key'\n");
    let cfg = Loader::prefect()
        .user_file(&user)
        .env_vars([("ROOT", files.dir.path().to_str().unwrap())])
        .load()
        .unwrap();
    assert_eq!(cfg.get("context.secrets"), Some(&json!({"Y": "2"})));
}

#[test]
fn bad_entries_are_reported_without_their_content() {
    let files = TempFiles::new();
    files.write("s/OK", "fine");
    files.write("s/sub/INNER", CANARY);
    std::fs::write(files.path("s/BINARY"), [0xff, 0xfe, b'C']).unwrap();
    let cfg = Loader::new()
        .defaults_toml("")
        .secrets_dir(files.path("s"))
        .load()
        .unwrap();
    assert_eq!(cfg.get("context.secrets"), Some(&json!({"OK": "fine"})));
    let problems: Vec<String> = cfg
        .warnings()
        .iter()
        .filter(|w| matches!(w, ConfigWarning::SecretsDir { .. }))
        .map(ToString::to_string)
        .collect();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems
            .iter()
            .any(|p| p.contains("sub") && p.contains("directory"))
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("BINARY") && p.contains("UTF-8"))
    );
    assert!(!problems.concat().contains(CANARY));

    let cfg = Loader::new()
        .defaults_toml("")
        .secrets_dir(files.path("missing"))
        .load()
        .unwrap();
    assert!(matches!(cfg.warnings(), [ConfigWarning::SecretsDir { .. }]));
}

#[cfg(unix)]
#[test]
fn unreadable_files_are_reported_not_fatal() {
    use std::os::unix::fs::PermissionsExt;
    let files = TempFiles::new();
    let locked = files.write("s/LOCKED", CANARY);
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let cfg = Loader::new()
        .defaults_toml("")
        .secrets_dir(files.path("s"))
        .load()
        .unwrap();
    // Root can read anything; either way loading must not fail.
    if std::fs::read(&locked).is_err() {
        assert!(cfg.get("context.secrets.LOCKED").is_none());
        assert!(
            cfg.warnings()
                .iter()
                .any(|w| w.to_string().contains("LOCKED"))
        );
    }
    assert!(
        !cfg.warnings()
            .iter()
            .any(|w| w.to_string().contains(CANARY))
    );
}

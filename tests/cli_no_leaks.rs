//! Issue 9, CLI side: with a canary set as a secret in every way, no command,
//! subcommand or output format prints it (stdout or stderr) unless the flag
//! that asks for it is given; `--show-secrets` does print it.
#![cfg(feature = "cli")]

mod common;

use std::path::PathBuf;
use std::process::{Command, Output};

use common::TempFiles;
use common::graphql::{Reply, Server};
use serde_json::{Value, json};

const DEFAULTS: &str = r#"
[server]
host = "localhost"

[server.database]
password = "CANARY-server-db"
connection_url = "postgresql://prefect:${server.database.password}@localhost/prefect"

[cloud]
api_key = ""
graphql = "http://127.0.0.1:9/graphql"

[db]
db_password = "CANARY-db-password"
dsn = "postgresql://app:CANARY-dsn@db.internal/app"
host = "db.internal"

[app]
derived = "prefix-${context.secrets.TOML_SECRET}"
via_var = "$PREFECT__CLOUD__API_KEY"
by_dir = "${context.secrets.DIR_SECRET}"
missing = "${app.nokey}"
plain = "visible-value"

[context]
flow_name = "visible-flow"
api_key = "CANARY-context-api-key"

[context.secrets]
TOML_SECRET = "CANARY-toml"
NEST = "CANARYnest"
REFERS = "CANARY-refers-${CANARYREFNAME}"
"#;

/// The run's setup: defaults, a user file, a secrets directory whose path
/// holds a newline and a shell command (item 10), and the environment.
struct Setup {
    files: TempFiles,
    defaults: PathBuf,
    secrets_dir: PathBuf,
}

impl Setup {
    fn new() -> Setup {
        let files = TempFiles::new();
        let defaults = files.write("defaults.toml", DEFAULTS);
        files.write(
            ".prefect/config.toml",
            "[server]\nhots = 'typo-value'\n[nested]\ny = \"${${context.secrets.NEST}}\"\n",
        );
        let secrets_dir = files.path("secrets\ntouch PWNED #");
        std::fs::create_dir_all(&secrets_dir).unwrap();
        std::fs::write(secrets_dir.join("DIR_SECRET"), "CANARY-dir${word}").unwrap();
        Setup {
            files,
            defaults,
            secrets_dir,
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_with(args, &[])
    }

    fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_prefect-config"))
            .arg("--defaults")
            .arg(&self.defaults)
            .args(args)
            .env_clear()
            .env("HOME", self.files.dir.path())
            .env("NO_COLOR", "1")
            .env("PREFECT__SECRETS_DIR", &self.secrets_dir)
            .env("PREFECT__CONTEXT__SECRETS__ENV_SECRET", "CANARY-env")
            .env("PREFECT__CLOUD__API_KEY", "CANARY-api-key")
            .envs(env.iter().copied())
            .current_dir(self.files.dir.path())
            .output()
            .expect("run prefect-config")
    }
}

fn text(output: &Output) -> String {
    format!(
        "{}\n--- stderr ---\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn assert_clean(args: &[&str], output: &Output) {
    let text = text(output);
    assert!(
        !text.to_lowercase().contains("canary"),
        "`prefect-config {}` printed a canary:\n{text}",
        args.join(" ")
    );
}

/// Every key path (tables included) of the loaded tree.
fn all_paths(setup: &Setup) -> Vec<String> {
    let out = setup.run(&["view", "--format", "json", "--show-secrets"]);
    assert!(out.status.success(), "{}", text(&out));
    let tree: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut paths = Vec::new();
    fn walk(value: &Value, path: &str, out: &mut Vec<String>) {
        if let Value::Object(map) = value {
            for (key, child) in map {
                let child_path = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                out.push(child_path.clone());
                walk(child, &child_path, out);
            }
        }
    }
    walk(&tree, "", &mut paths);
    paths
}

#[test]
fn show_secrets_reveals_every_canary() {
    // Guards the other tests: the canaries are loaded, and the flag shows them.
    let setup = Setup::new();
    let out = setup.run(&["view", "--format", "json", "--show-secrets"]);
    let shown = text(&out).to_lowercase();
    for canary in [
        "canary-server-db",
        "canary-db-password",
        "canary-dsn",
        "canary-toml",
        "canary-env",
        "canary-api-key",
        "canary-dir${word}",
        "canary-context-api-key",
    ] {
        assert!(shown.contains(canary), "{canary} not shown:\n{shown}");
    }
    let out = setup.run(&["get", "db.db_password", "--show-secrets"]);
    assert!(text(&out).contains("CANARY-db-password"));
}

/// Items 1 and 8: `view` in every format, at the root and below each table,
/// with and without sources; `get` and `get --json` of every key; `explain`
/// and `explain --json` of every table from the root down and every leaf.
#[test]
fn no_reading_command_prints_a_canary() {
    let setup = Setup::new();
    let mut runs: Vec<Vec<String>> = Vec::new();
    for format in ["toml", "json", "env"] {
        for sources in [false, true] {
            let mut args = vec!["view".to_owned(), "--format".into(), format.into()];
            if sources {
                args.push("--show-sources".into());
            }
            runs.push(args);
        }
    }
    let paths = all_paths(&setup);
    assert!(paths.len() > 25, "{paths:?}");
    for path in &paths {
        for format in ["toml", "json", "env"] {
            runs.push(vec![
                "view".into(),
                path.clone(),
                "--format".into(),
                format.into(),
            ]);
            runs.push(vec![
                "view".into(),
                path.clone(),
                "--format".into(),
                format.into(),
                "--show-sources".into(),
            ]);
        }
        runs.push(vec!["get".into(), path.clone()]);
        runs.push(vec!["get".into(), path.clone(), "--json".into()]);
        runs.push(vec!["explain".into(), path.clone()]);
        runs.push(vec!["explain".into(), path.clone(), "--json".into()]);
    }
    for args in [
        &["env"][..],
        &["env", "--include", "context"],
        &["env", "--include", "db.db_password"],
        &["sources"],
        &["sources", "--json"],
        &["validate"],
        &["secret", "list"],
        &["secret", "get", "TOML_SECRET"],
        &["secret", "get", "DIR_SECRET"],
        &["secret", "get", "ENV_SECRET"],
        &["secret", "exists", "TOML_SECRET"],
        &["secret", "get", "NOPE"],
        &["get", "db.db_passwrd"],
    ] {
        runs.push(args.iter().map(|a| a.to_string()).collect());
    }
    for args in &runs {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = setup.run(&args);
        assert_clean(&args, &out);
    }
    // Masked values are still marked as such.
    let out = setup.run(&["explain", "server"]);
    assert!(text(&out).contains("********"), "{}", text(&out));
}

/// `validate` of a broken user file: every diagnostic is clean.
#[test]
fn validate_prints_no_canary() {
    let setup = Setup::new();
    let broken = setup.files.write(
        "broken.toml",
        "[context.secrets]\nX = \"CANARY-unterminated\n",
    );
    let typo = setup.files.write(
        "typo.toml",
        "[server]\nhots = 'CANARY-typo'\n[cloud]\napi_keys = 'CANARY-k'\n",
    );
    for file in [&broken, &typo] {
        let args = ["validate", file.to_str().unwrap()];
        let out = setup.run(&args);
        assert_clean(&args, &out);
    }
}

/// Item 7 of the "one rule" list and item 10: `view --format env` leaves
/// sensitive variables out (as `env` does), and every line of its output,
/// sources included, is one `export` whatever a source path holds.
#[test]
fn view_env_leaves_secrets_out_and_quotes_every_label() {
    let setup = Setup::new();
    for args in [
        &["view", "--format", "env"][..],
        &["view", "--format", "env", "--show-sources"],
        &[
            "view",
            "--format",
            "env",
            "--show-sources",
            "--show-secrets",
        ],
        &["env"],
    ] {
        let out = setup.run(args);
        assert!(out.status.success(), "{}", text(&out));
        let stdout = String::from_utf8_lossy(&out.stdout);
        // What `eval "$(prefect-config ...)"` does: only assignments run.
        let shell = Command::new("sh")
            .arg("-c")
            .arg(format!("{stdout}\necho \"$PREFECT__APP__PLAIN\""))
            .env_clear()
            .current_dir(setup.files.dir.path())
            .output()
            .expect("run sh");
        assert!(shell.status.success(), "{args:?}: {}", text(&shell));
        assert_eq!(String::from_utf8_lossy(&shell.stdout), "visible-value\n");
        assert!(
            !setup.files.path("PWNED").exists(),
            "{args:?} ran a command from a source label:\n{stdout}"
        );
        if !args.contains(&"--show-secrets") {
            assert!(
                !stdout.contains("********"),
                "{args:?}: a mask as a value:\n{stdout}"
            );
            assert!(!stdout.contains("DB_PASSWORD"), "{stdout}");
            assert!(!stdout.contains("SECRETS__TOML_SECRET"), "{stdout}");
            assert!(
                stdout.contains("PREFECT__APP__PLAIN='visible-value'"),
                "{stdout}"
            );
            assert!(
                String::from_utf8_lossy(&out.stderr).contains("left out"),
                "{}",
                text(&out)
            );
        }
    }
    let out = setup.run(&[
        "view",
        "--format",
        "env",
        "--show-sources",
        "--show-secrets",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("PREFECT__DB__DB_PASSWORD='CANARY-db-password'"),
        "{stdout}"
    );
    assert!(stdout.contains("secrets\\ntouch PWNED #"), "{stdout}");
}

/// Cloud: a secret read from a server, and the insecure-URL warning.
#[test]
fn cloud_secrets_and_clear_text_warnings() {
    let setup = Setup::new();
    let server = Server::start(vec![
        Reply::json(json!({"data": {"secret_value": "CANARY-from-cloud"}})),
        Reply::json(json!({"data": {"secret_value": "CANARY-from-cloud"}})),
    ]);
    let env = [
        ("PREFECT__CLOUD__GRAPHQL", server.url.as_str()),
        ("PREFECT__CLOUD__USE_LOCAL_SECRETS", "false"),
    ];
    let args = ["secret", "get", "X", "--cloud"];
    let out = setup.run_with(&args, &env);
    assert!(out.status.success(), "{}", text(&out));
    assert_clean(&args, &out);
    let out = setup.run_with(&["secret", "get", "X", "--cloud", "--show"], &env);
    assert!(text(&out).contains("CANARY-from-cloud"), "{}", text(&out));

    // Item 11: an http:// endpoint on another host is refused, with a warning.
    let remote = [("PREFECT__CLOUD__GRAPHQL", "http://prefect.invalid/graphql")];
    let args = ["secret", "list", "--cloud"];
    let out = setup.run_with(&args, &remote);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning:") && stderr.contains("clear text"),
        "{stderr}"
    );
    assert!(stderr.contains("cloud.allow_insecure_http"), "{stderr}");
    assert_clean(&args, &out);
}

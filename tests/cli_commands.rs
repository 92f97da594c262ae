//! Every command, flag and exit status of `prefect-config`, run as a process
//! with a temporary home and an explicit environment.
#![cfg(feature = "cli")]

mod common;

use common::TempFiles;
use common::cli::{CANARY, cmd, user_file, with_defaults};
use predicates::prelude::*;
use serde_json::{Value, json};

fn json_of(out: &[u8]) -> Value {
    serde_json::from_slice(out).expect("JSON output")
}

#[test]
fn view_json_toml_env_and_subtree() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    let out = cmd(&files)
        .args(&d)
        .args(["view", "--format", "json"])
        .assert()
        .success();
    let v = json_of(&out.get_output().stdout);
    assert_eq!(v["server"]["endpoint"], "http://localhost:4200");
    let out = cmd(&files)
        .args(&d)
        .args(["view", "server"])
        .assert()
        .success();
    let t: toml::Table = String::from_utf8_lossy(&out.get_output().stdout)
        .parse()
        .unwrap();
    assert_eq!(t["server"]["port"].as_integer(), Some(4200));
    cmd(&files)
        .args(&d)
        .args(["view", "server.port", "--format", "env"])
        .assert()
        .success()
        .stdout("export PREFECT__SERVER__PORT='4200'\n");
}

#[test]
fn view_show_sources_names_each_layer() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    files.write(".prefect/config.toml", "[server]\nport = 1\n");
    let out = cmd(&files)
        .args(&d)
        .args(["view", "server", "--show-sources", "--format", "json"])
        .env("PREFECT__SERVER__HOST", "h")
        .assert()
        .success();
    let items = json_of(&out.get_output().stdout);
    let by_key = |k: &str| {
        items
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["key"] == k)
            .unwrap()
            .clone()
    };
    assert_eq!(
        by_key("server.host")["source"],
        json!({"layer": "env", "var": "PREFECT__SERVER__HOST"})
    );
    assert_eq!(by_key("server.port")["source"]["layer"], "user");
    assert_eq!(by_key("server.endpoint")["source"]["layer"], "defaults");
    cmd(&files)
        .args(&d)
        .args(["view", "server", "--show-sources", "--format", "env"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "export PREFECT__SERVER__PORT='1'  # ",
        ));
}

#[test]
fn view_masks_credentials_and_values_built_from_them_unless_asked() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    let out = cmd(&files)
        .args(&d)
        .args(["view", "server.database", "--format", "json"])
        .assert()
        .success();
    let v = json_of(&out.get_output().stdout);
    assert_eq!(
        v,
        json!({"password": "********", "connection_url": "********"})
    );
    let out = cmd(&files)
        .args(&d)
        .args([
            "view",
            "server.database",
            "--format",
            "json",
            "--show-secrets",
        ])
        .assert()
        .success();
    assert_eq!(json_of(&out.get_output().stdout)["password"], "db-pw");
    // An unset credential stays visibly unset.
    cmd(&files)
        .args(&d)
        .args(["get", "cloud.api_key"])
        .assert()
        .success()
        .stdout("\n");
}

#[test]
fn get_prints_one_value_or_fails_with_suggestions() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    cmd(&files)
        .args(&d)
        .args(["get", "server.port"])
        .assert()
        .success()
        .stdout("4200\n");
    cmd(&files)
        .args(&d)
        .args(["get", "server.host"])
        .assert()
        .success()
        .stdout("http://localhost\n");
    cmd(&files)
        .args(&d)
        .args(["get", "server.port", "--json"])
        .assert()
        .success()
        .stdout("4200\n");
    cmd(&files)
        .args(&d)
        .args(["get", "server.prot"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(
            predicate::str::contains("no key `server.prot`")
                .and(predicate::str::contains("`server.port`")),
        );
}

#[test]
fn explain_json_lists_layers_steps_and_winner() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    files.write(".prefect/config.toml", "[server]\nport = '8080'\n");
    let out = cmd(&files)
        .args(&d)
        .args(["explain", "server.endpoint", "--json"])
        .assert()
        .success();
    let v = json_of(&out.get_output().stdout);
    assert_eq!(v["layers"][0]["raw"], "${server.host}:${server.port}");
    let step = &v["steps"][1];
    assert_eq!(
        (&step["step"], &step["value"], &step["reference"]),
        (
            &json!("reference"),
            &json!("http://localhost:8080"),
            &json!("server.port")
        )
    );
    // The referenced value and where it came from, as the load recorded them.
    assert_eq!(step["referenced_value"], 8080);
    assert_eq!(step["referenced_source"]["layer"], "user");
    assert_eq!(v["value"], "http://localhost:8080");
    let out = cmd(&files)
        .args(&d)
        .args(["explain", "server.port", "--json"])
        .assert()
        .success();
    let v = json_of(&out.get_output().stdout);
    assert_eq!(v["layers"].as_array().unwrap().len(), 2);
    assert_eq!(v["layers"][1]["raw"], "8080");
    assert_eq!(v["source"]["layer"], "user");
    cmd(&files)
        .args(&d)
        .args(["explain", "nope"])
        .assert()
        .code(1);
}

#[test]
fn sources_lists_layers_and_env_var_names_only() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    let out = cmd(&files)
        .args(&d)
        .args(["sources", "--json"])
        .env("PREFECT__A", CANARY)
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(!text.contains(CANARY));
    let v: Value = serde_json::from_str(&text).unwrap();
    let layers: Vec<_> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["layer"].clone(), l["found"].clone()))
        .collect();
    assert_eq!(
        layers,
        [
            (json!("defaults"), json!(true)),
            (json!("user"), json!(false)),
            (json!("backend"), json!(false)),
            (json!("env"), json!(true))
        ]
    );
    assert_eq!(v[3]["env_vars"], json!(["PREFECT__A"]));
}

#[test]
fn sources_works_even_when_a_file_is_broken() {
    let files = TempFiles::new();
    files.write(".prefect/config.toml", "x = [");
    cmd(&files)
        .arg("sources")
        .assert()
        .success()
        .stdout(predicate::str::contains("(found)"));
}

#[test]
fn env_exports_load_back_to_the_same_configuration() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    files.write(
        ".prefect/config.toml",
        "[weird]\nquote = \"it's $HOME\"\nnum_text = \"'42'\"\nlist = [1, 'a']\n",
    );
    let out = cmd(&files)
        .args(&d)
        .args(["env", "--show-secrets"])
        .assert()
        .success();
    let exports = files.write(
        "exports.sh",
        &String::from_utf8_lossy(&out.get_output().stdout),
    );
    let before = cmd(&files)
        .args(&d)
        .args(["view", "--format", "json", "--show-secrets"])
        .assert()
        .success();
    // Load the exports in a shell with no config files at all, then view again.
    let bin = assert_cmd::cargo::cargo_bin("prefect-config");
    files.write("bare.toml", "[context.secrets]\n");
    let after = std::process::Command::new("sh")
        .env_clear()
        .env("HOME", files.dir.path())
        .args(["-c", ". \"$1\" && exec \"$2\" --defaults \"$3\" --user \"$3\" view --format json --show-secrets", "sh"])
        .arg(&exports)
        .arg(&bin)
        .arg(files.path("bare.toml"))
        .output()
        .unwrap();
    assert!(after.status.success(), "{after:?}");
    let before = json_of(&before.get_output().stdout);
    let after = json_of(&after.stdout);
    assert_eq!(before, after);
}

#[test]
fn env_include_prefix_and_secrets() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    cmd(&files)
        .args(&d)
        .args([
            "env",
            "--include",
            "server.port",
            "--include",
            "debug",
            "--prefix",
            "APP",
        ])
        .assert()
        .success()
        .stdout("export APP__DEBUG='False'\nexport APP__SERVER__PORT='4200'\n");
    cmd(&files)
        .args(&d)
        .args(["env", "--include", "server.database"])
        .assert()
        .success()
        .stdout("")
        .stderr(predicate::str::contains("2 secret values were left out"));
    cmd(&files)
        .args(&d)
        .args(["env", "--include", "nope"])
        .assert()
        .code(1);
}

#[test]
fn validate_reports_positions_and_exit_status() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    let clean = files.write("clean.toml", "[server]\nport = 1\n");
    cmd(&files)
        .args(&d)
        .arg("validate")
        .arg(&clean)
        .assert()
        .success()
        .stdout("");

    let bad = files.write(
        "bad.toml",
        "[server]\nkeys = 1\n\n[a.__class__]\nb = '${nope.key}'\n",
    );
    cmd(&files)
        .args(&d)
        .arg("validate")
        .arg(&bad)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "bad.toml:2:1: error: invalid key `server.keys`",
        ))
        .stdout(predicate::str::contains(
            "bad.toml:4:4: error: invalid key `a.__class__`",
        ));

    let syntax = files.write("syntax.toml", "a = 1\nb = [\n");
    cmd(&files)
        .args(&d)
        .arg("validate")
        .arg(&syntax)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "syntax.toml:2:6: error: TOML syntax error",
        ));

    let cycle = files.write("cycle.toml", "x = 1\n[c]\na = '${c.b}'\nb = '${c.a}'\n");
    cmd(&files)
        .args(&d)
        .arg("validate")
        .arg(&cycle)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "cycle.toml:3:1: error: reference cycle between keys: c.a -> c.b -> c.a",
        ));

    // A reserved key does not hide a cycle: both are reported.
    let both = files.write("both.toml", "[c]\nkeys = 1\na = '${c.b}'\nb = '${c.a}'\n");
    cmd(&files)
        .args(&d)
        .arg("validate")
        .arg(&both)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "both.toml:2:1: error: invalid key `c.keys`",
        ))
        .stdout(predicate::str::contains(
            "error: reference cycle between keys",
        ));

    let missing = files.write("missing.toml", "\n[server]\nurl = '${server.nope}/x'\n");
    cmd(&files)
        .args(&d)
        .arg("validate")
        .arg(&missing)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "missing.toml:3:1: warning: reference `${server.nope}`",
        ));
}

#[test]
fn validate_without_files_checks_the_loaded_files() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    files.write(".prefect/config.toml", "[x]\nitems = 1\n");
    cmd(&files)
        .args(&d)
        .arg("validate")
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            ".prefect/config.toml:2:1: error: invalid key `x.items`",
        ));
}

#[cfg(unix)]
#[test]
fn init_writes_the_defaults_privately_and_refuses_to_overwrite() {
    let files = TempFiles::new();
    let path = user_file(&files);
    cmd(&files).args(["init", "--full"]).assert().success();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        prefect_config::config::EMBEDDED_DEFAULTS
    );
    assert_eq!(common::cli::mode(&path), 0o600);
    std::fs::write(&path, "# mine\n").unwrap();
    cmd(&files)
        .arg("init")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--force"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "# mine\n");
    let d = with_defaults(&files);
    cmd(&files)
        .args(&d)
        .args(["init", "--full", "--force"])
        .assert()
        .success();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        common::cli::DEFAULTS
    );
    // --user and $PREFECT__USER_CONFIG_PATH choose the path.
    let other = files.path("elsewhere/u.toml");
    cmd(&files)
        .env("PREFECT__USER_CONFIG_PATH", &other)
        .arg("init")
        .assert()
        .success();
    assert!(other.is_file());
}

#[test]
fn secret_get_exists_list_set_locally() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    files.write(
        ".prefect/config.toml",
        "# keep me\n[server] # and me\nport = 1\n",
    );
    common::cli::chmod(&user_file(&files), 0o600);
    cmd(&files)
        .args(&d)
        .args(["secret", "set", "DB", CANARY])
        .assert()
        .success()
        .stdout("");
    cmd(&files)
        .args(&d)
        .args(["secret", "set", "JSON"])
        .write_stdin("{\"a\": [1]}\n")
        .assert()
        .success();
    let text = std::fs::read_to_string(user_file(&files)).unwrap();
    assert!(
        text.starts_with("# keep me\n[server] # and me\nport = 1\n"),
        "{text}"
    );
    cmd(&files)
        .args(&d)
        .args(["secret", "get", "DB"])
        .assert()
        .success()
        .stdout("********\n");
    cmd(&files)
        .args(&d)
        .args(["secret", "get", "DB", "--show"])
        .assert()
        .success()
        .stdout(format!("{CANARY}\n"));
    cmd(&files)
        .args(&d)
        .args(["secret", "get", "JSON", "--show"])
        .assert()
        .success()
        .stdout("{\"a\":[1]}\n");
    cmd(&files)
        .args(&d)
        .args(["secret", "get", "NOPE"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "Local Secret \"NOPE\" was not found.",
        ));
    cmd(&files)
        .args(&d)
        .args(["secret", "exists", "DB"])
        .assert()
        .success()
        .stdout("");
    cmd(&files)
        .args(&d)
        .args(["secret", "exists", "NOPE"])
        .assert()
        .code(1)
        .stdout("");
    cmd(&files)
        .args(&d)
        .args(["secret", "list"])
        .env("PREFECT__CONTEXT__SECRETS__FromEnv", "x")
        .assert()
        .success()
        .stdout("DB\nJSON\nFromEnv\n");
}

#[test]
fn secret_cloud_fails_cleanly_without_an_api_key() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    for args in [
        &["secret", "list", "--cloud"][..],
        &["secret", "get", "X", "--cloud"],
        &["secret", "set", "X", "v", "--cloud"],
    ] {
        cmd(&files)
            .args(&d)
            .args(args)
            .assert()
            .code(1)
            .stderr(predicate::str::contains("prefect-config: error:"));
    }
}

#[cfg(unix)]
#[test]
fn warns_when_a_file_with_secrets_is_readable_by_others() {
    let files = TempFiles::new();
    let path = files.write(
        ".prefect/config.toml",
        &format!("[context.secrets]\nA = '{CANARY}'\n"),
    );
    common::cli::chmod(&path, 0o644);
    cmd(&files)
        .args(["get", "debug"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "holds secrets and is readable by group or others",
        ));
    common::cli::chmod(&path, 0o600);
    cmd(&files)
        .args(["get", "debug"])
        .assert()
        .success()
        .stderr("");
}

#[test]
fn usage_errors_exit_2_and_help_has_examples() {
    let files = TempFiles::new();
    cmd(&files)
        .args(["view", "--format", "yaml"])
        .assert()
        .code(2);
    cmd(&files).arg("frobnicate").assert().code(2);
    cmd(&files).args(["secret"]).assert().code(2);
    for command in [
        "view", "get", "explain", "sources", "env", "validate", "init",
    ] {
        cmd(&files)
            .args([command, "--help"])
            .assert()
            .success()
            .stdout(predicate::str::contains("Example"));
    }
    for command in ["get", "exists", "list", "set"] {
        cmd(&files)
            .args(["secret", command, "--help"])
            .assert()
            .success()
            .stdout(predicate::str::contains("Example"));
    }
}

#[test]
fn no_color_codes_off_a_terminal_or_with_no_color() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    for args in [
        &["view", "--show-sources"][..],
        &["explain", "server.endpoint"],
        &["sources"],
    ] {
        for no_color in [None, Some("1")] {
            let mut c = cmd(&files);
            if let Some(v) = no_color {
                c.env("NO_COLOR", v);
            }
            c.args(&d)
                .args(args)
                .assert()
                .success()
                .stdout(predicate::str::contains("\x1b[").not());
        }
    }
}

#[test]
fn explain_and_view_name_the_variable_that_chose_a_reference() {
    let files = TempFiles::new();
    let defaults = files.write(
        "prefect-like.toml",
        "backend = 'cloud'\n[server]\nendpoint = 'http://localhost:4200'\n[cloud]\nendpoint = 'https://api.prefect.io'\napi = '${${backend}.endpoint}'\n",
    );
    let explain = cmd(&files)
        .env("PREFECT__BACKEND", "server")
        .arg("--defaults")
        .arg(&defaults)
        .args(["explain", "cloud.api"])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&explain.get_output().stdout).into_owned();
    assert!(
        text.contains("${backend} = \"server\", from PREFECT__BACKEND"),
        "{text}"
    );
    assert!(text.contains("\"http://localhost:4200\""), "{text}");
    let view = cmd(&files)
        .env("PREFECT__BACKEND", "server")
        .arg("--defaults")
        .arg(&defaults)
        .args(["view", "cloud", "--show-sources"])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&view.get_output().stdout).into_owned();
    let api = text
        .lines()
        .find(|l| l.starts_with("api"))
        .unwrap_or_default();
    assert!(api.contains("${backend} from PREFECT__BACKEND"), "{text}");
}

#[test]
fn a_read_error_prints_its_cause_once() {
    let files = TempFiles::new();
    // A defaults file that is not UTF-8: it exists, but reading it fails.
    let bad = files.dir.path().join("defaults.toml");
    std::fs::write(&bad, b"a = '\xff\xfe'\n").unwrap();
    let bad_arg = bad.display().to_string();
    for command in [&["view"][..], &["validate"][..]] {
        let out = cmd(&files)
            .args(["--defaults", bad_arg.as_str()])
            .args(command)
            .assert()
            .failure();
        let output = out.get_output();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(
            text.matches("cannot read").count(),
            1,
            "{command:?}: {text}"
        );
        assert_eq!(text.matches("UTF-8").count(), 1, "{command:?}: {text}");
    }
}

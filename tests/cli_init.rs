//! `init`: a short commented template by default, every default with
//! `--full`, run as a process with a temporary home.
#![cfg(feature = "cli")]

mod common;

use common::TempFiles;
use common::cli::{cmd, user_file, with_defaults};

#[test]
fn init_writes_a_commented_template_that_loads_back_without_warnings() {
    let files = TempFiles::new();
    cmd(&files).arg("init").assert().success();
    let path = user_file(&files);
    let text = std::fs::read_to_string(&path).unwrap();
    #[cfg(unix)]
    assert_eq!(common::cli::mode(&path), 0o600);
    // The five layers in order, where secrets go, three examples; no values.
    let order = [
        "the defaults",
        "this file",
        "the backend file",
        "the secrets directory",
        "environment variables",
    ];
    let at: Vec<usize> = order
        .iter()
        .map(|layer| {
            text.find(layer)
                .unwrap_or_else(|| panic!("{layer}: {text}"))
        })
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{at:?}");
    assert!(text.contains("[context.secrets]"));
    assert!(
        text.lines()
            .all(|line| line.is_empty() || line.starts_with('#')),
        "{text}"
    );
    assert!(text.lines().count() < 40, "short: {text}");
    // Loads back clean: nothing to validate, nothing changed, no warning.
    cmd(&files)
        .arg("validate")
        .assert()
        .success()
        .stdout("")
        .stderr("prefect-config: no problems found\n");
    cmd(&files)
        .args(["view", "--changed"])
        .assert()
        .success()
        .stdout("")
        .stderr("prefect-config: note: no value differs from the defaults\n");
    // Its examples, uncommented, load too.
    let examples = text.split("# Three examples").nth(1).expect("examples");
    let uncommented: String = examples
        .lines()
        .skip(1)
        .map(|line| format!("{}\n", line.strip_prefix("# ").unwrap_or("")))
        .collect();
    files.write(".prefect/config.toml", &uncommented);
    cmd(&files)
        .arg("validate")
        .assert()
        .success()
        .stderr("prefect-config: no problems found\n");
    cmd(&files)
        .args(["get", "PREFECT__SERVER__PORT"])
        .assert()
        .success()
        .stdout("8080\n");
}

#[test]
fn init_full_writes_every_default() {
    let files = TempFiles::new();
    let path = user_file(&files);
    cmd(&files).args(["init", "--full"]).assert().success();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        prefect_config::config::EMBEDDED_DEFAULTS
    );
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
}

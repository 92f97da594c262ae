//! The real Prefect 0.15.13 reads a file written by `set KEY VALUE` as it
//! reads `PREFECT__KEY=VALUE`: same value, same Python type. Runs Python with
//! Prefect installed, so it is behind the `integration` feature (see
//! Cargo.toml); `.ci/run` installs `prefect==0.15.13` into a venv and names its
//! interpreter in `PREFECT_CONFIG_TEST_PYTHON`. A missing interpreter or
//! Prefect fails the test.
#![cfg(feature = "integration")]
#![cfg(feature = "cli")]

mod common;

use std::process::Command;

use common::TempFiles;
use common::cli::{cmd, user_file};

/// Texts as a user types them. Tuples and sets are left out: the environment
/// gives Python a tuple or set, a TOML array gives a list (the crate, which
/// has only JSON arrays, cannot tell them apart).
const TEXTS: &[&str] = &[
    "8080",
    "false",
    "FALSE",
    "True",
    "[1, 2]",
    "'x'",
    "\"'5'\"",
    "'True'",
    "\"'True'\"",
    "1.5",
    "-7",
    "0x1F",
    "1e5",
    "{'a': 1, 'b': [True, None]}",
    "{'k': 'None', 'n': {'m': '1'}}",
    "None",
    "[1, None]",
    "[[None], 'x']",
    "['True', '1']",
    "hello world",
    "",
    "''",
    "'[1, 2]'",
    "http://h:4200/x",
    "99999999999999999999",
];

/// Loads the user file, then each text from the environment alone, with
/// Prefect's `load_configuration`, and prints one line per key: `same`, or
/// both reprs.
const SCRIPT: &str = r#"
import json, os, sys
user, defaults, texts = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
home = os.path.dirname(defaults)
os.environ.clear()
os.environ["HOME"] = home
import prefect.configuration as pc
from_file = pc.load_configuration(defaults, user_config_path=user, env_var_prefix="PREFECT")
for i, text in enumerate(texts):
    os.environ.clear()
    os.environ.update({"HOME": home, "PREFECT__X__K%d" % i: text})
    from_env = pc.load_configuration(defaults, env_var_prefix="PREFECT")
    a, b = from_file.x["k%d" % i], from_env.x["k%d" % i]
    a, b = a.to_dict() if hasattr(a, "to_dict") else a, b.to_dict() if hasattr(b, "to_dict") else b
    print("same" if repr(a) == repr(b) else "file %r env %r" % (a, b))
"#;

#[test]
fn prefect_reads_what_set_wrote_as_the_environment_variable() {
    let python = std::env::var("PREFECT_CONFIG_TEST_PYTHON")
        .expect("PREFECT_CONFIG_TEST_PYTHON names a Python with prefect==0.15.13 (see .ci/run)");
    let files = TempFiles::new();
    let defaults = files.write("defaults.toml", "[x]\n");
    let mut args: Vec<String> = vec!["--defaults".into(), defaults.display().to_string()];
    args.push("set".into());
    for (i, text) in TEXTS.iter().enumerate() {
        args.push(format!("x.k{i}"));
        args.push((*text).to_owned());
    }
    cmd(&files).args(&args).assert().success();
    let texts = serde_json::to_string(TEXTS).unwrap();
    let out = Command::new(&python)
        .args(["-c", SCRIPT])
        .arg(user_file(&files))
        .arg(&defaults)
        .arg(&texts)
        .env_clear()
        .output()
        .unwrap_or_else(|e| panic!("cannot run `{python}`: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{python} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), TEXTS.len(), "{stdout}");
    let written = std::fs::read_to_string(user_file(&files)).unwrap();
    for (text, line) in TEXTS.iter().zip(&lines) {
        assert_eq!(*line, "same", "set x.k {text:?}; file:\n{written}");
    }
}

//! `completions SHELL`, `man`, and the hidden `__complete-keys` the scripts
//! call; the bash script is run by bash (Debian has it, as it has `script`).
#![cfg(feature = "cli")]
#![cfg(unix)]

mod common;

use std::process::Command;

use common::TempFiles;
use common::cli::{cmd, with_defaults};
use predicates::prelude::*;

const SUBCOMMANDS: [&str; 12] = [
    "view",
    "get",
    "explain",
    "sources",
    "env",
    "validate",
    "init",
    "set",
    "unset",
    "secret",
    "completions",
    "man",
];

fn script(files: &TempFiles, shell: &str) -> String {
    let out = cmd(files).args(["completions", shell]).assert().success();
    String::from_utf8(out.get_output().stdout.clone()).expect("UTF-8")
}

#[test]
fn every_shell_gets_a_script_naming_the_subcommands() {
    let files = TempFiles::new();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let text = script(&files, shell);
        assert!(text.len() > 1000, "{shell}: {text}");
        for sub in SUBCOMMANDS {
            assert!(text.contains(sub), "{shell} lacks `{sub}`");
        }
        for flag in ["show-secrets", "format", "color", "quiet"] {
            assert!(text.contains(flag), "{shell} lacks `{flag}`");
        }
    }
    cmd(&files)
        .args(["completions", "tcsh"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bash"));
}

#[test]
fn the_scripts_for_bash_zsh_and_fish_ask_for_key_names() {
    let files = TempFiles::new();
    for shell in ["bash", "zsh", "fish"] {
        let text = script(&files, shell);
        assert!(text.contains("__complete-keys"), "{shell}");
    }
    let zsh = script(&files, "zsh");
    assert_eq!(
        zsh.matches(":_prefect_config_keys' \\").count(),
        5,
        "get, explain, view, set, unset: {zsh}"
    );
}

#[test]
fn completions_work_without_a_loadable_configuration() {
    let files = TempFiles::new();
    files.write(".prefect/config.toml", "not = [toml\n");
    assert!(script(&files, "bash").contains("_prefect_config_keys"));
    cmd(&files).arg("man").assert().success();
}

#[test]
fn man_prints_a_roff_page() {
    let files = TempFiles::new();
    let out = cmd(&files).arg("man").assert().success();
    let page = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let first = page.lines().next().unwrap();
    assert!(first.starts_with('.'), "{first}");
    let header = page
        .lines()
        .take(5)
        .find(|l| l.starts_with(".TH "))
        .expect("a .TH header in the first lines");
    assert!(header.starts_with(".TH prefect-config 1"), "{header}");
    assert!(page.contains(".SH NAME"), "{page}");
    assert!(page.contains(".SH SYNOPSIS"), "{page}");
    assert!(page.contains("layered configuration"), "{page}");
    for sub in SUBCOMMANDS {
        assert!(page.contains(sub), "man lacks `{sub}`");
    }
    assert!(!page.contains("__complete-keys"));
}

#[test]
fn complete_keys_lists_tables_and_leaves_of_every_layer() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    files.write(".prefect/config.toml", "[extra]\nthing = 1\n");
    let out = cmd(&files)
        .args(&d)
        .arg("__complete-keys")
        .env("PREFECT__FROM_ENV", "x")
        .assert()
        .success()
        .stderr("");
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    let keys: Vec<&str> = text.lines().collect();
    for key in [
        "server",
        "server.port",
        "server.database.password",
        "extra.thing",
        "from_env",
    ] {
        assert!(keys.contains(&key), "{key}: {text}");
    }
    let server = keys.iter().position(|k| *k == "server").unwrap();
    let port = keys.iter().position(|k| *k == "server.port").unwrap();
    assert!(server < port);
    assert_eq!(keys.iter().filter(|k| **k == "server").count(), 1, "{text}");
    // Names only: no value is printed.
    assert!(!text.contains("db-pw"), "{text}");
    cmd(&files)
        .args(&d)
        .args(["__complete-keys", "server.d"])
        .assert()
        .success()
        .stdout("server.database\nserver.database.password\nserver.database.connection_url\n");
}

#[test]
fn complete_keys_falls_back_to_the_defaults_quietly() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    files.write(".prefect/config.toml", "[server\nport = 1\n");
    cmd(&files)
        .args(&d)
        .args(["__complete-keys", "server.p"])
        .assert()
        .success()
        .stdout("server.port\n")
        .stderr("");
}

/// What bash completes for `words` (the last one being completed), with
/// the script `completions bash` prints, calling the binary by its path.
fn bash_completes(files: &TempFiles, words: &[&str]) -> Vec<String> {
    let bin = env!("CARGO_BIN_EXE_prefect-config");
    let path = files.write("prefect-config.bash", &script(files, "bash"));
    let quoted: Vec<String> = std::iter::once(bin)
        .chain(words.iter().copied())
        .map(|w| format!("'{w}'"))
        .collect();
    let program = format!(
        r#"source '{}'
COMP_WORDS=({})
COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))
COMP_LINE="${{COMP_WORDS[*]}}"
_prefect_config_keys "${{COMP_WORDS[0]}}" "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
printf '%s\n' "${{COMPREPLY[@]}}"
"#,
        path.display(),
        quoted.join(" ")
    );
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &program])
        .env_clear()
        .env("HOME", files.dir.path())
        .env("PATH", "/usr/bin:/bin")
        .output()
        .expect("bash is installed");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn bash_completes_key_names_subcommands_and_flags() {
    let files = TempFiles::new();
    let defaults = with_defaults(&files);
    let defaults = defaults[1].as_str();
    files.write(".prefect/config.toml", "[extra]\nthing = 1\n");
    let d = ["--defaults", defaults];
    let keys = |words: &[&str]| {
        let all: Vec<&str> = d.iter().chain(words).copied().collect();
        bash_completes(&files, &all)
    };
    assert_eq!(keys(&["get", "server.p"]), ["server.port"]);
    assert_eq!(
        keys(&["explain", "server.database.p"]),
        ["server.database.password"]
    );
    assert_eq!(keys(&["view", "ext"]), ["extra", "extra.thing"]);
    assert_eq!(keys(&["unset", "extra.t"]), ["extra.thing"]);
    assert_eq!(keys(&["set", "-q", "server.h"]), ["server.host"]);
    assert_eq!(keys(&["env", "--include", "server.p"]), ["server.port"]);
    // `--user` on the line is passed on: that file's keys, not the home's.
    let other = files.write("other.toml", "[elsewhere]\nkey = 1\n");
    let other = other.display().to_string();
    assert_eq!(
        keys(&["--user", &other, "get", "e"]),
        ["elsewhere", "elsewhere.key"]
    );
    // Otherwise clap_complete's completions: subcommands, flags, values.
    assert_eq!(bash_completes(&files, &["comp"]), ["completions"]);
    assert_eq!(bash_completes(&files, &["get", "--f"]), ["--format"]);
    assert_eq!(
        bash_completes(&files, &["get", "server.port", "--format", "j"]),
        ["json"]
    );
    assert_eq!(bash_completes(&files, &["--color", "ne"]), ["never"]);
    assert_eq!(
        bash_completes(&files, &["secret", "get", "--show-s"]),
        ["--show-secrets"]
    );
    assert_eq!(bash_completes(&files, &["completions", "fi"]), ["fish"]);
    // No key names where none belong.
    assert!(keys(&["secret", "get", "server"]).is_empty());
}

/// A copy of the binary named `prefect-config` in a directory for `PATH`
/// (fish's script calls the command by that name).
fn bin_dir(files: &TempFiles) -> std::path::PathBuf {
    let dir = files.path("bin");
    std::fs::create_dir_all(&dir).unwrap();
    std::os::unix::fs::symlink(
        env!("CARGO_BIN_EXE_prefect-config"),
        dir.join("prefect-config"),
    )
    .unwrap();
    dir
}

/// What fish completes for `line` with the script `completions fish` prints.
fn fish_completes(files: &TempFiles, bin: &std::path::Path, line: &str) -> Vec<String> {
    let path = files.write("prefect-config.fish", &script(files, "fish"));
    let program = format!("source '{}'; complete -C '{line}'", path.display());
    let out = Command::new("fish")
        .args(["--no-config", "-c", &program])
        .env_clear()
        .env("HOME", files.dir.path())
        .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
        .output()
        .expect("fish is installed (.ci/run installs it)");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.split('\t').next().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn fish_completes_key_names() {
    let files = TempFiles::new();
    let bin = bin_dir(&files);
    files.write(".prefect/config.toml", "[extra]\nthing = 1\n");
    let other = files.write("other.toml", "[elsewhere]\nkey = 1\n");
    let other = other.display();
    let fish = |line: &str| fish_completes(&files, &bin, line);
    assert_eq!(fish("prefect-config get server.po"), ["server.port"]);
    assert_eq!(fish("prefect-config view extra.t"), ["extra.thing"]);
    assert_eq!(
        fish("prefect-config env --include server.po"),
        ["server.port"]
    );
    assert_eq!(
        fish(&format!("prefect-config --user {other} explain elsewhere.")),
        ["elsewhere.key"]
    );
    assert_eq!(fish("prefect-config comp"), ["completions"]);
    assert!(!fish("prefect-config secret get server.po").contains(&"server.port".to_owned()));
}

/// zsh: the function the script gives `_arguments` as the key arguments'
/// action, run with the line as `_prefect-config` keeps it and `compadd`
/// replaced by a printer.
#[test]
fn zsh_key_function_lists_the_keys_of_the_typed_files() {
    let files = TempFiles::new();
    let bin = bin_dir(&files);
    let path = files.write("_prefect-config", &script(&files, "zsh"));
    files.write(".prefect/config.toml", "[extra]\nthing = 1\n");
    let other = files.write("other.toml", "[elsewhere]\nkey = 1\n");
    let run = |line: &str| {
        let program = format!(
            "compdef() {{ :; }}; source '{}'; compadd() {{ shift; print -l -- ${{(P)1}}; }}; \
             _prefect_config_line=({line}); _prefect_config_keys",
            path.display()
        );
        let out = Command::new("zsh")
            .args(["-f", "-c", &program])
            .env_clear()
            .env("HOME", files.dir.path())
            .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
            .output()
            .expect("zsh is installed (.ci/run installs it)");
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let keys = run("prefect-config get server.p");
    assert!(keys.lines().any(|k| k == "server.port"), "{keys}");
    assert!(keys.lines().any(|k| k == "extra.thing"), "{keys}");
    let keys = run(&format!("prefect-config --user {} view e", other.display()));
    assert!(keys.lines().any(|k| k == "elsewhere.key"), "{keys}");
    assert!(!keys.lines().any(|k| k == "extra"), "{keys}");
    let keys = run(&format!("prefect-config --user={} view e", other.display()));
    assert!(keys.lines().any(|k| k == "elsewhere.key"), "{keys}");
}

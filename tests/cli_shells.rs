//! The completion scripts run in bash, zsh and fish: key names, subcommands
//! and flags complete, and a hostile key name never runs a command on TAB.
//! These run other programs, so they are behind the `integration` feature
//! (see Cargo.toml); a missing shell fails them.
#![cfg(feature = "integration")]
#![cfg(feature = "cli")]
#![cfg(unix)]

mod common;
#[path = "common/hostile_text.rs"]
mod hostile_text;

use std::process::Command;

use common::TempFiles;
use common::cli::{cmd, with_defaults};
use hostile_text::{PWNED, has_control, hit_rates, hostile_key};
use proptest::prelude::*;

fn script(files: &TempFiles, shell: &str) -> String {
    let out = cmd(files).args(["completions", shell]).assert().success();
    String::from_utf8(out.get_output().stdout.clone()).expect("UTF-8")
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
    let cwd = files.path("cwd");
    std::fs::create_dir_all(&cwd).unwrap();
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &program])
        .current_dir(&cwd)
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
    let cwd = files.path("cwd");
    std::fs::create_dir_all(&cwd).unwrap();
    let out = Command::new("fish")
        .args(["--no-config", "-c", &program])
        .current_dir(&cwd)
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

/// Writes a user file whose table `x` has `keys`, each set to 1.
fn user_file_with_keys(files: &TempFiles, keys: &[String]) {
    let mut x = toml::Table::new();
    for key in keys {
        x.insert(key.clone(), toml::Value::Integer(1));
    }
    let mut root = toml::Table::new();
    root.insert("x".into(), toml::Value::Table(x));
    files.write(".prefect/config.toml", &toml::to_string(&root).unwrap());
}

/// Each word as bash reads it when typed on a command line.
fn as_typed(files: &TempFiles, words: &[String]) -> Vec<String> {
    if words.is_empty() {
        return Vec::new();
    }
    let program = format!("printf '%s\\0' {}", words.join(" "));
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &program])
        .current_dir(files.path("cwd"))
        .env_clear()
        .output()
        .expect("bash is installed (.ci/run installs it)");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout)
        .split_terminator('\0')
        .map(str::to_owned)
        .collect()
}

fn pwned(files: &TempFiles) -> bool {
    files.path("cwd").join(PWNED).exists() || files.path(PWNED).exists()
}

/// Issue 19: a key `"$(touch${IFS}/tmp/x)"` ran when TAB was pressed after
/// `get x.`, because the key list went through `compgen -W`.
#[test]
fn a_command_in_a_key_name_does_not_run_on_tab() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    let key = format!("$(touch${{IFS}}{PWNED})");
    user_file_with_keys(&files, &[key.clone(), "plain".into()]);
    let words = bash_completes(&files, &[&d[0], &d[1], "get", "x."]);
    assert!(!pwned(&files), "TAB ran the key's command");
    assert_eq!(
        as_typed(&files, &words),
        [format!("x.{key}"), "x.plain".to_owned()]
    );
    assert!(!pwned(&files));
    // What was typed narrows the list, quoted as on the line.
    let words = bash_completes(&files, &[&d[0], &d[1], "get", r"x.\$"]);
    assert_eq!(as_typed(&files, &words), [format!("x.{key}")]);
    assert!(!pwned(&files));
}

#[test]
fn the_key_generator_is_hostile_often_enough() {
    let (control, expansion) = hit_rates(hostile_key());
    assert!(control > 300, "{control} of 1000 with a control character");
    assert!(
        expansion > 400,
        "{expansion} of 1000 with `$(`, a backtick or `${{`"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Hostile keys through bash's completion: nothing runs, each key
    /// without a control character is offered as a word that, typed, is
    /// that key, and the others are not offered at all.
    #[test]
    fn bash_completion_of_hostile_keys_runs_nothing(
        keys in proptest::collection::btree_set(hostile_key(), 1..4)
    ) {
        let files = TempFiles::new();
        let d = with_defaults(&files);
        let keys: Vec<String> = keys.into_iter().collect();
        user_file_with_keys(&files, &keys);
        let words = bash_completes(&files, &[&d[0], &d[1], "get", "x.k_"]);
        prop_assert!(!pwned(&files), "completion ran a command: {words:?}");
        let mut typed = as_typed(&files, &words);
        prop_assert!(!pwned(&files), "a completed word runs a command: {words:?}");
        let mut expected: Vec<String> = keys
            .iter()
            .filter(|k| !has_control(k))
            .map(|k| format!("x.{k}"))
            .collect();
        typed.sort();
        expected.sort();
        prop_assert_eq!(typed, expected);
        for word in &words {
            prop_assert!(!has_control(word), "{word:?}");
        }
    }
}

/// zsh and fish get the keys as they are (their completion quotes what it
/// inserts); a command in a key does not run in either.
#[test]
fn zsh_and_fish_do_not_run_a_command_in_a_key() {
    let files = TempFiles::new();
    let bin = bin_dir(&files);
    let key = format!("k_$(touch${{IFS}}{PWNED})`touch {PWNED}`");
    user_file_with_keys(&files, &[key.clone(), "k_\u{1b}]0;t\u{7}".to_owned()]);
    std::fs::create_dir_all(files.path("cwd")).unwrap();
    let fish = fish_completes(&files, &bin, "prefect-config get x.k");
    assert_eq!(fish, [format!("x.{key}")]);
    let path = files.write("_prefect-config", &script(&files, "zsh"));
    let program = format!(
        "compdef() {{ :; }}; source '{}'; compadd() {{ shift; print -l -- ${{(P)1}}; }}; \
         _prefect_config_line=(prefect-config get x.); _prefect_config_keys",
        path.display()
    );
    let out = Command::new("zsh")
        .args(["-f", "-c", &program])
        .current_dir(files.path("cwd"))
        .env_clear()
        .env("HOME", files.dir.path())
        .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
        .output()
        .expect("zsh is installed (.ci/run installs it)");
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(listed.lines().any(|l| l == format!("x.{key}")), "{listed}");
    assert!(!listed.contains('\u{1b}'), "{listed:?}");
    assert!(!pwned(&files));
}

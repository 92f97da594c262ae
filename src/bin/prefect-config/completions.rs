//! `completions SHELL`: clap_complete's script for the shell, with key-name
//! completion added for bash, zsh and fish; and the hidden `__complete-keys`
//! those additions call.
//!
//! clap_complete's own dynamic completion (`ArgValueCandidates`) is behind
//! its `unstable-dynamic` feature, so the scripts are clap_complete's static
//! ones plus a few lines that ask `prefect-config __complete-keys` for the
//! key paths of the configuration as loaded (embedded defaults, the user
//! and backend files, the environment; `--defaults`, `--user`, `--backend`
//! and `--env-prefix` typed on the line are passed on).

use clap::{Command, CommandFactory, ValueHint};
use clap_complete::Shell;
use prefect_config::config::{Config, Loader};
use prefect_config::render::{shell_word, terminal};

use crate::Failure;
use crate::cli::{Cli, CompleteKeysArgs, CompletionsArgs};
use crate::output::join;

/// The subcommands whose arguments are key paths, and those arguments' ids.
const KEY_ARGS: [(&str, &str); 5] = [
    ("get", "key"),
    ("explain", "key"),
    ("view", "path"),
    ("set", "pairs"),
    ("unset", "keys"),
];

/// The global options whose values `__complete-keys` needs to load the same
/// configuration as the command being typed.
const LOADER_OPTIONS: [&str; 4] = ["--defaults", "--user", "--backend", "--env-prefix"];

/// The end of the top-level `--help`.
pub const HELP: &str = "Shell completion (key names too): see `prefect-config completions --help`.\n\
     Man page: `prefect-config man`.";

/// How to install a script; the end of `completions --help`.
pub const INSTALL: &str = "Install (the script completes subcommands, flags and, in bash, zsh \
and fish, the key names of `get`, `explain`, `view`, `set` and `unset`):\n  \
bash:  prefect-config completions bash > ~/.local/share/bash-completion/completions/prefect-config\n  \
zsh:   prefect-config completions zsh > ~/.zfunc/_prefect-config   (with ~/.zfunc in $fpath)\n  \
fish:  prefect-config completions fish > ~/.config/fish/completions/prefect-config.fish\n  \
PowerShell:  prefect-config completions powershell | Out-String | Invoke-Expression";

/// Prints the completion script for `args.shell`.
pub fn run(args: &CompletionsArgs) -> Result<(), Failure> {
    crate::stdout::print(&script(args.shell))
}

/// The script for `shell`.
pub fn script(shell: Shell) -> String {
    let mut command = command_for_completion();
    let name = command.get_name().to_owned();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, &name, &mut out);
    let generated = String::from_utf8_lossy(&out).into_owned();
    match shell {
        Shell::Bash => bash_fixed(&generated) + &bash_keys(&command),
        Shell::Zsh => zsh_keys(&generated),
        Shell::Fish => generated + FISH_KEYS,
        _ => generated,
    }
}

/// The CLI with its key arguments marked `ValueHint::Other` (no file names
/// offered for them; in zsh, an empty action the hook below fills in).
fn command_for_completion() -> Command {
    let mut command = Cli::command();
    for (sub, arg) in KEY_ARGS {
        command =
            command.mut_subcommand(sub, |c| c.mut_arg(arg, |a| a.value_hint(ValueHint::Other)));
    }
    command
}

/// clap_complete's bash script for a name with a hyphen spells the states of
/// its subcommands two ways (`prefect__config__subcmd__get` when it walks the
/// words, `prefect__subcmd__config__subcmd__get` in the `case` arms), so no
/// subcommand's options ever complete (clap-rs/clap#6421, open for 4.6.11):
/// spell the arms as the walk does. A no-op once clap_complete is fixed.
fn bash_fixed(generated: &str) -> String {
    generated.replace("prefect__subcmd__config", "prefect__config")
}

/// bash: a function that completes key names after a key-taking subcommand
/// and otherwise hands over to clap_complete's `_prefect__config`.
fn bash_keys(command: &Command) -> String {
    let options = options_with_values(command);
    let with_values = options.join("|");
    // `SUB,PREV` patterns: the word before the cursor is an option's name.
    let after_option: Vec<String> = options.iter().map(|o| format!("*,{o}")).collect();
    let loader_options = LOADER_OPTIONS.join("|");
    let subcommands: Vec<&str> = KEY_ARGS.iter().map(|(sub, _)| *sub).collect();
    format!(
        r#"
# Key names for `get`, `explain`, `view`, `set`, `unset` and `env --include`,
# from `prefect-config __complete-keys` (added to clap_complete's script).
_prefect_config_keys() {{
    local cur="${{COMP_WORDS[COMP_CWORD]}}" prev="${{COMP_WORDS[COMP_CWORD-1]}}"
    local i word sub="" keys
    local -a loader=()
    for (( i = 1; i < COMP_CWORD; i++ )); do
        word="${{COMP_WORDS[i]}}"
        case "$word" in
            {loader_options})
                loader+=("$word" "${{COMP_WORDS[i+1]}}"); (( i++ )) ;;
            --defaults=*|--user=*|--backend=*|--env-prefix=*) loader+=("$word") ;;
            {with_values}) (( i++ )) ;;
            -*) ;;
            *) [[ -z "$sub" ]] && sub="$word" ;;
        esac
    done
    local want=0
    case "$sub,$prev" in
        env,--include) want=1 ;;
        {after_option}) ;;
        *) [[ " {subcommands} " == *" $sub "* ]] && want=1 ;;
    esac
    if [[ "$cur" != -* ]] && (( want )); then
        # `--bash`: each key quoted, so that compgen's expansion of its word
        # list gives the key back and runs nothing (compgen matches what was
        # typed, unquoted, against it); read line by line, so that no key is
        # split or globbed, and quoted again to be inserted on the line.
        keys="$("${{COMP_WORDS[0]}}" "${{loader[@]}}" __complete-keys --bash 2>/dev/null)"
        COMPREPLY=()
        while IFS= read -r word; do
            printf -v word '%q' "$word"
            COMPREPLY+=("$word")
        done < <(compgen -W "$keys" -- "$cur")
        return 0
    fi
    _prefect__config "$@"
}}

if [[ "${{BASH_VERSINFO[0]}}" -eq 4 && "${{BASH_VERSINFO[1]}}" -ge 4 || "${{BASH_VERSINFO[0]}}" -gt 4 ]]; then
    complete -F _prefect_config_keys -o nosort -o bashdefault -o default prefect-config
else
    complete -F _prefect_config_keys -o bashdefault -o default prefect-config
fi
"#,
        subcommands = subcommands.join(" "),
        after_option = after_option.join("|"),
    )
}

/// Every long and short option, of the CLI and its subcommands, that takes
/// a value (whose next word is therefore not a key or subcommand).
fn options_with_values(command: &Command) -> Vec<String> {
    let mut names = Vec::new();
    collect_options(command, &mut names);
    names.sort();
    names.dedup();
    names
}

fn collect_options(command: &Command, names: &mut Vec<String>) {
    for arg in command.get_arguments() {
        if arg.is_positional() || !arg.get_action().takes_values() {
            continue;
        }
        names.extend(arg.get_long().map(|l| format!("--{l}")));
        names.extend(arg.get_short().map(|s| format!("-{s}")));
    }
    for sub in command.get_subcommands() {
        collect_options(sub, names);
    }
}

/// zsh: each key argument's action calls `_prefect_config_keys`, defined at
/// the top of the script.
fn zsh_keys(generated: &str) -> String {
    let function = r#"
# Key names from `prefect-config __complete-keys` (added to clap_complete's script).
# `_arguments` shifts `words` for a subcommand, so the line as typed is kept
# in `_prefect_config_line` by `_prefect-config`.
_prefect_config_keys() {
    local -a keys loader line
    local i
    line=("${_prefect_config_line[@]}")
    for (( i = 2; i < ${#line}; i++ )); do
        case "${line[i]}" in
            --defaults|--user|--backend|--env-prefix) loader+=("${line[i]}" "${line[i+1]}") ;;
            --defaults=*|--user=*|--backend=*|--env-prefix=*) loader+=("${line[i]}") ;;
        esac
    done
    keys=(${(f)"$("${line[1]}" "${loader[@]}" __complete-keys 2>/dev/null)"})
    compadd -a keys
}
"#;
    let mut out = String::with_capacity(generated.len() + function.len());
    for line in generated.lines() {
        if let Some(spec) = zsh_key_spec(line) {
            out.push_str(spec);
            out.push_str("_prefect_config_keys' \\");
        } else {
            out.push_str(line);
        }
        out.push('\n');
        if line.starts_with("#compdef") {
            out.push_str(function);
        }
        if line.trim() == r#"local context curcontext="$curcontext" state line"# {
            out.push_str("    local -a _prefect_config_line=(\"${words[@]:0:$CURRENT}\")\n");
        }
    }
    out
}

/// A marked argument's line in clap_complete's zsh script, such as
/// `':key -- A dotted key path:' \`, up to its empty action; `None` for
/// any other line.
fn zsh_key_spec(line: &str) -> Option<&str> {
    let spec = line.strip_suffix(":' \\")?;
    let name = spec.trim_start_matches(['\'', '*', ':']);
    let (id, _) = name.split_once(" -- ")?;
    KEY_ARGS
        .iter()
        .any(|(_, arg)| *arg == id)
        .then_some(&line[..spec.len() + 1])
}

/// fish: key names after a key-taking subcommand (not `secret set`) and as
/// the value of `env --include` (an option's value completes only from that
/// option's own list in fish).
const FISH_KEYS: &str = r#"
# Key names from `prefect-config __complete-keys` (added to clap_complete's script).
function __prefect_config_keys
    set -l words (commandline -opc)
    set -l loader
    set -l i 2
    while test $i -le (count $words)
        switch $words[$i]
            case --defaults --user --backend --env-prefix
                set -a loader $words[$i] $words[(math $i + 1)]
                set i (math $i + 1)
            case '--defaults=*' '--user=*' '--backend=*' '--env-prefix=*'
                set -a loader $words[$i]
        end
        set i (math $i + 1)
    end
    $words[1] $loader __complete-keys 2>/dev/null
end
complete -c prefect-config -n "__fish_seen_subcommand_from get explain view set unset; and not __fish_seen_subcommand_from secret" -f -a "(__prefect_config_keys)"
complete -c prefect-config -n "__fish_seen_subcommand_from env" -l include -r -f -a "(__prefect_config_keys)"
"#;

/// `__complete-keys [--bash] [PREFIX]`: every key path (tables and leaves)
/// of the configuration `loader` loads, or of its defaults alone when it
/// does not load, one a line; nothing on stderr (a completion must not print
/// over the prompt).
///
/// A key that holds a control character (a newline, ESC) or a bidi control
/// is left out: no shell's completion can show or insert it safely, and the
/// list is one key a line. zsh's `compadd` and fish quote what they insert,
/// so they get the keys as they are; bash gets each as [`shell_word`]`(key)`,
/// which its `compgen -W` expands (quoting honoured) to the key, running
/// nothing; the script quotes it again to insert it.
pub fn keys(
    loader: &Loader,
    defaults: Option<&std::path::Path>,
    args: &CompleteKeysArgs,
) -> Result<(), Failure> {
    let config = loader.load().or_else(|_| {
        let only_defaults = match defaults {
            Some(path) => Loader::new().defaults_file(path),
            None => Loader::new().embedded_defaults(),
        };
        only_defaults.load()
    });
    let Ok(config) = config else { return Ok(()) };
    let mut out = String::new();
    for key in key_paths(&config) {
        if !key.starts_with(&args.prefix) || terminal(&key) != key.as_str() {
            continue;
        }
        if args.bash {
            out.push_str(&shell_word(&key));
        } else {
            out.push_str(&key);
        }
        out.push('\n');
    }
    crate::stdout::print(&out)
}

/// The path of every table and leaf, tables before what they hold, each once.
fn key_paths(config: &Config) -> Vec<String> {
    let mut paths: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (path, _, _) in config.leaves() {
        let mut prefix = String::new();
        for part in path.split('.') {
            prefix = join(&prefix, part);
            if seen.insert(prefix.clone()) {
                paths.push(prefix.clone());
            }
        }
    }
    paths
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_paths_list_tables_and_leaves_once() {
        let config = Loader::new()
            .defaults_toml("a = 1\n[b]\nc = 2\nd = 3\n")
            .load()
            .unwrap();
        assert_eq!(key_paths(&config), ["a", "b", "b.c", "b.d"]);
    }

    #[test]
    fn every_key_argument_is_marked() {
        let command = command_for_completion();
        for (sub, arg) in KEY_ARGS {
            let sub = command.find_subcommand(sub).unwrap();
            let arg = sub.get_arguments().find(|a| a.get_id() == arg).unwrap();
            assert!(arg.is_positional());
            assert_eq!(arg.get_value_hint(), ValueHint::Other);
        }
    }

    #[test]
    fn zsh_key_arguments_call_the_function() {
        let script = script(Shell::Zsh);
        let calls = script
            .lines()
            .filter(|l| l.contains(":_prefect_config_keys' \\"))
            .count();
        assert_eq!(calls, KEY_ARGS.len(), "{script}");
        assert!(script.contains("_prefect_config_keys() {"));
        // The line as typed is kept before `_arguments` shifts it.
        assert_eq!(script.matches("local -a _prefect_config_line=").count(), 1);
    }

    #[test]
    fn options_with_values_exclude_flags() {
        let names = options_with_values(&Cli::command());
        assert!(names.contains(&"--defaults".to_owned()));
        assert!(names.contains(&"--format".to_owned()));
        assert!(!names.contains(&"--show-secrets".to_owned()));
        assert!(!names.contains(&"--quiet".to_owned()));
    }
}

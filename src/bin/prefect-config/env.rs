//! `env`: the configuration as `export NAME='value'` lines.

use prefect_config::Value;
use prefect_config::config::{Config, Layers, env_var_key};

use crate::Failure;
use crate::changed;
use crate::cli::EnvArgs;
use crate::keys;
use prefect_config::render::{is_shell_name, shell_quote, terminal};

use crate::output::Masker;

pub fn run(layers: &Layers, args: &EnvArgs, default_prefix: &str) -> Result<(), Failure> {
    let config = layers.config();
    let prefix = args.prefix.as_deref().unwrap_or(default_prefix);
    let include: Vec<String> = args
        .include
        .iter()
        .map(|key| keys::typed(key, default_prefix))
        .collect();
    for key in &include {
        if !config.contains(key) {
            return Err(crate::missing_key(config, key));
        }
    }
    let masker = Masker::new(layers, args.show_secrets);
    // An included table stands for every leaf under it.
    let leaves: Vec<(String, &Value)> = config
        .leaves()
        // What a container needs: the values set above the defaults (those
        // the defaults compute from them are computed again on load).
        .filter(|(_, _, source)| !args.changed || !changed::is_default(source))
        .map(|(key, value, _)| (key, value))
        .filter(|(key, _)| {
            include.is_empty()
                || include
                    .iter()
                    .any(|inc| key == inc || key.starts_with(&format!("{inc}.")))
        })
        .collect();
    let (hidden, shown): (Vec<_>, Vec<_>) = leaves.iter().partition(|(key, _)| masker.hides(key));
    let shown: Vec<(&str, &Value)> = shown.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    let (out, left_out) = exports(config, &shown, prefix, &|_| None);
    crate::stdout::print(&out)?;
    note_hidden(hidden.len());
    warn_left_out(&left_out);
    Ok(())
}

/// `export NAME='value'` lines for `leaves` (key and value), each followed
/// by the comment `suffix` gives (already styled), and the warnings for the
/// keys left out because their variable would not load back as them.
pub fn exports(
    config: &Config,
    leaves: &[(&str, &Value)],
    prefix: &str,
    suffix: &dyn Fn(&str) -> Option<String>,
) -> (String, Vec<String>) {
    let mut out = String::new();
    let mut left_out = Vec::new();
    for &(key, value) in leaves {
        // One look-up per key: asking for all variables with an `include`
        // of one key walks the whole configuration each time.
        let why = match config.to_environment_variable(key, prefix) {
            None => Err("a part of it holds a dot, so no variable name can spell it".to_owned()),
            Some((name, text)) => match cannot_travel(config, key, value, &name, prefix) {
                Some(why) => Err(why),
                None => Ok((name, text)),
            },
        };
        let (name, text) = match why {
            Ok(var) => var,
            Err(why) => {
                left_out.push(format!(
                    "key `{}` cannot travel as an environment variable: {why}; left out",
                    terminal(key)
                ));
                continue;
            }
        };
        // Every byte quoted: `eval` of the line only assigns. On a
        // terminal the quoted value is escaped too (nobody evals a screen).
        let quoted = shell_quote(&text);
        out.push_str(&format!("export {name}={}", crate::stdout::shown(&quoted)));
        if let Some(comment) = suffix(key) {
            out.push_str(&comment);
        }
        out.push('\n');
    }
    (out, left_out)
}

/// Why the variable `name` made for the leaf `key` would not set that leaf
/// again when loaded (the library's rule reads it back), or cannot be
/// exported by a shell; `None` when it travels.
fn cannot_travel(
    config: &Config,
    key: &str,
    value: &Value,
    name: &str,
    prefix: &str,
) -> Option<String> {
    let name_shown = terminal(name);
    match env_var_key(prefix, name) {
        None => Some(format!(
            "`{name_shown}` has an empty part, which the loader rejects"
        )),
        Some(back) if back != key => Some(format!(
            "`{name_shown}` would load back as `{}` (only secret names under `context.secrets` keep upper-case letters)",
            terminal(&back)
        )),
        // The dotted key does not lead back to this leaf: one of its parts
        // holds a dot (or is empty), which no variable name can spell.
        _ if config.get(key) != Some(value) => Some(format!(
            "a part of it holds a dot, so `{name_shown}` would set another key"
        )),
        _ if !is_shell_name(name) => {
            Some(format!("`{name_shown}` is not a valid shell variable name"))
        }
        _ => None,
    }
}

/// Warns on stderr about each key `exports` left out.
pub fn warn_left_out(warnings: &[String]) {
    for warning in warnings {
        crate::style::warning(warning);
    }
}

/// Tells on stderr how many sensitive values were left out, if any.
pub fn note_hidden(hidden: usize) {
    if hidden > 0 {
        crate::style::note(format_args!(
            "{hidden} secret value{} left out; pass --show-secrets to include {}",
            if hidden == 1 { " was" } else { "s were" },
            if hidden == 1 { "it" } else { "them" },
        ));
    }
}

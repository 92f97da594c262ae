//! `env`: the configuration as `export NAME='value'` lines.

use prefect_config::config::Layers;

use crate::Failure;
use crate::cli::EnvArgs;
use crate::output::Masker;
use crate::render::{is_shell_name, shell_quote};

pub fn run(layers: &Layers, args: &EnvArgs, default_prefix: &str) -> Result<(), Failure> {
    let config = layers.config();
    let prefix = args.prefix.as_deref().unwrap_or(default_prefix);
    for key in &args.include {
        if !config.contains(key) {
            return Err(crate::missing_key(config, key));
        }
    }
    let masker = Masker::new(layers, args.show_secrets);
    // An included table stands for every leaf under it.
    let keys: Vec<String> = config
        .leaves()
        .map(|(key, _, _)| key)
        .filter(|key| {
            args.include.is_empty()
                || args
                    .include
                    .iter()
                    .any(|inc| key == inc || key.starts_with(&format!("{inc}.")))
        })
        .collect();
    let mut out = String::new();
    let (mut hidden, mut unnamable) = (0, Vec::new());
    for key in &keys {
        if masker.hides(key) {
            hidden += 1;
            continue;
        }
        for (name, text) in config.to_environment_variables(Some(&[key.as_str()]), prefix) {
            if is_shell_name(&name) {
                out.push_str(&format!("export {name}={}\n", shell_quote(&text)));
            } else {
                unnamable.push(name);
            }
        }
    }
    print!("{out}");
    note_hidden(hidden);
    for name in unnamable {
        crate::style::warning(format_args!(
            "`{name}` is not a valid shell variable name; left out"
        ));
    }
    Ok(())
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

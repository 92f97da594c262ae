//! `prefect-config`: what is my configuration, and where did this value come
//! from?
//!
//! A thin layer over the library's public API: [`cli`] holds the clap
//! structures, one file per command does its work, [`output`] decides colour
//! and masking. Exit status: 0 success, 1 failure, 2 usage error (clap).

mod cli;
mod env;
mod explain;
mod get;
mod init;
mod output;
mod render;
mod secret;
mod sources;
mod validate;
mod view;
mod write;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use prefect_config::config::{Config, Layers, Loader};

use cli::{Cli, Command};

/// A failure: a message for stderr and exit status 1. Never holds a value.
#[derive(Debug)]
pub struct Failure(String);

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure(message)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(code) => code,
        Err(Failure(message)) => {
            eprintln!("prefect-config: error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: &Cli) -> Result<ExitCode, Failure> {
    let loader = loader(cli);
    // Commands that work without (or despite) a loadable configuration.
    match &cli.command {
        Command::Sources(args) => {
            sources::run(&loader.inputs(), args, &cli.env_prefix)?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::Validate(args) => return validate::run(&loader, &args.files),
        Command::Init(args) => {
            init::run(&user_path(cli, &loader)?, cli.defaults.as_deref(), args)?;
            return Ok(ExitCode::SUCCESS);
        }
        _ => {}
    }
    let layers = loader.load_layers().map_err(|e| e.to_string())?;
    for warning in layers.config().warnings() {
        eprintln!("prefect-config: warning: {warning}");
    }
    warn_readable_secrets(&layers);
    match &cli.command {
        Command::View(args) => view::run(&layers, args, &cli.env_prefix)?,
        Command::Get(args) => get::run(&layers, args)?,
        Command::Explain(args) => explain::run(&layers, args)?,
        Command::Env(args) => env::run(&layers, args, &cli.env_prefix)?,
        Command::Secret(command) => {
            return secret::run(layers.config(), &user_path(cli, &loader)?, command);
        }
        Command::Sources(_) | Command::Validate(_) | Command::Init(_) => {}
    }
    Ok(ExitCode::SUCCESS)
}

/// The loader the global flags describe.
fn loader(cli: &Cli) -> Loader {
    let mut loader = Loader::prefect().env_prefix(&cli.env_prefix);
    if let Some(path) = &cli.defaults {
        loader = loader.defaults_file(path);
    }
    if let Some(path) = &cli.user {
        loader = loader.user_file(path);
    }
    if let Some(path) = &cli.backend {
        loader = loader.backend_file(path);
    }
    loader
}

/// The user config file: `--user`, else `$PREFECT__USER_CONFIG_PATH`, else
/// `~/.prefect/config.toml`, as the loader resolves it.
fn user_path(cli: &Cli, loader: &Loader) -> Result<PathBuf, Failure> {
    if let Some(path) = &cli.user {
        return Ok(path.clone());
    }
    loader
        .inputs()
        .into_iter()
        .find(|input| input.layer == "user")
        .and_then(|input| input.path)
        .ok_or_else(|| Failure("cannot tell where the user config file is".into()))
}

/// "no key `a.b`", with the closest existing keys.
pub fn missing_key(config: &Config, key: &str) -> Failure {
    let mut candidates: Vec<String> = Vec::new();
    for (path, _, _) in config.leaves() {
        let mut prefix = String::new();
        for part in path.split('.') {
            prefix = output::join(&prefix, part);
            if !candidates.contains(&prefix) {
                candidates.push(prefix.clone());
            }
        }
    }
    let mut scored: Vec<(usize, String)> = candidates
        .into_iter()
        .map(|c| {
            (
                strsim::osa_distance(&c.to_lowercase(), &key.to_lowercase()),
                c,
            )
        })
        .filter(|(d, c)| *d <= (key.len().max(c.len()) / 3).max(2))
        .collect();
    scored.sort();
    let suggestions: Vec<String> = scored
        .into_iter()
        .take(3)
        .map(|(_, c)| format!("`{c}`"))
        .collect();
    let mut message = format!("no key `{key}` in the configuration");
    if !suggestions.is_empty() {
        message.push_str(&format!("; did you mean {}?", suggestions.join(", ")));
    }
    Failure(message)
}

/// Warns when a user or backend file that holds secrets is readable by
/// group or others.
fn warn_readable_secrets(layers: &Layers) {
    let config = layers.config();
    let mut warned: Vec<PathBuf> = Vec::new();
    for (key, value, source) in config.leaves() {
        let Some(path) = source.file() else { continue };
        if !matches!(source.layer(), "user" | "backend" | "defaults")
            || warned.iter().any(|w| w == path)
        {
            continue;
        }
        let blank = value.is_null() || value.as_str().is_some_and(str::is_empty);
        if output::is_secret_key(&key) && !blank && write::readable_by_others(path) {
            eprintln!(
                "prefect-config: warning: `{}` holds secrets and is readable by group or others; run `chmod 600 {}`",
                path.display(),
                path.display()
            );
            warned.push(path.to_owned());
        }
    }
}

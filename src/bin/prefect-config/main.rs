//! `prefect-config`: what is my configuration, and where did this value come
//! from?
//!
//! A thin layer over the library's public API: [`cli`] holds the clap
//! structures, one file per command does its work, [`output`] decides
//! masking, [`style`] colour and what `--quiet` silences; everything for
//! standard output goes through [`stdout::print`], and every name or value
//! read from a file is escaped by the library's `render` for its
//! destination (a shell, a terminal). Exit status: 0 success (also when the
//! reader of standard output closed it early), 1 failure (a full disk
//! included), 2 usage error (clap).

mod changed;
mod cli;
mod completions;
mod env;
mod explain;
mod get;
mod init;
mod keys;
mod man;
mod output;
mod render;
mod secret;
mod set;
mod sources;
mod stdout;
mod style;
mod validate;
mod view;
mod write;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};
use prefect_config::config::{Config, Layers, Loader};
use prefect_config::edit::ConfigFile;
use prefect_config::render::terminal;

use cli::{Cli, Command, SecretCommand};

/// Why a command stopped early. Never holds a value.
#[derive(Debug)]
pub enum Failure {
    /// A message for stderr, and exit status 1.
    Message(String),
    /// Standard output was closed (`prefect-config view | head`): the reader
    /// wants no more, so the command ends quietly with status 0, as Unix
    /// tools do (they die of SIGPIPE, which Rust ignores, so here it is an
    /// error from the write, turned into this by [`stdout::print`]).
    ClosedPipe,
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure::Message(message)
    }
}

/// `err`'s message and each of its causes, once each (the library's errors
/// keep an I/O cause as `source()`, out of their own message).
pub fn with_causes(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(next) = cause {
        text.push_str(&format!(": {next}"));
        cause = next.source();
    }
    text
}

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // `--color` is read first so that clap's help and usage errors follow it.
    if let Some(color) = style::color_in_args(&args) {
        style::init(color, false);
    }
    let cli = Cli::command()
        .try_get_matches_from(args)
        .and_then(|matches| Cli::from_arg_matches(&matches))
        .unwrap_or_else(|err| err.exit());
    style::init(cli.color, cli.quiet);
    match run(&cli) {
        Ok(code) => code,
        Err(Failure::Message(message)) => {
            style::error(message);
            ExitCode::FAILURE
        }
        Err(Failure::ClosedPipe) => ExitCode::SUCCESS,
    }
}

fn run(cli: &Cli) -> Result<ExitCode, Failure> {
    // Commands that read no configuration.
    match &cli.command {
        Command::Completions(args) => {
            completions::run(args)?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::Man => {
            man::run()?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::CompleteKeys(args) => {
            completions::keys(&loader(cli), cli.defaults.as_deref(), args)?;
            return Ok(ExitCode::SUCCESS);
        }
        _ => {}
    }
    let loader = loader(cli);
    check_paths(cli, &loader)?;
    // Commands that work without (or despite) a loadable configuration: a
    // write must be able to repair a file that does not load.
    match &cli.command {
        Command::Sources(args) => {
            sources::run(&loader, args, &cli.env_prefix)?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::Validate(args) => return validate::run(&loader, &args.files),
        Command::Init(args) => {
            init::run(
                &user_file(cli, &loader, false)?,
                cli.defaults.as_deref(),
                cli.prefect,
                args,
            )?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::Set(args) => {
            let file = user_file(cli, &loader, args.value.allow_expansion)?;
            set::set(&file, args, &cli.env_prefix)?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::Unset(args) => {
            set::unset(&user_file(cli, &loader, false)?, args, &cli.env_prefix)?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::Secret(SecretCommand::Set {
            name,
            value,
            cloud: false,
            how,
        }) => {
            let file = user_file(cli, &loader, how.allow_expansion)?;
            secret::set_local(&file, name, value.as_deref(), how)?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::Secret(SecretCommand::Delete { name, cloud: false }) => {
            secret::delete_local(&user_file(cli, &loader, false)?, name)?;
            return Ok(ExitCode::SUCCESS);
        }
        _ => {}
    }
    let layers = loader.load_layers().map_err(|e| with_causes(&e))?;
    for warning in layers.config().warnings() {
        style::warning(warning);
    }
    warn_readable_secrets(&layers);
    match &cli.command {
        Command::View(args) => view::run(&layers, args, &cli.env_prefix, cli.defaults.as_deref())?,
        Command::Get(args) => get::run(&layers, args, &cli.env_prefix)?,
        Command::Explain(args) => explain::run(&layers, args, &cli.env_prefix)?,
        Command::Env(args) => env::run(&layers, args, &cli.env_prefix)?,
        Command::Secret(command) => return secret::run(layers.config(), command),
        Command::Sources(_)
        | Command::Validate(_)
        | Command::Init(_)
        | Command::Set(_)
        | Command::Unset(_)
        | Command::Completions(_)
        | Command::Man
        | Command::CompleteKeys(_) => {}
    }
    Ok(ExitCode::SUCCESS)
}

/// A file named on the command line must exist, except the user file of a
/// command that writes it (which creates it).
fn check_paths(cli: &Cli, loader: &Loader) -> Result<(), Failure> {
    let writes_user_file = matches!(
        &cli.command,
        Command::Init(_)
            | Command::Set(_)
            | Command::Unset(_)
            | Command::Secret(SecretCommand::Set { cloud: false, .. })
            | Command::Secret(SecretCommand::Delete { cloud: false, .. })
    );
    let given = [
        ("defaults", cli.defaults.is_some()),
        ("user", cli.user.is_some() && !writes_user_file),
        ("backend", cli.backend.is_some()),
    ];
    let inputs = loader.inputs();
    for layer in given
        .into_iter()
        .filter_map(|(layer, given)| given.then_some(layer))
    {
        if let Some(input) = inputs.iter().find(|i| i.layer == layer && !i.found) {
            let path = input.path.as_deref().unwrap_or(Path::new(""));
            return Err(Failure::from(format!(
                "--{layer} `{}` does not exist",
                terminal(&path.display().to_string())
            )));
        }
    }
    if let Command::Validate(args) = &cli.command {
        for file in &args.files {
            let resolved = loader.clone().user_file(file).inputs();
            if resolved.iter().any(|i| i.layer == "user" && !i.found) {
                return Err(Failure::from(format!(
                    "`{}` does not exist",
                    terminal(&file.display().to_string())
                )));
            }
        }
    }
    Ok(())
}

/// The user file to edit, validated with the loader the flags describe.
fn user_file(cli: &Cli, loader: &Loader, allow_expansion: bool) -> Result<ConfigFile, Failure> {
    Ok(write::user_file(
        user_path(cli, loader)?,
        loader,
        allow_expansion,
    ))
}

/// The loader the global flags describe.
fn loader(cli: &Cli) -> Loader {
    let mut loader = Loader::prefect()
        .prefect_version(cli.prefect)
        .env_prefix(&cli.env_prefix);
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
        .ok_or_else(|| Failure::from("cannot tell where the user config file is".to_owned()))
}

/// "no key `a.b`", with the closest existing keys.
pub fn missing_key(config: &Config, key: &str) -> Failure {
    let suggestions: Vec<String> = config
        .suggest_keys(key)
        .into_iter()
        .map(|c| format!("`{}`", terminal(&c)))
        .collect();
    let mut message = format!("no key `{}` in the configuration", terminal(key));
    if !suggestions.is_empty() {
        message.push_str(&format!("; did you mean {}?", suggestions.join(", ")));
    }
    Failure::from(message)
}

/// Warns when a user, backend or defaults file, or a file of the secrets
/// directory, holds secrets and is readable by group or others.
fn warn_readable_secrets(layers: &Layers) {
    let config = layers.config();
    let mut warned: Vec<PathBuf> = Vec::new();
    for (key, value, source) in config.leaves() {
        let Some(path) = source.file() else { continue };
        if !matches!(
            source.layer(),
            "user" | "backend" | "defaults" | "secrets_dir"
        ) || warned.iter().any(|w| w == path)
        {
            continue;
        }
        if config.is_sensitive(&key) && !output::is_blank(value) && write::readable_by_others(path)
        {
            write::warn_readable(path);
            warned.push(path.to_owned());
        }
    }
}

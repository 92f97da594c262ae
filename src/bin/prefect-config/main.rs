//! `prefect-config`: inspect the effective Prefect configuration.
//!
//! A thin layer over the library's public API: it builds a
//! [`Loader`](prefect_config::config::Loader) from the global flags, loads,
//! and prints.

mod render;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use prefect_config::config::{Config, ConfigError, Loader};

/// Inspect the effective Prefect configuration and where it comes from.
#[derive(Debug, Parser)]
#[command(name = "prefect-config", version, about)]
struct Cli {
    /// Defaults file to use instead of the embedded defaults.
    #[arg(long, global = true, value_name = "FILE")]
    defaults: Option<PathBuf>,
    /// User config file (default: $PREFECT__USER_CONFIG_PATH or ~/.prefect/config.toml).
    #[arg(long, global = true, value_name = "FILE")]
    user: Option<PathBuf>,
    /// Backend config file (default: $PREFECT__BACKEND_CONFIG_PATH or ~/.prefect/backend.toml).
    #[arg(long, global = true, value_name = "FILE")]
    backend: Option<PathBuf>,
    /// Prefix of the environment variables to read.
    #[arg(long, global = true, value_name = "P", default_value = "PREFECT")]
    env_prefix: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the effective configuration, or the subtree at PATH.
    ///
    /// Values under `context.secrets` are masked.
    ///
    /// Example: prefect-config view server --format json
    View {
        /// A dotted key path such as `server` or `cloud.api`.
        path: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Toml)]
        format: Format,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Toml,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("prefect-config: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: &Cli) -> Result<(), String> {
    let config = load(cli).map_err(|e| e.to_string())?;
    for warning in config.warnings() {
        eprintln!("prefect-config: warning: {warning}");
    }
    match &cli.command {
        Command::View { path, format } => {
            let path = path.as_deref().unwrap_or("");
            let text = render::view(&config, path, *format == Format::Json)?;
            print!("{text}");
            Ok(())
        }
    }
}

fn load(cli: &Cli) -> Result<Config, ConfigError> {
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
    loader.load()
}

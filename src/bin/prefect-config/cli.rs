//! The command line: clap structures only.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Inspect the effective Prefect configuration and where each value comes from.
#[derive(Debug, Parser)]
#[command(name = "prefect-config", version, about, propagate_version = true)]
pub struct Cli {
    /// Defaults file to use instead of the embedded defaults.
    #[arg(long, global = true, value_name = "FILE")]
    pub defaults: Option<PathBuf>,
    /// User config file (default: $PREFECT__USER_CONFIG_PATH or ~/.prefect/config.toml).
    #[arg(long, global = true, value_name = "FILE")]
    pub user: Option<PathBuf>,
    /// Backend config file (default: $PREFECT__BACKEND_CONFIG_PATH or ~/.prefect/backend.toml).
    #[arg(long, global = true, value_name = "FILE")]
    pub backend: Option<PathBuf>,
    /// Prefix of the environment variables to read.
    #[arg(long, global = true, value_name = "P", default_value = "PREFECT")]
    pub env_prefix: String,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the effective configuration, or the subtree at PATH.
    ///
    /// Values under `context.secrets` and credential keys (`password`,
    /// `api_key`, `auth_token`, `*_secret`, `*_token`, and values built from
    /// them) print as `********` unless `--show-secrets` is given.
    #[command(
        after_help = "Examples:\n  prefect-config view server --format json\n  prefect-config view --show-sources"
    )]
    View(ViewArgs),
    /// Print one value; exit status 1 when the key does not exist.
    #[command(after_help = "Example:\n  prefect-config get server.port")]
    Get(GetArgs),
    /// Show every layer that set KEY, the steps from raw text to the final
    /// value, and which layer won.
    #[command(after_help = "Example:\n  prefect-config explain server.endpoint")]
    Explain(ExplainArgs),
    /// List the layers in order, with their paths and whether each was found.
    #[command(after_help = "Example:\n  prefect-config sources --json")]
    Sources(SourcesArgs),
    /// Print the configuration as `export NAME='value'` lines for a POSIX shell.
    ///
    /// Secret values are left out unless `--show-secrets` is given.
    #[command(after_help = "Example:\n  eval \"$(prefect-config env --include server.port)\"")]
    Env(EnvArgs),
    /// Check configuration files; exit status 0 when clean, 1 on errors.
    ///
    /// Without FILE, checks the files the configuration is loaded from. Each
    /// FILE is checked as the user file over the defaults. Problems print as
    /// `file:line:column: error|warning: message`; warnings (references to
    /// missing keys, likely typos) do not change the exit status.
    #[command(after_help = "Example:\n  prefect-config validate ~/.prefect/config.toml")]
    Validate(ValidateArgs),
    /// Write the defaults to the user config file (mode 0600).
    #[command(after_help = "Example:\n  prefect-config init --force")]
    Init(InitArgs),
    /// Read and write secrets (local `[context.secrets]`, or Prefect Cloud).
    #[command(subcommand)]
    Secret(SecretCommand),
}

#[derive(Debug, Args)]
pub struct ViewArgs {
    /// A dotted key path such as `server` or `cloud.api`.
    pub path: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Toml)]
    pub format: Format,
    /// Show the layer each value came from.
    #[arg(long)]
    pub show_sources: bool,
    /// Print secret values instead of `********`.
    #[arg(long)]
    pub show_secrets: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Toml,
    Json,
    Env,
}

#[derive(Debug, Args)]
pub struct GetArgs {
    /// A dotted key path such as `server.port`.
    pub key: String,
    /// Print the value as JSON.
    #[arg(long)]
    pub json: bool,
    /// Print a secret value instead of `********`.
    #[arg(long)]
    pub show_secrets: bool,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A dotted key path such as `server.endpoint`.
    pub key: String,
    /// Print the explanation as JSON.
    #[arg(long)]
    pub json: bool,
    /// Print secret values instead of `********`.
    #[arg(long)]
    pub show_secrets: bool,
}

#[derive(Debug, Args)]
pub struct SourcesArgs {
    /// Print the layers as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct EnvArgs {
    /// Only these dotted keys (repeatable); default: every key.
    #[arg(long, value_name = "KEY")]
    pub include: Vec<String>,
    /// Prefix of the variable names (default: --env-prefix).
    #[arg(long, value_name = "P")]
    pub prefix: Option<String>,
    /// Include secret values.
    #[arg(long)]
    pub show_secrets: bool,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Files to check (default: the files the configuration is loaded from).
    pub files: Vec<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Replace an existing file.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Subcommand)]
pub enum SecretCommand {
    /// Print a secret, masked unless --show.
    #[command(after_help = "Example:\n  prefect-config secret get SLACK_WEBHOOK_URL --show")]
    Get {
        /// The secret's name.
        name: String,
        /// Print the value.
        #[arg(long)]
        show: bool,
        /// Read from Prefect Cloud instead of the local configuration.
        #[arg(long)]
        cloud: bool,
    },
    /// Exit status 0 when the secret exists, 1 when it does not.
    #[command(after_help = "Example:\n  prefect-config secret exists DB_PASSWORD && echo yes")]
    Exists {
        /// The secret's name.
        name: String,
        /// Ask Prefect Cloud instead of the local configuration.
        #[arg(long)]
        cloud: bool,
    },
    /// List secret names (never values).
    #[command(after_help = "Example:\n  prefect-config secret list")]
    List {
        /// List Prefect Cloud's secrets instead of the local ones.
        #[arg(long)]
        cloud: bool,
    },
    /// Set a secret in the user config's `[context.secrets]`, keeping the
    /// file's other content and comments (mode 0600), or in Prefect Cloud.
    #[command(
        after_help = "Examples:\n  prefect-config secret set DB_PASSWORD 'hunter2'\n  printf %s \"$TOKEN\" | prefect-config secret set GITHUB_TOKEN"
    )]
    Set {
        /// The secret's name.
        name: String,
        /// The value; read from standard input when left out (keeps it out
        /// of the shell history and the process list).
        value: Option<String>,
        /// Store in Prefect Cloud instead of the user config.
        #[arg(long)]
        cloud: bool,
    },
}

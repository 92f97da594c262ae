//! The command line: clap structures only.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use prefect_config::config::PrefectVersion;

/// Inspect, explain and edit Prefect's layered configuration (defaults, config
/// files, secrets directory, `PREFECT__*` variables) and see where each value
/// comes from.
#[derive(Debug, Parser)]
#[command(
    name = "prefect-config",
    version,
    propagate_version = true,
    next_help_heading = "Global options",
    after_help = crate::completions::HELP
)]
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
    /// Which Prefect's defaults and rules to follow: `0.15` (0.15.13) or `1`
    /// (1.4.1, whose defaults add `[cloud.rate_limiting]`).
    #[arg(
        long = "prefect",
        global = true,
        value_name = "VERSION",
        default_value = "0.15"
    )]
    pub prefect: PrefectVersion,
    /// When to colour the output; `auto` colours a terminal unless `NO_COLOR`
    /// is set (`CLICOLOR_FORCE` colours a pipe too).
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
    /// Leave out warnings and notes on stderr (errors and the requested
    /// output still print).
    #[arg(short, long, global = true)]
    pub quiet: bool,
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
    #[command(after_help = "Example:\n  prefect-config sources --format json")]
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
    /// Write a short commented template to the user config file (mode 0600):
    /// the layers and their order, where secrets go, commented examples.
    /// With --full, a copy of every default instead.
    #[command(after_help = "Example:\n  prefect-config init --force")]
    Init(InitArgs),
    /// Set keys in the user config file, keeping its comments.
    ///
    /// Each VALUE means what `PREFECT__KEY=VALUE` would mean: `8080` is an
    /// integer, `false` a boolean, `[1, 2]` a list, `{'a': 1}` a table,
    /// `None` unset, `'x'` the string x, anything else the string as given.
    /// It is stored so that Prefect reading the file gets the same value,
    /// and the command says what it stored and its type. --string stores the
    /// exact text instead, --json parses JSON. Values the loader would expand
    /// (`$NAME` of a set variable, a leading `~`, `${...}`) are refused
    /// unless --allow-expansion is given. The result must load, or nothing
    /// is written.
    #[command(
        after_help = "Examples:\n  prefect-config set server.port 8080 flows.checkpointing=false\n  prefect-config set --string flows.name 4200"
    )]
    Set(SetArgs),
    /// Remove keys from the user config file; exit status 1 (and no change)
    /// when one of them is not set there.
    #[command(after_help = "Example:\n  prefect-config unset server.port")]
    Unset(UnsetArgs),
    /// Read and write secrets (local `[context.secrets]`, or Prefect Cloud).
    #[command(subcommand)]
    Secret(SecretCommand),
    /// Print a completion script for a shell; `get`, `explain`, `view`,
    /// `set` and `unset` complete key names in bash, zsh and fish.
    #[command(after_help = crate::completions::INSTALL)]
    Completions(CompletionsArgs),
    /// Print the man page (roff) to standard output.
    #[command(
        after_help = "Example:\n  prefect-config man > ~/.local/share/man/man1/prefect-config.1"
    )]
    Man,
    /// Print the known key paths, one a line (used by the completion scripts).
    #[command(name = "__complete-keys", hide = true)]
    CompleteKeys(CompleteKeysArgs),
}

#[derive(Debug, Args)]
pub struct ViewArgs {
    /// A dotted key path such as `server` or `cloud.api`, or the variable
    /// name that sets it (`PREFECT__CLOUD__API`, any case).
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
    /// Only the values that differ from the defaults: set by a file, the
    /// secrets directory or the environment, or computed from such a value.
    #[arg(long)]
    pub changed: bool,
    /// Show what the defaults alone give beside each changed value (masked
    /// like the value); implies --changed.
    #[arg(long)]
    pub show_defaults: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Toml,
    Json,
    Env,
}

#[derive(Debug, Args)]
pub struct GetArgs {
    /// A dotted key path such as `server.port`, or `PREFECT__SERVER__PORT`.
    pub key: String,
    #[command(flatten)]
    pub format: FormatArgs,
    /// Print a secret value instead of `********`.
    #[arg(long)]
    pub show_secrets: bool,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A dotted key path such as `server.endpoint`, or `PREFECT__SERVER__ENDPOINT`.
    pub key: String,
    #[command(flatten)]
    pub format: FormatArgs,
    /// Print secret values instead of `********`.
    #[arg(long)]
    pub show_secrets: bool,
}

#[derive(Debug, Args)]
pub struct SourcesArgs {
    #[command(flatten)]
    pub format: FormatArgs,
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
    /// Only the values set above the defaults (by a file, the secrets
    /// directory or the environment): what a container needs.
    #[arg(long)]
    pub changed: bool,
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
    /// Write a copy of every default instead of the short template.
    #[arg(long)]
    pub full: bool,
}

#[derive(Debug, Args)]
pub struct SetArgs {
    /// `KEY VALUE` pairs or `KEY=VALUE`; KEY is a dotted path such as `server.port`.
    #[arg(
        required = true,
        allow_negative_numbers = true,
        value_name = "KEY VALUE | KEY=VALUE"
    )]
    pub pairs: Vec<String>,
    /// Store each VALUE as the exact text given, never cast (`4200` stays
    /// the string "4200").
    #[arg(long, conflicts_with = "json")]
    pub string: bool,
    #[command(flatten)]
    pub value: ValueArgs,
}

/// How a value given on the command line is stored.
#[derive(Debug, Args)]
pub struct ValueArgs {
    /// Parse each VALUE as JSON and store it as such (a number, list, table).
    #[arg(long)]
    pub json: bool,
    /// Store values that the loader expands (`$NAME`, `~`, `${...}`) as written.
    #[arg(long)]
    pub allow_expansion: bool,
}

#[derive(Debug, Args)]
pub struct UnsetArgs {
    /// Dotted keys such as `server.port`.
    #[arg(required = true)]
    pub keys: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum SecretCommand {
    /// Print a secret, masked unless --show-secrets.
    #[command(
        after_help = "Example:\n  prefect-config secret get SLACK_WEBHOOK_URL --show-secrets"
    )]
    Get {
        /// The secret's name.
        name: String,
        /// Print the value instead of `********`.
        #[arg(long = "show-secrets", alias = "show")]
        show: bool,
        /// Read from Prefect Cloud instead of the local configuration.
        #[arg(long)]
        cloud: bool,
        #[command(flatten)]
        format: FormatArgs,
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
    /// file's other content and comments (a new file gets mode 0600), or in
    /// Prefect Cloud. The value is stored as the exact string given (see
    /// `prefect-config set --help`).
    #[command(
        after_help = "Examples:\n  prefect-config secret set DB_PASSWORD     # prompts, without echo\n  printf %s \"$TOKEN\" | prefect-config secret set GITHUB_TOKEN"
    )]
    Set {
        /// The secret's name.
        name: String,
        /// The value; when left out, prompted for without echo on a
        /// terminal, else read from standard input (keeps it out of the shell
        /// history and the process list).
        value: Option<String>,
        /// Store in Prefect Cloud instead of the user config.
        #[arg(long)]
        cloud: bool,
        #[command(flatten)]
        how: ValueArgs,
    },
    /// Delete a secret from the user config's `[context.secrets]`, or from
    /// Prefect Cloud; exit status 1 when it is not there.
    #[command(after_help = "Example:\n  prefect-config secret delete DB_PASSWORD")]
    Delete {
        /// The secret's name.
        name: String,
        /// Delete from Prefect Cloud instead of the user config.
        #[arg(long)]
        cloud: bool,
    },
}

/// `--format text|json` for commands that print text by default; `--json`, the
/// earlier spelling of `--format json`, is kept, hidden.
#[derive(Debug, Args)]
pub struct FormatArgs {
    /// Output format.
    #[arg(long = "format", value_enum, default_value_t = TextFormat::Text)]
    format: TextFormat,
    #[arg(long, hide = true, conflicts_with = "format")]
    json: bool,
}

impl FormatArgs {
    /// True for `--format json` (or `--json`).
    pub fn is_json(&self) -> bool {
        self.json || self.format == TextFormat::Json
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TextFormat {
    Text,
    Json,
}

/// `--color auto|always|never`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to print the script for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct CompleteKeysArgs {
    /// Only the keys that start with this.
    #[arg(default_value = "")]
    pub prefix: String,
    /// Each key as a word list entry for bash's `compgen -W`, which expands
    /// what it is given: quoted, so that it expands to the key itself.
    #[arg(long)]
    pub bash: bool,
}

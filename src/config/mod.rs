//! Layered configuration with Prefect 0.15's rules.
//!
//! # Layers
//!
//! Lowest to highest; a later layer wins, tables merge key by key and any
//! other value (including arrays) is replaced whole. The order is written
//! once, in [`Loader`], and both [`Loader::load`] and [`Loader::inputs`] walk it:
//!
//! 1. **defaults**: the embedded `config/config.toml` (Prefect 0.15.13's
//!    values; Prefect 1.4.1's, `config/prefect-1.4.1.toml`, with
//!    [`Loader::prefect_version`]`(`[`PrefectVersion::V1`]`)`), or a file or
//!    string you give (a missing defaults file is an error);
//! 2. **user file**: `$PREFECT__USER_CONFIG_PATH`, else `~/.prefect/config.toml`
//!    (skipped when missing);
//! 3. **backend file**: `$PREFECT__BACKEND_CONFIG_PATH`, else
//!    `~/.prefect/backend.toml` (skipped when missing);
//! 4. **providers**: any [`figment::Provider`](::figment::Provider) added with [`Loader::provider`],
//!    in the order added;
//! 5. **secrets directory** (standard loader, or [`Loader::secrets_dir`]): each
//!    file of `$PREFECT__SECRETS_DIR` (else of a top-level `secrets_dir` key)
//!    becomes `context.secrets.<file name>`, taken exactly as written;
//! 6. **environment**: `PREFECT__SECTION__KEY=value` sets `section.key`. Key
//!    parts are lower-cased, except the secret name in
//!    `PREFECT__CONTEXT__SECRETS__MyName`, which keeps its case.
//!
//! # The tree
//!
//! A load builds one tree. Each node is a table or a leaf, and each leaf
//! carries its value together with its [`Source`], whether it is sensitive,
//! and what the load did to it: the raw value of every layer it overrode and
//! each [`Step`] since it was written. Nothing walks a second tree in step:
//! [`Config::source_of`], [`Config::explain`] and [`Config::is_sensitive`]
//! read the node.
//!
//! # The passes, in order
//!
//! | pass | what it does | where the rule lives |
//! |------|--------------|----------------------|
//! | read | each layer becomes a tree of nodes (plain TOML in one pass, any other TOML straight from `toml`'s parser, variables one leaf each, providers through figment) | `layer.rs`, `plain_toml.rs`, `env_layer.rs`, `secrets_dir.rs`, `figment.rs`; names of variables: `key.rs` |
//! | merge | layers fold into one tree, lowest first, keeping the defaults' key order | `merge.rs` (the rules are one table) |
//! | values | sensitivity by key; `$VAR`, `${VAR}`, `~` expanded; strings cast (environment values twice) | `values.rs`, `sensitive.rs`, `expand.rs`, `cast.rs` (the twice-cast rule: `cast::rounds`) |
//! | references | `${a.b}` replaced, innermost first; sensitivity carried | `references.rs` |
//! | task defaults | `tasks.defaults` normalised (standard loader) | `task_defaults.rs` |
//! | validation | reserved keys rejected | `validate.rs` |
//! | warnings | likely typos in variable names | `typos.rs` |
//!
//! Each pass records its [`Step`] on the leaf it changes, so
//! [`Config::explain`] shows exactly what happened. Sizes and counts are
//! capped by [`Limits`].
//!
//! # Values
//!
//! After merging, every string value (but not strings inside arrays) has
//! `$VAR`, `${VAR}` and a leading `~` expanded from the environment, then is
//! cast: `true`/`false` in any case become booleans and Python literals become
//! their value ([`string_to_type`]); so `port = "4200"` loads as the integer
//! 4200. Environment values go through expansion and casting twice, as in
//! Prefect: `PREFECT__X="'5'"` loads as the string `"5"` then the integer 5.
//! Finally `${a.b}` references to other keys are resolved: a value that is one
//! whole reference takes the referenced value with its type, a reference
//! inside text is replaced by the value as Python prints it, and a reference
//! to a missing key (or to a table) becomes `""` with a
//! [warning](Config::warnings). A cycle is an error.
//!
//! ```
//! use prefect_config::config::{Loader, Source};
//! use serde_json::json;
//!
//! let cfg = Loader::new()
//!     .defaults_toml(r#"
//!         [server]
//!         host = "http://localhost"
//!         port = "4200"
//!         endpoint = "${server.host}:${server.port}"
//!     "#)
//!     .env_prefix("PREFECT")
//!     .env_vars([("PREFECT__SERVER__PORT", "8080")])
//!     .load()?;
//! assert_eq!(cfg.get("server.endpoint"), Some(&json!("http://localhost:8080")));
//! assert_eq!(cfg.source_of("server.port"), Some(&Source::EnvVar("PREFECT__SERVER__PORT".into())));
//! let why = cfg.explain("server.endpoint").unwrap();
//! assert_eq!(why.steps()[1].source, Some(Source::EnvVar("PREFECT__SERVER__PORT".into())));
//! # Ok::<(), prefect_config::config::ConfigError>(())
//! ```
//!
//! # What is sensitive
//!
//! One rule, in one file (`sensitive.rs`): [`Config::is_sensitive`] asks
//! it, and every output masks by it through one renderer, `Debug` of
//! [`Config`], [`Config::get_masked`], [`Explanation::redacted`], errors,
//! warnings and every CLI output. A key is sensitive when it lies under
//! `context.secrets` or it, or a table on its way, names a credential in any
//! case and spelling (`password`, `db-password`, `dbPassword`, `api_key`,
//! `aws_secret_access_key`, `secret_key`, `passphrase`, `secret_id`,
//! `GITHUB_TOKEN`, ...: [`is_sensitive_key`]), at any depth, inside arrays
//! and tables cast from text too. A string is sensitive when it carries a
//! password (`postgresql://u:p@h/db`, `u:p@host`, `?password=p`) or casts to a
//! list or table with a sensitive part. A value built from a sensitive one
//! through `${a.b}` or `$VAR` of a sensitive variable is sensitive whole.
//! Masking is part by part: `[[dbs]]` tables keep their `host` and lose
//! their `password`.
//!
//! # Diagnostics
//!
//! [`Loader::check`] runs the same pipeline but collects every problem
//! instead of stopping at the first: all TOML syntax errors with
//! file:line:column, reserved keys, reference cycles, references to missing
//! keys, broken variable names, likely typos in variable names and in file
//! keys. Each [`Diagnostic`] is located; none shows a value.
//!
//! # Where this differs from Prefect
//!
//! - A reference cycle, an expansion that never settles, and an environment
//!   variable with an empty key part (`PREFECT__A____B`) are errors; Prefect
//!   leaves `${...}` text, gives `None`, or makes a key `""`.
//! - References resolve through chains of any length (Prefect stops after ten
//!   passes), within [`Limits`].
//! - `PREFECT__Context__Secrets__X` in any case is a secret; Prefect matches
//!   only the upper-case spelling.
//! - Tables nested deeper than [`MAX_DEPTH`] are an error rather than a
//!   stack overflow.
//! - Secrets-directory files are taken exactly as written: no expansion,
//!   casting or references.
//! - Casting differs in the corners listed on [`string_to_type`].
//! - Inside a longer string, a set prints its members in CPython's order
//!   only when all are integers; others print in the order written (Python's
//!   order follows hashes, which for strings change with every process). An
//!   integer written in hex, octal or binary beyond 128 bits prints as the
//!   text it was written in.

mod cast;
mod check;
mod collect;
pub(crate) mod depth;
mod env;
mod env_layer;
mod error;
mod expand;
mod explain;
pub(crate) mod export;
mod extract;
mod figment;
pub(crate) mod key;
mod layer;
mod limits;
mod literal;
mod loader;
mod merge;
pub(crate) mod node;
mod plain_toml;
mod python;
mod python_value;
pub(crate) mod read_file;
mod references;
mod secrets_dir;
pub(crate) mod sensitive;
mod source;
mod step;
mod task_defaults;
mod tree;
mod typos;
mod validate;
mod values;
mod version;
mod warning;

use std::path::Path;

pub use cast::{env_string_to_type, string_to_type};
pub use check::{Diagnostic, Location, Problem};
pub use error::ConfigError;
pub(crate) use error::with_causes;
pub use explain::{Explanation, ExposedExplanation, Input, Layers};
#[cfg(feature = "edit")]
pub(crate) use export::file_text;
pub use key::env_var_key;
pub use limits::Limits;
pub use loader::{EMBEDDED_DEFAULTS, Loader};
pub(crate) use python::to_repr;
pub use read_file::read_file;
pub use sensitive::is_sensitive_key;
pub use source::Source;
pub use step::{LayerValue, Step, StepKind};
pub use task_defaults::TaskDefaults;
pub use tree::Config;
pub use validate::{RESERVED_KEYS, is_reserved_key};
pub use version::{EMBEDDED_DEFAULTS_V1, PrefectVersion, UnknownPrefectVersion};
pub use warning::ConfigWarning;

/// How deeply tables may nest in any layer. Deeper input is rejected with
/// [`ConfigError::TooDeep`] (the TOML parser bounds its own recursion first).
///
/// ```
/// use prefect_config::config::{ConfigError, Loader, MAX_DEPTH};
/// let deep = format!("[{}]", vec!["t"; MAX_DEPTH + 1].join("."));
/// let err = Loader::new().defaults_toml(deep).load().unwrap_err();
/// assert!(matches!(err, ConfigError::TooDeep { .. } | ConfigError::Syntax { .. }));
/// ```
pub const MAX_DEPTH: usize = 64;

/// Prefect's `load_configuration(path, user_config_path, backend_config_path,
/// env_var_prefix)`: the defaults file at `path`, optional user and backend
/// files (skipped when missing), and optional environment variables with the
/// given prefix, read from the process environment. No task defaults.
///
/// ```no_run
/// use prefect_config::config::load_configuration;
/// let cfg = load_configuration("config/config.toml", Some("~/.prefect/config.toml"), None, Some("PREFECT"))?;
/// # Ok::<(), prefect_config::config::ConfigError>(())
/// ```
pub fn load_configuration(
    path: impl AsRef<Path>,
    user_config_path: Option<&str>,
    backend_config_path: Option<&str>,
    env_var_prefix: Option<&str>,
) -> Result<Config, ConfigError> {
    let mut loader = Loader::new().defaults_file(path.as_ref());
    if let Some(user) = user_config_path {
        loader = loader.user_file(user);
    }
    if let Some(backend) = backend_config_path {
        loader = loader.backend_file(backend);
    }
    if let Some(prefix) = env_var_prefix {
        loader = loader.env_prefix(prefix);
    }
    loader.load()
}

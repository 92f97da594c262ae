//! Layered configuration with Prefect 0.15's rules.
//!
//! # Layers
//!
//! Lowest to highest; a later layer wins, tables merge key by key and any
//! other value (including arrays) is replaced whole:
//!
//! 1. **defaults**: the embedded `config/config.toml`, or a file or string you
//!    give (a missing defaults file is an error);
//! 2. **user file**: `$PREFECT__USER_CONFIG_PATH`, else `~/.prefect/config.toml`
//!    (skipped when missing);
//! 3. **backend file**: `$PREFECT__BACKEND_CONFIG_PATH`, else
//!    `~/.prefect/backend.toml` (skipped when missing);
//! 4. **secrets directory** (standard loader, or [`Loader::secrets_dir`]): each
//!    file of `$PREFECT__SECRETS_DIR` (else of a top-level `secrets_dir` key)
//!    becomes `context.secrets.<file name>`, taken as written;
//! 5. **environment**: `PREFECT__SECTION__KEY=value` sets `section.key`. Key
//!    parts are lower-cased, except the secret name in
//!    `PREFECT__CONTEXT__SECRETS__MyName`, which keeps its case.
//!
//! # Values
//!
//! After merging, every string value (but not strings inside arrays) has
//! `$VAR`, `${VAR}` and a leading `~` expanded from the environment, then is
//! cast: `true`/`false` in any case become booleans and Python literals become
//! their value ([`string_to_type`]); so `port = "4200"` loads as the integer
//! 4200. Environment values are cast once more on their own first, as in
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
//! # Ok::<(), prefect_config::config::ConfigError>(())
//! ```
//!
//! # Where this differs from Prefect
//!
//! - A reference cycle, an expansion that never settles, and an environment
//!   variable with an empty key part (`PREFECT__A____B`) are errors; Prefect
//!   leaves `${...}` text, gives `None`, or makes a key `""`.
//! - References resolve through chains of any length (Prefect stops after ten
//!   passes).
//! - `PREFECT__Context__Secrets__X` in any case is a secret; Prefect matches
//!   only the upper-case spelling.
//! - Tables nested deeper than [`MAX_DEPTH`] are an error rather than a
//!   stack overflow.
//! - Casting differs in the corners listed in [`string_to_type`]'s module.

mod cast;
pub(crate) mod env;
pub(crate) mod export;
mod extract;
mod inspect;
mod interpolate;
mod layer;
mod literal;
mod loader;
mod merge;
mod python;
mod secrets_dir;
mod source;
mod task_defaults;
mod tree;
mod validate;
mod warning;

use std::path::Path;

pub use crate::error::ConfigError;
pub use cast::string_to_type;
pub use inspect::{Explanation, Input, LayerValue, Layers, Step, StepKind};
pub use loader::{EMBEDDED_DEFAULTS, Loader};
pub use source::Source;
pub use task_defaults::TaskDefaults;
pub use tree::Config;
pub use validate::{RESERVED_KEYS, is_reserved_key};
pub use warning::ConfigWarning;

/// How deeply tables may nest in any layer. Deeper input is rejected with
/// [`ConfigError::TooDeep`] before it reaches a recursive parser.
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

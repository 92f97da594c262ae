//! Provenance: where a configuration value came from.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use crate::render::Line;
use serde::ser::{Serialize, SerializeMap, Serializer};

/// The origin of a configuration value: which layer set it, and exactly where.
///
/// Every leaf of a loaded [`Config`](crate::config::Config) remembers its `Source`;
/// ask for it with [`Config::source_of`](crate::config::Config::source_of). The
/// `Display` form is meant for people ("environment variable `PREFECT__DEBUG`").
/// `Serialize` writes a map: the [`layer`](Source::layer), then `path` (the
/// file, as displayed) or `var` (the variable) where there is one, and a
/// provider's `name`; the shape the `prefect-config` JSON output uses.
///
/// ```
/// use prefect_config::config::{Loader, Source};
///
/// let cfg = Loader::new()
///     .defaults_toml("[server]\nport = 4200\nhost = 'x'")
///     .env_prefix("PREFECT")
///     .env_vars([("PREFECT__SERVER__PORT", "8080")])
///     .load()?;
/// assert_eq!(cfg.source_of("server.host"), Some(&Source::DefaultsToml));
/// assert_eq!(
///     cfg.source_of("server.port").map(|s| s.to_string()).as_deref(),
///     Some("environment variable `PREFECT__SERVER__PORT`"),
/// );
/// # Ok::<(), prefect_config::config::ConfigError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Source {
    /// The defaults compiled into this crate (`config/config.toml`).
    EmbeddedDefaults,
    /// Defaults given as a TOML string with [`Loader::defaults_toml`](crate::config::Loader::defaults_toml).
    DefaultsToml,
    /// A defaults file given with [`Loader::defaults_file`](crate::config::Loader::defaults_file).
    DefaultsFile(Arc<Path>),
    /// The user's configuration file (by default `~/.prefect/config.toml`).
    UserFile(Arc<Path>),
    /// The backend file (by default `~/.prefect/backend.toml`).
    BackendFile(Arc<Path>),
    /// One file of a secrets directory (see `PREFECT__SECRETS_DIR`).
    SecretsFile(Arc<Path>),
    /// An environment variable, by its exact name.
    EnvVar(Arc<str>),
    /// A value set at run time, for example by a context scope.
    Runtime,
    /// A value filled in by the task-defaults step of the standard loader.
    TaskDefaults,
    /// A figment provider added with
    /// [`Loader::provider`](crate::config::Loader::provider): the name figment's
    /// `Metadata` gives it, and the file it read, if it says so.
    Provider {
        /// The provider's `Metadata::name`.
        name: Arc<str>,
        /// The file the provider read, when its metadata names one.
        file: Option<Arc<Path>>,
    },
}

impl Source {
    /// The file this value was read from, if it came from a file.
    ///
    /// ```
    /// use prefect_config::config::Source;
    /// assert!(Source::Runtime.file().is_none());
    /// ```
    pub fn file(&self) -> Option<&Path> {
        match self {
            Source::DefaultsFile(p)
            | Source::UserFile(p)
            | Source::BackendFile(p)
            | Source::SecretsFile(p) => Some(p),
            Source::Provider { file, .. } => file.as_deref(),
            _ => None,
        }
    }

    /// The environment variable this value was read from, if any.
    ///
    /// ```
    /// use prefect_config::config::Source;
    /// let s = Source::EnvVar("PREFECT__DEBUG".into());
    /// assert_eq!(s.env_var(), Some("PREFECT__DEBUG"));
    /// ```
    pub fn env_var(&self) -> Option<&str> {
        match self {
            Source::EnvVar(name) => Some(name),
            _ => None,
        }
    }

    /// A short, stable name of the layer kind: `defaults`, `user`, `backend`,
    /// `secrets_dir`, `provider`, `env`, `runtime` or `task_defaults`.
    ///
    /// ```
    /// use prefect_config::config::Source;
    /// assert_eq!(Source::EmbeddedDefaults.layer(), "defaults");
    /// ```
    pub fn layer(&self) -> &'static str {
        match self {
            Source::EmbeddedDefaults | Source::DefaultsToml | Source::DefaultsFile(_) => "defaults",
            Source::UserFile(_) => "user",
            Source::BackendFile(_) => "backend",
            Source::SecretsFile(_) => "secrets_dir",
            Source::EnvVar(_) => "env",
            Source::Runtime => "runtime",
            Source::TaskDefaults => "task_defaults",
            Source::Provider { .. } => "provider",
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::EmbeddedDefaults => f.write_str("embedded defaults"),
            Source::DefaultsToml => f.write_str("defaults (TOML string)"),
            Source::DefaultsFile(p) => write!(f, "defaults file `{}`", Line(p.display())),
            Source::UserFile(p) => write!(f, "user config `{}`", Line(p.display())),
            Source::BackendFile(p) => write!(f, "backend config `{}`", Line(p.display())),
            Source::SecretsFile(p) => write!(f, "secrets file `{}`", Line(p.display())),
            Source::EnvVar(name) => write!(f, "environment variable `{}`", Line(name)),
            Source::Runtime => f.write_str("runtime override"),
            Source::TaskDefaults => f.write_str("task defaults"),
            Source::Provider {
                name,
                file: Some(file),
            } => write!(
                f,
                "provider `{}` (file `{}`)",
                Line(name),
                Line(file.display())
            ),
            Source::Provider { name, file: None } => write!(f, "provider `{}`", Line(name)),
        }
    }
}

/// `{"layer": "env", "var": "PREFECT__DEBUG"}`, `{"layer": "user", "path": "/home/u/.prefect/config.toml"}`,
/// `{"layer": "defaults"}`; a provider adds its `name`.
///
/// ```
/// use prefect_config::config::Source;
/// let json = serde_json::to_value(Source::EnvVar("PREFECT__DEBUG".into()))?;
/// assert_eq!(json, serde_json::json!({"layer": "env", "var": "PREFECT__DEBUG"}));
/// # Ok::<(), serde_json::Error>(())
/// ```
impl Serialize for Source {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("layer", self.layer())?;
        if let Some(path) = self.file() {
            // As displayed: a path that is not UTF-8 still serializes.
            map.serialize_entry("path", &path.display().to_string())?;
        }
        if let Some(var) = self.env_var() {
            map.serialize_entry("var", var)?;
        }
        if let Source::Provider { name, .. } = self {
            map.serialize_entry("name", &**name)?;
        }
        map.end()
    }
}

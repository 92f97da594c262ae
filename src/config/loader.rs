//! [`Loader`]: the one place that fixes the order of layers.
//!
//! | # | layer             | where                                                           | missing |
//! |---|-------------------|-----------------------------------------------------------------|---------|
//! | 1 | defaults          | embedded `config/config.toml` (or `prefect-1.4.1.toml`), a file, or a TOML string | error |
//! | 2 | user file         | `$PREFECT__USER_CONFIG_PATH`, else `~/.prefect/config.toml`     | skipped |
//! | 3 | backend file      | `$PREFECT__BACKEND_CONFIG_PATH`, else `~/.prefect/backend.toml` | skipped |
//! | 4 | providers         | figment providers added with [`Loader::provider`], in order     | —       |
//! | 5 | secrets directory | `$PREFECT__SECRETS_DIR` or `secrets_dir`: one file per secret   | warned  |
//! | 6 | environment       | `PREFIX__SECTION__KEY=value`                                    | —       |
//!
//! Later layers win (the rules are in `merge.rs`). Then, on the merged tree,
//! in order: the values pass (sensitivity, `$VAR` expansion, casting), the
//! references pass (`${a.b}`), task defaults, validation.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use figment::Provider;
use once_cell::sync::Lazy;

use crate::config::collect::{Seen, Sink};
use crate::config::env::Environment;
use crate::config::explain::{Input, Layers};
use crate::config::layer::Layer;
use crate::config::limits::{Budget, Limits};
use crate::config::node::{Node, Table};
use crate::config::read_file;
use crate::config::{
    Config, ConfigError, ConfigWarning, PrefectVersion, Source, env_layer, expand, figment as fig,
    merge, references, secrets_dir, task_defaults, typos, validate, values,
};

/// The layers, lowest first: the one place their order is written. Both
/// [`Loader::load`] and [`Loader::inputs`] walk this list.
const ORDER: [LayerKind; 6] = [
    LayerKind::Defaults,
    LayerKind::User,
    LayerKind::Backend,
    LayerKind::Providers,
    LayerKind::SecretsDir,
    LayerKind::Env,
];

#[derive(Clone, Copy)]
enum LayerKind {
    Defaults,
    User,
    Backend,
    Providers,
    SecretsDir,
    Env,
}

/// The defaults compiled into the crate: the text of `config/config.toml`
/// (Prefect Core 0.15.13's values), comments included, which
/// [`Loader::prefect`] loads as its lowest layer. Prefect 1.x's are
/// [`EMBEDDED_DEFAULTS_V1`](crate::config::EMBEDDED_DEFAULTS_V1).
///
/// ```
/// use prefect_config::config::EMBEDDED_DEFAULTS;
/// let table: toml::Table = EMBEDDED_DEFAULTS.parse().unwrap();
/// assert_eq!(table["server"]["port"].as_str(), Some("4200"));
/// assert!(EMBEDDED_DEFAULTS.starts_with("# prefect-config"));
/// ```
pub const EMBEDDED_DEFAULTS: &str = include_str!("../../config/config.toml");

/// Builds a [`Config`] from layers. See the [module docs](crate::config) for
/// the rules.
///
/// ```
/// use prefect_config::config::Loader;
/// use serde_json::json;
///
/// let dir = tempfile::tempdir()?;
/// let user = dir.path().join("config.toml");
/// std::fs::write(&user, "[server]\nport = 8080")?;
///
/// let cfg = Loader::new()
///     .defaults_toml("[server]\nhost = 'localhost'\nport = 4200")
///     .user_file(&user)
///     .backend_file(dir.path().join("missing.toml")) // skipped
///     .env_prefix("PREFECT")
///     .env_vars([("PREFECT__SERVER__HOST", "example.com")])
///     .load()?;
/// assert_eq!(cfg.get("server.port"), Some(&json!(8080)));
/// assert_eq!(cfg.get("server.host"), Some(&json!("example.com")));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Default)]
#[must_use = "a Loader does nothing until `load` is called"]
pub struct Loader {
    defaults: Option<Defaults>,
    user: Option<FileSpec>,
    backend: Option<FileSpec>,
    env_prefix: Option<String>,
    env: Option<Environment>,
    task_defaults: bool,
    secrets_dir: Option<DirSpec>,
    providers: Vec<Arc<dyn Provider + Send + Sync>>,
    limits: Limits,
    version: PrefectVersion,
}

/// What each layer is set to, never the defaults' text or a value.
impl fmt::Debug for Loader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let defaults = self.defaults.as_ref().map(|d| match d {
            Defaults::Embedded => "embedded".to_owned(),
            Defaults::Toml(_) => "TOML string".to_owned(),
            Defaults::File(path) => path.display().to_string(),
        });
        f.debug_struct("Loader")
            .field("defaults", &defaults)
            .field("user", &self.user)
            .field("backend", &self.backend)
            .field(
                "providers",
                &self
                    .providers
                    .iter()
                    .map(|p| p.metadata().name)
                    .collect::<Vec<_>>(),
            )
            .field("secrets_dir", &self.secrets_dir)
            .field("env_prefix", &self.env_prefix)
            .field("env", &self.env)
            .field("task_defaults", &self.task_defaults)
            .field("limits", &self.limits)
            .field("prefect_version", &self.version)
            .finish()
    }
}

#[derive(Clone, Debug)]
enum DirSpec {
    Path(PathBuf),
    /// `$PREFECT__SECRETS_DIR`, else a top-level `secrets_dir` in a TOML layer.
    Standard,
}

#[derive(Clone)]
enum Defaults {
    Embedded,
    Toml(Arc<str>),
    File(PathBuf),
}

#[derive(Clone, Debug)]
enum FileSpec {
    Path(PathBuf),
    /// Read the path from this environment variable, else use the fallback.
    FromEnv {
        var: &'static str,
        fallback: &'static str,
    },
}

impl Loader {
    /// A bare loader: no files, no environment prefix, the process
    /// environment for `$VAR` expansion, no task defaults.
    ///
    /// ```
    /// let cfg = prefect_config::config::Loader::new().load()?;
    /// assert_eq!(cfg.as_value(), &serde_json::json!({}));
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn new() -> Self {
        Loader::default()
    }

    /// Prefect's standard loader: the embedded defaults, the user file, the
    /// backend file, `PREFECT__*` variables, and task defaults.
    ///
    /// ```
    /// use prefect_config::config::Loader;
    /// let cfg = Loader::prefect().env_vars([("PREFECT__SERVER__PORT", "1")]).load()?;
    /// assert_eq!(cfg.get("server.port"), Some(&serde_json::json!(1)));
    /// assert_eq!(cfg.get("cloud.use_local_secrets"), Some(&serde_json::json!(true)));
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn prefect() -> Self {
        Loader {
            defaults: Some(Defaults::Embedded),
            user: Some(FileSpec::FromEnv {
                var: "PREFECT__USER_CONFIG_PATH",
                fallback: "~/.prefect/config.toml",
            }),
            backend: Some(FileSpec::FromEnv {
                var: "PREFECT__BACKEND_CONFIG_PATH",
                fallback: "~/.prefect/backend.toml",
            }),
            env_prefix: Some("PREFECT".into()),
            env: None,
            task_defaults: true,
            secrets_dir: Some(DirSpec::Standard),
            providers: Vec::new(),
            limits: Limits::default(),
            version: PrefectVersion::default(),
        }
    }

    /// Reads the defaults from a TOML file, which must exist.
    ///
    /// ```
    /// use prefect_config::config::{ConfigError, Loader};
    /// let err = Loader::new().defaults_file("/no/such/defaults.toml").load().unwrap_err();
    /// assert!(matches!(err, ConfigError::Read { .. }));
    /// ```
    pub fn defaults_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.defaults = Some(Defaults::File(path.into()));
        self
    }

    /// Uses this TOML text as the defaults.
    ///
    /// ```
    /// let cfg = prefect_config::config::Loader::new().defaults_toml("[a]\nb = '1'").load()?;
    /// assert_eq!(cfg.get("a.b"), Some(&serde_json::json!(1)));
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn defaults_toml(mut self, toml: impl Into<String>) -> Self {
        self.defaults = Some(Defaults::Toml(Arc::from(toml.into())));
        self
    }

    /// Uses the defaults compiled into this crate: `config/config.toml`, or
    /// `config/prefect-1.4.1.toml` with [`Loader::prefect_version`]`(V1)`.
    ///
    /// ```
    /// let cfg = prefect_config::config::Loader::new().embedded_defaults().load()?;
    /// assert_eq!(cfg.get("server.port"), Some(&serde_json::json!(4200)));
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn embedded_defaults(mut self) -> Self {
        self.defaults = Some(Defaults::Embedded);
        self
    }

    /// Reads a user file over the defaults; a missing file is skipped.
    /// `$VAR` and `~` in the path are expanded.
    ///
    /// ```
    /// use prefect_config::config::Loader;
    /// let cfg = Loader::new().defaults_toml("a = 1").user_file("/no/such/user.toml").load()?;
    /// assert_eq!(cfg.get("a"), Some(&serde_json::json!(1)));
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn user_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.user = Some(FileSpec::Path(path.into()));
        self
    }

    /// Reads a backend file over the user file; a missing file is skipped.
    /// `$VAR` and `~` in the path are expanded.
    ///
    /// ```
    /// use prefect_config::config::{Loader, Source};
    /// let dir = tempfile::tempdir()?;
    /// std::fs::write(dir.path().join("backend.toml"), "backend = 'server'")?;
    /// let cfg = Loader::new()
    ///     .defaults_toml("backend = 'cloud'")
    ///     .backend_file("$DIR/backend.toml")
    ///     .env_vars([("DIR", dir.path().to_str().unwrap())])
    ///     .load()?;
    /// assert_eq!(cfg.get("backend"), Some(&serde_json::json!("server")));
    /// assert!(matches!(cfg.source_of("backend"), Some(Source::BackendFile(_))));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn backend_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.backend = Some(FileSpec::Path(path.into()));
        self
    }

    /// Reads `PREFIX__SECTION__KEY` environment variables as the top layer.
    ///
    /// ```
    /// use prefect_config::config::Loader;
    /// let cfg = Loader::new()
    ///     .defaults_toml("[server]\nport = 4200")
    ///     .env_prefix("MYAPP")
    ///     .env_vars([("MYAPP__SERVER__PORT", "8080"), ("PREFECT__SERVER__PORT", "1")])
    ///     .load()?;
    /// assert_eq!(cfg.get("server.port"), Some(&serde_json::json!(8080)));
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn env_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.env_prefix = Some(prefix.into());
        self
    }

    /// Uses exactly these variables as the environment (for the env layer,
    /// `$VAR` and `~` expansion, and file paths) instead of the process's.
    ///
    /// ```
    /// use prefect_config::config::Loader;
    /// let cfg = Loader::new()
    ///     .defaults_toml("path = '$DATA/x'")
    ///     .env_vars([("DATA", "/srv")])
    ///     .load()?;
    /// assert_eq!(cfg.get("path"), Some(&serde_json::json!("/srv/x")));
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn env_vars<K, V>(mut self, vars: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: Into<String>,
        V: Into<String>,
    {
        self.env = Some(Environment::from_pairs(vars));
        self
    }

    /// Applies Prefect's task defaults after loading (see
    /// [`TaskDefaults`](crate::config::TaskDefaults)).
    ///
    /// ```
    /// use prefect_config::config::Loader;
    /// let cfg = Loader::new().defaults_toml("[tasks.defaults]\nmax_retries = false").task_defaults(true).load()?;
    /// assert_eq!(cfg.get("tasks.defaults.max_retries"), Some(&serde_json::json!(0)));
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn task_defaults(mut self, apply: bool) -> Self {
        self.task_defaults = apply;
        self
    }

    /// Reads a secrets directory (one secret per file, as containers mount
    /// them) into `context.secrets`, above the TOML layers and below the
    /// environment. [`Loader::prefect`] reads the directory named by
    /// `PREFECT__SECRETS_DIR`, else by a top-level `secrets_dir` in a TOML layer.
    ///
    /// ```
    /// use prefect_config::config::{Loader, Source};
    /// let dir = tempfile::tempdir()?;
    /// std::fs::write(dir.path().join("DB_PASSWORD"), "hunter2\n")?;
    /// let cfg = Loader::new().defaults_toml("").secrets_dir(dir.path()).load()?;
    /// assert_eq!(cfg.get("context.secrets.DB_PASSWORD"), Some(&serde_json::json!("hunter2")));
    /// assert!(matches!(cfg.source_of("context.secrets.DB_PASSWORD"), Some(Source::SecretsFile(_))));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn secrets_dir(mut self, path: impl Into<PathBuf>) -> Self {
        self.secrets_dir = Some(DirSpec::Path(path.into()));
        self
    }

    /// Adds a figment provider as a layer: above the backend file, below the
    /// secrets directory and the environment, in the order added. Its string
    /// values get the same `$VAR` expansion, casting and `${...}` references
    /// as TOML strings, and its values' source is [`Source::Provider`], named
    /// by the provider's figment `Metadata`.
    ///
    /// ```
    /// use figment::providers::Serialized;
    /// use prefect_config::config::{Loader, Source};
    /// use serde_json::json;
    ///
    /// let cfg = Loader::new()
    ///     .defaults_toml("[server]\nport = 4200\nhost = 'localhost'")
    ///     .provider(Serialized::defaults(json!({"server": {"port": "8080"}})))
    ///     .load()?;
    /// assert_eq!(cfg.get("server.port"), Some(&json!(8080))); // cast like TOML text
    /// assert_eq!(cfg.get("server.host"), Some(&json!("localhost")));
    /// assert!(matches!(cfg.source_of("server.port"), Some(Source::Provider { .. })));
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn provider(mut self, provider: impl Provider + Send + Sync + 'static) -> Self {
        self.providers.push(Arc::new(provider));
        self
    }

    /// Follows this Prefect version (0.15 unless set): its embedded defaults
    /// (1.x adds `[cloud.rate_limiting]`) and, through
    /// [`Config::prefect_version`], its secrets rules (see
    /// [`PrefectVersion::V1`]). Defaults from a file or a string are used as
    /// given.
    ///
    /// ```
    /// use prefect_config::config::{Loader, PrefectVersion};
    /// use serde_json::json;
    /// let v1 = Loader::prefect()
    ///     .prefect_version(PrefectVersion::V1)
    ///     .env_vars([("HOME", "/home/me")])
    ///     .load()?;
    /// assert_eq!(v1.get("cloud.rate_limiting.max_retries"), Some(&json!(6)));
    /// assert_eq!(v1.prefect_version(), PrefectVersion::V1);
    /// let v015 = Loader::prefect().env_vars([("HOME", "/home/me")]).load()?;
    /// assert!(v015.get("cloud.rate_limiting").is_none());
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn prefect_version(mut self, version: PrefectVersion) -> Self {
        self.version = version;
        self
    }

    /// Sets the caps on sizes and counts (see [`Limits`]).
    ///
    /// ```
    /// use prefect_config::config::{ConfigError, Limits, Loader};
    /// let err = Loader::new()
    ///     .defaults_toml("a = '${b}'\nb = '${c}'\nc = 1")
    ///     .limits(Limits::default().max_substitutions(1))
    ///     .load()
    ///     .unwrap_err();
    /// assert!(matches!(err, ConfigError::ReferenceDidNotSettle { .. }));
    /// ```
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Loads, merges, interpolates, casts and validates the configuration.
    ///
    /// ```
    /// use prefect_config::config::{ConfigError, Loader};
    /// let err = Loader::new().defaults_toml("[a]\nx = '${a.y}'\ny = '${a.x}'").load().unwrap_err();
    /// assert!(matches!(err, ConfigError::ReferenceCycle { .. }));
    /// ```
    pub fn load(&self) -> Result<Config, ConfigError> {
        self.load_layers().map(Layers::into_config)
    }

    /// Loads like [`Loader::load`] and keeps the list of layers read, for
    /// [`Layers::explain`] and [`Layers::sources`].
    ///
    /// ```
    /// use prefect_config::config::Loader;
    /// let layers = Loader::new().defaults_toml("a = 1").load_layers()?;
    /// assert_eq!(layers.config().get("a"), Some(&serde_json::json!(1)));
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn load_layers(&self) -> Result<Layers, ConfigError> {
        self.pipeline(&mut Sink::stop(), None)
    }

    /// The load itself: every layer in [`ORDER`], then the passes. With a
    /// collecting sink it goes on past each fault (skipping what is broken)
    /// and `seen` keeps what a check needs to locate problems.
    pub(crate) fn pipeline(
        &self,
        sink: &mut Sink,
        mut seen: Option<&mut Seen>,
    ) -> Result<Layers, ConfigError> {
        let env = self.environment();
        let mut warnings = Vec::new();
        let mut typo_warnings = Vec::new();
        let mut sources = Vec::new();
        let mut tree: Option<Table> = None;
        // Every layer's tree is charged as it joins: a lower layer's values
        // stay in memory as the history of the keys that override them.
        let mut budget = Budget::new(&self.limits);
        let mut add = |layer: Layer,
                       tree: &mut Option<Table>,
                       budget: &mut Budget,
                       sink: &mut Sink|
         -> Result<(), ConfigError> {
            if !budget.spend_table(&layer.root, sink)? {
                return Ok(());
            }
            sources.push(layer.source);
            match tree {
                Some(lower) => merge::merge(lower, layer.root),
                None => *tree = Some(layer.root),
            }
            Ok(())
        };
        for kind in ORDER {
            match kind {
                LayerKind::Defaults => {
                    let Some(defaults) = &self.defaults else {
                        continue;
                    };
                    let read =
                        self.read_defaults(defaults, &env, &mut budget, sink, seen.as_deref_mut());
                    let layer = match read {
                        Ok(Some(layer)) => layer,
                        Ok(None) => continue,
                        Err(err) => {
                            sink.report(err)?;
                            continue;
                        }
                    };
                    if let Some(seen) = seen.as_deref_mut() {
                        seen.defaults = Some(layer.root.clone());
                    }
                    add(layer, &mut tree, &mut budget, sink)?;
                }
                LayerKind::User | LayerKind::Backend => {
                    let Some((path, source)) = self.file_of(kind, &env) else {
                        continue;
                    };
                    // Read straight away (no `stat` first): the reader looks
                    // at the file it opened, and a missing one is skipped.
                    let cap = self.limits.max_file_bytes;
                    let text = match read_file::read_config_text(&path, cap) {
                        Ok(text) => text,
                        Err(refused) if refused.is_missing() => {
                            // Prefect skips a missing file silently; a path named
                            // by a variable is a deliberate choice, so say so.
                            if let Some(var) = self.var_naming(kind, &env) {
                                warnings.push(ConfigWarning::MissingFile {
                                    var: var.to_owned(),
                                    path,
                                });
                            }
                            continue;
                        }
                        Err(refused) => {
                            sink.report(refused.into_error(&path, cap))?;
                            continue;
                        }
                    };
                    if let Some(layer) =
                        parse_layer(source, &text, &mut budget, sink, seen.as_deref_mut())?
                    {
                        if let Some(seen) = seen.as_deref_mut() {
                            seen.file_layers
                                .push((layer.source.clone(), layer.root.clone()));
                        }
                        add(layer, &mut tree, &mut budget, sink)?;
                    }
                }
                LayerKind::Providers => {
                    for provider in &self.providers {
                        match fig::provider_layer(provider.as_ref()) {
                            Ok(layer) => add(layer, &mut tree, &mut budget, sink)?,
                            Err(err) => sink.report(err)?,
                        }
                    }
                }
                LayerKind::SecretsDir => {
                    if let Some(dir) = self.secrets_dir_of(&env, tree.as_ref()) {
                        if let Some(layer) =
                            secrets_dir::read(&dir, &self.limits, budget.remaining(), &mut warnings)
                        {
                            add(layer, &mut tree, &mut budget, sink)?;
                        }
                    }
                }
                LayerKind::Env => {
                    if let Some(prefix) = &self.env_prefix {
                        let layer = env_layer::read(&env, prefix, &mut warnings, sink)?;
                        if let Some(lower) = &tree {
                            env_layer::check_below_values(
                                lower,
                                &layer.root,
                                &mut Vec::new(),
                                sink,
                            )?;
                            typo_warnings = typos::env_typos(lower, &layer.root);
                        }
                        add(layer, &mut tree, &mut budget, sink)?;
                    }
                }
            }
        }
        let mut root = tree.unwrap_or_else(|| Table::new(Source::Runtime));
        let pending = values::run(&mut root, &env, &self.limits, &mut budget, sink)?;
        warnings.extend(references::resolve(
            &mut root,
            pending,
            &self.limits,
            &mut budget,
            sink,
        )?);
        if self.task_defaults {
            if let Err(err) = task_defaults::apply(&mut root) {
                sink.report(err)?;
            }
        }
        let max = if sink.collecting() { usize::MAX } else { 1 };
        let mut reserved = Vec::new();
        validate::reserved_keys(&root, &mut Vec::new(), &mut reserved, max);
        for err in reserved {
            sink.report(err)?;
        }
        typo_warnings.append(&mut warnings);
        let mut config = Config::new(root, typo_warnings);
        config.version = self.version;
        Ok(Layers::new(config, sources))
    }

    /// The inputs this loader reads, lowest first, with their resolved paths
    /// and whether they exist. Nothing is parsed except to find a
    /// `secrets_dir` key; a broken file is reported by [`Loader::load`].
    ///
    /// ```
    /// use prefect_config::config::Loader;
    /// let inputs = Loader::prefect().env_vars([("HOME", "/home/me")]).inputs();
    /// let user = inputs.iter().find(|i| i.layer == "user").unwrap();
    /// assert_eq!(user.path.as_deref(), Some(std::path::Path::new("/home/me/.prefect/config.toml")));
    /// ```
    pub fn inputs(&self) -> Vec<Input> {
        let env = self.environment();
        let mut inputs = Vec::new();
        let mut files: Option<Table> = None;
        for kind in ORDER {
            match kind {
                LayerKind::Defaults => match &self.defaults {
                    Some(Defaults::Embedded | Defaults::Toml(_)) => {
                        inputs.push(Input::new("defaults", None, true))
                    }
                    Some(Defaults::File(path)) => {
                        let path = expand_path(path, &env, &self.limits);
                        let found = path.is_file();
                        inputs.push(Input::new("defaults", Some(path), found));
                    }
                    None => {}
                },
                LayerKind::User | LayerKind::Backend => {
                    if let Some((path, source)) = self.file_of(kind, &env) {
                        let layer = source.layer();
                        // Only to find a `secrets_dir` key; problems surface on load.
                        if let Some(parsed) =
                            read_file::read_config_text(&path, self.limits.max_file_bytes)
                                .ok()
                                .and_then(|text| Layer::from_toml(source, &text).ok())
                        {
                            match &mut files {
                                Some(lower) => merge::merge(lower, parsed.root),
                                None => files = Some(parsed.root),
                            }
                        }
                        let found = path.is_file();
                        inputs.push(Input::new(layer, Some(path), found));
                    }
                }
                LayerKind::Providers => {
                    for provider in &self.providers {
                        let metadata = provider.metadata();
                        let path = metadata
                            .source
                            .as_ref()
                            .and_then(|s| s.file_path())
                            .map(Path::to_path_buf);
                        let found = path.as_deref().is_none_or(Path::is_file);
                        let mut input = Input::new("provider", path, found);
                        input.name = Some(metadata.name.into_owned());
                        inputs.push(input);
                    }
                }
                LayerKind::SecretsDir => {
                    if let Some(dir) = self.secrets_dir_of(&env, files.as_ref()) {
                        let found = dir.is_dir();
                        inputs.push(Input::new("secrets_dir", Some(dir), found));
                    }
                }
                LayerKind::Env => {
                    if let Some(prefix) = &self.env_prefix {
                        let names: Vec<String> = env
                            .with_prefix(prefix)
                            .map(|(name, _, _)| name.to_string())
                            .collect();
                        let mut input = Input::new("env", None, !names.is_empty());
                        input.env_vars = names;
                        input.prefix = Some(format!("{prefix}{}", crate::config::key::SEPARATOR));
                        inputs.push(input);
                    }
                }
            }
        }
        inputs
    }

    /// The environment snapshot this loader reads.
    pub(crate) fn environment(&self) -> Environment {
        self.env.clone().unwrap_or_else(Environment::from_process)
    }

    /// The defaults layer; `None` when it is broken and a check goes on.
    fn read_defaults(
        &self,
        defaults: &Defaults,
        env: &Environment,
        budget: &mut Budget,
        sink: &mut Sink,
        seen: Option<&mut Seen>,
    ) -> Result<Option<Layer>, ConfigError> {
        match defaults {
            Defaults::Embedded => embedded_layer(self.version).map(Some),
            Defaults::Toml(text) => parse_layer(Source::DefaultsToml, text, budget, sink, seen),
            Defaults::File(path) => {
                let path = expand_path(path, env, &self.limits);
                let cap = self.limits.max_file_bytes;
                let text = read_file::read_config_text(&path, cap)
                    .map_err(|r| r.into_error(&path, cap))?;
                let source = Source::DefaultsFile(Arc::from(path));
                parse_layer(source, &text, budget, sink, seen)
            }
        }
    }

    /// The user or backend file's path and source, when that layer is on.
    fn file_of(&self, kind: LayerKind, env: &Environment) -> Option<(PathBuf, Source)> {
        let (spec, make): (_, fn(Arc<Path>) -> Source) = match kind {
            LayerKind::User => (&self.user, Source::UserFile),
            LayerKind::Backend => (&self.backend, Source::BackendFile),
            _ => return None,
        };
        let path = spec.as_ref()?.resolve(env, &self.limits);
        let source = make(Arc::from(path.as_path()));
        Some((path, source))
    }

    /// The variable that named the user or backend file's path, when one did.
    fn var_naming(&self, kind: LayerKind, env: &Environment) -> Option<&'static str> {
        let spec = match kind {
            LayerKind::User => &self.user,
            LayerKind::Backend => &self.backend,
            _ => return None,
        };
        match spec.as_ref()? {
            FileSpec::FromEnv { var, .. } if env.get(var).is_some() => Some(var),
            _ => None,
        }
    }

    /// The secrets directory: given, or `$PREFECT__SECRETS_DIR`, else the
    /// top-level `secrets_dir` of the layers below it.
    fn secrets_dir_of(&self, env: &Environment, below: Option<&Table>) -> Option<PathBuf> {
        match self.secrets_dir.as_ref()? {
            DirSpec::Path(path) => Some(expand_path(path, env, &self.limits)),
            DirSpec::Standard => {
                let named = env
                    .get("PREFECT__SECRETS_DIR")
                    .map(str::to_owned)
                    .or_else(|| match below?.entries.get("secrets_dir")? {
                        Node::Leaf(leaf) => leaf.value.as_str().map(str::to_owned),
                        Node::Table(_) => None,
                    })?;
                Some(expand_path(Path::new(&named), env, &self.limits))
            }
        }
    }
}

/// Parses a TOML text into a layer, once the budget admits what parsing it
/// takes (see [`Budget::admits_toml`]).
fn parse_layer(
    source: Source,
    text: &str,
    budget: &mut Budget,
    sink: &mut Sink,
    seen: Option<&mut Seen>,
) -> Result<Option<Layer>, ConfigError> {
    if !budget.admits_toml(text, sink)? {
        return Ok(None);
    }
    Layer::from_toml_into(source, text, sink, seen)
}

/// The embedded defaults never change: parse each once per process.
fn embedded_layer(version: PrefectVersion) -> Result<Layer, ConfigError> {
    static V0_15: Lazy<Result<Layer, ConfigError>> =
        Lazy::new(|| Layer::from_toml(Source::EmbeddedDefaults, EMBEDDED_DEFAULTS));
    static V1: Lazy<Result<Layer, ConfigError>> = Lazy::new(|| {
        Layer::from_toml(
            Source::EmbeddedDefaults,
            PrefectVersion::V1.embedded_defaults(),
        )
    });
    match version {
        PrefectVersion::V0_15 => V0_15.clone(),
        PrefectVersion::V1 => V1.clone(),
    }
}

impl FileSpec {
    fn resolve(&self, env: &Environment, limits: &Limits) -> PathBuf {
        match self {
            FileSpec::Path(path) => expand_path(path, env, limits),
            FileSpec::FromEnv { var, fallback } => {
                let raw = env.get(var).unwrap_or(fallback);
                expand_path(Path::new(raw), env, limits)
            }
        }
    }
}

/// Expands `$VAR` and `~` in a UTF-8 path, as Prefect does for file paths;
/// a path whose expansion fails or grows past the cap is used as written.
fn expand_path(path: &Path, env: &Environment, limits: &Limits) -> PathBuf {
    match path
        .to_str()
        .map(|text| expand::expand_env(text, env, limits.max_value_bytes))
    {
        Some(Ok(Some(expanded))) => PathBuf::from(expanded.text),
        _ => path.to_path_buf(),
    }
}

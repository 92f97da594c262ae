//! [`Loader`]: the one place that fixes the order of layers.
//!
//! | # | layer            | where                                                         | missing  |
//! |---|------------------|---------------------------------------------------------------|----------|
//! | 1 | defaults         | embedded `config/config.toml`, a file, or a TOML string       | error    |
//! | 2 | user file        | `$PREFECT__USER_CONFIG_PATH`, else `~/.prefect/config.toml`   | skipped  |
//! | 3 | backend file     | `$PREFECT__BACKEND_CONFIG_PATH`, else `~/.prefect/backend.toml` | skipped |
//! | 4 | secrets directory | `$PREFECT__SECRETS_DIR` or `secrets_dir`: one file per secret | warned   |
//! | 5 | environment      | `PREFIX__SECTION__KEY=value`                                  | —        |
//!
//! Later layers win. Tables merge key by key (figment's `merge`); any other
//! value replaces the lower one whole. Then, on the merged tree: environment
//! expansion and casting of every string leaf, `${a.b}` references, task
//! defaults, validation.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use once_cell::sync::Lazy;
use serde_json::{Map, Value};

use crate::config::env::{self, Environment};
use crate::config::inspect::Input;
use crate::config::layer::Layer;
use crate::config::merge::merge;
use crate::config::tree::{FastMap, LeafMeta, Meta};
use crate::config::{
    Config, ConfigError, ConfigWarning, MAX_DEPTH, Source, cast, interpolate, secrets_dir,
    task_defaults, validate,
};

/// The defaults compiled into the crate: the text of `config/config.toml`,
/// comments included, which [`Loader::prefect`] loads as its lowest layer.
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
#[derive(Clone, Debug, Default)]
#[must_use = "a Loader does nothing until `load` is called"]
pub struct Loader {
    defaults: Option<Defaults>,
    user: Option<FileSpec>,
    backend: Option<FileSpec>,
    env_prefix: Option<String>,
    env: Option<Environment>,
    task_defaults: bool,
    secrets_dir: Option<DirSpec>,
}

#[derive(Clone, Debug)]
enum DirSpec {
    Path(PathBuf),
    /// `$PREFECT__SECRETS_DIR`, else a top-level `secrets_dir` in a TOML layer.
    Standard,
}

#[derive(Clone, Debug)]
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

    /// Uses the defaults compiled into this crate (`config/config.toml`).
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

    /// Loads, merges, interpolates, casts and validates the configuration.
    ///
    /// ```
    /// use prefect_config::config::{ConfigError, Loader};
    /// let err = Loader::new().defaults_toml("[a]\nx = '${a.y}'\ny = '${a.x}'").load().unwrap_err();
    /// assert!(matches!(err, ConfigError::ReferenceCycle { .. }));
    /// ```
    pub fn load(&self) -> Result<Config, ConfigError> {
        self.load_parts().map(|parts| parts.config)
    }

    /// The environment snapshot this loader reads.
    pub(crate) fn environment(&self) -> Environment {
        self.env.clone().unwrap_or_else(Environment::from_process)
    }

    /// Every input this loader would read, resolved but not loaded.
    pub(crate) fn resolve_inputs(&self) -> Vec<Input> {
        let env = self.environment();
        let mut inputs = Vec::new();
        let mut file_layers = Vec::new();
        match &self.defaults {
            Some(Defaults::Embedded | Defaults::Toml(_)) => {
                inputs.push(Input::new("defaults", None, true))
            }
            Some(Defaults::File(path)) => {
                let path = expand_path(path, &env);
                let found = path.is_file();
                inputs.push(Input::new("defaults", Some(path), found));
            }
            None => {}
        }
        for (spec, layer, make_source) in [
            (
                &self.user,
                "user",
                Source::UserFile as fn(Arc<Path>) -> Source,
            ),
            (
                &self.backend,
                "backend",
                Source::BackendFile as fn(Arc<Path>) -> Source,
            ),
        ] {
            if let Some(path) = spec.as_ref().map(|spec| spec.resolve(&env)) {
                let found = path.is_file();
                // Only to find a `secrets_dir` key; problems surface on load.
                if let Some(layer) = std::fs::read_to_string(&path).ok().and_then(|text| {
                    Layer::from_toml(make_source(Arc::from(path.as_path())), &text).ok()
                }) {
                    file_layers.push(layer);
                }
                inputs.push(Input::new(layer, Some(path), found));
            }
        }
        if let Some(dir) = self
            .secrets_dir
            .as_ref()
            .and_then(|spec| spec.resolve(&env, &file_layers))
        {
            let found = dir.is_dir();
            inputs.push(Input::new("secrets_dir", Some(dir), found));
        }
        if let Some(prefix) = &self.env_prefix {
            let names: Vec<String> = env
                .with_prefix(prefix)
                .map(|(name, _, _)| name.to_owned())
                .collect();
            let mut input = Input::new("env", None, !names.is_empty());
            input.env_vars = names;
            inputs.push(input);
        }
        inputs
    }

    /// Loads, keeping the layers and the environment for explanations.
    pub(crate) fn load_parts(&self) -> Result<Loaded, ConfigError> {
        let env = self.environment();
        let mut layers = Vec::with_capacity(4);
        if let Some(defaults) = &self.defaults {
            layers.push(match defaults {
                Defaults::Embedded => embedded_layer()?,
                Defaults::Toml(text) => Layer::from_toml(Source::DefaultsToml, text)?,
                Defaults::File(path) => {
                    let path = expand_path(path, &env);
                    let text =
                        std::fs::read_to_string(&path).map_err(|e| ConfigError::read(&path, e))?;
                    Layer::from_toml(Source::DefaultsFile(Arc::from(path)), &text)?
                }
            });
        }
        for (spec, make_source) in [
            (&self.user, Source::UserFile as fn(Arc<Path>) -> Source),
            (
                &self.backend,
                Source::BackendFile as fn(Arc<Path>) -> Source,
            ),
        ] {
            if let Some(path) = spec.as_ref().map(|spec| spec.resolve(&env)) {
                if path.is_file() {
                    let text =
                        std::fs::read_to_string(&path).map_err(|e| ConfigError::read(&path, e))?;
                    layers.push(Layer::from_toml(make_source(Arc::from(path)), &text)?);
                }
            }
        }
        let file_layers = layers.len();
        let mut warnings = Vec::new();
        if let Some(dir) = self
            .secrets_dir
            .as_ref()
            .and_then(|spec| spec.resolve(&env, &layers))
        {
            layers.extend(secrets_dir::read(&dir, &mut warnings));
        }
        let env_index = layers.len();
        if let Some(prefix) = &self.env_prefix {
            layers.push(env_layer(&env, prefix, &mut warnings)?);
        }

        let (mut value, mut meta) = merge(&layers);
        expand_and_cast(&mut value, &mut meta, &env, &mut Vec::new())?;
        warnings.extend(interpolate::resolve_references(&mut value, &mut meta)?);
        let mut config = Config {
            value,
            meta,
            warnings,
        };
        if self.task_defaults {
            task_defaults::apply(&mut config);
        }
        validate::reserved_keys(&config)?;
        let typos = validate::env_typos(&layers[..file_layers], layers.get(env_index));
        config.warnings.splice(0..0, typos);
        Ok(Loaded {
            config,
            layers,
            env,
        })
    }
}

/// A loaded configuration with the layers it was merged from.
pub(crate) struct Loaded {
    pub(crate) config: Config,
    pub(crate) layers: Vec<Layer>,
    pub(crate) env: Environment,
}

/// The embedded defaults never change: parse them once per process.
fn embedded_layer() -> Result<Layer, ConfigError> {
    static PARSED: Lazy<Result<Layer, ConfigError>> =
        Lazy::new(|| Layer::from_toml(Source::EmbeddedDefaults, EMBEDDED_DEFAULTS));
    PARSED.clone()
}

impl DirSpec {
    fn resolve(&self, env: &Environment, file_layers: &[Layer]) -> Option<PathBuf> {
        match self {
            DirSpec::Path(path) => Some(expand_path(path, env)),
            DirSpec::Standard => {
                let named = env
                    .get("PREFECT__SECRETS_DIR")
                    .map(str::to_owned)
                    .or_else(|| {
                        file_layers.iter().rev().find_map(|layer| {
                            layer.data.get("secrets_dir")?.as_str().map(str::to_owned)
                        })
                    })?;
                Some(expand_path(Path::new(&named), env))
            }
        }
    }
}

impl FileSpec {
    fn resolve(&self, env: &Environment) -> PathBuf {
        match self {
            FileSpec::Path(path) => expand_path(path, env),
            FileSpec::FromEnv { var, fallback } => {
                let raw = env.get(var).unwrap_or(fallback);
                expand_path(Path::new(raw), env)
            }
        }
    }
}

/// Expands `$VAR` and `~` in a UTF-8 path, as Prefect does for file paths.
fn expand_path(path: &Path, env: &Environment) -> PathBuf {
    match path.to_str().map(|text| interpolate::expand_env(text, env)) {
        Some(Ok(Some(expanded))) => PathBuf::from(expanded),
        _ => path.to_path_buf(),
    }
}

/// Builds the environment layer from `PREFIX__...` variables.
fn env_layer(
    env: &Environment,
    prefix: &str,
    warnings: &mut Vec<ConfigWarning>,
) -> Result<Layer, ConfigError> {
    let mut data = Map::new();
    let mut sources: FastMap<Vec<String>, Source> = FastMap::default();
    let mut raw: FastMap<Vec<String>, Arc<str>> = FastMap::default();
    for (name, rest, text) in env.with_prefix(prefix) {
        let path = env::key_path_of(name, rest)?;
        let source = Source::EnvVar(Arc::from(name));
        if path.len() > MAX_DEPTH {
            return Err(ConfigError::TooDeep {
                origin: source,
                line: 1,
                limit: MAX_DEPTH,
            });
        }
        let text = match interpolate::expand_env(text, env) {
            Ok(expanded) => expanded.unwrap_or_else(|| text.to_owned()),
            Err(()) => {
                return Err(ConfigError::ExpansionDidNotSettle {
                    key: path.join("."),
                    origin: source,
                });
            }
        };
        let value = match cast::cast(&text) {
            Some(value) => {
                if !value.is_string() {
                    raw.insert(path.clone(), Arc::from(text));
                }
                value
            }
            None => Value::String(text),
        };
        // A variable that sets a key inside another variable's value, or a
        // parent of another variable's key, replaces it (later names win).
        let overlaps = |other: &Vec<String>| other.starts_with(&path) || path.starts_with(other);
        let losers: Vec<Vec<String>> = sources
            .keys()
            .filter(|other| overlaps(other))
            .cloned()
            .collect();
        for loser in losers {
            if let Some(Source::EnvVar(var)) = sources.remove(&loser) {
                warnings.push(ConfigWarning::EnvConflict {
                    var: var.to_string(),
                    winner: name.to_owned(),
                });
            }
            raw.remove(&loser);
            remove_path(&mut data, &loser);
        }
        insert_path(&mut data, &path, value);
        sources.insert(path, source);
    }
    let mut layer = Layer::new(Source::EnvVar(Arc::from(format!("{prefix}__*"))), data);
    layer.leaf_sources = Some(Arc::new(sources));
    layer.raw = raw;
    Ok(layer)
}

fn insert_path(data: &mut Map<String, Value>, path: &[String], value: Value) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut node = data;
    for part in parents {
        let entry = node
            .entry(part.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        if !entry.is_object() {
            *entry = Value::Object(Map::new());
        }
        let Value::Object(map) = entry else { return };
        node = map;
    }
    node.insert(last.clone(), value);
}

fn remove_path(data: &mut Map<String, Value>, path: &[String]) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut node = data;
    for part in parents {
        let Some(Value::Object(map)) = node.get_mut(part) else {
            return;
        };
        node = map;
    }
    node.shift_remove(last);
}

/// Expands `$VAR`/`~` in, then casts, every string leaf (not strings inside
/// arrays, and not values already cast from text).
fn expand_and_cast(
    value: &mut Value,
    meta: &mut Meta,
    env: &Environment,
    path: &mut Vec<String>,
) -> Result<(), ConfigError> {
    match (value, meta) {
        (Value::Object(map), Meta::Table { children, .. }) => {
            for (key, child) in map.iter_mut() {
                if let Some(child_meta) = children.get_mut(key) {
                    path.push(key.clone());
                    expand_and_cast(child, child_meta, env, path)?;
                    path.pop();
                }
            }
        }
        // Secrets read from files are taken exactly as written.
        (
            Value::String(_),
            Meta::Leaf(LeafMeta {
                source: Source::SecretsFile(_),
                ..
            }),
        ) => {}
        (value @ Value::String(_), Meta::Leaf(leaf)) => {
            let Value::String(text) = &*value else {
                return Ok(());
            };
            let expanded = interpolate::expand_env(text, env).map_err(|()| {
                ConfigError::ExpansionDidNotSettle {
                    key: path.join("."),
                    origin: leaf.source.clone(),
                }
            })?;
            let text = expanded.as_deref().unwrap_or(text);
            match cast::cast(text) {
                Some(cast_value) => {
                    if !cast_value.is_string() {
                        leaf.raw = Some(Arc::from(text));
                    }
                    *value = cast_value;
                }
                None => {
                    if let Some(expanded) = expanded {
                        *value = Value::String(expanded);
                    }
                }
            }
        }
        _ => {}
    }
    Ok(())
}

//! Inspection: which inputs a [`Loader`] reads, and how one key got its value.
//!
//! [`Loader::inputs`] lists the layers with their paths and whether each was
//! found, without loading anything. [`Loader::load_layers`] loads and keeps the
//! layers, so that [`Layers::explain`] can show, for one key, the raw value
//! every layer gave, which one won, and each step from the winning text to the
//! final value: `$VAR`/`~` expansion, casting, and `${a.b}` references.
//!
//! ```
//! use prefect_config::config::{Loader, Source, Step};
//! use serde_json::json;
//!
//! let layers = Loader::new()
//!     .defaults_toml("[server]\nhost = 'http://localhost'\nport = '4200'\nendpoint = '${server.host}:${server.port}'")
//!     .env_prefix("PREFECT")
//!     .env_vars([("PREFECT__SERVER__PORT", "8080")])
//!     .load_layers()?;
//! let port = layers.explain("server.port").unwrap();
//! assert_eq!(port.layers().len(), 2);
//! assert_eq!(port.layers()[0].raw, json!("4200"));
//! assert_eq!(port.source(), &Source::EnvVar("PREFECT__SERVER__PORT".into()));
//!
//! let endpoint = layers.explain("server.endpoint").unwrap();
//! let texts: Vec<_> = endpoint.steps().iter().map(|s| s.value.clone()).collect();
//! assert_eq!(texts, [json!("http://localhost:${server.port}"), json!("http://localhost:8080")]);
//! assert!(matches!(&endpoint.steps()[0], Step { reference: Some(r), .. } if r == "server.host"));
//! # Ok::<(), prefect_config::config::ConfigError>(())
//! ```

use std::fmt;
use std::path::PathBuf;

use serde_json::Value;

use crate::config::env::Environment;
use crate::config::interpolate::{self, Target};
use crate::config::layer::Layer;
use crate::config::loader::Loaded;
use crate::config::tree::split;
use crate::config::{Config, ConfigError, Loader, Source, cast, python};

/// One input of a [`Loader`], resolved: its layer kind, its path, and whether
/// it exists. Environment inputs list the names (never the values) of the
/// variables that match the prefix.
///
/// ```
/// use prefect_config::config::Loader;
/// let inputs = Loader::new()
///     .defaults_toml("")
///     .user_file("/nonexistent/config.toml")
///     .env_prefix("APP")
///     .env_vars([("APP__X", "1"), ("OTHER", "2")])
///     .inputs();
/// let layers: Vec<_> = inputs.iter().map(|i| (i.layer, i.found)).collect();
/// assert_eq!(layers, [("defaults", true), ("user", false), ("env", true)]);
/// assert_eq!(inputs[2].env_vars, ["APP__X"]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Input {
    /// The layer kind, as [`Source::layer`] names it: `defaults`, `user`,
    /// `backend`, `secrets_dir` or `env`.
    pub layer: &'static str,
    /// The file or directory read; `None` for embedded or inline defaults and
    /// for the environment.
    pub path: Option<PathBuf>,
    /// Whether the file or directory exists (for the environment: whether any
    /// variable matched).
    pub found: bool,
    /// For the environment: the names of the variables with the prefix.
    pub env_vars: Vec<String>,
}

impl Input {
    pub(crate) fn new(layer: &'static str, path: Option<PathBuf>, found: bool) -> Input {
        Input {
            layer,
            path,
            found,
            env_vars: Vec::new(),
        }
    }
}

impl Loader {
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
        self.resolve_inputs()
    }

    /// Loads like [`Loader::load`] and keeps the layers, for
    /// [`Layers::explain`].
    ///
    /// ```
    /// use prefect_config::config::Loader;
    /// let layers = Loader::new().defaults_toml("a = 1").load_layers()?;
    /// assert_eq!(layers.config().get("a"), Some(&serde_json::json!(1)));
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn load_layers(&self) -> Result<Layers, ConfigError> {
        let Loaded {
            config,
            layers,
            env,
        } = self.load_parts()?;
        Ok(Layers {
            config,
            layers,
            env,
        })
    }
}

/// A loaded configuration together with the layers it was merged from.
///
/// Built by [`Loader::load_layers`]. `Debug` shows the layers' origins only.
///
/// ```
/// use prefect_config::config::{Loader, Source};
/// let layers = Loader::new().defaults_toml("a = 1").load_layers()?;
/// assert_eq!(layers.sources().collect::<Vec<_>>(), [&Source::DefaultsToml]);
/// let config = layers.into_config();
/// assert!(config.contains("a"));
/// # Ok::<(), prefect_config::config::ConfigError>(())
/// ```
pub struct Layers {
    config: Config,
    layers: Vec<Layer>,
    env: Environment,
}

impl Layers {
    /// The loaded configuration.
    ///
    /// ```
    /// use prefect_config::config::Loader;
    /// let layers = Loader::new().defaults_toml("a = 'x'").load_layers()?;
    /// assert_eq!(layers.config().get("a").and_then(|v| v.as_str()), Some("x"));
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The loaded configuration, without the layers.
    ///
    /// ```
    /// use prefect_config::config::Loader;
    /// let config = Loader::new().defaults_toml("a = 1").load_layers()?.into_config();
    /// assert!(config.contains("a"));
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn into_config(self) -> Config {
        self.config
    }

    /// The origin of each layer that was read, lowest first (the environment
    /// layer as `PREFIX__*`).
    ///
    /// ```
    /// use prefect_config::config::{Loader, Source};
    /// let layers = Loader::new().defaults_toml("").env_prefix("P").env_vars([("X", "1")]).load_layers()?;
    /// assert_eq!(layers.sources().collect::<Vec<_>>(), [&Source::DefaultsToml, &Source::EnvVar("P__*".into())]);
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn sources(&self) -> impl Iterator<Item = &Source> {
        self.layers.iter().map(|layer| &layer.source)
    }

    /// How `key` got its value: the raw value of every layer that set it,
    /// lowest first, and the steps from the winner's text to the final value.
    /// `None` when the configuration has no value at `key`.
    ///
    /// A layer's raw value is the text as written for values that casting
    /// changed (`"4200"`), else the value as parsed. Values from a secrets
    /// directory are taken as written, so they have no steps.
    ///
    /// ```
    /// use prefect_config::config::{Loader, Step};
    /// use serde_json::json;
    /// let layers = Loader::new()
    ///     .defaults_toml("home = '~/x'\nport = '42'")
    ///     .env_vars([("HOME", "/h")])
    ///     .load_layers()?;
    /// let home = layers.explain("home").unwrap();
    /// assert_eq!(home.steps().iter().map(|s| &s.value).collect::<Vec<_>>(), [&json!("/h/x")]);
    /// assert_eq!(layers.explain("port").unwrap().value(), &json!(42));
    /// assert!(layers.explain("nope").is_none());
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn explain(&self, key: &str) -> Option<Explanation> {
        let value = self.config.get(key)?.clone();
        let source = self.config.source_of(key)?.clone();
        let path: Vec<String> = split(key).map(str::to_owned).collect();
        let layers: Vec<LayerValue> = self
            .layers
            .iter()
            .filter_map(|layer| {
                let raw = match layer.raw.get(&path) {
                    Some(text) => Value::String(text.to_string()),
                    None => layer.get(&path)?.clone(),
                };
                Some(LayerValue {
                    source: layer.source_of(&path).clone(),
                    raw,
                })
            })
            .collect();
        let steps = match layers.last() {
            Some(winner) if winner.source == source => self.steps(&winner.raw, &source),
            _ => Vec::new(),
        };
        Some(Explanation {
            key: key.to_owned(),
            layers,
            steps,
            value,
            source,
        })
    }

    /// Replays the loader's pipeline on one raw value.
    fn steps(&self, raw: &Value, source: &Source) -> Vec<Step> {
        let mut steps = Vec::new();
        let Value::String(text) = raw else {
            return steps;
        };
        if matches!(source, Source::SecretsFile(_)) {
            return steps;
        }
        let mut current = Value::String(text.clone());
        // Environment values are expanded and cast on their own first.
        let rounds = if source.env_var().is_some() { 2 } else { 1 };
        for _ in 0..rounds {
            let Value::String(text) = &current else { break };
            if let Ok(Some(expanded)) = interpolate::expand_env(text, &self.env) {
                current = Value::String(expanded);
                steps.push(Step::new(StepKind::ExpandEnv, current.clone(), None));
            }
            let Value::String(text) = &current else { break };
            if let Some(cast) = cast::cast(text).filter(|cast| cast != &current) {
                current = cast;
                steps.push(Step::new(StepKind::Cast, current.clone(), None));
            }
        }
        // References resolve against the final configuration, exactly as the
        // loader's last pass saw them; the bound only guards against surprises.
        for _ in 0..1000 {
            let Value::String(text) = &current else { break };
            let Some((whole, reference)) = interpolate::find_reference(text) else {
                break;
            };
            let reference = text[reference].to_owned();
            let ref_path: Vec<String> = reference.split('.').map(str::to_owned).collect();
            let replacement =
                match interpolate::lookup(&self.config.value, &self.config.meta, &ref_path) {
                    Target::Leaf(value, _) => value,
                    Target::Table | Target::Missing => Value::String(String::new()),
                };
            current = if whole.len() == text.len() {
                replacement
            } else {
                let mut next = text.clone();
                next.replace_range(whole, &python::to_str(&replacement));
                Value::String(next)
            };
            steps.push(Step::new(
                StepKind::Reference,
                current.clone(),
                Some(reference),
            ));
        }
        steps
    }
}

/// Origins only: values may be secrets.
impl fmt::Debug for Layers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Layers")
            .field("sources", &self.sources().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// The raw value one layer gave a key.
///
/// ```
/// use prefect_config::config::{Loader, Source};
/// let layers = Loader::new().defaults_toml("a = 'True'").load_layers()?;
/// let why = layers.explain("a").unwrap();
/// let layer = &why.layers()[0];
/// assert_eq!((&layer.source, layer.raw.as_str()), (&Source::DefaultsToml, Some("True")));
/// # Ok::<(), prefect_config::config::ConfigError>(())
/// ```
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct LayerValue {
    /// Where the value came from (for the environment, the variable's name).
    pub source: Source,
    /// The value as written: text for values that casting changed.
    pub raw: Value,
}

/// The origin only: the value may be a secret.
impl fmt::Debug for LayerValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LayerValue")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

/// What one step from raw text to final value did.
///
/// ```
/// use prefect_config::config::{Loader, StepKind};
/// let layers = Loader::new().defaults_toml("a = '1'").load_layers()?;
/// assert_eq!(layers.explain("a").unwrap().steps()[0].kind, StepKind::Cast);
/// # Ok::<(), prefect_config::config::ConfigError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StepKind {
    /// `$VAR`, `${VAR}` and a leading `~` were expanded from the environment.
    ExpandEnv,
    /// Text was cast to the value of a literal (`"4200"` to 4200).
    Cast,
    /// One `${a.b}` reference was replaced.
    Reference,
}

/// One step from raw text to final value, with the value after it.
///
/// ```
/// use prefect_config::config::{Loader, StepKind};
/// use serde_json::json;
/// let layers = Loader::new().defaults_toml("a = 'x'\nb = '${a}y'").load_layers()?;
/// let why = layers.explain("b").unwrap();
/// let step = &why.steps()[0];
/// assert_eq!((step.kind, &step.value, step.reference.as_deref()), (StepKind::Reference, &json!("xy"), Some("a")));
/// # Ok::<(), prefect_config::config::ConfigError>(())
/// ```
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct Step {
    /// What the step did.
    pub kind: StepKind,
    /// The value after the step.
    pub value: Value,
    /// For [`StepKind::Reference`]: the key that was referenced.
    pub reference: Option<String>,
}

impl Step {
    fn new(kind: StepKind, value: Value, reference: Option<String>) -> Step {
        Step {
            kind,
            value,
            reference,
        }
    }
}

/// The kind and reference only: the value may be a secret.
impl fmt::Debug for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Step")
            .field("kind", &self.kind)
            .field("reference", &self.reference)
            .finish_non_exhaustive()
    }
}

/// How one key got its value; see [`Layers::explain`].
///
/// `Debug` shows the key and origins, never values.
///
/// ```
/// use prefect_config::config::{Loader, Source};
/// let layers = Loader::new().defaults_toml("[a]\nb = 1\ntoken = 'pw-marker'").load_layers()?;
/// let why = layers.explain("a.b").unwrap();
/// assert_eq!((why.key(), why.source()), ("a.b", &Source::DefaultsToml));
/// assert!(why.steps().is_empty());
/// let secret = layers.explain("a.token").unwrap();
/// assert!(!format!("{secret:?} {layers:?}").contains("pw-marker"));
/// # Ok::<(), prefect_config::config::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct Explanation {
    key: String,
    layers: Vec<LayerValue>,
    steps: Vec<Step>,
    value: Value,
    source: Source,
}

impl Explanation {
    /// The dotted key explained.
    ///
    /// ```
    /// use prefect_config::config::Loader;
    /// let layers = Loader::new().defaults_toml("a = 1").load_layers()?;
    /// assert_eq!(layers.explain("a").unwrap().key(), "a");
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Every layer that set the key, lowest first; the last one won, unless
    /// a later step (task defaults) filled the value in.
    ///
    /// ```
    /// use prefect_config::config::Loader;
    /// let layers = Loader::new().defaults_toml("a = 1").env_prefix("P").env_vars([("P__A", "2")]).load_layers()?;
    /// assert_eq!(layers.explain("a").unwrap().layers().len(), 2);
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn layers(&self) -> &[LayerValue] {
        &self.layers
    }

    /// The steps from the winning layer's raw value to the final value.
    ///
    /// ```
    /// use prefect_config::config::Loader;
    /// let layers = Loader::new().defaults_toml("a = 1").load_layers()?;
    /// assert!(layers.explain("a").unwrap().steps().is_empty());
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// The final value.
    ///
    /// ```
    /// use prefect_config::config::Loader;
    /// let layers = Loader::new().defaults_toml("a = 'None'").load_layers()?;
    /// assert!(layers.explain("a").unwrap().value().is_null());
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn value(&self) -> &Value {
        &self.value
    }

    /// Where the final value came from (see [`Config::source_of`]).
    ///
    /// ```
    /// use prefect_config::config::{Loader, Source};
    /// let layers = Loader::new().defaults_toml("a = 1").load_layers()?;
    /// assert_eq!(layers.explain("a").unwrap().source(), &Source::DefaultsToml);
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn source(&self) -> &Source {
        &self.source
    }
}

impl fmt::Debug for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Explanation")
            .field("key", &self.key)
            .field("layers", &self.layers)
            .field("steps", &self.steps)
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

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

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

use crate::config::key::split;
use crate::config::node::Node;
use crate::config::step::{LayerValue, Step};
use crate::config::{Config, Source, sensitive};
use crate::render::MASK;

mod text;

use text::LeafLine;

/// One input of a [`Loader`](crate::config::Loader), resolved: its layer kind, its path, and whether
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
/// assert_eq!(inputs[2].prefix.as_deref(), Some("APP__"));
/// assert_eq!(
///     serde_json::to_value(&inputs[1]).unwrap(),
///     serde_json::json!({"layer": "user", "path": "/nonexistent/config.toml", "found": false}),
/// );
/// assert_eq!(
///     serde_json::to_value(&inputs[2]).unwrap(),
///     serde_json::json!({"layer": "env", "path": null, "found": true, "prefix": "APP__", "env_vars": ["APP__X"]}),
/// );
/// ```
///
/// `Serialize` writes `layer`, `path` (as displayed, or null) and `found`;
/// the environment adds `prefix` and `env_vars` (names only), a provider its
/// `name`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Input {
    /// The layer kind, as [`Source::layer`] names it: `defaults`, `user`,
    /// `backend`, `provider`, `secrets_dir` or `env`.
    pub layer: &'static str,
    /// The file or directory read; `None` for embedded or inline defaults and
    /// for the environment.
    pub path: Option<PathBuf>,
    /// Whether the file or directory exists (for the environment: whether any
    /// variable matched).
    pub found: bool,
    /// For the environment: what each variable's name starts with
    /// (`PREFECT__`).
    pub prefix: Option<String>,
    /// For the environment: the names of the variables with the prefix.
    pub env_vars: Vec<String>,
    /// For a provider: the name its figment `Metadata` gives.
    pub name: Option<String>,
}

impl Input {
    pub(crate) fn new(layer: &'static str, path: Option<PathBuf>, found: bool) -> Input {
        Input {
            layer,
            path,
            found,
            prefix: None,
            env_vars: Vec::new(),
            name: None,
        }
    }
}

impl Serialize for Input {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("layer", self.layer)?;
        let path = self.path.as_ref().map(|p| p.display().to_string());
        map.serialize_entry("path", &path)?;
        map.serialize_entry("found", &self.found)?;
        if let Some(prefix) = &self.prefix {
            map.serialize_entry("prefix", prefix)?;
            map.serialize_entry("env_vars", &self.env_vars)?;
        }
        if let Some(name) = &self.name {
            map.serialize_entry("name", name)?;
        }
        map.end()
    }
}

/// A loaded configuration together with the layers it was merged from.
///
/// Built by [`Loader::load_layers`](crate::config::Loader::load_layers). `Debug` shows the layers' origins only.
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
    sources: Vec<Source>,
}

impl Layers {
    pub(crate) fn new(config: Config, sources: Vec<Source>) -> Layers {
        Layers { config, sources }
    }

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
        self.sources.iter()
    }

    /// How `key` got its value; see [`Config::explain`].
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
        self.config.explain(key)
    }
}

impl Config {
    /// How `key` got its value, as the load recorded it: the raw value of
    /// every layer that set it, lowest first, and each step from the
    /// winner's text to the final value (`$VAR` expansion, casting, `${a.b}`
    /// references with the source of each referenced value, task defaults).
    /// `None` when the configuration has no value at `key`.
    ///
    /// A layer's raw value is the text as written for values that a step
    /// changed (`"4200"`), else the value as parsed. Values from a secrets
    /// directory are taken as written, so they have no steps. A table, or a
    /// path inside an array, has neither layers nor steps.
    ///
    /// ```
    /// use prefect_config::config::{Loader, Source, StepKind};
    /// use serde_json::json;
    /// let cfg = Loader::new()
    ///     .defaults_toml("backend = 'cloud'\nurl = 'https://${backend}.example'")
    ///     .env_prefix("PREFECT")
    ///     .env_vars([("PREFECT__BACKEND", "server")])
    ///     .load()?;
    /// let why = cfg.explain("url").unwrap();
    /// assert_eq!(why.value(), &json!("https://server.example"));
    /// let step = &why.steps()[0];
    /// assert_eq!(step.kind, StepKind::Reference);
    /// assert_eq!(step.source, Some(Source::EnvVar("PREFECT__BACKEND".into())));
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn explain(&self, key: &str) -> Option<Explanation> {
        let value = self.get(key)?.clone();
        let node = self.root.find(split(key));
        let exact = split(key).count() == depth_of(&self.root, key);
        let folded = match node {
            Node::Leaf(leaf) if exact => leaf.folded_steps(),
            _ => 0,
        };
        let (layers, steps) = match node {
            Node::Leaf(leaf) if exact => {
                let mut layers = leaf.overridden().to_vec();
                if !matches!(leaf.source, Source::Runtime | Source::TaskDefaults) {
                    layers.push(LayerValue::new(leaf.source.clone(), leaf.written().clone()));
                }
                // Each value is masked whole by the key rule, and part by
                // part (text holding a password or a sensitive literal,
                // credential-named keys inside) by the renderer.
                let scope = sensitive::scope_of(split(key));
                for layer in &mut layers {
                    layer.sensitive = scope.is_sensitive();
                    layer.scope = scope;
                }
                let mut steps = leaf.steps();
                for step in &mut steps {
                    step.scope = scope;
                }
                (layers, steps)
            }
            _ => (Vec::new(), Vec::new()),
        };
        let masked_value = self.get_masked(key).unwrap_or_default();
        let referenced = text::referenced(self, &steps);
        let leaves = if value.is_object() && layers.is_empty() {
            text::leaves(self, key)
        } else {
            Vec::new()
        };
        Some(Explanation {
            key: key.to_owned(),
            layers,
            steps,
            value,
            masked_value,
            source: node.source().clone(),
            folded,
            referenced,
            leaves,
        })
    }
}

/// How many parts of `key` name nodes of the tree (the rest lie inside a
/// leaf's value).
fn depth_of(root: &Node, key: &str) -> usize {
    let mut node = root;
    let mut depth = 0;
    for part in split(key) {
        match node.child(part) {
            Some(child) => {
                node = child;
                depth += 1;
            }
            None => break,
        }
    }
    depth
}

/// Origins only: values may be secrets.
impl fmt::Debug for Layers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Layers")
            .field("sources", &self.sources().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// How one key got its value; see [`Config::explain`].
///
/// `Debug` shows the key and origins, never values. `Serialize` writes the
/// [redacted](Explanation::redacted) view (see its impl); the values in the
/// clear only through [`Explanation::expose_secrets`].
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
    /// `value` with every sensitive value in it masked.
    masked_value: Value,
    source: Source,
    /// Steps not recorded one by one (past the first 16 of a value built
    /// from many references); the last step shows the final value.
    folded: usize,
    /// For each step, the value its reference read (in the clear and
    /// masked), for the text.
    referenced: Vec<Option<(Value, Value)>>,
    /// For a table, each leaf under it.
    leaves: Vec<LeafLine>,
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

    /// How many steps were folded into the last one: a value built from
    /// more than 16 references records the first 16 one by one, then one last
    /// step with the final value, so the record stays small.
    ///
    /// ```
    /// use prefect_config::config::Loader;
    /// let refs = "${a}".repeat(20);
    /// let cfg = Loader::new().defaults_toml(format!("a = 'x'\nb = '{refs}'")).load()?;
    /// let why = cfg.explain("b").unwrap();
    /// assert_eq!((why.steps().len(), why.folded_steps()), (17, 4));
    /// assert_eq!(why.steps().last().unwrap().value, serde_json::json!("x".repeat(20)));
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn folded_steps(&self) -> usize {
        self.folded
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

    /// A copy safe to show: every sensitive raw layer value, step value and
    /// final value (for a table, every sensitive value in it) replaced by
    /// `********`, and so is a step's reference name when the text it was read
    /// from was sensitive; unset values (`null`, `""`) stay as they are.
    ///
    /// ```
    /// use prefect_config::config::Loader;
    /// use serde_json::json;
    /// let cfg = Loader::new()
    ///     .defaults_toml("[cloud]\napi_key = 'SUPERSECRET'\napi = 'https://x'")
    ///     .load()?;
    /// let why = cfg.explain("cloud.api_key").unwrap().redacted();
    /// assert_eq!(why.value(), &json!("********"));
    /// assert_eq!(why.layers()[0].raw, json!("********"));
    /// let table = cfg.explain("cloud").unwrap().redacted();
    /// assert_eq!(table.value(), &json!({"api_key": "********", "api": "https://x"}));
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn redacted(&self) -> Explanation {
        let mut out = self.clone();
        for layer in &mut out.layers {
            layer.raw = layer.shown_raw();
        }
        // A reference name read out of sensitive text (a secret's own
        // `${...}`, or one a sensitive value spelled) is part of that text.
        let mut before = self.layers.last().is_some_and(LayerValue::is_sensitive);
        for (step, original) in out.steps.iter_mut().zip(&self.steps) {
            if before && step.reference.is_some() {
                step.reference = Some(MASK.into());
            }
            before = original.is_sensitive();
            step.value = original.shown_value();
        }
        for (referenced, step) in out.referenced.iter_mut().zip(&out.steps) {
            // What a reference read out of sensitive text names is hidden too.
            *referenced = match referenced.take() {
                Some((_, masked)) if step.reference.as_deref() != Some(MASK) => {
                    Some((masked.clone(), masked))
                }
                _ => None,
            };
        }
        for leaf in &mut out.leaves {
            leaf.value = leaf.masked.clone();
        }
        out.value = self.masked_value.clone();
        out
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

/// The [redacted](Explanation::redacted) view, as the `prefect-config
/// explain --format json` output: `{"key", "layers": [{"source", "raw"}], "steps":
/// [{"step", "value", "reference", "referenced_source"}], "value", "source"}`,
/// plus `"folded_steps"` when steps were folded. Secret values never appear;
/// serialize [`expose_secrets`](Explanation::expose_secrets) to show them.
///
/// ```
/// use prefect_config::config::Loader;
/// let cfg = Loader::new().defaults_toml("[db]\npassword = 'canary-42'\nuser = 'me'").load()?;
/// let json = serde_json::to_string(&cfg.explain("db.password").unwrap()).unwrap();
/// assert!(!json.contains("canary-42") && json.contains("********"));
/// let why = serde_json::to_value(cfg.explain("db.user").unwrap()).unwrap();
/// assert_eq!(why["layers"][0]["raw"], "me");
/// # Ok::<(), prefect_config::config::ConfigError>(())
/// ```
impl Serialize for Explanation {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.redacted().serialize_fields(serializer)
    }
}

impl Explanation {
    /// A view that serializes with every value in the clear, secrets
    /// included; the only way to get them into JSON. Use it where the user
    /// asked to see secrets (`--show-secrets`).
    ///
    /// ```
    /// use prefect_config::config::Loader;
    /// let cfg = Loader::new().defaults_toml("[db]\npassword = 'canary-42'").load()?;
    /// let why = cfg.explain("db.password").unwrap();
    /// let json = serde_json::to_value(why.expose_secrets()).unwrap();
    /// assert_eq!((&json["value"], &json["layers"][0]["raw"]), (&"canary-42".into(), &"canary-42".into()));
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn expose_secrets(&self) -> ExposedExplanation<'_> {
        ExposedExplanation(self)
    }

    /// The fields as they are (masked or not, as this copy is).
    fn serialize_fields<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Layers<'a>(&'a [LayerValue]);
        impl Serialize for Layers<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_seq(self.0.iter().map(|layer| {
                    let mut map = serde_json::Map::new();
                    map.insert("source".into(), to_json(&layer.source));
                    map.insert("raw".into(), layer.raw.clone());
                    map
                }))
            }
        }
        struct Steps<'a>(&'a [Step]);
        impl Serialize for Steps<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_seq(self.0.iter().map(|step| {
                    let mut map = serde_json::Map::new();
                    map.insert("step".into(), step.kind.name().into());
                    map.insert("value".into(), step.value.clone());
                    map.insert("reference".into(), step.reference.clone().into());
                    let source = step.source.as_ref().map_or(Value::Null, to_json);
                    map.insert("referenced_source".into(), source);
                    map
                }))
            }
        }
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("key", &self.key)?;
        map.serialize_entry("layers", &Layers(&self.layers))?;
        map.serialize_entry("steps", &Steps(&self.steps))?;
        map.serialize_entry("value", &self.value)?;
        map.serialize_entry("source", &self.source)?;
        if self.folded > 0 {
            map.serialize_entry("folded_steps", &self.folded)?;
        }
        map.end()
    }
}

/// A [`Source`] as JSON; its `Serialize` cannot fail.
fn to_json(source: &Source) -> Value {
    serde_json::to_value(source).unwrap_or(Value::Null)
}

/// An [`Explanation`] that serializes with secrets in the clear; made by
/// [`Explanation::expose_secrets`]. Its `Debug` is the explanation's (no
/// values).
///
/// ```
/// use prefect_config::config::Loader;
/// let cfg = Loader::new().defaults_toml("a = 1").load()?;
/// let why = cfg.explain("a").unwrap();
/// assert_eq!(serde_json::to_value(why.expose_secrets()).unwrap()["value"], 1);
/// # Ok::<(), prefect_config::config::ConfigError>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct ExposedExplanation<'a>(&'a Explanation);

impl Serialize for ExposedExplanation<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize_fields(serializer)
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

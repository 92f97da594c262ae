//! The resolved configuration tree, its provenance, and dotted-path access.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::config::{ConfigError, ConfigWarning, Source, TaskDefaults, env, export, extract};

/// A hash map with a fast hasher for internal maps keyed by configuration
/// keys (std's SipHash showed up as a sixth of load time).
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// Provenance kept beside the value tree, node for node.
///
/// Arrays and values cast from text (even when they cast to a table) are
/// leaves: Prefect treats them as one value.
#[derive(Clone, Debug)]
pub(crate) enum Meta {
    Leaf(LeafMeta),
    Table {
        /// The highest layer that defined this table.
        source: Source,
        children: FastMap<String, Meta>,
    },
}

#[derive(Clone, Debug)]
pub(crate) struct LeafMeta {
    pub(crate) source: Source,
    /// The text this value was cast from, when casting changed its type.
    pub(crate) raw: Option<Arc<str>>,
}

impl Meta {
    pub(crate) fn leaf(source: Source) -> Meta {
        Meta::Leaf(LeafMeta { source, raw: None })
    }

    pub(crate) fn source(&self) -> &Source {
        match self {
            Meta::Leaf(leaf) => &leaf.source,
            Meta::Table { source, .. } => source,
        }
    }

    pub(crate) fn child(&self, key: &str) -> Option<&Meta> {
        match self {
            Meta::Table { children, .. } => children.get(key),
            Meta::Leaf(_) => None,
        }
    }

    /// The node at `path`, or the leaf that holds it (for paths into a value
    /// cast from text, or into an array).
    pub(crate) fn find<'a>(&self, path: impl IntoIterator<Item = &'a str>) -> &Meta {
        let mut node = self;
        for part in path {
            match node {
                Meta::Table { children, .. } => match children.get(part) {
                    Some(child) => node = child,
                    None => return node,
                },
                Meta::Leaf(_) => return node,
            }
        }
        node
    }
}

/// A loaded, fully resolved configuration.
///
/// Build one with [`Loader`](crate::config::Loader). Values are
/// [`serde_json::Value`]s addressed by dotted paths; every leaf remembers its
/// [`Source`]; typed views come from [`extract`](Config::extract).
///
/// ```
/// use prefect_config::config::{Loader, Source};
/// use serde_json::json;
///
/// let cfg = Loader::new()
///     .defaults_toml("[server]\nhost = 'http://localhost'\nport = '4200'\nendpoint = '${server.host}:${server.port}'")
///     .load()?;
/// assert_eq!(cfg.get("server.port"), Some(&json!(4200)));
/// assert_eq!(cfg.get("server.endpoint"), Some(&json!("http://localhost:4200")));
/// assert_eq!(cfg.source_of("server.port"), Some(&Source::DefaultsToml));
/// # Ok::<(), prefect_config::config::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct Config {
    pub(crate) value: Value,
    pub(crate) meta: Meta,
    pub(crate) warnings: Vec<ConfigWarning>,
}

impl Config {
    /// An empty configuration (no keys).
    ///
    /// ```
    /// assert!(prefect_config::config::Config::empty().get("debug").is_none());
    /// ```
    pub fn empty() -> Config {
        Config {
            value: Value::Object(Map::new()),
            meta: Meta::Table {
                source: Source::Runtime,
                children: FastMap::default(),
            },
            warnings: Vec::new(),
        }
    }

    /// The value at a dotted path such as `server.port`; array items are
    /// addressed by index (`a.0`). The empty path is the whole tree.
    ///
    /// ```
    /// use prefect_config::config::Loader;
    /// let cfg = Loader::new().defaults_toml("labels = \"['a', 'b']\"").load()?;
    /// assert_eq!(cfg.get("labels.1").and_then(|v| v.as_str()), Some("b"));
    /// assert!(cfg.get("labels.9").is_none());
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn get(&self, path: &str) -> Option<&Value> {
        value_at(&self.value, split(path))
    }

    /// True when a value exists at `path`.
    ///
    /// ```
    /// use prefect_config::config::Loader;
    /// let cfg = Loader::new().defaults_toml("[a]\nb = 1").load()?;
    /// assert!(cfg.contains("a.b") && cfg.contains("a") && !cfg.contains("a.c"));
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn contains(&self, path: &str) -> bool {
        self.get(path).is_some()
    }

    /// The whole tree.
    ///
    /// ```
    /// use prefect_config::config::Loader;
    /// let cfg = Loader::new().defaults_toml("a = 1").load()?;
    /// assert_eq!(cfg.as_value(), &serde_json::json!({"a": 1}));
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn as_value(&self) -> &Value {
        &self.value
    }

    /// Where the value at `path` came from. For a table, the highest layer
    /// that defined it; for a path inside an array or a value cast from text,
    /// the source of that whole value.
    ///
    /// ```
    /// use prefect_config::config::{Loader, Source};
    /// let cfg = Loader::new()
    ///     .defaults_toml("debug = false")
    ///     .env_prefix("PREFECT")
    ///     .env_vars([("PREFECT__DEBUG", "true")])
    ///     .load()?;
    /// assert_eq!(cfg.source_of("debug"), Some(&Source::EnvVar("PREFECT__DEBUG".into())));
    /// assert_eq!(cfg.source_of("nope"), None);
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn source_of(&self, path: &str) -> Option<&Source> {
        self.get(path)?;
        Some(self.meta.find(split(path)).source())
    }

    /// The text a value was cast from, when casting changed its type
    /// (`port = "4200"` gives `Some("4200")`).
    ///
    /// ```
    /// use prefect_config::config::Loader;
    /// let cfg = Loader::new().defaults_toml("version = '1.10'\nname = 'x'").load()?;
    /// assert_eq!(cfg.get("version"), Some(&serde_json::json!(1.1)));
    /// assert_eq!(cfg.raw_text("version"), Some("1.10"));
    /// assert_eq!(cfg.raw_text("name"), None);
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn raw_text(&self, path: &str) -> Option<&str> {
        let mut node = &self.meta;
        for part in split(path) {
            node = node.child(part)?;
        }
        match node {
            Meta::Leaf(leaf) => leaf.raw.as_deref(),
            Meta::Table { .. } => None,
        }
    }

    /// Problems that did not stop loading: likely typos in environment
    /// variable names and references to missing keys.
    ///
    /// ```
    /// use prefect_config::config::{ConfigWarning, Loader};
    /// let cfg = Loader::new().defaults_toml("url = 'http://${nope}'").load()?;
    /// assert_eq!(cfg.get("url"), Some(&serde_json::json!("http://")));
    /// assert!(matches!(&cfg.warnings()[0], ConfigWarning::MissingReference { reference, .. } if reference == "nope"));
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn warnings(&self) -> &[ConfigWarning] {
        &self.warnings
    }

    /// Every leaf with its dotted path and source, in tree order.
    ///
    /// ```
    /// use prefect_config::config::Loader;
    /// let cfg = Loader::new().defaults_toml("a = 1\n[b]\nc = [1]").load()?;
    /// let paths: Vec<String> = cfg.leaves().map(|(path, _, _)| path).collect();
    /// assert_eq!(paths, ["a", "b.c"]);
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn leaves(&self) -> impl Iterator<Item = (String, &Value, &Source)> {
        let mut out = Vec::new();
        collect_leaves(&self.value, &self.meta, &mut String::new(), &mut out);
        out.into_iter()
    }

    /// Deserializes the whole configuration into `T`.
    ///
    /// Extraction forgives Prefect's casting: a value cast from text extracts
    /// into a `String` as the text was written, and numbers and booleans
    /// written as strings extract into numeric and boolean fields. Errors name
    /// the key and its source, never the value.
    ///
    /// ```
    /// use prefect_config::config::Loader;
    /// #[derive(Debug, serde::Deserialize)]
    /// struct Settings { debug: bool, server: Server }
    /// #[derive(Debug, serde::Deserialize)]
    /// struct Server { port: String, timeout: u32 }
    ///
    /// let cfg = Loader::new()
    ///     .defaults_toml("debug = 'false'\n[server]\nport = '4200'\ntimeout = 'x'")
    ///     .load()?;
    /// let err = cfg.extract::<Settings>().unwrap_err();
    /// assert_eq!(err.key(), Some("server.timeout"));
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn extract<T: DeserializeOwned>(&self) -> Result<T, ConfigError> {
        self.extract_at("")
    }

    /// Deserializes the subtree at `path` into `T`.
    ///
    /// ```
    /// use prefect_config::config::Loader;
    /// #[derive(serde::Deserialize)]
    /// struct Server { port: String, host: String }
    /// let cfg = Loader::new().defaults_toml("[server]\nport = '4200'\nhost = 'h'").load()?;
    /// let server: Server = cfg.extract_at("server")?;
    /// assert_eq!(server.port, "4200"); // the text as written, though the value is 4200
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn extract_at<T: DeserializeOwned>(&self, path: &str) -> Result<T, ConfigError> {
        let parts: Vec<&str> = split(path).collect();
        let Some(value) = value_at(&self.value, parts.iter().copied()) else {
            return Err(ConfigError::Extract {
                key: path.to_owned(),
                origin: None,
                message: "missing value".into(),
            });
        };
        let meta = self.meta.find(parts.iter().copied());
        extract::extract(value, meta, &parts)
    }

    /// The typed task defaults (`tasks.defaults.*`).
    ///
    /// ```
    /// use prefect_config::config::Loader;
    /// use std::time::Duration;
    /// let cfg = Loader::new()
    ///     .defaults_toml("[tasks.defaults]\nmax_retries = 3\nretry_delay = 10")
    ///     .task_defaults(true)
    ///     .load()?;
    /// let defaults = cfg.task_defaults();
    /// assert_eq!(defaults.max_retries, 3);
    /// assert_eq!(defaults.retry_delay, Some(Duration::from_secs(10)));
    /// assert_eq!(defaults.timeout, None);
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn task_defaults(&self) -> TaskDefaults {
        TaskDefaults::from_config(self)
    }

    /// The configuration as environment variables `PREFIX__SECTION__KEY`,
    /// optionally only the dotted leaf keys in `include` (empty: all).
    ///
    /// Values print as Python's `str()` prints them, quoted as a Python
    /// literal where the plain text would load back as something else, so
    /// loading the variables reproduces the configuration. Names are upper
    /// case except secret names under `context.secrets`, which keep their case.
    ///
    /// ```
    /// use prefect_config::config::Loader;
    /// let cfg = Loader::new().defaults_toml("[a]\nb = true\nc = 'x'").load()?;
    /// let vars = cfg.to_environment_variables(None, "PREFECT");
    /// assert_eq!(vars["PREFECT__A__B"], "True");
    /// let only = cfg.to_environment_variables(Some(&["a.c"]), "PREFECT");
    /// assert_eq!(only.len(), 1);
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn to_environment_variables(
        &self,
        include: Option<&[&str]>,
        prefix: &str,
    ) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for (path, value, _) in self.leaves() {
            // As in Prefect, an empty `include` means every key.
            if include.is_some_and(|keys| !keys.is_empty() && !keys.contains(&path.as_str())) {
                continue;
            }
            let parts: Vec<&str> = path.split('.').collect();
            out.insert(env::var_name_of(prefix, &parts), export::env_text(value));
        }
        out
    }

    /// A copy with `overrides` deep-merged on top: tables merge, anything else
    /// replaces. Overridden leaves get [`Source::Runtime`]. No interpolation or
    /// casting is applied to the overrides.
    ///
    /// ```
    /// use prefect_config::config::{Loader, Source};
    /// use serde_json::json;
    /// let cfg = Loader::new().defaults_toml("[logging]\nlevel = 'INFO'\nformat = 'f'").load()?;
    /// let over = cfg.with_overrides(&json!({"logging": {"level": "DEBUG"}}));
    /// assert_eq!(over.get("logging.level"), Some(&json!("DEBUG")));
    /// assert_eq!(over.get("logging.format"), Some(&json!("f")));
    /// assert_eq!(over.source_of("logging.level"), Some(&Source::Runtime));
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn with_overrides(&self, overrides: &Value) -> Config {
        let mut out = self.clone();
        out.merge_runtime(overrides);
        out
    }

    /// Deep-merges `overrides` into this configuration in place.
    pub(crate) fn merge_runtime(&mut self, overrides: &Value) {
        merge_into(&mut self.value, &mut self.meta, overrides);
    }

    /// Sets one dotted key (creating tables on the way) as a runtime override.
    pub(crate) fn set_path(&mut self, path: &str, value: Value) {
        let mut nested = value;
        for part in split(path).collect::<Vec<_>>().into_iter().rev() {
            let mut map = Map::new();
            map.insert(part.to_owned(), nested);
            nested = Value::Object(map);
        }
        self.merge_runtime(&nested);
    }
}

fn merge_into(value: &mut Value, meta: &mut Meta, overrides: &Value) {
    match (value, overrides) {
        (Value::Object(map), Value::Object(over)) if matches!(meta, Meta::Table { .. }) => {
            let Meta::Table { source, children } = meta else {
                return;
            };
            *source = Source::Runtime;
            for (key, over_child) in over {
                match (map.get_mut(key), children.get_mut(key)) {
                    (Some(child), Some(child_meta)) => merge_into(child, child_meta, over_child),
                    _ => {
                        map.insert(key.clone(), over_child.clone());
                        children.insert(key.clone(), runtime_meta(over_child));
                    }
                }
            }
        }
        (value, over) => {
            *value = over.clone();
            *meta = runtime_meta(over);
        }
    }
}

fn runtime_meta(value: &Value) -> Meta {
    match value {
        Value::Object(map) => Meta::Table {
            source: Source::Runtime,
            children: map
                .iter()
                .map(|(k, v)| (k.clone(), runtime_meta(v)))
                .collect(),
        },
        _ => Meta::leaf(Source::Runtime),
    }
}

/// Splits a dotted path; the empty path has no parts.
pub(crate) fn split(path: &str) -> impl Iterator<Item = &str> + Clone {
    path.split('.').filter(move |_| !path.is_empty())
}

pub(crate) fn value_at<'a, 'p>(
    root: &'a Value,
    path: impl IntoIterator<Item = &'p str>,
) -> Option<&'a Value> {
    let mut node = root;
    for part in path {
        node = match node {
            Value::Object(map) => map.get(part)?,
            Value::Array(items) => items.get(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(node)
}

fn collect_leaves<'a>(
    value: &'a Value,
    meta: &'a Meta,
    path: &mut String,
    out: &mut Vec<(String, &'a Value, &'a Source)>,
) {
    match (value, meta) {
        (Value::Object(map), Meta::Table { children, .. }) => {
            for (key, child) in map {
                let Some(child_meta) = children.get(key) else {
                    continue;
                };
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                collect_leaves(child, child_meta, path, out);
                path.truncate(len);
            }
        }
        _ => out.push((path.clone(), value, meta.source())),
    }
}

/// Redacts every value under `context.secrets`.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("value", &crate::redact::Redacted(&self.value))
            .field("warnings", &self.warnings)
            .finish()
    }
}

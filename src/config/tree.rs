//! [`Config`]: the loaded tree, with dotted-path access, provenance and
//! extraction.

use std::collections::BTreeMap;
use std::fmt;

use once_cell::sync::OnceCell;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use smallvec::SmallVec;

use crate::config::key::{self, split};
use crate::config::node::{Node, Table, value_at};
use crate::config::sensitive::{self, Scope, is_blank};
use crate::config::{
    ConfigError, ConfigWarning, PrefectVersion, Source, depth, export, extract, merge,
};
use crate::render::mask;

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
    /// Always a table.
    pub(crate) root: Node,
    /// The tree as a plain value, built on first use by `as_value` or a
    /// `get` that ends at a table.
    view: OnceCell<Value>,
    pub(crate) warnings: Vec<ConfigWarning>,
    /// Whose rules the secrets code follows; set by the loader.
    pub(crate) version: PrefectVersion,
}

impl Config {
    /// An empty configuration (no keys).
    ///
    /// ```
    /// assert!(prefect_config::config::Config::empty().get("debug").is_none());
    /// ```
    pub fn empty() -> Config {
        Config::new(Table::new(Source::Runtime), Vec::new())
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
        let mut node = &self.root;
        let mut rest = path;
        loop {
            match node {
                Node::Leaf(leaf) if rest.is_empty() => return Some(&leaf.value),
                Node::Leaf(leaf) => return value_at(&leaf.value, split(rest)),
                Node::Table(table) => {
                    if rest.is_empty() {
                        return value_at(self.as_value(), split(path));
                    }
                    // A byte scan: `split_once`'s char searcher costs more
                    // than the table look-up on these short paths.
                    let (part, tail) = match rest.bytes().position(|b| b == b'.') {
                        Some(dot) => (&rest[..dot], &rest[dot + 1..]),
                        None => (rest, ""),
                    };
                    // `a..b` and a leading or trailing dot name the same key
                    // as `a.b` (empty parts are skipped).
                    if !part.is_empty() {
                        node = table.get(part)?;
                    }
                    rest = tail;
                }
            }
        }
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
        self.view.get_or_init(|| self.root.to_value())
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
        Some(self.root.find(split(path)).source())
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
        let mut node = &self.root;
        for part in split(path) {
            node = node.child(part)?;
        }
        match node {
            Node::Leaf(leaf) => leaf.raw(),
            Node::Table(_) => None,
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

    /// The Prefect version this configuration was loaded for
    /// ([`Loader::prefect_version`](crate::config::Loader::prefect_version));
    /// [`Secret`](crate::secrets::Secret) follows that version's rules.
    /// Overrides ([`Config::with_overrides`], the context's `config`) keep it.
    ///
    /// ```
    /// use prefect_config::config::{Loader, PrefectVersion};
    /// let cfg = Loader::new().prefect_version(PrefectVersion::V1).load()?;
    /// assert_eq!(cfg.prefect_version(), PrefectVersion::V1);
    /// let over = cfg.with_overrides(&serde_json::json!({"debug": true}));
    /// assert_eq!(over.prefect_version(), PrefectVersion::V1);
    /// assert_eq!(Loader::new().load()?.prefect_version(), PrefectVersion::V0_15);
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn prefect_version(&self) -> PrefectVersion {
        self.version
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
        collect_leaves(&self.root, &mut String::new(), &mut out);
        out.into_iter()
    }

    /// Deserializes the whole configuration into `T`.
    ///
    /// Extraction forgives Prefect's casting: a value cast from text extracts
    /// into a `String` as the text was written, and numbers and booleans
    /// written as strings extract into numeric and boolean fields. Errors name
    /// the key and its source, and show the offending value only when the key
    /// is not [sensitive](Config::is_sensitive).
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
        let Some(value) = self.get(path) else {
            return Err(ConfigError::Extract {
                key: path.to_owned(),
                origin: None,
                message: "missing value".into(),
            });
        };
        let node = self.root.find(parts.iter().copied());
        extract::extract(value, node, &parts, &|key| self.is_sensitive(key))
    }

    /// The configuration as environment variables `PREFIX__SECTION__KEY`,
    /// optionally only the dotted leaf keys in `include` (empty: all),
    /// **without the sensitive values** (whole or in part, by the
    /// [rule](crate::config#what-is-sensitive); unset ones stay), as the CLI's
    /// `env` exports them: the variables can be logged or handed to a process
    /// that must not see secrets. [`to_environment_variables_with_secrets`]
    /// includes them.
    ///
    /// Values print as Python's `str()` prints them, quoted as a Python
    /// literal where the plain text would load back as something else, so
    /// loading the variables reproduces the configuration. Names are upper
    /// case except secret names under `context.secrets`, which keep their case.
    ///
    /// [`to_environment_variables_with_secrets`]: Config::to_environment_variables_with_secrets
    ///
    /// ```
    /// use prefect_config::config::Loader;
    /// let cfg = Loader::new()
    ///     .defaults_toml("[a]\nb = true\nc = 'x'\n[context.secrets]\nT = 'tok'")
    ///     .load()?;
    /// let vars = cfg.to_environment_variables(None, "PREFECT");
    /// assert_eq!(vars["PREFECT__A__B"], "True");
    /// assert!(!vars.contains_key("PREFECT__CONTEXT__SECRETS__T"));
    /// let only = cfg.to_environment_variables(Some(&["a.c"]), "PREFECT");
    /// assert_eq!(only.len(), 1);
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn to_environment_variables(
        &self,
        include: Option<&[&str]>,
        prefix: &str,
    ) -> BTreeMap<String, String> {
        self.environment_variables(include, prefix, false)
    }

    /// [`to_environment_variables`](Config::to_environment_variables) with
    /// the sensitive values too, in clear text: hand them only to a process
    /// that may see them, and never log them.
    ///
    /// ```
    /// use prefect_config::config::Loader;
    /// let cfg = Loader::new().defaults_toml("[context.secrets]\nT = 'tok'").load()?;
    /// let vars = cfg.to_environment_variables_with_secrets(None, "PREFECT");
    /// assert_eq!(vars["PREFECT__CONTEXT__SECRETS__T"], "tok");
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn to_environment_variables_with_secrets(
        &self,
        include: Option<&[&str]>,
        prefix: &str,
    ) -> BTreeMap<String, String> {
        self.environment_variables(include, prefix, true)
    }

    fn environment_variables(
        &self,
        include: Option<&[&str]>,
        prefix: &str,
        with_secrets: bool,
    ) -> BTreeMap<String, String> {
        // As in Prefect, an empty `include` means every key; a set keeps the
        // export linear in the number of keys asked for.
        let include: Option<std::collections::HashSet<&str>> = include
            .filter(|keys| !keys.is_empty())
            .map(|keys| keys.iter().copied().collect());
        let mut out = BTreeMap::new();
        for (path, value, _) in self.leaves() {
            if include
                .as_ref()
                .is_some_and(|keys| !keys.contains(path.as_str()))
            {
                continue;
            }
            if !with_secrets && !is_blank(value) && self.is_sensitive(&path) {
                continue;
            }
            let parts: Vec<&str> = path.split('.').collect();
            // The leaf knows the text a value was cast from (a tuple's `(1, 2)`);
            // a key part holding a dot can lead `find` elsewhere, hence the check.
            let text = match self.root.find(parts.iter().copied()) {
                Node::Leaf(leaf) if std::ptr::eq(&leaf.value, value) => export::leaf_env_text(leaf),
                _ => export::env_text(value),
            };
            out.insert(key::var_name_of(prefix, &parts), text);
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
    ///
    /// A top-level key whose value nests deeper than [`MAX_DEPTH`] is left
    /// out (it would overflow the stack of the passes that walk the tree);
    /// [`try_with_overrides`](Config::try_with_overrides) reports it instead.
    ///
    /// [`MAX_DEPTH`]: crate::config::MAX_DEPTH
    pub fn with_overrides(&self, overrides: &Value) -> Config {
        // Copy the node tree only: the cached plain view would be a second
        // tree copied just to be thrown away by the merge.
        let mut out = Config {
            root: self.root.clone(),
            view: OnceCell::new(),
            warnings: self.warnings.clone(),
            version: self.version,
        };
        out.merge_runtime(overrides);
        out
    }

    /// [`with_overrides`](Config::with_overrides), or
    /// [`ConfigError::ValueTooDeep`](crate::config::ConfigError::ValueTooDeep)
    /// naming the first top-level key whose value nests deeper than
    /// [`MAX_DEPTH`](crate::config::MAX_DEPTH).
    ///
    /// ```
    /// use prefect_config::config::{Loader, MAX_DEPTH};
    /// use serde_json::json;
    /// let cfg = Loader::new().defaults_toml("a = 1").load()?;
    /// let mut deep = json!(0);
    /// for _ in 0..=MAX_DEPTH {
    ///     deep = json!([deep]);
    /// }
    /// let err = cfg.try_with_overrides(&json!({"a": 2, "deep": deep})).unwrap_err();
    /// assert_eq!(err.key(), Some("deep"));
    /// assert_eq!(cfg.try_with_overrides(&json!({"a": 2}))?.get("a"), Some(&json!(2)));
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn try_with_overrides(&self, overrides: &Value) -> Result<Config, ConfigError> {
        if let Value::Object(map) = overrides {
            if let Some((key, _)) = map.iter().find(|(_, v)| depth::too_deep(*v)) {
                return Err(ConfigError::too_deep(key.as_str()));
            }
        }
        Ok(self.with_overrides(overrides))
    }

    /// Deep-merges `overrides` into this configuration in place; overrides
    /// that are not a table change nothing.
    pub(crate) fn merge_runtime(&mut self, overrides: &Value) {
        let (Node::Table(root), Value::Object(map)) = (&mut self.root, overrides) else {
            return;
        };
        let patch = if map.values().any(depth::too_deep) {
            // Rare: copy the keys that are within the cap (see `with_overrides`).
            let within: Map<String, Value> = map
                .iter()
                .filter(|(_, v)| !depth::too_deep(*v))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            Table::from_value(&within, &Source::Runtime, &mut Vec::new())
        } else {
            Table::from_value(map, &Source::Runtime, &mut Vec::new())
        };
        merge::merge(root, patch);
        self.view = OnceCell::new();
    }

    /// True when the value at `path` must not be shown, whole or in part,
    /// by the [rule](crate::config#what-is-sensitive): its key or a table on
    /// the way is credential-named, it was built from a sensitive value
    /// through `${...}` or `$VAR`, or it holds a sensitive part (a
    /// credential-named key inside an array or a table cast from text, a
    /// password in a URL or query string). A table is sensitive when any
    /// value in it is. A missing key is judged by the key rule alone.
    ///
    /// ```
    /// use prefect_config::config::Loader;
    /// let cfg = Loader::new()
    ///     .defaults_toml("[cloud]\napi_key = 'k'\nurl = 'x${cloud.api_key}'\napi = 'https://api'\n[[dbs]]\nhost = 'h'\npassword = 'pw'")
    ///     .load()?;
    /// assert!(cfg.is_sensitive("cloud.api_key") && cfg.is_sensitive("cloud.url"));
    /// assert!(cfg.is_sensitive("cloud") && !cfg.is_sensitive("cloud.api"));
    /// assert!(cfg.is_sensitive("dbs") && cfg.is_sensitive("dbs.0.password") && !cfg.is_sensitive("dbs.0.host"));
    /// assert!(cfg.is_sensitive("context.secrets.ANY"));
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn is_sensitive(&self, path: &str) -> bool {
        self.is_sensitive_parts(split(path))
    }

    /// [`is_sensitive`](Config::is_sensitive) for a path given as parts (a
    /// part may hold a dot).
    pub(crate) fn is_sensitive_parts<'a>(&self, parts: impl IntoIterator<Item = &'a str>) -> bool {
        let parts: SmallVec<[&str; 8]> = parts.into_iter().collect();
        let key_rule = || sensitive::scope_of(parts.iter().copied()).is_sensitive();
        let mut scope = Scope::Root;
        let mut node = &self.root;
        for (at, part) in parts.iter().enumerate() {
            match node {
                Node::Table(table) => match table.get(part) {
                    Some(child) => {
                        node = child;
                        scope = scope.child(part);
                    }
                    None => return key_rule(),
                },
                Node::Leaf(leaf) => {
                    return leaf.sensitive
                        || match inside(&leaf.value, scope, parts[at..].iter().copied()) {
                            Some((value, scope)) => {
                                (scope.is_sensitive() && !is_blank(value))
                                    || sensitive::has_sensitive_part(value, scope)
                            }
                            None => key_rule(),
                        };
                }
            }
        }
        node_is_sensitive(node, scope)
    }

    /// True when the value at `parts` (or the leaf that holds it) carries the
    /// whole-value flag: its key is sensitive, or it was built from a
    /// sensitive value. Parts inside a value are not judged here.
    pub(crate) fn is_flagged<'a>(&self, parts: impl IntoIterator<Item = &'a str>) -> bool {
        let mut node = &self.root;
        for part in parts {
            match node {
                Node::Table(table) => match table.get(part) {
                    Some(child) => node = child,
                    None => return false,
                },
                Node::Leaf(leaf) => return leaf.sensitive,
            }
        }
        matches!(node, Node::Leaf(leaf) if leaf.sensitive)
    }

    /// The tree as a plain value with every sensitive value, and every
    /// sensitive part of a value, replaced by `********` (unset ones, `null`
    /// or `""`, are shown as they are).
    pub(crate) fn redacted(&self) -> Value {
        mask::mask_node(&self.root, Scope::Root)
    }

    /// The value at `path` as [`get`](Config::get) gives it, with every
    /// sensitive value and every sensitive part masked (`********`) by the
    /// [rule](crate::config#what-is-sensitive): the view to print, log or
    /// hand to code that must not see secrets. Unset values (`null`, `""`)
    /// are shown as they are.
    ///
    /// ```
    /// use prefect_config::config::Loader;
    /// use serde_json::json;
    /// let cfg = Loader::new()
    ///     .defaults_toml("[[dbs]]\nhost = 'h'\npassword = 'hunter2'\n[x]\nlit = \"{'token': 't', 'n': 1}\"")
    ///     .load()?;
    /// assert_eq!(cfg.get_masked("dbs"), Some(json!([{"host": "h", "password": "********"}])));
    /// assert_eq!(cfg.get_masked("x.lit"), Some(json!({"token": "********", "n": 1})));
    /// assert_eq!(cfg.get_masked("x.lit.n"), Some(json!(1)));
    /// assert_eq!(cfg.get_masked("nope"), None);
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn get_masked(&self, path: &str) -> Option<Value> {
        self.masked_parts(split(path))
    }

    /// [`get_masked`](Config::get_masked) for a path given as parts.
    pub(crate) fn masked_parts<'a>(
        &self,
        parts: impl IntoIterator<Item = &'a str>,
    ) -> Option<Value> {
        let mut scope = Scope::Root;
        let mut node = &self.root;
        let mut parts = parts.into_iter();
        while let Some(part) = parts.next() {
            match node {
                Node::Table(table) => {
                    node = table.get(part)?;
                    scope = scope.child(part);
                }
                Node::Leaf(leaf) => {
                    let (value, scope) =
                        inside(&leaf.value, scope, std::iter::once(part).chain(parts))?;
                    return Some(mask::mask_value(
                        value,
                        scope,
                        leaf.sensitive || scope.is_sensitive(),
                    ));
                }
            }
        }
        Some(mask::mask_node(node, scope))
    }

    /// `value`, a view of the subtree at `path` that the caller built (some
    /// of its keys left out, say), masked as that subtree is in
    /// [`get_masked`](Config::get_masked): each value by the flag of the node
    /// it stands for and its parts by the rule; keys the tree does not have
    /// by the rule alone.
    ///
    /// ```
    /// use prefect_config::config::Loader;
    /// use serde_json::json;
    /// let cfg = Loader::new().defaults_toml("[db]\nhost = 'h'\npassword = 'pw'\nport = 1").load()?;
    /// let view = json!({"password": "pw", "host": "h"});
    /// assert_eq!(cfg.mask_view("db", &view), json!({"password": "********", "host": "h"}));
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn mask_view(&self, path: &str, value: &Value) -> Value {
        let mut scope = Scope::Root;
        let mut node = Some(&self.root);
        for part in split(path) {
            scope = scope.child(part);
            node = match node {
                Some(Node::Table(table)) => table.get(part),
                Some(Node::Leaf(leaf)) => {
                    return mask::mask_value(value, scope, leaf.sensitive || scope.is_sensitive());
                }
                None => None,
            };
        }
        mask_view_at(node, scope, value)
    }

    pub(crate) fn new(root: Table, warnings: Vec<ConfigWarning>) -> Config {
        Config {
            root: Node::Table(root),
            view: OnceCell::new(),
            warnings,
            version: PrefectVersion::default(),
        }
    }
}

/// [`Config::mask_view`] below `node` (absent when the tree has no such key).
fn mask_view_at(node: Option<&Node>, scope: Scope, value: &Value) -> Value {
    match (node, value) {
        (Some(Node::Leaf(leaf)), _) => {
            mask::mask_value(value, scope, leaf.sensitive || scope.is_sensitive())
        }
        (Some(Node::Table(table)), Value::Object(map)) => Value::Object(
            map.iter()
                .map(|(key, child)| {
                    let shown = mask_view_at(table.get(key), scope.child(key), child);
                    (key.clone(), shown)
                })
                .collect(),
        ),
        _ => mask::mask_value(value, scope, scope.is_sensitive()),
    }
}

/// The value at `parts` inside `value` (whose key has `scope`), through
/// tables by key and arrays by index, with the scope of its own key. Scopes
/// are absorbing, so the scope says whether any key on the way is
/// credential-named.
fn inside<'v, 'p>(
    value: &'v Value,
    scope: Scope,
    parts: impl IntoIterator<Item = &'p str>,
) -> Option<(&'v Value, Scope)> {
    let mut value = value;
    let mut scope = scope;
    for part in parts {
        value = match value {
            Value::Object(map) => {
                scope = scope.child(part);
                map.get(part)?
            }
            Value::Array(items) => items.get(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some((value, scope))
}

fn node_is_sensitive(node: &Node, scope: Scope) -> bool {
    match node {
        Node::Leaf(leaf) => {
            leaf.sensitive
                || (scope.is_sensitive() && !is_blank(&leaf.value))
                || sensitive::has_sensitive_part(&leaf.value, scope)
        }
        Node::Table(table) => table
            .entries
            .iter()
            .any(|(key, child)| node_is_sensitive(child, scope.child(key))),
    }
}

fn collect_leaves<'a>(
    node: &'a Node,
    path: &mut String,
    out: &mut Vec<(String, &'a Value, &'a Source)>,
) {
    match node {
        Node::Table(table) => {
            for (key, child) in &table.entries {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                collect_leaves(child, path, out);
                path.truncate(len);
            }
        }
        Node::Leaf(leaf) => out.push((path.clone(), &leaf.value, &leaf.source)),
    }
}

/// Masks every sensitive value.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("value", &self.redacted())
            .field("warnings", &self.warnings)
            .finish()
    }
}

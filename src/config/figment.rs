//! figment at the boundary: providers in, a `Figment` out.
//!
//! - Every built-in layer is a [`figment::Provider`](::figment::Provider), and
//!   [`Loader::provider`](crate::config::Loader::provider) reads any other
//!   provider as a layer (its `Default` profile, with its `Global` profile on
//!   top; other profiles are not read).
//! - [`Config::figment`] hands the loaded tree back as a `Figment` whose
//!   metadata names each value's [`Source`], so figment's own API
//!   (`extract`, `find_metadata`, merging more providers) works on it.
//!
//! ```
//! use figment::providers::Serialized;
//! use prefect_config::config::Loader;
//!
//! let cfg = Loader::new()
//!     .defaults_toml("[server]\nport = 4200")
//!     .env_prefix("PREFECT")
//!     .env_vars([("PREFECT__SERVER__PORT", "8080")])
//!     .load()?;
//! let figment = cfg.figment();
//! assert_eq!(figment.extract_inner::<u16>("server.port")?, 8080);
//! let metadata = figment.find_metadata("server.port").unwrap();
//! assert!(metadata.name.contains("PREFECT__SERVER__PORT"));
//!
//! // Merge your own values on top, with figment's rules.
//! let port: u16 = figment.merge(Serialized::default("server.port", 9000)).extract_inner("server.port")?;
//! assert_eq!(port, 9000);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::sync::Arc;

use figment::value::{Dict, Empty, Map as FigMap, Num, Tag, Value as FigValue};
use figment::{Figment, Metadata, Profile, Provider};
use indexmap::IndexMap;
use serde_json::{Number, Value};

use crate::config::layer::Layer;
use crate::config::node::{Leaf, Node, Table};
use crate::config::sensitive::{self, Scope, is_blank};
use crate::config::{Config, ConfigError, Source, depth, python};

/// Reads a provider as a layer.
pub(crate) fn provider_layer(provider: &dyn Provider) -> Result<Layer, ConfigError> {
    let metadata = provider.metadata();
    let source = Source::Provider {
        name: Arc::from(metadata.name.as_ref()),
        file: metadata
            .source
            .as_ref()
            .and_then(|s| s.file_path())
            .map(Arc::from),
    };
    let mut data = provider.data().map_err(|err| ConfigError::Provider {
        origin: source.clone(),
        // The first line only: parsers' later lines quote the input, which
        // may hold a secret.
        message: err
            .to_string()
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned(),
    })?;
    // The conversion below recurses once per level: a value over the cap is
    // refused first, and the data taken apart without recursion.
    let deep = data
        .values()
        .flat_map(|dict| dict.iter())
        .find(|(_, value)| depth::too_deep(*value))
        .map(|(key, _)| key.clone());
    if let Some(key) = deep {
        for value in data.into_values().flat_map(Dict::into_values) {
            depth::dismantle(value);
        }
        return Err(ConfigError::ValueTooDeep {
            key,
            origin: source,
            limit: crate::config::MAX_DEPTH,
        });
    }
    let mut root = Table::new(source.clone());
    for profile in [Profile::Default, Profile::Global] {
        if let Some(dict) = data.remove(&profile) {
            crate::config::merge::merge(&mut root, table_of(dict, &source));
        }
    }
    Ok(Layer { source, root })
}

impl depth::Nested for FigValue {
    #[inline]
    fn children(&self) -> Option<impl Iterator<Item = &Self>> {
        match self {
            FigValue::Array(_, items) => Some(depth::Either::Left(items.iter())),
            FigValue::Dict(_, dict) => Some(depth::Either::Right(dict.values())),
            _ => None,
        }
    }

    fn take_children(&mut self, into: &mut Vec<Self>) {
        match self {
            FigValue::Array(_, items) => into.append(items),
            FigValue::Dict(_, dict) => into.extend(std::mem::take(dict).into_values()),
            _ => {}
        }
    }
}

fn table_of(dict: Dict, source: &Source) -> Table {
    let mut table = Table::new(source.clone());
    for (key, value) in dict {
        let node = match value {
            FigValue::Dict(_, child) => Node::Table(table_of(child, source)),
            other => Node::Leaf(Leaf::new(json_of(other), source.clone())),
        };
        table.entries.insert(key.into(), node);
    }
    table
}

/// A figment value as JSON. Numbers JSON cannot hold keep their text.
fn json_of(value: FigValue) -> Value {
    match value {
        FigValue::String(_, s) => Value::String(s),
        FigValue::Char(_, c) => Value::String(c.to_string()),
        FigValue::Bool(_, b) => Value::Bool(b),
        FigValue::Num(_, num) => number_of(num),
        FigValue::Empty(..) => Value::Null,
        FigValue::Dict(_, dict) => {
            Value::Object(dict.into_iter().map(|(k, v)| (k, json_of(v))).collect())
        }
        FigValue::Array(_, items) => Value::Array(items.into_iter().map(json_of).collect()),
    }
}

fn number_of(num: Num) -> Value {
    if let Some(f) = num.to_f64() {
        return Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or_else(|| Value::String(python::float_repr(f)));
    }
    if let Some(u) = num.to_u128() {
        return u64::try_from(u).map_or_else(|_| Value::String(u.to_string()), Value::from);
    }
    match num.to_i128() {
        Some(i) => i64::try_from(i).map_or_else(|_| Value::String(i.to_string()), Value::from),
        None => Value::Null,
    }
}

/// JSON as a figment value.
fn figment_of(value: &Value) -> FigValue {
    let tag = Tag::Default;
    match value {
        Value::Null => FigValue::Empty(tag, Empty::None),
        Value::Bool(b) => FigValue::Bool(tag, *b),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                FigValue::Num(tag, Num::U64(u))
            } else if let Some(i) = n.as_i64() {
                FigValue::Num(tag, Num::I64(i))
            } else {
                FigValue::Num(tag, Num::F64(n.as_f64().unwrap_or(f64::NAN)))
            }
        }
        Value::String(s) => FigValue::String(tag, s.clone()),
        Value::Array(items) => FigValue::Array(tag, items.iter().map(figment_of).collect()),
        Value::Object(map) => FigValue::Dict(
            tag,
            map.iter()
                .map(|(k, v)| (k.clone(), figment_of(v)))
                .collect(),
        ),
    }
}

fn dict_of(table: &Table) -> Dict {
    table
        .entries
        .iter()
        .map(|(key, node)| {
            let value = match node {
                Node::Table(child) => FigValue::Dict(Tag::Default, dict_of(child)),
                Node::Leaf(leaf) => figment_of(&leaf.value),
            };
            (key.to_string(), value)
        })
        .collect()
}

/// figment metadata naming `source`.
fn metadata_of(source: &Source) -> Metadata {
    let metadata = Metadata::named(source.to_string());
    match (source.file(), source.env_var()) {
        (Some(path), _) => metadata.source(figment::Source::File(path.to_path_buf())),
        (None, Some(var)) => metadata.source(figment::Source::Custom(var.to_owned())),
        (None, None) => metadata,
    }
}

/// A layer as read, before expansion and casting.
impl Provider for Layer {
    fn metadata(&self) -> Metadata {
        metadata_of(&self.source)
    }

    fn data(&self) -> Result<FigMap<Profile, Dict>, figment::Error> {
        Ok(Profile::Default.collect(dict_of(&self.root)))
    }
}

/// The leaves of one source, as a provider.
struct Slice {
    metadata: Metadata,
    dict: Dict,
}

impl Provider for Slice {
    fn metadata(&self) -> Metadata {
        self.metadata.clone()
    }

    fn data(&self) -> Result<FigMap<Profile, Dict>, figment::Error> {
        Ok(Profile::Default.collect(self.dict.clone()))
    }
}

impl Config {
    /// The loaded configuration as a [`Figment`]: one provider per
    /// [`Source`], so figment's metadata for each value names where it came
    /// from (`find_metadata("server.port")` names `PREFECT__SERVER__PORT` when
    /// that variable set it). Values are the loaded ones (expanded, cast,
    /// references resolved), **without the sensitive ones**: figment's errors
    /// quote the value they reject and its `Debug` prints every value, so a
    /// value that is [sensitive](Config::is_sensitive), whole or in part, is
    /// left out (an unset one stays). Extract secrets with
    /// [`Config::extract`], whose errors never show them.
    ///
    /// ```
    /// use prefect_config::config::Loader;
    /// #[derive(serde::Deserialize)]
    /// struct Server { host: String, port: u16 }
    /// let cfg = Loader::new().defaults_toml("[server]\nhost = 'h'\nport = '4200'").load()?;
    /// let server: Server = cfg.figment().extract_inner("server")?;
    /// assert_eq!((server.host.as_str(), server.port), ("h", 4200));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn figment(&self) -> Figment {
        let mut slices: IndexMap<&Source, Dict, foldhash::fast::RandomState> = IndexMap::default();
        let Node::Table(root) = &self.root else {
            return Figment::new();
        };
        collect(root, Scope::Root, &mut Vec::new(), &mut slices);
        slices
            .into_iter()
            .fold(Figment::new(), |figment, (source, dict)| {
                figment.merge(Slice {
                    metadata: metadata_of(source),
                    dict,
                })
            })
    }
}

/// Every leaf into the slice of its source, except the sensitive ones
/// (whole or in part): figment's errors quote the values they reject, and
/// its `Debug` prints every value.
fn collect<'a>(
    table: &'a Table,
    scope: Scope,
    path: &mut Vec<&'a str>,
    slices: &mut IndexMap<&'a Source, Dict, foldhash::fast::RandomState>,
) {
    for (key, node) in &table.entries {
        path.push(key);
        let scope = scope.child(key);
        match node {
            Node::Table(child) => collect(child, scope, path, slices),
            Node::Leaf(leaf) => {
                let hidden = !is_blank(&leaf.value)
                    && (leaf.sensitive
                        || scope.is_sensitive()
                        || sensitive::has_sensitive_part(&leaf.value, scope));
                if !hidden {
                    let dict = slices.entry(&leaf.source).or_default();
                    insert(dict, path, figment_of(&leaf.value));
                }
            }
        }
        path.pop();
    }
}

fn insert(dict: &mut Dict, path: &[&str], value: FigValue) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut dict = dict;
    for part in parents {
        let entry = dict
            .entry((*part).to_owned())
            .or_insert_with(|| FigValue::Dict(Tag::Default, Dict::new()));
        let FigValue::Dict(_, child) = entry else {
            return;
        };
        dict = child;
    }
    dict.insert((*last).to_owned(), value);
}

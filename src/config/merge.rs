//! Merging layers with figment, and reading the merged tree back.
//!
//! Each layer is a figment `Provider`; `Figment::merge` decides which layer
//! wins each key (tables merge key by key, anything else replaces). The
//! merged tree is then read back in the layers' key order, each leaf's value
//! and origin taken from the layer that won it.

use figment::value::{Dict, Value as FigValue};
use figment::{Figment, Metadata, Profile, Provider};
use serde_json::{Map, Value};

use crate::config::Source;
use crate::config::layer::Layer;
use crate::config::tree::{FastMap, LeafMeta, Meta};

/// Merges the layers with figment, then reads the merged tree back with each
/// leaf's value and origin taken from the layer that won it.
pub(crate) fn merge(layers: &[Layer]) -> (Value, Meta) {
    let figment = layers
        .iter()
        .fold(Figment::new(), |figment, layer| figment.merge(layer));
    // Our providers never fail, so the merged data is always there.
    let merged: Dict = figment
        .data()
        .ok()
        .and_then(|mut profiles| profiles.remove(&Profile::Default))
        .unwrap_or_default();
    let metadata: Vec<&Metadata> = figment.metadata().collect();
    let winner = |value: &FigValue| -> Option<usize> {
        let found = figment.get_metadata(value.tag())?;
        metadata.iter().position(|m| std::ptr::eq(*m, found))
    };
    let reader = Reader {
        layers,
        winner: &winner,
    };
    let roots: Vec<Option<&Map<String, Value>>> = layers.iter().map(|l| Some(&*l.data)).collect();
    let (map, children) = reader.table(&merged, &roots, &mut Vec::new());
    let source = layers.last().map_or(Source::Runtime, |l| l.source.clone());
    (Value::Object(map), Meta::Table { source, children })
}

struct Reader<'a> {
    layers: &'a [Layer],
    winner: &'a dyn Fn(&FigValue) -> Option<usize>,
}

impl Reader<'_> {
    /// Reads a merged table, keeping the key order in which keys first appear
    /// across the layers (the defaults file's order first), and dropping
    /// tables that end up empty, as Prefect does. `tables` holds each
    /// layer's table at this path, where it has one.
    fn table<'t>(
        &self,
        dict: &'t Dict,
        tables: &[Option<&'t Map<String, Value>>],
        path: &mut Vec<&'t str>,
    ) -> (Map<String, Value>, FastMap<String, Meta>) {
        let mut order: Vec<&'t String> = Vec::with_capacity(dict.len());
        let mut providers = tables.iter().flatten();
        if let Some(first) = providers.next() {
            // The first layer's keys are distinct; later layers add new ones.
            order.extend(
                first
                    .keys()
                    .filter_map(|k| dict.get_key_value(k).map(|(k, _)| k)),
            );
            for later in providers {
                for key in later.keys() {
                    if !first.contains_key(key) && !order.contains(&key) {
                        if let Some((key, _)) = dict.get_key_value(key) {
                            order.push(key);
                        }
                    }
                }
            }
        }
        let mut map = Map::with_capacity(order.len());
        let mut children = FastMap::with_capacity_and_hasher(order.len(), Default::default());
        for key in order {
            let Some(child) = dict.get(key) else { continue };
            let Some(winner) = (self.winner)(child) else {
                continue;
            };
            let Some(layer) = self.layers.get(winner) else {
                continue;
            };
            path.push(key);
            if let FigValue::Dict(_, inner) = child {
                let inner_tables: Vec<Option<&'t Map<String, Value>>> = tables
                    .iter()
                    .map(|t| {
                        t.and_then(|t| t.get(key.as_str()))
                            .and_then(Value::as_object)
                    })
                    .collect();
                let (inner_map, inner_children) = self.table(inner, &inner_tables, path);
                if !inner_map.is_empty() {
                    map.insert(key.clone(), Value::Object(inner_map));
                    let source = layer.source.clone();
                    children.insert(
                        key.clone(),
                        Meta::Table {
                            source,
                            children: inner_children,
                        },
                    );
                }
            } else if let Some(value) = tables
                .get(winner)
                .copied()
                .flatten()
                .and_then(|t| t.get(key.as_str()))
            {
                map.insert(key.clone(), value.clone());
                // Only layers with per-leaf origins or cast text need the
                // full path, so build it only for them.
                let leaf = if layer.leaf_sources.is_some() || !layer.raw.is_empty() {
                    let owned: Vec<String> = path.iter().map(|p| (*p).to_owned()).collect();
                    LeafMeta {
                        source: layer.source_of(&owned).clone(),
                        raw: layer.raw.get(&owned).cloned(),
                    }
                } else {
                    LeafMeta {
                        source: layer.source.clone(),
                        raw: None,
                    }
                };
                children.insert(key.clone(), Meta::Leaf(leaf));
            }
            path.pop();
        }
        (map, children)
    }
}

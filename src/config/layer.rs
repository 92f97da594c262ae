//! One layer of configuration: its data, its origin, and its figment
//! `Provider` implementation.
//!
//! TOML is parsed here with the `toml` crate directly (not figment's `Toml`
//! provider) so that syntax errors can be reported with line and column but
//! without the snippet of the offending line, which may hold a secret.

use std::sync::Arc;

use figment::value::{Dict, Empty, Map as FigMap, Tag, Value as FigValue};
use figment::{Metadata, Profile, Provider};
use serde_json::{Map, Number, Value};

use crate::config::tree::FastMap;
use crate::config::{ConfigError, MAX_DEPTH, Source};

/// One layer: a value tree and where it came from.
#[derive(Clone, Debug)]
pub(crate) struct Layer {
    pub(crate) source: Source,
    pub(crate) data: Arc<Map<String, Value>>,
    /// For layers whose leaves each have their own origin (environment
    /// variables, secrets files): the origin of each leaf path.
    pub(crate) leaf_sources: Option<Arc<FastMap<Vec<String>, Source>>>,
    /// Leaves whose values were cast from text, with that text.
    pub(crate) raw: FastMap<Vec<String>, Arc<str>>,
}

impl Layer {
    pub(crate) fn new(source: Source, data: Map<String, Value>) -> Self {
        Layer {
            source,
            data: Arc::new(data),
            leaf_sources: None,
            raw: FastMap::default(),
        }
    }

    /// Parses a TOML document.
    pub(crate) fn from_toml(source: Source, text: &str) -> Result<Layer, ConfigError> {
        check_depth(text, &source)?;
        let table: toml::Table = text.parse().map_err(|err: toml::de::Error| {
            let (line, column) = err
                .span()
                .map_or((1, 1), |span| line_column(text, span.start));
            ConfigError::Syntax {
                origin: source.clone(),
                line,
                column,
                message: err.message().trim().replace('\n', "; "),
            }
        })?;
        let data = table
            .into_iter()
            .map(|(k, v)| (k, toml_to_json(v)))
            .collect();
        Ok(Layer::new(source, data))
    }

    /// The origin of the leaf at `path`.
    pub(crate) fn source_of(&self, path: &[String]) -> &Source {
        self.leaf_sources
            .as_ref()
            .and_then(|map| map.get(path))
            .unwrap_or(&self.source)
    }

    /// The value at `path` in this layer.
    pub(crate) fn get(&self, path: &[String]) -> Option<&Value> {
        let (first, rest) = path.split_first()?;
        let mut node = self.data.get(first)?;
        for part in rest {
            node = node.as_object()?.get(part)?;
        }
        Some(node)
    }
}

impl Provider for Layer {
    fn metadata(&self) -> Metadata {
        Metadata::named(self.source.to_string())
    }

    /// Tables become figment dicts so that figment merges them; every other
    /// value is an opaque leaf (its real value is read back from the layer),
    /// so that a table produced by casting text is never merged into.
    fn data(&self) -> Result<FigMap<Profile, Dict>, figment::Error> {
        let mut map = FigMap::new();
        map.insert(
            Profile::Default,
            self.to_figment(&self.data, &mut Vec::new()),
        );
        Ok(map)
    }
}

impl Layer {
    fn to_figment(&self, map: &Map<String, Value>, path: &mut Vec<String>) -> Dict {
        map.iter()
            .map(|(key, value)| {
                path.push(key.clone());
                let value = match value {
                    Value::Object(child) if !self.raw.contains_key(path.as_slice()) => {
                        FigValue::Dict(Tag::Default, self.to_figment(child, path))
                    }
                    _ => FigValue::Empty(Tag::Default, Empty::Unit),
                };
                path.pop();
                (key.clone(), value)
            })
            .collect()
    }
}

fn toml_to_json(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        // TOML allows `inf` and `nan`, which JSON cannot hold: keep their text.
        toml::Value::Float(f) => Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or_else(|| Value::String(crate::config::python::float_repr(f))),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(table) => Value::Object(
            table
                .into_iter()
                .map(|(k, v)| (k, toml_to_json(v)))
                .collect(),
        ),
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Rejects TOML whose tables nest deeper than [`MAX_DEPTH`] before the
/// recursive parser sees it.
///
/// The bound counts the dotted parts of the current table header plus those
/// of each key, and the bracket nesting of values, outside strings and
/// comments. It may over-count (never under-count) in unusual layouts.
fn check_depth(text: &str, source: &Source) -> Result<(), ConfigError> {
    let too_deep = |line| ConfigError::TooDeep {
        origin: source.clone(),
        line,
        limit: MAX_DEPTH,
    };
    let bytes = text.as_bytes();
    let mut line = 1;
    let mut header_depth = 0usize;
    let mut line_depth = 0usize;
    let mut brackets = 0usize;
    let mut at_line_start = true;
    let mut in_header = false;
    let mut in_value = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'\n' => {
                line += 1;
                if brackets == 0 {
                    line_depth = 0;
                    in_value = false;
                    at_line_start = true;
                }
                i += 1;
                continue;
            }
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'"' | b'\'' => {
                i = skip_toml_string(bytes, i, &mut line);
                at_line_start = false;
                continue;
            }
            b'[' if at_line_start && brackets == 0 => {
                in_header = true;
                header_depth = 1;
                if bytes.get(i + 1) == Some(&b'[') {
                    i += 1;
                }
            }
            b']' if in_header => in_header = false,
            b'.' if in_header => header_depth += 1,
            b'.' if !in_value => line_depth += 1,
            b'=' if !in_value => {
                in_value = true;
                line_depth += 1;
            }
            b'[' | b'{' if in_value => {
                brackets += 1;
                line_depth += 1;
            }
            b']' | b'}' if in_value => brackets = brackets.saturating_sub(1),
            b' ' | b'\t' | b'\r' => {
                i += 1;
                continue;
            }
            _ => {}
        }
        at_line_start = false;
        if header_depth + line_depth > MAX_DEPTH {
            return Err(too_deep(line));
        }
        i += 1;
    }
    Ok(())
}

/// The index just past the TOML string starting at `start` (basic, literal,
/// or multi-line), counting the newlines inside it.
fn skip_toml_string(bytes: &[u8], start: usize, line: &mut usize) -> usize {
    let quote = bytes[start];
    let multi = bytes.get(start + 1) == Some(&quote) && bytes.get(start + 2) == Some(&quote);
    let mut i = start + if multi { 3 } else { 1 };
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            b'\n' if !multi => return i,
            b'\n' => {
                *line += 1;
                i += 1;
            }
            b if b == quote => {
                if !multi {
                    return i + 1;
                }
                if bytes.get(i + 1) == Some(&quote) && bytes.get(i + 2) == Some(&quote) {
                    let mut end = i + 3;
                    // Up to two more quotes may close a multi-line string.
                    while bytes.get(end) == Some(&quote) && end < i + 5 {
                        end += 1;
                    }
                    return end;
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_counts_headers_keys_and_brackets() {
        let ok = "[a.b.c]\nd.e = { f = [1] }\n";
        assert!(check_depth(ok, &Source::DefaultsToml).is_ok());
        let deep_header = format!("[{}]\n", vec!["a"; MAX_DEPTH + 1].join("."));
        assert!(check_depth(&deep_header, &Source::DefaultsToml).is_err());
        let deep_key = format!("{} = 1\n", vec!["a"; MAX_DEPTH + 1].join("."));
        assert!(check_depth(&deep_key, &Source::DefaultsToml).is_err());
        let deep_value = format!(
            "a = {}1{}\n",
            "[".repeat(MAX_DEPTH + 1),
            "]".repeat(MAX_DEPTH + 1)
        );
        assert!(check_depth(&deep_value, &Source::DefaultsToml).is_err());
    }

    #[test]
    fn strings_and_comments_do_not_count() {
        let text = format!(
            "a = \"{dots}\"\nb = '''\n{dots}\n'''\n# {dots}\nc = 1\n",
            dots = ".".repeat(MAX_DEPTH * 2)
        );
        assert!(check_depth(&text, &Source::DefaultsToml).is_ok());
    }

    #[test]
    fn line_and_column_are_one_based() {
        assert_eq!(line_column("ab\ncd", 4), (2, 2));
        assert_eq!(line_column("", 0), (1, 1));
    }
}

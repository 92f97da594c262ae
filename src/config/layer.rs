//! One layer of configuration: a tree of nodes that all come from one input,
//! and the TOML reader that builds one.
//!
//! TOML is parsed with `toml`'s span-keeping `DeTable` (no intermediate
//! `toml::Table`), so that syntax errors can be reported with line and column
//! but without the snippet of the offending line, which may hold a secret.

use std::collections::VecDeque;
use std::sync::Arc;

use parking_lot::Mutex;
use serde_json::{Number, Value};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::config::collect::{Seen, Sink};
use crate::config::node::{Leaf, Node, Table};
use crate::config::plain_toml;
use crate::config::{ConfigError, MAX_DEPTH, Source};

/// One layer: a tree whose nodes carry their origins.
#[derive(Clone)]
pub(crate) struct Layer {
    /// The origin of the layer as a whole (for the environment, `PREFIX__*`).
    pub(crate) source: Source,
    pub(crate) root: Table,
}

impl Layer {
    /// Parses a TOML document for a load or a check: a check reports every
    /// syntax error of the file (the parser recovers) and keeps the text to
    /// locate problems; `None` when the file is broken and a check goes on.
    pub(crate) fn from_toml_into(
        source: Source,
        text: &str,
        sink: &mut Sink,
        seen: Option<&mut Seen>,
    ) -> Result<Option<Layer>, ConfigError> {
        let Some(seen) = seen else {
            return Layer::from_toml(source, text).map(Some);
        };
        seen.texts.push((source.clone(), text.to_owned()));
        let (_, errors) = DeTable::parse_recoverable(text);
        if errors.is_empty() {
            return match Layer::from_toml(source, text) {
                Ok(layer) => Ok(Some(layer)),
                Err(err) => sink.report(err).map(|()| None),
            };
        }
        for err in errors {
            sink.report(syntax_error(&source, text, &err))?;
        }
        Ok(None)
    }

    /// Parses a TOML document, or takes it from the [`Parsed`] cache when
    /// the same text from the same source was parsed before.
    pub(crate) fn from_toml(source: Source, text: &str) -> Result<Layer, ConfigError> {
        if let Some(root) = PARSED.get(&source, text) {
            return Ok(Layer { source, root });
        }
        let layer = Layer::parse(source, text)?;
        PARSED.put(&layer, text);
        Ok(layer)
    }

    /// Parses a TOML document: plain TOML (most configuration files) by the
    /// fast reader of `plain_toml`, anything else with `toml`.
    fn parse(source: Source, text: &str) -> Result<Layer, ConfigError> {
        if let Some(root) = plain_toml::parse(text, &source) {
            return Ok(Layer { source, root });
        }
        Layer::parse_with_toml(source, text)
    }

    /// Parses a TOML document with `toml`. The parser bounds its own
    /// recursion; the tree it gives is then held to [`MAX_DEPTH`] as it is
    /// converted.
    pub(crate) fn parse_with_toml(source: Source, text: &str) -> Result<Layer, ConfigError> {
        let table = DeTable::parse(text).map_err(|err| syntax_error(&source, text, &err))?;
        let root = table_of(table.into_inner(), &source, 1).map_err(|fault| {
            let (span, message) = match fault {
                Fault::IntegerOutOfRange(span) => (span, "integer out of range"),
                Fault::TooDeep(span) => {
                    let (line, _) = line_column(text, span.start);
                    return ConfigError::TooDeep {
                        origin: source.clone(),
                        line,
                        limit: MAX_DEPTH,
                    };
                }
            };
            let (line, column) = line_column(text, span.start);
            ConfigError::Syntax {
                origin: source.clone(),
                line,
                column,
                message: message.into(),
            }
        })?;
        Ok(Layer { source, root })
    }
}

/// The last few TOML texts parsed, with their trees.
///
/// A program often loads the same files again (a context that reloads, each
/// test of a suite, a CLI command that loads twice); parsing is most of a
/// load's time. An entry is used only for the same source and the same text,
/// byte for byte, so it gives exactly what parsing would. Small texts only,
/// and a few of them, so the memory kept is bounded.
///
/// A tree is kept only when its text is parsed a second time: a program that
/// loads once (most of them) never pays for copying a tree it will not need
/// again; the first sighting costs a copy of the text.
struct Parsed {
    entries: Mutex<VecDeque<Entry>>,
}

/// A text seen before, and its tree once it was seen twice.
struct Entry {
    source: Source,
    text: Arc<str>,
    root: Option<Table>,
}

/// How many texts the cache keeps, and the largest it keeps.
const PARSED_ENTRIES: usize = 4;
const PARSED_MAX_BYTES: usize = 64 * 1024;

static PARSED: Parsed = Parsed {
    entries: Mutex::new(VecDeque::new()),
};

impl Parsed {
    fn get(&self, source: &Source, text: &str) -> Option<Table> {
        if text.len() > PARSED_MAX_BYTES {
            return None;
        }
        let entries = self.entries.lock();
        entries
            .iter()
            .find(|entry| entry.is(source, text))
            .and_then(|entry| entry.root.clone())
    }

    /// Notes that `text` was parsed into `layer`: the first time, only the
    /// text is kept; the second time, the tree too.
    fn put(&self, layer: &Layer, text: &str) {
        if text.len() > PARSED_MAX_BYTES {
            return;
        }
        let mut entries = self.entries.lock();
        if let Some(entry) = entries
            .iter_mut()
            .find(|entry| entry.is(&layer.source, text))
        {
            entry.root = Some(layer.root.clone());
            return;
        }
        if entries.len() >= PARSED_ENTRIES {
            entries.pop_front();
        }
        entries.push_back(Entry {
            source: layer.source.clone(),
            text: Arc::from(text),
            root: None,
        });
    }
}

impl Entry {
    fn is(&self, source: &Source, text: &str) -> bool {
        self.source == *source && *self.text == *text
    }
}

/// What can be wrong in a tree the TOML parser accepted.
enum Fault {
    IntegerOutOfRange(std::ops::Range<usize>),
    TooDeep(std::ops::Range<usize>),
}

fn syntax_error(source: &Source, text: &str, err: &toml::de::Error) -> ConfigError {
    let (line, column) = err
        .span()
        .map_or((1, 1), |span| line_column(text, span.start));
    ConfigError::Syntax {
        origin: source.clone(),
        line,
        column,
        message: syntax_message(err),
    }
}

/// The parser's message on one line; never empty.
fn syntax_message(err: &toml::de::Error) -> String {
    let message = err.message().trim().replace('\n', "; ");
    if message.is_empty() {
        "invalid TOML".to_owned()
    } else {
        message
    }
}

/// A TOML table at nesting `depth` as a table node.
fn table_of(table: DeTable<'_>, source: &Source, depth: usize) -> Result<Table, Fault> {
    let mut out = Table::new(source.clone());
    out.entries.reserve(table.len());
    for (key, value) in table {
        if depth > MAX_DEPTH {
            return Err(Fault::TooDeep(key.span()));
        }
        let node = match value.get_ref() {
            DeValue::Table(_) => match value.into_inner() {
                DeValue::Table(child) => Node::Table(table_of(child, source, depth + 1)?),
                _ => continue,
            },
            _ => Node::Leaf(Leaf::new(value_of(value, depth)?, source.clone())),
        };
        out.entries.insert(key.into_inner().into(), node);
    }
    Ok(out)
}

/// A TOML value at nesting `depth` (tables inside arrays included) as JSON.
fn value_of(value: Spanned<DeValue<'_>>, depth: usize) -> Result<Value, Fault> {
    let span = value.span();
    if depth > MAX_DEPTH {
        return Err(Fault::TooDeep(span));
    }
    Ok(match value.into_inner() {
        DeValue::String(s) => Value::String(s.into_owned()),
        DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) => Value::from(n),
            Err(_) => return Err(Fault::IntegerOutOfRange(span)),
        },
        // TOML allows `inf` and `nan`, which JSON cannot hold: keep their text.
        DeValue::Float(f) => float_value(f.as_str().parse().unwrap_or(f64::NAN)),
        DeValue::Boolean(b) => Value::Bool(b),
        DeValue::Datetime(d) => Value::String(d.to_string()),
        DeValue::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|item| value_of(item, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        DeValue::Table(table) => {
            let mut map = serde_json::Map::with_capacity(table.len());
            for (key, value) in table {
                map.insert(key.into_inner().into_owned(), value_of(value, depth + 1)?);
            }
            Value::Object(map)
        }
    })
}

/// A TOML float as JSON; `inf` and `nan`, which JSON cannot hold, keep
/// their Python text.
pub(crate) fn float_value(x: f64) -> Value {
    Number::from_f64(x)
        .map(Value::Number)
        .unwrap_or_else(|| Value::String(crate::config::python::float_repr(x)))
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_past_the_limit_is_too_deep_with_its_line() {
        let ok = format!("[{}]\nx = 1\n", vec!["t"; MAX_DEPTH - 1].join("."));
        assert!(Layer::from_toml(Source::DefaultsToml, &ok).is_ok());
        let deep = format!("a = 1\n[{}]\nx = 1\n", vec!["t"; MAX_DEPTH].join("."));
        let err = Layer::from_toml(Source::DefaultsToml, &deep).err().unwrap();
        assert!(matches!(err, ConfigError::TooDeep { line: 3, .. }), "{err}");
        let arrays = format!("a = {}1{}\n", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        let err = Layer::from_toml(Source::DefaultsToml, &arrays)
            .err()
            .unwrap();
        assert!(
            matches!(
                err,
                ConfigError::TooDeep { .. } | ConfigError::Syntax { .. }
            ),
            "{err}"
        );
    }

    #[test]
    fn line_and_column_are_one_based() {
        assert_eq!(line_column("ab\ncd", 4), (2, 2));
        assert_eq!(line_column("", 0), (1, 1));
    }
}

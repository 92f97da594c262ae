//! One layer of configuration: a tree of nodes that all come from one input,
//! and the TOML reader that builds one.
//!
//! TOML is parsed with `toml`'s span-keeping `DeTable` (no intermediate
//! `toml::Table`), so that syntax errors can be reported with line and column
//! but without the snippet of the offending line, which may hold a secret.

use serde_json::{Number, Value};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::config::collect::{Seen, Sink};
use crate::config::node::{Leaf, Node, Table};
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
        if let Err(err) = check_depth(text, &source) {
            sink.report(err)?;
            return Ok(None);
        }
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

    /// Parses a TOML document.
    pub(crate) fn from_toml(source: Source, text: &str) -> Result<Layer, ConfigError> {
        check_depth(text, &source)?;
        let table = DeTable::parse(text).map_err(|err| syntax_error(&source, text, &err))?;
        let root = table_of(table.into_inner(), &source).map_err(|span| {
            let (line, column) = line_column(text, span.start);
            ConfigError::Syntax {
                origin: source.clone(),
                line,
                column,
                message: "integer out of range".into(),
            }
        })?;
        Ok(Layer { source, root })
    }
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

/// A TOML table as a table node; `Err` holds the span of an integer out of range.
fn table_of(table: DeTable<'_>, source: &Source) -> Result<Table, std::ops::Range<usize>> {
    let mut out = Table::new(source.clone());
    out.entries.reserve(table.len());
    for (key, value) in table {
        let node = match value.get_ref() {
            DeValue::Table(_) => match value.into_inner() {
                DeValue::Table(child) => Node::Table(table_of(child, source)?),
                _ => continue,
            },
            _ => Node::Leaf(Leaf::new(value_of(value)?, source.clone())),
        };
        out.entries.insert(key.into_inner().into_owned(), node);
    }
    Ok(out)
}

/// A TOML value (tables inside arrays included) as JSON.
fn value_of(value: Spanned<DeValue<'_>>) -> Result<Value, std::ops::Range<usize>> {
    let span = value.span();
    Ok(match value.into_inner() {
        DeValue::String(s) => Value::String(s.into_owned()),
        DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) => Value::from(n),
            Err(_) => return Err(span),
        },
        // TOML allows `inf` and `nan`, which JSON cannot hold: keep their text.
        DeValue::Float(f) => {
            let x: f64 = f.as_str().parse().unwrap_or(f64::NAN);
            Number::from_f64(x)
                .map(Value::Number)
                .unwrap_or_else(|| Value::String(crate::config::python::float_repr(x)))
        }
        DeValue::Boolean(b) => Value::Bool(b),
        DeValue::Datetime(d) => Value::String(d.to_string()),
        DeValue::Array(items) => {
            Value::Array(items.into_iter().map(value_of).collect::<Result<_, _>>()?)
        }
        DeValue::Table(table) => {
            let mut map = serde_json::Map::with_capacity(table.len());
            for (key, value) in table {
                map.insert(key.into_inner().into_owned(), value_of(value)?);
            }
            Value::Object(map)
        }
    })
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
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

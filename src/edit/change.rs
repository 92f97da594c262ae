//! [`Change`]: one change to a TOML document, applied with `toml_edit` so
//! that comments, order and formatting elsewhere are kept.

use std::fmt;
use std::path::Path;

use serde_json::Value;
use toml_edit::{DocumentMut, InlineTable, Item, Table};

use crate::edit::{EditError, exact};

/// One change to a configuration file, for [`ConfigFile::apply`](crate::edit::ConfigFile::apply).
///
/// ```
/// use prefect_config::edit::Change;
/// use serde_json::json;
/// let changes = [
///     Change::set("server.port", json!(8080)),
///     Change::set_secret("db.password", json!("hunter2")), // one name, dot and all
///     Change::unset("debug"),
/// ];
/// assert_eq!(changes[1].key(), "context.secrets.db.password");
/// ```
#[derive(Clone)]
pub struct Change {
    kind: Kind,
}

/// Shows what is changed, never the value (it may be a secret).
///
/// ```
/// use prefect_config::edit::Change;
/// let text = format!("{:?}", Change::set_secret("A", "pw-marker".into()));
/// assert!(text.contains("context.secrets.A") && !text.contains("pw-marker"));
/// ```
impl fmt::Debug for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let action = match self.kind {
            Kind::Set { .. } => "set",
            Kind::Unset { .. } => "unset",
            Kind::Replace { .. } => "replace",
        };
        f.debug_struct("Change")
            .field("action", &action)
            .field("key", &self.key())
            .finish_non_exhaustive()
    }
}

#[derive(Clone)]
enum Kind {
    Set { path: Vec<String>, value: Value },
    Unset { path: Vec<String> },
    Replace { text: String },
}

impl Change {
    /// Sets the dotted `key` to `value`, creating tables on the way.
    ///
    /// ```
    /// use prefect_config::edit::Change;
    /// assert_eq!(Change::set("a.b", "x".into()).key(), "a.b");
    /// ```
    pub fn set(key: &str, value: Value) -> Change {
        Change {
            kind: Kind::Set {
                path: split(key),
                value,
            },
        }
    }

    /// Removes the dotted `key`; the edit fails with
    /// [`EditError::NotInFile`] when the file does not set it.
    ///
    /// ```
    /// use prefect_config::edit::Change;
    /// assert_eq!(Change::unset("a.b").key(), "a.b");
    /// ```
    pub fn unset(key: &str) -> Change {
        Change {
            kind: Kind::Unset { path: split(key) },
        }
    }

    /// Sets `context.secrets.<name>`; the name is one key even if it has dots.
    ///
    /// ```
    /// use prefect_config::edit::Change;
    /// assert_eq!(Change::set_secret("A", "x".into()).key(), "context.secrets.A");
    /// ```
    pub fn set_secret(name: &str, value: Value) -> Change {
        Change {
            kind: Kind::Set {
                path: secret_path(name),
                value,
            },
        }
    }

    /// Removes `context.secrets.<name>`.
    ///
    /// ```
    /// use prefect_config::edit::Change;
    /// assert_eq!(Change::unset_secret("A").key(), "context.secrets.A");
    /// ```
    pub fn unset_secret(name: &str) -> Change {
        Change {
            kind: Kind::Unset {
                path: secret_path(name),
            },
        }
    }

    /// Replaces the whole text (checked like any other change).
    ///
    /// ```
    /// use prefect_config::edit::Change;
    /// assert_eq!(Change::replace("a = 1").key(), "");
    /// ```
    pub fn replace(text: impl Into<String>) -> Change {
        Change {
            kind: Kind::Replace { text: text.into() },
        }
    }

    /// The dotted key changed (`""` for a replacement of the whole text).
    ///
    /// ```
    /// use prefect_config::edit::Change;
    /// assert_eq!(Change::unset("server.port").key(), "server.port");
    /// ```
    pub fn key(&self) -> String {
        match &self.kind {
            Kind::Set { path, .. } | Kind::Unset { path } => path.join("."),
            Kind::Replace { .. } => String::new(),
        }
    }

    /// The key path and value of a set.
    pub(crate) fn as_set(&self) -> Option<(&[String], &Value)> {
        match &self.kind {
            Kind::Set { path, value } => Some((path, value)),
            _ => None,
        }
    }

    /// Applies this change to `doc`, which was read from `file`.
    pub(crate) fn apply(&self, doc: &mut DocumentMut, file: &Path) -> Result<(), EditError> {
        match &self.kind {
            Kind::Set { path, value } => {
                let value = exact::to_toml(value, &path.join("."))?;
                set(doc, path, value, file)
            }
            Kind::Unset { path } => unset(doc, path, file),
            Kind::Replace { text } => {
                *doc = parse(text, file)?;
                Ok(())
            }
        }
    }
}

/// Parses TOML text for editing; the error keeps only the parser's message,
/// since its snippet could show a secret.
pub(crate) fn parse(text: &str, file: &Path) -> Result<DocumentMut, EditError> {
    text.parse()
        .map_err(|e: toml_edit::TomlError| EditError::Syntax {
            path: file.to_path_buf(),
            message: e.message().trim().to_owned(),
        })
}

fn split(key: &str) -> Vec<String> {
    key.split('.').map(str::to_owned).collect()
}

fn secret_path(name: &str) -> Vec<String> {
    vec!["context".into(), "secrets".into(), name.into()]
}

fn set(
    doc: &mut DocumentMut,
    path: &[String],
    value: toml_edit::Value,
    file: &Path,
) -> Result<(), EditError> {
    let Some((last, parents)) = path.split_last() else {
        return Ok(());
    };
    let mut node: &mut Item = doc.as_item_mut();
    for (depth, part) in parents.iter().enumerate() {
        // Inside an inline table, new tables must be inline too.
        let inline = node.is_inline_table();
        let table = node
            .as_table_like_mut()
            .ok_or_else(|| not_a_table(path, depth, file))?;
        node = table.entry(part).or_insert_with(|| {
            if inline {
                Item::Value(InlineTable::new().into())
            } else {
                let mut table = Table::new();
                table.set_implicit(true);
                Item::Table(table)
            }
        });
    }
    let table = node
        .as_table_like_mut()
        .ok_or_else(|| not_a_table(path, parents.len(), file))?;
    match table.get_mut(last) {
        // Keep the comments beside the key.
        Some(Item::Value(old)) => {
            let decor = old.decor().clone();
            *old = value;
            *old.decor_mut() = decor;
        }
        _ => {
            table.insert(last, Item::Value(value));
        }
    }
    Ok(())
}

fn unset(doc: &mut DocumentMut, path: &[String], file: &Path) -> Result<(), EditError> {
    let not_in_file = || EditError::NotInFile {
        path: file.to_path_buf(),
        key: path.join("."),
    };
    let Some((last, parents)) = path.split_last() else {
        return Err(not_in_file());
    };
    let mut node: &mut Item = doc.as_item_mut();
    for part in parents {
        node = node
            .as_table_like_mut()
            .and_then(|table| table.get_mut(part))
            .ok_or_else(not_in_file)?;
    }
    node.as_table_like_mut()
        .and_then(|table| table.remove(last))
        .map(|_| ())
        .ok_or_else(not_in_file)
}

/// The key `path[..depth]` holds a value where a table is needed.
fn not_a_table(path: &[String], depth: usize, file: &Path) -> EditError {
    EditError::NotATable {
        path: file.to_path_buf(),
        key: path[..depth.min(path.len())].join("."),
    }
}

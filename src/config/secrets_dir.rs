//! The secrets-directory layer: one secret per file, as container platforms
//! mount them (`/run/secrets/NAME`).
//!
//! Each regular file (symbolic links followed) becomes
//! `context.secrets.<file name>`, its content with one trailing newline
//! removed, the name's case kept. Hidden entries (Kubernetes keeps `..data`
//! there) are skipped; subdirectories and unreadable files are reported as
//! warnings, never by panicking and never with their content. Values from
//! files are taken as written: no `$VAR` expansion, no casting and no `${...}`
//! references. Files over [`Limits::max_secret_file_bytes`] are skipped, and
//! at most [`Limits::max_secret_files`] entries are read: a secret is small,
//! and a huge or endless file (`/proc/...`) must never be read whole. Each
//! entry is read through the crate's one reader (`read_file`): a FIFO,
//! device, directory or file on `/proc` or `/sys` is a warning, decided on
//! the descriptor that was opened, and never blocks.

use std::fs;
use std::path::Path;
use std::sync::Arc;

use serde_json::Value;

use crate::config::layer::Layer;
use crate::config::limits::Limits;
use crate::config::node::{Leaf, Node, Table};
use crate::config::read_file::{self, Refused};
use crate::config::{ConfigWarning, Source};

/// Reads `dir` into a layer of `context.secrets`. Reading stops once the
/// secrets hold more than `room` bytes (what the load's budget has left): the
/// layer is charged to it once built, and would be refused anyway.
pub(crate) fn read(
    dir: &Path,
    limits: &Limits,
    room: usize,
    warnings: &mut Vec<ConfigWarning>,
) -> Option<Layer> {
    let report = |path: &Path, problem: String| ConfigWarning::SecretsDir {
        path: path.to_path_buf(),
        problem,
    };
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) => {
            warnings.push(report(dir, format!("cannot be listed: {err}")));
            return None;
        }
    };
    let mut files: Vec<_> = entries
        .filter_map(Result::ok)
        .take(limits.max_secret_files.saturating_add(1))
        .map(|e| e.path())
        .collect();
    if files.len() > limits.max_secret_files {
        files.truncate(limits.max_secret_files);
        warnings.push(report(
            dir,
            format!(
                "has more than {} entries; only that many were read",
                limits.max_secret_files
            ),
        ));
    }
    files.sort();
    let layer_source = Source::SecretsFile(Arc::from(dir));
    let mut secrets = Table::new(layer_source.clone());
    let mut held = 0usize;
    for path in files {
        if held > room {
            break;
        }
        let Some(name) = path.file_name().and_then(|n| n.to_str()).map(str::to_owned) else {
            warnings.push(report(&path, "has a name that is not UTF-8".into()));
            continue;
        };
        if name.starts_with('.') {
            continue;
        }
        // One open, then questions to the opened descriptor: checking the
        // path first would let the entry be swapped (for a FIFO) before
        // the open.
        let text = match read_file::read_text(&path, limits.max_secret_file_bytes) {
            Ok(text) => text,
            Err(Refused::NotRegular("a directory")) => {
                warnings.push(report(&path, "is a directory, not a secret file".into()));
                continue;
            }
            Err(Refused::NotRegular(what)) => {
                warnings.push(report(&path, format!("is {what}, not a regular file")));
                continue;
            }
            Err(Refused::TooLarge) => {
                warnings.push(report(
                    &path,
                    format!("is larger than {} bytes", limits.max_secret_file_bytes),
                ));
                continue;
            }
            Err(Refused::Io(err)) if err.kind() == std::io::ErrorKind::InvalidData => {
                warnings.push(report(&path, "is not UTF-8 text".into()));
                continue;
            }
            Err(Refused::Io(err)) => {
                warnings.push(report(&path, format!("cannot be read: {err}")));
                continue;
            }
        };
        let value = text
            .strip_suffix("\r\n")
            .or_else(|| text.strip_suffix('\n'))
            .unwrap_or(&text)
            .to_owned();
        held = held.saturating_add(value.len());
        let mut leaf = Leaf::new(
            Value::String(value),
            Source::SecretsFile(Arc::from(path.as_path())),
        );
        leaf.verbatim = true;
        secrets.entries.insert(name.into(), Node::Leaf(leaf));
    }
    let mut context = Table::new(layer_source.clone());
    context
        .entries
        .insert("secrets".into(), Node::Table(secrets));
    let mut root = Table::new(layer_source.clone());
    root.entries.insert("context".into(), Node::Table(context));
    Some(Layer {
        source: layer_source,
        root,
    })
}

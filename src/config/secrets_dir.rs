//! The secrets-directory layer: one secret per file, as container platforms
//! mount them (`/run/secrets/NAME`).
//!
//! Each regular file (symbolic links followed) becomes
//! `context.secrets.<file name>`, its content with one trailing newline
//! removed, the name's case kept. Hidden entries (Kubernetes keeps `..data`
//! there) are skipped; subdirectories and unreadable files are reported as
//! warnings, never by panicking and never with their content. Values from
//! files are taken as written: no `$VAR` expansion and no casting.

use std::fs;
use std::path::Path;
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::config::layer::Layer;
use crate::config::tree::FastMap;
use crate::config::{ConfigWarning, Source};

/// Reads `dir` into a layer of `context.secrets`.
pub(crate) fn read(dir: &Path, warnings: &mut Vec<ConfigWarning>) -> Option<Layer> {
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
    let mut files: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    files.sort();
    let mut secrets = Map::new();
    let mut sources = FastMap::default();
    for path in files {
        let Some(name) = path.file_name().and_then(|n| n.to_str()).map(str::to_owned) else {
            warnings.push(report(&path, "has a name that is not UTF-8".into()));
            continue;
        };
        if name.starts_with('.') {
            continue;
        }
        match fs::metadata(&path) {
            Ok(meta) if meta.is_dir() => {
                warnings.push(report(&path, "is a directory, not a secret file".into()));
                continue;
            }
            Ok(meta) if !meta.is_file() => {
                warnings.push(report(&path, "is not a regular file".into()));
                continue;
            }
            Ok(_) => {}
            Err(err) => {
                warnings.push(report(&path, format!("cannot be read: {err}")));
                continue;
            }
        }
        let text = match fs::read(&path).map(String::from_utf8) {
            Ok(Ok(text)) => text,
            Ok(Err(_)) => {
                warnings.push(report(&path, "is not UTF-8 text".into()));
                continue;
            }
            Err(err) => {
                warnings.push(report(&path, format!("cannot be read: {err}")));
                continue;
            }
        };
        let value = text
            .strip_suffix("\r\n")
            .or_else(|| text.strip_suffix('\n'))
            .unwrap_or(&text)
            .to_owned();
        secrets.insert(name.clone(), Value::String(value));
        let key = vec!["context".to_owned(), "secrets".to_owned(), name];
        sources.insert(key, Source::SecretsFile(Arc::from(path.as_path())));
    }
    let mut context = Map::new();
    context.insert("secrets".into(), Value::Object(secrets));
    let mut data = Map::new();
    data.insert("context".into(), Value::Object(context));
    let mut layer = Layer::new(Source::SecretsFile(Arc::from(dir)), data);
    layer.leaf_sources = Some(Arc::new(sources));
    Some(layer)
}

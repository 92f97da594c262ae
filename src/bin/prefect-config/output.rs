//! Colour, masking, and how sources and values print.

use std::io::IsTerminal;

use prefect_config::Value;
use prefect_config::config::{Layers, Source, StepKind};

/// What a masked value prints as.
pub const MASK: &str = "********";

/// ANSI styling, on only for a terminal and never with `NO_COLOR` set.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    color: bool,
}

impl Style {
    pub fn for_stdout() -> Style {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Style {
            color: !no_color && std::io::stdout().is_terminal(),
        }
    }

    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    pub fn key(self, text: &str) -> String {
        self.paint("1", text)
    }

    pub fn dim(self, text: &str) -> String {
        self.paint("2", text)
    }

    pub fn good(self, text: &str) -> String {
        self.paint("32", text)
    }

    pub fn bad(self, text: &str) -> String {
        self.paint("33", text)
    }
}

/// True when the last part of a key names a credential.
pub fn is_credential_name(name: &str) -> bool {
    matches!(name, "password" | "api_key" | "auth_token" | "admin_secret")
        || name.ends_with("_secret")
        || name.ends_with("_token")
}

/// True when the value at `path` is a secret by its place alone.
pub fn is_secret_key(path: &str) -> bool {
    let parts: Vec<&str> = path.split('.').collect();
    (parts.len() >= 2 && parts[0] == "context" && parts[1] == "secrets")
        || parts.last().is_some_and(|last| is_credential_name(last))
}

/// Nothing to hide: an unset credential is shown as unset.
fn is_blank(value: &Value) -> bool {
    value.is_null() || value.as_str().is_some_and(str::is_empty)
}

/// Decides which values to mask: secret keys, and values whose `${...}`
/// references reached a secret (`connection_url` built from `password`).
pub struct Masker<'a> {
    layers: &'a Layers,
    show: bool,
}

impl<'a> Masker<'a> {
    pub fn new(layers: &'a Layers, show: bool) -> Self {
        Masker { layers, show }
    }

    pub fn showing(&self) -> bool {
        self.show
    }

    /// True when the value at the leaf `path` must be masked.
    pub fn hides(&self, path: &str) -> bool {
        !self.show && self.tainted(path, 0)
    }

    fn tainted(&self, path: &str, depth: usize) -> bool {
        if is_secret_key(path) {
            return self.layers.config().get(path).is_some_and(|v| !is_blank(v));
        }
        if depth > 16 {
            return true;
        }
        let Some(why) = self.layers.explain(path) else {
            return false;
        };
        why.steps().iter().any(|step| {
            step.kind == StepKind::Reference
                && step
                    .reference
                    .as_deref()
                    .is_some_and(|r| self.tainted(r, depth + 1))
        })
    }

    /// A copy of the subtree at `path` with hidden leaves masked.
    pub fn masked(&self, path: &str, value: &Value) -> Value {
        if self.show {
            return value.clone();
        }
        let mut out = value.clone();
        self.mask_in(path, &mut out);
        out
    }

    fn mask_in(&self, path: &str, value: &mut Value) {
        match value {
            Value::Object(map) => {
                for (key, child) in map.iter_mut() {
                    let child_path = join(path, key);
                    self.mask_in(&child_path, child);
                }
            }
            _ if is_secret_key(path) && is_blank(value) => {}
            _ if is_secret_key(path) || self.hides(path) => *value = Value::String(MASK.into()),
            _ => {}
        }
    }
}

/// `a` + `.` + `b`, or `b` alone at the root.
pub fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// The short label of a source: `defaults`, a file path, or a variable name.
pub fn source_label(source: &Source) -> String {
    if let Some(var) = source.env_var() {
        return var.to_owned();
    }
    match (source.layer(), source.file()) {
        ("defaults", Some(path)) => format!("defaults {}", path.display()),
        (_, Some(path)) => path.display().to_string(),
        ("task_defaults", None) => "task defaults".to_owned(),
        (layer, None) => layer.to_owned(),
    }
}

/// A source as stable JSON: `{"layer": ..., "path": ...}` or `{"layer": "env", "var": ...}`.
pub fn source_json(source: &Source) -> Value {
    let mut map = serde_json::Map::new();
    map.insert("layer".into(), source.layer().into());
    if let Some(path) = source.file() {
        map.insert("path".into(), path.display().to_string().into());
    }
    if let Some(var) = source.env_var() {
        map.insert("var".into(), var.into());
    }
    Value::Object(map)
}

/// A value on one line, as JSON (strings quoted, so `"4200"` and 4200 differ).
pub fn inline(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| MASK.to_owned())
}

//! Masking, and how sources and values print (colour is in [`crate::style`]).

use prefect_config::Value;
use prefect_config::config::{Config, Explanation, Layers, Source};
use prefect_config::render::terminal;

// The commands import `Style` from here, beside the other printing helpers.
pub use crate::style::Style;

/// What a masked value prints as, and the test for a value with nothing to
/// hide: the library's.
pub use prefect_config::render::{MASK, is_blank};

/// Decides which values to mask, by the library's one sensitivity rule
/// ([`Config::is_sensitive`]): sensitive keys, and values built from them.
pub struct Masker<'a> {
    config: &'a Config,
    show: bool,
}

impl<'a> Masker<'a> {
    pub fn new(layers: &'a Layers, show: bool) -> Self {
        Masker {
            config: layers.config(),
            show,
        }
    }

    /// True when the value at the leaf `path` must be masked.
    pub fn hides(&self, path: &str) -> bool {
        !self.show && self.config.is_sensitive(path) && !self.config.get(path).is_some_and(is_blank)
    }

    /// How `key` got its value, redacted by the library unless secrets are
    /// shown (a reference name read out of a secret is masked too).
    pub fn explain(&self, key: &str) -> Option<Explanation> {
        let why = self.config.explain(key)?;
        Some(if self.show { why } else { why.redacted() })
    }

    /// `value`, the subtree at `path` or a view of it, with what is
    /// sensitive masked, whole or part by part, by the library's renderer
    /// ([`Config::mask_view`]).
    pub fn masked(&self, path: &str, value: &Value) -> Value {
        if self.show {
            return value.clone();
        }
        self.config.mask_view(path, value)
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

/// The short label of a source, on one line, from the library's renderer:
/// a label can never end a comment in `env` output nor drive the terminal.
pub use prefect_config::render::source_label;

/// The source of the value at `key`, and of each value its `${...}`
/// references read (`defaults, ${backend} from PREFECT__BACKEND`), as the
/// load recorded them.
pub fn provenance_label(masker: &Masker, key: &str, source: &Source) -> String {
    let mut label = source_label(source);
    if let Some(why) = masker.explain(key) {
        for step in why.steps() {
            if let (Some(reference), Some(from)) = (&step.reference, &step.source) {
                // A reference name is read from a file: one line, escaped.
                label.push_str(&format!(
                    ", ${{{}}} from {}",
                    terminal(reference),
                    source_label(from)
                ));
            }
        }
    }
    label
}

/// Each `${...}` reference the value at `key` read, with its source, as JSON.
pub fn references_json(masker: &Masker, key: &str) -> Value {
    let steps = masker
        .explain(key)
        .map(|why| why.steps().to_vec())
        .unwrap_or_default();
    Value::Array(
        steps
            .iter()
            .filter_map(|step| {
                let reference = step.reference.as_ref()?;
                let source = step.source.as_ref()?;
                Some(serde_json::json!({"key": reference, "source": source}))
            })
            .collect(),
    )
}

/// A value on one line, from the library's renderer (compact JSON, null as
/// `None`, escaped for a terminal).
pub use prefect_config::render::inline;

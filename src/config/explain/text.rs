//! The text of an [`Explanation`]: its `Display`, and that of
//! [`ExposedExplanation`]; the `prefect-config explain` output.
//!
//! Every value goes through the renderer: an `Explanation` prints its
//! [redacted](Explanation::redacted) copy, so `Display` never shows a
//! secret; keys, labels and values are escaped for a terminal and each stays
//! on one line.

use std::fmt::{self, Write};

use serde_json::Value;

use crate::config::explain::{Explanation, ExposedExplanation};
use crate::config::{Config, Source, Step};
use crate::render::{inline, source_label as label, terminal};

/// A leaf of a table explained: its key, value (in the clear and masked)
/// and source, for the table's text.
#[derive(Clone)]
pub(super) struct LeafLine {
    pub(super) key: String,
    pub(super) value: Value,
    pub(super) masked: Value,
    pub(super) source: Source,
}

/// Each leaf under the table at `key` (the whole tree for `""`).
pub(super) fn leaves(config: &Config, key: &str) -> Vec<LeafLine> {
    let prefix = format!("{key}.");
    config
        .leaves()
        .filter(|(leaf, _, _)| key.is_empty() || leaf.starts_with(&prefix))
        .map(|(leaf, value, source)| LeafLine {
            masked: config
                .get_masked(&leaf)
                .unwrap_or_else(|| config.mask_view(&leaf, value)),
            key: leaf,
            value: value.clone(),
            source: source.clone(),
        })
        .collect()
}

/// For each step, the value its reference read, in the clear and masked.
pub(super) fn referenced(config: &Config, steps: &[Step]) -> Vec<Option<(Value, Value)>> {
    steps
        .iter()
        .map(|step| {
            let key = step.reference.as_deref()?;
            Some((config.get(key)?.clone(), config.get_masked(key)?))
        })
        .collect()
}

/// The text `prefect-config explain` prints: the key, every layer that set
/// it (lowest first, the winner marked `<- wins`), each step to the final
/// value, and the value with its source; for a table, each leaf with its
/// value and source. Secret values print as `********` (this is the
/// [redacted](Explanation::redacted) view); print
/// [`expose_secrets`](Explanation::expose_secrets) to show them.
///
/// ```
/// use prefect_config::config::Loader;
/// let cfg = Loader::new()
///     .defaults_toml("[server]\nhost = 'h'\nport = '4200'\npassword = 'pw-7'")
///     .env_prefix("PREFECT")
///     .env_vars([("PREFECT__SERVER__PORT", "8080")])
///     .load()?;
/// let port = cfg.explain("server.port").unwrap().to_string();
/// assert!(port.contains("2. PREFECT__SERVER__PORT  \"8080\"  <- wins"), "{port}");
/// assert!(port.contains("value: 8080  (from environment variable `PREFECT__SERVER__PORT`)"));
/// let table = cfg.explain("server").unwrap();
/// let text = table.to_string();
/// assert!(text.contains("server.host = \"h\"  (defaults)"), "{text}");
/// assert!(text.contains("server.password = \"********\"") && !text.contains("pw-7"));
/// assert!(table.expose_secrets().to_string().contains("pw-7"));
/// # Ok::<(), prefect_config::config::ConfigError>(())
/// ```
impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&render(&self.redacted()))
    }
}

/// The [`Explanation`]'s text with every value in the clear, secrets
/// included (see [`Explanation::expose_secrets`]).
impl fmt::Display for ExposedExplanation<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&render(self.0))
    }
}

/// The text of `why` with its values as they are (masked or not, as this
/// copy is). Writing to a `String` cannot fail.
fn render(why: &Explanation) -> String {
    let mut out = String::new();
    let _ = write_text(&mut out, why);
    out
}

fn write_text(out: &mut String, why: &Explanation) -> fmt::Result {
    writeln!(out, "{}", terminal(why.key()))?;
    if why.value().is_object() && why.layers().is_empty() {
        writeln!(
            out,
            "  a table, last defined by {}; its values:",
            why.source()
        )?;
        for leaf in &why.leaves {
            writeln!(
                out,
                "    {} = {}  ({})",
                terminal(&leaf.key),
                inline(&leaf.value),
                label(&leaf.source)
            )?;
        }
        return Ok(());
    }
    writeln!(out, "  layers, lowest first:")?;
    let count = why.layers().len();
    for (i, layer) in why.layers().iter().enumerate() {
        let wins = i + 1 == count && &layer.source == why.source();
        let mark = if wins { "  <- wins" } else { "" };
        writeln!(
            out,
            "    {}. {}  {}{mark}",
            i + 1,
            label(&layer.source),
            inline(&layer.raw)
        )?;
    }
    if count == 0 || why.layers().last().map(|l| &l.source) != Some(why.source()) {
        writeln!(out, "    set by {}  <- wins", label(why.source()))?;
    }
    if !why.steps().is_empty() {
        writeln!(out, "  steps:")?;
        if let Some(first) = why.layers().last() {
            writeln!(out, "       {}", inline(&first.raw))?;
        }
        for (i, step) in why.steps().iter().enumerate() {
            let what = match (&step.reference, &step.source) {
                (Some(r), Some(source)) => {
                    let value = why
                        .referenced
                        .get(i)
                        .and_then(Option::as_ref)
                        .map_or_else(String::new, |(v, _)| format!(" = {}", inline(v)));
                    format!("${{{}}}{value}, from {}", terminal(r), label(source))
                }
                (Some(r), None) => format!("${{{}}}: no such value", terminal(r)),
                (None, _) => step.kind.name().replace('_', " "),
            };
            writeln!(out, "    -> {}  ({what})", inline(&step.value))?;
        }
    }
    if why.folded_steps() > 0 {
        writeln!(
            out,
            "       ({} more references folded into the last step)",
            why.folded_steps()
        )?;
    }
    writeln!(
        out,
        "  value: {}  (from {})",
        inline(why.value()),
        why.source()
    )
}

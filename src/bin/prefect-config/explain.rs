//! `explain`: every layer that set a key, the steps to its value, the winner,
//! as the load recorded them; masked by the library unless `--show-secrets`.

use prefect_config::Value;
use prefect_config::config::Layers;

use crate::cli::ExplainArgs;
use crate::output::{Masker, Style};
use crate::render::json_text;
use crate::{Failure, missing_key};

pub fn run(layers: &Layers, args: &ExplainArgs, prefix: &str) -> Result<(), Failure> {
    let config = layers.config();
    let key = crate::keys::typed(&args.key, prefix);
    let why = layers
        .explain(&key)
        .ok_or_else(|| missing_key(config, &key))?;
    let masker = Masker::new(layers, args.show_secrets);
    let why = if args.show_secrets {
        why
    } else {
        why.redacted()
    };
    // What each reference step read: its value (masked like any other) and source.
    let referenced = |step_reference: &Option<String>| -> Option<Value> {
        let key = step_reference.as_deref()?;
        let value = config.get(key)?;
        Some(masker.masked(key, value))
    };

    if args.format.is_json() {
        // The library's JSON of the explanation (masked unless secrets are
        // shown), with what each reference read beside its name.
        let out = if args.show_secrets {
            serde_json::to_value(why.expose_secrets())
        } else {
            serde_json::to_value(&why)
        };
        let mut out = out.map_err(|e| e.to_string())?;
        if let Some(steps) = out.get_mut("steps").and_then(Value::as_array_mut) {
            for (json, step) in steps.iter_mut().zip(why.steps()) {
                if let Some(map) = json.as_object_mut() {
                    let at = map.len().min(3);
                    let value = referenced(&step.reference).unwrap_or(Value::Null);
                    map.shift_insert(at, "referenced_value".into(), value);
                }
            }
        }
        return crate::stdout::print(&crate::stdout::shown(&json_text(&out)?));
    }
    // The library's text (its `Display` masks; `expose_secrets` shows).
    let text = if args.show_secrets {
        why.expose_secrets().to_string()
    } else {
        why.to_string()
    };
    crate::stdout::print(&coloured(&text, Style::for_stdout()))
}

/// The explanation's text with colour on a terminal: the key, the winning
/// layer's mark, and the parenthesised notes dimmed. The text is escaped
/// already (control characters are written out), so only these escapes
/// reach the terminal.
fn coloured(text: &str, style: Style) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.lines().enumerate() {
        if i == 0 {
            out.push_str(&style.key(line));
        } else if let Some(rest) = line.strip_suffix("<- wins") {
            out.push_str(rest);
            out.push_str(&style.good("<- wins"));
        } else if let Some(at) = note_start(line) {
            out.push_str(&line[..at]);
            out.push_str(&style.dim(&line[at..]));
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// Where the closing `(...)` note of a line starts: the `  (` whose
/// parenthesis the line's last `)` closes.
fn note_start(line: &str) -> Option<usize> {
    let body = line.strip_suffix(')')?;
    let mut depth = 1usize;
    for (at, c) in body.char_indices().rev() {
        match c {
            ')' => depth += 1,
            '(' => {
                depth -= 1;
                if depth == 0 {
                    return line[..at].ends_with("  ").then_some(at);
                }
            }
            _ => {}
        }
    }
    None
}

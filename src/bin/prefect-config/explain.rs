//! `explain`: every layer that set a key, the steps to its value, the winner,
//! as the load recorded them; masked by the library unless `--show-secrets`.

use prefect_config::Value;
use prefect_config::config::{Explanation, Layers};
use prefect_config::render::terminal;

use crate::cli::ExplainArgs;
use crate::output::{Masker, Style, inline, source_label};
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
    crate::stdout::print(&text(&why, Style::for_stdout(), &referenced))
}

fn text(
    why: &Explanation,
    style: Style,
    referenced: &dyn Fn(&Option<String>) -> Option<Value>,
) -> String {
    let mut out = format!("{}\n", style.key(&terminal(why.key())));
    if why.value().is_object() && why.layers().is_empty() {
        out.push_str(&format!(
            "  a table; value: {}  {}\n",
            inline(why.value()),
            style.dim(&format!("(last defined by {})", why.source()))
        ));
        return out;
    }
    out.push_str("  layers, lowest first:\n");
    let count = why.layers().len();
    for (i, layer) in why.layers().iter().enumerate() {
        let wins = i + 1 == count && &layer.source == why.source();
        let mark = if wins {
            style.good("  <- wins")
        } else {
            String::new()
        };
        out.push_str(&format!(
            "    {}. {}  {}{mark}\n",
            i + 1,
            source_label(&layer.source),
            inline(&layer.raw)
        ));
    }
    if count == 0 || why.layers().last().map(|l| &l.source) != Some(why.source()) {
        out.push_str(&format!(
            "    set by {}  {}\n",
            source_label(why.source()),
            style.good("<- wins")
        ));
    }
    if !why.steps().is_empty() {
        out.push_str("  steps:\n");
        if let Some(first) = why.layers().last() {
            out.push_str(&format!("       {}\n", inline(&first.raw)));
        }
        for step in why.steps() {
            let what = match (&step.reference, &step.source) {
                (Some(r), Some(source)) => {
                    let value = referenced(&step.reference)
                        .map_or_else(String::new, |v| format!(" = {}", inline(&v)));
                    format!("${{{}}}{value}, from {}", terminal(r), source_label(source))
                }
                (Some(r), None) => format!("${{{}}}: no such value", terminal(r)),
                (None, _) => step.kind.name().replace('_', " "),
            };
            out.push_str(&format!(
                "    -> {}  {}\n",
                inline(&step.value),
                style.dim(&format!("({what})"))
            ));
        }
    }
    if why.folded_steps() > 0 {
        out.push_str(&format!(
            "       {}\n",
            style.dim(&format!(
                "({} more references folded into the last step)",
                why.folded_steps()
            ))
        ));
    }
    out.push_str(&format!(
        "  value: {}  {}\n",
        inline(why.value()),
        style.dim(&format!("(from {})", why.source()))
    ));
    out
}

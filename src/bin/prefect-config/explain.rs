//! `explain`: every layer that set a key, the steps to its value, the winner.

use prefect_config::Value;
use prefect_config::config::{Layers, StepKind};

use crate::cli::ExplainArgs;
use crate::output::{MASK, Masker, Style, inline, is_secret_key, source_json, source_label};
use crate::render::json_text;
use crate::{Failure, missing_key};

pub fn run(layers: &Layers, args: &ExplainArgs) -> Result<(), Failure> {
    let config = layers.config();
    let why = layers
        .explain(&args.key)
        .ok_or_else(|| missing_key(config, &args.key))?;
    let masker = Masker::new(layers, args.show_secrets);
    let key = why.key();
    // A secret key hides everything; a value built from a secret hides the
    // steps from the first secret reference on.
    let all_hidden = !masker.showing() && is_secret_key(key);
    let shown = |value: &Value| -> Value {
        if all_hidden && !is_blank(value) {
            Value::String(MASK.into())
        } else {
            masker.masked(key, value)
        }
    };
    let mut hiding = all_hidden;
    let steps: Vec<(String, Value, Option<String>)> = why
        .steps()
        .iter()
        .map(|step| {
            if let Some(reference) = &step.reference {
                hiding |= masker.hides(reference);
            }
            let kind = match step.kind {
                StepKind::ExpandEnv => "expand_env",
                StepKind::Cast => "cast",
                StepKind::Reference => "reference",
                _ => "other",
            };
            let value = if hiding {
                Value::String(MASK.into())
            } else {
                step.value.clone()
            };
            (kind.to_owned(), value, step.reference.clone())
        })
        .collect();
    let final_value = if hiding || masker.hides(key) {
        shown(&Value::String(MASK.into()))
    } else {
        shown(why.value())
    };
    let raw_of = |value: &Value| {
        if all_hidden {
            shown(value)
        } else {
            value.clone()
        }
    };

    if args.json {
        let layers_json: Vec<Value> = why
            .layers()
            .iter()
            .map(|layer| serde_json::json!({"source": source_json(&layer.source), "raw": raw_of(&layer.raw)}))
            .collect();
        let steps_json: Vec<Value> = steps
            .iter()
            .map(|(kind, value, reference)| serde_json::json!({"step": kind, "value": value, "reference": reference}))
            .collect();
        let out = serde_json::json!({
            "key": key,
            "layers": layers_json,
            "steps": steps_json,
            "value": final_value,
            "source": source_json(why.source()),
        });
        print!("{}", json_text(&out)?);
        return Ok(());
    }

    let style = Style::for_stdout();
    let mut out = format!("{}\n", style.key(key));
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
            inline(&raw_of(&layer.raw))
        ));
    }
    if count == 0 || why.layers().last().map(|l| &l.source) != Some(why.source()) {
        out.push_str(&format!(
            "    set by {}  {}\n",
            source_label(why.source()),
            style.good("<- wins")
        ));
    }
    if !steps.is_empty() {
        out.push_str("  steps:\n");
        if let Some(first) = why.layers().last() {
            out.push_str(&format!("       {}\n", inline(&raw_of(&first.raw))));
        }
        for (kind, value, reference) in &steps {
            let what = match reference {
                Some(r) => format!("${{{r}}}"),
                None => kind.replace('_', " "),
            };
            out.push_str(&format!(
                "    -> {}  {}\n",
                inline(value),
                style.dim(&format!("({what})"))
            ));
        }
    }
    out.push_str(&format!(
        "  value: {}  {}\n",
        inline(&final_value),
        style.dim(&format!("(from {})", why.source()))
    ));
    print!("{out}");
    Ok(())
}

fn is_blank(value: &Value) -> bool {
    value.is_null() || value.as_str().is_some_and(str::is_empty)
}

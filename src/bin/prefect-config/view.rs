//! `view`: the effective configuration, or a subtree, with optional sources.

use prefect_config::Value;
use prefect_config::config::Layers;

use crate::cli::{Format, ViewArgs};
use crate::output::{Masker, Style, inline, join, provenance_label, references_json};
use crate::render::{is_shell_name, json_text, shell_quote, toml_text};
use crate::{Failure, missing_key};

pub fn run(layers: &Layers, args: &ViewArgs, prefix: &str) -> Result<(), Failure> {
    let config = layers.config();
    let path = args.path.as_deref().unwrap_or("");
    let value = config.get(path).ok_or_else(|| missing_key(config, path))?;
    let masker = Masker::new(layers, args.show_secrets);
    let style = Style::for_stdout();
    let leaves = leaves_under(layers, path, value);
    let text = match (args.format, args.show_sources) {
        (Format::Json, false) => json_text(&masker.masked(path, value))?,
        (Format::Json, true) => {
            let items: Vec<Value> = leaves
                .iter()
                .map(|(key, value)| {
                    let mut item = serde_json::Map::new();
                    item.insert("key".into(), key.clone().into());
                    item.insert("value".into(), masker.masked(key, value));
                    let source = serde_json::to_value(config.source_of(key));
                    item.insert("source".into(), source.unwrap_or(Value::Null));
                    let references = references_json(&masker, key);
                    if references.as_array().is_some_and(|r| !r.is_empty()) {
                        item.insert("references".into(), references);
                    }
                    Value::Object(item)
                })
                .collect();
            json_text(&Value::Array(items))?
        }
        (Format::Toml, false) => toml_text(&masker.masked(path, value))?,
        (Format::Toml, true) => toml_with_sources(layers, &masker, path, value, style)?,
        (Format::Env, with_sources) => {
            let mut out = String::new();
            // As `env`: a sensitive variable is left out, not given a mask as
            // its value (which `eval` would then set).
            let (hidden, shown): (Vec<_>, Vec<_>) =
                leaves.iter().partition(|(key, _)| masker.hides(key));
            let include: Vec<&str> = shown.iter().map(|(k, _)| k.as_str()).collect();
            let vars = config.to_environment_variables(Some(&include), prefix);
            for (key, _) in shown {
                let Some(name) = env_name(config, key, prefix, &vars) else {
                    continue;
                };
                if !is_shell_name(&name) {
                    continue;
                }
                out.push_str(&format!("export {name}={}", shell_quote(&vars[&name])));
                if with_sources {
                    if let Some(source) = config.source_of(key) {
                        let label = provenance_label(&masker, key, source);
                        out.push_str(&style.dim(&format!("  # {label}")));
                    }
                }
                out.push('\n');
            }
            crate::env::note_hidden(hidden.len());
            out
        }
    };
    print!("{text}");
    Ok(())
}

/// The variable name `to_environment_variables` gave the leaf `key`.
fn env_name(
    config: &prefect_config::config::Config,
    key: &str,
    prefix: &str,
    vars: &std::collections::BTreeMap<String, String>,
) -> Option<String> {
    let one = config.to_environment_variables(Some(&[key]), prefix);
    one.into_keys()
        .next()
        .filter(|name| vars.contains_key(name))
}

/// The leaves at or below `path`, in tree order.
pub fn leaves_under(layers: &Layers, path: &str, value: &Value) -> Vec<(String, Value)> {
    if !value.is_object() {
        return vec![(path.to_owned(), value.clone())];
    }
    let prefix = join(path, "");
    layers
        .config()
        .leaves()
        .filter(|(key, _, _)| path.is_empty() || key.starts_with(&prefix))
        .map(|(key, value, _)| (key, value.clone()))
        .collect()
}

/// TOML with `# source` beside each value; tables still print as tables.
fn toml_with_sources(
    layers: &Layers,
    masker: &Masker,
    path: &str,
    value: &Value,
    style: Style,
) -> Result<String, String> {
    let config = layers.config();
    if !value.is_object() {
        let shown = masker.masked(path, value);
        let label = config
            .source_of(path)
            .map(|source| provenance_label(masker, path, source))
            .unwrap_or_default();
        return Ok(format!(
            "{}  {}\n",
            inline(&shown),
            style.dim(&format!("# {label}"))
        ));
    }
    let text = toml_text(&masker.masked(path, value))?;
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| e.message().to_owned())?;
    let base = join(path, "");
    for (key, _, source) in config.leaves() {
        let Some(rel) = key
            .strip_prefix(&base)
            .or(path.is_empty().then_some(key.as_str()))
        else {
            continue;
        };
        let mut item: Option<&mut toml_edit::Item> = None;
        for part in rel.split('.') {
            item = match item {
                None => doc.get_mut(part),
                Some(parent) => parent.get_mut(part),
            };
            if item.is_none() {
                break;
            }
        }
        if let Some(value) = item.and_then(toml_edit::Item::as_value_mut) {
            value
                .decor_mut()
                .set_suffix(format!("  # {}", provenance_label(masker, &key, source)));
        }
    }
    let rendered = doc.to_string();
    if style_is_plain(style) {
        return Ok(rendered);
    }
    // Dim the source comments on a terminal.
    Ok(rendered
        .lines()
        .map(|line| match line.rfind("  # ") {
            Some(at) if !line.starts_with('[') => {
                format!("{}{}\n", &line[..at], style.dim(&line[at..]))
            }
            _ => format!("{line}\n"),
        })
        .collect())
}

fn style_is_plain(style: Style) -> bool {
    style.dim("x") == "x"
}

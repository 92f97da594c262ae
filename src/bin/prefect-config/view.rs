//! `view`: the effective configuration, or a subtree, with optional sources.

use std::path::Path;

use prefect_config::Value;
use prefect_config::config::Layers;

use crate::changed::Defaults;
use crate::cli::{Format, ViewArgs};
use crate::keys;
use crate::output::{Masker, Style, join, provenance_label, references_json};
use crate::render::{json_text, toml_text};
use crate::{Failure, missing_key};

pub fn run(
    layers: &Layers,
    args: &ViewArgs,
    prefix: &str,
    defaults_file: Option<&Path>,
) -> Result<(), Failure> {
    let config = layers.config();
    let path = keys::typed(args.path.as_deref().unwrap_or(""), prefix);
    let path = path.as_str();
    let value = config.get(path).ok_or_else(|| missing_key(config, path))?;
    let masker = Masker::new(layers, args.show_secrets);
    let style = Style::for_stdout();
    let mut leaves = leaves_under(layers, path, value);
    // `--show-defaults` compares, so it shows only what changed too.
    let defaults = if args.changed || args.show_defaults {
        Some(Defaults::load(defaults_file, config.prefect_version())?)
    } else {
        None
    };
    let value = match &defaults {
        Some(defaults) => {
            leaves.retain(|(key, _)| defaults.is_changed(config, key));
            if leaves.is_empty() {
                crate::style::note(format_args!(
                    "no value{} differs from the defaults",
                    if path.is_empty() {
                        String::new()
                    } else {
                        format!(" under `{path}`")
                    }
                ));
            }
            defaults.changed_only(config, path, value)
        }
        None => Some(value.clone()),
    };
    // The comment beside each value: its source, its default, or both.
    let label = |key: &str| -> Option<String> {
        let mut parts = Vec::new();
        if args.show_sources {
            if let Some(source) = config.source_of(key) {
                parts.push(provenance_label(&masker, key, source));
            }
        }
        if let Some(defaults) = &defaults.as_ref().filter(|_| args.show_defaults) {
            parts.push(defaults.label(config, key, args.show_secrets));
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    };
    let annotated = args.show_sources || args.show_defaults;
    let text = match args.format {
        Format::Json if !annotated => {
            let shown = value.map_or_else(
                || Value::Object(Default::default()),
                |v| masker.masked(path, &v),
            );
            crate::stdout::shown(&json_text(&shown)?).into_owned()
        }
        Format::Json => {
            let items: Vec<Value> = leaves
                .iter()
                .map(|(key, value)| {
                    let mut item = serde_json::Map::new();
                    item.insert("key".into(), key.clone().into());
                    item.insert("value".into(), masker.masked(key, value));
                    if args.show_sources {
                        let source = serde_json::to_value(config.source_of(key));
                        item.insert("source".into(), source.unwrap_or(Value::Null));
                        let references = references_json(&masker, key);
                        if references.as_array().is_some_and(|r| !r.is_empty()) {
                            item.insert("references".into(), references);
                        }
                    }
                    if let Some(defaults) = defaults.as_ref().filter(|_| args.show_defaults) {
                        // Left out when the defaults have no such key (a
                        // default of `null` is shown as such).
                        if let Some(default) = defaults.value(config, key, args.show_secrets) {
                            item.insert("default".into(), default);
                        }
                    }
                    Value::Object(item)
                })
                .collect();
            crate::stdout::shown(&json_text(&Value::Array(items))?).into_owned()
        }
        // A path into an array (`labels.0`) has no table path to print it
        // under: the element prints as it is, a table as its keys.
        Format::Toml if into_array(config, path) => {
            let element = value.map_or(Value::Null, |v| masker.masked(path, &v));
            let text = toml_text(&element)?;
            match label(path).filter(|_| annotated) {
                Some(label) => element_annotated(&text, element.is_object(), &label, style)?,
                None => crate::stdout::shown(&text).into_owned(),
            }
        }
        Format::Toml => {
            // Full table paths (`[server.database]`), so that a subtree can be
            // pasted into a config file as it is.
            let tree = value.map_or_else(
                || Value::Object(Default::default()),
                |v| wrap(path, masker.masked(path, &v)),
            );
            if annotated {
                toml_annotated(&tree, &leaves, &label, style)?
            } else {
                crate::stdout::shown(&toml_text(&tree)?).into_owned()
            }
        }
        Format::Env => {
            // As `env`: a sensitive variable is left out, not given a mask as
            // its value (which `eval` would then set).
            let (hidden, shown): (Vec<_>, Vec<_>) =
                leaves.iter().partition(|(key, _)| masker.hides(key));
            let shown: Vec<(&str, &Value)> = shown.iter().map(|(k, v)| (k.as_str(), v)).collect();
            let suffix = |key: &str| label(key).map(|l| style.dim(&format!("  # {l}")));
            let (out, left_out) = crate::env::exports(config, &shown, prefix, &suffix);
            crate::env::note_hidden(hidden.len());
            crate::env::warn_left_out(&left_out);
            out
        }
    };
    crate::stdout::print(&text)
}

/// `value` nested under the tables of `path` (`server.database` gives
/// `{"server": {"database": value}}`).
pub fn wrap(path: &str, value: Value) -> Value {
    path.rsplit('.')
        .filter(|part| !part.is_empty())
        .fold(value, |inner, part| {
            let mut table = serde_json::Map::new();
            table.insert(part.to_owned(), inner);
            Value::Object(table)
        })
}

/// True when `path` goes through an array (`labels.0`, `dbs.0.host`).
fn into_array(config: &prefect_config::config::Config, path: &str) -> bool {
    path.match_indices('.')
        .any(|(at, _)| config.get(&path[..at]).is_some_and(Value::is_array))
}

/// `text` (the TOML of an element) with `# label` beside its value, or
/// beside each value of a table: they all come from the array's source.
fn element_annotated(text: &str, table: bool, label: &str, style: Style) -> Result<String, String> {
    let comment = format!("  # {label}");
    if !table {
        return Ok(dim_comments(
            &format!("{}{comment}\n", text.trim_end()),
            style,
        ));
    }
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| e.message().to_owned())?;
    for (_, item) in doc.iter_mut() {
        label_values(item, &comment);
    }
    Ok(dim_comments(&doc.to_string(), style))
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

/// TOML of `tree` (the whole configuration's shape, from the root) with
/// `# label` beside each of `leaves`; tables still print as tables.
fn toml_annotated(
    tree: &Value,
    leaves: &[(String, Value)],
    label: &dyn Fn(&str) -> Option<String>,
    style: Style,
) -> Result<String, String> {
    let text = toml_text(tree)?;
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| e.message().to_owned())?;
    for (key, _) in leaves {
        let mut item: Option<&mut toml_edit::Item> = None;
        for part in key.split('.') {
            item = match item {
                None => doc.get_mut(part),
                Some(parent) => parent.get_mut(part),
            };
            if item.is_none() {
                break;
            }
        }
        if let (Some(item), Some(label)) = (item, label(key)) {
            label_values(item, &format!("  # {label}"));
        }
    }
    Ok(dim_comments(&doc.to_string(), style))
}

/// `text` escaped for a terminal, then (on one) its `# label` comments dimmed.
fn dim_comments(text: &str, style: Style) -> String {
    let rendered = crate::stdout::shown(text).into_owned();
    if style_is_plain(style) {
        return rendered;
    }
    rendered
        .lines()
        .map(|line| match line.rfind("  # ") {
            Some(at) if !line.starts_with('[') => {
                format!("{}{}\n", &line[..at], style.dim(&line[at..]))
            }
            _ => format!("{line}\n"),
        })
        .collect()
}

/// Puts `comment` beside `item`, or beside each value inside it: a leaf
/// whose value is a table (a secret cast from JSON text, say) prints as
/// tables and keys, and each of them came from the leaf's source.
fn label_values(item: &mut toml_edit::Item, comment: &str) {
    match item {
        toml_edit::Item::Value(value) => value.decor_mut().set_suffix(comment),
        toml_edit::Item::Table(table) => {
            for (_, child) in table.iter_mut() {
                label_values(child, comment);
            }
        }
        toml_edit::Item::ArrayOfTables(tables) => {
            for table in tables.iter_mut() {
                for (_, child) in table.iter_mut() {
                    label_values(child, comment);
                }
            }
        }
        toml_edit::Item::None => {}
    }
}

fn style_is_plain(style: Style) -> bool {
    style.dim("x") == "x"
}

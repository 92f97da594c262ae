//! `sources`: the layers in order, with paths and whether each was found,
//! and, for a file that was found but does not load, the line of its first
//! error (the library's [`Loader::check`]).

use std::path::Path;

use prefect_config::config::{Input, Loader, Location};
use prefect_config::render::terminal;

use crate::Failure;
use crate::cli::SourcesArgs;
use crate::output::Style;
use crate::render::json_text;

pub fn run(loader: &Loader, args: &SourcesArgs, prefix: &str) -> Result<(), Failure> {
    let inputs = &loader.inputs();
    let broken = broken_lines(loader, inputs);
    if args.format.is_json() {
        let mut json = serde_json::to_value(inputs).map_err(|e| e.to_string())?;
        if let Some(items) = json.as_array_mut() {
            for (item, line) in items.iter_mut().zip(&broken) {
                if let (Some(map), Some(line)) = (item.as_object_mut(), line) {
                    map.insert("broken".into(), serde_json::json!({ "line": line }));
                }
            }
        }
        return crate::stdout::print(&crate::stdout::shown(&json_text(&json)?));
    }
    let style = Style::for_stdout();
    let rows: Vec<(String, String)> = inputs.iter().map(|input| row(input, prefix)).collect();
    // Widths of the plain text: escape codes are added after padding.
    let layer_width = inputs.iter().map(|i| i.layer.chars().count()).max();
    let layer_width = layer_width.unwrap_or(0).max(12);
    let number_width = inputs.len().to_string().len();
    let mut out = String::new();
    for (i, ((input, (place, status)), broken)) in inputs.iter().zip(rows).zip(&broken).enumerate()
    {
        let (paint, status): (fn(Style, &str) -> String, _) = match broken {
            Some(line) => (Style::bad, format!("broken: error at line {line}")),
            None if input.found => (Style::good, status),
            None => (Style::warn, status),
        };
        out.push_str(&format!(
            "{:>number_width$}. {} {place}  ({})\n",
            i + 1,
            style.padded(Style::key, input.layer, layer_width),
            paint(style, &status),
        ));
        for name in &input.env_vars {
            out.push_str(&format!("     {}\n", terminal(name)));
        }
    }
    crate::stdout::print(&out)
}

/// Where a layer is read from, and whether it was found (or how many
/// variables it holds).
fn row(input: &Input, prefix: &str) -> (String, String) {
    match (input.layer, &input.path) {
        ("env", _) => (
            format!("{prefix}__*"),
            format!(
                "{} variable{}",
                input.env_vars.len(),
                if input.env_vars.len() == 1 { "" } else { "s" }
            ),
        ),
        (_, None) => ("embedded".to_owned(), "found".to_owned()),
        (_, Some(path)) => (
            terminal(&path.display().to_string()).into_owned(),
            if input.found { "found" } else { "not found" }.to_owned(),
        ),
    }
}

/// For each input, the line of the first error located in its file, when
/// it was found and does not load (`None` for the others); a whole-file
/// error counts as line 1.
fn broken_lines(loader: &Loader, inputs: &[Input]) -> Vec<Option<usize>> {
    let diagnostics = loader.check();
    let first_error_in = |path: &Path| {
        diagnostics
            .iter()
            .filter(|d| d.is_error())
            .find_map(|d| match &d.at {
                Some(Location::File { path: at, line, .. }) if at == path => Some(*line),
                Some(Location::Path(at)) if at == path => Some(1),
                _ => None,
            })
    };
    inputs
        .iter()
        .map(|input| match (&input.path, input.layer) {
            (Some(path), "defaults" | "user" | "backend") if input.found => first_error_in(path),
            _ => None,
        })
        .collect()
}

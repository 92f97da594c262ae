//! `sources`: the layers in order, with paths and whether each was found.

use prefect_config::config::Input;
use prefect_config::render::terminal;

use crate::Failure;
use crate::cli::SourcesArgs;
use crate::output::Style;
use crate::render::json_text;

pub fn run(inputs: &[Input], args: &SourcesArgs, prefix: &str) -> Result<(), Failure> {
    if args.format.is_json() {
        let json = serde_json::to_value(inputs).map_err(|e| e.to_string())?;
        return crate::stdout::print(&crate::stdout::shown(&json_text(&json)?));
    }
    let style = Style::for_stdout();
    let rows: Vec<(String, String)> = inputs.iter().map(|input| row(input, prefix)).collect();
    // Widths of the plain text: escape codes are added after padding.
    let layer_width = inputs.iter().map(|i| i.layer.chars().count()).max();
    let layer_width = layer_width.unwrap_or(0).max(12);
    let number_width = inputs.len().to_string().len();
    let mut out = String::new();
    for (i, (input, (place, status))) in inputs.iter().zip(rows).enumerate() {
        let paint = if input.found {
            Style::good
        } else {
            Style::warn
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

//! `sources`: the layers in order, with paths and whether each was found.

use prefect_config::config::Input;

use crate::Failure;
use crate::cli::SourcesArgs;
use crate::output::Style;
use crate::render::json_text;

pub fn run(inputs: &[Input], args: &SourcesArgs, prefix: &str) -> Result<(), Failure> {
    if args.json {
        let json = serde_json::to_value(inputs).map_err(|e| e.to_string())?;
        print!("{}", json_text(&json)?);
        return Ok(());
    }
    let style = Style::for_stdout();
    let mut out = String::new();
    for (i, input) in inputs.iter().enumerate() {
        let (place, status) = match (input.layer, &input.path) {
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
                path.display().to_string(),
                if input.found { "found" } else { "not found" }.to_owned(),
            ),
        };
        let status = if input.found {
            style.good(&status)
        } else {
            style.warn(&status)
        };
        out.push_str(&format!(
            "{}. {:<12} {place}  ({status})\n",
            i + 1,
            style.key(input.layer)
        ));
        for name in &input.env_vars {
            out.push_str(&format!("     {name}\n"));
        }
    }
    print!("{out}");
    Ok(())
}

//! `get`: one value.

use prefect_config::Value;
use prefect_config::config::Layers;

use crate::cli::GetArgs;
use crate::output::Masker;
use crate::render::{json_text, toml_text};
use crate::{Failure, missing_key};

pub fn run(layers: &Layers, args: &GetArgs) -> Result<(), Failure> {
    let config = layers.config();
    let value = config
        .get(&args.key)
        .ok_or_else(|| missing_key(config, &args.key))?;
    let shown = Masker::new(layers, args.show_secrets).masked(&args.key, value);
    let text = if args.format.is_json() {
        json_text(&shown)?
    } else {
        match &shown {
            Value::String(s) => format!("{s}\n"),
            Value::Object(_) => toml_text(&shown)?,
            other => format!("{other}\n"),
        }
    };
    print!("{text}");
    Ok(())
}

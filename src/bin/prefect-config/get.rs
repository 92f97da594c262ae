//! `get`: one value.

use prefect_config::Value;
use prefect_config::config::Layers;

use crate::cli::GetArgs;
use crate::keys;
use crate::output::Masker;
use crate::render::{NULL, json_text, toml_text};
use crate::{Failure, missing_key};

pub fn run(layers: &Layers, args: &GetArgs, prefix: &str) -> Result<(), Failure> {
    let config = layers.config();
    let key = keys::typed(&args.key, prefix);
    let value = config.get(&key).ok_or_else(|| missing_key(config, &key))?;
    let shown = Masker::new(layers, args.show_secrets).masked(&key, value);
    let text = if args.format.is_json() {
        json_text(&shown)?
    } else {
        match &shown {
            // Exact for a script; escaped on a terminal.
            Value::String(s) => format!("{}\n", crate::stdout::shown(s)),
            // As everywhere outside JSON (see `render::NULL`).
            Value::Null => format!("{NULL}\n"),
            // Full table paths, as `view` prints them (`[server.database]`).
            Value::Object(_) => {
                crate::stdout::shown(&toml_text(&crate::view::wrap(&key, shown.clone()))?)
                    .into_owned()
            }
            other => format!("{other}\n"),
        }
    };
    crate::stdout::print(&text)
}

//! `init`: write the defaults to the user config file.

use std::path::Path;

use prefect_config::config::EMBEDDED_DEFAULTS;
use prefect_config::edit::{Change, ConfigFile};

use crate::Failure;
use crate::cli::InitArgs;
use crate::write;

pub fn run(file: &ConfigFile, defaults: Option<&Path>, args: &InitArgs) -> Result<(), Failure> {
    if file.path().exists() && !args.force {
        return Err(format!(
            "`{}` already exists; pass --force to replace it",
            file.path().display()
        )
        .into());
    }
    let text = match defaults {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?,
        None => EMBEDDED_DEFAULTS.to_owned(),
    };
    let edited = write::apply(file, &[Change::replace(text)])?;
    crate::style::status(format_args!("wrote `{}`", edited.file().display()));
    Ok(())
}

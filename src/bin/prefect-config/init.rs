//! `init`: write the defaults to the user config file.

use std::path::Path;

use prefect_config::config::EMBEDDED_DEFAULTS;

use crate::Failure;
use crate::cli::InitArgs;
use crate::write::write_atomic;

pub fn run(user_path: &Path, defaults: Option<&Path>, args: &InitArgs) -> Result<(), Failure> {
    if user_path.exists() && !args.force {
        return Err(format!(
            "`{}` already exists; pass --force to replace it",
            user_path.display()
        )
        .into());
    }
    let text = match defaults {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?,
        None => EMBEDDED_DEFAULTS.to_owned(),
    };
    write_atomic(user_path, &text)
        .map_err(|e| format!("cannot write `{}`: {e}", user_path.display()))?;
    eprintln!("prefect-config: wrote `{}`", user_path.display());
    Ok(())
}

//! `init`: write a short commented template to the user config file, or
//! with `--full` a copy of every default.

use std::path::Path;

use prefect_config::config::{Limits, PrefectVersion, read_file};
use prefect_config::edit::{Change, ConfigFile};

use crate::Failure;
use crate::cli::InitArgs;
use crate::write;

/// What `init` writes: the layers, where secrets go and three commented
/// examples, but no values, so that what the user sets stays visibly theirs.
pub const TEMPLATE: &str = include_str!("init_template.toml");

pub fn run(
    file: &ConfigFile,
    defaults: Option<&Path>,
    version: PrefectVersion,
    args: &InitArgs,
) -> Result<(), Failure> {
    if file.path().exists() && !args.force {
        return Err(format!(
            "`{}` already exists; pass --force to replace it",
            file.path().display()
        )
        .into());
    }
    let text = match (args.full, defaults) {
        (false, _) => TEMPLATE.to_owned(),
        // The library's one reader: a FIFO or `/dev/zero` given as
        // `--defaults` is refused rather than read forever.
        (true, Some(path)) => {
            read_file(path, &Limits::default()).map_err(|e| crate::with_causes(&e))?
        }
        (true, None) => version.embedded_defaults().to_owned(),
    };
    let edited = write::apply(file, &[Change::replace(text)])?;
    crate::style::status(format_args!("wrote `{}`", edited.file().display()));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_sets_nothing_and_its_examples_parse() {
        let empty: toml::Table = TEMPLATE.parse().expect("the template is TOML");
        assert!(empty.is_empty());
        let uncommented: String = TEMPLATE
            .lines()
            .filter_map(|line| line.strip_prefix("# "))
            .filter(|line| {
                line.starts_with('[')
                    || line
                        .split_once(" = ")
                        .is_some_and(|(k, _)| !k.contains(' '))
            })
            .map(|line| format!("{line}\n"))
            .collect();
        let examples: toml::Table = uncommented.parse().expect("the examples are TOML");
        assert_eq!(examples["server"]["port"].as_integer(), Some(8080));
        assert_eq!(examples["debug"].as_bool(), Some(true));
        assert!(
            examples["context"]["secrets"]
                .get("SLACK_WEBHOOK_URL")
                .is_some()
        );
    }
}

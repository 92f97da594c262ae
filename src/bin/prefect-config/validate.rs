//! `validate`: a printer of the library's [`Loader::check`]: every problem
//! in the configuration, located, errors in red and warnings in yellow.

use std::path::PathBuf;
use std::process::ExitCode;

use prefect_config::config::{Diagnostic, Loader, Problem};
use prefect_config::render::terminal_lines;

use crate::output::Style;
use crate::{Failure, with_causes};

/// Checks `files` (each as the user file over `base`), or with no files the
/// inputs `base` itself reads.
pub fn run(base: &Loader, files: &[PathBuf]) -> Result<ExitCode, Failure> {
    let style = Style::for_stdout();
    let loaders: Vec<Loader> = if files.is_empty() {
        vec![base.clone()]
    } else {
        files
            .iter()
            .map(|file| base.clone().user_file(file))
            .collect()
    };
    let (mut errors, mut warnings) = (0, 0);
    for loader in loaders {
        for diagnostic in loader.check() {
            if diagnostic.is_error() {
                errors += 1;
            } else {
                warnings += 1;
            }
            crate::stdout::print(&format!("{}\n", line(&diagnostic, style)))?;
        }
    }
    if errors == 0 && warnings == 0 {
        crate::style::status("no problems found");
    } else {
        crate::style::status(format_args!("{errors} error(s), {warnings} warning(s)"));
    }
    Ok(if errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn line(diagnostic: &Diagnostic, style: Style) -> String {
    let at = diagnostic
        .at
        .as_ref()
        .map_or_else(|| "prefect-config".to_owned(), ToString::to_string);
    // Escaped before styling, so that only the style's own escapes remain.
    let at = terminal_lines(&at);
    match &diagnostic.problem {
        Problem::Error(err) => format!(
            "{at}: {}: {}",
            style.bad("error"),
            terminal_lines(&with_causes(err))
        ),
        Problem::Warning(warning) => format!(
            "{at}: {}: {}",
            style.warn("warning"),
            terminal_lines(&warning.to_string())
        ),
        _ => terminal_lines(&format!("{at}: {diagnostic}")).into_owned(),
    }
}

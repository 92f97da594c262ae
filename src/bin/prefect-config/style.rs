//! Terminal conventions: when to colour (`--color`, `NO_COLOR`,
//! `CLICOLOR_FORCE`, a terminal), how to style text, and the messages on
//! stderr that `-q/--quiet` silences.
//!
//! The decision is anstream's ([`anstream::AutoStream::choice`]) under the
//! global choice [`init`] sets from `--color`; `auto` colours a terminal whose
//! `TERM` is not `dumb`, never with `NO_COLOR` set, always with
//! `CLICOLOR_FORCE` set. The escapes are anstyle's. Text that lines up in
//! columns is padded before it is styled ([`Style::padded`]), so escape codes
//! never count towards a width.

use std::fmt::Display;
use std::sync::atomic::{AtomicBool, Ordering};

use anstream::ColorChoice;
use anstyle::{AnsiColor, Effects};

use crate::cli::ColorWhen;

/// Set once by [`init`]: warnings, notes and status lines are left out.
static QUIET: AtomicBool = AtomicBool::new(false);

/// Sets the colour choice and quietness for the rest of the process.
pub fn init(color: ColorWhen, quiet: bool) {
    choice(color).write_global();
    QUIET.store(quiet, Ordering::Relaxed);
}

/// The `--color` value in the arguments, read before clap parses them so
/// that clap's own help and errors follow it too; `None` when not given.
pub fn color_in_args(args: &[std::ffi::OsString]) -> Option<ColorWhen> {
    use clap::ValueEnum;
    let mut found = None;
    let mut words = args.iter().skip(1).map(|a| a.to_string_lossy());
    while let Some(word) = words.next() {
        if word == "--" {
            break;
        }
        let value = match word.strip_prefix("--color") {
            Some("") => words.next().map(|v| v.into_owned()),
            Some(rest) => match rest.strip_prefix('=') {
                Some(value) => Some(value.to_owned()),
                None => continue,
            },
            None => continue,
        };
        // An invalid value is clap's to report, after parsing.
        if let Some(when) = value.and_then(|v| ColorWhen::from_str(&v, false).ok()) {
            found = Some(when);
        }
    }
    found
}

fn choice(color: ColorWhen) -> ColorChoice {
    match color {
        ColorWhen::Auto => ColorChoice::Auto,
        ColorWhen::Always => ColorChoice::Always,
        ColorWhen::Never => ColorChoice::Never,
    }
}

fn quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// ANSI styling for one stream, on when anstream's choice for it says so.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    color: bool,
}

impl Style {
    /// Styling for standard output.
    pub fn for_stdout() -> Style {
        Style {
            color: anstream::AutoStream::choice(&std::io::stdout()) != ColorChoice::Never,
        }
    }

    /// Styling for standard error.
    pub fn for_stderr() -> Style {
        Style {
            color: anstream::AutoStream::choice(&std::io::stderr()) != ColorChoice::Never,
        }
    }

    fn paint(self, style: anstyle::Style, text: &str) -> String {
        if self.color {
            format!("{style}{text}{style:#}")
        } else {
            text.to_owned()
        }
    }

    /// `text` padded with spaces to `width` characters, then styled by
    /// `how`: a column that lines up whether or not it is coloured.
    pub fn padded(self, how: fn(Style, &str) -> String, text: &str, width: usize) -> String {
        let pad = width.saturating_sub(text.chars().count());
        format!("{}{}", how(self, text), " ".repeat(pad))
    }

    /// Bold: keys and layer names.
    pub fn key(self, text: &str) -> String {
        self.paint(anstyle::Style::new().effects(Effects::BOLD), text)
    }

    /// Dimmed: source labels and asides.
    pub fn dim(self, text: &str) -> String {
        self.paint(anstyle::Style::new().effects(Effects::DIMMED), text)
    }

    /// Green: found, the winning layer.
    pub fn good(self, text: &str) -> String {
        self.paint(AnsiColor::Green.on_default(), text)
    }

    /// Bold red: errors.
    pub fn bad(self, text: &str) -> String {
        self.paint(AnsiColor::Red.on_default().effects(Effects::BOLD), text)
    }

    /// Bold yellow: warnings, what was not found.
    pub fn warn(self, text: &str) -> String {
        self.paint(AnsiColor::Yellow.on_default().effects(Effects::BOLD), text)
    }

    /// Bold cyan: notes.
    pub fn note(self, text: &str) -> String {
        self.paint(AnsiColor::Cyan.on_default().effects(Effects::BOLD), text)
    }
}

/// `prefect-config: error: MESSAGE` on stderr; never silenced.
pub fn error(message: impl Display) {
    let style = Style::for_stderr();
    to_stderr(&style.bad("error"), message);
}

/// `prefect-config: warning: MESSAGE` on stderr, unless `--quiet`.
pub fn warning(message: impl Display) {
    if !quiet() {
        let style = Style::for_stderr();
        to_stderr(&style.warn("warning"), message);
    }
}

/// `prefect-config: note: MESSAGE` on stderr, unless `--quiet`.
pub fn note(message: impl Display) {
    if !quiet() {
        let style = Style::for_stderr();
        to_stderr(&style.note("note"), message);
    }
}

/// `prefect-config: MESSAGE` (what a command did) on stderr, unless `--quiet`.
pub fn status(message: impl Display) {
    if !quiet() {
        to_stderr("", message);
    }
}

/// The one way to stderr: `prefect-config: KIND: MESSAGE`, the message with
/// what a terminal would act on escaped (a key, a reference or a file name
/// in it may come from a hostile file), newlines kept for multi-line parser
/// messages. A stderr that cannot be written is ignored: there is nowhere
/// left to say so, and `eprintln!` would panic.
fn to_stderr(kind: &str, message: impl Display) {
    use std::io::Write;
    let message = message.to_string();
    let message = prefect_config::render::terminal_lines(&message);
    let line = if kind.is_empty() {
        format!("prefect-config: {message}\n")
    } else {
        format!("prefect-config: {kind}: {message}\n")
    };
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(words: &[&str]) -> Vec<std::ffi::OsString> {
        words.iter().map(Into::into).collect()
    }

    #[test]
    fn color_is_read_before_parsing() {
        let found = |words: &[&str]| color_in_args(&args(words));
        assert_eq!(
            found(&["p", "--color", "never", "view"]),
            Some(ColorWhen::Never)
        );
        assert_eq!(
            found(&["p", "view", "--color=always"]),
            Some(ColorWhen::Always)
        );
        assert_eq!(found(&["p", "--color=bad", "view"]), None);
        assert_eq!(found(&["p", "set", "--", "--color=never"]), None);
        assert_eq!(found(&["p", "--colorful"]), None);
        assert_eq!(found(&["p", "view"]), None);
    }

    #[test]
    fn padding_ignores_escape_codes() {
        let on = Style { color: true };
        let off = Style { color: false };
        let styled = on.padded(Style::key, "user", 8);
        assert!(styled.contains('\u{1b}'));
        assert!(styled.ends_with("    "));
        assert_eq!(off.padded(Style::key, "user", 8), "user    ");
        assert_eq!(off.padded(Style::key, "too long", 2), "too long");
    }
}

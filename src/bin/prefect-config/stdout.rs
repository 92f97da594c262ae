//! The one way to standard output: every command prints through [`print`],
//! so that a closed pipe ends the command quietly and a full disk is an
//! error, never a panic (`print!` panics on both).
//!
//! What is printed is already rendered for its destination; [`shown`]
//! escapes data (a value, a name) when the destination is a terminal.

use std::borrow::Cow;
use std::io::{ErrorKind, IsTerminal, Write};

use crate::Failure;

/// Writes `text` to standard output and flushes it: a reader that went
/// away is [`Failure::ClosedPipe`], any other error (`ENOSPC` on
/// `/dev/full`) a message.
pub fn print(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|err| match err.kind() {
            ErrorKind::BrokenPipe => Failure::ClosedPipe,
            _ => Failure::from(format!("cannot write to standard output: {err}")),
        })
}

/// `text` with the control characters a terminal would act on escaped
/// (newlines and tabs kept) when standard output is a terminal; as it is
/// for a pipe or a file, where a script wants the exact value.
pub fn shown(text: &str) -> Cow<'_, str> {
    if std::io::stdout().is_terminal() {
        prefect_config::render::terminal_lines(text)
    } else {
        Cow::Borrowed(text)
    }
}

//! Writing to stdout from the subcommands: a reader that closes the pipe early
//! (`misura check | head`) ends the output normally instead of a panic.

use crate::error::{Error, Result};
use std::io::Write;

/// Writes `text` and a newline to stdout. A closed pipe is [`Error::Io`] with kind
/// `BrokenPipe`, which [`super::main`] turns into a normal end (exit 0).
pub fn line(text: impl std::fmt::Display) -> Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}").map_err(|e| Error::io("<stdout>", e))
}

/// Whether `e` is the reader of stdout having gone away.
pub(crate) fn is_closed_pipe(e: &Error) -> bool {
    match e {
        Error::Io { source, .. } => source.kind() == std::io::ErrorKind::BrokenPipe,
        _ => false,
    }
}

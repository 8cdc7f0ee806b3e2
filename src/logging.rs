//! Logs: human-readable lines on stderr by default, or one JSON object per line
//! (`--log-format json`: time, level, stage, table or use case, rows, duration, message) for
//! log collectors. Colours only on a terminal.

use std::io::IsTerminal;

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub(crate) enum LogFormat {
    /// `2026-11-22T03:00:01Z  INFO stage=ingest table=contacts rows=1000 table read`
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// Installs the global subscriber (once; later calls are ignored, as in tests).
pub(crate) fn init(format: LogFormat) {
    crate::progress::enable(format == LogFormat::Text && std::io::stderr().is_terminal());
    let builder = tracing_subscriber::fmt()
        .with_writer(|| crate::progress::Stderr)
        .with_target(false)
        .with_max_level(tracing::Level::INFO);
    let _ = match format {
        LogFormat::Text => builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .try_init(),
    };
}

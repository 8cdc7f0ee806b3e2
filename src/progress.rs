//! Progress on a terminal (indicatif): long steps of a run show what they are doing, the items
//! done of the total (tables and rows read, KPI queries, stages) and the elapsed time. Off
//! unless stderr is a terminal and the log format is text, so scheduler logs (a pipe, a file,
//! `--log-format json`) stay clean. Log lines are printed above the bars, never through them.

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::Write;
use std::sync::OnceLock;

/// The bars of this process, when progress is shown at all.
static BARS: OnceLock<Option<MultiProgress>> = OnceLock::new();

/// Turns progress on or off for the process (the first call decides; `logging::init` makes
/// it: on for text logs on a terminal).
pub(crate) fn enable(on: bool) {
    let _ = BARS.set(on.then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr())));
}

fn bars() -> Option<&'static MultiProgress> {
    BARS.get().and_then(Option::as_ref)
}

/// One step's bar; nothing at all when progress is off. It disappears when dropped.
pub struct Progress(Option<ProgressBar>);

impl Progress {
    /// A bar for `what` with `total` items (`unit`: "tables", "queries", "stages").
    pub fn start(what: &str, total: u64, unit: &str) -> Progress {
        Progress(bars().map(|m| {
            let bar = m.add(ProgressBar::new(total));
            let style = ProgressStyle::with_template(&format!(
                "{{spinner}} {what:<12} [{{elapsed_precise}}] {{bar:30}} {{pos}}/{{len}} {unit}  {{msg}}"
            ))
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            bar.set_style(style);
            bar.enable_steady_tick(std::time::Duration::from_millis(200));
            bar
        }))
    }

    /// One more item done; `message` says what it was (a table and its rows, a use case).
    pub fn done(&self, message: impl Into<String>) {
        if let Some(b) = &self.0 {
            b.set_message(message.into());
            b.inc(1);
        }
    }

    /// What runs now.
    pub fn now(&self, message: impl Into<String>) {
        if let Some(b) = &self.0 {
            b.set_message(message.into());
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let (Some(b), Some(m)) = (self.0.take(), bars()) {
            b.finish_and_clear();
            m.remove(&b);
        }
    }
}

/// Stderr for the log lines: while bars are drawn, each line is printed above them.
pub(crate) struct Stderr;

impl Write for Stderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match bars() {
            Some(m) => m.suspend(|| std::io::stderr().write(buf)),
            None => std::io::stderr().write(buf),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

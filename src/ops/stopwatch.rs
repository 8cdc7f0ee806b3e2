//! The stopwatch of a run: wall time and peak resident memory of each stage, for the
//! manifest (`timings_ms`, `peak_rss_mb`) and the bench runner.

use crate::engine::memory;
use std::collections::BTreeMap;
use std::time::Instant;

/// Per-stage wall time and peak memory, in the order stages end.
#[derive(Debug)]
pub(crate) struct Stopwatch {
    started: Instant,
    /// Milliseconds per stage (and per use case, `kpis.<uc>`).
    pub timings_ms: BTreeMap<String, f64>,
    /// Peak resident memory per stage, MiB (absent where the system cannot tell).
    pub peak_rss_mb: BTreeMap<String, f64>,
    /// Largest peak among the parts recorded in the current stage.
    parts_peak: Option<f64>,
}

impl Default for Stopwatch {
    fn default() -> Self {
        Self::new()
    }
}

impl Stopwatch {
    /// Starts the first stage now.
    pub fn new() -> Self {
        memory::reset_peak();
        Stopwatch {
            started: Instant::now(),
            timings_ms: BTreeMap::new(),
            peak_rss_mb: BTreeMap::new(),
            parts_peak: None,
        }
    }

    /// Starts the next stage: its clock and its memory peak begin now.
    pub fn start(&mut self) {
        memory::reset_peak();
        self.parts_peak = None;
        self.started = Instant::now();
    }

    /// Ends the current stage as `name`: records its time and peak memory.
    pub fn end(&mut self, name: &str) {
        self.timings_ms
            .insert(name.to_string(), self.started.elapsed().as_secs_f64() * 1e3);
        if let Some(bytes) = memory::peak_rss() {
            // A part recorded inside the stage may have reset the peak: keep the larger.
            let part = self.parts_peak.take().unwrap_or(0.0);
            self.peak_rss_mb
                .insert(name.to_string(), memory::mib(bytes).max(part));
        }
    }

    /// Records a part of the current stage measured elsewhere: its time and, when known,
    /// its peak memory (the part reset the peak, the stage keeps the largest).
    pub fn record(&mut self, name: String, ms: f64, peak_mb: Option<f64>) {
        self.timings_ms.insert(name.clone(), ms);
        if let Some(p) = peak_mb {
            self.peak_rss_mb.insert(name, p);
            self.parts_peak = Some(self.parts_peak.unwrap_or(0.0).max(p));
        }
    }
}

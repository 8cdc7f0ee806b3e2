//! Nightly operations: one run per output directory (lock), atomic folder replacement,
//! the `latest` pointer, KPI history, the up-to-date check, retention, and fault points
//! for tests, per-stage time and memory. Everything a scheduler relies on to run misura unattended.

pub mod atomic;
pub mod diff;
pub mod faults;
pub mod fingerprint;
pub mod history;
pub mod lock;
pub mod retention;
pub mod run_dirs;
pub mod stopwatch;

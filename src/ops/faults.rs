//! Fault points for the fault-injection tests: when `MISURA_FAULT_PAUSE` names a stage, the
//! run announces itself on stderr and sleeps there, so a test can kill it at that moment.
//! Unset in normal use; never changes what a run computes.

/// Environment variable naming the stage to pause at.
pub const PAUSE_VAR: &str = "MISURA_FAULT_PAUSE";

/// Pauses for a minute at `stage` when asked to.
pub(crate) fn pause_point(stage: &str) {
    if std::env::var(PAUSE_VAR).is_ok_and(|s| s == stage) {
        eprintln!("misura: paused at {stage} (pid {})", std::process::id());
        std::thread::sleep(std::time::Duration::from_secs(60));
    }
}

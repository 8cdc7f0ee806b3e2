//! This process's resident memory, read from Linux's `/proc/self/status`: the peak since
//! the last reset (`VmHWM`), and the reset itself (`5` written to `/proc/self/clear_refs`).
//! Elsewhere both report nothing, and the manifest simply has no peaks.

/// Peak resident set size in bytes since start or since the last [`reset_peak`].
pub(crate) fn peak_rss() -> Option<u64> {
    status_kb("VmHWM:").map(|kb| kb * 1024)
}

/// Bytes as MiB, to one decimal.
pub(crate) fn mib(bytes: u64) -> f64 {
    (bytes as f64 / (1024.0 * 1024.0) * 10.0).round() / 10.0
}

/// Current resident set size in bytes.
pub fn rss() -> Option<u64> {
    status_kb("VmRSS:").map(|kb| kb * 1024)
}

/// Starts a new peak from the current resident size; false where the system cannot.
/// The peak is the whole process's: concurrent work in the same process counts too.
pub(crate) fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn status_kb(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    line[key.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

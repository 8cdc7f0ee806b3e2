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

/// The machine's physical memory in bytes (`MemTotal` of `/proc/meminfo`), where known.
pub fn physical() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    kb_field(&info, "MemTotal:").map(|kb| kb * 1024)
}

/// The peak resident set size in bytes of another process of this machine (`VmHWM` of
/// `/proc/<pid>/status`), e.g. a server a test started.
pub fn peak_rss_of(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    kb_field(&status, "VmHWM:").map(|kb| kb * 1024)
}

/// The memory budget `misura serve` gives its queries when `--memory-limit` is not set: a
/// quarter of the machine's memory, at least 256 MiB and at most 4 GiB (1 GiB where the
/// machine's memory is not known), so one analyst's runaway query fails alone, with SQLSTATE
/// 53200, instead of taking the server down.
pub fn default_server_budget() -> (usize, Option<u64>) {
    const MIB: u64 = 1024 * 1024;
    let total = physical();
    let budget = total.map_or(1024 * MIB, |t| (t / 4).clamp(256 * MIB, 4096 * MIB));
    (budget as usize, total)
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
    kb_field(&std::fs::read_to_string("/proc/self/status").ok()?, key)
}

/// The kB figure of the line starting with `key` in a `/proc` status or meminfo text.
fn kb_field(text: &str, key: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with(key))?;
    line[key.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

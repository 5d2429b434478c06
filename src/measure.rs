//! What the process measures of itself, for benchmarks and tests: its peak resident memory
//! (`VmHWM`, this program's own since its exec, unlike a parent's view through `wait4`).

/// Peak resident memory in KiB, where the system says (Linux `/proc/self/status`).
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

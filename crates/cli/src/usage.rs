//! CPU time and peak memory of this process, read from /proc (Linux), so
//! the benchmark reports CPU as the shared harness defines it without a
//! libc binding.

/// User and system CPU seconds, and the peak resident set in KiB.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Usage {
    pub(crate) user_s: f64,
    pub(crate) sys_s: f64,
    pub(crate) maxrss_kb: u64,
}

/// Clock ticks per second of /proc/self/stat: 100 on every Linux
/// architecture Debian ships (USER_HZ).
const TICKS_PER_SECOND: f64 = 100.0;

pub(crate) fn now() -> Usage {
    let mut u = Usage::default();
    if let Ok(stat) = std::fs::read_to_string("/proc/self/stat") {
        // Fields after the command name, which is in parentheses and may hold spaces.
        if let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) {
            let f: Vec<&str> = rest.split_whitespace().collect();
            // utime and stime are fields 14 and 15 of the whole line: 12 and 13 here.
            let tick = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
            u.user_s = tick(11) / TICKS_PER_SECOND;
            u.sys_s = tick(12) / TICKS_PER_SECOND;
        }
    }
    if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
        u.maxrss_kb = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0);
    }
    u
}

/// The resident set now, in KiB.
pub(crate) fn current_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

//! This process's memory and CPU time, from `/proc/self` (Linux).

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// `/proc/PID/stat` counts CPU time in USER_HZ ticks, which Linux fixes at 100 for
/// user space whatever the kernel's own HZ.
const USER_HZ: f64 = 100.0;

/// A `kB` line of `/proc/self/status` (`VmRSS`, `VmHWM`), in KiB.
pub fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|line| {
        let rest = line.strip_prefix(field)?.strip_prefix(':')?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

/// Resets `VmHWM` (the peak RSS) to the current RSS: `echo 5 > /proc/self/clear_refs`
/// (Linux 4.0+). `false` when the kernel refused, so the peak is the process lifetime's.
pub fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// User + system CPU time of the whole process (all threads), in seconds.
pub fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: fields 3 onward
    // follow the last ')'. utime and stime are fields 14 and 15.
    let after = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / USER_HZ)
}

/// The 1-minute load average (`/proc/loadavg`): how busy the machine was, the
/// benchmark's own work included.
pub fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Microseconds since the Unix epoch: comparable between the benchmark's processes.
pub fn unix_micros() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// What one process did during a measured span: wall time, memory, CPU.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Measured {
    pub wall_s: f64,
    pub start_unix_us: i64,
    pub end_unix_us: i64,
    /// RSS when the span started (KiB).
    pub rss_before_kib: u64,
    pub rss_after_kib: u64,
    /// Peak RSS during the span (`VmHWM` after a reset at the start), KiB.
    pub peak_kib: u64,
    /// `false`: the kernel did not let the peak be reset, so `peak_kib` is the process's.
    pub peak_reset: bool,
    /// CPU time of the process (all threads) during the span.
    pub cpu_s: f64,
    /// 1-minute load average of the machine when the span started.
    pub load_average: Option<f64>,
}

impl Measured {
    /// How far the peak rose above the RSS at the start (KiB).
    pub fn peak_delta_kib(&self) -> u64 {
        self.peak_kib.saturating_sub(self.rss_before_kib)
    }
}

/// Starts a measured span of this process.
#[derive(Debug)]
pub struct Meter {
    started: Instant,
    start_unix_us: i64,
    rss_before_kib: u64,
    peak_reset: bool,
    cpu_before: f64,
    load_average: Option<f64>,
}

impl Meter {
    pub fn start() -> Meter {
        let peak_reset = reset_peak();
        Meter {
            rss_before_kib: status_kib("VmRSS").unwrap_or(0),
            cpu_before: cpu_seconds().unwrap_or(0.0),
            start_unix_us: unix_micros(),
            peak_reset,
            load_average: load_average(),
            started: Instant::now(),
        }
    }

    pub fn stop(&self) -> Measured {
        let wall_s = self.started.elapsed().as_secs_f64();
        let end_unix_us = unix_micros();
        let rss_after_kib = status_kib("VmRSS").unwrap_or(0);
        Measured {
            wall_s,
            start_unix_us: self.start_unix_us,
            end_unix_us,
            rss_before_kib: self.rss_before_kib,
            rss_after_kib,
            peak_kib: status_kib("VmHWM").unwrap_or(0).max(rss_after_kib),
            peak_reset: self.peak_reset,
            cpu_s: (cpu_seconds().unwrap_or(0.0) - self.cpu_before).max(0.0),
            load_average: self.load_average,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_has_memory_and_cpu_figures() {
        assert!(status_kib("VmRSS").is_some_and(|k| k > 0));
        assert!(status_kib("VmHWM").is_some_and(|k| k > 0));
        assert!(cpu_seconds().is_some());
        let m = Meter::start().stop();
        assert!(m.peak_kib >= m.rss_after_kib);
    }
}

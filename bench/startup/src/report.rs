//! Statistics, the printed table and the JSON report.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::run::RunRecord;
use crate::Options;

/// Target for start-up time, ours / blank (reported, not enforced).
pub const STARTUP_TARGET: f64 = 1.2;
/// Target for idle RSS, ours / blank (reported, not enforced).
pub const RSS_TARGET: f64 = 1.5;

pub fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// Median, minimum and maximum of a non-empty set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub median: f64,
    pub min: f64,
    pub max: f64,
    pub n: usize,
}

pub fn summarise(values: &[f64]) -> Option<Summary> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let median = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    };
    Some(Summary {
        median,
        min: v[0],
        max: v[n - 1],
        n,
    })
}

fn summary_json(s: Option<Summary>) -> Value {
    match s {
        Some(s) => {
            json!({ "median": round1(s.median), "min": round1(s.min), "max": round1(s.max), "n": s.n })
        }
        None => Value::Null,
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// All runs of one app.
#[derive(Debug)]
pub struct AppResult {
    pub label: &'static str,
    pub path: PathBuf,
    pub runs: Vec<RunRecord>,
}

impl AppResult {
    pub fn new(label: &'static str, path: &Path) -> AppResult {
        AppResult {
            label,
            path: path.to_path_buf(),
            runs: Vec::new(),
        }
    }

    fn ok(&self) -> impl Iterator<Item = &crate::run::Sample> {
        self.runs.iter().filter_map(|r| r.outcome.as_ref().ok())
    }

    pub fn failed(&self) -> usize {
        self.runs.iter().filter(|r| r.outcome.is_err()).count()
    }

    pub fn startup(&self) -> Option<Summary> {
        summarise(&self.ok().map(|s| s.startup_ms).collect::<Vec<_>>())
    }

    pub fn reported(&self) -> Option<Summary> {
        summarise(
            &self
                .ok()
                .filter_map(|s| s.reported_ms.map(|m| m as f64))
                .collect::<Vec<_>>(),
        )
    }

    pub fn rss(&self) -> Option<Summary> {
        summarise(&self.ok().map(|s| mib(s.rss_kib())).collect::<Vec<_>>())
    }

    pub fn pss(&self) -> Option<Summary> {
        summarise(
            &self
                .ok()
                .filter_map(|s| s.pss_kib().map(mib))
                .collect::<Vec<_>>(),
        )
    }

    /// Median RSS per process name (e.g. WebKitWebProcess), in MiB, sorted by name.
    fn by_process(&self) -> Vec<(String, f64, Option<f64>)> {
        let mut names: Vec<String> = self
            .ok()
            .flat_map(|s| s.processes.iter().map(|p| p.name.clone()))
            .collect();
        names.sort();
        names.dedup();
        names
            .into_iter()
            .map(|name| {
                let rss: Vec<f64> = self
                    .ok()
                    .map(|s| {
                        mib(s
                            .processes
                            .iter()
                            .filter(|p| p.name == name)
                            .map(|p| p.rss_kib)
                            .sum())
                    })
                    .collect();
                let pss: Vec<f64> = self
                    .ok()
                    .filter_map(|s| {
                        s.processes
                            .iter()
                            .filter(|p| p.name == name)
                            .map(|p| p.pss_kib)
                            .sum::<Option<u64>>()
                            .map(mib)
                    })
                    .collect();
                let r = summarise(&rss).map_or(0.0, |s| s.median);
                let p = summarise(&pss).map(|s| s.median);
                (name, r, p)
            })
            .collect()
    }

    fn binary_bytes(&self) -> Option<u64> {
        std::fs::metadata(&self.path).ok().map(|m| m.len())
    }

    fn json(&self) -> Value {
        let runs: Vec<Value> = self
            .runs
            .iter()
            .map(|r| match &r.outcome {
                Ok(s) => json!({
                    "run": r.index,
                    "ok": true,
                    "caches_dropped": r.caches_dropped,
                    "startup_ms": round1(s.startup_ms),
                    "app_reported_ms": s.reported_ms,
                    "rss_mib": round1(mib(s.rss_kib())),
                    "pss_mib": s.pss_kib().map(|k| round1(mib(k))),
                    "processes": s.processes.iter().map(|p| json!({
                        "pid": p.pid,
                        "name": p.name,
                        "rss_kib": p.rss_kib,
                        "pss_kib": p.pss_kib,
                    })).collect::<Vec<_>>(),
                    "leftovers": r.leftovers,
                }),
                Err(e) => json!({
                    "run": r.index,
                    "ok": false,
                    "caches_dropped": r.caches_dropped,
                    "error": e,
                    "leftovers": r.leftovers,
                }),
            })
            .collect();
        json!({
            "path": self.path.display().to_string(),
            "binary_bytes": self.binary_bytes(),
            "ok_runs": self.runs.len() - self.failed(),
            "failed_runs": self.failed(),
            "startup_ms": summary_json(self.startup()),
            "app_reported_ms": summary_json(self.reported()),
            "rss_mib": summary_json(self.rss()),
            "pss_mib": summary_json(self.pss()),
            "rss_mib_by_process": self.by_process().into_iter().map(|(n, r, p)| json!({
                "name": n, "rss_mib": round1(r), "pss_mib": p.map(round1)
            })).collect::<Vec<_>>(),
            "runs": runs,
        })
    }
}

/// A ratio ours / blank with its target.
#[derive(Debug, Clone, Copy)]
pub struct Ratio {
    pub value: Option<f64>,
    pub target: Option<f64>,
}

impl Ratio {
    fn of(ours: Option<Summary>, blank: Option<Summary>, target: Option<f64>) -> Ratio {
        let value = match (ours, blank) {
            (Some(o), Some(b)) if b.median > 0.0 => Some(o.median / b.median),
            _ => None,
        };
        Ratio { value, target }
    }

    pub fn verdict(&self) -> &'static str {
        match (self.value, self.target) {
            (Some(v), Some(t)) if v <= t => "PASS",
            (Some(_), Some(_)) => "MISS",
            (None, Some(_)) => "N/A",
            (_, None) => "info",
        }
    }

    fn json(&self) -> Value {
        json!({
            "value": self.value.map(round3),
            "target_max": self.target,
            "verdict": self.verdict(),
        })
    }
}

#[derive(Debug)]
pub struct Report {
    ours: AppResult,
    blank: AppResult,
    runs: usize,
    warmup: usize,
    idle_s: u64,
    timeout_s: u64,
    can_drop: bool,
    drop_requested: bool,
    date: String,
}

impl Report {
    pub fn new(
        ours: AppResult,
        blank: AppResult,
        opts: &Options,
        can_drop: bool,
        drop_requested: bool,
        started: String,
    ) -> Report {
        Report {
            ours,
            blank,
            runs: opts.runs,
            warmup: opts.warmup,
            idle_s: opts.idle.as_secs(),
            timeout_s: opts.timeout.as_secs(),
            can_drop,
            drop_requested,
            date: started,
        }
    }

    pub fn failed_runs(&self) -> usize {
        self.ours.failed() + self.blank.failed()
    }

    fn ratios(&self) -> (Ratio, Ratio, Ratio) {
        (
            Ratio::of(
                self.ours.startup(),
                self.blank.startup(),
                Some(STARTUP_TARGET),
            ),
            Ratio::of(self.ours.rss(), self.blank.rss(), Some(RSS_TARGET)),
            Ratio::of(self.ours.pss(), self.blank.pss(), None),
        )
    }

    fn dropped_runs(&self) -> (usize, usize) {
        let all: Vec<&RunRecord> = self.ours.runs.iter().chain(&self.blank.runs).collect();
        (all.iter().filter(|r| r.caches_dropped).count(), all.len())
    }

    fn cache_words(&self) -> String {
        let (dropped, total) = self.dropped_runs();
        if dropped == total && total > 0 {
            "page cache dropped before every run (cold start)".to_string()
        } else if dropped == 0 {
            if self.drop_requested || self.can_drop {
                "page cache NOT dropped (warm start)".to_string()
            } else {
                "page cache NOT dropped: not root or /proc/sys/vm/drop_caches not writable (warm start)"
                    .to_string()
            }
        } else {
            format!("page cache dropped before {dropped} of {total} runs (mixed)")
        }
    }

    pub fn table(&self) -> String {
        let mut t = String::new();
        let fmt = |s: Option<Summary>, digits: usize| match s {
            Some(s) => format!("{:.d$} [{:.d$}–{:.d$}]", s.median, s.min, s.max, d = digits),
            None => "–".to_string(),
        };
        let _ = writeln!(t);
        let _ = writeln!(
            t,
            "共済デスク start-up benchmark, {} ({} CPUs): {} runs each, alternating, after {} uncounted warm-up run(s) each",
            self.date,
            cpus(),
            self.runs,
            self.warmup
        );
        let _ = writeln!(t, "ours:  {}", self.ours.path.display());
        let _ = writeln!(t, "blank: {}", self.blank.path.display());
        let _ = writeln!(
            t,
            "{}; memory read after {} s idle",
            self.cache_words(),
            self.idle_s
        );
        let _ = writeln!(t);
        let _ = writeln!(
            t,
            "{:<6} {:>5}  {:<26} {:>9}  {:<22} {:<22} {:>5}",
            "app",
            "runs",
            "start-up ms med [min–max]",
            "in-app ms",
            "RSS MiB med [min–max]",
            "PSS MiB med [min–max]",
            "procs"
        );
        for app in [&self.ours, &self.blank] {
            let procs = app
                .runs
                .iter()
                .filter_map(|r| r.outcome.as_ref().ok())
                .map(|s| s.processes.len())
                .max()
                .map_or("–".to_string(), |n| n.to_string());
            let _ = writeln!(
                t,
                "{:<6} {:>5}  {:<26} {:>9}  {:<22} {:<22} {:>5}",
                app.label,
                format!("{}/{}", app.runs.len() - app.failed(), app.runs.len()),
                fmt(app.startup(), 0),
                app.reported()
                    .map_or("–".to_string(), |s| format!("{:.0}", s.median)),
                fmt(app.rss(), 1),
                fmt(app.pss(), 1),
                procs
            );
        }
        let _ = writeln!(t);
        let (startup, rss, pss) = self.ratios();
        let ratio = |r: &Ratio| r.value.map_or("–".to_string(), |v| format!("{v:.2}x"));
        let _ = writeln!(t, "ours / blank (medians):");
        let _ = writeln!(
            t,
            "  cold start to first screen  {:>6}   target ≤ {STARTUP_TARGET:.1}x   {}",
            ratio(&startup),
            startup.verdict()
        );
        let _ = writeln!(
            t,
            "  idle RSS                    {:>6}   target ≤ {RSS_TARGET:.1}x   {}",
            ratio(&rss),
            rss.verdict()
        );
        let _ = writeln!(
            t,
            "  idle PSS                    {:>6}   (for information)",
            ratio(&pss)
        );
        let _ = writeln!(t);
        let _ = writeln!(t, "idle memory by process (median MiB, RSS / PSS):");
        for app in [&self.ours, &self.blank] {
            let parts: Vec<String> = app
                .by_process()
                .into_iter()
                .map(|(n, r, p)| match p {
                    Some(p) => format!("{n} {r:.1} / {p:.1}"),
                    None => format!("{n} {r:.1}"),
                })
                .collect();
            let parts = if parts.is_empty() {
                "–".to_string()
            } else {
                parts.join(", ")
            };
            let _ = writeln!(t, "  {:<6} {parts}", app.label);
        }
        for app in [&self.ours, &self.blank] {
            for r in &app.runs {
                if let Err(e) = &r.outcome {
                    let _ = writeln!(t, "FAILED {} run {}: {e}", app.label, r.index);
                }
            }
        }
        t
    }

    pub fn json(&self) -> Value {
        let (startup, rss, pss) = self.ratios();
        let (dropped, total) = self.dropped_runs();
        json!({
            "benchmark": "kyosai-bench-startup",
            "date_utc": self.date,
            "machine": {
                "cpus": cpus(),
                "cpu_model": cpu_model(),
                "kernel": std::fs::read_to_string("/proc/sys/kernel/osrelease").ok().map(|s| s.trim().to_string()),
                "mem_total_kib": mem_total_kib(),
            },
            "settings": {
                "runs_per_app": self.runs,
                "warmup_runs_per_app": self.warmup,
                "order": "alternating: ours, blank, ours, blank, ...",
                "idle_seconds": self.idle_s,
                "timeout_seconds": self.timeout_s,
                "startup": "wall time from spawn to the KYOSAI_READY line on stdout",
                "memory": "sum over the app process and all its descendants, read after the idle time",
            },
            "page_cache": {
                "drop_possible": self.can_drop,
                "drop_requested": self.drop_requested,
                "dropped_runs": dropped,
                "total_runs": total,
                "cold": dropped == total && total > 0,
                "summary": self.cache_words(),
            },
            "apps": {
                "ours": self.ours.json(),
                "blank": self.blank.json(),
            },
            "ratios_ours_over_blank": {
                "startup": startup.json(),
                "rss": rss.json(),
                "pss": pss.json(),
            },
            "failed_runs": self.failed_runs(),
        })
    }
}

fn cpus() -> usize {
    std::thread::available_parallelism().map_or(0, |n| n.get())
}

fn cpu_model() -> Option<String> {
    std::fs::read_to_string("/proc/cpuinfo").ok().and_then(|s| {
        s.lines()
            .find_map(|l| l.strip_prefix("model name"))
            .and_then(|v| v.split_once(':'))
            .map(|(_, v)| v.trim().to_string())
    })
}

fn mem_total_kib() -> Option<u64> {
    std::fs::read_to_string("/proc/meminfo").ok().and_then(|s| {
        s.lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
    })
}

/// Now, as `YYYY-MM-DDTHH:MM:SSZ` (std only).
pub fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format_utc(secs)
}

fn format_utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn medians_of_odd_and_even_sets() {
        let s = summarise(&[3.0, 1.0, 2.0]).unwrap();
        assert_eq!((s.median, s.min, s.max, s.n), (2.0, 1.0, 3.0, 3));
        let s = summarise(&[4.0, 1.0, 3.0, 2.0]).unwrap();
        assert_eq!(s.median, 2.5);
        assert!(summarise(&[]).is_none());
    }

    #[test]
    fn ratios_and_verdicts() {
        let s = |m: f64| summarise(&[m]);
        assert_eq!(Ratio::of(s(120.0), s(100.0), Some(1.2)).verdict(), "PASS");
        assert_eq!(Ratio::of(s(121.0), s(100.0), Some(1.2)).verdict(), "MISS");
        assert_eq!(Ratio::of(None, s(100.0), Some(1.2)).verdict(), "N/A");
        assert_eq!(Ratio::of(s(1.0), s(1.0), None).verdict(), "info");
    }

    #[test]
    fn formats_dates() {
        assert_eq!(format_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(format_utc(1_798_761_599), "2026-12-31T23:59:59Z");
    }
}

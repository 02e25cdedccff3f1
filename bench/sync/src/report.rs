//! The printed table and the JSON report.

use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;

use crate::phases::{LoadResult, PullResult, PushResult, LOAD_P99_TARGET_MS};
use crate::procfs::Measured;
use crate::Settings;

/// The machine, as far as it matters for the figures.
#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    pub os: String,
    pub kernel: String,
    pub cpu: String,
    pub cores: usize,
    pub memory_gib: f64,
    pub note: String,
}

impl Machine {
    fn detect() -> Machine {
        let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
        let os = read("/etc/os-release")
            .lines()
            .find_map(|l| l.strip_prefix("PRETTY_NAME="))
            .map(|v| v.trim_matches('"').to_string())
            .unwrap_or_else(|| "?".into());
        let cpu = read("/proc/cpuinfo")
            .lines()
            .find_map(|l| l.strip_prefix("model name"))
            .and_then(|v| v.split_once(':'))
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_else(|| "?".into());
        let mem_kib: f64 = read("/proc/meminfo")
            .lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(0.0);
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Machine {
            os,
            kernel: read("/proc/sys/kernel/osrelease").trim().to_string(),
            cpu,
            cores,
            memory_gib: (mem_kib / 1024.0 / 1024.0 * 10.0).round() / 10.0,
            note: format!(
                "client process(es) and the central service (and PostgreSQL) share these {cores} cores; traffic is loopback HTTPS"
            ),
        }
    }
}

/// The settings as the JSON records them.
#[derive(Debug, Clone, Serialize)]
pub struct SettingsReport {
    pub commands: usize,
    pub records: usize,
    pub seeders: usize,
    pub clients: usize,
    pub per_client: usize,
    pub load_offices: usize,
    pub think_ms: u64,
    pub paced_think_ms: u64,
    pub paced_per_client: usize,
    pub push_batch: usize,
    pub pull_limit: u32,
    pub postgres_synchronous_commit: &'static str,
    pub argon2: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct BackendReport {
    pub backend: String,
    pub push: Option<PushResult>,
    pub pull: Option<PullResult>,
    pub load: Option<LoadResult>,
    /// The same load with a pause after each answer.
    pub paced: Option<LoadResult>,
    pub errors: Vec<String>,
}

impl BackendReport {
    pub fn new(name: &str) -> BackendReport {
        BackendReport {
            backend: name.to_string(),
            push: None,
            pull: None,
            load: None,
            paced: None,
            errors: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub benchmark: &'static str,
    pub date_utc: String,
    pub machine: Machine,
    pub settings: SettingsReport,
    pub notes: Vec<String>,
    /// 1-minute load average when the run started and ended (other work on the machine
    /// shows here; the benchmark itself adds about 1 to 2).
    pub load_average_start: Option<f64>,
    pub load_average_end: Option<f64>,
    pub backends: Vec<BackendReport>,
    /// The axum hello-world under the same load harness.
    pub floor: Option<LoadResult>,
    pub errors: Vec<String>,
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn verdict(pass: bool) -> &'static str {
    if pass {
        "PASS"
    } else {
        "MISS"
    }
}

fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn memory(m: &Measured) -> String {
    format!(
        "{:.1} -> {:.1} MiB (+{:.1}){}",
        mib(m.rss_before_kib),
        mib(m.peak_kib),
        mib(m.peak_delta_kib()),
        if m.peak_reset {
            ""
        } else {
            " [peak not reset]"
        }
    )
}

/// A table of rows × columns, left-aligned, widths from the content.
struct Table {
    rows: Vec<Vec<String>>,
}

impl Table {
    fn new(header: Vec<String>) -> Table {
        Table { rows: vec![header] }
    }

    fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    fn render(&self, out: &mut String) {
        let cols = self.rows.iter().map(Vec::len).max().unwrap_or(0);
        let width = |c: usize| {
            self.rows
                .iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        };
        let widths: Vec<usize> = (0..cols).map(width).collect();
        for row in &self.rows {
            let mut line = String::new();
            for (c, cell) in row.iter().enumerate() {
                let pad = widths[c].saturating_sub(cell.chars().count());
                line.push_str(cell);
                if c + 1 < row.len() {
                    line.push_str(&" ".repeat(pad + 3));
                }
            }
            let _ = writeln!(out, "{}", line.trim_end());
        }
    }
}

impl Report {
    pub fn new(settings: &Settings) -> Report {
        Report {
            benchmark: "kyosai-bench-sync",
            date_utc: chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
            machine: Machine::detect(),
            settings: SettingsReport {
                commands: settings.commands,
                records: settings.records,
                seeders: settings.seeders,
                clients: settings.clients,
                per_client: settings.per_client,
                load_offices: settings.load_offices,
                think_ms: settings.think_ms,
                paced_think_ms: settings.paced_think_ms,
                paced_per_client: settings.paced_per_client,
                push_batch: settings.push_batch,
                pull_limit: settings.pull_limit,
                postgres_synchronous_commit: if settings.pg_async_commit {
                    "off (test server default)"
                } else {
                    "on (production default)"
                },
                argon2: "test cost (8 KiB, 1 pass): sign-in only, before any timing",
            },
            notes: Vec::new(),
            load_average_start: crate::procfs::load_average(),
            load_average_end: None,
            backends: Vec::new(),
            floor: None,
            errors: Vec::new(),
        }
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty() || self.backends.iter().any(|b| !b.errors.is_empty())
    }

    pub fn write_json(&self, path: &Path) -> Result<(), String> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        }
        let text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        std::fs::write(path, text + "\n").map_err(|e| e.to_string())
    }

    pub fn table(&self) -> String {
        let s = &self.settings;
        let m = &self.machine;
        let mut out = String::new();
        let _ = writeln!(out, "\nKyosai Desk sync benchmark ({})", self.date_utc);
        let _ = writeln!(
            out,
            "machine: {}, {} cores ({}), {} GiB, Linux {}",
            m.os, m.cores, m.cpu, m.memory_gib, m.kernel
        );
        let _ = writeln!(out, "         {}", m.note);
        let _ = writeln!(
            out,
            "server:  kyosai-central test server (TLS on 127.0.0.1); argon2 {}; PostgreSQL synchronous_commit {}",
            s.argon2, s.postgres_synchronous_commit
        );
        let la = |v: Option<f64>| v.map_or("?".to_string(), |v| format!("{v:.2}"));
        let _ = writeln!(
            out,
            "load:    1-minute load average {} at the start, {} at the end (other work on the machine adds to it)",
            la(self.load_average_start),
            la(self.load_average_end)
        );
        for n in &self.notes {
            let _ = writeln!(out, "note:    {n}");
        }
        let _ = writeln!(out);

        let mut header = vec!["measure".to_string()];
        header.extend(self.backends.iter().map(|b| b.backend.clone()));
        header.push("target".into());
        let mut t = Table::new(header);
        let mut add =
            |label: String, cell: &dyn Fn(&BackendReport) -> Option<String>, target: &str| {
                let cells: Vec<Option<String>> = self.backends.iter().map(cell).collect();
                // A measurement no backend ran has no row.
                if cells.iter().all(Option::is_none) {
                    return;
                }
                let mut row = vec![label];
                row.extend(cells.into_iter().map(|c| c.unwrap_or_else(|| "-".into())));
                row.push(target.to_string());
                t.row(row);
            };

        add(
            format!("push {} commands: sync_once", thousands(s.commands)),
            &|b| {
                b.push
                    .as_ref()
                    .map(|p| format!("{:.2} s  {}", p.client.measured.wall_s, verdict(p.pass)))
            },
            "< 2 s",
        );
        add(
            "  of which push (until last commit)".into(),
            &|b| {
                b.push
                    .as_ref()
                    .and_then(|p| p.push_part_s)
                    .map(|v| format!("{v:.2} s"))
            },
            "",
        );
        add(
            "  then pull back (own changes)".into(),
            &|b| {
                b.push.as_ref().map(|p| {
                    format!(
                        "{} in {} pages",
                        thousands(p.client.pull_changes),
                        p.client.pull_pages
                    )
                })
            },
            "",
        );
        add(
            "  client RSS before -> peak".into(),
            &|b| b.push.as_ref().map(|p| memory(&p.client.measured)),
            "",
        );
        add(
            "  CPU client / server".into(),
            &|b| {
                b.push
                    .as_ref()
                    .map(|p| format!("{:.2} / {:.2} s", p.client.measured.cpu_s, p.server.cpu_s))
            },
            "",
        );
        add(
            "  pushes / server seqs held".into(),
            &|b| {
                b.push.as_ref().map(|p| {
                    format!(
                        "{} x {} / {}",
                        p.server_pushes,
                        s.push_batch,
                        thousands(p.server_command_count as usize)
                    )
                })
            },
            "",
        );
        add(
            "  (outbox written beforehand)".into(),
            &|b| {
                b.push
                    .as_ref()
                    .map(|p| format!("{:.1} s", p.client.setup_s))
            },
            "",
        );
        add(
            format!("pull {} records: sync_once", thousands(s.records)),
            &|b| {
                b.pull
                    .as_ref()
                    .map(|p| format!("{:.2} s  {}", p.client.measured.wall_s, verdict(p.pass)))
            },
            "< 5 s",
        );
        add(
            "  pages (limit)".into(),
            &|b| {
                b.pull
                    .as_ref()
                    .map(|p| format!("{} ({})", p.client.pages, thousands(s.pull_limit as usize)))
            },
            "",
        );
        add(
            "  client RSS before -> peak".into(),
            &|b| b.pull.as_ref().map(|p| memory(&p.client.measured)),
            "",
        );
        add(
            "  CPU client / server".into(),
            &|b| {
                b.pull
                    .as_ref()
                    .map(|p| format!("{:.2} / {:.2} s", p.client.measured.cpu_s, p.server.cpu_s))
            },
            "",
        );
        add(
            "  (seeding through push API)".into(),
            &|b| {
                b.pull.as_ref().map(|p| {
                    format!(
                        "{:.1} s, {} records/s",
                        p.seed.seconds,
                        thousands(p.seed.records_per_s.round() as usize)
                    )
                })
            },
            "",
        );
        if t.rows.len() > 1 {
            t.render(&mut out);
        }

        let mut loads: Vec<(String, &LoadResult)> = Vec::new();
        for b in &self.backends {
            loads.extend(
                b.load
                    .as_ref()
                    .map(|l| (format!("central, {}", b.backend), l)),
            );
        }
        loads.extend(
            self.floor
                .as_ref()
                .map(|l| ("axum hello-world (floor)".to_string(), l)),
        );
        for b in &self.backends {
            loads.extend(
                b.paced
                    .as_ref()
                    .map(|l| (format!("central, {}", b.backend), l)),
            );
        }
        if !loads.is_empty() {
            let _ = writeln!(
                out,
                "\n{} concurrent clients, each its own user, device, client id and TLS connection; one command a push (latency per request, ms)",
                s.clients
            );
            let mut t = Table::new(
                [
                    "server",
                    "pacing",
                    "requests",
                    "p50",
                    "p95",
                    "p99",
                    "max",
                    "req/s",
                    "errors",
                    "client CPU",
                    "server CPU",
                    "server RSS peak",
                ]
                .iter()
                .map(|h| h.to_string())
                .chain([format!("p99 < {LOAD_P99_TARGET_MS:.0} ms")])
                .collect(),
            );
            for (name, l) in loads {
                let c = &l.client;
                t.row(vec![
                    name,
                    if c.think_ms == 0 {
                        "closed loop".to_string()
                    } else {
                        format!("{} ms pause ±50%", c.think_ms)
                    },
                    format!("{} x {}", c.clients, c.per_client),
                    format!("{:.1}", c.latency_ms.p50),
                    format!("{:.1}", c.latency_ms.p95),
                    format!("{:.1}", c.latency_ms.p99),
                    format!("{:.1}", c.latency_ms.max),
                    format!("{:.0}", c.throughput_per_s),
                    format!("{}", c.errors + c.not_applied),
                    format!("{:.1} s", c.measured.cpu_s),
                    format!("{:.1} s", l.server.cpu_s),
                    format!(
                        "{:.1} MiB (+{:.1})",
                        mib(l.server.peak_kib),
                        mib(l.server.peak_delta_kib())
                    ),
                    verdict(l.pass).to_string(),
                ]);
            }
            t.render(&mut out);
            if let Some(f) = &self.floor {
                let _ = writeln!(
                    out,
                    "(hello-world: same TLS setup and client build, {} per request, same request body; answers a small JSON)",
                    f.client.http_version
                );
            }
        }

        let errors: Vec<String> = self
            .backends
            .iter()
            .flat_map(|b| b.errors.iter().map(move |e| format!("{}: {e}", b.backend)))
            .chain(self.errors.iter().cloned())
            .collect();
        if !errors.is_empty() {
            let _ = writeln!(out, "\nNOT MEASURED (the run failed):");
            for e in errors {
                let _ = writeln!(out, "  {e}");
            }
        }
        let _ = writeln!(
            out,
            "\nTargets are reported, not enforced (PASS / MISS); exit status 0 when every measurement ran."
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(10_000), "10,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}

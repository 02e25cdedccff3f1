//! `kyosai-bench-startup`: cold start to first screen and idle memory of 共済デスク, beside a
//! blank Tauri 2 app built the same way (the floor), as ratios.
//!
//! ```text
//! kyosai-bench-startup --app target/release/kyosai-desk \
//!     --blank target/release/kyosai-bench-blank [--runs 10] [--json target/bench/startup.json]
//! ```
//!
//! Runs the two apps alternately. Before each run, as root, it drops the page cache (`sync`;
//! `echo 3 > /proc/sys/vm/drop_caches`) so every start is cold. Each app starts with
//! `KYOSAI_REPORT_READY=1` and fresh data/config/cache folders; start-up time is the wall time
//! from spawn to its `KYOSAI_READY <ms>` line on stdout. After 5 s idle it sums VmRSS (and Pss)
//! over the app and all its descendants (the WebKit processes), then ends the whole tree.
//!
//! The targets (start-up ≤ 1.2× and RSS ≤ 1.5× the blank app) are reported, not enforced:
//! the exit status is 0 when every run completed and 1 when any run failed.

mod procs;
mod report;
mod run;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use crate::report::{AppResult, Report};
use crate::run::{RunRecord, RunSettings};

const USAGE: &str = "\
usage: kyosai-bench-startup --app PATH --blank PATH [options]

  --app PATH        our app's release binary (target/release/kyosai-desk)
  --blank PATH      the blank Tauri app's release binary (target/release/kyosai-bench-blank)
  --runs N          runs of each app, alternating (default 10)
  --warmup N        uncounted runs of each app first (default 1): the session's D-Bus
                    services (accessibility bus, portals) start on the very first launch
  --json PATH       where to write the JSON report (default target/bench/startup.json)
  --idle SECS       idle time before memory is read (default 5)
  --timeout SECS    a run without KYOSAI_READY by then has failed (default 60)
  --warm            do not drop the page cache before each run
  -h, --help        this text

Exit status: 0 when all runs completed (targets are reported, not enforced), 1 when a run
failed, 2 on a bad command line.";

#[derive(Debug)]
struct Options {
    app: PathBuf,
    blank: PathBuf,
    runs: usize,
    warmup: usize,
    json: PathBuf,
    idle: Duration,
    timeout: Duration,
    warm: bool,
}

fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut app = None;
    let mut blank = None;
    let mut runs = 10usize;
    let mut warmup = 1u64;
    let mut json = PathBuf::from("target/bench/startup.json");
    let mut idle = 5u64;
    let mut timeout = 60u64;
    let mut warm = false;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        let mut value = |n: &str| {
            inline
                .clone()
                .or_else(|| it.next().cloned())
                .ok_or_else(|| format!("{n} needs a value"))
        };
        let number = |n: &str, v: String| {
            v.parse::<u64>()
                .map_err(|_| format!("{n}: not a whole number: {v}"))
        };
        match name {
            "--app" => app = Some(PathBuf::from(value(name)?)),
            "--blank" => blank = Some(PathBuf::from(value(name)?)),
            "--json" => json = PathBuf::from(value(name)?),
            "--runs" => {
                let n = number(name, value(name)?)?;
                runs = usize::try_from(n).map_err(|_| "--runs: too large".to_string())?;
                if runs == 0 {
                    return Err("--runs must be at least 1".into());
                }
            }
            "--warmup" => warmup = number(name, value(name)?)?,
            "--idle" => idle = number(name, value(name)?)?,
            "--timeout" => timeout = number(name, value(name)?)?,
            "--warm" => warm = true,
            _ => return Err(format!("unknown argument: {arg}")),
        }
    }
    let app = app.ok_or("--app PATH is required")?;
    let blank = blank.ok_or("--blank PATH is required")?;
    for p in [&app, &blank] {
        if !p.is_file() {
            return Err(format!("not a file: {}", p.display()));
        }
    }
    Ok(Options {
        app,
        blank,
        runs,
        warmup: usize::try_from(warmup).map_err(|_| "--warmup: too large".to_string())?,
        json,
        idle: Duration::from_secs(idle),
        timeout: Duration::from_secs(timeout),
        warm,
    })
}

fn describe(r: &RunRecord) -> String {
    let cache = if r.caches_dropped { "cold" } else { "warm" };
    match &r.outcome {
        Ok(s) => {
            let pss = s
                .pss_kib()
                .map(|k| format!(", PSS {:.1} MiB", report::mib(k)))
                .unwrap_or_default();
            format!(
                "{:.0} ms ({cache}), RSS {:.1} MiB{pss} in {} processes",
                s.startup_ms,
                report::mib(s.rss_kib()),
                s.processes.len()
            )
        }
        Err(e) => format!("FAILED ({cache}): {e}"),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "-h" || a == "--help") {
        eprintln!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let opts = match parse_args(&args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("kyosai-bench-startup: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };

    let can_drop = run::can_drop_caches();
    let drop_caches = !opts.warm && can_drop;
    if !opts.warm && !can_drop {
        eprintln!(
            "note: cannot drop the page cache (needs root and a writable /proc/sys/vm/drop_caches): \
             runs are warm starts"
        );
    }
    let settings = RunSettings {
        timeout: opts.timeout,
        idle: opts.idle,
        drop_caches,
    };

    let started = report::utc_now();
    let mut ours = AppResult::new("ours", &opts.app);
    let mut blank = AppResult::new("blank", &opts.blank);
    eprintln!(
        "start-up benchmark: {} warm-up + {} runs each, alternating, {} s idle, page cache {}",
        opts.warmup,
        opts.runs,
        opts.idle.as_secs(),
        if drop_caches {
            "dropped before each run"
        } else {
            "not dropped"
        }
    );
    for i in 0..opts.warmup {
        for app in [&ours, &blank] {
            let rec = run::run_once(&app.path, app.label, i + 1, settings);
            eprintln!(
                "  warm-up {}/{} {:<5} {} (not counted)",
                i + 1,
                opts.warmup,
                app.label,
                describe(&rec)
            );
        }
    }
    for i in 0..opts.runs {
        for app in [&mut ours, &mut blank] {
            let rec = run::run_once(&app.path, app.label, i + 1, settings);
            eprintln!(
                "  run {:>2}/{} {:<5} {}",
                i + 1,
                opts.runs,
                app.label,
                describe(&rec)
            );
            for l in &rec.leftovers {
                eprintln!("    warning: still running after SIGKILL: {l}");
            }
            app.runs.push(rec);
        }
    }

    let report = Report::new(ours, blank, &opts, can_drop, drop_caches, started);
    let table = report.table();
    {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(table.as_bytes());
        let _ = out.flush();
    }
    let json = report.json();
    if let Some(dir) = opts.json.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Err(e) = std::fs::create_dir_all(dir) {
            eprintln!("cannot create {}: {e}", dir.display());
        }
    }
    match serde_json::to_string_pretty(&json) {
        Ok(text) => match std::fs::write(&opts.json, text + "\n") {
            Ok(()) => eprintln!("JSON: {}", opts.json.display()),
            Err(e) => eprintln!("cannot write {}: {e}", opts.json.display()),
        },
        Err(e) => eprintln!("cannot serialise the report: {e}"),
    }

    if report.failed_runs() > 0 {
        eprintln!("{} run(s) failed", report.failed_runs());
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn args(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_the_command_line() {
        let sh = "/bin/sh";
        let o = parse_args(&args(&["--app", sh, "--blank", sh, "--runs=3", "--warm"])).unwrap();
        assert_eq!(o.runs, 3);
        assert_eq!(o.warmup, 1);
        assert!(o.warm);
        assert_eq!(o.json, PathBuf::from("target/bench/startup.json"));
        assert_eq!(o.timeout, Duration::from_secs(60));
        assert_eq!(o.idle, Duration::from_secs(5));
        assert!(parse_args(&args(&["--app", sh])).is_err());
        assert!(parse_args(&args(&["--app", sh, "--blank", sh, "--runs", "0"])).is_err());
        assert!(parse_args(&args(&["--app", sh, "--blank", sh, "--bogus"])).is_err());
        assert!(parse_args(&args(&["--app", "/no/such", "--blank", sh])).is_err());
    }
}

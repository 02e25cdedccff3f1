//! One measured start: spawn, wait for `KYOSAI_READY`, idle, measure memory, end the tree.

use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use crate::procs::{self, ProcMem};

const DROP_CACHES: &str = "/proc/sys/vm/drop_caches";

/// What one successful run measured.
#[derive(Debug, Clone)]
pub struct Sample {
    /// Wall time from `spawn()` to reading the `KYOSAI_READY` line.
    pub startup_ms: f64,
    /// The number on the `KYOSAI_READY` line: the app's own clock, from the top of `main`.
    pub reported_ms: Option<u64>,
    pub processes: Vec<ProcMem>,
}

impl Sample {
    pub fn rss_kib(&self) -> u64 {
        self.processes.iter().map(|p| p.rss_kib).sum()
    }

    /// `None` unless Pss was readable for every process of the tree.
    pub fn pss_kib(&self) -> Option<u64> {
        self.processes.iter().map(|p| p.pss_kib).sum()
    }
}

/// One run of one app.
#[derive(Debug, Clone)]
pub struct RunRecord {
    pub index: usize,
    pub caches_dropped: bool,
    pub outcome: Result<Sample, String>,
    /// Processes that survived SIGTERM and SIGKILL (should be empty).
    pub leftovers: Vec<String>,
}

#[derive(Debug, Clone, Copy)]
pub struct RunSettings {
    pub timeout: Duration,
    pub idle: Duration,
    pub drop_caches: bool,
}

fn is_root() -> bool {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .and_then(|v| v.split_whitespace().nth(1).map(|e| e == "0"))
        })
        .unwrap_or(false)
}

/// Whether this process can drop the page cache (root, and the file opens for writing).
pub fn can_drop_caches() -> bool {
    is_root() && OpenOptions::new().write(true).open(DROP_CACHES).is_ok()
}

/// `sync`, then `echo 3 > /proc/sys/vm/drop_caches` (page cache, dentries and inodes).
fn drop_caches() -> bool {
    if !is_root() {
        return false;
    }
    let synced = Command::new("sync").status().is_ok_and(|s| s.success());
    synced
        && OpenOptions::new()
            .write(true)
            .open(DROP_CACHES)
            .and_then(|mut f| f.write_all(b"3\n"))
            .is_ok()
}

/// A temporary folder removed on drop (std only).
#[derive(Debug)]
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> std::io::Result<TempDir> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let path = std::env::temp_dir().join(format!(
            "kyosai-bench-{}-{tag}-{nanos:09}",
            std::process::id()
        ));
        fs::create_dir_all(&path)?;
        Ok(TempDir(path))
    }

    fn sub(&self, name: &str) -> std::io::Result<PathBuf> {
        let p = self.0.join(name);
        fs::create_dir_all(&p)?;
        Ok(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

#[derive(Debug)]
enum Event {
    Ready(Instant, Option<u64>),
    Eof,
}

fn stderr_tail(path: &Path, lines: usize) -> String {
    let text = fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let tail = &all[all.len().saturating_sub(lines)..];
    if tail.is_empty() {
        String::new()
    } else {
        format!("; stderr: {}", tail.join(" | "))
    }
}

/// Starts `binary` once and measures it. Never panics; a failure is in `outcome`.
pub fn run_once(binary: &Path, tag: &str, index: usize, settings: RunSettings) -> RunRecord {
    let caches_dropped = settings.drop_caches && drop_caches();
    let mut leftovers = Vec::new();
    let outcome = measure(binary, tag, settings, &mut leftovers);
    RunRecord {
        index,
        caches_dropped,
        outcome,
        leftovers,
    }
}

fn measure(
    binary: &Path,
    tag: &str,
    settings: RunSettings,
    leftovers: &mut Vec<String>,
) -> Result<Sample, String> {
    let tmp = TempDir::new(tag).map_err(|e| format!("temporary folder: {e}"))?;
    let dirs = (|| {
        Ok::<_, std::io::Error>((
            tmp.sub("data")?,
            tmp.sub("config")?,
            tmp.sub("cache")?,
            tmp.sub("share")?,
        ))
    })()
    .map_err(|e| format!("temporary folder: {e}"))?;
    let stderr_path = tmp.0.join("stderr.log");
    let stderr = File::create(&stderr_path).map_err(|e| format!("stderr log: {e}"))?;

    let mut cmd = Command::new(binary);
    cmd.env("KYOSAI_REPORT_READY", "1")
        .env("KYOSAI_DATA_DIR", &dirs.0)
        .env("KYOSAI_PROFILE", "bench")
        .env("XDG_CONFIG_HOME", &dirs.1)
        .env("XDG_CACHE_HOME", &dirs.2)
        .env("XDG_DATA_HOME", &dirs.3)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(stderr);

    let started = Instant::now();
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
    let (tx, rx) = mpsc::channel();
    if let Some(stdout) = child.stdout.take() {
        thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = Vec::new();
            loop {
                line.clear();
                match reader.read_until(b'\n', &mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        let text = String::from_utf8_lossy(&line);
                        if let Some(rest) = text.trim().strip_prefix("KYOSAI_READY") {
                            let _ = tx.send(Event::Ready(Instant::now(), rest.trim().parse().ok()));
                        }
                    }
                }
            }
            let _ = tx.send(Event::Eof);
        });
    }

    let ready = match rx.recv_timeout(settings.timeout) {
        Ok(Event::Ready(at, reported)) => Ok((at.duration_since(started), reported)),
        Ok(Event::Eof) | Err(mpsc::RecvTimeoutError::Disconnected) => {
            // Give the process a moment to finish exiting, for its status.
            thread::sleep(Duration::from_millis(200));
            let status = match child.try_wait() {
                Ok(Some(s)) => s.to_string(),
                _ => "still running, stdout closed".to_string(),
            };
            Err(format!(
                "exited before KYOSAI_READY ({status}){}",
                stderr_tail(&stderr_path, 3)
            ))
        }
        Err(mpsc::RecvTimeoutError::Timeout) => Err(format!(
            "no KYOSAI_READY within {} s{}",
            settings.timeout.as_secs(),
            stderr_tail(&stderr_path, 3)
        )),
    };

    let result = ready.and_then(|(elapsed, reported_ms)| {
        let idle_until = Instant::now() + settings.idle;
        while Instant::now() < idle_until {
            if let Ok(Some(status)) = child.try_wait() {
                return Err(format!(
                    "exited while idle ({status}){}",
                    stderr_tail(&stderr_path, 3)
                ));
            }
            thread::sleep(Duration::from_millis(100));
        }
        let processes: Vec<ProcMem> = procs::tree(child.id())
            .iter()
            .filter_map(procs::memory)
            .collect();
        if processes.is_empty() {
            return Err("process vanished before its memory was read".into());
        }
        Ok(Sample {
            startup_ms: elapsed.as_secs_f64() * 1000.0,
            reported_ms,
            processes,
        })
    });

    let left = procs::terminate_tree(&mut child, Duration::from_secs(5));
    leftovers.extend(left.iter().map(|s| format!("{} ({})", s.pid, s.comm)));
    // Let the stdout reader see end of file so its thread ends.
    let _ = rx.recv_timeout(Duration::from_secs(2));
    result
}

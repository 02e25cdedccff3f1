//! Linux `/proc`: process trees, their memory, and ending them.

use std::collections::HashMap;
use std::fs;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// What `/proc/PID/stat` says about one process.
#[derive(Debug, Clone)]
pub struct Stat {
    pub pid: u32,
    pub comm: String,
    pub state: char,
    pub ppid: u32,
    /// Clock ticks after boot: with the pid, identifies a process even if the pid is reused.
    pub start_time: u64,
}

pub fn stat(pid: u32) -> Option<Stat> {
    let text = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_stat(pid, &text)
}

fn parse_stat(pid: u32, text: &str) -> Option<Stat> {
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split at the last ')'.
    let open = text.find('(')?;
    let close = text.rfind(')')?;
    let comm = text.get(open + 1..close)?.to_string();
    let rest: Vec<&str> = text.get(close + 1..)?.split_whitespace().collect();
    // rest[0] is field 3 (state); field N is rest[N - 3].
    Some(Stat {
        pid,
        comm,
        state: rest.first()?.chars().next()?,
        ppid: rest.get(1)?.parse().ok()?,
        start_time: rest.get(19)?.parse().ok()?,
    })
}

fn all_processes() -> Vec<Stat> {
    let Ok(dir) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(stat)
        .collect()
}

/// `root` and all its descendants (following ppid links), root first; zombies left out.
pub fn tree(root: u32) -> Vec<Stat> {
    let all = all_processes();
    let mut children: HashMap<u32, Vec<&Stat>> = HashMap::new();
    for s in &all {
        children.entry(s.ppid).or_default().push(s);
    }
    let mut out: Vec<Stat> = all.iter().filter(|s| s.pid == root).cloned().collect();
    let mut i = 0;
    while i < out.len() {
        let pid = out[i].pid;
        if let Some(kids) = children.get(&pid) {
            out.extend(kids.iter().map(|s| (*s).clone()));
        }
        i += 1;
    }
    out.retain(|s| s.state != 'Z');
    out
}

/// Memory of one process, in KiB.
#[derive(Debug, Clone)]
pub struct ProcMem {
    pub pid: u32,
    pub name: String,
    pub rss_kib: u64,
    /// From `/proc/PID/smaps_rollup`, when it is readable.
    pub pss_kib: Option<u64>,
}

fn kib_field(text: &str, key: &str) -> Option<u64> {
    text.lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

pub fn memory(s: &Stat) -> Option<ProcMem> {
    let status = fs::read_to_string(format!("/proc/{}/status", s.pid)).ok()?;
    // Kernel threads and exiting processes have no VmRSS line: they count as 0.
    let rss_kib = kib_field(&status, "VmRSS:").unwrap_or(0);
    let pss_kib = fs::read_to_string(format!("/proc/{}/smaps_rollup", s.pid))
        .ok()
        .and_then(|t| kib_field(&t, "Pss:"));
    Some(ProcMem {
        pid: s.pid,
        name: program_name(s),
        rss_kib,
        pss_kib,
    })
}

/// The file name of argv[0] (`comm` is cut at 15 bytes: "WebKitWebProces").
fn program_name(s: &Stat) -> String {
    fs::read(format!("/proc/{}/cmdline", s.pid))
        .ok()
        .and_then(|raw| {
            let argv0 = raw.split(|b| *b == 0).next()?;
            let text = String::from_utf8_lossy(argv0);
            let base = text.rsplit('/').next()?.trim().to_string();
            (!base.is_empty()).then_some(base)
        })
        .unwrap_or_else(|| s.comm.clone())
}

fn alive(s: &Stat) -> bool {
    stat(s.pid).is_some_and(|now| now.start_time == s.start_time && now.state != 'Z')
}

fn signal(sig: &str, pids: &[u32]) {
    if pids.is_empty() {
        return;
    }
    // `kill` exits non-zero when one of the pids is already gone; the others are still signalled.
    let _ = Command::new("kill")
        .arg(format!("-{sig}"))
        .args(pids.iter().map(u32::to_string))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// SIGTERM to the child and every descendant, SIGKILL to whatever is left after `grace`;
/// reaps the child. Returns the processes still alive at the end (normally none).
pub fn terminate_tree(child: &mut Child, grace: Duration) -> Vec<Stat> {
    let root = child.id();
    let root_running = matches!(child.try_wait(), Ok(None));
    let mut procs = if root_running { tree(root) } else { Vec::new() };
    let pids: Vec<u32> = procs.iter().map(|s| s.pid).collect();
    signal("TERM", &pids);

    let wait_all = |child: &mut Child, procs: &mut Vec<Stat>, limit: Duration| {
        let until = Instant::now() + limit;
        loop {
            let root_done = !matches!(child.try_wait(), Ok(None));
            procs.retain(|s| s.pid == root || alive(s));
            if root_done {
                procs.retain(|s| s.pid != root);
            }
            if root_done && procs.is_empty() {
                return;
            }
            if Instant::now() >= until {
                return;
            }
            thread::sleep(Duration::from_millis(50));
        }
    };
    wait_all(child, &mut procs, grace);

    if matches!(child.try_wait(), Ok(None)) {
        let _ = child.kill();
    }
    let rest: Vec<u32> = procs
        .iter()
        .filter(|s| s.pid != root)
        .map(|s| s.pid)
        .collect();
    signal("KILL", &rest);
    wait_all(child, &mut procs, grace);
    let _ = child.wait();
    procs.retain(|s| s.pid != root && alive(s));
    procs
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn parses_stat_with_odd_process_names() {
        let text = "4242 (Web Content (x)) S 17 4242 4242 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 \
                    12 0 987654 100000 2000 18446744073709551615";
        let s = parse_stat(4242, text).unwrap();
        assert_eq!(s.comm, "Web Content (x)");
        assert_eq!(s.state, 'S');
        assert_eq!(s.ppid, 17);
        assert_eq!(s.start_time, 987654);
    }

    #[test]
    fn reads_kib_fields() {
        let text = "Name:\tx\nVmRSS:\t  123456 kB\nPss:  789 kB\n";
        assert_eq!(kib_field(text, "VmRSS:"), Some(123456));
        assert_eq!(kib_field(text, "Pss:"), Some(789));
        assert_eq!(kib_field(text, "VmSwap:"), None);
    }

    #[test]
    fn own_tree_holds_a_spawned_child_and_ends_it() {
        let mut child = Command::new("sleep").arg("30").spawn().unwrap();
        let t = tree(std::process::id());
        assert!(t.iter().any(|s| s.pid == child.id()));
        let own = memory(&t[0]).unwrap();
        assert!(own.rss_kib > 0);
        let sleeper = t.iter().find(|s| s.pid == child.id()).unwrap();
        assert_eq!(memory(sleeper).unwrap().name, "sleep");
        let left = terminate_tree(&mut child, Duration::from_secs(2));
        assert!(left.is_empty());
        assert!(stat(child.id()).is_none_or(|s| s.state == 'Z'));
    }
}

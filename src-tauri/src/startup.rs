//! Start-up timing: from process start to the first rendered screen.

use std::sync::OnceLock;
use std::time::Instant;

static STARTED: OnceLock<Instant> = OnceLock::new();
static READY: OnceLock<u128> = OnceLock::new();

pub fn mark_process_start() {
    let _ = STARTED.set(Instant::now());
}

/// Logs the start-up time once. With `KYOSAI_REPORT_READY=1` it also prints a line on
/// standard output, which the start-up benchmark reads.
pub fn first_screen_shown() {
    let Some(started) = STARTED.get() else { return };
    let ms = started.elapsed().as_millis();
    if READY.set(ms).is_ok() {
        tracing::info!(ms, "first screen shown");
        if std::env::var_os("KYOSAI_REPORT_READY").is_some() {
            #[allow(clippy::print_stdout)]
            {
                println!("KYOSAI_READY {ms}");
            }
        }
    }
}

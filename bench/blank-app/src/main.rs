//! The floor of the start-up benchmark: a blank Tauri 2 window with one command.
//!
//! Built like 共済デスク (`tauri build --no-bundle --ci`, release, custom protocol, page
//! embedded), with the same window size and security settings, and no plugins. With
//! `KYOSAI_REPORT_READY=1` it prints `KYOSAI_READY <ms>` on standard output once the page
//! has rendered, exactly as the real app does.

// Prevents an extra console window on Windows in release.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::sync::OnceLock;
use std::time::Instant;

static STARTED: OnceLock<Instant> = OnceLock::new();
static READY: OnceLock<u128> = OnceLock::new();

/// Called by the page after DOMContentLoaded and one animation frame.
#[tauri::command]
fn ready() {
    let Some(started) = STARTED.get() else { return };
    let ms = started.elapsed().as_millis();
    if READY.set(ms).is_ok() && std::env::var_os("KYOSAI_REPORT_READY").is_some() {
        #[allow(clippy::print_stdout)]
        {
            println!("KYOSAI_READY {ms}");
        }
    }
}

fn main() {
    let _ = STARTED.set(Instant::now());
    let result = tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![ready])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("blank app failed: {e}");
        std::process::exit(1);
    }
}

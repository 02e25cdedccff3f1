// Prevents an extra console window on Windows in release.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // Tesseract reads one small field image at a time: its OpenMP threads only fight over
    // the cores (0.44x the tesseract command's time per page with one thread, 0.85x
    // without; docs/benchmarks.md). Set before any thread starts; IT may override it.
    if std::env::var_os("OMP_THREAD_LIMIT").is_none() {
        std::env::set_var("OMP_THREAD_LIMIT", "1");
    }
    kyosai_desk_lib::run();
}

// The app's commands go through Tauri's ACL: each becomes a permission that only the
// capabilities of the windows that need it grant (`capabilities/`, one file per window).
include!("app_commands.rs");

fn main() {
    println!("cargo:rerun-if-changed=app_commands.rs");
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(APP_COMMANDS));
    if let Err(e) = tauri_build::try_build(attributes) {
        // A build script reports by panicking; the message names the bad capability.
        panic!("tauri-build: {e:#}");
    }
}

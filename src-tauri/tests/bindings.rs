#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The committed TypeScript bindings must match the Rust commands and DTOs.
//!
//! Regenerate with `KYOSAI_WRITE_BINDINGS=1 cargo test -p kyosai-desk --test bindings`.

use std::path::PathBuf;

#[test]
fn committed_bindings_are_current() {
    let committed = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/src/backend/bindings.ts");
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("bindings.ts");
    kyosai_desk_lib::export_bindings(&fresh).unwrap();
    let fresh_text = std::fs::read_to_string(&fresh).unwrap();
    if std::env::var_os("KYOSAI_WRITE_BINDINGS").is_some() {
        std::fs::write(&committed, &fresh_text).unwrap();
        return;
    }
    let committed_text = std::fs::read_to_string(&committed).unwrap_or_default();
    assert!(
        committed_text == fresh_text,
        "ui/src/backend/bindings.ts is stale: run `KYOSAI_WRITE_BINDINGS=1 cargo test -p kyosai-desk --test bindings` and commit it"
    );
}

#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The first databases a process opens, opened by many threads at once.
//!
//! SQLite marks itself initialised before it runs SQLCipher's own start-up
//! (`SQLITE_EXTRA_INIT` runs outside SQLite's init mutex), so a second thread could key a
//! connection while SQLCipher was still starting and get "An error occurred with PRAGMA
//! key or rekey" (CI saw this once in `backup.rs`). This file holds one test only, so
//! that its threads are the process's first users of SQLite.

use std::sync::{Arc, Barrier};

use kyosai_store::{DbKey, Store};

#[test]
fn many_threads_opening_the_first_encrypted_databases_at_once_all_succeed() {
    const THREADS: usize = 16;
    let dir = tempfile::tempdir().unwrap();
    let barrier = Arc::new(Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|i| {
            let path = dir.path().join(format!("p{i}/kyosai.sqlite3"));
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                let key = DbKey::generate().unwrap();
                barrier.wait();
                Store::open_encrypted(&path, &key).map(|_| ())
            })
        })
        .collect();
    let failures: Vec<String> = handles
        .into_iter()
        .enumerate()
        .filter_map(|(i, h)| h.join().unwrap().err().map(|e| format!("thread {i}: {e}")))
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
}

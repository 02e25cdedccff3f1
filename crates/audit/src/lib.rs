//! The tamper-evident audit log of Kyosai Desk: who did what, when, to which record.
//!
//! Both the desktop app (its local SQLite store) and the central service keep an
//! append-only log of [`Entry`] values. Each entry carries the SHA-256 hash of its own
//! content and of the hash of the entry before it, so the entries form a chain: editing,
//! deleting, inserting or reordering any entry breaks the chain, and [`verify`] says where.
//! A checkpoint of the chain's head kept somewhere else (a [`Head`], e.g. on the central
//! service) also catches a cut-off tail and a chain rewritten from scratch.
//!
//! What this crate holds:
//!
//! - [`entry`]: [`Entry`], [`NewEntry`], [`next`] (the only way to make an entry) and the
//!   hash;
//! - [`canonical`]: the canonical encoding the hash covers — written down there so that an
//!   auditor can re-implement the check without this code;
//! - [`verify`](mod@verify): the verifier, its [`Break`] kinds and their Japanese messages;
//! - [`actions`]: the stable action names, in one list;
//! - [`detail`]: [`check_detail`], which refuses a 個人番号 or a bank account number in an
//!   entry's `detail`;
//! - [`jsonl`]: the JSON Lines export format (one canonical entry per line) and its strict
//!   reader.
//!
//! What it is not: storage. The app's table lives in `kyosai-store` (`audit` module), the
//! server's in `kyosai-central`. This crate is pure: values in, values out.

pub mod actions;
pub mod canonical;
pub mod detail;
pub mod entry;
pub mod jsonl;
pub mod verify;

pub use detail::{check_detail, DetailError};
pub use entry::{entry_hash, next, Entry, Head, NewEntry, GENESIS_HASH};
pub use jsonl::{parse_line, read_jsonl, to_line, LineError, ReadError};
pub use verify::{verify, verify_after, Break, BreakKind, Summary};

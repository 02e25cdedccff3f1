//! `kyosai-central`: the central sync service of Kyosai Desk (共済デスク).
//!
//! Clerks, office heads, secretariat reviewers and approvers work on different PCs; their
//! work meets here. This crate is the server half of the sync API whose wire types live
//! in `kyosai-sync-protocol`:
//!
//! - **Sign-in** ([`auth`]): argon2id passwords, lockout after repeated failures, device
//!   enrolment, short-lived opaque access tokens and rotating refresh tokens (stored as
//!   SHA-256 only). The actor of every request comes from its token, never from its body.
//! - **Push**: named, versioned commands processed in `seq` order exactly once; each
//!   outcome (applied / conflict / rejected) is stored with the change it made, in the
//!   same transaction, and answered again on replay.
//! - **Pull** and **poke**: one global change order, filtered to what the user may see,
//!   with opaque cursors and a reset signal; a long poll to learn about changes early.
//! - **Storage** ([`storage`]): SQLite embedded (the default) or PostgreSQL (production),
//!   behind one interface, with migrations.
//! - **Audit** ([`audit`]): every action leaves an entry in a hash-chained, append-only
//!   log (format and verifier: `kyosai-audit`), written in the action's own transaction.
//! - **Administration**: the `kyosai-central` binary (offices, users, devices, demo data,
//!   development certificates, the audit log) and [`testing::TestServer`] for integration
//!   tests.
//!
//! What it is not: it holds no business workflow of its own yet beyond the generic
//! `record.*` commands (`record.create@1`, `record.update@1`, `record.transfer@1`); the modules (acquisition notifications, approvals,
//! payments) add their commands to the registry and their rules to `kyosai-domain`. It
//! is not the desktop app's local store (`kyosai-store`) nor its sync loop
//! (`kyosai-sync-client`).

pub mod acquisition;
pub mod analytics;
mod api;
pub mod audit;
pub mod auth;
pub mod certs;
mod commands;
pub mod config;
mod cursor;
pub mod demo;
pub mod demo_year;
mod error;
pub mod model;
mod ocr_lease;
mod redact;
mod server;
pub mod storage;
pub mod testing;
pub mod updates;
pub mod version;

pub use api::MAX_POKE_WAIT_SECONDS;
pub use commands::known_commands;
pub use config::{Config, ConfigError, StorageSpec, Transport};
pub use error::ApiFailure;
pub use server::{serve, tls_acceptor, RunningServer, ServeError, DEFAULT_GRACE};
pub use storage::Storage;

//! The use cases of Kyosai Desk: what the desktop shell (and later the CLI) calls.
//!
//! Each public function takes plain data (the DTOs in this crate, which are also the
//! types generated for TypeScript), applies the rules of `kyosai-domain`, persists
//! through `kyosai-store` and returns either a DTO or the one boundary error
//! [`AppError`]. Nothing here knows about Tauri or windows; the shell's commands are a
//! few lines that call into this crate.

pub mod acquisition_import;
pub mod acquisition_review;
pub mod acquisitions;
pub mod approvals;
pub mod audit;
pub mod dashboard;
pub mod dates;
pub mod diagnostics;
pub mod error;
pub mod findings;
pub(crate) mod input;
pub mod local_db;
pub mod notes;
pub mod ocr;
pub mod printing;
pub mod procurement;
pub mod proposals;
pub mod session_lock;
pub mod settings;
pub mod sync;
pub mod update;
pub mod worktime;

pub use error::AppError;
pub use findings::{FindingDto, SeverityDto};

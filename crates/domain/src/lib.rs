//! Pure business rules of Kyosai Desk (共済デスク), the back-office desktop app of
//! 東京都職員共済組合.
//!
//! Every rule a clerk relies on lives here once and is called by the desktop shell, the
//! CLI and the central service alike:
//!
//! - [`finding`]: the [`Finding`] a check reports (field, stable code, severity, Japanese
//!   message) — the shape every validator in this crate returns;
//! - [`wareki`]: 和暦 ⇄ 西暦 conversion, formatting and parsing, with the era table as data;
//! - [`fiscal`]: 年度 (April–March) and age under Japanese law (age N is reached on the day
//!   before the N-th birthday);
//! - [`ids`]: 個人番号, 法人番号, 登録番号 (T + 13 digits), 基礎年金番号, 郵便番号, bank
//!   codes and the ゆうちょ 記号番号 conversion, each with its check digit where one exists;
//! - [`kana`]: NFKC normalisation, フリガナ (katakana) names and name spacing;
//! - [`settings`]: checks of the connection settings a clerk types in.
//!
//! What it is **not**: it does no IO (no files, network, clock or environment), no async,
//! no SQL and nothing of Tauri or the UI. The existence and contents of a certificate file,
//! reachability of a server and storage of records belong to the app and `kyosai-store`.
//! Money is integer yen (`i64`), dates are [`chrono::NaiveDate`]; 和暦 is only a view.
//!
//! Errors carry a stable `code()` that callers switch on (never the message text) and a
//! short, polite Japanese message that says what is wrong and what to do.

pub mod finding;
pub mod fiscal;
pub mod ids;
pub mod kana;
pub mod settings;
pub mod wareki;

pub use finding::{has_errors, Coded, Finding, Severity};

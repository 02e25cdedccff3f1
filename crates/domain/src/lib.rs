//! Pure business rules of Kyosai Desk (共済デスク), the back-office desktop app of
//! 東京都職員共済組合.
//!
//! Every rule a clerk relies on lives here once and is called by the desktop shell, the
//! CLI and the central service alike:
//!
//! - [`finding`]: the [`Finding`] a check reports (field, stable code, severity, Japanese
//!   message) — the shape every validator in this crate returns;
//! - [`wareki`]: 和暦 ⇄ 西暦 conversion, formatting and parsing, with the era table as data;
//! - [`date_input`]: dates as typed, in 西暦 or 和暦, with findings for a form field;
//! - [`fiscal`]: 年度 (April–March) and age under Japanese law (age N is reached on the day
//!   before the N-th birthday);
//! - [`ids`]: 個人番号, 法人番号, 登録番号 (T + 13 digits), 基礎年金番号, 郵便番号, bank
//!   codes and the ゆうちょ 記号番号 conversion, each with its check digit where one exists;
//! - [`kana`]: NFKC normalisation, フリガナ (katakana) names and name spacing;
//! - [`settings`]: checks of the connection settings a clerk types in;
//! - [`rules`]: effective-dated rule data — every number an ordinance can change, each row
//!   marked when it is 要確認 — and the catalogue the UI's rule list shows;
//! - [`grades`]: 標準報酬 grades for 短期給付 (50) and 厚生年金 (32, and the scheduled
//!   2027–2029 steps);
//! - [`remuneration`]: 報酬月額 at acquisition from the pay components, the grades it gives
//!   and how long they apply;
//! - [`age_rules`]: what an age means on a day (介護掛金 by month, 厚生年金 to 70,
//!   後期高齢者医療 from 75);
//! - [`dependants`]: 被扶養者 relationships, household rules, income limits and 認定日;
//! - [`approval`]: 電子決裁 — routes from the effective-dated 専決規程 table, 承認 / 代決 /
//!   引上げ / 後閲 / 差戻し / 却下 / 取下げ, and the content hash an approval is bound to;
//! - [`acquisition`]: the 組合員資格取得届 — record model, checks (as typed and before
//!   submission), acknowledged warnings, and the workflow from draft to registration;
//! - [`flow`]: 業務の見える化 — time per step (waiting and working), volumes, backlog,
//!   deadlines, the 業務フロー table and before/after comparisons;
//! - [`procurement`]: 調達・契約・支払 — tax per rate, JP PINT invoices, bank business
//!   days and 支払遅延防止法 deadlines, contract methods, bank master data, vendors and the
//!   全銀 総合振込 file.
//!
//! What it is **not**: it does no IO (no files, network, clock or environment), no async,
//! no SQL and nothing of Tauri or the UI. The existence and contents of a certificate file,
//! reachability of a server and storage of records belong to the app and `kyosai-store`.
//! Money is integer yen (`i64`), dates are [`chrono::NaiveDate`]; 和暦 is only a view.
//!
//! Errors carry a stable `code()` that callers switch on (never the message text) and a
//! short, polite Japanese message that says what is wrong and what to do.

pub mod acquisition;
pub mod age_rules;
pub mod approval;
pub mod date_input;
pub mod dependants;
pub mod finding;
pub mod fiscal;
pub mod flow;
pub mod grades;
pub mod ids;
pub mod kana;
pub mod procurement;
pub mod remuneration;
pub mod rules;
pub mod settings;
pub mod wareki;

pub use finding::{has_errors, Coded, Finding, Severity};

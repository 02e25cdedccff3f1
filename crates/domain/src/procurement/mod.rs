//! 調達・契約・支払事務: from a purchase request to the bank transfer file.
//!
//! A purchase request (調達依頼) becomes a contract (契約), the delivery is inspected
//! (検収・検査), the invoice (請求書) is checked and a payment order (支出命令) produces the
//! 全銀 総合振込 file. Each step is a document approved along the 専決規程 route
//! ([`crate::approval`]), immutable once decided and linked to its parent.
//!
//! - [`tax`]: consumption tax per rate, rounded once per rate per invoice;
//! - [`invoice`]: the invoice model and its checks (登録番号, stated vs computed tax);
//! - [`pint`]: JP PINT (Peppol BIS Billing, UBL 2.1) e-invoice import;
//! - [`calendar`]: bank business days from the shipped national holiday table;
//! - [`deadlines`]: 支払遅延防止法 — inspection and payment deadlines, and what is at risk;
//! - [`contract`]: contract methods (一般競争入札 / 指名競争入札 / 随意契約) and the
//!   effective-dated 随意契約 ceilings; whether a 契約書 is required;
//! - [`banks`]: the 全銀 bank and branch master data (zengin-code data set, shipped);
//! - [`vendor`]: 契約相手方 — names, 法人番号, 登録番号, bank account, contact;
//! - [`zengin`]: the 全銀 総合振込 file (120-byte records, JIS X 0201 half-width kana);
//! - [`document`]: the step kinds, their links and what each step needs before it may
//!   start (a decided parent);
//! - [`steps`]: the bodies of the request (with quotes), contract, inspection and payment
//!   order (with the invoice), and their checks.

pub mod banks;
pub mod calendar;
pub mod contract;
pub mod deadlines;
pub mod document;
pub mod invoice;
pub mod pint;
pub mod steps;
pub mod tax;
pub mod vendor;
pub mod zengin;

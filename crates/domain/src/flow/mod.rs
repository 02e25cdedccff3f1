//! 業務の見える化: how long the work takes, measured from the work itself.
//!
//! The inputs are what the central service already keeps — each case's record with its
//! server-owned approval history, the work sessions the apps report (time a document was
//! open and being worked on, idle excluded), the OCR queue's documents — and the outputs
//! are the figures of the dashboard and the 業務フロー table of the DX plan (第2章 8):
//! 処理時間 分/件, 処理件数 件/年, 処理時間 時間/年 per process step.
//!
//! Definitions (the test of the central service recomputes them independently):
//! - a **step** of a case is its drafting (`draft`, 起案・作成) or one step of its
//!   approval route, keyed by the step's label (「所属所長」, 「課長」, 「合議（…）」);
//!   an OCR document has one step, `ocr_review` (確認・修正);
//! - a step's **elapsed** time runs from when the case reached it (created, submitted, or
//!   the previous step completed) to when it left it (submitted, approved, returned,
//!   rejected, withdrawn); **working** time is the sum of the work sessions reported for
//!   that case and step; **waiting** time is elapsed minus working, never below zero;
//!   a case that passes a step twice (差戻し and 再提出) adds both passes;
//! - **median** is the middle value (the mean of the two middle values for an even count);
//!   **p90** is the nearest-rank 90th percentile (the ⌈0.9·n⌉-th smallest);
//! - per-case figures of a step count the cases whose last pass of the step ended inside
//!   the period;
//! - 処理時間 分/件 in the 業務フロー table is the **mean** working minutes per case (so
//!   分/件 × 件/年 ÷ 60 = 時間/年 holds), and 件/年 is the period's count scaled to 365
//!   days.

pub mod dashboard;
pub mod stats;
pub mod timeline;
pub mod types;

#[cfg(test)]
mod tests;

pub use dashboard::dashboard;
pub use types::*;

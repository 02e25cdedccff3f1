//! 組合員資格取得届 (membership acquisition notification): the record, its checks, and its
//! workflow.
//!
//! - [`my_number`]: who may reveal a stored 個人番号, and why;
//! - [`form`]: the record model ([`AcquisitionForm`]) as it travels between the desktop
//!   app, the CLI and the central service (JSON, camelCase);
//! - [`check`](mod@check): findings as the clerk types ([`check()`]) and before submission
//!   ([`check_for_submission`]), with notes and grades ([`assess`]);
//! - [`ack`]: acknowledged warnings;
//! - [`codes`]: every finding and note code;
//! - [`registration`]: the registration file for the core system;
//! - [`stage`]: where a notification stands on its approval route (証明・審査・登録待ち …);
//! - [`review`]: the automated review across cases (duplicates, dependants claimed twice)
//!   the central service runs for the secretariat;
//! - [`workflow`]: draft → submitted → certified → reviewed → registered, with returns
//!   and withdrawal.

pub mod ack;
pub mod check;
pub mod codes;
pub mod form;
pub mod my_number;
mod normalize;
pub mod registration;
pub mod review;
pub mod stage;
pub mod workflow;

pub use ack::{can_submit, unacknowledged_warnings, Acknowledgement};
pub use check::{
    assess, assess_with, check, check_for_submission, ready_for_submission, Assessment,
    CheckContext, CheckMode, Note,
};
pub use form::{
    AcquisitionForm, AcquisitionReason, AcquisitionSection, Appointment, Dependant,
    EmploymentSection, MemberSection, MemberType, MyNumberText, OfficeSection, PensionPeriod,
    PensionScheme, Sex,
};
pub use normalize::normalize;

//! The stable action names an [`Entry`](crate::Entry) may carry, in one list.
//!
//! These strings are stored in every log and read by auditors: never rename one. Add a new
//! name here (and to [`ALL`]) before using it.

/// A user signed in (the app after the central service accepted the password).
pub const AUTH_SIGN_IN: &str = "auth.sign_in";
/// A sign-in was refused (wrong password, locked account).
pub const AUTH_SIGN_IN_FAILED: &str = "auth.sign_in_failed";
/// A user signed out.
pub const AUTH_SIGN_OUT: &str = "auth.sign_out";
/// The locked app was unlocked again.
pub const AUTH_UNLOCK: &str = "auth.unlock";
/// A user re-authenticated before a sensitive action (approval, payment file).
pub const AUTH_REAUTH: &str = "auth.reauth";

/// A record (届出, 起案, 調達 step …) was created.
pub const RECORD_CREATE: &str = "record.create";
/// A record was changed.
pub const RECORD_UPDATE: &str = "record.update";
/// A record was submitted for 決裁 (決裁に回す).
pub const RECORD_SUBMIT: &str = "record.submit";
/// A step of a 決裁 was approved (承認, 代決, 後閲; the detail says which).
pub const RECORD_APPROVE: &str = "record.approve";
/// A 決裁 was refused (却下).
pub const RECORD_REJECT: &str = "record.reject";
/// A 決裁 was sent back to its drafter (差戻し).
pub const RECORD_RETURN: &str = "record.return";
/// A submitted record was withdrawn by its drafter (取下げ).
pub const RECORD_WITHDRAW: &str = "record.withdraw";
/// A record was handed to another office or person.
pub const RECORD_TRANSFER: &str = "record.transfer";

/// A 個人番号 was shown unmasked (one field, one record, with a reason).
pub const MYNUMBER_REVEAL: &str = "mynumber.reveal";

/// A 全銀 transfer file (振込データ) was written.
pub const EXPORT_ZENGIN: &str = "export.zengin";
/// A PDF (決裁書, 届出 …) was written.
pub const EXPORT_PDF: &str = "export.pdf";
/// Registration data (登録データ) was written.
pub const EXPORT_REGISTRATION: &str = "export.registration";
/// The audit log itself was exported.
pub const EXPORT_AUDIT: &str = "export.audit";
/// A CSV of records (決裁履歴 …) was written.
pub const EXPORT_CSV: &str = "export.csv";

/// A setting was changed.
pub const CONFIG_CHANGE: &str = "config.change";
/// An IT administrator changed a user (roles, lock, password reset).
pub const USER_ADMIN: &str = "user.admin";

/// Every action name, in the order above.
pub const ALL: &[&str] = &[
    AUTH_SIGN_IN,
    AUTH_SIGN_IN_FAILED,
    AUTH_SIGN_OUT,
    AUTH_UNLOCK,
    AUTH_REAUTH,
    RECORD_CREATE,
    RECORD_UPDATE,
    RECORD_SUBMIT,
    RECORD_APPROVE,
    RECORD_REJECT,
    RECORD_RETURN,
    RECORD_WITHDRAW,
    RECORD_TRANSFER,
    MYNUMBER_REVEAL,
    EXPORT_ZENGIN,
    EXPORT_PDF,
    EXPORT_REGISTRATION,
    EXPORT_AUDIT,
    EXPORT_CSV,
    CONFIG_CHANGE,
    USER_ADMIN,
];

/// Whether `action` is one of [`ALL`].
pub fn is_known(action: &str) -> bool {
    ALL.contains(&action)
}

/// A short Japanese label of an action for lists shown to IT, or `None` if unknown.
pub fn label(action: &str) -> Option<&'static str> {
    Some(match action {
        AUTH_SIGN_IN => "サインイン",
        AUTH_SIGN_IN_FAILED => "サインイン失敗",
        AUTH_SIGN_OUT => "サインアウト",
        AUTH_UNLOCK => "ロック解除",
        AUTH_REAUTH => "再認証",
        RECORD_CREATE => "作成",
        RECORD_UPDATE => "変更",
        RECORD_SUBMIT => "決裁に回す",
        RECORD_APPROVE => "承認",
        RECORD_REJECT => "却下",
        RECORD_RETURN => "差戻し",
        RECORD_WITHDRAW => "取下げ",
        RECORD_TRANSFER => "引継ぎ",
        MYNUMBER_REVEAL => "個人番号の表示",
        EXPORT_ZENGIN => "振込データの作成",
        EXPORT_PDF => "PDFの書き出し",
        EXPORT_REGISTRATION => "登録データの書き出し",
        EXPORT_AUDIT => "監査ログの書き出し",
        EXPORT_CSV => "CSVの書き出し",
        CONFIG_CHANGE => "設定の変更",
        USER_ADMIN => "利用者の管理",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_dotted_and_labelled() {
        let mut seen = std::collections::HashSet::new();
        for name in ALL {
            assert!(seen.insert(*name), "{name} twice");
            assert!(
                name.split_once('.')
                    .is_some_and(|(a, b)| !a.is_empty() && !b.is_empty()),
                "{name}"
            );
            assert!(name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'.' || b == b'_'));
            assert!(label(name).is_some(), "{name} has no label");
        }
        assert!(!is_known("record.delete"));
    }
}

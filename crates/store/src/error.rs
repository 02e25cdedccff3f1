use std::path::PathBuf;

use crate::location::LocationError;

/// Everything that can go wrong in the local store.
///
/// `Display` is a Japanese sentence for the clerk that says what to do; `code()` is the
/// stable identifier that the UI and the logs use.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("このデータベースは新しいバージョンの共済デスク（スキーマ {found}）で作成されています。この版はスキーマ {supported} までしか扱えません。共済デスクを最新版に更新してください。")]
    NewerSchema { found: u32, supported: u32 },

    #[error("データの保存先フォルダ {path} を作成できません（{source}）。フォルダの権限を確認してください。")]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("データベース {path} を開けません（{source}）。ほかの共済デスクが同じプロファイルで開いていないか確認してください。")]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },

    #[error(transparent)]
    Location(#[from] LocationError),

    #[error("データベースの更新（{version}: {name}）に失敗しました（{source}）。情報システム担当に連絡してください。")]
    Migration {
        version: u32,
        name: &'static str,
        #[source]
        source: rusqlite::Error,
    },

    #[error("データベースの操作に失敗しました（{0}）。もう一度お試しください。続く場合は情報システム担当に連絡してください。")]
    Sqlite(#[from] rusqlite::Error),

    #[error("対象の記録（{id}）がこのPCにありません。一覧を更新してからもう一度お試しください。")]
    RecordNotFound { id: uuid::Uuid },

    #[error("{field}が空です。入力してからもう一度お試しください。")]
    InvalidInput { field: &'static str },

    #[error("この記録の変更はまだ送信待ちです。同期が終わってからもう一度お試しください。")]
    DraftInFlight { id: uuid::Uuid },

    #[error("このプロファイルには、利用者 {user_id} さんの未送信・競合・差戻しの作業が残っています。先に {user_id} さんでサインインして作業を送信または整理してから、利用者を切り替えてください。")]
    OtherUserUnsentWork { user_id: String },

    #[error(
        "保存されているデータ（{what}）を読み取れません。情報システム担当に連絡してください。"
    )]
    DataInvalid { what: String },

    #[error(transparent)]
    AuditDetail(#[from] kyosai_audit::DetailError),

    #[error(
        "監査ログを書き出せません（{source}）。書き出し先の空き容量と権限を確認してください。"
    )]
    AuditWrite {
        #[source]
        source: std::io::Error,
    },

    #[error("データベース {path} をこのPCの鍵で開けません。鍵が変わったか、別のPCやプロファイルのファイルです。")]
    KeyMismatch { path: PathBuf },

    #[error("データベースの鍵の形式が正しくありません。")]
    KeyFormat,

    #[error("暗号化の鍵を作れません（乱数を取得できません: {detail}）。情報システム担当に連絡してください。")]
    Random { detail: String },

    #[error("この共済デスクは暗号化に対応していないSQLiteで作られています。正式な共済デスクを入れ直してください。")]
    NoCipher,

    #[error("データベース {path} を暗号化できません（{detail}）。元のファイルはそのまま残っています。空き容量を確認して、共済デスクを起動し直してください。")]
    Encrypt { path: PathBuf, detail: String },

    #[error("読めないデータベース {path} を別名で保管できません（{source}）。フォルダの権限を確認してください。")]
    SetAside {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("暗号化した保管ファイル {path} を読み書きできません（{source}）。空き容量と権限を確認してください。")]
    VaultIo {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error(
        "保管ファイル {name} を開けません。改ざんされたか、別の鍵で暗号化されたファイルです。"
    )]
    VaultUnreadable { name: String },

    #[error("保管ファイルの名前「{name}」は使えません（半角英数字・.・_・- の128文字以内）。")]
    VaultName { name: String },

    #[error(
        "未送信の作業の記録 {path} を書けません（{source}）。空き容量と権限を確認してください。"
    )]
    UnsentSummary {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("このデータベースは暗号化されていないため、暗号化した保管ファイルを使えません。")]
    VaultUnavailable,
}

impl StoreError {
    pub(crate) fn open(path: &std::path::Path, source: rusqlite::Error) -> Self {
        StoreError::Open {
            path: path.to_path_buf(),
            source,
        }
    }

    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::NewerSchema { .. } => "store.newer_schema",
            StoreError::CreateDir { .. } => "store.create_dir",
            StoreError::Open { .. } => "store.open",
            StoreError::Location(_) => "store.network_drive",
            StoreError::Migration { .. } => "store.migration",
            StoreError::Sqlite(_) => "store.sqlite",
            StoreError::RecordNotFound { .. } => "store.record_not_found",
            StoreError::InvalidInput { .. } => "store.invalid_input",
            StoreError::DraftInFlight { .. } => "sync.draft_in_flight",
            StoreError::OtherUserUnsentWork { .. } => "sync.other_user_unsent_work",
            StoreError::DataInvalid { .. } => "store.data_invalid",
            StoreError::AuditDetail(e) => e.code(),
            StoreError::AuditWrite { .. } => "audit.write",
            StoreError::KeyMismatch { .. } => "store.key_mismatch",
            StoreError::KeyFormat => "store.key_format",
            StoreError::Random { .. } => "store.random",
            StoreError::NoCipher => "store.no_cipher",
            StoreError::Encrypt { .. } => "store.encrypt",
            StoreError::SetAside { .. } => "store.set_aside",
            StoreError::VaultIo { .. } => "store.vault_io",
            StoreError::VaultUnreadable { .. } => "store.vault_unreadable",
            StoreError::VaultName { .. } => "store.vault_name",
            StoreError::VaultUnavailable => "store.vault_unavailable",
            StoreError::UnsentSummary { .. } => "store.unsent_summary",
        }
    }
}

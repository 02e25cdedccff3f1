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
        }
    }
}

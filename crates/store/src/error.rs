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
        }
    }
}

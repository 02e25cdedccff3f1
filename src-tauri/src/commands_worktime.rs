//! The IPC command of 見える化's working time (`kyosai_app::worktime`): an editor hands
//! over the active time it counted on a case; it is queued as `work.time@1`.

use kyosai_app::worktime::{self, WorkTimeRequest};
use kyosai_app::AppError;
use tauri::State;

use crate::state::AppState;

/// Queues the active time counted on a case. `false` when nothing was queued (too short,
/// or a case this PC does not hold).
#[tauri::command]
#[specta::specta]
pub async fn work_time_record(
    state: State<'_, AppState>,
    request: WorkTimeRequest,
) -> Result<bool, AppError> {
    let queued = worktime::record(state.shared_store()?, request).await?;
    if queued {
        state.sync()?.notify_local_write().await;
    }
    Ok(queued)
}

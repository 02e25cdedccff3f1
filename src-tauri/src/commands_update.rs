//! The IPC commands of app updates (`kyosai_app::update`): ask the central service for a
//! newer release on this PC's channel, and download one verified against the public key
//! built into the app. Installing it is the OS installer's job.

use kyosai_app::update::{self, DownloadedUpdate, UpdateOffer, UpdatePolicy};
use kyosai_app::AppError;
use tauri::State;

use crate::state::AppState;

/// The newer release on offer, `null` when this version is current;
/// `update.disabled` when IT's policy turns the app's updates off.
#[tauri::command]
#[specta::specta]
pub async fn update_check(state: State<'_, AppState>) -> Result<Option<UpdateOffer>, AppError> {
    let policy = UpdatePolicy::from_policy(state.policy.as_ref());
    update::check(state.sync()?, policy, env!("CARGO_PKG_VERSION")).await
}

/// Downloads the newer release into the profile's `updates/` folder and verifies its
/// signature; returns the verified file and what to do with it.
#[tauri::command]
#[specta::specta]
pub async fn update_download(state: State<'_, AppState>) -> Result<DownloadedUpdate, AppError> {
    let policy = UpdatePolicy::from_policy(state.policy.as_ref());
    let dir = update::folder(&state.paths.root);
    update::download_and_verify(
        state.sync()?,
        policy,
        env!("CARGO_PKG_VERSION"),
        &dir,
        update::BUILT_IN_PUBLIC_KEY,
    )
    .await
}

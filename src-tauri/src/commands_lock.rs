//! The IPC commands of the locked app (`kyosai_app::session_lock`): its status, locking
//! after the idle time, unlocking with the password, and confirming the password before
//! 決裁 and the payment file. The password is checked on this PC (offline too).

use std::time::Instant;

use kyosai_app::session_lock::{self, LockStatus, PasswordOutcome, Purpose, SessionLock};
use kyosai_app::AppError;
use tauri::State;

use crate::state::AppState;

async fn status(state: &AppState, lock: &SessionLock) -> LockStatus {
    let (user_id, display_name) = match state.sync() {
        Ok(sync) => {
            let me = sync.me().await;
            (sync.status().signed_in_user, me.map(|u| u.display_name))
        }
        Err(_) => (None, None),
    };
    LockStatus {
        locked: lock.is_locked(),
        user_id,
        display_name,
        idle_lock_seconds: kyosai_app::settings::idle_lock_seconds(state.policy.as_ref()),
        attempts_left: lock.attempts_left(),
    }
}

#[tauri::command]
#[specta::specta]
pub async fn lock_status(
    state: State<'_, AppState>,
    lock: State<'_, SessionLock>,
) -> Result<LockStatus, AppError> {
    Ok(status(&state, &lock).await)
}

/// Locks the app (the UI saw no input for the idle time) when someone is signed in;
/// with nobody signed in there is no password to unlock with, and nothing is locked.
#[tauri::command]
#[specta::specta]
pub async fn lock_now(
    state: State<'_, AppState>,
    lock: State<'_, SessionLock>,
) -> Result<LockStatus, AppError> {
    let now = status(&state, &lock).await;
    if now.user_id.is_none() || now.locked {
        return Ok(now);
    }
    lock.lock();
    tracing::info!("app locked");
    Ok(status(&state, &lock).await)
}

/// Checks the password and records the outcome; after the last wrong one the session
/// ends (unsent work kept) and the lock is lifted with it.
async fn check_password(
    state: &AppState,
    lock: &SessionLock,
    password: &str,
    purpose: Purpose,
) -> Result<(), AppError> {
    let sync = state.sync()?;
    let matched = sync.verify_password(password).await?;
    let outcome = lock.password_checked(matched, purpose, Instant::now());
    // Every check is in the audit log (the outcome, never the password), before the
    // answer: an unlock or a 決裁 confirmation that cannot be recorded does not happen.
    let (result, attempts_left) = match &outcome {
        PasswordOutcome::Accepted => ("ok", None),
        PasswordOutcome::Wrong { attempts_left } => ("wrong_password", Some(*attempts_left)),
        PasswordOutcome::TooManyWrong => ("too_many_wrong_passwords", Some(0)),
    };
    let action = match purpose {
        Purpose::Unlock => kyosai_audit::actions::AUTH_UNLOCK,
        Purpose::Confirm => kyosai_audit::actions::AUTH_REAUTH,
    };
    let actor = sync.require_me().await?.user_id;
    let mut detail = serde_json::json!({ "result": result });
    if let Some(n) = attempts_left {
        detail["attemptsLeft"] = serde_json::json!(n);
    }
    kyosai_app::audit::record(
        state.shared_store()?,
        kyosai_audit::NewEntry::now(actor, action).detail(detail),
    )
    .await?;
    match outcome {
        PasswordOutcome::Accepted => Ok(()),
        PasswordOutcome::Wrong { attempts_left } => {
            tracing::info!(?purpose, attempts_left, "wrong password");
            Err(session_lock::wrong_password(attempts_left))
        }
        PasswordOutcome::TooManyWrong => {
            tracing::warn!(?purpose, "too many wrong passwords: the session ends");
            if let Err(e) = sync.end_session().await {
                tracing::warn!(code = %e.code, "the session did not end cleanly");
            }
            lock.reset();
            Err(session_lock::too_many_wrong_passwords())
        }
    }
}

#[tauri::command]
#[specta::specta]
pub async fn unlock(
    state: State<'_, AppState>,
    lock: State<'_, SessionLock>,
    password: String,
) -> Result<LockStatus, AppError> {
    if lock.is_locked() {
        check_password(&state, &lock, &password, Purpose::Unlock).await?;
        tracing::info!("app unlocked");
    }
    Ok(status(&state, &lock).await)
}

/// The password typed again before 決裁 or the payment file: covers the next two minutes.
#[tauri::command]
#[specta::specta]
pub async fn reauthenticate(
    state: State<'_, AppState>,
    lock: State<'_, SessionLock>,
    password: String,
) -> Result<(), AppError> {
    check_password(&state, &lock, &password, Purpose::Confirm).await
}

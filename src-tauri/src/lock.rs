//! The shell's gate of the locked app: every command goes through [`guarded`], which
//! refuses it (`session.locked`) while the app is locked, except the few the lock screen
//! needs. The UI hides everything too, but it is not the only gate.
//!
//! The state and its rules are `kyosai_app::session_lock`; the commands that lock and
//! unlock are in `commands_lock`.

use kyosai_app::session_lock::SessionLock;
use kyosai_app::AppError;
use tauri::ipc::Invoke;
use tauri::{Manager, Runtime};

/// The commands that answer while the app is locked: the lock screen's own, サインアウト
/// (refused as ever while unsent work remains), and two that show nothing personal
/// (the status bar's counts; the start-up measurement).
pub const ALLOWED_WHILE_LOCKED: &[&str] = &[
    "lock_status",
    "lock_now",
    "unlock",
    "sign_out",
    "sync_status",
    "frontend_ready",
];

/// `handler` behind the lock: a command other than [`ALLOWED_WHILE_LOCKED`] is refused
/// while the app is locked, before it runs. Fails closed when the lock state is missing.
pub fn guarded<R: Runtime>(
    handler: impl Fn(Invoke<R>) -> bool + Send + Sync + 'static,
) -> impl Fn(Invoke<R>) -> bool + Send + Sync + 'static {
    move |invoke: Invoke<R>| {
        let command = invoke.message.command();
        if !ALLOWED_WHILE_LOCKED.contains(&command) {
            let refused = match invoke.message.webview_ref().try_state::<SessionLock>() {
                Some(lock) => lock.check_unlocked().err(),
                None => Some(AppError::internal(
                    "session lock",
                    &"the lock state is not managed",
                )),
            };
            if let Some(e) = refused {
                tracing::info!(command, code = %e.code, "command refused: the app is locked");
                invoke.resolver.reject(e);
                return true;
            }
        }
        handler(invoke)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    //! The gate and the recent-password rule as the IPC sees them: the real handler on
    //! Tauri's mock runtime, with an app state on an in-memory store and no central
    //! service (so a command that gets past the rules stops at "not signed in").

    use std::time::Instant;

    use kyosai_app::session_lock::{Purpose, SessionLock};
    use serde_json::{json, Value};
    use tauri::ipc::{CallbackFn, InvokeBody};
    use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
    use tauri::webview::InvokeRequest;
    use tauri::{Manager, WebviewUrl, WebviewWindowBuilder};

    use crate::profile::{Profile, ProfilePaths};
    use crate::state::AppState;

    type Window = tauri::WebviewWindow<tauri::test::MockRuntime>;

    fn app() -> (
        tauri::App<tauri::test::MockRuntime>,
        Window,
        tempfile::TempDir,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let profile = Profile::parse("default").unwrap();
        let paths = ProfilePaths::new(dir.path(), &profile);
        let store = kyosai_store::Store::open_in_memory().map_err(kyosai_app::AppError::from);
        let app = mock_builder()
            .manage(SessionLock::default())
            .manage(AppState::new(
                profile,
                paths,
                Ok(None),
                crate::startup::OpenedDatabase {
                    store,
                    key_lost: None,
                    secrets: None,
                },
            ))
            .invoke_handler(crate::invoke_handler())
            .build(mock_context(noop_assets()))
            .unwrap();
        let w = WebviewWindowBuilder::new(&app, "main", WebviewUrl::default())
            .build()
            .unwrap();
        (app, w, dir)
    }

    fn call(w: &Window, cmd: &str, args: Value) -> Result<Value, Value> {
        get_ipc_response(
            w,
            InvokeRequest {
                cmd: cmd.into(),
                callback: CallbackFn(0),
                error: CallbackFn(1),
                url: "tauri://localhost".parse().unwrap(),
                body: InvokeBody::Json(args),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            },
        )
        .map(|b| b.deserialize::<Value>().unwrap_or(Value::Null))
    }

    fn code(answer: &Result<Value, Value>) -> String {
        match answer {
            Err(e) => e["code"].as_str().unwrap_or_default().to_string(),
            Ok(_) => "ok".into(),
        }
    }

    fn act(kind: &str) -> Value {
        json!({ "request": {
            "id": "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b1c01",
            "kind": kind,
            "reason": null,
            "comment": "内容を確認しました。",
            "forUser": null,
            "seenHash": "3f2a",
        }})
    }

    #[test]
    fn a_locked_app_answers_only_the_lock_screen() {
        let (app, w, _dir) = app();
        assert_eq!(code(&call(&w, "list_notes", json!({}))), "ok");
        app.state::<SessionLock>().lock();
        for (cmd, args) in [
            ("list_notes", json!({})),
            ("app_info", json!({})),
            ("list_acquisitions", json!({})),
            ("get_acquisition", json!({ "id": "x" })),
            ("save_settings", json!({ "draft": {} })),
            (
                "sign_in",
                json!({ "userId": "sato.hanako", "password": "x" }),
            ),
            ("reauthenticate", json!({ "password": "x" })),
        ] {
            assert_eq!(code(&call(&w, cmd, args)), "session.locked", "{cmd}");
        }
        let status = call(&w, "lock_status", json!({})).unwrap();
        assert_eq!(status["locked"], true);
        assert_eq!(status["idleLockSeconds"], 1800);
        assert_eq!(status["attemptsLeft"], 5);
        assert_eq!(code(&call(&w, "sync_status", json!({}))), "ok");
        // サインアウト is heard (here: no central service to sign out of).
        assert_eq!(
            code(&call(&w, "sign_out", json!({}))),
            "sync.not_configured"
        );
        assert!(app.state::<SessionLock>().is_locked());
        app.state::<SessionLock>()
            .password_checked(true, Purpose::Unlock, Instant::now());
        assert_eq!(code(&call(&w, "list_notes", json!({}))), "ok");
    }

    #[test]
    fn lock_now_does_nothing_while_nobody_is_signed_in() {
        let (app, w, _dir) = app();
        let status = call(&w, "lock_now", json!({})).unwrap();
        assert_eq!(status["locked"], false);
        assert_eq!(status["userId"], Value::Null);
        assert!(!app.state::<SessionLock>().is_locked());
    }

    #[test]
    fn decisions_and_the_payment_file_need_a_recent_password() {
        let (app, w, _dir) = app();
        let guarded = [
            ("approval_act", act("approve")),
            ("approval_act", act("return")),
            ("approval_act", act("reject")),
            ("approval_act", act("delegate")),
            ("approval_act", act("pull_up")),
            (
                "approval_bulk_approve",
                json!({ "ids": ["0190f3b2-6c1e-7a40-9c1d-2f5e8a7b1c01"] }),
            ),
            ("acquisition_act", act("approve")),
            ("acquisition_act", act("return")),
            (
                "procurement_export_transfer",
                json!({ "ids": [], "transferDate": "2024-04-25" }),
            ),
        ];
        for (cmd, args) in &guarded {
            assert_eq!(
                code(&call(&w, cmd, args.clone())),
                "auth.reauth_required",
                "{cmd} {args}"
            );
        }
        // 取下げ and 後閲 decide nothing: no password needed (they stop later, signed out).
        for kind in ["withdraw", "post_read"] {
            assert_eq!(
                code(&call(&w, "approval_act", act(kind))),
                "auth.not_signed_in",
                "{kind}"
            );
        }
        // With the password confirmed, the same calls get past the rule.
        app.state::<SessionLock>()
            .password_checked(true, Purpose::Confirm, Instant::now());
        for (cmd, args) in &guarded {
            let c = code(&call(&w, cmd, args.clone()));
            assert_ne!(c, "auth.reauth_required", "{cmd}");
            assert_ne!(c, "session.locked", "{cmd}");
        }
    }
}

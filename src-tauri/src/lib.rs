//! The desktop shell of 共済デスク: window, plugins, profile, logging and the IPC commands.
//!
//! Kept thin on purpose: commands convert DTOs and call `kyosai-app`; rules live in
//! `kyosai-domain`, SQL in `kyosai-store`.

mod commands;
mod commands_acquisition;
mod commands_acquisition_review;
mod commands_audit;
mod commands_dashboard;
mod commands_import;
mod commands_local_db;
mod commands_lock;
mod commands_ocr;
mod commands_procurement;
mod commands_update;
mod commands_worktime;
mod events;
mod lock;
pub mod profile;
mod startup;
mod state;

mod logging;

use std::path::PathBuf;

use tauri::Manager;

use crate::profile::{Profile, ProfilePaths};
use crate::state::AppState;

/// The tauri-specta builder: the single list of commands, used both to serve them and to
/// generate `ui/src/backend/bindings.ts`. Each command is also an ACL permission: list a
/// new one in `app_commands.rs` and grant it in the capability of each window that needs
/// it (`tests/capabilities.rs` fails otherwise). Commands that take the `AppHandle` are
/// generic over the runtime (named `::<tauri::Wry>` here for the bindings only), so the
/// capability test serves the same handler on Tauri's mock runtime.
pub fn specta_builder<R: tauri::Runtime>() -> tauri_specta::Builder<R> {
    tauri_specta::Builder::<R>::new()
        .commands(app_commands::<R>())
        .events(tauri_specta::collect_events![
            events::SyncStatusChanged,
            commands_import::ImportProgressed
        ])
}

/// Every IPC command of the app (see [`specta_builder`]).
fn app_commands<R: tauri::Runtime>() -> tauri_specta::Commands<R> {
    tauri_specta::collect_commands![
        commands::app_info,
        commands::get_settings,
        commands::check_settings,
        commands::save_settings,
        commands::wareki_to_date,
        commands::date_to_wareki,
        commands::parse_wareki,
        commands::integrity_check,
        commands_audit::audit_export::<tauri::Wry>,
        commands_audit::audit_status,
        commands::frontend_ready,
        commands_local_db::local_db_key_lost,
        commands_local_db::local_db_start_fresh,
        commands_local_db::quit_app::<tauri::Wry>,
        commands::sign_in,
        commands::sign_out,
        commands::session,
        commands_lock::lock_status,
        commands_lock::lock_now,
        commands_lock::unlock,
        commands_lock::reauthenticate,
        commands::sync_status,
        commands::sync_now,
        commands::list_conflicts,
        commands::resolve_conflict,
        commands::list_notes,
        commands::check_note,
        commands::save_note,
        commands::approval_inbox,
        commands::approval_detail,
        commands::approval_act,
        commands::approval_bulk_approve,
        commands::approval_outcomes,
        commands::approval_trail_csv::<tauri::Wry>,
        commands::approval_pdf::<tauri::Wry>,
        commands::approval_absences,
        commands::approval_add_absence,
        commands::approval_cancel_absence,
        commands::list_proposals,
        commands::check_proposal,
        commands::proposal_route_preview,
        commands::save_proposal,
        commands::submit_proposal,
        commands::withdraw_proposal,
        commands_acquisition::list_acquisitions,
        commands_acquisition::get_acquisition,
        commands_acquisition::acquisition_options,
        commands_acquisition::check_acquisition,
        commands_acquisition::acknowledge_acquisition_warning,
        commands_acquisition::save_acquisition,
        commands_acquisition::submit_acquisition,
        commands_acquisition::withdraw_acquisition,
        commands_acquisition::reveal_acquisition_my_number,
        commands_acquisition_review::acquisition_review,
        commands_acquisition_review::acquisition_auto_review,
        commands_acquisition_review::acquisition_act,
        commands_acquisition_review::acquisition_pdf::<tauri::Wry>,
        commands_acquisition_review::acquisition_notice_pdf::<tauri::Wry>,
        commands_acquisition_review::acquisition_print_batch_begin::<tauri::Wry>,
        commands_acquisition_review::acquisition_print_batch_add::<tauri::Wry>,
        commands_acquisition_review::acquisition_print_batch_finish::<tauri::Wry>,
        commands_acquisition_review::acquisition_print_batch_cancel::<tauri::Wry>,
        commands_import::import_open,
        commands_import::import_remap,
        commands_import::import_run::<tauri::Wry>,
        commands_import::import_cancel,
        commands_import::import_save_report::<tauri::Wry>,
        commands_import::import_close,
        commands_procurement::procurement_cases,
        commands_procurement::procurement_case,
        commands_procurement::procurement_check,
        commands_procurement::procurement_save,
        commands_procurement::procurement_next_step,
        commands_procurement::procurement_submit,
        commands_procurement::procurement_withdraw,
        commands_procurement::procurement_vendors,
        commands_procurement::procurement_check_vendor,
        commands_procurement::procurement_save_vendor,
        commands_procurement::procurement_yucho_account,
        commands_procurement::procurement_search_banks,
        commands_procurement::procurement_search_branches,
        commands_procurement::procurement_budgets,
        commands_procurement::procurement_save_budget,
        commands_procurement::procurement_payer,
        commands_procurement::procurement_save_payer,
        commands_procurement::procurement_payable,
        commands_procurement::procurement_preview_transfer,
        commands_procurement::procurement_export_transfer::<tauri::Wry>,
        commands_procurement::procurement_amend,
        commands_procurement::procurement_import_invoice,
        commands_ocr::ocr_queue,
        commands_ocr::ocr_import,
        commands_ocr::ocr_import_vendor,
        commands_ocr::ocr_open,
        commands_ocr::ocr_renew,
        commands_ocr::ocr_close,
        commands_ocr::ocr_enter,
        commands_ocr::ocr_undo,
        commands_ocr::ocr_to_exceptions,
        commands_ocr::ocr_reopen,
        commands_ocr::ocr_metrics,
        commands_ocr::ocr_verified_invoices,
        commands_ocr::ocr_take_invoice,
        commands_update::update_check,
        commands_update::update_download,
        commands_worktime::work_time_record,
        commands_dashboard::dashboard_load,
        commands_dashboard::dashboard_export_csv::<tauri::Wry>,
        commands_dashboard::dashboard_export_pdf::<tauri::Wry>,
    ]
}

/// Writes the TypeScript bindings to `path`.
pub fn export_bindings(path: &std::path::Path) -> Result<(), String> {
    let ts = specta_typescript::Typescript::default()
        .header("// Generated from Rust by tauri-specta (src-tauri/tests/bindings.rs). Do not edit.\n// @ts-nocheck\n");
    specta_builder::<tauri::Wry>()
        .export(ts, path)
        .map_err(|e| e.to_string())
}

/// The app's invoke handler: every command of [`specta_builder`], behind the lock
/// (refused while the app is locked, except the lock screen's own).
pub fn invoke_handler<R: tauri::Runtime>(
) -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
    let handler = app_commands::<R>().0;
    lock::guarded(move |invoke| handler(invoke))
}

/// The names of the commands [`invoke_handler`] serves (for the capability test).
pub fn command_names() -> Vec<String> {
    #[derive(Debug)]
    struct Names(std::sync::Arc<std::sync::Mutex<Vec<String>>>);
    impl tauri_specta::LanguageExt for Names {
        type Error = std::io::Error;
        fn export(
            self,
            cfg: &tauri_specta::BuilderConfiguration,
            _: &std::path::Path,
        ) -> Result<(), Self::Error> {
            let mut names = self.0.lock().unwrap_or_else(|p| p.into_inner());
            names.extend(cfg.commands.iter().map(|c| c.name().to_string()));
            Ok(())
        }
    }
    let names = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let _ = specta_builder::<tauri::Wry>().export(Names(names.clone()), std::path::Path::new(""));
    let out = names.lock().unwrap_or_else(|p| p.into_inner()).clone();
    out
}

/// Starts the app. Exits with status 2 on a bad command line.
pub fn run() {
    startup::mark_process_start();
    let args: Vec<String> = std::env::args().collect();
    let profile = match Profile::from_args_and_env(&args, std::env::var("KYOSAI_PROFILE").ok()) {
        Ok(p) => p,
        Err(msg) => {
            eprintln!("{msg}");
            std::process::exit(2);
        }
    };
    let builder = specta_builder::<tauri::Wry>();
    let invoke_handler = lock::guarded(builder.invoke_handler());
    let context = tauri::generate_context!();
    let identifier = context.config().identifier.clone();
    let window_state_file = format!("window-state-{}.json", profile.name());

    let app = tauri::Builder::default()
        .plugin(
            tauri_plugin_single_instance::Builder::new()
                .dbus_id(profile.instance_id(&identifier))
                .callback(|app, _args, _cwd| {
                    // A second start of the same profile brings the open window forward.
                    if let Some(w) = app.get_webview_window("main") {
                        let _ = w.unminimize();
                        let _ = w.show();
                        let _ = w.set_focus();
                    }
                })
                .build(),
        )
        .plugin(
            tauri_plugin_window_state::Builder::default()
                .with_filename(window_state_file)
                .build(),
        )
        // Used from Rust only (new 決裁 after a sync): the window gets no permission.
        .plugin(tauri_plugin_notification::init())
        // Before any window: the lock gate fails closed without it.
        .manage(kyosai_app::session_lock::SessionLock::default())
        .manage(kyosai_app::ocr::LeaseBook::default())
        .invoke_handler(invoke_handler)
        .setup(move |app| {
            let base = match std::env::var_os("KYOSAI_DATA_DIR") {
                Some(dir) if !dir.is_empty() => PathBuf::from(dir),
                _ => app.path().app_local_data_dir()?,
            };
            let paths = ProfilePaths::new(&base, &profile);
            // The policy first: it says how many days of logs to keep.
            let policy = kyosai_app::settings::Policy::load(&state::policy_path());
            let keep_days = kyosai_app::settings::log_retention_days(
                policy.as_ref().ok().and_then(Option::as_ref),
            );
            match logging::init(&paths.logs, keep_days) {
                Ok(guard) => {
                    app.manage(LogGuard(guard));
                }
                Err(e) => eprintln!("ログを開始できません: {e}"),
            }
            tracing::info!(
                version = env!("CARGO_PKG_VERSION"),
                profile = profile.name(),
                "共済デスク starting"
            );
            let database = startup::open_database(&profile, &paths);
            if let Err(e) = &database.store {
                tracing::error!(code = %e.code, "local database unavailable");
            }
            match &policy {
                Ok(Some(p)) => tracing::info!(path = ?p.path, keep_days, "machine policy applied"),
                Ok(None) => {}
                Err(e) => tracing::error!(code = %e.code, "machine policy unusable"),
            }
            let state = AppState::new(profile.clone(), paths, policy, database);
            let handle = app.handle().clone();
            state
                .start_sync_with(move |sync, settings| events::start_sync(&handle, sync, settings));
            app.manage(state);
            app.manage(std::sync::Arc::new(
                kyosai_app::acquisition_import::ImportSessions::default(),
            ));
            builder.mount_events(app);
            Ok(())
        })
        .on_window_event(|window, event| {
            // Coming back to the window is a good moment to sync.
            if let tauri::WindowEvent::Focused(true) = event {
                if let Ok(sync) = window.state::<AppState>().sync() {
                    let sync = sync.clone();
                    tauri::async_runtime::spawn(async move { sync.trigger().await });
                }
            }
        })
        .build(context);
    match app {
        Ok(app) => app.run(|_, _| {}),
        Err(e) => {
            eprintln!("共済デスクを起動できません: {e}");
            std::process::exit(1);
        }
    }
}

/// Keeps the log writer alive (and flushing) for the life of the app.
struct LogGuard(#[allow(dead_code)] tracing_appender::non_blocking::WorkerGuard);

#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Each window may call exactly the commands its capability grants, and nothing else.
//!
//! The app is built on Tauri's mock runtime with the real configuration (tauri.conf.json,
//! the capability files, the ACL that build.rs generates from `app_commands.rs`) and the
//! real invoke handler behind a probe that records which commands reach it. Every window
//! label — the app's own and unknown ones — then calls every app command and the core and
//! plugin commands a web view could try:
//!
//! - granted: the call passes the ACL and reaches the handler (the app is locked first,
//!   so the lock gate answers and no command does any work);
//! - not granted: the ACL refuses it and the handler never sees it.
//!
//! `WINDOWS` below is what each window is meant to have; the test also fails when a
//! command is served but not listed in `app_commands.rs`, listed but not served, or
//! granted in a capability file to a window that should not have it.
//!
//! The isolation pattern does not get in the way here: `get_ipc_response` hands the
//! request to the web view after the step where the isolation frame's encryption is
//! undone (that step belongs to the custom protocol, which the mock runtime does not
//! run). The isolation application itself is checked by `ui/src/isolation.test.ts` and
//! used for real by the end-to-end tests.

include!("../app_commands.rs");

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use kyosai_app::session_lock::SessionLock;
use serde_json::Value;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{Manager, WebviewUrl, WebviewWindowBuilder};

/// What a window is meant to call.
enum Grant {
    /// Every app command, and listening to the app's events.
    AppWindow,
}

/// The app's windows. Any other label gets nothing.
const WINDOWS: &[(&str, Grant)] = &[("main", Grant::AppWindow)];

/// Core and plugin commands the main window may call.
const PLUGIN_COMMANDS_OF_APP_WINDOW: &[&str] = &["plugin:event|listen", "plugin:event|unlisten"];

/// Core and plugin commands a web view could try; only those above are granted.
const PLUGIN_COMMANDS: &[&str] = &[
    "plugin:event|listen",
    "plugin:event|unlisten",
    "plugin:event|emit",
    "plugin:event|emit_to",
    "plugin:window|close",
    "plugin:window|set_title",
    "plugin:window|create",
    "plugin:webview|create_webview_window",
    "plugin:webview|internal_toggle_devtools",
    "plugin:app|version",
    "plugin:app|app_hide",
    "plugin:path|resolve_directory",
    "plugin:resources|close",
    "plugin:menu|new",
    "plugin:image|new",
    "plugin:notification|notify",
    "plugin:notification|request_permission",
    "plugin:window-state|save_window_state",
    "plugin:window-state|restore_state",
];

/// Labels no window of the app has; they must be refused everything.
const STRANGERS: &[&str] = &["print-preview", "intruder"];

fn src_tauri() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The app as it runs, on the mock runtime, with a probe in front of its invoke handler.
fn app() -> (tauri::App<MockRuntime>, Arc<Mutex<Vec<String>>>) {
    let reached = Arc::new(Mutex::new(Vec::new()));
    let probe = reached.clone();
    let handler = kyosai_desk_lib::invoke_handler::<MockRuntime>();
    let app = mock_builder()
        .manage(SessionLock::default())
        .invoke_handler(move |invoke| {
            probe
                .lock()
                .unwrap()
                .push(invoke.message.command().to_string());
            handler(invoke)
        })
        .build(tauri::generate_context!())
        .expect("the app builds with its real configuration");
    // Locked: a command that gets through the ACL stops at the lock gate.
    app.state::<SessionLock>().lock();
    (app, reached)
}

fn window(app: &tauri::App<MockRuntime>, label: &str) -> tauri::WebviewWindow<MockRuntime> {
    app.get_webview_window(label).unwrap_or_else(|| {
        WebviewWindowBuilder::new(app, label, WebviewUrl::default())
            .build()
            .unwrap()
    })
}

fn call(w: &tauri::WebviewWindow<MockRuntime>, cmd: &str, url: &str) -> Result<Value, Value> {
    get_ipc_response(
        w,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: url.parse().unwrap(),
            body: InvokeBody::default(),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|b| b.deserialize::<Value>().unwrap_or(Value::Null))
}

/// Whether an answer is the ACL's refusal (Tauri's wording in debug and release builds).
fn is_acl_refusal(answer: &Result<Value, Value>) -> bool {
    let Err(Value::String(text)) = answer else {
        return false;
    };
    [
        "not allowed",
        "explicitly denied",
        "Permissions associated with this command",
        "Command not found",
        "Plugin not found",
    ]
    .iter()
    .any(|p| text.contains(p))
}

fn granted(label: &str, cmd: &str) -> bool {
    let Some((_, grant)) = WINDOWS.iter().find(|(l, _)| *l == label) else {
        return false;
    };
    match grant {
        Grant::AppWindow => {
            APP_COMMANDS.contains(&cmd) || PLUGIN_COMMANDS_OF_APP_WINDOW.contains(&cmd)
        }
    }
}

#[test]
fn each_window_is_denied_every_command_it_was_not_granted() {
    let (app, reached) = app();
    let labels: Vec<&str> = WINDOWS
        .iter()
        .map(|(l, _)| *l)
        .chain(STRANGERS.iter().copied())
        .collect();
    let commands: Vec<&str> = APP_COMMANDS
        .iter()
        .chain(PLUGIN_COMMANDS)
        .copied()
        .collect();
    let mut wrong = Vec::new();
    let mut cells = 0;
    for label in &labels {
        let w = window(&app, label);
        for cmd in &commands {
            cells += 1;
            reached.lock().unwrap().clear();
            let answer = call(&w, cmd, "tauri://localhost");
            let refused = is_acl_refusal(&answer);
            let handler_saw_it = reached.lock().unwrap().iter().any(|c| c == cmd);
            let expected = granted(label, cmd);
            let ok = if expected {
                // Past the ACL: an app command reaches the handler (and is answered by
                // the lock gate or, for the lock screen's own commands, by the command).
                !refused && (cmd.starts_with("plugin:") || handler_saw_it)
            } else {
                refused && !handler_saw_it
            };
            if !ok {
                wrong.push(format!(
                    "{label} → {cmd}: expected {}, got {answer:?} (handler reached: {handler_saw_it})",
                    if expected { "granted" } else { "refused" }
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {cells} cells wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    // The app window's granted commands really stopped at the lock gate.
    let w = window(&app, "main");
    let answer = call(&w, "approval_inbox", "tauri://localhost");
    let err = answer.unwrap_err();
    assert_eq!(err["code"], "session.locked", "{err}");
}

#[test]
fn remote_content_is_refused_everything_even_in_the_app_window() {
    let (app, reached) = app();
    let w = window(&app, "main");
    for cmd in APP_COMMANDS.iter().chain(PLUGIN_COMMANDS) {
        let answer = call(&w, cmd, "https://kyosai.example.com/");
        assert!(is_acl_refusal(&answer), "{cmd}: {answer:?}");
    }
    assert!(reached.lock().unwrap().is_empty());
}

#[test]
fn the_command_list_the_handler_and_the_capabilities_agree() {
    let served: BTreeSet<String> = kyosai_desk_lib::command_names().into_iter().collect();
    let listed: BTreeSet<String> = APP_COMMANDS.iter().map(|c| c.to_string()).collect();
    assert_eq!(
        listed.len(),
        APP_COMMANDS.len(),
        "app_commands.rs lists a command twice"
    );
    let only_served: Vec<_> = served.difference(&listed).collect();
    let only_listed: Vec<_> = listed.difference(&served).collect();
    assert!(
        only_served.is_empty() && only_listed.is_empty(),
        "served but not in app_commands.rs: {only_served:?}; in app_commands.rs but not served: {only_listed:?}"
    );

    // One capability file per window; every window of tauri.conf.json has one, and no
    // file names a window the app does not have.
    let conf: Value = serde_json::from_str(
        &std::fs::read_to_string(src_tauri().join("tauri.conf.json")).unwrap(),
    )
    .unwrap();
    let conf_windows: BTreeSet<String> = conf["app"]["windows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["label"].as_str().unwrap().to_string())
        .collect();
    let meant: BTreeSet<String> = WINDOWS.iter().map(|(l, _)| l.to_string()).collect();
    assert_eq!(
        conf_windows, meant,
        "tauri.conf.json's windows and WINDOWS differ"
    );
    let mut covered = BTreeSet::new();
    let mut files = 0;
    for entry in std::fs::read_dir(src_tauri().join("capabilities")).unwrap() {
        let path = entry.unwrap().path();
        files += 1;
        let cap: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let name = path.display();
        let windows: Vec<&str> = cap["windows"]
            .as_array()
            .unwrap_or_else(|| panic!("{name}: no windows"))
            .iter()
            .map(|w| w.as_str().unwrap())
            .collect();
        assert_eq!(windows.len(), 1, "{name}: one window per capability file");
        assert!(
            cap.get("webviews").is_none(),
            "{name}: grants by window label only"
        );
        assert!(cap.get("remote").is_none(), "{name}: no remote content");
        let label = windows[0];
        assert!(
            meant.contains(label),
            "{name}: the app has no window {label:?}"
        );
        assert!(
            covered.insert(label.to_string()),
            "{name}: {label} has two files"
        );
        let permissions: BTreeSet<String> = cap["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                p.as_str()
                    .unwrap_or_else(|| panic!("{name}: scoped permission {p}"))
                    .to_string()
            })
            .collect();
        let expected: BTreeSet<String> = APP_COMMANDS
            .iter()
            .map(|c| format!("allow-{}", c.replace('_', "-")))
            .chain(PLUGIN_COMMANDS_OF_APP_WINDOW.iter().map(|c| {
                let (plugin, command) = c.trim_start_matches("plugin:").split_once('|').unwrap();
                format!("core:{plugin}:allow-{command}")
            }))
            .collect();
        assert_eq!(permissions, expected, "{name}: grants differ from WINDOWS");
    }
    assert_eq!(covered, meant, "a window without a capability file");
    assert_eq!(files, meant.len());
}

#[test]
fn the_web_view_is_locked_down() {
    let conf: Value = serde_json::from_str(
        &std::fs::read_to_string(src_tauri().join("tauri.conf.json")).unwrap(),
    )
    .unwrap();
    let app = &conf["app"];
    assert_eq!(app["withGlobalTauri"], false);
    let security = &app["security"];
    assert_eq!(security["pattern"]["use"], "isolation");
    let isolation = src_tauri().join(security["pattern"]["options"]["dir"].as_str().unwrap());
    let hook = std::fs::read_to_string(isolation.join("index.js")).unwrap();
    assert!(hook.contains("__TAURI_ISOLATION_HOOK__"));
    assert!(std::fs::read_to_string(isolation.join("index.html"))
        .unwrap()
        .contains(r#"<script src="index.js"></script>"#));
    assert!(security
        .get("dangerousDisableAssetCspModification")
        .is_none());
    assert!(
        security.get("devCsp").is_none(),
        "the same CSP in development"
    );
    let csp = security["csp"].as_object().unwrap();
    let directive = |name: &str| csp[name].as_str().unwrap().to_string();
    for (name, value) in csp {
        let value = value.as_str().unwrap();
        for bad in [
            "unsafe-eval",
            "unsafe-inline",
            "wasm-unsafe-eval",
            "http:",
            "https:",
            "*",
        ] {
            assert!(
                !value
                    .split_whitespace()
                    .any(|v| v.trim_matches('\'') == bad || v == bad),
                "{name} allows {bad}: {value}"
            );
        }
    }
    assert_eq!(directive("default-src"), "'self'");
    assert_eq!(directive("script-src"), "'self'");
    assert_eq!(directive("connect-src"), "ipc: http://ipc.localhost");
    assert_eq!(directive("object-src"), "'none'");
    assert_eq!(directive("frame-ancestors"), "'none'");
    // The main window loads the app's own files only.
    for w in app["windows"].as_array().unwrap() {
        assert!(w.get("url").is_none(), "{w}: loads the bundled app");
    }
}

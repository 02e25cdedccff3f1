//! Drives the real 共済デスク binary through tauri-driver and WebKitWebDriver.
//!
//! Each [`App`] gets its own tauri-driver on free ports, its own data folder and
//! profile, so several apps (different users) can run side by side. Needs a display:
//! run under `xvfb-run` (the test command does). The binary is the one built by
//! `npx tauri build --debug --no-bundle`, or `KYOSAI_APP_BIN`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::error::CmdError;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};

/// How long to wait for something to appear on screen.
pub const UI_TIMEOUT: Duration = Duration::from_secs(15);
/// How long creating or closing a WebDriver session (starting or stopping the app) may take.
const SESSION_TIMEOUT: Duration = Duration::from_secs(60);

pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn app_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("KYOSAI_APP_BIN") {
        return PathBuf::from(p);
    }
    let p = workspace_root().join("target/debug/kyosai-desk");
    assert!(
        p.exists(),
        "{} is missing: build it with `npx --prefix ui tauri build --debug --no-bundle` (scripts/test does)",
        p.display()
    );
    p
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn tauri_driver() -> PathBuf {
    if let Some(p) = std::env::var_os("TAURI_DRIVER") {
        return PathBuf::from(p);
    }
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap();
    let p = home.join("bin/tauri-driver");
    if p.exists() {
        p
    } else {
        PathBuf::from("tauri-driver")
    }
}

/// Where one simulated user keeps their data; reuse it to restart "the same PC".
#[derive(Debug)]
pub struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    pub fn new() -> Workspace {
        Workspace {
            dir: tempfile::Builder::new()
                .prefix("kyosai-e2e-")
                .tempdir()
                .unwrap(),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// All log files the app wrote for `profile`.
    pub fn logs(&self, profile: &str) -> Vec<PathBuf> {
        let dir = self
            .dir
            .path()
            .join("data/profiles")
            .join(profile)
            .join("logs");
        std::fs::read_dir(dir)
            .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default()
    }
}

impl Default for Workspace {
    fn default() -> Self {
        Workspace::new()
    }
}

/// With `KYOSAI_TEST_LOG_DIR` set (the test command sets it), every log the apps wrote —
/// their own log files and the WebDriver/WebKit output — is copied there when the
/// workspace goes, so the whole run can be scanned for 個人番号 afterwards.
impl Drop for Workspace {
    fn drop(&mut self) {
        let Some(keep) = std::env::var_os("KYOSAI_TEST_LOG_DIR") else {
            return;
        };
        let root = self.dir.path();
        let name = root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let dest = PathBuf::from(keep).join(name);
        let mut logs: Vec<PathBuf> = std::fs::read_dir(root)
            .map(|rd| {
                rd.filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "log"))
                    .collect()
            })
            .unwrap_or_default();
        if let Ok(profiles) = std::fs::read_dir(root.join("data/profiles")) {
            for p in profiles.filter_map(|e| e.ok()) {
                let profile = p.file_name().to_string_lossy().into_owned();
                logs.extend(self.logs(&profile));
            }
        }
        for (i, log) in logs.iter().enumerate() {
            let _ = std::fs::create_dir_all(&dest);
            let file = log
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let _ = std::fs::copy(log, dest.join(format!("{i:02}-{file}")));
        }
    }
}

/// A running app and the WebDriver session that drives it.
#[derive(Debug)]
pub struct App {
    pub client: Client,
    driver: Child,
    name: String,
    data_dir: PathBuf,
    /// The password of the last [`App::sign_in`], typed again when the app asks for it.
    password: std::sync::Mutex<Option<String>>,
}

impl App {
    /// Starts the app for `profile` with its data in `ws`.
    pub async fn start(ws: &Workspace, profile: &str) -> App {
        App::start_with(ws, profile, &[]).await
    }

    /// Like [`App::start`], with extra environment for the app (e.g. `KYOSAI_POLICY`).
    pub async fn start_with(ws: &Workspace, profile: &str, env: &[(&str, &str)]) -> App {
        let port = free_port();
        let native_port = free_port();
        let home = ws.path();
        let log = std::fs::File::create(home.join(format!("tauri-driver-{profile}.log"))).unwrap();
        let mut cmd = Command::new(tauri_driver());
        // No machine policy unless a test gives one.
        cmd.env("KYOSAI_POLICY", home.join("no-policy.json"));
        for (k, v) in env {
            cmd.env(k, v);
        }
        let driver = cmd
            .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            .env("KYOSAI_DATA_DIR", home.join("data"))
            .env("KYOSAI_PROFILE", profile)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_CACHE_HOME", home.join("cache"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("tauri-driver could not start: install it with `cargo install tauri-driver --locked --version ^2`");
        let url = format!("http://127.0.0.1:{port}");
        wait_ready(&url).await;
        // A previous app of the same profile may still hold its single-instance name on the
        // session bus while it exits; a new one started then would hand over to it and hang.
        wait_bus_name_free(&format!(
            "jp.kyosai.desk.p_{}.SingleInstance",
            profile.replace('-', "_")
        ))
        .await;

        let mut caps = serde_json::Map::new();
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": app_binary(), "args": [] }),
        );
        // Bounded: an app that never comes up (e.g. handed over to an old instance still
        // exiting) must fail this test with the driver's log, not wedge the whole run.
        let mut builder = ClientBuilder::rustls().expect("TLS roots");
        builder.capabilities(caps);
        let connect = builder.connect(&url);
        let client = match tokio::time::timeout(SESSION_TIMEOUT, connect).await {
            Ok(c) => c.expect("WebDriver session for the app"),
            Err(_) => panic!(
                "{profile}: no WebDriver session within {SESSION_TIMEOUT:?}; tauri-driver log:\n{}",
                log_tail(&home.join(format!("tauri-driver-{profile}.log")))
            ),
        };
        let app = App {
            client,
            driver,
            name: profile.to_string(),
            data_dir: home.join("data"),
            password: std::sync::Mutex::new(None),
        };
        // The shell is ready when its navigation is on screen.
        app.find(Locator::Css("nav[aria-label='業務メニュー']"))
            .await;
        app
    }

    /// Waits for an element, failing with a screenshot when it does not come.
    pub async fn find(&self, locator: Locator<'_>) -> Element {
        match self
            .client
            .wait()
            .at_most(UI_TIMEOUT)
            .for_element(locator)
            .await
        {
            Ok(e) => e,
            Err(e) => {
                self.screenshot("missing-element").await;
                panic!("{}: element {locator:?} did not appear: {e}", self.name)
            }
        }
    }

    /// Waits until the element's text contains `needle` and returns the text.
    pub async fn wait_text(&self, locator: Locator<'_>, needle: &str) -> String {
        let deadline = Instant::now() + UI_TIMEOUT;
        let mut last = String::new();
        while Instant::now() < deadline {
            if let Ok(e) = self.client.find(locator).await {
                if let Ok(t) = e.text().await {
                    if t.contains(needle) {
                        return t;
                    }
                    last = t;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.screenshot("missing-text").await;
        panic!(
            "{}: {locator:?} never contained {needle:?}; last text {last:?}",
            self.name
        )
    }

    /// Waits until the input's value is `expected` (forms fill in after their data loads).
    pub async fn wait_value(&self, locator: Locator<'_>, expected: &str) {
        let deadline = Instant::now() + UI_TIMEOUT;
        let mut last = None;
        while Instant::now() < deadline {
            if let Ok(e) = self.client.find(locator).await {
                if let Ok(v) = e.prop("value").await {
                    if v.as_deref() == Some(expected) {
                        return;
                    }
                    last = v;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.screenshot("wrong-value").await;
        panic!(
            "{}: {locator:?} never had the value {expected:?}; last {last:?}",
            self.name
        )
    }

    /// The focused element's attribute or text, for keyboard tests.
    pub async fn focused(&self) -> Element {
        self.client.active_element().await.unwrap()
    }

    /// Sends keys to whatever has focus.
    pub async fn keys(&self, text: &str) -> Result<(), CmdError> {
        self.focused().await.send_keys(text).await
    }

    /// Presses `modifier` + `key` (e.g. Ctrl+S) as one chord.
    pub async fn chord(&self, modifier: Key, key: char) {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let m: char = modifier.into();
        let actions = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: m })
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key })
            .then(KeyAction::Up { value: m });
        self.client.perform_actions(actions).await.unwrap();
        self.client.release_actions().await.unwrap();
    }

    /// Saves a screenshot under tests/e2e/artifacts (kept by CI for a failed run).
    pub async fn screenshot(&self, what: &str) -> Option<PathBuf> {
        let png = self.client.screenshot().await.ok()?;
        let dir = workspace_root().join("tests/e2e/artifacts");
        std::fs::create_dir_all(&dir).ok()?;
        let p = dir.join(format!("{}-{what}.png", self.name));
        std::fs::write(&p, png).ok()?;
        println!("screenshot: {}", p.display());
        Some(p)
    }

    /// Closes the session (the app exits) and stops tauri-driver with SIGTERM, which
    /// also stops WebKitWebDriver; SIGKILL would orphan it with the port held.
    pub async fn stop(mut self) {
        let close = self.client.clone().close();
        if tokio::time::timeout(SESSION_TIMEOUT, close).await.is_err() {
            println!("{}: closing the WebDriver session timed out", self.name);
        }
        terminate(&mut self.driver);
        // The next start of the same profile must not meet this one still holding its
        // single-instance lock while it exits (the new one would hand over to it and never
        // open a window): an app still running after the grace period is killed.
        if !wait_for_app_exit(&self.data_dir).await {
            println!("{}: the app did not exit; killing it", self.name);
            kill_apps(&self.data_dir);
            if !wait_for_app_exit(&self.data_dir).await {
                panic!("{}: the app survived SIGKILL", self.name);
            }
        }
    }

    /// Opens a work area from the navigation menu.
    pub async fn open(&self, route: &str) {
        self.find(Locator::Css(&format!("[data-testid='nav-{route}']")))
            .await
            .click()
            .await
            .unwrap();
    }

    /// Signs in on サインイン and waits until the shell shows the user.
    pub async fn sign_in(&self, user: &str, password: &str) {
        self.open("signin").await;
        self.find(Locator::Css("input[name='userId']"))
            .await
            .send_keys(user)
            .await
            .unwrap();
        let pw = self.find(Locator::Css("input[name='password']")).await;
        pw.send_keys(password).await.unwrap();
        pw.send_keys(&Key::Enter.to_string()).await.unwrap();
        self.wait_text(Locator::Css("[data-testid='signin-who']"), user)
            .await;
        *self.password.lock().unwrap() = Some(password.to_string());
    }

    /// Types the signed-in user's password into the dialog that asks for it again
    /// before 決裁 and 振込データ, if it is open; true when it was. Waits (up to 15 s)
    /// until the dialog has taken it.
    pub async fn answer_password_prompt(&self) -> bool {
        let Ok(field) = self
            .client
            .find(Locator::Css("[data-testid='reauth-password']"))
            .await
        else {
            return false;
        };
        let password = self
            .password
            .lock()
            .unwrap()
            .clone()
            .expect("the app asks for the password of a user signed in with App::sign_in");
        self.screenshot("reauth-dialog").await;
        if field.send_keys(&password).await.is_err() {
            return false;
        }
        let _ = field.send_keys(&Key::Enter.to_string()).await;
        let deadline = Instant::now() + UI_TIMEOUT;
        while Instant::now() < deadline {
            if self
                .client
                .find(Locator::Css("[data-testid='reauth-dialog']"))
                .await
                .is_err()
            {
                return true;
            }
            if let Ok(e) = self
                .client
                .find(Locator::Css("[data-testid='reauth-error']"))
                .await
            {
                let text = e.text().await.unwrap_or_default();
                self.screenshot("reauth-refused").await;
                panic!("{}: the password was refused: {text}", self.name);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.screenshot("reauth-stuck").await;
        panic!("{}: the password dialog never closed", self.name)
    }

    /// After 決裁 or 振込データ: waits until the element's text contains `needle`, typing
    /// the password again whenever the app asks for it. Returns the text.
    pub async fn wait_text_entering_password(&self, locator: Locator<'_>, needle: &str) -> String {
        let deadline = Instant::now() + UI_TIMEOUT;
        let mut last = String::new();
        while Instant::now() < deadline {
            if self.answer_password_prompt().await {
                continue;
            }
            if let Ok(e) = self.client.find(locator).await {
                if let Ok(t) = e.text().await {
                    if t.contains(needle) {
                        return t;
                    }
                    last = t;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.screenshot("missing-text").await;
        panic!(
            "{}: {locator:?} never contained {needle:?}; last text {last:?}",
            self.name
        )
    }

    /// Presses 今すぐ同期 in the status bar, if it is there.
    pub async fn press_sync(&self) {
        if let Ok(b) = self
            .client
            .find(Locator::Css("[data-testid='sync-now']"))
            .await
        {
            let _ = b.click().await;
        }
    }

    /// Presses 今すぐ同期 until the element's text contains `needle` (the loop would bring
    /// it by itself; a person waiting presses the button, so the tests do too).
    pub async fn sync_until(&self, css: &str, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let text = match self.client.find(Locator::Css(css)).await {
                Ok(e) => e.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if text.contains(needle) {
                return text;
            }
            if Instant::now() > deadline {
                self.screenshot("sync-until").await;
                panic!("{css} never contained {needle:?}; last text {text:?}");
            }
            self.press_sync().await;
            tokio::time::sleep(Duration::from_millis(1500)).await;
        }
    }

    /// Clicks the row (or its `cell`) whose text contains `needle` (compared without
    /// white space: narrow columns wrap), finding the rows again after a re-render and
    /// pressing 今すぐ同期 while it has not arrived.
    pub async fn click_row(&self, rows: &str, cell: Option<&str>, needle: &str) {
        let wanted: String = needle.chars().filter(|c| !c.is_whitespace()).collect();
        let mut last = String::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let found = self
                .client
                .find_all(Locator::Css(rows))
                .await
                .unwrap_or_default();
            for row in found {
                let text: String = row
                    .text()
                    .await
                    .unwrap_or_default()
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect();
                if !text.contains(&wanted) {
                    last = text;
                    continue;
                }
                let target = match cell {
                    Some(c) => row.find(Locator::Css(c)).await.unwrap_or(row),
                    None => row,
                };
                match target.click().await {
                    Ok(_) => return,
                    Err(e) => last = format!("click: {e}"),
                }
            }
            if Instant::now() > deadline {
                self.screenshot("click-row").await;
                panic!("no clickable row {rows} containing {needle:?} (last: {last})");
            }
            self.press_sync().await;
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    /// Activates a button from the keyboard: focus, then Enter. (A mouse click computed
    /// by WebDriver can land beside a button in a sticky action bar.) Repeats until the
    /// element `expect` appears, for a page that re-rendered under the first press; types
    /// the password when the app asks for it again.
    pub async fn press_until(&self, button: &str, expect: Locator<'_>) -> Element {
        for _ in 0..5 {
            let b = self.find(Locator::Css(button)).await;
            let _ = self
                .client
                .execute(
                    "arguments[0].focus();",
                    vec![serde_json::to_value(&b).unwrap()],
                )
                .await;
            let _ = self.keys(&Key::Enter.to_string()).await;
            let mut deadline = Instant::now() + Duration::from_secs(3);
            while Instant::now() < deadline {
                // 振込データ asks for the password first.
                if self.answer_password_prompt().await {
                    deadline = Instant::now() + Duration::from_secs(5);
                    continue;
                }
                if let Ok(e) = self.client.find(expect).await {
                    return e;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        self.screenshot("press-until").await;
        panic!("{}: pressing {button} never showed {expect:?}", self.name)
    }

    /// Types into the field with `id` (cleared first), then Tab leaves it (findings show).
    pub async fn type_in(&self, id: &str, text: &str) {
        let e = self.find(Locator::Id(id)).await;
        // Clear of the sticky action bar at the bottom of long forms.
        let _ = self
            .client
            .execute(
                "arguments[0].scrollIntoView({block: 'center'});",
                vec![serde_json::to_value(&e).unwrap()],
            )
            .await;
        e.clear().await.unwrap();
        e.send_keys(text).await.unwrap();
        e.send_keys(&Key::Tab.to_string()).await.unwrap();
    }

    /// Clicks the element `css` after scrolling it to the middle of the view (clear of
    /// sticky bars); a click WebDriver calls not interactable is sent from the keyboard
    /// (focus, then Enter) instead.
    pub async fn click(&self, css: &str) {
        let e = self.find(Locator::Css(css)).await;
        let arg = vec![serde_json::to_value(&e).unwrap()];
        let _ = self
            .client
            .execute(
                "arguments[0].scrollIntoView({block: 'center'});",
                arg.clone(),
            )
            .await;
        if e.click().await.is_err() {
            self.client
                .execute("arguments[0].focus();", arg)
                .await
                .unwrap();
            self.keys(&Key::Enter.to_string()).await.unwrap();
        }
    }

    /// Picks a choice of a select box (scrolled clear of the sticky action bar first).
    pub async fn choose(&self, id: &str, value: &str) {
        self.find(Locator::Id(id)).await;
        self.client
            .execute(
                "document.getElementById(arguments[0]).scrollIntoView({block: 'center'});",
                vec![serde_json::json!(id)],
            )
            .await
            .unwrap();
        let option = self
            .find(Locator::Css(&format!("#{id} option[value='{value}']")))
            .await;
        if option.click().await.is_err() {
            // Something (a sticky bar, a toast) lies over the list: choose it the way the
            // keyboard does, by setting the value and telling the page it changed.
            self.client
                .execute(
                    "const s = document.getElementById(arguments[0]); s.focus(); s.value = arguments[1]; \
                     s.dispatchEvent(new Event('change', {bubbles: true}));",
                    vec![serde_json::json!(id), serde_json::json!(value)],
                )
                .await
                .unwrap();
        }
    }

    /// A 和暦 date field: era (`reiwa`, `heisei` …), then year / month / day typed; waits
    /// until the field shows the 西暦 Rust made of it (as a person would before saving).
    pub async fn date(&self, id: &str, era: &str, y: u32, m: u32, d: u32) {
        self.choose(&format!("{id}-era"), era).await;
        self.type_in(&format!("{id}-year"), &y.to_string()).await;
        self.type_in(&format!("{id}-month"), &m.to_string()).await;
        self.type_in(&format!("{id}-day"), &d.to_string()).await;
        self.wait_text(
            Locator::Css(&format!("[data-testid='{id}-result']")),
            &format!("-{m:02}-{d:02}"),
        )
        .await;
    }

    /// Presses Tab until the element with `id` has focus (keyboard only).
    pub async fn tab_to(&self, id: &str) {
        for _ in 0..40 {
            let focused = self.focused().await.attr("id").await.unwrap_or_default();
            if focused.as_deref() == Some(id) {
                return;
            }
            self.keys(&Key::Tab.to_string()).await.unwrap();
        }
        self.screenshot("tab-to").await;
        panic!("#{id} never got focus by Tab");
    }
}

/// A machine policy file in `ws` that points the apps at a central service (its URL and
/// the test CA); pass it as `KYOSAI_POLICY`.
pub fn central_policy(ws: &Workspace, base_url: &str, ca_pem: &Path) -> PathBuf {
    let policy = ws.path().join("policy.json");
    std::fs::write(
        &policy,
        serde_json::json!({ "centralUrl": base_url, "rootCaPath": ca_pem }).to_string(),
    )
    .unwrap();
    policy
}

impl Drop for App {
    /// A failed test still stops its driver (and so the app), leaving no orphans.
    fn drop(&mut self) {
        terminate(&mut self.driver);
    }
}

/// Waits (up to 15 s) until nobody owns `name` on the session bus.
async fn wait_bus_name_free(name: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        let out = Command::new("dbus-send")
            .args([
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                &format!("string:{name}"),
            ])
            .output();
        match out {
            Ok(o) if String::from_utf8_lossy(&o.stdout).contains("boolean true") => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            _ => return,
        }
    }
}

/// The processes started with `KYOSAI_DATA_DIR=data_dir` (the app and its WebKit helpers).
fn app_pids(data_dir: &Path) -> Vec<u32> {
    let needle = format!("KYOSAI_DATA_DIR={}", data_dir.display());
    std::fs::read_dir("/proc")
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter_map(|e| {
                    let pid: u32 = e.file_name().to_str()?.parse().ok()?;
                    let env = std::fs::read(e.path().join("environ")).ok()?;
                    env.split(|b| *b == 0)
                        .any(|kv| kv == needle.as_bytes())
                        .then_some(pid)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Waits (up to 10 s) until no process runs with `KYOSAI_DATA_DIR=data_dir`; false if one
/// still does.
async fn wait_for_app_exit(data_dir: &Path) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if app_pids(data_dir).is_empty() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

/// SIGKILLs every process of the app that uses `data_dir`.
fn kill_apps(data_dir: &Path) {
    for pid in app_pids(data_dir) {
        let _ = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
    }
}

/// The last 4 KB of a log file, for a failure message.
fn log_tail(path: &Path) -> String {
    let text = std::fs::read(path).unwrap_or_default();
    let start = text.len().saturating_sub(4096);
    String::from_utf8_lossy(&text[start..]).into_owned()
}

fn terminate(driver: &mut Child) {
    if let Ok(Some(_)) = driver.try_wait() {
        return;
    }
    let _ = Command::new("kill")
        .args(["-TERM", &driver.id().to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = driver.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = driver.kill();
    let _ = driver.wait();
}

async fn wait_ready(url: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = format!("{url}/status");
    while Instant::now() < deadline {
        if let Ok(body) = http_get(&status).await {
            if body.contains("\"ready\":true") || body.contains("\"ready\": true") {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("tauri-driver at {url} did not become ready");
}

/// A tiny HTTP/1.0 GET for the driver's status page (no extra client needed).
async fn http_get(url: &str) -> std::io::Result<String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url.trim_start_matches("http://");
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let get = async {
        let mut s = tokio::net::TcpStream::connect(host).await?;
        s.write_all(format!("GET /{path} HTTP/1.0\r\nHost: {host}\r\n\r\n").as_bytes())
            .await?;
        let mut buf = String::new();
        s.read_to_string(&mut buf).await?;
        Ok(buf)
    };
    tokio::time::timeout(Duration::from_secs(5), get)
        .await
        .unwrap_or_else(|_| Err(std::io::ErrorKind::TimedOut.into()))
}

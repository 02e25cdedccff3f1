//! The background sync loop.
//!
//! One task runs cycles; a second holds a long poll (poke) open and wakes the first when
//! the server has news. A cycle pushes every unsent command (in batches, answers applied
//! after each response) and then pulls pages until there are no more (each page and its
//! cursor in one local transaction). Cycles start on a local write, on focus, on a poke,
//! and on a timer; after a failure the next one waits with exponential backoff and full
//! jitter, at least as long as the server's `Retry-After`.
//!
//! Exactly-once delivery rests on the server's replay memory: after any transport error
//! the same unanswered commands are simply sent again with the same seqs, and the local
//! side applies every answer idempotently. So the engine can be dropped, aborted or the
//! process killed at any point, and a fresh engine on the same database carries on.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use kyosai_sync_protocol::{
    AuditHead, ConflictList, PokeRequest, PullRequest, PushRequest, Resolution, ResolveConflict,
    UserInfo, MAX_PULL_LIMIT, MAX_PUSH_COMMANDS, MAX_PUSH_PAYLOAD_BYTES,
};
use serde::Serialize;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;
use uuid::Uuid;

use crate::auth::Auth;
use crate::backoff::Backoff;
use crate::error::{local_codes, ErrorKind, SyncError};
use crate::{with_store, SharedStore};

/// Tuning of the loop. The defaults suit the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineOptions {
    /// A cycle at least this often while all is well.
    pub interval: Duration,
    /// The first backoff ceiling after a failure.
    pub backoff_initial: Duration,
    /// The largest backoff ceiling.
    pub backoff_max: Duration,
    /// Commands per push (at most [`MAX_PUSH_COMMANDS`]).
    pub push_batch: usize,
    /// Changes per pull page (at most [`MAX_PULL_LIMIT`]). The default is that maximum
    /// (5,000): each page is one local transaction with a durable commit, so fewer, larger
    /// pages pull 100,000 records in ~3.4–3.9 s instead of ~5 s with 1,000, for ~12 MiB
    /// more peak memory (docs/benchmarks.md).
    pub pull_limit: u32,
    /// Hold a long poll open to hear about changes at once.
    pub poke: bool,
    /// How long the server may hold a poke.
    pub poke_wait_seconds: u32,
    /// A local write waits this long for more before a cycle starts.
    pub write_debounce: Duration,
    /// Seed of the backoff jitter (tests); `None` seeds from the OS.
    pub jitter_seed: Option<u64>,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            interval: Duration::from_secs(60),
            backoff_initial: Duration::from_secs(1),
            backoff_max: Duration::from_secs(300),
            push_batch: MAX_PUSH_COMMANDS,
            pull_limit: MAX_PULL_LIMIT,
            poke: true,
            poke_wait_seconds: 25,
            write_debounce: Duration::from_millis(150),
            jitter_seed: None,
        }
    }
}

/// A failure as the status bar shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusError {
    pub code: String,
    pub message: String,
}

/// What the status bar shows, published on a watch channel after every change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncStatus {
    /// The last request reached the server (an error answer still counts as online).
    pub online: bool,
    /// A cycle is running.
    pub syncing: bool,
    pub last_sync_at: Option<DateTime<Utc>>,
    /// Commands waiting to be sent or answered.
    pub pending: u64,
    /// Records with a conflicted draft (競合).
    pub conflicted: u64,
    /// Records with a rejected draft (差戻し).
    pub rejected: u64,
    pub last_error: Option<StatusError>,
    /// The signed-in user's id, `None` when signed out.
    pub signed_in_user: Option<String>,
}

/// What one cycle did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CycleReport {
    /// Commands sent (a resend counts again).
    pub pushed: usize,
    pub applied: usize,
    pub conflicts: usize,
    pub rejected: usize,
    pub pages: usize,
    pub changes: usize,
    /// The server asked for a reset during the pull.
    pub reset: bool,
}

/// Why a cycle is wanted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reason {
    LocalWrite,
    Focus,
    Poke,
}

enum Msg {
    Trigger(Reason),
    SyncNow(oneshot::Sender<Result<CycleReport, SyncError>>),
    Refresh,
    Shutdown,
}

/// The sync loop of one profile. Dropping it stops its tasks at once (as a crash would:
/// the database stays consistent and a new engine carries on).
#[derive(Debug)]
pub struct SyncEngine {
    tx: mpsc::UnboundedSender<Msg>,
    status: watch::Receiver<SyncStatus>,
    store: SharedStore,
    auth: Arc<Auth>,
    main: Option<JoinHandle<()>>,
    poke: Option<JoinHandle<()>>,
}

impl SyncEngine {
    /// Starts the loop on the current tokio runtime (call from within it).
    pub fn start(store: SharedStore, auth: Arc<Auth>, options: EngineOptions) -> SyncEngine {
        Self::start_on(&tokio::runtime::Handle::current(), store, auth, options)
    }

    /// Starts the loop on `runtime` (e.g. Tauri's async runtime).
    pub fn start_on(
        runtime: &tokio::runtime::Handle,
        store: SharedStore,
        auth: Arc<Auth>,
        options: EngineOptions,
    ) -> SyncEngine {
        let (tx, rx) = mpsc::unbounded_channel();
        let (status_tx, status) = watch::channel(SyncStatus {
            signed_in_user: auth.signed_in_user(),
            ..SyncStatus::default()
        });
        let (cycle_tx, cycle_rx) = watch::channel(0u64);
        let worker = Worker {
            store: store.clone(),
            auth: auth.clone(),
            backoff: Backoff::new(
                options.backoff_initial,
                options.backoff_max,
                options.jitter_seed,
            ),
            options: options.clone(),
            status_tx,
            cycle_tx,
            online: false,
        };
        let main = runtime.spawn(worker.run(rx));
        let poke = options.poke.then(|| {
            runtime.spawn(poke_loop(
                store.clone(),
                auth.clone(),
                options.clone(),
                tx.clone(),
                cycle_rx,
            ))
        });
        SyncEngine {
            tx,
            status,
            store,
            auth,
            main: Some(main),
            poke,
        }
    }

    /// The clerk saved something: refresh the counts and sync soon.
    pub fn notify_local_write(&self) {
        let _ = self.tx.send(Msg::Trigger(Reason::LocalWrite));
    }

    /// The window got focus (or the clerk pressed "sync"): sync now (past any backoff, but
    /// not before a server's `Retry-After`), even after an error that stopped automatic
    /// retries.
    pub fn trigger(&self) {
        let _ = self.tx.send(Msg::Trigger(Reason::Focus));
    }

    /// Runs a cycle now (past any backoff, but not before a server's `Retry-After`) and
    /// waits for its outcome.
    pub async fn sync_now(&self) -> Result<CycleReport, SyncError> {
        let (tx, rx) = oneshot::channel();
        self.tx
            .send(Msg::SyncNow(tx))
            .map_err(|_| SyncError::stopped())?;
        rx.await.map_err(|_| SyncError::stopped())?
    }

    /// The status, followed with `changed().await`.
    pub fn status(&self) -> watch::Receiver<SyncStatus> {
        self.status.clone()
    }

    pub fn auth(&self) -> &Arc<Auth> {
        &self.auth
    }

    pub fn store(&self) -> &SharedStore {
        &self.store
    }

    /// Signs in and starts syncing.
    pub async fn sign_in(&self, user_id: &str, password: &str) -> Result<UserInfo, SyncError> {
        let info = self.auth.sign_in(&self.store, user_id, password).await?;
        self.trigger();
        Ok(info)
    }

    /// Signs out; refused with `sync.unsent_work` while unsent work remains.
    pub async fn sign_out(&self) -> Result<(), SyncError> {
        let result = self.auth.sign_out(&self.store).await;
        let _ = self.tx.send(Msg::Refresh);
        result
    }

    /// Signs out keeping unsent work for the same user's next sign-in
    /// ([`Auth::end_session`]).
    pub async fn end_session(&self) -> Result<(), SyncError> {
        let result = self.auth.end_session().await;
        let _ = self.tx.send(Msg::Refresh);
        result
    }

    /// The open conflicts of this user on the server (base / server / mine).
    pub async fn conflicts(&self) -> Result<ConflictList, SyncError> {
        let api = self.auth.api().clone();
        self.auth
            .call(move |t: String| {
                let api = api.clone();
                async move { api.conflicts(&t).await }
            })
            .await
    }

    /// The clerk settled a conflicted or rejected draft: re-apply it on top of the
    /// server's version, or discard it. The local part happens first (one transaction);
    /// then the server records the decision for `conflict_id` (if any). Returns whether
    /// the server recorded it (`false` when offline: the local decision stands).
    pub async fn resolve(
        &self,
        record_id: Uuid,
        conflict_id: Option<Uuid>,
        resolution: Resolution,
    ) -> Result<bool, SyncError> {
        with_store(&self.store, move |s| match resolution {
            Resolution::Reapplied => s.sync().record_reapply_local(record_id).map(|_| ()),
            Resolution::Discarded => s.sync().record_discard_draft(record_id),
        })
        .await?;
        self.notify_local_write();
        let Some(conflict_id) = conflict_id else {
            return Ok(false);
        };
        let api = self.auth.api().clone();
        let req = ResolveConflict { resolution };
        match self
            .auth
            .call(move |t: String| {
                let api = api.clone();
                let req = req.clone();
                async move { api.resolve(&t, conflict_id, &req).await }
            })
            .await
        {
            Ok(()) => Ok(true),
            Err(e) if e.is_retryable() || e.is_offline() => {
                tracing::info!(%conflict_id, error = %e, "conflict resolution not recorded on the server yet");
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    /// Stops the loop, letting a running cycle finish its current step.
    pub async fn shutdown(mut self) {
        let _ = self.tx.send(Msg::Shutdown);
        if let Some(p) = self.poke.take() {
            p.abort();
            let _ = p.await;
        }
        if let Some(m) = self.main.take() {
            let _ = m.await;
        }
    }
}

impl Drop for SyncEngine {
    fn drop(&mut self) {
        if let Some(p) = self.poke.take() {
            p.abort();
        }
        if let Some(m) = self.main.take() {
            m.abort();
        }
    }
}

struct Worker {
    store: SharedStore,
    auth: Arc<Auth>,
    options: EngineOptions,
    backoff: Backoff,
    status_tx: watch::Sender<SyncStatus>,
    cycle_tx: watch::Sender<u64>,
    online: bool,
}

impl Worker {
    async fn run(mut self, mut rx: mpsc::UnboundedReceiver<Msg>) {
        let mut user_rx = self.auth.subscribe_user();
        let mut next_due = Instant::now();
        // The server's Retry-After: no automatic cycle before it.
        let mut not_before: Option<Instant> = None;
        // After an error that retrying cannot fix, wait for the clerk (focus, sign-in).
        let mut parked = false;
        let mut failures: u32 = 0;
        let mut waiters: Vec<oneshot::Sender<Result<CycleReport, SyncError>>> = Vec::new();
        self.publish(None).await;
        loop {
            // Retry-After binds every trigger, the clerk's included.
            let due = match not_before {
                Some(nb) => next_due.max(nb),
                None => next_due,
            };
            let sleeping = !parked || !waiters.is_empty();
            tokio::select! {
                msg = rx.recv() => {
                    match msg {
                        None | Some(Msg::Shutdown) => return,
                        Some(Msg::Trigger(Reason::LocalWrite)) => {
                            self.publish(None).await;
                            if !parked {
                                next_due = next_due.min(Instant::now() + self.options.write_debounce);
                            }
                        }
                        Some(Msg::Trigger(Reason::Focus)) => {
                            parked = false;
                            next_due = Instant::now();
                        }
                        Some(Msg::Trigger(Reason::Poke)) => {
                            if !parked {
                                next_due = Instant::now();
                            }
                        }
                        Some(Msg::SyncNow(tx)) => {
                            waiters.push(tx);
                            parked = false;
                            next_due = Instant::now();
                        }
                        Some(Msg::Refresh) => self.publish(None).await,
                    }
                    continue;
                }
                changed = user_rx.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    let signed_in = user_rx.borrow_and_update().is_some();
                    if signed_in {
                        parked = false;
                        failures = 0;
                        not_before = None;
                        next_due = Instant::now();
                    }
                    self.publish(None).await;
                    continue;
                }
                () = tokio::time::sleep_until(due), if sleeping => {}
            }

            if self.auth.signed_in_user().is_none() {
                // Nothing to do until someone signs in (the user channel wakes us).
                parked = true;
                for w in waiters.drain(..) {
                    let _ = w.send(Err(SyncError::not_signed_in()));
                }
                self.publish(None).await;
                continue;
            }
            self.status_tx.send_modify(|s| s.syncing = true);
            let result = sync_once(&self.store, &self.auth, &self.options).await;
            let now = Instant::now();
            match &result {
                Ok(report) => {
                    failures = 0;
                    not_before = None;
                    self.online = true;
                    next_due = now + self.options.interval;
                    tracing::debug!(?report, "sync cycle done");
                    let at = Utc::now();
                    if let Err(e) =
                        with_store(&self.store, move |s| s.sync().mark_sync_ok(at)).await
                    {
                        tracing::warn!(error = %e, "could not record the sync time");
                    }
                }
                Err(e) => {
                    failures = failures.saturating_add(1);
                    if e.is_offline() {
                        self.online = false;
                    } else if e.status.is_some() {
                        self.online = true; // the server answered, with an error
                    }
                    let delay = self.backoff.delay(failures, e.retry_after);
                    next_due = now + delay;
                    not_before = e.retry_after.map(|r| now + r);
                    if !e.is_retryable() {
                        parked = true;
                        tracing::warn!(code = %e.code, "sync stopped until the clerk acts: {}", e.message);
                    } else {
                        tracing::info!(code = %e.code, failures, ?delay, "sync failed; retrying later");
                    }
                    let (code, message) = (e.code.clone(), e.message.clone());
                    if let Err(se) = with_store(&self.store, move |s| {
                        s.sync().mark_sync_error(&code, &message)
                    })
                    .await
                    {
                        tracing::warn!(error = %se, "could not record the sync error");
                    }
                }
            }
            self.publish(result.as_ref().err()).await;
            self.cycle_tx.send_modify(|n| *n += 1);
            for w in waiters.drain(..) {
                let _ = w.send(result.clone());
            }
        }
    }

    /// Recomputes the status from the store and publishes it.
    async fn publish(&mut self, error: Option<&SyncError>) {
        let snapshot = with_store(&self.store, |s| {
            let sync = s.sync();
            Ok((sync.counts()?, sync.state()?))
        })
        .await;
        let online = self.online;
        let user = self.auth.signed_in_user();
        self.status_tx.send_modify(|st| {
            st.syncing = false;
            st.online = online;
            st.signed_in_user = user;
            if let Ok((counts, state)) = &snapshot {
                st.pending = counts.pending;
                st.conflicted = counts.conflicted;
                st.rejected = counts.rejected;
                st.last_sync_at = state.last_sync_at;
                st.last_error = state.last_error.as_ref().map(|e| StatusError {
                    code: e.code.clone(),
                    message: e.message.clone(),
                });
            }
            if let Some(e) = error {
                st.last_error = Some(StatusError {
                    code: e.code.clone(),
                    message: e.message.clone(),
                });
            }
        });
    }
}

/// One cycle: push everything unsent, then pull to the end. Public so a command-line
/// tool or a test can sync without the loop.
pub async fn sync_once(
    store: &SharedStore,
    auth: &Auth,
    options: &EngineOptions,
) -> Result<CycleReport, SyncError> {
    let mut report = CycleReport::default();
    let pushed = push_all(store, auth, options, &mut report).await;
    match pushed {
        Ok(()) => {}
        // The outbox cannot move, but the clerk should still see others' work.
        Err(e) if e.kind == ErrorKind::OutboxMismatch => {
            tracing::error!(code = %e.code, "the server does not accept this outbox: {}", e.message);
            pull_all(store, auth, options, &mut report).await?;
            return Err(e);
        }
        Err(e) => return Err(e),
    }
    pull_all(store, auth, options, &mut report).await?;
    Ok(report)
}

/// The first commands whose payloads fit in `budget` bytes (always at least one, so a
/// large command still goes, alone).
fn within_payload_budget(
    mut commands: Vec<kyosai_sync_protocol::CommandEnvelope>,
    budget: usize,
) -> Vec<kyosai_sync_protocol::CommandEnvelope> {
    let mut used = 0usize;
    let mut keep = 0usize;
    for c in &commands {
        let size = serde_json::to_vec(&c.payload).map_or(0, |v| v.len());
        if keep > 0 && used + size > budget {
            break;
        }
        used += size;
        keep += 1;
    }
    commands.truncate(keep);
    commands
}

async fn push_all(
    store: &SharedStore,
    auth: &Auth,
    options: &EngineOptions,
    report: &mut CycleReport,
) -> Result<(), SyncError> {
    let batch_size = options.push_batch.clamp(1, MAX_PUSH_COMMANDS);
    let client_id = with_store(store, |s| Ok(s.sync().state()?.client_id)).await?;
    let api = auth.api().clone();
    let mut last_first: Option<u64> = None;
    loop {
        let (commands, head) = with_store(store, move |s| {
            let commands = s.sync().pending_commands(batch_size)?;
            Ok((commands, s.audit().head()?))
        })
        .await?;
        let commands = within_payload_budget(commands, MAX_PUSH_PAYLOAD_BYTES);
        let Some(first) = commands.first().map(|c| c.seq) else {
            return Ok(());
        };
        if last_first == Some(first) {
            return Err(SyncError::new(
                ErrorKind::Protocol,
                local_codes::NO_PROGRESS,
                format!("サーバーが送信済みの操作（番号 {first}）に答えませんでした。自動でやり直します。続く場合はIT管理者に連絡してください。"),
            ));
        }
        last_first = Some(first);
        report.pushed += commands.len();
        let req = Arc::new(PushRequest {
            client_id,
            commands,
            // The local audit log's head goes with every push: the server keeps it as a
            // checkpoint of this PC's log.
            audit_head: head.map(|h| AuditHead {
                seq: h.seq,
                hash: h.hash,
            }),
        });
        let response = auth
            .call(|t: String| {
                let (api, req) = (api.clone(), req.clone());
                async move { api.push(&t, &req).await }
            })
            .await?;
        let results = response.results;
        let applied = with_store(store, move |s| s.sync().apply_push_results(&results)).await?;
        report.applied += applied.applied;
        report.conflicts += applied.conflicts;
        report.rejected += applied.rejected;
    }
}

async fn pull_all(
    store: &SharedStore,
    auth: &Auth,
    options: &EngineOptions,
    report: &mut CycleReport,
) -> Result<(), SyncError> {
    let limit = options.pull_limit.clamp(1, MAX_PULL_LIMIT);
    let api = auth.api().clone();
    let mut restarted = false;
    loop {
        let cursor = with_store(store, |s| Ok(s.sync().state()?.cursor)).await?;
        let req = PullRequest {
            cursor: cursor.clone(),
            limit,
        };
        let page = match auth
            .call(|t: String| {
                let (api, req) = (api.clone(), req.clone());
                async move { api.pull(&t, &req).await }
            })
            .await
        {
            Err(e) if e.kind == ErrorKind::CursorReset && !restarted => {
                tracing::info!("the server no longer knows our cursor; pulling from the start");
                restarted = true;
                with_store(store, |s| s.sync().clear_cursor()).await?;
                continue;
            }
            other => other?,
        };
        let has_more = page.has_more;
        let stuck = has_more && page.changes.is_empty() && cursor.as_deref() == Some(&page.cursor);
        report.pages += 1;
        report.changes += page.changes.len();
        report.reset |= page.reset;
        with_store(store, move |s| s.sync().apply_pull_page(&page)).await?;
        if stuck {
            return Err(SyncError::new(
                ErrorKind::Protocol,
                local_codes::NO_PROGRESS,
                "サーバーからの受信が進みません。自動でやり直します。続く場合はIT管理者に連絡してください。",
            ));
        }
        if !has_more {
            return Ok(());
        }
    }
}

/// Holds a long poll open while signed in; wakes the loop when the server has news.
async fn poke_loop(
    store: SharedStore,
    auth: Arc<Auth>,
    options: EngineOptions,
    tx: mpsc::UnboundedSender<Msg>,
    mut cycles: watch::Receiver<u64>,
) {
    let mut user_rx = auth.subscribe_user();
    let mut backoff = Backoff::new(
        options.backoff_initial,
        options.backoff_max.min(Duration::from_secs(60)),
        options.jitter_seed.map(|s| s ^ 0x5eed),
    );
    let mut failures = 0u32;
    loop {
        if auth.signed_in_user().is_none() {
            if user_rx.changed().await.is_err() {
                return;
            }
            continue;
        }
        let started = Instant::now();
        let cursor = match with_store(&store, |s| Ok(s.sync().state()?.cursor)).await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "poke: cannot read the cursor");
                tokio::time::sleep(Duration::from_secs(5)).await;
                continue;
            }
        };
        let req = PokeRequest {
            cursor,
            wait_seconds: options.poke_wait_seconds,
        };
        let api = auth.api().clone();
        match auth
            .call(|t: String| {
                let (api, req) = (api.clone(), req.clone());
                async move { api.poke(&t, &req).await }
            })
            .await
        {
            Ok(answer) => {
                failures = 0;
                if answer.changed {
                    cycles.borrow_and_update();
                    if tx.send(Msg::Trigger(Reason::Poke)).is_err() {
                        return;
                    }
                    // Wait for that cycle before asking again with the new cursor.
                    let _ = tokio::time::timeout(Duration::from_secs(30), cycles.changed()).await;
                }
            }
            Err(e) => {
                failures = failures.saturating_add(1);
                let delay = if matches!(
                    e.kind,
                    ErrorKind::Auth
                        | ErrorKind::ClientTooOld
                        | ErrorKind::Config
                        | ErrorKind::Tls
                        | ErrorKind::Request
                ) {
                    Duration::from_secs(60)
                } else {
                    backoff.delay(failures, e.retry_after)
                };
                tracing::debug!(code = %e.code, ?delay, "poke failed");
                tokio::select! {
                    () = tokio::time::sleep(delay) => {}
                    _ = user_rx.changed() => {}
                }
            }
        }
        // A server that answers at once must not make this spin.
        let min_gap = Duration::from_secs(1);
        if started.elapsed() < min_gap {
            tokio::time::sleep(min_gap - started.elapsed()).await;
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use kyosai_sync_protocol::CommandEnvelope;

    fn cmd(seq: u64, bytes: usize) -> CommandEnvelope {
        CommandEnvelope {
            seq,
            name: "record.create".into(),
            version: 1,
            record_id: uuid::Uuid::new_v4(),
            base_version: None,
            payload: serde_json::json!({ "b": "x".repeat(bytes) }),
            issued_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn a_push_keeps_within_the_payload_budget_but_always_sends_one() {
        let cmds: Vec<_> = (1..=5).map(|i| cmd(i, 1000)).collect();
        let kept = within_payload_budget(cmds.clone(), 2500);
        assert_eq!(kept.iter().map(|c| c.seq).collect::<Vec<_>>(), vec![1, 2]);
        let all = within_payload_budget(cmds, usize::MAX);
        assert_eq!(all.len(), 5);
        // One command larger than the budget still goes, alone.
        let big = within_payload_budget(vec![cmd(1, 5000), cmd(2, 10)], 2500);
        assert_eq!(big.len(), 1);
        assert!(within_payload_budget(Vec::new(), 10).is_empty());
    }
}

//! The HTTP API: routes, extractors and handlers.
//!
//! Handlers are thin: read the request, ask storage, answer. The rules live in
//! [`crate::commands`] (what a command may do) and [`crate::storage`] (how it is kept).

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use kyosai_sync_protocol::{
    codes, Change, ConflictList, Hello, LoginRequest, PokeRequest, PokeResponse, PullRequest,
    PullResponse, PushRequest, PushResponse, RefreshRequest, ResolveConflict, Session,
    HEADER_APP_VERSION, HEADER_PROTOCOL, MAX_PULL_LIMIT, MAX_PUSH_COMMANDS, PROTOCOL_VERSION,
};
use serde::de::DeserializeOwned;
use tokio::sync::{watch, Semaphore};
use tower_http::catch_panic::CatchPanicLayer;
use tracing::Instrument as _;
use uuid::Uuid;

use crate::audit;
use crate::auth;
use crate::config::Config;
use crate::cursor::{self, Start};
use crate::error::{ApiFailure, REQUEST_ID};
use crate::model::{Actor, ChangeOp, Scope};
use crate::storage::{
    AccessLookup, ChangeRow, NewTokens, PushOutcome, RefreshOutcome, ResolveOutcome, Storage,
};

/// The longest a poke is held, whatever the client asks.
pub const MAX_POKE_WAIT_SECONDS: u32 = 25;
const HEADER_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
const MAX_USER_ID_CHARS: usize = 64;
const MAX_DEVICE_NAME_CHARS: usize = 200;

/// What every handler shares.
#[derive(Debug)]
pub(crate) struct AppState {
    pub storage: Storage,
    pub config: Arc<Config>,
    /// The newest change serial this process committed; pokes wait on it.
    pub changes: watch::Sender<i64>,
    /// Becomes `Some` when the server is stopping; pokes return at once.
    pub shutdown: watch::Receiver<Option<Duration>>,
    /// argon2 is memory-hard: a few at a time, so a burst of sign-ins cannot exhaust RAM.
    pub hashing: Semaphore,
    /// Verified against when the user does not exist, so both cases take as long.
    pub dummy_hash: String,
    /// Faults injected by tests (never set in production).
    pub faults: Arc<Faults>,
    /// The edit leases of the OCR correction queue (in memory; see [`crate::ocr_lease`]).
    pub leases: crate::ocr_lease::Leases,
}

/// Test-only fault injection, set through [`crate::testing::TestServer`].
#[derive(Debug, Default)]
pub(crate) struct Faults {
    /// This many coming pushes commit, then have their response cut off.
    pub cut_push_responses: AtomicU32,
    /// This many coming refreshes rotate, then have their response cut off.
    pub cut_refresh_responses: AtomicU32,
}

impl Faults {
    fn take_cut(&self) -> bool {
        Self::take(&self.cut_push_responses)
    }

    fn take_refresh_cut(&self) -> bool {
        Self::take(&self.cut_refresh_responses)
    }

    fn take(counter: &AtomicU32) -> bool {
        counter
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
    }
}

/// A response body that fails at once: the connection is dropped mid-response, as when
/// the network fails after the server committed.
struct CutBody;

impl http_body::Body for CutBody {
    type Data = axum::body::Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        Poll::Ready(Some(Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "test fault: response cut after commit",
        ))))
    }
}

pub(crate) fn router(state: Arc<AppState>) -> Router {
    let body_limit = state.config.max_body_bytes;
    let versioned = Router::new()
        .route("/auth/v1/login", post(login))
        .route("/auth/v1/refresh", post(refresh))
        .route("/auth/v1/logout", post(logout))
        .route("/sync/v1/push", post(push))
        .route("/sync/v1/pull", post(pull))
        .route("/sync/v1/poke", post(poke))
        .route("/sync/v1/conflicts", get(conflicts))
        .route("/sync/v1/conflicts/{id}/resolve", post(resolve_conflict))
        .route("/sync/v1/directory", get(directory))
        .route(
            "/sync/v1/acquisitions/{id}/review",
            get(crate::acquisition::review_handler),
        )
        .route(
            "/sync/v1/registrations",
            post(crate::acquisition::create_batch_handler)
                .get(crate::acquisition::list_batches_handler),
        )
        .route(
            "/sync/v1/registrations/{id}",
            get(crate::acquisition::batch_file_handler),
        )
        .route(
            "/sync/v1/ocr/{id}/lease",
            post(crate::ocr_lease::lease_handler),
        )
        .route(
            "/analytics/v1/dashboard",
            get(crate::analytics::dashboard_handler),
        )
        .route("/sync/v1/absences", post(add_absence))
        .route(
            "/sync/v1/absences/{id}",
            axum::routing::delete(cancel_absence),
        )
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            require_protocol,
        ));
    // App updates: signed-in users, but no minimum app version (an app too old to sync
    // must still fetch its update).
    let updates = Router::new()
        .route(
            "/updates/v1/{channel}/{target}",
            get(crate::updates::check_handler),
        )
        .route(
            "/updates/v1/{channel}/{target}/file",
            get(crate::updates::file_handler),
        );
    Router::new()
        .route("/v1/hello", get(hello))
        .merge(versioned)
        .merge(updates)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(CatchPanicLayer::custom(|_| {
            tracing::error!("a handler panicked");
            ApiFailure::internal().into_response()
        }))
        .layer(middleware::from_fn(request_context))
        .with_state(state)
}

/// Gives each request an id (in the log span, the `x-request-id` answer header and
/// internal-error messages) and logs one line per request. Never logs bodies or headers:
/// they carry passwords and tokens.
async fn request_context(req: Request, next: Next) -> Response {
    // 「3f9a1c-07be42」: six and six hex digits, so that an id that happens to be all digits
    // never looks like a 12-digit 個人番号 to the log scan (`kyosai logs scan`).
    let hex = Uuid::new_v4().simple().to_string();
    let id = format!("{}-{}", &hex[..6], &hex[6..12]);
    let span = tracing::info_span!(
        "request",
        id = %id,
        method = %req.method(),
        path = %req.uri().path(),
        user = tracing::field::Empty
    );
    let started = Instant::now();
    let mut response = REQUEST_ID
        .scope(id.clone(), next.run(req).instrument(span.clone()))
        .await;
    let status = response.status();
    span.in_scope(|| {
        let ms = started.elapsed().as_millis() as u64;
        if status.is_server_error() {
            tracing::warn!(status = status.as_u16(), ms, "answered");
        } else {
            tracing::info!(status = status.as_u16(), ms, "answered");
        }
    });
    if let Ok(v) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(HEADER_REQUEST_ID, v);
    }
    response
}

/// `/auth` and `/sync` speak one protocol version; old apps are told to update
/// (`min_app_version`: everywhere but sign-in, see [`crate::version::OPEN_TO_OLD_APPS`]).
async fn require_protocol(
    State(state): State<Arc<AppState>>,
    req: Request,
    next: Next,
) -> Response {
    // (No borrow of `req` may live across the await below: a body is not `Sync`.)
    let (protocol, app_version, route) = {
        let header = |name: &str| -> Option<String> {
            req.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.trim().to_string())
        };
        (
            header(HEADER_PROTOCOL).and_then(|v| v.parse::<u32>().ok()),
            header(HEADER_APP_VERSION),
            req.extensions()
                .get::<axum::extract::MatchedPath>()
                .map(|p| p.as_str().to_string()),
        )
    };
    match protocol {
        Some(PROTOCOL_VERSION) => {}
        Some(v) if v > PROTOCOL_VERSION => {
            return ApiFailure::bad_request(format!(
                "サーバーがこのアプリの通信方式（プロトコル {v}）にまだ対応していません。IT管理者に連絡してください。"
            ))
            .into_response();
        }
        _ => {
            return ApiFailure::new(
                StatusCode::UPGRADE_REQUIRED,
                codes::CLIENT_TOO_OLD,
                "このアプリは古いため、サーバーと通信できません。アプリを最新版に更新してください（更新版はIT管理者から配布されます）。入力済みの内容は端末に残っています。",
            )
            .into_response();
        }
    }
    // Sign-in stays open to a too-old app (crate::version::OPEN_TO_OLD_APPS): it then
    // hears "update" from its first sync instead of failing to sign in.
    if let Some(min) = &state.config.min_app_version {
        if crate::version::minimum_applies_to(route.as_deref())
            && crate::version::is_too_old(app_version.as_deref(), min)
        {
            return ApiFailure::new(
                StatusCode::UPGRADE_REQUIRED,
                codes::CLIENT_TOO_OLD,
                format!(
                    "このアプリのバージョンは古いため、サーバーと通信できません。バージョン {min} 以降に更新してください（更新版はIT管理者から配布されます）。入力済みの内容は端末に残っています。"
                ),
            )
            .into_response();
        }
    }
    next.run(req).await
}

async fn not_found() -> ApiFailure {
    ApiFailure::not_found_route()
}

async fn method_not_allowed() -> ApiFailure {
    ApiFailure::new(
        StatusCode::METHOD_NOT_ALLOWED,
        codes::BAD_REQUEST,
        "このアドレスはその方法では使えません。アプリを最新版に更新してください。",
    )
}

/// A JSON body whose rejections are [`ApiFailure`]s.
pub(crate) struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiFailure;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiFailure> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(ApiFailure::too_large(
                    "送信する内容が大きすぎます。添付や件数を減らしてもう一度お試しください。",
                ))
            }
            Err(rejection) => {
                tracing::debug!(reason = %rejection.body_text(), "unreadable request body");
                Err(ApiFailure::bad_request(
                    "リクエストの内容を読み取れませんでした。アプリを最新版に更新してください。",
                ))
            }
        }
    }
}

/// The signed-in actor, from the bearer token alone.
pub(crate) struct Authed(pub Actor);

impl FromRequestParts<Arc<AppState>> for Authed {
    type Rejection = ApiFailure;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, ApiFailure> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                let (scheme, token) = v.trim().split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
            })
            .ok_or_else(ApiFailure::token_invalid)?;
        if !auth::looks_like_token(token) {
            return Err(ApiFailure::token_invalid());
        }
        match state
            .storage
            .lookup_access(&auth::token_hash(token), crate::model::now())
            .await?
        {
            AccessLookup::Valid(actor) => {
                tracing::Span::current().record("user", actor.user_id.as_str());
                Ok(Authed(actor))
            }
            AccessLookup::Invalid => Err(ApiFailure::token_invalid()),
            AccessLookup::Expired => Err(ApiFailure::token_expired()),
            AccessLookup::DeviceRevoked => Err(ApiFailure::device_revoked()),
            AccessLookup::Disabled => Err(ApiFailure::account_disabled()),
        }
    }
}

async fn hello(State(state): State<Arc<AppState>>) -> Json<Hello> {
    Json(Hello {
        service: "kyosai-central".to_string(),
        server_version: env!("CARGO_PKG_VERSION").to_string(),
        protocols: vec![PROTOCOL_VERSION],
        min_app_version: state.config.min_app_version.clone(),
    })
}

/// A time as people in Tokyo read it (JST has no daylight saving).
fn jst(t: DateTime<Utc>) -> String {
    (t + chrono::Duration::hours(9))
        .format("%Y年%-m月%-d日 %H時%M分")
        .to_string()
}

fn invalid_credentials() -> ApiFailure {
    ApiFailure::new(
        StatusCode::UNAUTHORIZED,
        codes::AUTH_INVALID_CREDENTIALS,
        "ユーザーIDまたはパスワードが正しくありません。入力を確かめてもう一度お試しください。",
    )
}

fn locked(until: DateTime<Utc>) -> ApiFailure {
    ApiFailure::new(
        StatusCode::FORBIDDEN,
        codes::AUTH_LOCKED,
        format!(
            "サインインに続けて失敗したため、このアカウントは一時的にロックされています。{}（日本時間）以降にもう一度お試しください。急ぐ場合はIT管理者にロックの解除を依頼してください。",
            jst(until)
        ),
    )
}

async fn verify_password(
    state: &AppState,
    hash: String,
    password: String,
) -> Result<bool, ApiFailure> {
    let _permit = state
        .hashing
        .acquire()
        .await
        .map_err(|_| ApiFailure::unavailable())?;
    tokio::task::spawn_blocking(move || auth::verify_password(&hash, &password))
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "password check failed");
            ApiFailure::internal()
        })
}

fn new_tokens(config: &Config, now: DateTime<Utc>) -> (NewTokens, String, String) {
    let (access, access_hash) = auth::new_token();
    let (refresh, refresh_hash) = auth::new_token();
    let lifetime = |d: Duration| chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX);
    let tokens = NewTokens {
        access_hash,
        access_expires_at: now + lifetime(config.auth.access_token_lifetime),
        refresh_hash,
        refresh_expires_at: now + lifetime(config.auth.refresh_token_lifetime),
    };
    (tokens, access, refresh)
}

async fn login(
    State(state): State<Arc<AppState>>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Json<Session>, ApiFailure> {
    let user_id = req.user_id.trim().to_string();
    if user_id.is_empty() || user_id.chars().count() > MAX_USER_ID_CHARS {
        return Err(invalid_credentials());
    }
    if req.password.len() > auth::MAX_PASSWORD_BYTES {
        return Err(invalid_credentials());
    }
    let device_name: String = req
        .device
        .name
        .trim()
        .chars()
        .take(MAX_DEVICE_NAME_CHARS)
        .collect();
    let now = crate::model::now();

    let device_id = req.device.device_id;
    let Some(user) = state.storage.user_for_login(&user_id).await? else {
        // Same work, same answer as a wrong password.
        let _ = verify_password(&state, state.dummy_hash.clone(), req.password).await?;
        tracing::info!(user = %user_id, "sign-in refused: unknown user");
        state
            .storage
            .audit_append(audit::sign_in_failed(None, device_id, "unknown_user", now))
            .await?;
        return Err(invalid_credentials());
    };
    if let Some(until) = user.locked_until.filter(|u| *u > now) {
        tracing::info!(user = %user_id, "sign-in refused: locked");
        state
            .storage
            .audit_append(audit::sign_in_failed(
                Some(&user_id),
                device_id,
                "locked",
                now,
            ))
            .await?;
        return Err(locked(until));
    }
    if !verify_password(&state, user.password_hash.clone(), req.password).await? {
        let lock_until = now
            + chrono::Duration::from_std(state.config.auth.lockout_duration)
                .unwrap_or(chrono::Duration::MAX);
        let locked_now = state
            .storage
            .record_login_failure(
                &user_id,
                state.config.auth.lockout_threshold,
                lock_until,
                audit::sign_in_failed(Some(&user_id), device_id, "password", now),
                audit::locked_out(&user_id, device_id, lock_until, now),
            )
            .await?;
        return match locked_now {
            Some(until) => {
                tracing::warn!(user = %user_id, "account locked after repeated sign-in failures");
                Err(locked(until))
            }
            None => {
                tracing::info!(user = %user_id, "sign-in refused: wrong password");
                Err(invalid_credentials())
            }
        };
    }
    if user.disabled {
        state
            .storage
            .audit_append(audit::sign_in_failed(
                Some(&user_id),
                device_id,
                "disabled",
                now,
            ))
            .await?;
        return Err(ApiFailure::account_disabled());
    }
    state.storage.record_login_success(&user_id).await?;

    match state.storage.device(&user_id, device_id).await? {
        Some(d) if d.revoked_at.is_some() => {
            tracing::warn!(user = %user_id, device = %device_id, "sign-in refused: device revoked");
            state
                .storage
                .audit_append(audit::sign_in_failed(
                    Some(&user_id),
                    device_id,
                    "device_revoked",
                    now,
                ))
                .await?;
            return Err(ApiFailure::device_revoked());
        }
        Some(_) => {}
        None => tracing::info!(user = %user_id, device = %device_id, "device enrolled"),
    }
    state
        .storage
        .enroll_device(&user_id, device_id, &device_name, now)
        .await?;

    let (tokens, access, refresh) = new_tokens(&state.config, now);
    state
        .storage
        .issue_tokens(
            &user_id,
            device_id,
            &tokens,
            now,
            audit::signed_in(&user_id, device_id, now),
        )
        .await?;
    tracing::info!(user = %user_id, device = %device_id, "signed in");
    Ok(Json(Session {
        access_token: access,
        access_expires_at: tokens.access_expires_at,
        refresh_token: refresh,
        refresh_expires_at: tokens.refresh_expires_at,
        user: user.info,
    }))
}

async fn refresh(
    State(state): State<Arc<AppState>>,
    ApiJson(req): ApiJson<RefreshRequest>,
) -> Result<Response, ApiFailure> {
    if !auth::looks_like_token(&req.refresh_token) {
        return Err(ApiFailure::token_invalid());
    }
    let now = crate::model::now();
    let (tokens, access, refresh) = new_tokens(&state.config, now);
    let outcome = state
        .storage
        .rotate_refresh(
            &auth::token_hash(&req.refresh_token),
            req.device_id,
            &tokens,
            chrono::Duration::from_std(state.config.auth.refresh_reuse_grace)
                .ok()
                .filter(|grace| !grace.is_zero())
                .map(|grace| now + grace),
            now,
        )
        .await?;
    let session = |user| {
        if state.faults.take_refresh_cut() {
            tracing::warn!("test fault: cutting a committed refresh's response");
            return Response::new(axum::body::Body::new(CutBody));
        }
        Json(Session {
            access_token: access,
            access_expires_at: tokens.access_expires_at,
            refresh_token: refresh,
            refresh_expires_at: tokens.refresh_expires_at,
            user,
        })
        .into_response()
    };
    match outcome {
        RefreshOutcome::Rotated(user) => Ok(session(user)),
        RefreshOutcome::Forgiven(user) => {
            tracing::info!(user = %user.user_id, device = %req.device_id, "a refresh token rotated moments ago came back (its answer was lost?); accepted once, the pair issued then is revoked");
            Ok(session(user))
        }
        RefreshOutcome::Reused => {
            tracing::warn!(device = %req.device_id, "a spent refresh token was used again; the device's tokens are revoked");
            Err(ApiFailure::token_invalid())
        }
        RefreshOutcome::Unknown => Err(ApiFailure::token_invalid()),
        RefreshOutcome::Expired => Err(ApiFailure::new(
            StatusCode::UNAUTHORIZED,
            codes::AUTH_TOKEN_EXPIRED,
            "サインインの有効期限が切れました。もう一度サインインしてください。",
        )),
        RefreshOutcome::DeviceRevoked => Err(ApiFailure::device_revoked()),
        RefreshOutcome::Disabled => Err(ApiFailure::account_disabled()),
    }
}

async fn logout(
    State(state): State<Arc<AppState>>,
    Authed(actor): Authed,
) -> Result<StatusCode, ApiFailure> {
    state
        .storage
        .revoke_tokens(
            &actor.user_id,
            actor.device_id,
            audit::signed_out(&actor.user_id, actor.device_id, crate::model::now()),
        )
        .await?;
    tracing::info!(user = %actor.user_id, device = %actor.device_id, "signed out");
    Ok(StatusCode::NO_CONTENT)
}

async fn push(
    State(state): State<Arc<AppState>>,
    Authed(actor): Authed,
    ApiJson(req): ApiJson<PushRequest>,
) -> Result<Response, ApiFailure> {
    if req.commands.len() > MAX_PUSH_COMMANDS {
        return Err(ApiFailure::too_large(format!(
            "一度に送れる操作は {MAX_PUSH_COMMANDS} 件までです。アプリを最新版に更新してください。"
        )));
    }
    let count = req.commands.len();
    let now = crate::model::now();
    let mut actor = actor;
    if req
        .commands
        .iter()
        .any(|c| crate::commands::needs_approval_view(&c.name))
    {
        actor.approval = Some(Arc::new(state.storage.approval_view(now).await?));
    }
    let client_head = req
        .audit_head
        .as_ref()
        .map(|h| audit::client_head(&actor, req.client_id, h, now));
    let outcome = state
        .storage
        .push(&actor, req.client_id, req.commands, now, client_head)
        .await?;
    match outcome {
        PushOutcome::Done {
            results,
            acknowledged_seq,
            newest_change,
        } => {
            if let Some(seq) = newest_change {
                state.changes.send_if_modified(|latest| {
                    if seq > *latest {
                        *latest = seq;
                        true
                    } else {
                        false
                    }
                });
            }
            tracing::info!(user = %actor.user_id, client = %req.client_id, commands = count, acknowledged_seq, "push");
            if state.faults.take_cut() {
                tracing::warn!("test fault: cutting a committed push's response");
                return Ok(Response::new(axum::body::Body::new(CutBody)));
            }
            Ok(Json(PushResponse {
                results,
                acknowledged_seq,
            })
            .into_response())
        }
        PushOutcome::ClientMismatch => {
            tracing::warn!(user = %actor.user_id, client = %req.client_id, "client id used by another user or device");
            state
                .storage
                .audit_append(audit::push_refused(
                    &actor,
                    req.client_id,
                    codes::CLIENT_ID_MISMATCH,
                    now,
                ))
                .await?;
            Err(ApiFailure::new(
                StatusCode::FORBIDDEN,
                codes::CLIENT_ID_MISMATCH,
                "この端末の送信データは別のユーザーまたは別の端末のものです。入力済みの内容は端末に残っています。IT管理者に連絡してください。",
            ))
        }
        PushOutcome::SeqGap { expected } => Err(ApiFailure::new(
            StatusCode::CONFLICT,
            codes::SEQ_GAP,
            format!(
                "送信する操作の番号に抜けがあります（次に必要な番号: {expected}）。アプリが自動で送り直します。続く場合はIT管理者に連絡してください。"
            ),
        )),
        PushOutcome::SeqReused { seq } => {
            tracing::warn!(user = %actor.user_id, client = %req.client_id, seq, "seq reused with a different command");
            state
                .storage
                .audit_append(audit::push_refused(
                    &actor,
                    req.client_id,
                    codes::SEQ_REUSED,
                    now,
                ))
                .await?;
            Err(ApiFailure::new(
                StatusCode::CONFLICT,
                codes::SEQ_REUSED,
                format!(
                    "送信した操作の番号 {seq} は、別の操作で既に使われています（端末のデータが以前の状態に戻された可能性があります）。入力済みの内容は端末に残っています。IT管理者に連絡してください。"
                ),
            ))
        }
    }
}

/// Builds a page from change-log rows: each record once, at the position of its last
/// row, as it is now; an upsert of a record the actor can no longer see becomes a revoke.
fn build_page(scope: &Scope, rows: Vec<ChangeRow>) -> Vec<Change> {
    let mut last: HashMap<Uuid, usize> = HashMap::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        last.insert(row.record_id, i);
    }
    rows.into_iter()
        .enumerate()
        .filter(|(i, row)| last.get(&row.record_id) == Some(i))
        .map(|(_, row)| match (row.op, row.record) {
            (ChangeOp::Upsert, Some(record)) if scope.sees(&record.office_code) => Change::Upsert {
                record: Box::new(record),
            },
            _ => Change::Revoke {
                record_id: row.record_id,
            },
        })
        .collect()
}

async fn cursor_start(
    state: &AppState,
    cursor: Option<&str>,
    scope: &Scope,
    actor: &Actor,
) -> Result<(Start, String), ApiFailure> {
    let epoch = crate::redact::epoch_for(actor, state.storage.epoch().await?);
    let newest = state.storage.newest_change().await?;
    Ok((cursor::start(cursor, &epoch, scope, newest), epoch))
}

async fn pull(
    State(state): State<Arc<AppState>>,
    Authed(actor): Authed,
    ApiJson(req): ApiJson<PullRequest>,
) -> Result<Json<PullResponse>, ApiFailure> {
    let scope = actor.scope();
    let (start, epoch) = cursor_start(&state, req.cursor.as_deref(), &scope, &actor).await?;
    let after = start.after();
    let limit = req.limit.clamp(1, MAX_PULL_LIMIT);
    let mut rows = state
        .storage
        .changes_after(&scope, after, limit + 1)
        .await?;
    let has_more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let last = rows.last().map_or(after, |r| r.seq);
    let mut changes = build_page(&scope, rows);
    for change in &mut changes {
        if let Change::Upsert { record } = change {
            crate::redact::record_for(&actor, record);
        }
    }
    Ok(Json(PullResponse {
        changes,
        cursor: cursor::encode(&epoch, &scope, last),
        has_more,
        reset: start == Start::Reset,
    }))
}

async fn poke(
    State(state): State<Arc<AppState>>,
    Authed(actor): Authed,
    ApiJson(req): ApiJson<PokeRequest>,
) -> Result<Json<PokeResponse>, ApiFailure> {
    let scope = actor.scope();
    // Subscribe before looking, so a change committed in between still wakes us.
    let mut changes = state.changes.subscribe();
    let mut shutdown = state.shutdown.clone();
    let (start, _) = cursor_start(&state, req.cursor.as_deref(), &scope, &actor).await?;
    let after = match start {
        Start::Reset => return Ok(Json(PokeResponse { changed: true })),
        s => s.after(),
    };
    let wait = Duration::from_secs(u64::from(req.wait_seconds.min(MAX_POKE_WAIT_SECONDS)));
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        changes.borrow_and_update();
        if state.storage.has_changes_after(&scope, after).await? {
            return Ok(Json(PokeResponse { changed: true }));
        }
        // Wait for a commit newer than the cursor (one that may be visible to us).
        loop {
            if shutdown.borrow().is_some() {
                return Ok(Json(PokeResponse { changed: false }));
            }
            tokio::select! {
                _ = tokio::time::sleep_until(deadline) => {
                    return Ok(Json(PokeResponse { changed: false }));
                }
                r = changes.changed() => {
                    if r.is_err() {
                        return Ok(Json(PokeResponse { changed: false }));
                    }
                    if *changes.borrow_and_update() > after {
                        break;
                    }
                }
                _ = shutdown.changed() => {
                    return Ok(Json(PokeResponse { changed: false }));
                }
            }
        }
    }
}

async fn conflicts(
    State(state): State<Arc<AppState>>,
    Authed(actor): Authed,
) -> Result<Json<ConflictList>, ApiFailure> {
    let scope = actor.scope();
    let conflicts = state
        .storage
        .open_conflicts(&actor.user_id)
        .await?
        .into_iter()
        .map(|stored| {
            let mut c = stored.conflict;
            c.server_record = stored.record.filter(|r| scope.sees(&r.office_code));
            if let Some(r) = c.server_record.as_mut() {
                crate::redact::record_for(&actor, r);
            }
            c
        })
        .collect();
    Ok(Json(ConflictList { conflicts }))
}

async fn resolve_conflict(
    State(state): State<Arc<AppState>>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<ResolveConflict>,
) -> Result<StatusCode, ApiFailure> {
    let not_found = || {
        ApiFailure::new(
            StatusCode::NOT_FOUND,
            codes::NOT_FOUND,
            "この競合は見つかりません。一覧を更新してください。",
        )
    };
    let id = Uuid::parse_str(&id).map_err(|_| not_found())?;
    let now = crate::model::now();
    let resolved = audit::conflict_resolved(
        &actor.user_id,
        id,
        crate::storage::resolution_str(req.resolution),
        now,
    );
    match state
        .storage
        .resolve_conflict(&actor.user_id, id, req.resolution, now, resolved)
        .await?
    {
        ResolveOutcome::Resolved | ResolveOutcome::AlreadyResolved => Ok(StatusCode::NO_CONTENT),
        ResolveOutcome::NotFound => Err(not_found()),
    }
}

async fn directory(
    State(state): State<Arc<AppState>>,
    Authed(_actor): Authed,
) -> Result<Json<kyosai_sync_protocol::approval::Directory>, ApiFailure> {
    Ok(Json(
        state
            .storage
            .approval_directory(crate::model::now())
            .await?,
    ))
}

fn absence_invalid(message: impl Into<String>) -> ApiFailure {
    ApiFailure::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        kyosai_sync_protocol::approval::codes::ABSENCE_INVALID,
        message,
    )
}

async fn add_absence(
    State(state): State<Arc<AppState>>,
    Authed(actor): Authed,
    ApiJson(req): ApiJson<kyosai_sync_protocol::approval::NewAbsence>,
) -> Result<
    (
        StatusCode,
        Json<kyosai_sync_protocol::approval::AbsenceInfo>,
    ),
    ApiFailure,
> {
    // An absence lets a delegate decide in the absent person's place: only someone who
    // can hold a slot of a route has a place to give.
    if !actor.may_hold_approval_slot() {
        return Err(ApiFailure::new(
            StatusCode::FORBIDDEN,
            codes::FORBIDDEN,
            "不在（代決者）を登録できるのは、所属所長・事務局審査担当・決裁権者など決裁に加わる方だけです。",
        ));
    }
    let now = crate::model::now();
    let view = state.storage.approval_view(now).await?;
    let delegate = view.directory.iter().find(|u| u.user_id == req.delegate_id);
    kyosai_domain::approval::check_absence(
        &actor.user_id,
        &req.delegate_id,
        delegate,
        req.from,
        req.until,
        now,
    )
    .map_err(|e| absence_invalid(e.to_string()))?;
    let added = audit::absence_added(&actor.user_id, &req.delegate_id, req.from, req.until, now);
    match state
        .storage
        .add_absence(&actor.user_id, &req, now, added)
        .await?
    {
        Some(info) => {
            tracing::info!(user = %actor.user_id, delegate = %info.delegate_id, from = %info.from, until = %info.until, "absence registered");
            Ok((StatusCode::CREATED, Json(info)))
        }
        None => Err(absence_invalid(format!(
            "代決者「{}」が見つかりません。",
            req.delegate_id
        ))),
    }
}

async fn cancel_absence(
    State(state): State<Arc<AppState>>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiFailure> {
    let not_found = || {
        ApiFailure::new(
            StatusCode::NOT_FOUND,
            kyosai_sync_protocol::approval::codes::ABSENCE_NOT_FOUND,
            "この不在登録は見つかりません。一覧を更新してください。",
        )
    };
    let id = Uuid::parse_str(&id).map_err(|_| not_found())?;
    let now = crate::model::now();
    if state
        .storage
        .cancel_absence(
            &actor.user_id,
            id,
            now,
            audit::absence_cancelled(&actor.user_id, id, now),
        )
        .await?
    {
        tracing::info!(user = %actor.user_id, %id, "absence cancelled");
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(not_found())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn lock_times_are_told_in_japan_time() {
        let t = Utc.with_ymd_and_hms(2026, 4, 1, 1, 5, 0).single();
        assert_eq!(t.map(jst).as_deref(), Some("2026年4月1日 10時05分"));
    }
}

//! Sign-in, the session and its refresh, sign-out.
//!
//! The access token lives in memory only. The refresh token (43 characters) is kept in
//! the OS credential store under `<profile>/<user_id>`, so the app can resume after a
//! restart without the password, and offline: the first sync after start refreshes.
//! Beside it, `<profile>/<user_id>/unlock` keeps an argon2id hash of the password of the
//! last online sign-in ([`crate::unlock`]), so the locked app can be unlocked offline.

use std::sync::Arc;

use chrono::{Duration as ChronoDuration, Utc};
use kyosai_sync_protocol::{codes, DeviceInfo, LoginRequest, RefreshRequest, Session, UserInfo};
use tokio::sync::{watch, Mutex};
use uuid::Uuid;

use crate::api::Api;
use crate::error::{ErrorKind, SyncError};
use crate::secrets::{account_for, SecretStore};
use crate::unlock::{self, unlock_account_for};
use crate::{with_store, SharedStore};

/// Where the session stands.
enum State {
    SignedOut,
    /// A refresh token is stored for this user; the next request refreshes.
    Restorable {
        user_id: String,
        device_id: Uuid,
    },
    Active {
        session: Session,
        device_id: Uuid,
    },
}

/// The signed-in session of one profile: signs in and out, hands out a valid access token
/// and refreshes it (once per expiry, shared by every task).
pub struct Auth {
    api: Api,
    secrets: Arc<dyn SecretStore>,
    profile: String,
    device_name: String,
    state: Mutex<State>,
    user_tx: watch::Sender<Option<String>>,
    info_tx: watch::Sender<Option<UserInfo>>,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the tokens.
        f.debug_struct("Auth")
            .field("profile", &self.profile)
            .field("secrets", &self.secrets.name())
            .field("user", &*self.user_tx.borrow())
            .finish_non_exhaustive()
    }
}

/// How long before its expiry an access token is refreshed.
const REFRESH_MARGIN_SECS: i64 = 30;

impl Auth {
    /// `profile` names the app profile (the credential store account is
    /// `<profile>/<user_id>`); `device_name` is what IT sees for this PC.
    pub fn new(
        api: Api,
        secrets: Arc<dyn SecretStore>,
        profile: impl Into<String>,
        device_name: impl Into<String>,
    ) -> Auth {
        Auth {
            api,
            secrets,
            profile: profile.into(),
            device_name: device_name.into(),
            state: Mutex::new(State::SignedOut),
            user_tx: watch::channel(None).0,
            info_tx: watch::channel(None).0,
        }
    }

    pub fn api(&self) -> &Api {
        &self.api
    }

    /// The signed-in user's id (also while a stored session waits to be refreshed).
    pub fn signed_in_user(&self) -> Option<String> {
        self.user_tx.borrow().clone()
    }

    /// Follows [`Auth::signed_in_user`].
    pub fn subscribe_user(&self) -> watch::Receiver<Option<String>> {
        self.user_tx.subscribe()
    }

    /// Who the server says is signed in (after the first successful sign-in or refresh).
    pub fn user_info(&self) -> Option<UserInfo> {
        self.info_tx.borrow().clone()
    }

    fn publish(&self, user: Option<String>, info: Option<UserInfo>) {
        self.user_tx.send_replace(user);
        self.info_tx.send_replace(info);
    }

    /// Signs in with user id and password, enrolling this PC. The profile becomes this
    /// user's (refused while another user's unsent work is in it); the refresh token goes
    /// to the credential store.
    pub async fn sign_in(
        &self,
        store: &SharedStore,
        user_id: &str,
        password: &str,
    ) -> Result<UserInfo, SyncError> {
        let device_id = with_store(store, |s| Ok(s.sync().state()?.device_id)).await?;
        let req = LoginRequest {
            user_id: user_id.to_string(),
            password: password.to_string(),
            device: DeviceInfo {
                device_id,
                name: self.device_name.clone(),
            },
        };
        let session = self.api.login(&req).await?;
        let server_user = session.user.user_id.clone();
        let bound = {
            let u = server_user.clone();
            with_store(store, move |s| s.sync().bind_user(&u)).await
        };
        if let Err(e) = bound {
            // The session is not used: tell the server so.
            if let Err(le) = self.api.logout(&session.access_token).await {
                tracing::debug!(error = %le, "logout after a refused sign-in failed");
            }
            return Err(e);
        }
        let mut state = self.state.lock().await;
        let previous = match &*state {
            State::SignedOut => None,
            State::Restorable { user_id, .. } => Some((user_id.clone(), None)),
            State::Active { session, .. } => Some((
                session.user.user_id.clone(),
                Some(session.access_token.clone()),
            )),
        };
        if let Some((previous, access)) = previous.filter(|(u, _)| *u != server_user) {
            // Someone else was signed in on this profile: end their session here.
            if let Some(access) = access {
                if let Err(e) = self.api.logout(&access).await {
                    tracing::debug!(error = %e, "logout of the previous user failed");
                }
            }
            if let Err(e) = self.forget(&previous).await {
                tracing::warn!(error = %e, "could not remove the previous user's token");
            }
        }
        self.save_refresh_token(&server_user, &session.refresh_token)
            .await;
        self.save_unlock_hash(&server_user, password).await;
        let info = session.user.clone();
        *state = State::Active { session, device_id };
        self.publish(Some(server_user.clone()), Some(info.clone()));
        tracing::info!(user = %server_user, "signed in");
        Ok(info)
    }

    /// Resumes the profile's user from the credential store without the network: true when
    /// a stored refresh token was found (the first request refreshes it).
    pub async fn restore(&self, store: &SharedStore) -> Result<bool, SyncError> {
        let st = with_store(store, |s| s.sync().state()).await?;
        let (Some(user_id), device_id) = (st.user_id, st.device_id) else {
            return Ok(false);
        };
        let account = account_for(&self.profile, &user_id);
        let secrets = self.secrets.clone();
        let token = blocking(move || secrets.get(&account)).await?;
        if token.is_none() {
            return Ok(false);
        }
        let mut state = self.state.lock().await;
        if matches!(*state, State::SignedOut) {
            *state = State::Restorable {
                user_id: user_id.clone(),
                device_id,
            };
            self.publish(Some(user_id), None);
        }
        Ok(true)
    }

    /// Signs out: refused (`sync.unsent_work`) while unsent, conflicted or rejected work
    /// remains; otherwise ends the server session (best effort when offline) and removes
    /// the stored refresh token. Local data stays for the next sign-in of this user.
    pub async fn sign_out(&self, store: &SharedStore) -> Result<(), SyncError> {
        let (unsent, counts) = with_store(store, |s| {
            let sync = s.sync();
            Ok((sync.has_unsent_work()?, sync.counts()?))
        })
        .await?;
        if unsent {
            return Err(SyncError::unsent_work(
                counts.pending,
                counts.conflicted,
                counts.rejected,
            ));
        }
        self.end_session().await
    }

    /// Signs out even though unsent work remains (the locked app after too many wrong
    /// passwords): the outbox and the profile's user stay, so the same user's next
    /// sign-in sends the work. Ends the server session (best effort when offline) and
    /// removes the stored refresh token and unlock hash.
    pub async fn end_session(&self) -> Result<(), SyncError> {
        let mut state = self.state.lock().await;
        let user_id = match std::mem::replace(&mut *state, State::SignedOut) {
            State::Active { session, .. } => {
                if let Err(e) = self.api.logout(&session.access_token).await {
                    tracing::warn!(error = %e, "server logout failed; the token is removed locally");
                }
                Some(session.user.user_id)
            }
            State::Restorable { user_id, .. } => Some(user_id),
            State::SignedOut => None,
        };
        if let Some(user_id) = user_id {
            self.forget(&user_id).await?;
            tracing::info!(user = %user_id, "signed out");
        }
        self.publish(None, None);
        Ok(())
    }

    /// A valid access token, refreshing first when it is about to expire.
    pub async fn access_token(&self) -> Result<String, SyncError> {
        let mut state = self.state.lock().await;
        match &*state {
            State::SignedOut => Err(SyncError::not_signed_in()),
            State::Active { session: s, .. }
                if s.access_expires_at
                    > Utc::now() + ChronoDuration::seconds(REFRESH_MARGIN_SECS) =>
            {
                Ok(s.access_token.clone())
            }
            _ => self.refresh_locked(&mut state).await,
        }
    }

    /// Runs `f` with an access token; when the server says the token expired (or is no
    /// longer valid), refreshes once and runs `f` again.
    pub async fn call<T, F, Fut>(&self, f: F) -> Result<T, SyncError>
    where
        F: Fn(String) -> Fut,
        Fut: std::future::Future<Output = Result<T, SyncError>>,
    {
        let token = self.access_token().await?;
        match f(token.clone()).await {
            Err(e) if e.kind == ErrorKind::TokenExpired || e.code == codes::AUTH_TOKEN_INVALID => {
                tracing::debug!(code = %e.code, "access token refused; refreshing once");
                self.refresh_after(&token).await?;
                let token = self.access_token().await?;
                let result = f(token).await;
                if let Err(e) = &result {
                    self.on_auth_failure(e).await;
                }
                result
            }
            Err(e) => {
                self.on_auth_failure(&e).await;
                Err(e)
            }
            ok => ok,
        }
    }

    /// Refreshes unless another task already did since `failed` was handed out.
    async fn refresh_after(&self, failed: &str) -> Result<(), SyncError> {
        let mut state = self.state.lock().await;
        if let State::Active { session: s, .. } = &*state {
            if s.access_token != failed {
                return Ok(());
            }
        }
        self.refresh_locked(&mut state).await.map(|_| ())
    }

    async fn refresh_locked(&self, state: &mut State) -> Result<String, SyncError> {
        let (user_id, device_id) = match &*state {
            State::SignedOut => return Err(SyncError::not_signed_in()),
            State::Restorable { user_id, device_id } => (user_id.clone(), *device_id),
            State::Active { session, device_id } => (session.user.user_id.clone(), *device_id),
        };
        let account = account_for(&self.profile, &user_id);
        let secrets = self.secrets.clone();
        let stored = blocking(move || secrets.get(&account)).await?;
        let Some(refresh_token) = stored else {
            *state = State::SignedOut;
            self.publish(None, None);
            return Err(SyncError::new(
                ErrorKind::Auth,
                codes::AUTH_TOKEN_INVALID,
                "サインインの情報がこのPCにありません。もう一度サインインしてください。",
            ));
        };
        let req = RefreshRequest {
            refresh_token,
            device_id,
        };
        match self.api.refresh(&req).await {
            Ok(session) => {
                self.save_refresh_token(&user_id, &session.refresh_token)
                    .await;
                let token = session.access_token.clone();
                let info = session.user.clone();
                *state = State::Active { session, device_id };
                self.publish(Some(user_id), Some(info));
                Ok(token)
            }
            Err(e) if e.kind == ErrorKind::Auth => {
                tracing::info!(code = %e.code, "refresh refused; signed out");
                if let Err(de) = self.forget(&user_id).await {
                    tracing::warn!(error = %de, "could not remove the refused refresh token");
                }
                *state = State::SignedOut;
                self.publish(None, None);
                Err(e)
            }
            Err(e) => Err(e),
        }
    }

    async fn on_auth_failure(&self, e: &SyncError) {
        // The server no longer accepts this PC or this account: sign out locally (the
        // local data stays; the clerk or IT sorts it out and signs in again).
        let gone = e.code == codes::AUTH_DEVICE_REVOKED || e.code == codes::AUTH_TOKEN_INVALID;
        if !gone {
            return;
        }
        let mut state = self.state.lock().await;
        let user_id = match &*state {
            State::SignedOut => return,
            State::Restorable { user_id, .. } => user_id.clone(),
            State::Active { session, .. } => session.user.user_id.clone(),
        };
        tracing::info!(code = %e.code, user = %user_id, "the server ended the session");
        if let Err(de) = self.forget(&user_id).await {
            tracing::warn!(error = %de, "could not remove the refresh token");
        }
        *state = State::SignedOut;
        self.publish(None, None);
    }

    /// Checks `password` against the unlock hash of the signed-in user, on this PC only
    /// (works offline). `None` when nobody is signed in or no hash is kept here (a
    /// credential store that forgets on restart): the caller then asks the server.
    pub async fn verify_password(&self, password: &str) -> Result<Option<bool>, SyncError> {
        let Some(user_id) = self.signed_in_user() else {
            return Ok(None);
        };
        let account = unlock_account_for(&self.profile, &user_id);
        let secrets = self.secrets.clone();
        let password = password.to_string();
        blocking(move || {
            Ok(secrets
                .get(&account)?
                .map(|stored| unlock::verify_password(&stored, &password)))
        })
        .await
    }

    /// Removes a user's refresh token and unlock hash from the credential store.
    async fn forget(&self, user_id: &str) -> Result<(), SyncError> {
        let token = account_for(&self.profile, user_id);
        let hash = unlock_account_for(&self.profile, user_id);
        let secrets = self.secrets.clone();
        blocking(move || {
            let first = secrets.delete(&token);
            secrets.delete(&hash)?;
            first
        })
        .await
    }

    async fn save_unlock_hash(&self, user_id: &str, password: &str) {
        let account = unlock_account_for(&self.profile, user_id);
        let secrets = self.secrets.clone();
        let password = password.to_string();
        let saved = blocking(move || {
            let hash = unlock::hash_password(&password)?;
            secrets.set(&account, &hash)
        })
        .await;
        if let Err(e) = saved {
            // Unlocking then needs the server (the app says so).
            tracing::warn!(error = %e, "unlock hash not stored");
        }
    }

    async fn save_refresh_token(&self, user_id: &str, token: &str) {
        let account = account_for(&self.profile, user_id);
        let secrets = self.secrets.clone();
        let token = token.to_string();
        if let Err(e) = blocking(move || secrets.set(&account, &token)).await {
            // The clerk can work this session; after a restart they sign in again.
            tracing::warn!(error = %e, "refresh token not stored");
        }
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, SyncError> + Send + 'static,
) -> Result<T, SyncError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| SyncError::secret("実行", e))?
}

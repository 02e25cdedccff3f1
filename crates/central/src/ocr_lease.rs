//! The edit lease of the AI-OCR correction queue (`POST /sync/v1/ocr/{id}/lease`): before
//! a clerk opens a scanned document (a record of kind `ocr_document`) for correction, the
//! app takes its lease here, so two clerks never correct the same document at once.
//!
//! Leases live in this process's memory only (a map in the server state; expired ones
//! are dropped lazily on the next request). A restart forgets them: they are locks of a
//! few minutes ([`LEASE_SECONDS`] by default, `ocr_lease_duration` in the configuration),
//! the app renews its lease while the document is open and answers a lost one by asking
//! the clerk to open the document again, and should two corrections still race, the
//! record versions of `record.update@1` catch it as a conflict. For the same reason a
//! lease is not a business action: it leaves no audit entry (the corrections do).
//!
//! Who may take a lease: whoever may write the document's office (its own 所属所担当者 and
//! 所属所長, the rule of `record.update@1`). A document the actor may not see, a missing
//! one and a record of another kind all answer the same `sync.not_found`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use kyosai_sync_protocol::ocr::{
    codes as ocr_codes, Lease, LeaseAction, LeaseRequest, KIND, LEASE_SECONDS,
};
use kyosai_sync_protocol::{codes, Role};
use uuid::Uuid;

use crate::api::{ApiJson, AppState, Authed};
use crate::error::ApiFailure;
use crate::model::Actor;

/// The leases of this process, by document id.
#[derive(Debug, Default)]
pub(crate) struct Leases {
    held: Mutex<HashMap<Uuid, Held>>,
}

/// One lease as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Held {
    holder_id: String,
    holder_name: String,
    expires_at: DateTime<Utc>,
}

/// Why an action was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Refused {
    /// Acquire: someone else holds the document.
    Held(Held),
    /// Renew: the caller's lease is gone; `Some` when someone else holds it now.
    Lost(Option<Held>),
}

impl Leases {
    /// Applies `action` by `user_id` on `document` at `now`. `name` is the caller's name
    /// as people read it (kept with a lease it takes).
    fn apply(
        &self,
        document: Uuid,
        action: LeaseAction,
        user_id: &str,
        name: &str,
        now: DateTime<Utc>,
        ttl: chrono::Duration,
    ) -> Result<Lease, Refused> {
        // A panic elsewhere while holding the lock leaves a map that is still consistent
        // (every change is one insert or remove): keep using it.
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        held.retain(|_, h| h.expires_at > now);
        let current = held.get(&document).cloned();
        let mine = current.as_ref().is_some_and(|h| h.holder_id == user_id);
        match action {
            LeaseAction::Acquire => match current {
                Some(other) if !mine => Err(Refused::Held(other)),
                _ => {
                    let lease = Held {
                        holder_id: user_id.to_string(),
                        holder_name: name.to_string(),
                        expires_at: now + ttl,
                    };
                    held.insert(document, lease.clone());
                    Ok(answer(document, Some(&lease), user_id, now))
                }
            },
            LeaseAction::Renew => match held.get_mut(&document) {
                Some(lease) if mine => {
                    lease.expires_at = now + ttl;
                    Ok(answer(document, Some(lease), user_id, now))
                }
                _ => Err(Refused::Lost(current)),
            },
            LeaseAction::Release => {
                if mine {
                    held.remove(&document);
                    Ok(answer(document, None, user_id, now))
                } else {
                    Ok(answer(document, current.as_ref(), user_id, now))
                }
            }
        }
    }
}

/// The lease as the caller sees it (`None`: free).
fn answer(document: Uuid, held: Option<&Held>, user_id: &str, now: DateTime<Utc>) -> Lease {
    match held {
        Some(h) => Lease {
            document_id: document,
            holder_id: h.holder_id.clone(),
            holder_name: h.holder_name.clone(),
            expires_at: h.expires_at,
            held_by_me: h.holder_id == user_id,
        },
        None => Lease {
            document_id: document,
            holder_id: String::new(),
            holder_name: String::new(),
            expires_at: now,
            held_by_me: false,
        },
    }
}

/// 16:05 — a lease lasts minutes, so the time of day in Tokyo is enough.
fn jst_time(t: DateTime<Utc>) -> String {
    kyosai_domain::approval::jst(t).format("%H:%M").to_string()
}

fn not_found() -> ApiFailure {
    ApiFailure::new(
        StatusCode::NOT_FOUND,
        codes::NOT_FOUND,
        "この帳票は見つかりません。同期してから開き直してください。",
    )
}

fn forbidden() -> ApiFailure {
    ApiFailure::new(
        StatusCode::FORBIDDEN,
        codes::FORBIDDEN,
        "この帳票を確認・修正できるのは、帳票の所属所の所属所担当者と所属所長だけです。",
    )
}

/// The 409 of a refusal. The message names the holder and until when: the error body has
/// no room for data, so the app shows the message as it comes.
fn refusal(r: Refused) -> ApiFailure {
    match r {
        Refused::Held(h) => ApiFailure::new(
            StatusCode::CONFLICT,
            ocr_codes::LEASE_HELD,
            format!(
                "この帳票は{}さんが確認中です（{} まで）。別の帳票を開いてください。",
                h.holder_name,
                jst_time(h.expires_at)
            ),
        ),
        Refused::Lost(Some(h)) => ApiFailure::new(
            StatusCode::CONFLICT,
            ocr_codes::LEASE_LOST,
            format!(
                "編集の権利が切れました。この帳票は今、{}さんが確認中です（{} まで）。しばらくしてから、もう一度開いてください。",
                h.holder_name,
                jst_time(h.expires_at)
            ),
        ),
        Refused::Lost(None) => ApiFailure::new(
            StatusCode::CONFLICT,
            ocr_codes::LEASE_LOST,
            "編集の権利が切れました。しばらく操作がなかったか、サーバーが再起動したためです。帳票を閉じて、もう一度開いてください。",
        ),
    }
}

/// The rule of `record.update@1` (`may_write` in `commands`): the office's own clerks and
/// head. The secretariat, approvers and IT do not correct an office's documents.
fn may_write(actor: &Actor, office: &str) -> bool {
    actor.office_code.as_deref() == Some(office)
        && (actor.has(Role::OfficeClerk) || actor.has(Role::OfficeHead))
}

/// `POST /sync/v1/ocr/{id}/lease`.
pub(crate) async fn lease_handler(
    State(state): State<Arc<AppState>>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<LeaseRequest>,
) -> Result<Json<Lease>, ApiFailure> {
    let id = Uuid::parse_str(&id).map_err(|_| not_found())?;
    let Some(record) = state.storage.record(id).await? else {
        return Err(not_found());
    };
    if record.kind != KIND || !actor.scope().sees(&record.office_code) {
        return Err(not_found());
    }
    if !may_write(&actor, &record.office_code) {
        return Err(forbidden());
    }
    // The name goes with a lease taken, for the 409 others see (looked up before the
    // lock: the map's lock is never held across an await).
    let name = match req.action {
        LeaseAction::Acquire => state
            .storage
            .user_for_login(&actor.user_id)
            .await?
            .map(|u| u.info.display_name)
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| actor.user_id.clone()),
        LeaseAction::Renew | LeaseAction::Release => String::new(),
    };
    let ttl = chrono::Duration::from_std(state.config.ocr_lease_duration)
        .unwrap_or_else(|_| chrono::Duration::seconds(LEASE_SECONDS));
    let outcome = state.leases.apply(
        id,
        req.action,
        &actor.user_id,
        &name,
        crate::model::now(),
        ttl,
    );
    // The record id only: names stay out of the log.
    match &outcome {
        Ok(lease) => {
            tracing::debug!(record = %id, action = ?req.action, held_by_me = lease.held_by_me, "ocr lease")
        }
        Err(r) => {
            let why = match r {
                Refused::Held(_) => ocr_codes::LEASE_HELD,
                Refused::Lost(_) => ocr_codes::LEASE_LOST,
            };
            tracing::debug!(record = %id, action = ?req.action, refused = why, "ocr lease")
        }
    }
    outcome.map(Json).map_err(refusal)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use chrono::TimeZone;

    const A: &str = "tanto1203";
    const B: &str = "tanto1203b";

    fn at(min: u32, sec: u32) -> DateTime<Utc> {
        // 2026-04-01 16:mm:ss JST.
        Utc.with_ymd_and_hms(2026, 4, 1, 7, min, sec).unwrap()
    }

    fn ttl() -> chrono::Duration {
        chrono::Duration::seconds(LEASE_SECONDS)
    }

    #[test]
    fn a_lease_is_exclusive_until_it_expires_or_is_released() {
        let leases = Leases::default();
        let doc = Uuid::new_v4();
        let (acq, renew, rel) = (
            LeaseAction::Acquire,
            LeaseAction::Renew,
            LeaseAction::Release,
        );
        let a = leases
            .apply(doc, acq, A, "佐藤 花子", at(0, 0), ttl())
            .unwrap();
        assert!(a.held_by_me);
        assert_eq!(a.expires_at, at(5, 0));
        // B is refused, and told who holds it until when.
        let Err(Refused::Held(h)) = leases.apply(doc, acq, B, "木村 由美", at(1, 0), ttl())
        else {
            panic!("B must be refused");
        };
        assert_eq!(h.holder_name, "佐藤 花子");
        let msg = refusal(Refused::Held(h)).message;
        assert_eq!(
            msg,
            "この帳票は佐藤 花子さんが確認中です（16:05 まで）。別の帳票を開いてください。"
        );
        // B cannot renew or release A's lease.
        assert!(matches!(
            leases.apply(doc, renew, B, "", at(1, 0), ttl()),
            Err(Refused::Lost(Some(_)))
        ));
        let seen = leases.apply(doc, rel, B, "", at(1, 0), ttl()).unwrap();
        assert!(!seen.held_by_me && seen.holder_id == A);
        // A renews: five minutes from now.
        let r = leases.apply(doc, renew, A, "", at(2, 0), ttl()).unwrap();
        assert_eq!(r.expires_at, at(7, 0));
        assert_eq!(r.holder_name, "佐藤 花子", "the name stays with the lease");
        // A releases (twice: idempotent); B then takes it.
        assert!(leases
            .apply(doc, rel, A, "", at(3, 0), ttl())
            .unwrap()
            .is_free());
        assert!(leases
            .apply(doc, rel, A, "", at(3, 0), ttl())
            .unwrap()
            .is_free());
        let b = leases
            .apply(doc, acq, B, "木村 由美", at(3, 1), ttl())
            .unwrap();
        assert!(b.held_by_me && b.holder_name == "木村 由美");
        // B's lease expires at 16:08:01; from then on A takes it over, and B's renew fails.
        assert!(matches!(
            leases.apply(doc, acq, A, "佐藤 花子", at(8, 0), ttl()),
            Err(Refused::Held(_))
        ));
        let a = leases
            .apply(doc, acq, A, "佐藤 花子", at(8, 1), ttl())
            .unwrap();
        assert!(a.held_by_me);
        assert!(matches!(
            leases.apply(doc, renew, B, "", at(8, 2), ttl()),
            Err(Refused::Lost(Some(_)))
        ));
    }

    #[test]
    fn an_expired_lease_cannot_be_renewed_and_is_forgotten() {
        let leases = Leases::default();
        let doc = Uuid::new_v4();
        leases
            .apply(doc, LeaseAction::Acquire, A, "佐藤 花子", at(0, 0), ttl())
            .unwrap();
        // Acquiring again (the same clerk reopens it) extends it.
        let again = leases
            .apply(doc, LeaseAction::Acquire, A, "佐藤 花子", at(4, 0), ttl())
            .unwrap();
        assert_eq!(again.expires_at, at(9, 0));
        let lost = leases.apply(doc, LeaseAction::Renew, A, "", at(9, 0), ttl());
        assert_eq!(lost, Err(Refused::Lost(None)));
        assert!(refusal(Refused::Lost(None))
            .message
            .starts_with("編集の権利が切れました。"));
        assert!(leases.held.lock().unwrap().is_empty(), "dropped lazily");
    }

    #[test]
    fn leases_of_different_documents_are_independent() {
        let leases = Leases::default();
        let (d1, d2) = (Uuid::new_v4(), Uuid::new_v4());
        leases
            .apply(d1, LeaseAction::Acquire, A, "佐藤 花子", at(0, 0), ttl())
            .unwrap();
        let b = leases
            .apply(d2, LeaseAction::Acquire, B, "木村 由美", at(0, 0), ttl())
            .unwrap();
        assert!(b.held_by_me);
        let free = leases
            .apply(Uuid::new_v4(), LeaseAction::Release, B, "", at(0, 0), ttl())
            .unwrap();
        assert!(free.is_free() && !free.held_by_me && free.expires_at == at(0, 0));
    }
}

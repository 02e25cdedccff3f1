//! The server's audit log: what each action leaves in the hash-chained, append-only
//! `audit_log` table (entry format, hash and verifier: `kyosai-audit`).
//!
//! Every entry is written in the same database transaction as the action it records, so
//! an action and its entry commit together or not at all. Appends are serialised (SQLite's
//! single writer; on PostgreSQL a transaction-scoped advisory lock, taken after any other
//! lock the transaction holds), so the chain never forks: two transactions cannot both
//! extend the same last entry.
//!
//! What is recorded: every pushed command, applied (`record.create`, `record.approve`, …)
//! or refused (the same name + `.refused`, with the code); sign-in, its failures and
//! lockouts, sign-out; registration files made and downloaded; absences; conflicts settled;
//! and every administration command (`kyosai-central user …`, `office add`, `device
//! revoke`, `epoch rotate`, `audit export`). A `detail` never holds a 個人番号, a password,
//! a token, a bank account or free text a person typed: only codes, ids, kinds and counts.
//! [`safe`] is the last guard: a detail that [`kyosai_audit::check_detail`] refuses is
//! replaced, never written.

use chrono::{DateTime, Utc};
use kyosai_audit::actions;
use kyosai_audit::NewEntry;
use kyosai_sync_protocol::{CommandEnvelope, Outcome, Record, Role};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::model::role_str;

/// The account was locked after repeated sign-in failures.
pub const AUTH_LOCKOUT: &str = "auth.lockout";
/// A user registered an absence (a delegate decides in their place while it lasts).
pub const ABSENCE_ADD: &str = "absence.add";
/// A user cancelled their absence.
pub const ABSENCE_CANCEL: &str = "absence.cancel";
/// A user settled one of their conflicts (discarded or reapplied).
pub const CONFLICT_RESOLVE: &str = "conflict.resolve";
/// A command the server does not know, or whose payload it cannot read (refused).
pub const SYNC_COMMAND: &str = "sync.command";
/// A whole push refused before any command was looked at (client id of another user or
/// device, a sequence number reused for another command).
pub const SYNC_PUSH: &str = "sync.push";
/// An app reported working time on a case (`work.time@1`; detail: step and seconds).
pub const WORK_TIME: &str = "work.time";
/// The head of a client's own audit chain, as its app reported it with a push.
pub const CLIENT_HEAD: &str = "audit.client_head";

/// The suffix of a refused action: `record.create` refused is `record.create.refused`.
pub const REFUSED: &str = ".refused";

/// The action names only the server writes (besides `kyosai_audit::actions::ALL` and
/// their `.refused` forms).
pub const SERVER_ACTIONS: &[&str] = &[
    AUTH_LOCKOUT,
    ABSENCE_ADD,
    ABSENCE_CANCEL,
    CONFLICT_RESOLVE,
    SYNC_COMMAND,
    SYNC_PUSH,
    CLIENT_HEAD,
    WORK_TIME,
];

/// `action` refused.
pub fn refused(action: &str) -> String {
    format!("{action}{REFUSED}")
}

/// The entry as given, or, when its detail would carry personal data (or a fraction),
/// the same entry with the detail replaced by the guard's code. The action is recorded
/// either way; the value never is.
pub fn safe(mut new: NewEntry) -> NewEntry {
    if let Err(e) = kyosai_audit::check_detail(&new.detail) {
        tracing::warn!(action = %new.action, code = e.code(), "audit detail dropped");
        new.detail = json!({ "detail_dropped": e.code() });
    }
    // A checkpoint `SEQ:HASH` is hex by construction; its digits are not a 個人番号.
    let checkpoint = |t: &str| kyosai_audit::Head::parse(t).is_some_and(|h| h.to_string() == t);
    if new
        .target
        .as_deref()
        .is_some_and(|t| !checkpoint(t) && kyosai_audit::check_detail(&json!(t)).is_err())
    {
        new.target = None;
    }
    new
}

fn entry(actor: &str, action: &str, at: DateTime<Utc>) -> NewEntry {
    NewEntry::now(actor, action).at(at)
}

/// A command name as the client sent it, when it has the shape of one (`a-z 0-9 . _`, at
/// most 64 characters); `None` for anything else, which is not copied into the log.
fn command_name(cmd: &CommandEnvelope) -> Option<String> {
    let ok = !cmd.name.is_empty()
        && cmd.name.len() <= 64
        && cmd
            .name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'_');
    ok.then(|| format!("{}@{}", cmd.name, cmd.version))
}

/// What one processed command leaves in the log. `action` is the command's audit action
/// (from `commands::audit_action`; [`SYNC_COMMAND`] for one that could not be read),
/// `act` the approval action (承認, 代決, …) when there is one, `record` the record as
/// written when the command was applied.
#[allow(clippy::too_many_arguments)]
pub(crate) fn command(
    actor: &crate::model::Actor,
    client_id: Uuid,
    cmd: &CommandEnvelope,
    action: &str,
    act: Option<&str>,
    outcome: &Outcome,
    record: Option<&Record>,
    now: DateTime<Utc>,
) -> NewEntry {
    let mut detail = json!({
        "command": command_name(cmd),
        "client": client_id.to_string(),
        "seq": cmd.seq,
        "device": actor.device_id.to_string(),
    });
    if let Some(act) = act {
        detail["act"] = json!(act);
    }
    let action = match outcome {
        Outcome::Applied { version, .. } => {
            detail["version"] = json!(version);
            if let Some(r) = record {
                detail["kind"] = json!(r.kind);
                detail["office"] = json!(r.office_code);
                detail["state"] = json!(r.state);
            }
            action.to_string()
        }
        Outcome::Rejected { code, .. } => {
            detail["outcome"] = json!("rejected");
            detail["code"] = json!(code);
            refused(action)
        }
        Outcome::Conflict {
            code, conflict_id, ..
        } => {
            detail["outcome"] = json!("conflict");
            detail["code"] = json!(code);
            detail["conflict"] = json!(conflict_id.to_string());
            refused(action)
        }
    };
    safe(
        entry(&actor.user_id, &action, now)
            .target(cmd.record_id.to_string())
            .detail(detail),
    )
}

/// What a kept work session leaves in the log: the command's entry plus the step and
/// the seconds (nothing else of the payload).
pub(crate) fn work_time(
    actor: &crate::model::Actor,
    client_id: Uuid,
    cmd: &CommandEnvelope,
    outcome: &Outcome,
    step: &str,
    seconds: u32,
    now: DateTime<Utc>,
) -> NewEntry {
    let mut e = command(actor, client_id, cmd, WORK_TIME, None, outcome, None, now);
    e.detail["step"] = json!(step);
    e.detail["seconds"] = json!(seconds);
    safe(e)
}

/// The head of the client's own audit log, sent with a push: kept as a checkpoint
/// (target `SEQ:HASH`) that the app's log must still reach later.
pub(crate) fn client_head(
    actor: &crate::model::Actor,
    client_id: Uuid,
    head: &kyosai_sync_protocol::AuditHead,
    now: DateTime<Utc>,
) -> NewEntry {
    let text = format!("{}:{}", head.seq, head.hash);
    let mut detail = json!({
        "client": client_id.to_string(),
        "device": actor.device_id.to_string(),
    });
    let mut e = entry(&actor.user_id, CLIENT_HEAD, now);
    match kyosai_audit::Head::parse(&text).filter(|h| h.to_string() == text) {
        Some(h) => e = e.target(h.to_string()),
        None => detail["malformed"] = json!(true),
    }
    safe(e.detail(detail))
}

/// A push refused as a whole (`code`: `sync.client_id_mismatch`, `sync.seq_reused`).
pub(crate) fn push_refused(
    actor: &crate::model::Actor,
    client_id: Uuid,
    code: &str,
    now: DateTime<Utc>,
) -> NewEntry {
    safe(
        entry(&actor.user_id, &refused(SYNC_PUSH), now)
            .target(client_id.to_string())
            .detail(json!({ "code": code, "device": actor.device_id.to_string() })),
    )
}

/// Signed in on `device`.
pub(crate) fn signed_in(user_id: &str, device: Uuid, now: DateTime<Utc>) -> NewEntry {
    safe(entry(user_id, actions::AUTH_SIGN_IN, now).detail(json!({ "device": device.to_string() })))
}

/// A refused sign-in. `user_id` is `None` when no such user exists: what was typed is not
/// kept (it may be a mistyped password).
pub(crate) fn sign_in_failed(
    user_id: Option<&str>,
    device: Uuid,
    reason: &str,
    now: DateTime<Utc>,
) -> NewEntry {
    safe(
        entry(
            user_id.unwrap_or("unknown"),
            actions::AUTH_SIGN_IN_FAILED,
            now,
        )
        .detail(json!({ "device": device.to_string(), "reason": reason })),
    )
}

/// Locked until `until` after repeated failures.
pub(crate) fn locked_out(
    user_id: &str,
    device: Uuid,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> NewEntry {
    safe(entry(user_id, AUTH_LOCKOUT, now).detail(json!({
        "device": device.to_string(),
        "until": kyosai_audit::canonical::format_at(&until),
    })))
}

/// Signed out on `device`.
pub(crate) fn signed_out(user_id: &str, device: Uuid, now: DateTime<Utc>) -> NewEntry {
    safe(
        entry(user_id, actions::AUTH_SIGN_OUT, now).detail(json!({ "device": device.to_string() })),
    )
}

/// An absence registered (target: its id, set by storage) with `delegate`.
pub(crate) fn absence_added(
    user_id: &str,
    delegate: &str,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> NewEntry {
    safe(entry(user_id, ABSENCE_ADD, now).detail(json!({
        "delegate": delegate,
        "from": kyosai_audit::canonical::format_at(&from),
        "until": kyosai_audit::canonical::format_at(&until),
    })))
}

/// An absence cancelled.
pub(crate) fn absence_cancelled(user_id: &str, id: Uuid, now: DateTime<Utc>) -> NewEntry {
    safe(entry(user_id, ABSENCE_CANCEL, now).target(id.to_string()))
}

/// A conflict settled.
pub(crate) fn conflict_resolved(
    user_id: &str,
    id: Uuid,
    resolution: &str,
    now: DateTime<Utc>,
) -> NewEntry {
    safe(
        entry(user_id, CONFLICT_RESOLVE, now)
            .target(id.to_string())
            .detail(json!({ "resolution": resolution })),
    )
}

/// A registration file made (`op: create`) or handed out again (`op: download`).
pub fn registration(
    user_id: &str,
    op: &str,
    batch: &crate::storage::RegistrationBatch,
    now: DateTime<Utc>,
) -> NewEntry {
    safe(
        entry(user_id, actions::EXPORT_REGISTRATION, now)
            .target(batch.id.to_string())
            .detail(json!({
                "op": op,
                "records": batch.record_count,
                "file": batch.file_name,
            })),
    )
}

/// A refused request for registration files.
pub(crate) fn registration_refused(user_id: &str, code: &str, now: DateTime<Utc>) -> NewEntry {
    safe(
        entry(user_id, &refused(actions::EXPORT_REGISTRATION), now).detail(json!({ "code": code })),
    )
}

/// An administration command (`user …`, `device revoke`): `op` says which.
pub(crate) fn user_admin(operator: &str, target: &str, detail: Value) -> NewEntry {
    safe(
        NewEntry::now(operator, actions::USER_ADMIN)
            .target(target)
            .detail(detail),
    )
}

/// A configuration change (`office add`, `epoch rotate`): `op` says which.
pub(crate) fn config(operator: &str, target: Option<&str>, detail: Value) -> NewEntry {
    let mut e = NewEntry::now(operator, actions::CONFIG_CHANGE).detail(detail);
    if let Some(t) = target {
        e = e.target(t);
    }
    safe(e)
}

/// The service started with these settings (`config.change`, `op: service_start`): a
/// change to `central.toml` shows as a difference between two starts. The storage URL,
/// paths and anything secret are not recorded.
pub(crate) fn service_started(config: &crate::config::Config, https: bool) -> NewEntry {
    let secs = |d: std::time::Duration| d.as_secs();
    let a = &config.auth;
    safe(
        NewEntry::now("system", actions::CONFIG_CHANGE).detail(json!({
            "op": "service_start",
            "version": env!("CARGO_PKG_VERSION"),
            "listen": config.listen.to_string(),
            "transport": if https { "https" } else { "http_loopback" },
            "min_app_version": config.min_app_version,
            "max_body_bytes": config.max_body_bytes,
            "access_token_lifetime_s": secs(a.access_token_lifetime),
            "refresh_token_lifetime_s": secs(a.refresh_token_lifetime),
            "refresh_reuse_grace_s": secs(a.refresh_reuse_grace),
            "lockout_threshold": a.lockout_threshold,
            "lockout_duration_s": secs(a.lockout_duration),
            "argon2_memory_kib": a.argon2.memory_kib,
            "argon2_iterations": a.argon2.iterations,
        })),
    )
}

/// A record written by administration (demo data, an import), not by a push.
pub(crate) fn record_imported(operator: &str, r: &Record) -> NewEntry {
    safe(
        NewEntry::now(operator, actions::RECORD_CREATE)
            .target(r.id.to_string())
            .detail(json!({ "op": "import", "kind": r.kind, "office": r.office_code })),
    )
}

/// The stored spelling of roles, for `user.admin` details.
pub(crate) fn roles(roles: &[Role]) -> Value {
    json!(roles.iter().map(|r| role_str(*r)).collect::<Vec<_>>())
}

/// Who runs an administration command: `cli:` and the operating-system account (the
/// account `sudo` was run from, when it was).
pub fn cli_operator() -> String {
    let user = ["SUDO_USER", "USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.trim().is_empty()))
        .unwrap_or_else(|| "unknown".to_string());
    let user: String = user.chars().filter(|c| !c.is_control()).take(64).collect();
    format!("cli:{user}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_detail_with_personal_data_is_replaced_not_written() {
        let e = safe(
            NewEntry::now("u", actions::RECORD_CREATE)
                .target("123456789018")
                .detail(json!({ "kind": "123456789018" })),
        );
        assert_eq!(
            e.detail,
            json!({ "detail_dropped": "audit.detail_my_number" })
        );
        assert_eq!(e.target, None);
        // A checkpoint is hex by construction: kept even when its digits happen to look
        // like a 個人番号.
        let head = format!("7:123456789018{}", "a".repeat(52));
        let kept = safe(NewEntry::now("u", CLIENT_HEAD).target(head.clone()));
        assert_eq!(kept.target, Some(head));
        let ok = safe(NewEntry::now("u", actions::RECORD_CREATE).detail(json!({ "kind": "note" })));
        assert_eq!(ok.detail, json!({ "kind": "note" }));
    }

    #[test]
    fn server_actions_are_new_names() {
        for a in SERVER_ACTIONS {
            assert!(!actions::is_known(a), "{a} is a kyosai-audit name already");
            assert!(!a.ends_with(REFUSED));
        }
        assert_eq!(refused(actions::RECORD_CREATE), "record.create.refused");
    }
}

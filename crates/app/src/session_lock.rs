//! The locked app and the recent password: what the shell checks before every command.
//!
//! - **Locked** after the policy's idle time (the UI notices the idleness and asks for
//!   the lock): every command is refused (`session.locked`) except the few the lock
//!   screen needs; the signed-in user's password unlocks it.
//! - **Recent password**: 決裁 (approve, return, reject …) and the 全銀 payment file need
//!   the password typed again within [`REAUTH_VALID_FOR`] (one approval batch);
//!   otherwise `auth.reauth_required`, and the UI asks for it.
//! - [`MAX_WRONG_PASSWORDS`] wrong passwords in a row (lock screen and confirmations
//!   together) end the session; the unsent work stays for the same user's next sign-in.
//!
//! The password itself is checked elsewhere (`SyncService::verify_password`, on this PC);
//! this holds only the state, with the clock passed in so the rules can be tested.

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::approvals::ActKindDto;
use crate::AppError;

/// Wrong passwords in a row after which the session ends.
pub const MAX_WRONG_PASSWORDS: u32 = 5;

/// How long a typed password covers 決裁 and the payment file.
pub const REAUTH_VALID_FOR: Duration = Duration::from_secs(120);

/// What the password was typed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// On the lock screen.
    Unlock,
    /// Before 決裁 or the payment file.
    Confirm,
}

/// The answer to a typed password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordOutcome {
    Accepted,
    Wrong {
        attempts_left: u32,
    },
    /// The last allowed attempt was wrong: the caller ends the session.
    TooManyWrong,
}

/// The lock state of one app (managed by the shell; shared by every command).
#[derive(Debug, Default)]
pub struct SessionLock {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    locked: bool,
    wrong: u32,
    confirmed_at: Option<Instant>,
}

/// What the lock screen shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct LockStatus {
    pub locked: bool,
    /// The signed-in user, who alone can unlock (none: nobody to lock for).
    pub user_id: Option<String>,
    pub display_name: Option<String>,
    /// Seconds without keyboard or mouse input before the app locks (policy; 30 min).
    pub idle_lock_seconds: u32,
    /// Wrong passwords left before the session ends.
    pub attempts_left: u32,
}

impl SessionLock {
    fn inner(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Locks; a password typed before no longer covers 決裁.
    pub fn lock(&self) {
        let mut s = self.inner();
        s.locked = true;
        s.confirmed_at = None;
    }

    pub fn is_locked(&self) -> bool {
        self.inner().locked
    }

    pub fn attempts_left(&self) -> u32 {
        MAX_WRONG_PASSWORDS.saturating_sub(self.inner().wrong)
    }

    /// `session.locked` while locked.
    pub fn check_unlocked(&self) -> Result<(), AppError> {
        if self.is_locked() {
            return Err(locked());
        }
        Ok(())
    }

    /// `auth.reauth_required` unless the password was confirmed within
    /// [`REAUTH_VALID_FOR`] before `now` (and the app is not locked).
    pub fn require_recent_password(&self, now: Instant) -> Result<(), AppError> {
        let s = self.inner();
        if s.locked {
            return Err(locked());
        }
        let recent = s
            .confirmed_at
            .is_some_and(|at| now.saturating_duration_since(at) <= REAUTH_VALID_FOR);
        if !recent {
            return Err(AppError::new(
                "auth.reauth_required",
                "この操作の前に、本人確認のためパスワードをもう一度入力してください。",
            ));
        }
        Ok(())
    }

    /// Records the result of checking a password typed for `purpose` at `now`.
    pub fn password_checked(
        &self,
        matched: bool,
        purpose: Purpose,
        now: Instant,
    ) -> PasswordOutcome {
        let mut s = self.inner();
        if matched {
            s.wrong = 0;
            match purpose {
                Purpose::Unlock => s.locked = false,
                Purpose::Confirm => s.confirmed_at = Some(now),
            }
            return PasswordOutcome::Accepted;
        }
        s.wrong += 1;
        if s.wrong >= MAX_WRONG_PASSWORDS {
            PasswordOutcome::TooManyWrong
        } else {
            PasswordOutcome::Wrong {
                attempts_left: MAX_WRONG_PASSWORDS - s.wrong,
            }
        }
    }

    /// A new session (signed in or out): unlocked, nothing confirmed, no wrong attempts.
    pub fn reset(&self) {
        *self.inner() = Inner::default();
    }
}

/// Whether a 決裁 action needs a recent password: every decision (承認, 差戻し, 却下,
/// 代決, 引上げ), not 取下げ or 後閲, which decide nothing.
pub fn act_needs_password(kind: &ActKindDto) -> bool {
    match kind {
        ActKindDto::Approve
        | ActKindDto::Return
        | ActKindDto::Reject
        | ActKindDto::Delegate
        | ActKindDto::PullUp => true,
        ActKindDto::Withdraw | ActKindDto::PostRead => false,
    }
}

fn locked() -> AppError {
    AppError::new(
        "session.locked",
        "共済デスクはロックされています。パスワードを入力してロックを解除してください。",
    )
}

/// The error for a wrong password, saying how many tries are left.
pub fn wrong_password(attempts_left: u32) -> AppError {
    AppError::new(
        "auth.wrong_password",
        format!("パスワードが違います。あと {attempts_left} 回間違えると、サインアウトします。"),
    )
}

/// The error after the last wrong password, once the session has ended.
pub fn too_many_wrong_passwords() -> AppError {
    AppError::new(
        "auth.too_many_wrong_passwords",
        format!(
            "パスワードを {MAX_WRONG_PASSWORDS} 回続けて間違えたため、サインアウトしました。未送信の作業はこのPCに残っています。もう一度サインインしてください。"
        ),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn a_locked_app_refuses_until_the_password_unlocks_it() {
        let lock = SessionLock::default();
        lock.check_unlocked().unwrap();
        lock.lock();
        assert_eq!(lock.check_unlocked().unwrap_err().code, "session.locked");
        let now = Instant::now();
        assert_eq!(
            lock.password_checked(false, Purpose::Unlock, now),
            PasswordOutcome::Wrong { attempts_left: 4 }
        );
        assert!(lock.is_locked());
        assert_eq!(
            lock.password_checked(true, Purpose::Unlock, now),
            PasswordOutcome::Accepted
        );
        lock.check_unlocked().unwrap();
        assert_eq!(lock.attempts_left(), MAX_WRONG_PASSWORDS, "counter cleared");
    }

    #[test]
    fn a_confirmed_password_covers_two_minutes_and_not_across_a_lock() {
        let lock = SessionLock::default();
        let t0 = Instant::now();
        let code = |r: Result<(), AppError>| r.unwrap_err().code;
        assert_eq!(
            code(lock.require_recent_password(t0)),
            "auth.reauth_required"
        );
        // Unlocking is not a confirmation of the 決裁.
        lock.password_checked(true, Purpose::Unlock, t0);
        assert_eq!(
            code(lock.require_recent_password(t0)),
            "auth.reauth_required"
        );
        lock.password_checked(true, Purpose::Confirm, t0);
        lock.require_recent_password(t0).unwrap();
        lock.require_recent_password(t0 + Duration::from_secs(119))
            .unwrap();
        lock.require_recent_password(t0 + REAUTH_VALID_FOR).unwrap();
        assert_eq!(
            code(lock.require_recent_password(t0 + REAUTH_VALID_FOR + Duration::from_secs(1))),
            "auth.reauth_required"
        );
        lock.password_checked(true, Purpose::Confirm, t0);
        lock.lock();
        assert_eq!(code(lock.require_recent_password(t0)), "session.locked");
        lock.password_checked(true, Purpose::Unlock, t0);
        assert_eq!(
            code(lock.require_recent_password(t0)),
            "auth.reauth_required",
            "the lock ended the confirmation"
        );
    }

    #[test]
    fn five_wrong_passwords_in_a_row_from_either_place_end_the_session() {
        let lock = SessionLock::default();
        let now = Instant::now();
        lock.lock();
        for left in [4, 3] {
            assert_eq!(
                lock.password_checked(false, Purpose::Unlock, now),
                PasswordOutcome::Wrong {
                    attempts_left: left
                }
            );
        }
        lock.password_checked(true, Purpose::Unlock, now);
        // A right password starts the count again.
        for left in [4, 3, 2, 1] {
            assert_eq!(
                lock.password_checked(false, Purpose::Confirm, now),
                PasswordOutcome::Wrong {
                    attempts_left: left
                }
            );
        }
        assert_eq!(
            lock.password_checked(false, Purpose::Unlock, now),
            PasswordOutcome::TooManyWrong
        );
        assert_eq!(lock.attempts_left(), 0);
        lock.reset();
        assert!(!lock.is_locked());
        assert_eq!(lock.attempts_left(), MAX_WRONG_PASSWORDS);
    }

    #[test]
    fn every_decision_needs_the_password_and_nothing_else_does() {
        use ActKindDto::*;
        for k in [Approve, Return, Reject, Delegate, PullUp] {
            assert!(act_needs_password(&k), "{k:?}");
        }
        for k in [Withdraw, PostRead] {
            assert!(!act_needs_password(&k), "{k:?}");
        }
    }

    #[test]
    fn the_messages_say_what_to_do() {
        assert!(wrong_password(3).message.contains("あと 3 回"));
        let e = too_many_wrong_passwords();
        assert_eq!(e.code, "auth.too_many_wrong_passwords");
        assert!(e.message.contains("未送信の作業はこのPCに残っています"));
    }
}

/**
 * The lock of the app, as the shell sees it: Rust's lock state (`lockStatus`), the idle
 * timer that asks Rust to lock (`lockNow`) after the policy's time without input while
 * someone is signed in, unlocking and signing out from the lock screen, and the
 * password prompt that Rust's `auth.reauth_required` opens before 決裁 / 振込データ.
 *
 * While locked, the backend's gate holds every call (see backend/guard); the shell
 * keeps the work area mounted but inert and hidden, so nothing typed is lost and
 * nothing personal shows. After a sign-out from the lock, or after too many wrong
 * passwords (Rust ended the session), the work area starts afresh (`generation`).
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from "react";
import type { ReactNode } from "react";
import { api, BackendError, lockGate, setPasswordPrompt, type LockStatus } from "../backend";
import { PasswordDialog } from "../components/PasswordDialog";
import { errorMessage } from "../i18n";
import { startIdleTimer } from "../lib/idle";
import { navigate } from "../lib/router";
import { useAppState } from "./appState";

/** Rust's code when the last allowed password was wrong and the session has ended. */
export const TOO_MANY_WRONG = "auth.too_many_wrong_passwords";

export interface LockState {
  locked: boolean;
  /** Who unlocks, the idle time, tries left (null until read). */
  status: LockStatus | null;
  /** Changes when the work area must start afresh (dropping what was typed). */
  generation: number;
  /** Why the session ended (too many wrong passwords), until the clerk moves on. */
  signedOutNotice: string | null;
  dismissNotice: () => void;
  /** Unlocks, or throws the BackendError to show (wrong password …). */
  unlock: (password: string) => Promise<void>;
  /** Signs out from the lock screen, or throws (unsent work …). */
  signOut: () => Promise<void>;
}

const LockContext = createContext<LockState | null>(null);

export function LockProvider({ children }: { children: ReactNode }) {
  const { signedInUser, setSession } = useAppState();
  const [locked, setLocked] = useState(lockGate.isLocked());
  const [status, setStatus] = useState<LockStatus | null>(null);
  const [generation, setGeneration] = useState(0);
  const [signedOutNotice, setSignedOutNotice] = useState<string | null>(null);

  const apply = useCallback((next: LockStatus) => {
    setStatus(next);
    lockGate.setLocked(next.locked);
  }, []);

  // Rust's state at start (a reloaded window may already be locked) and whenever the
  // gate learns of a lock from a refused call.
  useEffect(() => {
    let alive = true;
    const read = () =>
      api.lockStatus().then(
        (s) => alive && apply(s),
        () => {
          // Without a status the idle time stays unknown; the lock itself still works.
        },
      );
    void read();
    const stop = lockGate.subscribe((now) => {
      setLocked(now);
      if (now) void read();
    });
    return () => {
      alive = false;
      stop();
    };
  }, [apply]);

  // The session ended: the work area starts afresh on the sign-in page.
  const startAfresh = useCallback(
    (notice: string | null) => {
      lockGate.setLocked(false);
      setSession(null);
      setGeneration((g) => g + 1);
      setSignedOutNotice(notice);
      navigate("signin");
    },
    [setSession],
  );

  const idleSeconds = status?.idleLockSeconds ?? null;
  useEffect(() => {
    if (signedInUser === null || locked || idleSeconds === null) return;
    const timer = startIdleTimer(document, idleSeconds * 1000, () => {
      api.lockNow().then(apply, () => {
        // Could not lock (Rust unreachable): try again after another idle period.
        timer.reset();
      });
    });
    return () => timer.stop();
  }, [signedInUser, locked, idleSeconds, apply]);

  const unlock = useCallback(
    async (password: string) => {
      try {
        apply(await api.unlock(password));
      } catch (err) {
        if (err instanceof BackendError && err.code === TOO_MANY_WRONG) {
          startAfresh(errorMessage(err));
          return;
        }
        throw err;
      }
    },
    [apply, startAfresh],
  );

  const signOut = useCallback(async () => {
    await api.signOut();
    startAfresh(null);
  }, [startAfresh]);

  const dismissNotice = useCallback(() => setSignedOutNotice(null), []);

  const value = useMemo<LockState>(
    () => ({ locked, status, generation, signedOutNotice, dismissNotice, unlock, signOut }),
    [locked, status, generation, signedOutNotice, dismissNotice, unlock, signOut],
  );
  return (
    <LockContext.Provider value={value}>
      {children}
      <PasswordPromptHost onSessionEnded={startAfresh} />
    </LockContext.Provider>
  );
}

export function useLock(): LockState {
  const state = useContext(LockContext);
  if (!state) throw new Error("useLock outside LockProvider");
  return state;
}

/**
 * Answers the backend's password prompt with a dialog: one at a time (a second call
 * that needs it waits for the same answer).
 */
function PasswordPromptHost({ onSessionEnded }: { onSessionEnded: (notice: string) => void }) {
  const [open, setOpen] = useState(false);
  const pending = useRef<{ answer: Promise<boolean>; resolve: (ok: boolean) => void } | null>(null);

  useEffect(
    () =>
      setPasswordPrompt(() => {
        if (pending.current) return pending.current.answer;
        let resolve: (ok: boolean) => void = () => {};
        const answer = new Promise<boolean>((r) => {
          resolve = r;
        });
        pending.current = { answer, resolve };
        setOpen(true);
        return answer;
      }),
    [],
  );

  function finish(ok: boolean) {
    pending.current?.resolve(ok);
    pending.current = null;
    setOpen(false);
  }

  if (!open) return null;
  return (
    <PasswordDialog
      onConfirm={async (password) => {
        try {
          await api.reauthenticate(password);
        } catch (err) {
          if (err instanceof BackendError && err.code === TOO_MANY_WRONG) {
            finish(false);
            onSessionEnded(errorMessage(err));
            return;
          }
          throw err;
        }
        finish(true);
      }}
      onCancel={() => finish(false)}
    />
  );
}

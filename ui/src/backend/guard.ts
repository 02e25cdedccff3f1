/**
 * What stands between a page's call and Rust while the app is locked, or when an action
 * needs the password typed again. Kept apart from index.ts (no Tauri import) so that
 * tests can use it as it is.
 *
 * - The lock: while locked, calls wait (they are not refused) and go once it is lifted,
 *   so a page that reloads after a sync meanwhile shows no error. A call Rust refused
 *   because it locked first (`session.locked`) waits the same way and is sent again —
 *   safe, since Rust refuses before the command runs. The lock screen's own commands
 *   pass (Rust's `lock::ALLOWED_WHILE_LOCKED`).
 * - The password: when Rust answers `auth.reauth_required` (決裁, the payment file),
 *   the shell's prompt asks for it; once accepted, the same call is sent again, so what
 *   the page holds (the approval comment …) is used as it was. Cancelled: the page gets
 *   the original error.
 */
import { BackendError } from "./errors";

export const LOCKED = "session.locked";
export const REAUTH_REQUIRED = "auth.reauth_required";

/** The api functions that answer while the app is locked. */
const ANSWER_WHILE_LOCKED: ReadonlySet<string> = new Set([
  "lockStatus",
  "lockNow",
  "unlock",
  "signOut",
  "syncStatus",
  "frontendReady",
]);

type Listener = (locked: boolean) => void;

export class LockGate {
  private locked = false;
  private waiting: Array<() => void> = [];
  private listeners = new Set<Listener>();

  isLocked(): boolean {
    return this.locked;
  }

  setLocked(locked: boolean): void {
    if (this.locked === locked) return;
    this.locked = locked;
    if (!locked) {
      const go = this.waiting;
      this.waiting = [];
      for (const resume of go) resume();
    }
    for (const listener of [...this.listeners]) listener(locked);
  }

  /** Calls `listener` whenever the lock changes; returns the function that stops it. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private unlocked(): Promise<void> {
    if (!this.locked) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Runs the api call `name` now, or once the lock is lifted. */
  async run<T>(name: string, call: () => Promise<T>): Promise<T> {
    if (ANSWER_WHILE_LOCKED.has(name)) return call();
    for (;;) {
      await this.unlocked();
      try {
        return await call();
      } catch (err) {
        if (err instanceof BackendError && err.code === LOCKED) {
          this.setLocked(true);
          continue;
        }
        throw err;
      }
    }
  }
}

/** Asks for the password; true once Rust accepted it, false when the clerk cancelled. */
export type PasswordPrompt = () => Promise<boolean>;

let prompt: PasswordPrompt | null = null;

/** The shell registers its password dialog here; returns the function that removes it. */
export function setPasswordPrompt(next: PasswordPrompt): () => void {
  prompt = next;
  return () => {
    if (prompt === next) prompt = null;
  };
}

/** Runs `call`; when Rust wants the password first, asks for it and runs `call` again. */
export async function withPassword<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof BackendError) || err.code !== REAUTH_REQUIRED || !prompt) throw err;
    if (!(await prompt())) throw err;
    return call();
  }
}

export const lockGate = new LockGate();

type AnyFn = (...args: never[]) => unknown;

/**
 * `api` with every call behind the lock and the password prompt; the `on…` listeners
 * (events, not calls) are left as they are.
 */
export function guardAll<A extends Record<string, AnyFn>>(raw: A, gate: LockGate = lockGate): A {
  const out: Record<string, AnyFn> = {};
  for (const [name, fn] of Object.entries(raw)) {
    out[name] = name.startsWith("on")
      ? fn
      : (...args: never[]) => gate.run(name, () => withPassword(() => fn(...args) as Promise<unknown>));
  }
  return out as A;
}

/**
 * The one error type the UI sees from the backend. `code` is stable and is
 * what code may switch on; `message` is Rust's Japanese text for the clerk
 * (the message catalogue may override it by code, see `errorMessage`).
 *
 * Kept apart from index.ts so that tests can use the real class while the
 * backend module itself is mocked.
 */
export class BackendError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = "BackendError";
    this.code = code;
  }
}

/** Code used when the IPC call itself failed (no Tauri, panicked command, ...). */
export const IPC_FAILED = "ipc.failed";

function isAppError(value: unknown): value is { code: string; message: string } {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { code?: unknown }).code === "string" &&
    typeof (value as { message?: unknown }).message === "string"
  );
}

/** Turns anything a rejected invoke can produce into a BackendError. */
export function toBackendError(cause: unknown): BackendError {
  if (cause instanceof BackendError) return cause;
  if (isAppError(cause)) return new BackendError(cause.code, cause.message);
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new BackendError(IPC_FAILED, detail);
}

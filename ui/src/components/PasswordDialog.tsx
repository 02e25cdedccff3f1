/**
 * A modal that asks for the signed-in user's password before an action that needs it
 * again (決裁, 振込データ). Focus goes to the password field and stays in the dialog (Tab
 * cycles); Enter confirms (never while the IME is composing), Esc cancels; an empty
 * password is refused beside the field; a refusal from Rust (wrong password, tries left)
 * is shown in the dialog and only the password is cleared. What the page holds behind
 * it is not touched.
 */
import { useId, useRef, useState } from "react";
import type { KeyboardEvent as ReactKeyboardEvent } from "react";
import { createPortal } from "react-dom";
import { BackendError } from "../backend";
import { errorMessage, t } from "../i18n";
import { isComposing, isPlainEnter } from "../lib/ime";
import { keepTabInside, useModal } from "../lib/focusTrap";
import { Button } from "./Button";
import { FieldMessage, Notice } from "./Notice";
import { helpClass, inputClass, labelClass } from "./styles";

export interface PasswordDialogProps {
  /** Resolves when the password was accepted; rejects with the reason to show. */
  onConfirm: (password: string) => Promise<void>;
  onCancel: () => void;
}

export function PasswordDialog({ onConfirm, onCancel }: PasswordDialogProps) {
  const titleId = useId();
  const introId = useId();
  const panelRef = useRef<HTMLDivElement>(null);
  const fieldRef = useRef<HTMLInputElement>(null);
  const [password, setPassword] = useState("");
  const [missing, setMissing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const inFlight = useRef(false);

  useModal(panelRef, fieldRef);

  async function confirm() {
    if (inFlight.current) return;
    if (password === "") {
      setMissing(true);
      fieldRef.current?.focus();
      return;
    }
    inFlight.current = true;
    setBusy(true);
    try {
      await onConfirm(password);
    } catch (err) {
      const shown = err instanceof BackendError ? errorMessage(err) : errorMessage({ code: "ipc.failed", message: String(err) });
      setError(shown);
      setPassword("");
      fieldRef.current?.focus();
    } finally {
      inFlight.current = false;
      setBusy(false);
    }
  }

  function onKeyDown(event: ReactKeyboardEvent<HTMLDivElement>) {
    if (isComposing(event)) return;
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      onCancel();
      return;
    }
    if (isPlainEnter(event) && event.target === fieldRef.current) {
      event.preventDefault();
      event.stopPropagation();
      void confirm();
      return;
    }
    keepTabInside(event, panelRef.current);
  }

  const fieldId = "reauth-password";
  const helpId = `${fieldId}-help`;
  const missingId = `${fieldId}-missing`;
  return createPortal(
    <div data-dialog-host="" className="fixed inset-0 z-50 flex items-center justify-center bg-black/50 p-4">
      <div
        ref={panelRef}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={introId}
        aria-busy={busy || undefined}
        data-testid="reauth-dialog"
        onKeyDown={onKeyDown}
        className="w-full max-w-lg rounded-12 border border-solid-gray-420 bg-white p-6 text-solid-gray-800 shadow-2"
      >
        <h2 id={titleId} className="mb-3 text-std-20B-150 text-solid-gray-900">
          {t("reauth.title")}
        </h2>
        <p id={introId} className="mb-4 text-std-16N-170">
          {t("reauth.intro")}
        </p>
        {error ? (
          <Notice kind="error" role="alert" testId="reauth-error" className="mb-4">
            {error}
          </Notice>
        ) : null}
        <label htmlFor={fieldId} className={labelClass}>
          {t("reauth.password.label")}
        </label>
        <p id={helpId} className={helpClass}>
          {t("reauth.enterHint")}
        </p>
        <input
          ref={fieldRef}
          id={fieldId}
          name="reauthPassword"
          type="password"
          autoComplete="off"
          value={password}
          aria-required="true"
          aria-invalid={missing || undefined}
          aria-describedby={missing ? `${helpId} ${missingId}` : helpId}
          onChange={(e) => {
            setPassword(e.target.value);
            if (e.target.value !== "") setMissing(false);
          }}
          data-testid={fieldId}
          className={`${inputClass} mt-1 w-full`}
        />
        {missing ? (
          <FieldMessage id={missingId} kind="error" role="alert">
            {t("reauth.missingPassword")}
          </FieldMessage>
        ) : null}
        <div className="mt-6 flex flex-wrap justify-end gap-4">
          <Button variant="secondary" onClick={onCancel} data-testid="reauth-cancel">
            {t("reauth.cancel")}
          </Button>
          <Button variant="primary" busy={busy} onClick={() => void confirm()} data-testid="reauth-confirm">
            {busy ? t("reauth.confirming") : t("reauth.confirm")}
          </Button>
        </div>
      </div>
    </div>,
    document.body,
  );
}

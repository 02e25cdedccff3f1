/**
 * A modal that asks for a reason before an action (差戻し, 却下). Focus goes to the text
 * area and stays in the dialog (Tab cycles); Esc closes it and keeps what was typed (the
 * value lives with the caller); Ctrl+Enter confirms; an empty reason is refused beside
 * the field. IME-safe: keys pressed while composing are left alone.
 */
import { useId, useRef, useState } from "react";
import type { KeyboardEvent as ReactKeyboardEvent } from "react";
import { createPortal } from "react-dom";
import { isComposing } from "../lib/ime";
import { keepTabInside, useModal } from "../lib/focusTrap";
import { Button, type ButtonVariant } from "./Button";
import { FieldMessage } from "./Notice";
import { helpClass, inputClass, labelClass } from "./styles";

export interface ReasonDialogProps {
  /** The text area's id and test id; `-help`, `-missing`, `-cancel`, `-confirm` derive from it. */
  idPrefix: string;
  /** The dialog's test id. */
  testId: string;
  title: string;
  label: string;
  help: string;
  requiredMessage: string;
  confirmLabel: string;
  cancelLabel: string;
  confirmVariant?: ButtonVariant;
  value: string;
  busy: boolean;
  onChange: (value: string) => void;
  onCancel: () => void;
  onConfirm: (reason: string) => void;
}

export function ReasonDialog({
  idPrefix,
  testId,
  title,
  label,
  help,
  requiredMessage,
  confirmLabel,
  cancelLabel,
  confirmVariant = "primary",
  value,
  busy,
  onChange,
  onCancel,
  onConfirm,
}: ReasonDialogProps) {
  const titleId = useId();
  const panelRef = useRef<HTMLDivElement>(null);
  const textRef = useRef<HTMLTextAreaElement>(null);
  const [missing, setMissing] = useState(false);

  useModal(panelRef, textRef);

  function confirm() {
    if (value.trim() === "") {
      setMissing(true);
      textRef.current?.focus();
      return;
    }
    onConfirm(value);
  }

  function onKeyDown(event: ReactKeyboardEvent<HTMLDivElement>) {
    if (isComposing(event)) return;
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      onCancel();
      return;
    }
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      event.stopPropagation();
      confirm();
      return;
    }
    keepTabInside(event, panelRef.current);
  }

  const helpId = `${idPrefix}-help`;
  const missingId = `${idPrefix}-missing`;
  return createPortal(
    <div data-dialog-host="" className="fixed inset-0 z-50 flex items-center justify-center bg-black/50 p-4">
      <div
        ref={panelRef}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        data-testid={testId}
        onKeyDown={onKeyDown}
        className="w-full max-w-lg rounded-12 border border-solid-gray-420 bg-white p-6 text-solid-gray-800 shadow-2"
      >
        <h2 id={titleId} className="mb-3 text-std-20B-150 text-solid-gray-900">
          {title}
        </h2>
        <label htmlFor={idPrefix} className={labelClass}>
          {label}
        </label>
        <p id={helpId} className={helpClass}>
          {help}
        </p>
        <textarea
          ref={textRef}
          id={idPrefix}
          data-testid={idPrefix}
          rows={5}
          value={value}
          aria-required="true"
          aria-invalid={missing || undefined}
          aria-describedby={missing ? `${helpId} ${missingId}` : helpId}
          onChange={(e) => {
            onChange(e.target.value);
            if (e.target.value.trim() !== "") setMissing(false);
          }}
          className={`${inputClass} mt-1 w-full resize-y`}
        />
        {missing ? (
          <FieldMessage id={missingId} kind="error" role="alert">
            {requiredMessage}
          </FieldMessage>
        ) : null}
        <div className="mt-6 flex flex-wrap justify-end gap-4">
          <Button variant="secondary" onClick={onCancel} data-testid={`${idPrefix}-cancel`}>
            {cancelLabel}
          </Button>
          <Button variant={confirmVariant} busy={busy} onClick={confirm} data-testid={`${idPrefix}-confirm`}>
            {confirmLabel}
          </Button>
        </div>
      </div>
    </div>,
    document.body,
  );
}

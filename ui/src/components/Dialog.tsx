/**
 * A modal confirmation. Focus moves into it (to the safe choice, cancel) and
 * stays there; Esc or キャンセル closes it without doing anything and gives
 * focus back to where it was; the rest of the window is inert meanwhile.
 */
import { useId, useRef } from "react";
import type { KeyboardEvent, ReactNode } from "react";
import { createPortal } from "react-dom";
import { isComposing } from "../lib/ime";
import { keepTabInside, useModal } from "../lib/focusTrap";
import { Button, type ButtonVariant } from "./Button";

interface Props {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  cancelLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  confirmVariant?: ButtonVariant;
  busy?: boolean;
  testId?: string;
}

export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  cancelLabel,
  onConfirm,
  onCancel,
  confirmVariant = "primary",
  busy = false,
  testId,
}: Props) {
  const titleId = useId();
  const bodyId = useId();
  const panelRef = useRef<HTMLDivElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);

  useModal(panelRef, cancelRef);

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (event.key === "Escape" && !isComposing(event)) {
      event.preventDefault();
      event.stopPropagation();
      onCancel();
      return;
    }
    keepTabInside(event, panelRef.current);
  }

  return createPortal(
    <div data-dialog-host="" className="fixed inset-0 z-50 flex items-center justify-center bg-black/50 p-4">
      <div
        ref={panelRef}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={bodyId}
        data-testid={testId}
        onKeyDown={onKeyDown}
        className="w-full max-w-lg rounded-12 border border-solid-gray-420 bg-white p-6 text-solid-gray-800 shadow-2"
      >
        <h2 id={titleId} className="mb-3 text-std-20B-150 text-solid-gray-900">
          {title}
        </h2>
        <div id={bodyId} className="text-std-16N-170">
          {children}
        </div>
        <div className="mt-6 flex flex-wrap justify-end gap-4">
          <Button ref={cancelRef} variant="secondary" onClick={onCancel} data-testid={testId ? `${testId}-cancel` : undefined}>
            {cancelLabel}
          </Button>
          <Button variant={confirmVariant} busy={busy} onClick={onConfirm} data-testid={testId ? `${testId}-confirm` : undefined}>
            {confirmLabel}
          </Button>
        </div>
      </div>
    </div>,
    document.body,
  );
}

/**
 * Keeps Tab inside a modal: from the last focusable element Tab goes to the first, and
 * Shift+Tab from the first to the last. Shared by every dialog (確認, 理由, パスワード).
 */
import type { KeyboardEvent } from "react";

/** What a dialog can focus. */
export const FOCUSABLE = 'button, [href], input, select, textarea, [tabindex]:not([tabindex="-1"])';

/** Call from the dialog's keydown handler; does nothing for keys other than Tab. */
export function keepTabInside(event: KeyboardEvent<HTMLElement>, panel: HTMLElement | null): void {
  if (event.key !== "Tab") return;
  const items = [...(panel?.querySelectorAll<HTMLElement>(FOCUSABLE) ?? [])];
  const first = items[0];
  const last = items[items.length - 1];
  if (!first || !last) return;
  if (event.shiftKey && document.activeElement === first) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && document.activeElement === last) {
    event.preventDefault();
    first.focus();
  }
}

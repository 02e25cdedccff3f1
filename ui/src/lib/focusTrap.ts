/**
 * Keeps Tab inside a modal: from the last focusable element Tab goes to the first, and
 * Shift+Tab from the first to the last. Shared by every dialog (確認, 理由, パスワード).
 */
import { useEffect } from "react";
import type { KeyboardEvent, RefObject } from "react";

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

/**
 * While a dialog is open: everything else in <body> is inert, focus starts on `initial`,
 * and when it closes focus goes back to where it was. Call once in the dialog component.
 */
export function useModal(panel: RefObject<HTMLElement | null>, initial: RefObject<HTMLElement | null>): void {
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const host = panel.current?.closest<HTMLElement>("[data-dialog-host]") ?? null;
    const others = [...document.body.children].filter(
      (el): el is HTMLElement => el instanceof HTMLElement && el !== host && !el.hasAttribute("inert"),
    );
    for (const el of others) el.setAttribute("inert", "");
    initial.current?.focus();
    return () => {
      for (const el of others) el.removeAttribute("inert");
      if (opener?.isConnected) opener.focus();
    };
    // Once per opening: the refs are stable.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
}

/**
 * IME-safe key handling, shared by every form.
 *
 * With a Japanese IME the Enter that confirms a conversion is also a keydown.
 * Browsers disagree on how it looks: Chromium sends it with `isComposing`
 * true (then compositionend); WebKit (Safari, WebKitGTK) sends compositionend
 * first and then a keydown with keyCode 229. So a key press counts as Enter
 * only when all three say "not composing": our own flag from
 * compositionstart/compositionend, `isComposing`, and `keyCode !== 229`.
 */
import { useCallback, useEffect, useRef } from "react";
import type { KeyboardEvent as ReactKeyboardEvent } from "react";

type AnyKeyboardEvent = KeyboardEvent | ReactKeyboardEvent;

/** The element currently inside an IME composition, if any. */
let composingTarget: EventTarget | null = null;
let installedOn: Document | null = null;

function onCompositionStart(event: Event) {
  composingTarget = event.target;
}

function onCompositionEnd(event: Event) {
  if (composingTarget === event.target || composingTarget === null) composingTarget = null;
}

function onFocusIn(event: Event) {
  // A composition never spans a focus change; if compositionend got lost
  // (element removed mid-composition), do not stay stuck in "composing".
  if (composingTarget !== event.target) composingTarget = null;
}

/**
 * Starts tracking compositions on a document (capture phase, so no
 * component can swallow the events). Idempotent; done automatically on import.
 */
export function installCompositionTracking(doc: Document): void {
  if (installedOn === doc) return;
  if (installedOn) {
    installedOn.removeEventListener("compositionstart", onCompositionStart, true);
    installedOn.removeEventListener("compositionend", onCompositionEnd, true);
    installedOn.removeEventListener("focusin", onFocusIn, true);
  }
  doc.addEventListener("compositionstart", onCompositionStart, true);
  doc.addEventListener("compositionend", onCompositionEnd, true);
  doc.addEventListener("focusin", onFocusIn, true);
  installedOn = doc;
  composingTarget = null;
}

if (typeof document !== "undefined") installCompositionTracking(document);

function nativeOf(event: AnyKeyboardEvent): KeyboardEvent {
  return "nativeEvent" in event ? event.nativeEvent : event;
}

/** True while the IME is composing for this key event's target. */
export function isComposing(event: AnyKeyboardEvent): boolean {
  const native = nativeOf(event);
  if (native.isComposing) return true;
  if (native.keyCode === 229 || event.keyCode === 229) return true;
  const target = event.target as Node | null;
  if (composingTarget !== null) {
    const stillThere = !(composingTarget instanceof Node) || composingTarget.isConnected;
    if (stillThere && (composingTarget === target || target === null)) return true;
    if (!stillThere) composingTarget = null;
  }
  return false;
}

/**
 * True only for a plain Enter (no Shift/Ctrl/Alt/Meta) that is not part of
 * an IME composition. Use this wherever Enter confirms, moves or submits.
 */
export function isPlainEnter(event: AnyKeyboardEvent): boolean {
  if (event.key !== "Enter") return false;
  if (event.shiftKey || event.ctrlKey || event.altKey || event.metaKey) return false;
  return !isComposing(event);
}

/**
 * Returns an onKeyDown handler that calls `onEnter` for a plain, IME-safe
 * Enter (and prevents the default, so a form is not submitted twice).
 */
export function useImeSafeEnter<E extends Element = Element>(
  onEnter: (event: ReactKeyboardEvent<E>) => void,
): (event: ReactKeyboardEvent<E>) => void {
  const latest = useRef(onEnter);
  useEffect(() => {
    latest.current = onEnter;
  }, [onEnter]);
  return useCallback((event: ReactKeyboardEvent<E>) => {
    if (!isPlainEnter(event)) return;
    event.preventDefault();
    latest.current(event);
  }, []);
}

/**
 * Idle detection for the lock: `onIdle` runs once after `timeoutMs` without keyboard,
 * mouse, touch or IME input. An IME composition counts as input: typing Japanese
 * sends composition events while the keydowns it eats may not reach the page.
 *
 * One timeout at a time: an input only notes the time, and the timeout, when it fires
 * early (there was input meanwhile), waits for the rest. So a moving mouse costs nothing.
 */
export const ACTIVITY_EVENTS = [
  "keydown",
  "mousedown",
  "mousemove",
  "pointerdown",
  "wheel",
  "touchstart",
  "compositionstart",
  "compositionupdate",
  "compositionend",
] as const;

export interface IdleTimer {
  /** Counts from now again, also after `onIdle` has run. */
  reset(): void;
  /** Stops listening; `onIdle` will not run. */
  stop(): void;
}

export function startIdleTimer(target: EventTarget, timeoutMs: number, onIdle: () => void): IdleTimer {
  let last = Date.now();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;

  function schedule(delay: number) {
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(check, Math.max(0, delay));
  }

  function check() {
    timer = null;
    if (stopped) return;
    const idleFor = Date.now() - last;
    if (idleFor >= timeoutMs) onIdle();
    else schedule(timeoutMs - idleFor);
  }

  function onActivity() {
    last = Date.now();
    // After onIdle the timer is off: input alone does not start it again (reset does).
  }

  for (const name of ACTIVITY_EVENTS) target.addEventListener(name, onActivity, { capture: true, passive: true });
  schedule(timeoutMs);

  return {
    reset() {
      if (stopped) return;
      last = Date.now();
      schedule(timeoutMs);
    },
    stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      for (const name of ACTIVITY_EVENTS) target.removeEventListener(name, onActivity, { capture: true });
    },
  };
}

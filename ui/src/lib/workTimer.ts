/**
 * 業務の見える化: the working time of one case in one editor, idle excluded.
 *
 * Time counts only while the window is visible and focused. Input (a key, a click or
 * touch, the wheel, an edit, an IME conversion) marks activity; the time between two
 * marks counts in full when the gap is at most `idleGapMs` (120 s) and not at all when it
 * is longer (the person was away). Losing focus or visibility, and the last flush, close
 * the stretch like a mark. Every `flushEveryMs` (5 minutes) the counted time is handed
 * over (`onFlush`), and on record change, unmount and `pagehide` (a final flush).
 *
 * A mark only compares two numbers: typing is never slowed. The clock is injected so the
 * rule is tested with fake time.
 */

export interface WorkClock {
  now(): number;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export const systemClock: WorkClock = {
  now: () => Date.now(),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (handle) => clearInterval(handle as ReturnType<typeof setInterval>),
};

/** One counted stretch, as handed over. */
export interface WorkSlice {
  /** When its first counted activity was (RFC 3339). */
  startedAt: string;
  activeSeconds: number;
}

export interface WorkTimerOptions {
  onFlush: (slice: WorkSlice) => void;
  clock?: WorkClock;
  /** The longest gap between marks that still counts (ms). */
  idleGapMs?: number;
  /** How often the counted time is handed over (ms). */
  flushEveryMs?: number;
  /** A periodic flush keeps less than this counting on (the app ignores shorter). */
  minSeconds?: number;
}

/** Input that marks activity. */
export const WORK_EVENTS = ["keydown", "pointerdown", "wheel", "input", "compositionupdate"] as const;

export const IDLE_GAP_MS = 120_000;
export const FLUSH_EVERY_MS = 5 * 60_000;

export class WorkTimer {
  private readonly clock: WorkClock;
  private readonly onFlush: (slice: WorkSlice) => void;
  private readonly idleGapMs: number;
  private readonly flushEveryMs: number;
  private readonly minSeconds: number;
  private countedMs = 0;
  private startedAt: number | null = null;
  private lastMark: number | null = null;
  private active: boolean;
  private interval: unknown = null;

  constructor(options: WorkTimerOptions, active = true) {
    this.clock = options.clock ?? systemClock;
    this.onFlush = options.onFlush;
    this.idleGapMs = options.idleGapMs ?? IDLE_GAP_MS;
    this.flushEveryMs = options.flushEveryMs ?? FLUSH_EVERY_MS;
    this.minSeconds = options.minSeconds ?? 5;
    this.active = active;
  }

  /** Activity now (an input event). Ignored while the window is hidden or unfocused. */
  mark(): void {
    if (!this.active) return;
    const t = this.clock.now();
    // Nothing counted and nothing open: the slice starts with this mark.
    if (this.countedMs === 0 && this.lastMark === null) this.startedAt = t;
    this.countGapTo(t);
    this.lastMark = t;
    this.startedAt ??= t;
  }

  /** The window became visible and focused (`true`) or not. */
  setActive(active: boolean): void {
    if (active === this.active) return;
    if (active) {
      this.active = true;
      // Coming back to the window is itself a sign of the person.
      this.mark();
    } else {
      this.closeStretch();
      this.active = false;
    }
  }

  /** Seconds counted and not yet handed over. */
  pendingSeconds(): number {
    return Math.floor(this.countedMs / 1000);
  }

  /**
   * Hands over what was counted. A final flush (record change, unmount, pagehide) closes
   * the stretch and hands over any amount; a periodic one keeps the open gap for the next
   * slice and waits for at least `minSeconds`.
   */
  flush(final = false): void {
    if (final) this.closeStretch();
    const seconds = Math.floor(this.countedMs / 1000);
    const due = seconds > 0 && this.startedAt !== null && (final || seconds >= this.minSeconds);
    const slice = due && this.startedAt !== null ? { startedAt: new Date(this.startedAt).toISOString(), activeSeconds: seconds } : null;
    if (final) {
      // Nothing stays open; a fraction of a second is dropped.
      this.countedMs = 0;
      this.startedAt = null;
    } else if (slice) {
      this.countedMs -= seconds * 1000;
      // The next slice starts where the time still open began (the last mark).
      this.startedAt = this.lastMark;
    }
    if (slice) this.onFlush(slice);
  }

  /** Starts the periodic flush. */
  start(): void {
    if (this.interval !== null) return;
    this.interval = this.clock.setInterval(() => this.flush(false), this.flushEveryMs);
  }

  /** Stops the periodic flush and hands over the rest. */
  stop(): void {
    if (this.interval !== null) this.clock.clearInterval(this.interval);
    this.interval = null;
    this.flush(true);
  }

  /**
   * Listens on the page: input marks, focus and visibility switch counting, `pagehide`
   * flushes; attaching is a mark. Returns the function that stops listening (it does not
   * flush).
   */
  attach(win: Window, doc: Document): () => void {
    const onInput = () => this.mark();
    const onState = () => this.setActive(doc.visibilityState === "visible" && doc.hasFocus());
    const onBlur = () => this.setActive(false);
    const onHide = () => this.flush(true);
    const opts = { capture: true, passive: true } as const;
    for (const name of WORK_EVENTS) doc.addEventListener(name, onInput, opts);
    win.addEventListener("focus", onState);
    win.addEventListener("blur", onBlur);
    doc.addEventListener("visibilitychange", onState);
    win.addEventListener("pagehide", onHide);
    onState();
    // Opening the case is a sign of the person (ignored when the window is not in front).
    this.mark();
    return () => {
      for (const name of WORK_EVENTS) doc.removeEventListener(name, onInput, opts);
      win.removeEventListener("focus", onState);
      win.removeEventListener("blur", onBlur);
      doc.removeEventListener("visibilitychange", onState);
      win.removeEventListener("pagehide", onHide);
    };
  }

  private countGapTo(t: number): void {
    if (this.lastMark === null) return;
    const gap = t - this.lastMark;
    if (gap > 0 && gap <= this.idleGapMs) this.countedMs += gap;
  }

  /** Counts up to now as if marked, then waits for the next mark. */
  private closeStretch(): void {
    if (this.active) this.countGapTo(this.clock.now());
    this.lastMark = null;
  }
}

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { WorkTimer, type WorkSlice } from "./workTimer";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const T0 = Date.parse("2026-04-01T09:00:00.000Z");

function timer(active = true) {
  const slices: WorkSlice[] = [];
  const t = new WorkTimer({ onFlush: (s) => slices.push(s) }, active);
  return { t, slices };
}

/** Marks activity every `everyMs` for `forMs`. */
function work(t: WorkTimer, forMs: number, everyMs: number) {
  for (let passed = 0; passed < forMs; passed += everyMs) {
    vi.advanceTimersByTime(everyMs);
    t.mark();
  }
}

describe("WorkTimer", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("counts gaps of up to 120 s between marks in full", () => {
    const { t, slices } = timer();
    t.mark();
    work(t, 3 * MINUTE, 30 * SECOND);
    vi.advanceTimersByTime(120 * SECOND);
    t.mark();
    t.flush(true);
    expect(slices).toEqual([{ startedAt: "2026-04-01T09:00:00.000Z", activeSeconds: 300 }]);
  });

  it("counts nothing of a longer gap (idle)", () => {
    const { t, slices } = timer();
    t.mark();
    vi.advanceTimersByTime(60 * SECOND);
    t.mark();
    vi.advanceTimersByTime(121 * SECOND);
    t.mark();
    vi.advanceTimersByTime(10 * SECOND);
    t.mark();
    t.flush(true);
    expect(slices).toEqual([{ startedAt: "2026-04-01T09:00:00.000Z", activeSeconds: 70 }]);
  });

  it("counts only while the window is visible and focused", () => {
    const { t, slices } = timer();
    t.mark();
    vi.advanceTimersByTime(30 * SECOND);
    // Switched to another window: the 20 s since the last mark count, then nothing.
    vi.advanceTimersByTime(20 * SECOND);
    t.setActive(false);
    vi.advanceTimersByTime(10 * MINUTE);
    t.mark(); // input elsewhere (a global shortcut) is ignored
    vi.advanceTimersByTime(10 * SECOND);
    t.setActive(true); // back: counting starts again from here
    vi.advanceTimersByTime(40 * SECOND);
    t.mark();
    t.flush(true);
    expect(slices).toEqual([{ startedAt: "2026-04-01T09:00:00.000Z", activeSeconds: 90 }]);
  });

  it("flushes every 5 minutes while started, and the rest when stopped", () => {
    const { t, slices } = timer();
    t.start();
    t.mark();
    work(t, 7 * MINUTE, 20 * SECOND);
    // At 5:00 the periodic flush handed over 4:40 (up to the last mark before it, at
    // 4:40; the open 20 s belong to the next slice).
    expect(slices).toEqual([{ startedAt: "2026-04-01T09:00:00.000Z", activeSeconds: 280 }]);
    t.stop();
    expect(slices[1]).toEqual({ startedAt: "2026-04-01T09:04:40.000Z", activeSeconds: 140 });
    expect(slices.reduce((n, s) => n + s.activeSeconds, 0)).toBe(7 * 60);
    // Stopped: no more periodic flushes.
    work(t, 10 * MINUTE, 30 * SECOND);
    expect(slices).toHaveLength(2);
  });

  it("keeps a few seconds counting until there is enough, but hands them over at the end", () => {
    const { t, slices } = timer();
    t.start();
    t.mark();
    vi.advanceTimersByTime(3 * SECOND);
    t.mark();
    vi.advanceTimersByTime(5 * MINUTE);
    expect(slices).toEqual([]);
    t.stop();
    expect(slices).toEqual([{ startedAt: "2026-04-01T09:00:00.000Z", activeSeconds: 3 }]);
  });

  it("hands over nothing when nothing was counted", () => {
    const { t, slices } = timer();
    t.flush(true);
    t.mark();
    t.flush(true);
    vi.advanceTimersByTime(10 * MINUTE);
    t.mark();
    t.flush(true);
    expect(slices).toEqual([]);
  });

  it("listens to input, focus, visibility and pagehide on the page", () => {
    const { t, slices } = timer(false);
    const hasFocus = vi.spyOn(document, "hasFocus").mockReturnValue(true);
    const detach = t.attach(window, document);
    const field = document.createElement("input");
    document.body.append(field);
    try {
      field.dispatchEvent(new KeyboardEvent("keydown", { key: "a", bubbles: true }));
      vi.advanceTimersByTime(30 * SECOND);
      field.dispatchEvent(new CompositionEvent("compositionupdate", { data: "きょう", bubbles: true }));
      vi.advanceTimersByTime(30 * SECOND);
      field.dispatchEvent(new Event("input", { bubbles: true }));
      vi.advanceTimersByTime(10 * SECOND);
      window.dispatchEvent(new Event("blur"));
      vi.advanceTimersByTime(5 * MINUTE);
      field.dispatchEvent(new WheelEvent("wheel", { bubbles: true }));
      window.dispatchEvent(new Event("focus"));
      vi.advanceTimersByTime(15 * SECOND);
      field.dispatchEvent(new Event("pointerdown", { bubbles: true }));
      window.dispatchEvent(new Event("pagehide"));
      expect(slices).toEqual([{ startedAt: "2026-04-01T09:00:00.000Z", activeSeconds: 85 }]);
      detach();
      field.dispatchEvent(new KeyboardEvent("keydown", { key: "b", bubbles: true }));
      vi.advanceTimersByTime(30 * SECOND);
      field.dispatchEvent(new KeyboardEvent("keydown", { key: "c", bubbles: true }));
      t.flush(true);
      expect(slices).toHaveLength(1);
    } finally {
      field.remove();
      hasFocus.mockRestore();
    }
  });
});

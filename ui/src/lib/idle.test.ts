import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { startIdleTimer } from "./idle";

const MINUTE = 60_000;

describe("startIdleTimer", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("calls onIdle once after the time without input", () => {
    const onIdle = vi.fn();
    const timer = startIdleTimer(document, 30 * MINUTE, onIdle);
    vi.advanceTimersByTime(30 * MINUTE - 1);
    expect(onIdle).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onIdle).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(60 * MINUTE);
    expect(onIdle).toHaveBeenCalledTimes(1);
    timer.stop();
  });

  it.each([
    ["a key", () => new KeyboardEvent("keydown", { key: "a", bubbles: true })],
    ["the mouse", () => new MouseEvent("mousemove", { bubbles: true })],
    ["a click", () => new MouseEvent("mousedown", { bubbles: true })],
    ["the wheel", () => new WheelEvent("wheel", { bubbles: true })],
    ["an IME composition", () => new CompositionEvent("compositionupdate", { data: "きょうさい", bubbles: true })],
  ])("starts counting again after %s", (_what, event) => {
    const onIdle = vi.fn();
    const field = document.createElement("input");
    document.body.append(field);
    const timer = startIdleTimer(document, 10 * MINUTE, onIdle);
    vi.advanceTimersByTime(9 * MINUTE);
    field.dispatchEvent(event());
    vi.advanceTimersByTime(9 * MINUTE);
    expect(onIdle).not.toHaveBeenCalled();
    vi.advanceTimersByTime(MINUTE);
    expect(onIdle).toHaveBeenCalledTimes(1);
    timer.stop();
    field.remove();
  });

  it("counts a long IME conversion as input all the way through", () => {
    const onIdle = vi.fn();
    const field = document.createElement("textarea");
    document.body.append(field);
    const timer = startIdleTimer(document, 2 * MINUTE, onIdle);
    field.dispatchEvent(new CompositionEvent("compositionstart", { bubbles: true }));
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(MINUTE);
      field.dispatchEvent(new CompositionEvent("compositionupdate", { data: "共済".slice(0, (i % 2) + 1), bubbles: true }));
    }
    field.dispatchEvent(new CompositionEvent("compositionend", { data: "共済", bubbles: true }));
    expect(onIdle).not.toHaveBeenCalled();
    vi.advanceTimersByTime(2 * MINUTE);
    expect(onIdle).toHaveBeenCalledTimes(1);
    timer.stop();
    field.remove();
  });

  it("starts again on reset after the lock, and never runs after stop", () => {
    const onIdle = vi.fn();
    const timer = startIdleTimer(document, 5 * MINUTE, onIdle);
    vi.advanceTimersByTime(5 * MINUTE);
    expect(onIdle).toHaveBeenCalledTimes(1);
    document.dispatchEvent(new KeyboardEvent("keydown", { key: "x" }));
    vi.advanceTimersByTime(10 * MINUTE);
    expect(onIdle).toHaveBeenCalledTimes(1);
    timer.reset();
    vi.advanceTimersByTime(5 * MINUTE);
    expect(onIdle).toHaveBeenCalledTimes(2);
    timer.reset();
    timer.stop();
    vi.advanceTimersByTime(60 * MINUTE);
    expect(onIdle).toHaveBeenCalledTimes(2);
  });
});

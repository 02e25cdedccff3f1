import { act, renderHook } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { mockApi, resetMockApi } from "../test/mockBackend";
import { useWorkTimer } from "./useWorkTimer";

vi.mock("../backend", async () => (await import("../test/mockBackend")).backendModule);

const SECOND = 1000;
const T0 = Date.parse("2026-04-01T09:00:00.000Z");

function type(seconds: number, every = 10) {
  for (let s = 0; s < seconds; s += every) {
    vi.advanceTimersByTime(every * SECOND);
    document.dispatchEvent(new KeyboardEvent("keydown", { key: "a" }));
  }
}

describe("useWorkTimer", () => {
  beforeEach(() => {
    resetMockApi();
    vi.useFakeTimers();
    vi.setSystemTime(T0);
    vi.spyOn(document, "hasFocus").mockReturnValue(true);
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it("hands the time over when the case changes and when the editor closes", async () => {
    const { rerender, unmount } = renderHook(({ id }: { id: string | undefined }) => useWorkTimer(id), {
      initialProps: { id: "case-1" as string | undefined },
    });
    type(60);
    rerender({ id: "case-2" });
    type(30);
    unmount();
    await act(async () => {
      await Promise.resolve();
    });
    expect(mockApi.workTimeRecord.mock.calls).toEqual([
      [{ recordId: "case-1", startedAt: "2026-04-01T09:00:00.000Z", activeSeconds: 60 }],
      [{ recordId: "case-2", startedAt: "2026-04-01T09:01:00.000Z", activeSeconds: 30 }],
    ]);
  });

  it("counts nothing without a case, and a failed hand-over is not thrown", async () => {
    mockApi.workTimeRecord.mockRejectedValue(new Error("offline"));
    const none = renderHook(() => useWorkTimer(undefined));
    type(60);
    none.unmount();
    const one = renderHook(() => useWorkTimer("case-3"));
    type(20);
    one.unmount();
    await act(async () => {
      await Promise.resolve();
    });
    expect(mockApi.workTimeRecord).toHaveBeenCalledTimes(1);
    expect(mockApi.workTimeRecord.mock.calls[0]?.[0].recordId).toBe("case-3");
  });
});

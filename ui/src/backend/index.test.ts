import { beforeEach, describe, expect, it, vi } from "vitest";

// The backend's own test: it replaces the generated bindings (not @tauri-apps)
// and checks that `api` unwraps results into values or BackendErrors.
const commands = vi.hoisted(() => ({
  appInfo: vi.fn(),
  getSettings: vi.fn(),
  checkSettings: vi.fn(),
  saveSettings: vi.fn(),
  warekiToDate: vi.fn(),
  dateToWareki: vi.fn(),
  parseWareki: vi.fn(),
  integrityCheck: vi.fn(),
  frontendReady: vi.fn(),
}));
vi.mock("./bindings", () => ({ commands }));

import { api, BackendError } from "./index";

beforeEach(() => {
  for (const fn of Object.values(commands)) fn.mockReset();
});

describe("api", () => {
  it("returns the data of an ok result", async () => {
    const view = { centralUrl: "", rootCaPath: "", proxyUrl: "", officeCode: "13104", updatedAt: null };
    commands.getSettings.mockResolvedValue({ status: "ok", data: view });
    await expect(api.getSettings()).resolves.toEqual(view);
  });

  it("throws a BackendError with Rust's code and message for an error result", async () => {
    commands.dateToWareki.mockResolvedValue({
      status: "error",
      error: { code: "wareki.invalid_day", message: "令和6年2月の日は1から29までの数字で入力してください。" },
    });
    const err = await api.dateToWareki("2024-02-30").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect(err).toMatchObject({ code: "wareki.invalid_day", message: "令和6年2月の日は1から29までの数字で入力してください。" });
    expect(commands.dateToWareki).toHaveBeenCalledWith("2024-02-30");
  });

  it("turns a failed invoke into a BackendError with code ipc.failed", async () => {
    commands.appInfo.mockRejectedValue(new TypeError("window.__TAURI_INTERNALS__ is undefined"));
    await expect(api.appInfo()).rejects.toMatchObject({ name: "BackendError", code: "ipc.failed" });
  });

  it("keeps an AppError thrown by a plain command", async () => {
    commands.checkSettings.mockRejectedValue({ code: "internal", message: "処理中に問題が発生しました。" });
    await expect(api.checkSettings({ centralUrl: "", rootCaPath: "", proxyUrl: "", officeCode: "" })).rejects.toMatchObject({
      code: "internal",
      message: "処理中に問題が発生しました。",
    });
  });
});

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
  signIn: vi.fn(),
  signOut: vi.fn(),
  session: vi.fn(),
  syncStatus: vi.fn(),
  syncNow: vi.fn(),
  listConflicts: vi.fn(),
  resolveConflict: vi.fn(),
  listNotes: vi.fn(),
  checkNote: vi.fn(),
  saveNote: vi.fn(),
}));
const events = vi.hoisted(() => ({ syncStatusChanged: { listen: vi.fn() } }));
vi.mock("./bindings", () => ({ commands, events }));

import { api, BackendError } from "./index";

beforeEach(() => {
  for (const fn of Object.values(commands)) fn.mockReset();
  events.syncStatusChanged.listen.mockReset();
});

const status = {
  configured: true,
  online: true,
  syncing: false,
  lastSyncAt: "2024-04-01T00:30:00Z",
  pending: 2,
  conflicted: 1,
  rejected: 0,
  lastErrorCode: null,
  lastErrorMessage: null,
  signedInUser: "sato.hanako",
};

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

  it("passes sign-in arguments through and turns a refusal into a BackendError", async () => {
    commands.signIn.mockResolvedValue({
      status: "error",
      error: { code: "auth.invalid_credentials", message: "利用者IDまたはパスワードが違います。確かめてもう一度入力してください。" },
    });
    await expect(api.signIn("sato.hanako", "pw")).rejects.toMatchObject({ code: "auth.invalid_credentials" });
    expect(commands.signIn).toHaveBeenCalledWith("sato.hanako", "pw");
  });

  it("resolves commands without a value to undefined", async () => {
    commands.signOut.mockResolvedValue({ status: "ok", data: null });
    commands.syncNow.mockResolvedValue({ status: "ok", data: null });
    commands.resolveConflict.mockResolvedValue({ status: "ok", data: null });
    await expect(api.signOut()).resolves.toBeUndefined();
    await expect(api.syncNow()).resolves.toBeUndefined();
    await expect(api.resolveConflict("0b7a", "discard")).resolves.toBeUndefined();
    expect(commands.resolveConflict).toHaveBeenCalledWith("0b7a", "discard");
  });
});

describe("api.onSyncStatus", () => {
  it("delivers each payload (the status itself) and stops when unsubscribed", async () => {
    const unlisten = vi.fn();
    let deliver: (event: { payload: unknown }) => void = () => undefined;
    events.syncStatusChanged.listen.mockImplementation(async (cb: typeof deliver) => {
      deliver = cb;
      return unlisten;
    });
    const seen = vi.fn();
    const stop = api.onSyncStatus(seen);
    await new Promise((resolve) => setTimeout(resolve, 0)); // registration settles
    deliver({ payload: status });
    expect(seen).toHaveBeenCalledWith(status);
    stop();
    expect(unlisten).toHaveBeenCalledTimes(1);
    deliver({ payload: { ...status, pending: 0 } });
    expect(seen).toHaveBeenCalledTimes(1);
  });

  it("unlistens once registration finishes when stopped before that", async () => {
    const unlisten = vi.fn();
    let finish: (fn: () => void) => void = () => undefined;
    events.syncStatusChanged.listen.mockImplementation(() => new Promise((resolve) => (finish = resolve)));
    const stop = api.onSyncStatus(vi.fn());
    stop();
    await vi.waitFor(() => expect(events.syncStatusChanged.listen).toHaveBeenCalled());
    finish(unlisten);
    await vi.waitFor(() => expect(unlisten).toHaveBeenCalledTimes(1));
  });

  it("stays quiet without Tauri", async () => {
    events.syncStatusChanged.listen.mockRejectedValue(new TypeError("window.__TAURI_INTERNALS__ is undefined"));
    const stop = api.onSyncStatus(vi.fn());
    await Promise.resolve();
    expect(() => stop()).not.toThrow();
  });
});

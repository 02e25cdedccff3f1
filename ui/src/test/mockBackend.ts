/**
 * A stand-in for `src/backend` in vitest. Use in a test file as
 *
 *   vi.mock("../backend", async () => (await import("../test/mockBackend")).backendModule);
 *
 * It keeps the real BackendError (from backend/errors, which has no Tauri
 * import) and replaces `api` with vi.fn()s. @tauri-apps is never touched.
 */
import { vi } from "vitest";
import type { Api } from "../backend";
import { BackendError, IPC_FAILED, toBackendError } from "../backend/errors";
import { appInfo, emptySettings, reiwa6April1 } from "./fixtures";

export const mockApi = {
  appInfo: vi.fn<Api["appInfo"]>(),
  getSettings: vi.fn<Api["getSettings"]>(),
  checkSettings: vi.fn<Api["checkSettings"]>(),
  saveSettings: vi.fn<Api["saveSettings"]>(),
  warekiToDate: vi.fn<Api["warekiToDate"]>(),
  dateToWareki: vi.fn<Api["dateToWareki"]>(),
  parseWareki: vi.fn<Api["parseWareki"]>(),
  integrityCheck: vi.fn<Api["integrityCheck"]>(),
  frontendReady: vi.fn<Api["frontendReady"]>(),
} satisfies Api;

/** Resets every mock to a quiet default: an app with nothing configured yet. */
export function resetMockApi(): void {
  for (const fn of Object.values(mockApi)) fn.mockReset();
  mockApi.appInfo.mockResolvedValue(appInfo);
  mockApi.getSettings.mockResolvedValue(emptySettings);
  mockApi.checkSettings.mockResolvedValue([]);
  mockApi.saveSettings.mockImplementation(async (draft) => ({ ...draft, updatedAt: "2024-04-01T09:30:00+09:00" }));
  mockApi.warekiToDate.mockRejectedValue(new BackendError("test.unexpected", "warekiToDate not set up"));
  mockApi.dateToWareki.mockResolvedValue(reiwa6April1);
  mockApi.parseWareki.mockRejectedValue(new BackendError("test.unexpected", "parseWareki not set up"));
  mockApi.integrityCheck.mockRejectedValue(new BackendError("test.unexpected", "integrityCheck not set up"));
  mockApi.frontendReady.mockResolvedValue(undefined);
}

export const backendModule = { api: mockApi, BackendError, IPC_FAILED, toBackendError };

import { act, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BackendError, type UpdateOffer } from "../backend";
import { ConfirmDialog } from "../components/Dialog";
import { onlineStatus, savedSettings, session, signedOutStatus } from "../test/fixtures";
import { emitSyncStatus, mockApi, resetMockApi } from "../test/mockBackend";
import { AppStateProvider } from "./appState";
import { StatusBar } from "./StatusBar";
import { CHECK_INTERVAL_MS, FIRST_CHECK_DELAY_MS } from "./useUpdateCheck";

vi.mock("../backend", async () => (await import("../test/mockBackend")).backendModule);

const HOUR = 60 * 60 * 1000;
const offer: UpdateOffer = {
  version: "0.2.0",
  notes: "資格取得届の一括取込で、全角の生年月日を読めるようにしました。",
};
const notice = "新しい版 0.2.0 があります（診断・バージョン情報で更新）";

beforeEach(() => {
  resetMockApi();
  mockApi.getSettings.mockResolvedValue(savedSettings);
  mockApi.syncStatus.mockResolvedValue(onlineStatus);
  mockApi.session.mockResolvedValue(session);
  mockApi.updateCheck.mockResolvedValue(offer);
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

/** Lets time pass (timers and the promises they start). */
async function advance(ms: number) {
  await act(async () => {
    await vi.advanceTimersByTimeAsync(ms);
  });
}

function Shell({ dialog = false }: { dialog?: boolean }) {
  return (
    <AppStateProvider>
      <StatusBar />
      {dialog ? (
        <ConfirmDialog title="提出の確認" confirmLabel="提出する" cancelLabel="キャンセル" onConfirm={() => {}} onCancel={() => {}}>
          この資格取得届を所属所長へ提出します。
        </ConfirmDialog>
      ) : null}
    </AppStateProvider>
  );
}

async function start(dialog = false) {
  const view = render(<Shell dialog={dialog} />);
  await advance(0); // settings, status and session arrive
  return view;
}

describe("useUpdateCheck (automatic update check)", () => {
  it("checks shortly after start, then every 6 hours, and shows an offer as a quiet link in the status bar", async () => {
    await start();
    expect(mockApi.updateCheck).not.toHaveBeenCalled();
    await advance(FIRST_CHECK_DELAY_MS - 1);
    expect(mockApi.updateCheck).not.toHaveBeenCalled();
    await advance(1);
    expect(mockApi.updateCheck).toHaveBeenCalledTimes(1);

    const link = screen.getByTestId("status-update");
    expect(link).toHaveTextContent(notice);
    expect(link).toHaveAttribute("href", "#/diagnostics");
    expect(link.closest("[role=alert]")).toBeNull();
    expect(screen.queryByRole("dialog")).toBeNull(); // never a modal

    // IT installed it meanwhile: the next round finds nothing and the notice goes.
    mockApi.updateCheck.mockResolvedValue(null);
    await advance(CHECK_INTERVAL_MS - 1);
    expect(mockApi.updateCheck).toHaveBeenCalledTimes(1);
    await advance(1);
    expect(mockApi.updateCheck).toHaveBeenCalledTimes(2);
    expect(screen.queryByTestId("status-update")).toBeNull();
    await advance(CHECK_INTERVAL_MS);
    expect(mockApi.updateCheck).toHaveBeenCalledTimes(3);
  });

  it("never checks while nobody is signed in, and checks shortly after signing in", async () => {
    mockApi.syncStatus.mockResolvedValue(signedOutStatus);
    mockApi.session.mockResolvedValue(null);
    await start();
    await advance(7 * HOUR);
    expect(mockApi.updateCheck).not.toHaveBeenCalled();

    await emitSyncStatus(onlineStatus);
    await advance(FIRST_CHECK_DELAY_MS);
    expect(mockApi.updateCheck).toHaveBeenCalledTimes(1);
    expect(screen.getByTestId("status-update")).toHaveTextContent(notice);

    // Signing out drops the notice and the rounds.
    await emitSyncStatus(signedOutStatus);
    expect(screen.queryByTestId("status-update")).toBeNull();
    await advance(7 * HOUR);
    expect(mockApi.updateCheck).toHaveBeenCalledTimes(1);
  });

  it("never checks when the machine policy turns updates off", async () => {
    mockApi.getSettings.mockResolvedValue({
      ...savedSettings,
      managed: ["updates"],
      policyPath: "C:\\ProgramData\\KyosaiDesk\\policy.json",
      updates: "off",
    });
    await start();
    await advance(13 * HOUR);
    expect(mockApi.updateCheck).not.toHaveBeenCalled();
    expect(screen.queryByTestId("status-update")).toBeNull();
  });

  it("stays quiet when the central service cannot be reached and asks again at the next round", async () => {
    mockApi.updateCheck.mockRejectedValueOnce(
      new BackendError("sync.offline", "中央サービスに接続できません。ネットワークの接続を確認してください。"),
    );
    await start();
    await advance(FIRST_CHECK_DELAY_MS);
    expect(mockApi.updateCheck).toHaveBeenCalledTimes(1);
    expect(screen.queryByTestId("status-update")).toBeNull();
    expect(screen.queryByRole("alert")).toBeNull();

    await advance(CHECK_INTERVAL_MS);
    expect(mockApi.updateCheck).toHaveBeenCalledTimes(2);
    expect(screen.getByTestId("status-update")).toHaveTextContent(notice);
  });

  it("stops asking when Rust says the policy turns updates off", async () => {
    mockApi.updateCheck.mockRejectedValue(
      new BackendError("update.disabled", "このPCの共済デスクは、情報システム担当が配布ツールで更新します（管理者設定 updates: off）。"),
    );
    await start();
    await advance(FIRST_CHECK_DELAY_MS);
    expect(mockApi.updateCheck).toHaveBeenCalledTimes(1);
    await advance(3 * CHECK_INTERVAL_MS);
    expect(mockApi.updateCheck).toHaveBeenCalledTimes(1);
    expect(screen.queryByTestId("status-update")).toBeNull();
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("holds the notice back while a dialog is open", async () => {
    const { rerender } = await start(true);
    await advance(FIRST_CHECK_DELAY_MS);
    expect(mockApi.updateCheck).toHaveBeenCalledTimes(1);
    expect(screen.getByRole("dialog")).toBeInTheDocument();
    expect(screen.queryByTestId("status-update")).toBeNull();

    rerender(<Shell />);
    await advance(0);
    expect(screen.getByTestId("status-update")).toHaveTextContent(notice);

    rerender(<Shell dialog />);
    await advance(0);
    expect(screen.queryByTestId("status-update")).toBeNull();
  });

  it("stops its timers when the shell goes away", async () => {
    const { unmount } = await start();
    unmount();
    await advance(13 * HOUR);
    expect(mockApi.updateCheck).not.toHaveBeenCalled();
  });
});

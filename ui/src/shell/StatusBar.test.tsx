import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { BackendError, type SyncStatusView } from "../backend";
import {
  offlineMessage,
  offlineStatus,
  onlineStatus,
  savedSettings,
  session,
  headSession,
  signedOutStatus,
} from "../test/fixtures";
import { emitSyncStatus, mockApi, resetMockApi, syncListenerCount } from "../test/mockBackend";
import { AppStateProvider } from "./appState";
import { StatusBar } from "./StatusBar";

vi.mock("../backend", async () => (await import("../test/mockBackend")).backendModule);

beforeEach(() => {
  resetMockApi();
  mockApi.getSettings.mockResolvedValue(savedSettings);
});

async function renderBar() {
  const user = userEvent.setup();
  const view = render(
    <AppStateProvider>
      <StatusBar />
    </AppStateProvider>,
  );
  const bar = screen.getByRole("contentinfo", { name: "アプリの状態" });
  await waitFor(() => expect(within(bar).getByTestId("status-user")).not.toHaveTextContent("読み込み中"));
  return { user, bar, ...view };
}

describe("StatusBar: central service", () => {
  it("says 未サインイン and 未設定 with no 同期 controls when no central service is set", async () => {
    mockApi.getSettings.mockResolvedValue({ ...savedSettings, centralUrl: "" });
    const { bar } = await renderBar();
    expect(within(bar).getByTestId("status-user")).toHaveTextContent("未サインイン");
    const state = within(bar).getByTestId("status-sync");
    expect(state).toHaveTextContent("未設定");
    expect(state).toHaveAttribute("data-state", "unset");
    expect(within(bar).queryByTestId("sync-now")).not.toBeInTheDocument();
    expect(within(bar).queryByTestId("status-pending")).not.toBeInTheDocument();
    expect(within(bar).queryByTestId("status-conflicts-link")).not.toBeInTheDocument();
  });

  it("says 未接続, not オフライン, while set up but nobody is signed in, and offers no 今すぐ同期", async () => {
    mockApi.syncStatus.mockResolvedValue(signedOutStatus);
    const { bar } = await renderBar();
    const state = await within(bar).findByTestId("status-sync");
    expect(state).toHaveTextContent("未接続");
    expect(state).toHaveAttribute("data-state", "idle");
    expect(within(bar).getByTestId("status-central")).toHaveAttribute("title", expect.stringContaining("サインインすると同期を始めます。"));
    expect(within(bar).getByTestId("status-user")).toHaveTextContent("未サインイン");
    expect(within(bar).queryByTestId("sync-now")).not.toBeInTheDocument();
  });

  it("shows who is signed in with their roles, the office, オンライン and the last sync time of today", async () => {
    mockApi.syncStatus.mockResolvedValue({ ...onlineStatus, signedInUser: headSession.userId });
    mockApi.session.mockResolvedValue(headSession);
    const { bar } = await renderBar();
    await waitFor(() =>
      expect(within(bar).getByTestId("status-user")).toHaveTextContent("サインイン中:鈴木 一郎（所属所担当者、所属所長）"),
    );
    expect(within(bar).getByTestId("status-office")).toHaveTextContent("所属所:新宿区役所（13104）");
    const state = within(bar).getByTestId("status-sync");
    expect(state).toHaveTextContent("オンライン");
    expect(state).toHaveAttribute("data-state", "online");
    expect(within(bar).getByTestId("status-central")).toHaveAttribute("title", "sync.kyosai.example.lg.jp");
    expect(within(bar).getByTestId("status-last-sync")).toHaveTextContent("最終同期09:05");
    expect(within(bar).getByTestId("status-pending")).toHaveTextContent("未送信 0 件");
    expect(within(bar).queryByTestId("status-conflicted")).not.toBeInTheDocument();
    expect(within(bar).queryByTestId("status-rejected")).not.toBeInTheDocument();
    expect(within(bar).queryByTestId("status-conflicts-link")).not.toBeInTheDocument();
  });

  it("shows the date, not the time, for a sync on an earlier day", async () => {
    mockApi.syncStatus.mockResolvedValue({ ...onlineStatus, lastSyncAt: "2023-12-28T02:00:00Z" });
    const { bar } = await renderBar();
    await waitFor(() => expect(within(bar).getByTestId("status-last-sync")).toHaveTextContent("最終同期2023年12月28日"));
  });

  it("follows the sync-status event: 同期中…, counts, 競合 / 差戻し and the link to the conflicts", async () => {
    mockApi.syncStatus.mockResolvedValue(onlineStatus);
    mockApi.session.mockResolvedValue(session);
    const { bar } = await renderBar();
    await waitFor(() => expect(within(bar).getByTestId("status-sync")).toHaveTextContent("オンライン"));

    await emitSyncStatus({ ...onlineStatus, syncing: true, pending: 2 });
    expect(within(bar).getByTestId("status-last-sync")).toHaveTextContent("同期中…");
    expect(within(bar).getByTestId("status-pending")).toHaveTextContent("未送信 2 件");

    await emitSyncStatus({ ...onlineStatus, pending: 0, conflicted: 1, rejected: 2 });
    expect(within(bar).getByTestId("status-last-sync")).toHaveTextContent("最終同期09:05");
    expect(within(bar).getByTestId("status-conflicted")).toHaveTextContent("競合 1 件");
    expect(within(bar).getByTestId("status-conflicted")).toHaveAttribute("data-tone", "warning");
    expect(within(bar).getByTestId("status-rejected")).toHaveTextContent("差戻し 2 件");
    expect(within(bar).getByTestId("status-rejected")).toHaveAttribute("data-tone", "error");
    const link = within(bar).getByTestId("status-conflicts-link");
    expect(link).toHaveTextContent("競合を確認");
    expect(link).toHaveAttribute("href", "#/conflicts");
    // Only what matters is announced: the connection and new problems, not every count.
    expect(screen.getByTestId("status-announce")).toHaveTextContent("中央サービス: オンライン、競合 1 件、差戻し 2 件");
    expect(screen.getByTestId("status-announce")).toHaveAttribute("role", "status");

    await emitSyncStatus({ ...onlineStatus, lastSyncAt: onlineStatus.lastSyncAt });
    expect(within(bar).queryByTestId("status-conflicts-link")).not.toBeInTheDocument();
  });

  it("keeps a status the event sent before the first read answered", async () => {
    let answer: (status: SyncStatusView) => void = () => undefined;
    mockApi.syncStatus.mockImplementation(() => new Promise((resolve) => (answer = resolve)));
    render(
      <AppStateProvider>
        <StatusBar />
      </AppStateProvider>,
    );
    await waitFor(() => expect(syncListenerCount()).toBe(1));
    await emitSyncStatus({ ...onlineStatus, pending: 4 });
    await act(async () => answer({ ...onlineStatus, pending: 1 }));
    expect(screen.getByTestId("status-pending")).toHaveTextContent("未送信 4 件");
  });

  it("stops listening when the shell goes away", async () => {
    const { unmount } = await renderBar();
    expect(syncListenerCount()).toBe(1);
    unmount();
    expect(syncListenerCount()).toBe(0);
  });

  it("shows オフライン and the reason in the tooltip and in a 詳細 panel that Esc closes", async () => {
    mockApi.syncStatus.mockResolvedValue(offlineStatus);
    const { user, bar } = await renderBar();
    const state = await within(bar).findByTestId("status-sync");
    expect(state).toHaveTextContent("オフライン");
    expect(state).toHaveAttribute("data-state", "offline");
    expect(within(bar).getByTestId("status-central")).toHaveAttribute("title", `sync.kyosai.example.lg.jp\n${offlineMessage}`);
    expect(within(bar).getByTestId("status-pending")).toHaveTextContent("未送信 3 件");

    const details = within(bar).getByRole("button", { name: "同期のエラーの詳細" });
    expect(details).toHaveTextContent("詳細");
    expect(details).toHaveAttribute("aria-expanded", "false");
    const panel = within(bar).getByTestId("status-sync-details-panel");
    expect(panel).not.toBeVisible();

    await user.tab();
    while (document.activeElement !== details) await user.tab();
    await user.keyboard("{Enter}");
    expect(details).toHaveAttribute("aria-expanded", "true");
    expect(panel).toBeVisible();
    expect(panel).toHaveTextContent(offlineMessage);
    expect(panel).toHaveTextContent("エラーコード: sync.offline");

    await user.keyboard("{Escape}");
    expect(panel).not.toBeVisible();
    expect(details).toHaveFocus();
  });

  it("runs 今すぐ同期 once at a time with a busy state, and shows why it failed", async () => {
    mockApi.syncStatus.mockResolvedValue(onlineStatus);
    let fail: (err: unknown) => void = () => undefined;
    mockApi.syncNow.mockImplementation(() => new Promise((_, reject) => (fail = reject)));
    const { user, bar } = await renderBar();
    const button = await within(bar).findByTestId("sync-now");
    expect(button).toHaveTextContent("今すぐ同期");

    await user.click(button);
    expect(button).toHaveAttribute("aria-busy", "true");
    expect(button).toHaveTextContent("同期しています…");
    await user.click(button);
    expect(mockApi.syncNow).toHaveBeenCalledTimes(1);

    const message = "サーバーが混み合っています。しばらく待ってから、もう一度お試しください。";
    await act(async () => fail(new BackendError("server.unavailable", message)));
    const alert = within(bar).getByTestId("sync-now-error");
    expect(alert).toHaveAttribute("role", "alert");
    expect(alert).toHaveTextContent(`同期できませんでした。${message}`);
    expect(button).not.toHaveAttribute("aria-busy");

    // A later successful sync makes the failure old news.
    await emitSyncStatus({ ...onlineStatus, lastSyncAt: new Date().toISOString() });
    expect(within(bar).queryByTestId("sync-now-error")).not.toBeInTheDocument();
  });

  it("shows the user id of a stored sign-in until the server has said who it is", async () => {
    mockApi.syncStatus.mockResolvedValue({ ...signedOutStatus, signedInUser: "sato.hanako" });
    const { bar } = await renderBar();
    await waitFor(() => expect(within(bar).getByTestId("status-user")).toHaveTextContent("サインイン中:sato.hanako"));

    mockApi.session.mockResolvedValue(session);
    await emitSyncStatus(onlineStatus);
    await waitFor(() => expect(within(bar).getByTestId("status-user")).toHaveTextContent("佐藤 花子（所属所担当者）"));
  });
});

import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "../App";
import { BackendError, type KeyLostView } from "../backend";
import { appInfo } from "../test/fixtures";
import { mockApi, resetMockApi } from "../test/mockBackend";
import { KeyLostScreen } from "./KeyLostScreen";

vi.mock("../backend", async () => (await import("../test/mockBackend")).backendModule);

const dbPath = "C:\\Users\\sato.hanako\\AppData\\Local\\jp.kyosai.desk\\profiles\\default\\kyosai.sqlite3";

/** The key went missing with three commands unsent (the oldest at 9:05 JST on 26 Nov). */
const withUnsent: KeyLostView = {
  reason: "missing",
  code: "store.key_missing",
  databasePath: dbPath,
  unsentCommands: 3,
  unsettledDrafts: 2,
  oldestUnsentAt: "2026-11-26T00:05:00Z",
  summaryUpdatedAt: "2026-11-26T00:40:00Z",
};

const nothingUnsent: KeyLostView = {
  ...withUnsent,
  reason: "mismatch",
  code: "store.key_mismatch",
  unsentCommands: 0,
  unsettledDrafts: 0,
  oldestUnsentAt: null,
};

const unknown: KeyLostView = {
  ...withUnsent,
  unsentCommands: null,
  unsettledDrafts: null,
  oldestUnsentAt: null,
  summaryUpdatedAt: null,
};

const setAside = `${dbPath}.unreadable-20261126-004500Z`;

beforeEach(() => {
  resetMockApi();
  window.location.hash = "";
});

async function renderScreen(view: KeyLostView) {
  mockApi.localDbKeyLost.mockResolvedValue(view);
  const user = userEvent.setup();
  render(<KeyLostScreen />);
  await waitFor(() => expect(screen.getByTestId("key-lost-code")).toHaveTextContent(view.code));
  return { user };
}

describe("KeyLostScreen", () => {
  it("says loudly how much unsent work would be lost and asks for a tick before starting afresh", async () => {
    const { user } = await renderScreen(withUnsent);
    expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("このPCのデータベースを開けません");
    expect(screen.getByTestId("key-lost-reason")).toHaveTextContent("鍵が、このPCの資格情報ストア");
    const unsent = screen.getByTestId("key-lost-unsent");
    expect(unsent).toHaveAttribute("role", "alert");
    expect(unsent).toHaveTextContent("サーバーにまだ送信していない作業が 3 件あります");
    expect(unsent).toHaveTextContent(/最も古いもの：2026年11月26日 \d+:05/);
    expect(unsent).toHaveTextContent("下書きが 2 件");
    expect(screen.getByTestId("key-lost-path")).toHaveTextContent(dbPath);

    // Without the tick nothing happens but a reminder.
    await user.click(screen.getByRole("button", { name: "新しく始める（サーバーから取り直す）" }));
    expect(mockApi.localDbStartFresh).not.toHaveBeenCalled();
    expect(screen.getByTestId("key-lost-error")).toHaveTextContent("チェックを入れてください");

    mockApi.localDbStartFresh.mockResolvedValue({ setAsidePath: setAside });
    await user.click(screen.getByLabelText("未送信の作業が失われることを理解しました"));
    expect(screen.queryByTestId("key-lost-error")).not.toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "新しく始める（サーバーから取り直す）" }));
    expect(mockApi.localDbStartFresh).toHaveBeenCalledTimes(1);
    const done = await screen.findByTestId("key-lost-done");
    expect(done).toHaveTextContent("新しいデータベースで始めました");
    expect(done).toHaveTextContent(setAside);
    expect(within(done).getByRole("button", { name: "サインインへ進む" })).toBeInTheDocument();
  });

  it("starts afresh at once when nothing is unsent, and explains a key that does not fit", async () => {
    const { user } = await renderScreen(nothingUnsent);
    expect(screen.getByTestId("key-lost-reason")).toHaveAttribute("data-reason", "mismatch");
    expect(screen.getByTestId("key-lost-reason")).toHaveTextContent("資格情報ストアにある鍵では");
    expect(screen.getByTestId("key-lost-none")).toHaveTextContent("未送信の作業はありません");
    expect(screen.queryByTestId("key-lost-confirm")).not.toBeInTheDocument();
    mockApi.localDbStartFresh.mockResolvedValue({ setAsidePath: setAside });
    await user.click(screen.getByRole("button", { name: "新しく始める（サーバーから取り直す）" }));
    await screen.findByTestId("key-lost-done");
  });

  it("treats a missing record of unsent work as possible loss", async () => {
    const { user } = await renderScreen(unknown);
    expect(screen.getByTestId("key-lost-unknown")).toHaveTextContent("確認できません");
    expect(screen.getByTestId("key-lost-summary-time")).toHaveTextContent("記録なし");
    await user.click(screen.getByRole("button", { name: "新しく始める（サーバーから取り直す）" }));
    expect(mockApi.localDbStartFresh).not.toHaveBeenCalled();
    expect(screen.getByTestId("key-lost-confirm")).not.toBeChecked();
  });

  it("keeps the screen and says why when starting afresh fails", async () => {
    const { user } = await renderScreen(nothingUnsent);
    mockApi.localDbStartFresh.mockRejectedValue(
      new BackendError("store.key_store", "OSの資格情報ストアでデータベースの鍵を保存できません。"),
    );
    await user.click(screen.getByRole("button", { name: "新しく始める（サーバーから取り直す）" }));
    expect(await screen.findByTestId("key-lost-error")).toHaveTextContent("鍵を保存できません");
    expect(screen.getByTestId("key-lost")).toBeInTheDocument();
  });

  it("quits on 「終了してIT管理者に連絡」 without touching the database", async () => {
    const { user } = await renderScreen(withUnsent);
    await user.click(screen.getByRole("button", { name: "終了してIT管理者に連絡" }));
    expect(mockApi.quitApp).toHaveBeenCalledTimes(1);
    expect(mockApi.localDbStartFresh).not.toHaveBeenCalled();
  });
});

describe("the shell with a lost key", () => {
  it("shows the key-lost screen instead of the page", async () => {
    mockApi.appInfo.mockResolvedValue({
      ...appInfo,
      startupError: { code: "store.key_lost", message: "このPCの鍵でデータベースを開けません。" },
    });
    mockApi.localDbKeyLost.mockResolvedValue(withUnsent);
    render(<App />);
    expect(await screen.findByTestId("key-lost")).toBeInTheDocument();
    expect(screen.queryByTestId("home-today")).not.toBeInTheDocument();
    expect(screen.queryByTestId("startup-error")).not.toBeInTheDocument();
    expect(screen.getByRole("navigation", { name: "業務メニュー" })).toBeInTheDocument();
  });
});

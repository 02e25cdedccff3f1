import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "./App";
import { todayIso } from "./lib/text";
import { conflictNote, onlineStatus, savedSettings, signedOutStatus } from "./test/fixtures";
import { emitSyncStatus, mockApi, resetMockApi } from "./test/mockBackend";

vi.mock("./backend", async () => (await import("./test/mockBackend")).backendModule);

async function renderApp() {
  const user = userEvent.setup();
  render(<App />);
  await screen.findByTestId("home-today");
  return { user };
}

async function expectPage(title: string) {
  const heading = await screen.findByRole("heading", { level: 1, name: title });
  await waitFor(() => expect(heading).toHaveFocus());
  const nav = screen.getByRole("navigation", { name: "業務メニュー" });
  expect(within(nav).getByRole("link", { current: "page" })).toHaveTextContent(title);
}

beforeEach(() => {
  resetMockApi();
  window.location.hash = "";
});

describe("shell", () => {
  it("has the product name, a 業務メニュー with the ten areas and marks the current one", async () => {
    await renderApp();
    expect(screen.getByTestId("product-name")).toHaveTextContent("共済デスク");
    const nav = screen.getByRole("navigation", { name: "業務メニュー" });
    const links = within(nav).getAllByRole("link");
    expect(links.map((l) => l.textContent?.replace(/Alt\+\d/, ""))).toEqual([
      "ホーム",
      "和暦変換",
      "設定",
      "診断・バージョン情報",
      "連絡メモ",
      "サインイン",
      "決裁",
      "起案",
      "資格取得届",
      "調達・契約・支払",
      "AI-OCR確認",
    ]);
    expect(links.map((l) => l.getAttribute("aria-keyshortcuts"))).toEqual([
      "Alt+1",
      "Alt+2",
      "Alt+3",
      "Alt+4",
      "Alt+5",
      "Alt+6",
      "Alt+7",
      "Alt+8",
      "Alt+9",
      "Alt+0",
      null, // AI-OCR確認: every Alt digit is taken
    ]);
    expect(links[0]).toHaveAttribute("aria-current", "page");
    expect(links.slice(1).every((l) => !l.hasAttribute("aria-current"))).toBe(true);
  });

  it("makes 本文へ移動 the first Tab stop, and it takes focus to the page heading", async () => {
    const { user } = await renderApp();
    await user.tab();
    const skip = screen.getByRole("link", { name: "本文へ移動" });
    expect(skip).toHaveFocus();
    await user.keyboard("{Enter}");
    expect(screen.getByRole("heading", { level: 1, name: "ホーム" })).toHaveFocus();
    expect(window.location.hash).toBe(""); // the skip link does not disturb routing
  });

  it("opens the four areas with Alt+1..Alt+4 and moves focus to each page's heading", async () => {
    await renderApp();
    fireEvent.keyDown(document.body, { key: "2", code: "Digit2", altKey: true });
    await expectPage("和暦変換");
    fireEvent.keyDown(document.activeElement ?? document.body, { key: "3", code: "Digit3", altKey: true });
    await expectPage("設定");
    fireEvent.keyDown(document.body, { key: "4", code: "Digit4", altKey: true });
    await expectPage("診断・バージョン情報");
    const notPrevented = fireEvent.keyDown(document.body, { key: "1", code: "Digit1", altKey: true });
    expect(notPrevented).toBe(false);
    await expectPage("ホーム");
  });

  it("ignores Alt+digit while the IME is composing", async () => {
    await renderApp();
    fireEvent.keyDown(document.body, { key: "2", code: "Digit2", altKey: true, isComposing: true });
    await act(async () => {});
    expect(window.location.hash).toBe("");
    expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("ホーム");
  });

  it("reaches the menu by Tab and opens a page with Enter", async () => {
    const { user } = await renderApp();
    await user.tab(); // skip link
    await user.tab(); // ホーム
    await user.tab(); // 和暦変換
    const nav = screen.getByRole("navigation", { name: "業務メニュー" });
    expect(within(nav).getByRole("link", { name: "和暦変換" })).toHaveFocus();
    await user.keyboard("{Enter}");
    await expectPage("和暦変換");
  });

  it("tells Rust once that the first render is done", async () => {
    await renderApp();
    expect(mockApi.frontendReady).toHaveBeenCalledTimes(1);
  });

  it("shows profile, office, central host and version in the status bar", async () => {
    mockApi.getSettings.mockResolvedValue(savedSettings);
    mockApi.syncStatus.mockResolvedValue(signedOutStatus);
    await renderApp();
    const status = screen.getByRole("contentinfo", { name: "アプリの状態" });
    await waitFor(() => expect(within(status).getByTestId("status-office")).toHaveTextContent("所属所番号:13104"));
    expect(within(status).getByTestId("status-profile")).toHaveTextContent("default");
    expect(within(status).getByTestId("status-central")).toHaveAttribute("title", expect.stringContaining("sync.kyosai.example.lg.jp"));
    expect(within(status).getByTestId("status-sync")).toHaveTextContent("未接続"); // set up, nobody signed in yet
    expect(within(status).getByTestId("status-version")).toHaveTextContent("0.1.0");
  });

  it("says 所属所未設定 and 未設定 when nothing is configured", async () => {
    await renderApp();
    const status = screen.getByRole("contentinfo", { name: "アプリの状態" });
    await waitFor(() => expect(within(status).getByTestId("status-office")).toHaveTextContent("所属所未設定"));
    expect(within(status).getByTestId("status-central")).toHaveTextContent("未設定");
  });

  it("shows today's date in 和暦 with 西暦 on the home page", async () => {
    await renderApp();
    expect(mockApi.dateToWareki).toHaveBeenCalledWith(todayIso());
    expect(screen.getByTestId("home-today")).toHaveTextContent("令和6年4月1日");
    expect(screen.getByTestId("home-today")).toHaveTextContent("2024-04-01（月）");
  });

  it("warns on every page when the database could not be opened", async () => {
    mockApi.appInfo.mockResolvedValue({
      ...(await import("./test/fixtures")).appInfo,
      startupError: {
        code: "store.open_failed",
        message: "データベースを開けませんでした。ネットワークドライブではなくこのパソコンに保存してください。",
      },
    });
    await renderApp();
    expect(await screen.findByTestId("startup-error")).toHaveTextContent("ネットワークドライブではなく");
  });

  it("opens 連絡メモ with Alt+5 and サインイン with Alt+6", async () => {
    await renderApp();
    fireEvent.keyDown(document.body, { key: "5", code: "Digit5", altKey: true });
    await expectPage("連絡メモ");
    expect(window.location.hash).toBe("#/notes");
    fireEvent.keyDown(document.body, { key: "6", code: "Digit6", altKey: true });
    await expectPage("サインイン");
    expect(window.location.hash).toBe("#/signin");
  });

  it("lists 競合の確認 in the menu only while something needs settling, and the status bar links to it", async () => {
    mockApi.syncStatus.mockResolvedValue(onlineStatus);
    mockApi.listConflicts.mockResolvedValue([conflictNote]);
    const { user } = await renderApp();
    const nav = screen.getByRole("navigation", { name: "業務メニュー" });
    await waitFor(() => expect(screen.getByTestId("status-sync")).toHaveTextContent("オンライン"));
    expect(within(nav).queryByTestId("nav-conflicts")).not.toBeInTheDocument();

    await emitSyncStatus({ ...onlineStatus, conflicted: 1, rejected: 1 });
    const item = within(nav).getByTestId("nav-conflicts");
    expect(item).toHaveTextContent("競合の確認");
    expect(item).toHaveTextContent("2 件");
    expect(item).not.toHaveAttribute("aria-keyshortcuts");

    await user.click(screen.getByTestId("status-conflicts-link"));
    await expectPage("競合の確認");
    expect(await screen.findByTestId("conflict-row")).toHaveAttribute("data-id", conflictNote.recordId);

    // Settled while open: the page stays in the menu until the clerk leaves it.
    await emitSyncStatus(onlineStatus);
    expect(within(nav).getByTestId("nav-conflicts")).toBeInTheDocument();
    fireEvent.keyDown(document.body, { key: "1", code: "Digit1", altKey: true });
    await expectPage("ホーム");
    expect(within(nav).queryByTestId("nav-conflicts")).not.toBeInTheDocument();
  });
});

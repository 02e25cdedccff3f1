import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { BackendError } from "../backend";
import { AppStateProvider } from "../shell/appState";
import { conflictNote, onlineStatus, rejectedOther } from "../test/fixtures";
import { emitSyncStatus, mockApi, resetMockApi } from "../test/mockBackend";
import { ConflictsPage } from "./ConflictsPage";

vi.mock("../backend", async () => (await import("../test/mockBackend")).backendModule);

beforeEach(() => {
  resetMockApi();
  mockApi.syncStatus.mockResolvedValue({ ...onlineStatus, conflicted: 1, rejected: 1 });
  mockApi.listConflicts.mockResolvedValue([conflictNote, rejectedOther]);
});

async function renderPage() {
  const user = userEvent.setup();
  render(
    <AppStateProvider>
      <ConflictsPage />
    </AppStateProvider>,
  );
  const rows = await screen.findAllByTestId("conflict-row");
  return { user, rows };
}

describe("ConflictsPage", () => {
  it("shows each item's label, the server's reason, and both contents side by side with their versions", async () => {
    const { rows } = await renderPage();
    expect(rows).toHaveLength(2);
    const [note, other] = rows as [HTMLElement, HTMLElement];

    expect(within(note).getByTestId("conflict-label")).toHaveTextContent("競合");
    expect(within(note).getByTestId("conflict-message")).toHaveTextContent("この記録はほかの職員が先に更新しました。");
    expect(within(note).getByTestId("conflict-versions")).toHaveTextContent("基にした版 2 → 中央サービスの版 3");
    const mine = within(note).getByTestId("conflict-mine");
    expect(within(mine).getByRole("heading", { name: "あなたの内容" })).toBeInTheDocument();
    expect(mine).toHaveTextContent("第3週: 高橋"); // a note's text, not its JSON
    expect(mine).not.toHaveTextContent('"text"');
    const server = within(note).getByTestId("conflict-server");
    expect(within(server).getByRole("heading", { name: "現在の内容（中央サービス）" })).toBeInTheDocument();
    expect(server).toHaveTextContent("第2週: 田中");
    expect(server).toHaveTextContent("tanaka.jiro");

    expect(within(other).getByTestId("conflict-label")).toHaveTextContent("差戻し");
    expect(within(other).getByTestId("conflict-message")).toHaveTextContent("権限がありません");
    expect(within(other).getByTestId("conflict-versions")).toHaveTextContent("基にした版 なし（新規） → 中央サービスの版 なし");
    expect(within(other).getByTestId("conflict-server")).toHaveTextContent("中央サービスにはありません");
    // Other kinds: the JSON, indented.
    const pre = within(other).getByTestId("conflict-mine").querySelector("pre");
    expect(pre?.textContent).toBe('{\n  "name": "山田 太郎",\n  "relation": "子",\n  "birthDate": "2015-06-01"\n}');
  });

  it("sends the clerk's content again and reads the list again", async () => {
    const { user, rows } = await renderPage();
    mockApi.listConflicts.mockResolvedValue([rejectedOther]);
    await user.click(within(rows[0]!).getByTestId("conflict-reapply"));
    expect(mockApi.resolveConflict).toHaveBeenCalledWith(conflictNote.recordId, "reapply");
    expect(await screen.findByTestId("conflict-status")).toHaveTextContent("「窓口当番表（4月）」を自分の内容で再送信します。");
    await waitFor(() => expect(screen.getAllByTestId("conflict-row")).toHaveLength(1));
    // Focus continues with the next item.
    await waitFor(() => expect(screen.getByRole("heading", { level: 2, name: "被扶養者 山田 太郎" })).toHaveFocus());
  });

  it("asks before discarding; Esc closes the dialog and nothing is discarded", async () => {
    const { user, rows } = await renderPage();
    const discard = within(rows[0]!).getByTestId("conflict-discard");
    await user.click(discard);
    const dialog = await screen.findByRole("dialog", { name: "自分の変更を破棄しますか？" });
    expect(dialog).toHaveTextContent("「窓口当番表（4月）」のあなたの変更を破棄し");
    expect(within(dialog).getByRole("button", { name: "キャンセル" })).toHaveFocus();
    // Focus stays inside the dialog.
    await user.tab();
    expect(within(dialog).getByRole("button", { name: "破棄する" })).toHaveFocus();
    await user.tab();
    expect(within(dialog).getByRole("button", { name: "キャンセル" })).toHaveFocus();

    await user.keyboard("{Escape}");
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(mockApi.resolveConflict).not.toHaveBeenCalled();
    expect(discard).toHaveFocus();

    mockApi.listConflicts.mockResolvedValue([rejectedOther]);
    await user.click(discard);
    await user.click(within(await screen.findByRole("dialog")).getByRole("button", { name: "破棄する" }));
    expect(mockApi.resolveConflict).toHaveBeenCalledWith(conflictNote.recordId, "discard");
    expect(await screen.findByTestId("conflict-status")).toHaveTextContent("「窓口当番表（4月）」の自分の変更を破棄しました。");
    await waitFor(() => expect(screen.getAllByTestId("conflict-row")).toHaveLength(1));
  });

  it("says why a resolution failed and keeps the item", async () => {
    const message = "中央サービスに接続できません。ネットワークの接続を確認してください。";
    mockApi.resolveConflict.mockRejectedValue(new BackendError("sync.offline", message));
    const { user, rows } = await renderPage();
    await user.click(within(rows[1]!).getByTestId("conflict-reapply"));
    const alert = await screen.findByTestId("conflict-error");
    expect(alert).toHaveAttribute("role", "alert");
    expect(alert).toHaveTextContent(message);
    expect(screen.getAllByTestId("conflict-row")).toHaveLength(2);
  });

  it("says when there is nothing to settle, and refreshes after a sync", async () => {
    mockApi.listConflicts.mockResolvedValue([]);
    render(
      <AppStateProvider>
        <ConflictsPage />
      </AppStateProvider>,
    );
    expect(await screen.findByTestId("conflicts-empty")).toHaveTextContent("確認が必要な記録はありません。");
    await waitFor(() => expect(mockApi.syncStatus).toHaveBeenCalled());
    mockApi.listConflicts.mockResolvedValue([conflictNote]);
    await emitSyncStatus({ ...onlineStatus, conflicted: 1, lastSyncAt: new Date().toISOString() });
    expect(await screen.findByTestId("conflict-row")).toHaveAttribute("data-id", conflictNote.recordId);
  });
});

import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { BackendError, type NoteDraft, type NoteView } from "../backend";
import { AppStateProvider } from "../shell/appState";
import { noteConflict, noteHandover, notePending, onlineStatus, session } from "../test/fixtures";
import { emitSyncStatus, mockApi, resetMockApi } from "../test/mockBackend";
import { NotesPage } from "./NotesPage";

vi.mock("../backend", async () => (await import("../test/mockBackend")).backendModule);

const titleRequired = { field: "title", code: "note.title_required", severity: "error", message: "件名を入力してください。" } as const;

beforeEach(() => {
  resetMockApi();
  mockApi.syncStatus.mockResolvedValue(onlineStatus);
  mockApi.session.mockResolvedValue(session);
});

async function renderPage(notes: NoteView[] = [noteHandover, notePending, noteConflict]) {
  mockApi.listNotes.mockResolvedValue(notes);
  const user = userEvent.setup();
  render(
    <AppStateProvider>
      <NotesPage />
    </AppStateProvider>,
  );
  await waitFor(() => expect(screen.getByTestId("notes-list")).not.toHaveAttribute("aria-busy"));
  return { user };
}

function savedFrom(draft: NoteDraft, id = "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b1c10"): NoteView {
  return {
    id: draft.id ?? id,
    title: draft.title.trim(),
    text: draft.text,
    officeCode: "13104",
    label: "未送信",
    version: null,
    updatedBy: null,
    updatedAt: "2024-04-02T04:00:00Z",
  };
}

describe("NotesPage list", () => {
  it("explains what 連絡メモ are when there are none", async () => {
    await renderPage([]);
    expect(screen.getByTestId("notes-empty")).toHaveTextContent(
      "所属所内の引き継ぎや連絡に使います。保存すると中央サービス経由で同じ所属所の端末に届きます",
    );
    expect(screen.getByTestId("notes-count")).toHaveTextContent("0 件");
    expect(screen.queryByRole("listbox")).not.toBeInTheDocument();
  });

  it("shows each note's title, first line, who and the label, in the order Rust gives", async () => {
    await renderPage();
    const rows = within(screen.getByTestId("notes-list")).getAllByTestId("note-row");
    expect(rows.map((r) => r.getAttribute("data-id"))).toEqual([noteHandover.id, notePending.id, noteConflict.id]);
    expect(rows[0]).toHaveTextContent("4月1日付 資格取得届の引き継ぎ");
    expect(rows[0]).toHaveTextContent("新規採用職員12名分の資格取得届は、本日中に入力済みです。");
    expect(rows[0]).not.toHaveTextContent("扶養認定"); // only the first line
    expect(rows[0]).toHaveTextContent("更新: suzuki.ichiro・");
    expect(within(rows[0]!).queryByTestId("note-label")).not.toBeInTheDocument();
    expect(within(rows[1]!).getByTestId("note-label")).toHaveTextContent("未送信");
    expect(within(rows[2]!).getByTestId("note-label")).toHaveTextContent("競合");
    expect(within(rows[2]!).getByTestId("note-label")).toHaveAttribute("data-tone", "warning");
    expect(screen.getByTestId("notes-count")).toHaveTextContent("3 件");
  });

  it("moves the selection with ↑↓ and opens the selected note in the editor with Enter", async () => {
    const { user } = await renderPage();
    const list = screen.getByRole("listbox", { name: "連絡メモの一覧" });
    await user.click(screen.getByTestId("notes-new")); // something else is open first
    list.focus();
    expect(list).toHaveAttribute("aria-activedescendant", `note-option-${noteHandover.id}`);
    await user.keyboard("{ArrowDown}");
    expect(list).toHaveAttribute("aria-activedescendant", `note-option-${notePending.id}`);
    expect(screen.getByRole("option", { name: /保険証の回収/ })).toHaveAttribute("aria-selected", "true");
    await user.keyboard("{ArrowDown}{ArrowDown}{ArrowUp}");
    expect(list).toHaveAttribute("aria-activedescendant", `note-option-${notePending.id}`);

    await user.keyboard("{Enter}");
    const title = screen.getByTestId("note-title");
    expect(title).toHaveValue("保険証の回収（退職者3名）");
    expect(title).toHaveFocus();
    expect(screen.getByTestId("note-text")).toHaveValue(notePending.text);
  });

  it("reads the list again when a sync changed the counts or the last sync time, and not otherwise", async () => {
    await renderPage([noteHandover]);
    const calls = mockApi.listNotes.mock.calls.length;

    await emitSyncStatus({ ...onlineStatus, syncing: true });
    expect(mockApi.listNotes).toHaveBeenCalledTimes(calls);

    const fromColleague: NoteView = {
      ...noteHandover,
      id: "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b1c20",
      title: "窓口の受付時間変更のお知らせ",
      text: "4月から窓口は17時までです。",
      updatedBy: "tanaka.jiro",
    };
    mockApi.listNotes.mockResolvedValue([fromColleague, noteHandover]);
    await emitSyncStatus({ ...onlineStatus, lastSyncAt: new Date().toISOString() });
    expect(await screen.findByText("窓口の受付時間変更のお知らせ")).toBeInTheDocument();
    expect(mockApi.listNotes).toHaveBeenCalledTimes(calls + 1);
  });
});

describe("NotesPage editor", () => {
  it("creates a note with Alt+N, checks a field when it loses focus, and saves with Ctrl+S", async () => {
    mockApi.checkNote.mockImplementation(async (draft) => (draft.title.trim() === "" ? [titleRequired] : []));
    mockApi.saveNote.mockImplementation(async (draft) => savedFrom(draft));
    const { user } = await renderPage([noteHandover]);

    const notPrevented = fireEvent.keyDown(document.body, { key: "n", code: "KeyN", altKey: true });
    expect(notPrevented).toBe(false);
    const title = await screen.findByTestId("note-title");
    expect(title).toHaveFocus();
    expect(title).toHaveAttribute("name", "title");
    expect(screen.getByTestId("note-text")).toHaveAttribute("name", "text");
    expect(screen.getByRole("heading", { level: 2, name: "新しい連絡メモ" })).toBeInTheDocument();

    await user.tab(); // leaves 件名 empty
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("件名を入力してください。");
    expect(mockApi.checkNote).toHaveBeenLastCalledWith({ id: null, title: "", text: "" });
    expect(title).toHaveAttribute("aria-invalid", "true");

    await user.type(title, "窓口当番の交代");
    await user.type(screen.getByTestId("note-text"), "4月8日の窓口当番を佐藤から鈴木に交代します。");
    const callsBefore = mockApi.listNotes.mock.calls.length;
    const ctrlS = fireEvent.keyDown(screen.getByTestId("note-text"), { key: "s", code: "KeyS", ctrlKey: true });
    expect(ctrlS).toBe(false);

    const saved = await screen.findByTestId("note-saved");
    expect(saved).toHaveTextContent("保存しました（未送信）");
    expect(saved.closest("[role=status]")).not.toBeNull();
    expect(mockApi.saveNote).toHaveBeenCalledWith({
      id: null,
      title: "窓口当番の交代",
      text: "4月8日の窓口当番を佐藤から鈴木に交代します。",
    });
    await waitFor(() => expect(mockApi.listNotes.mock.calls.length).toBeGreaterThan(callsBefore));
    expect(title).not.toHaveAttribute("aria-invalid");
  });

  it("saves changes to an open note under its id with the 保存 button", async () => {
    mockApi.saveNote.mockImplementation(async (draft) => savedFrom(draft));
    const { user } = await renderPage();
    await user.click(screen.getAllByTestId("note-row")[0]!);
    const text = screen.getByTestId("note-text");
    await user.type(text, "\n書類は4月10日までに揃う予定です。");
    await user.click(screen.getByTestId("note-save"));
    expect(await screen.findByTestId("note-saved")).toBeInTheDocument();
    expect(mockApi.saveNote).toHaveBeenCalledWith({
      id: noteHandover.id,
      title: noteHandover.title,
      text: `${noteHandover.text}\n書類は4月10日までに揃う予定です。`,
    });
  });

  it("moves from 件名 to 本文 with Enter, but not with the Enter that confirms an IME conversion", async () => {
    const { user } = await renderPage([]);
    await user.click(screen.getByTestId("notes-new"));
    const title = screen.getByTestId("note-title");
    fireEvent.compositionStart(title);
    fireEvent.keyDown(title, { key: "Enter", code: "Enter", keyCode: 229, isComposing: true });
    fireEvent.compositionEnd(title);
    expect(title).toHaveFocus();
    fireEvent.keyDown(title, { key: "Enter", code: "Enter", keyCode: 13 });
    expect(screen.getByTestId("note-text")).toHaveFocus();
    expect(mockApi.saveNote).not.toHaveBeenCalled();
  });

  it("keeps everything typed when saving fails and says why at the top", async () => {
    const message = "所属所が分かりません。サインインするか、「設定」で所属所番号を入力してください。";
    mockApi.saveNote.mockRejectedValue(new BackendError("note.office_unknown", message));
    const { user } = await renderPage([]);
    await user.click(screen.getByTestId("notes-new"));
    await user.type(screen.getByTestId("note-title"), "備品の発注");
    await user.type(screen.getByTestId("note-text"), "コピー用紙を10箱");
    await user.click(screen.getByTestId("note-save"));
    const alert = await screen.findByTestId("note-error");
    expect(alert).toHaveAttribute("role", "alert");
    expect(alert).toHaveTextContent(message);
    expect(screen.getByTestId("note-title")).toHaveValue("備品の発注");
    expect(screen.getByTestId("note-text")).toHaveValue("コピー用紙を10箱");
    expect(screen.queryByTestId("note-saved")).not.toBeInTheDocument();
  });

  it("asks before throwing away unsaved changes; Esc goes back to them", async () => {
    const { user } = await renderPage();
    await user.click(screen.getAllByTestId("note-row")[0]!);
    await user.type(screen.getByTestId("note-title"), "（追記）");
    await user.click(screen.getAllByTestId("note-row")[1]!);

    const dialog = await screen.findByRole("dialog", { name: "保存していない変更があります" });
    expect(within(dialog).getByRole("button", { name: "編集に戻る" })).toHaveFocus();
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(screen.getByTestId("note-title")).toHaveValue(`${noteHandover.title}（追記）`);

    await user.click(screen.getByTestId("notes-new"));
    await user.click(within(await screen.findByRole("dialog")).getByRole("button", { name: "変更を破棄する" }));
    expect(screen.getByTestId("note-title")).toHaveValue("");
    expect(screen.getByTestId("note-title")).toHaveFocus();
  });

  it("shows a note another PC changed when it is open but untouched", async () => {
    await renderPage([noteHandover]);
    await act(async () => screen.getAllByTestId("note-row")[0]!.click());
    mockApi.listNotes.mockResolvedValue([{ ...noteHandover, text: "扶養認定の書類はすべて揃いました。", version: 5 }]);
    await emitSyncStatus({ ...onlineStatus, lastSyncAt: new Date().toISOString() });
    await waitFor(() => expect(screen.getByTestId("note-text")).toHaveValue("扶養認定の書類はすべて揃いました。"));
  });
});

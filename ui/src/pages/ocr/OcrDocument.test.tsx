import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { OcrDocumentState, OcrDocumentView, OcrEnterInput } from "../../backend";
import { BackendError } from "../../backend/errors";
import { AppStateProvider } from "../../shell/appState";
import {
  OCR_DOC,
  OCR_DOC_NEXT,
  ocrAfterEnter,
  ocrField,
  ocrFields,
  ocrItem,
  ocrQueue,
  ocrState,
  ocrView,
} from "../../test/fixtures";
import { mockApi, resetMockApi } from "../../test/mockBackend";
import { OcrPage } from "../OcrPage";

vi.mock("../../backend", async () => (await import("../../test/mockBackend")).backendModule);

beforeEach(() => {
  resetMockApi();
});

/** Rust as the screen sees it: every entered value decided at once (blind ones wait for the other clerk). */
function serve(first: OcrDocumentView, next?: OcrDocumentView) {
  let server: OcrDocumentState = first.state;
  mockApi.ocrQueue.mockResolvedValue(ocrQueue);
  mockApi.ocrOpen.mockImplementation(async (id) => {
    if (id === first.state.id) return first;
    if (next && id === next.state.id) return next;
    throw new BackendError("ocr.not_found", "この帳票は見つかりません。");
  });
  mockApi.ocrEnter.mockImplementation(async (input: OcrEnterInput) => {
    server = ocrAfterEnter(server, input.field, input.text);
    return server;
  });
}

async function openFirst() {
  const user = userEvent.setup();
  render(<OcrPage />, { wrapper: AppStateProvider });
  await user.click(await screen.findByTestId("ocr-start"));
  const box = await screen.findByTestId("ocr-value");
  await waitFor(() => expect(box).toHaveFocus());
  return { user };
}

function valueBox(): HTMLElement {
  return screen.getByTestId("ocr-value");
}

function entered(): OcrEnterInput[] {
  return mockApi.ocrEnter.mock.calls.map(([input]) => input);
}

describe("correction screen: opening", () => {
  it("shows the first field that needs me: its crop, label, reading (not editing), confidence, reasons, the page with its box", async () => {
    serve(ocrView());
    await openFirst();
    expect(mockApi.ocrOpen).toHaveBeenCalledWith(OCR_DOC);
    const box = valueBox();
    expect(box).toHaveAttribute("data-field", "member.nameKana");
    expect(box).toHaveValue("ヤマダ タロワ");
    expect(box).toHaveAttribute("data-editing", "false");
    expect(screen.getByTestId("ocr-field-label")).toHaveTextContent("フリガナ");
    expect(screen.getByTestId("ocr-crop")).toHaveAttribute("src", expect.stringContaining("member.nameKana"));
    const confidence = screen.getByTestId("ocr-confidence");
    expect(confidence).toHaveTextContent("52%");
    expect(confidence).toHaveAttribute("data-level", "low");
    expect(screen.getByTestId("ocr-reasons")).toHaveTextContent("確信度 52% が基準 90% を下回っています");
    // bbox (400, 300, 600, 60) × scale 0.5 on a 1240 × 1754 page.
    const highlight = screen.getByTestId("ocr-box");
    expect(highlight.style.left).toBe(`${(200 / 1240) * 100}%`);
    expect(highlight.style.top).toBe(`${(150 / 1754) * 100}%`);
    expect(highlight.style.width).toBe(`${(300 / 1240) * 100}%`);
    expect(screen.getByTestId("ocr-progress")).toHaveTextContent("0 / 4 項目");
    expect(screen.getByTestId("ocr-progress")).toHaveTextContent("残り 1 件");
  });

  it("shows the 個人番号 masked in the field list, and hides the confidence when Rust does", async () => {
    serve(ocrView());
    const { user } = await openFirst();
    // The handwritten 住所 has no confidence to show (null).
    await user.keyboard("{Tab}{Tab}{Tab}");
    expect(valueBox()).toHaveAttribute("data-field", "member.address");
    expect(screen.queryByTestId("ocr-confidence")).not.toBeInTheDocument();
    await user.click(screen.getByText("この帳票の全項目（6）"));
    const row = screen.getAllByTestId("ocr-field-row").find((r) => r.dataset.field === "member.myNumber");
    expect(row).toHaveTextContent("●●●● ●●●● 9018");
    expect(row).not.toHaveTextContent("123456789018");
  });
});

describe("correction screen: keys", () => {
  it("Enter accepts the reading and moves on at once; the timing is recorded", async () => {
    serve(ocrView());
    const { user } = await openFirst();
    await user.keyboard("{Enter}");
    expect(valueBox()).toHaveAttribute("data-field", "member.name");
    expect(valueBox()).toHaveValue("山田 太郎");
    expect(valueBox()).toHaveFocus();
    expect(entered()).toEqual([{ documentId: OCR_DOC, field: "member.nameKana", text: "ヤマダ タロワ", elapsedMs: expect.any(Number) }]);
    const timings = JSON.parse(screen.getByTestId("ocr-timings").getAttribute("data-timings") ?? "null") as number[];
    expect(timings).toHaveLength(1);
    expect(timings[0]).toBeGreaterThanOrEqual(0);
    await waitFor(() => expect(screen.getByTestId("ocr-progress")).toHaveTextContent("1 / 4 項目"));
  });

  it("typing starts the edit mode with the typed character, and Enter sends the typed text", async () => {
    serve(ocrView());
    const { user } = await openFirst();
    await user.keyboard("ヤ");
    expect(valueBox()).toHaveAttribute("data-editing", "true");
    expect(valueBox()).toHaveValue("ヤ");
    await user.keyboard("マダ タロウ");
    expect(valueBox()).toHaveValue("ヤマダ タロウ");
    await user.keyboard("{Enter}");
    expect(entered()[0]).toMatchObject({ field: "member.nameKana", text: "ヤマダ タロウ" });
    expect(valueBox()).toHaveAttribute("data-field", "member.name");
    expect(valueBox()).toHaveAttribute("data-editing", "false");
  });

  it("Escape leaves the edit mode and restores the reading", async () => {
    serve(ocrView());
    const { user } = await openFirst();
    await user.keyboard("ヤマダ");
    expect(valueBox()).toHaveValue("ヤマダ");
    await user.keyboard("{Escape}");
    expect(valueBox()).toHaveValue("ヤマダ タロワ");
    expect(valueBox()).toHaveAttribute("data-editing", "false");
    await user.keyboard("{Enter}");
    expect(entered()[0]).toMatchObject({ field: "member.nameKana", text: "ヤマダ タロワ" });
  });

  it("the IME: compositionstart starts the edit, and Enter while composing does nothing", async () => {
    serve(ocrView());
    await openFirst();
    const box = valueBox();
    fireEvent.keyDown(box, { key: "Process", code: "KeyY", keyCode: 229 });
    fireEvent.compositionStart(box, { data: "" });
    expect(box).toHaveAttribute("data-editing", "true");
    fireEvent.change(box, { target: { value: "やまだ" } });
    // The Enter that confirms the conversion.
    fireEvent.keyDown(box, { key: "Enter", code: "Enter", keyCode: 13 });
    fireEvent.keyDown(box, { key: "Enter", code: "Enter", keyCode: 229, isComposing: true });
    expect(mockApi.ocrEnter).not.toHaveBeenCalled();
    expect(valueBox()).toHaveAttribute("data-field", "member.nameKana");
    fireEvent.change(box, { target: { value: "ヤマダ タロウ" } });
    fireEvent.compositionEnd(box, { data: "ヤマダ タロウ" });
    fireEvent.keyDown(box, { key: "Enter", code: "Enter", keyCode: 13 });
    expect(entered()[0]).toMatchObject({ field: "member.nameKana", text: "ヤマダ タロウ" });
    expect(valueBox()).toHaveAttribute("data-field", "member.name");
  });

  it("Tab and Shift+Tab move between my fields without sending; what was typed stays", async () => {
    serve(ocrView());
    const { user } = await openFirst();
    await user.keyboard("ヤマダ");
    await user.keyboard("{Tab}");
    expect(valueBox()).toHaveAttribute("data-field", "member.name");
    expect(valueBox()).toHaveFocus();
    await user.keyboard("{Tab}");
    expect(valueBox()).toHaveAttribute("data-field", "member.sex");
    await user.keyboard("{Shift>}{Tab}{Tab}{/Shift}");
    expect(valueBox()).toHaveAttribute("data-field", "member.nameKana");
    expect(valueBox()).toHaveValue("ヤマダ");
    expect(valueBox()).toHaveAttribute("data-editing", "true");
    expect(mockApi.ocrEnter).not.toHaveBeenCalled();
  });

  it("a blind entry starts empty and in edit mode, with the hand-written note; nobody's value is shown", async () => {
    const fields = ocrFields().map((f) => (f.task && f.task !== "blind_entry" ? { ...f, task: null, decided: { value: f.suggested, resolution: "confirmed", by: ["佐藤 花子"], at: null } } : f));
    serve(ocrView({ state: ocrState({ fields }) }));
    const { user } = await openFirst();
    expect(valueBox()).toHaveAttribute("data-field", "member.address");
    expect(valueBox()).toHaveValue("");
    expect(valueBox()).toHaveAttribute("data-editing", "true");
    expect(screen.getByTestId("ocr-blind-note")).toHaveTextContent("手書き項目：画像を見て入力してください（2人が別々に入力します）");
    await user.keyboard("東京都新宿区西新宿2-8-1");
    await user.keyboard("{Enter}");
    expect(entered()[0]).toMatchObject({ field: "member.address", text: "東京都新宿区西新宿2-8-1" });
    expect(await screen.findByTestId("ocr-done")).toHaveTextContent("この帳票の確認は終わりました（他の担当者の入力待ち）");
  });

  it("a choice: digit keys pick an option, Enter sends its value", async () => {
    const fields = ocrFields().filter((f) => f.field !== "member.nameKana" && f.field !== "member.name");
    serve(ocrView({ state: ocrState({ fields }) }));
    const { user } = await openFirst();
    const group = valueBox();
    expect(group).toHaveAttribute("role", "radiogroup");
    expect(within(group).getByRole("radio", { name: /男/ })).toHaveAttribute("aria-checked", "true");
    await user.keyboard("2");
    expect(within(group).getByRole("radio", { name: /女/ })).toHaveAttribute("aria-checked", "true");
    await user.keyboard("{Enter}");
    expect(entered()[0]).toMatchObject({ field: "member.sex", text: "female" });
  });

  it("arbitration: the two entries are choices 1 and 2, Enter confirms the one picked", async () => {
    const fields = [
      ocrField({
        field: "member.address",
        label: "住所",
        task: "arbitrate",
        route: "double_entry",
        entries: [
          { value: "東京都新宿区西新宿2-8-1", by: "佐藤 花子" },
          { value: "東京都新宿区西新宿2-3-1", by: "木村 由美" },
        ],
      }),
    ];
    serve(ocrView({ state: ocrState({ fields }) }));
    const { user } = await openFirst();
    const entries = screen.getByTestId("ocr-entries");
    expect(entries).toHaveTextContent("東京都新宿区西新宿2-8-1");
    expect(entries).toHaveTextContent("木村 由美");
    await user.keyboard("{Enter}");
    expect(mockApi.ocrEnter).not.toHaveBeenCalled();
    expect(screen.getByRole("alert")).toHaveTextContent("1 か 2 で正しい方を選ぶか");
    await user.keyboard("2");
    expect(valueBox()).toHaveValue("東京都新宿区西新宿2-3-1");
    await user.keyboard("{Enter}");
    expect(entered()[0]).toMatchObject({ field: "member.address", text: "東京都新宿区西新宿2-3-1" });
  });

  it("F8 asks for a reason, sets the document aside and goes back to the queue", async () => {
    serve(ocrView());
    mockApi.ocrToExceptions.mockResolvedValue(ocrState({ status: "exception", exceptionReason: "印影が不鮮明" }));
    const { user } = await openFirst();
    await user.keyboard("{F8}");
    const dialog = await screen.findByTestId("ocr-exception-dialog");
    await user.type(within(dialog).getByTestId("ocr-exception-reason"), "印影が不鮮明");
    await user.click(within(dialog).getByTestId("ocr-exception-reason-confirm"));
    await waitFor(() => expect(mockApi.ocrToExceptions).toHaveBeenCalledWith(OCR_DOC, "印影が不鮮明"));
    expect(await screen.findByTestId("ocr-notice")).toHaveTextContent("保留にしました");
    expect(screen.queryByTestId("ocr-doc")).not.toBeInTheDocument();
    expect(mockApi.ocrClose).toHaveBeenCalledWith(OCR_DOC);
  });

  it("a refused value: back on that field with the typed text and Rust's message beside the box", async () => {
    serve(ocrView());
    let refuse: (e: unknown) => void = () => undefined;
    mockApi.ocrEnter.mockImplementationOnce(
      () =>
        new Promise((_, reject) => {
          refuse = reject;
        }),
    );
    const { user } = await openFirst();
    await user.keyboard("ﾔﾏﾀﾞ");
    await user.keyboard("{Enter}");
    // Optimistic: already on the next field.
    expect(valueBox()).toHaveAttribute("data-field", "member.name");
    await act(async () => {
      refuse(new BackendError("ocr.value_invalid", "「フリガナ」の値として読めません。カタカナで入力してください。入力はそのまま残っています。"));
    });
    expect(valueBox()).toHaveAttribute("data-field", "member.nameKana");
    expect(valueBox()).toHaveValue("ﾔﾏﾀﾞ");
    expect(valueBox()).toHaveAttribute("data-editing", "true");
    expect(valueBox()).toHaveFocus();
    const error = screen.getByTestId("ocr-error");
    expect(error).toHaveAttribute("role", "alert");
    expect(error).toHaveTextContent("カタカナで入力してください");
  });

  it("findings on an entered value are shown as warnings, without stopping", async () => {
    serve(ocrView());
    mockApi.ocrEnter.mockImplementationOnce(async (input) =>
      ocrAfterEnter(ocrState(), input.field, input.text, {
        lastFindings: [{ code: "acq.kana_mismatch", error: false, message: "フリガナが氏名の読みと合っていない可能性があります。" }],
      }),
    );
    const { user } = await openFirst();
    await user.keyboard("{Enter}");
    expect(valueBox()).toHaveAttribute("data-field", "member.name");
    expect(await screen.findByTestId("ocr-last-warnings")).toHaveTextContent("フリガナが氏名の読みと合っていない可能性があります。");
  });

  it("Ctrl+Z takes back my last step and brings its field back", async () => {
    serve(ocrView());
    mockApi.ocrUndo.mockResolvedValue(ocrState({ canUndo: false }));
    const { user } = await openFirst();
    await user.keyboard("{Enter}");
    expect(valueBox()).toHaveAttribute("data-field", "member.name");
    await waitFor(() => expect(screen.getByTestId("ocr-undo")).not.toHaveAttribute("aria-disabled"));
    await user.keyboard("{Control>}z{/Control}");
    await waitFor(() => expect(mockApi.ocrUndo).toHaveBeenCalledWith(OCR_DOC));
    await waitFor(() => expect(valueBox()).toHaveAttribute("data-field", "member.nameKana"));
    expect(valueBox()).toHaveValue("ヤマダ タロワ");
    expect(valueBox()).toHaveFocus();
  });
});

describe("correction screen: the end of a document", () => {
  function twoFields(id: string, over: Partial<OcrDocumentView> = {}): OcrDocumentView {
    const fields = [
      ocrField({ field: "member.name", label: "氏名", task: "review", route: "review", suggested: "山田 太郎", engineValue: "山田 太郎", confidence: 0.8 }),
      ocrField({ field: "member.nameKana", label: "フリガナ", task: "review", route: "review", suggested: "ヤマダ タロウ", engineValue: "ヤマダ タロウ", confidence: 0.8 }),
    ];
    return ocrView({ state: ocrState({ id, fields }), ...over });
  }

  it("preloads the next document, says the draft was made, and 次の帳票へ shows the next one", async () => {
    const first = twoFields(OCR_DOC, { nextId: OCR_DOC_NEXT, remainingDocuments: 2 });
    const next = twoFields(OCR_DOC_NEXT, { documentLabel: "20261126-093000-scan-0002", remainingDocuments: 2 });
    serve(first, next);
    mockApi.ocrEnter.mockImplementation(async (input) => {
      const done = input.field === "member.nameKana";
      return ocrAfterEnter(input.field === "member.name" ? first.state : ocrAfterEnter(first.state, "member.name", "山田 太郎"), input.field, input.text, {
        handedOff: done ? { kind: "acquisition", recordId: "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b7001", by: "佐藤 花子", at: "2026-11-26T00:32:00Z" } : null,
        status: done ? "handed_off" : "open",
      });
    });
    const { user } = await openFirst();
    await user.keyboard("{Enter}");
    // One field left: the next document is opened in the background.
    await waitFor(() => expect(mockApi.ocrOpen).toHaveBeenCalledWith(OCR_DOC_NEXT));
    expect(valueBox()).toHaveAttribute("data-field", "member.nameKana");
    await user.keyboard("{Enter}");
    const done = await screen.findByTestId("ocr-done");
    await waitFor(() => expect(done).toHaveTextContent("資格取得届の下書きを作成しました"));
    expect(screen.getByTestId("ocr-open-draft")).toHaveAttribute("href", "#/acquisitions");
    const nextButton = screen.getByTestId("ocr-next");
    await waitFor(() => expect(nextButton).toHaveFocus());
    await user.keyboard("{Enter}");
    await waitFor(() => expect(screen.getByTestId("ocr-doc")).toHaveAttribute("data-id", OCR_DOC_NEXT));
    expect(mockApi.ocrOpen).toHaveBeenCalledTimes(2);
    expect(mockApi.ocrClose).toHaveBeenCalledWith(OCR_DOC);
    expect(valueBox()).toHaveAttribute("data-field", "member.name");
    expect(valueBox()).toHaveFocus();
    expect(screen.getByTestId("ocr-progress")).toHaveTextContent("残り 1 件");
  });

  it("with no next document, 次の帳票へ goes back to the queue", async () => {
    const only = twoFields(OCR_DOC);
    serve(only);
    mockApi.ocrQueue.mockResolvedValue({ ...ocrQueue, items: [ocrItem({ id: OCR_DOC, myTasks: 2, undecided: 2 })], mine: 1 });
    const { user } = await openFirst();
    await user.keyboard("{Enter}{Enter}");
    const done = await screen.findByTestId("ocr-done");
    await waitFor(() => expect(done).toHaveTextContent("この帳票の確認は終わりました（すべての項目が確定しました）"));
    await waitFor(() => expect(screen.getByTestId("ocr-next")).toHaveTextContent("受付一覧に戻る"));
    await user.click(screen.getByTestId("ocr-next"));
    expect(await screen.findByTestId("ocr-notice")).toHaveTextContent("すべて終わりました");
    expect(mockApi.ocrClose).toHaveBeenCalledWith(OCR_DOC);
  });
});

describe("correction screen: the lease", () => {
  it("goes back when the page is left (and the preloaded next document's with it)", async () => {
    const first = ocrView({ state: ocrState({ fields: ocrFields().filter((f) => f.field !== "member.name" && f.field !== "member.sex" && f.field !== "member.address") }), nextId: OCR_DOC_NEXT });
    serve(first, ocrView({ state: ocrState({ id: OCR_DOC_NEXT }) }));
    const user = userEvent.setup();
    const { unmount } = render(<OcrPage />, { wrapper: AppStateProvider });
    await user.click(await screen.findByTestId("ocr-start"));
    await screen.findByTestId("ocr-value");
    // One field of mine: the next document is opened ahead.
    await waitFor(() => expect(mockApi.ocrOpen).toHaveBeenCalledWith(OCR_DOC_NEXT));
    await waitFor(() => expect(screen.getByTestId("ocr-next-state")).toHaveAttribute("data-state", "ready"));
    expect(mockApi.ocrClose).not.toHaveBeenCalled();
    unmount();
    await waitFor(() => expect(mockApi.ocrClose).toHaveBeenCalledTimes(2));
    expect(mockApi.ocrClose).toHaveBeenCalledWith(OCR_DOC);
    expect(mockApi.ocrClose).toHaveBeenCalledWith(OCR_DOC_NEXT);
  });

  it("is renewed every 2 minutes while the document is open", async () => {
    const intervals: Array<{ fn: () => void; ms: number }> = [];
    const real = window.setInterval.bind(window);
    const spy = vi.spyOn(window, "setInterval").mockImplementation(((fn: () => void, ms?: number) => {
      intervals.push({ fn, ms: ms ?? 0 });
      return real(() => undefined, 1_000_000);
    }) as typeof window.setInterval);
    try {
      serve(ocrView());
      await openFirst();
      const renew = intervals.find((i) => i.ms === 120_000);
      expect(renew).toBeDefined();
      act(() => renew?.fn());
      expect(mockApi.ocrRenew).toHaveBeenCalledWith(OCR_DOC);
    } finally {
      spy.mockRestore();
    }
  });
});

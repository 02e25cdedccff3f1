import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { BackendError, type ApprovalDetail, type InboxItem } from "../backend";
import { AppStateProvider } from "../shell/appState";
import { onlineStatus, session } from "../test/fixtures";
import { mockApi, resetMockApi } from "../test/mockBackend";
import { InboxPage } from "./InboxPage";

vi.mock("../backend", async () => (await import("../test/mockBackend")).backendModule);

const pc: InboxItem = {
  id: "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b2c01",
  kind: "proposal",
  kindName: "起案文書",
  title: "パソコン更新の伺い",
  amount: "2400000",
  amountText: "2,400,000",
  drafterId: "tanaka.yuki",
  drafterName: "田中 由紀",
  officeCode: "13104",
  receivedAt: "2024-06-03T00:30:00Z",
  waitingSecs: 93600,
  waitingText: "1日 2時間 0分",
  task: "decide",
  stepText: "2人目 / 3人中",
  slotName: "課長",
  forUserName: null,
  flagsLabel: "",
  pending: false,
};

const paper: InboxItem = {
  ...pc,
  id: "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b2c02",
  title: "コピー用紙の購入",
  amount: "88000",
  amountText: "88,000",
  stepText: "2人目 / 2人中",
  slotName: "決裁者",
};

const sent: InboxItem = { ...pc, id: "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b2c03", title: "旅費の伺い", pending: true };

const pcDetail: ApprovalDetail = {
  id: pc.id,
  kind: "proposal",
  kindName: "起案文書",
  title: "パソコン更新の伺い",
  text: "老朽化したパソコン12台を更新します。",
  amount: "2400000",
  amountText: "2,400,000",
  officeCode: "13104",
  drafterName: "田中 由紀",
  status: "in_progress",
  statusLabel: "回議中",
  round: 1,
  flagsLabel: "",
  submittedAt: "2024-06-03T00:30:00Z",
  steps: [
    {
      label: "所属所長",
      current: false,
      slots: [{ ordinal: 1, approverName: "所属所長", done: true, byName: "山田 所長", how: "承認", at: "2024-06-03T02:00:00Z", waiting: false }],
    },
    { label: "課長", current: true, slots: [{ ordinal: 2, approverName: "課長", done: false, byName: null, how: null, at: null, waiting: true }] },
    { label: "部長", current: false, slots: [{ ordinal: 3, approverName: "部長", done: false, byName: null, how: null, at: null, waiting: false }] },
  ],
  history: [
    { round: 1, stepLabel: "", actLabel: "起案", byName: "田中 由紀", onBehalfOfName: null, at: "2024-06-03T00:30:00Z", waitedText: "0秒", comment: "" },
    { round: 1, stepLabel: "1段階目 所属所長", actLabel: "承認", byName: "山田 所長", onBehalfOfName: null, at: "2024-06-03T02:00:00Z", waitedText: "1時間 30分", comment: "" },
  ],
  postReads: [],
  actions: ["approve", "return", "reject"],
  delegateFor: null,
  delegateForName: null,
  myStep: "2人目 / 3人中 課長",
  seenHash: "sha256:abc",
  pending: false,
  lastOutcome: null,
  amends: null,
  amendsTitle: null,
};

beforeEach(() => {
  sessionStorage.clear();
  resetMockApi();
  mockApi.syncStatus.mockResolvedValue(onlineStatus);
  mockApi.session.mockResolvedValue(session);
});

async function renderPage(items: InboxItem[] = [pc, paper, sent]) {
  mockApi.approvalInbox.mockResolvedValue(items);
  const user = userEvent.setup();
  const view = render(
    <AppStateProvider>
      <InboxPage />
    </AppStateProvider>,
  );
  await waitFor(() => expect(screen.getByTestId("inbox-count")).toBeInTheDocument());
  return { user, unmount: view.unmount };
}

function titles(): string[] {
  return screen.getAllByTestId("inbox-row").map((r) => within(r).getAllByRole("cell")[2]!.textContent ?? "");
}

describe("InboxPage list", () => {
  it("shows every column, the count, amounts right-aligned with separators and my step", async () => {
    await renderPage();
    expect(screen.getByTestId("inbox-count")).toHaveTextContent("3 件");
    const headers = within(screen.getByTestId("inbox-table")).getAllByRole("columnheader").map((h) => h.textContent);
    expect(headers).toEqual(["選択", "種類", "件名", "金額（円）", "起案者", "所属所", "受付", "待ち時間", "私の段階"]);
    const rows = screen.getAllByTestId("inbox-row");
    expect(rows).toHaveLength(3);
    expect(rows[0]).toHaveTextContent("起案文書");
    expect(rows[0]).toHaveTextContent("田中 由紀");
    expect(rows[0]).toHaveTextContent("1日 2時間 0分");
    const amount = within(rows[0]!).getByTestId("inbox-row-amount");
    expect(amount).toHaveTextContent("2,400,000");
    expect(amount.className).toContain("text-right");
    expect(within(rows[0]!).getByTestId("inbox-row-step")).toHaveTextContent("2人目 / 3人中 課長");
    expect(within(rows[2]!).getByTestId("inbox-row-pending")).toHaveTextContent("送信待ち");
  });

  it("moves with ↑↓, selects with Space and approves the selected ones one by one, listing failures", async () => {
    mockApi.approvalBulkApprove.mockResolvedValue({
      approved: [pc.id],
      failures: [{ id: paper.id, title: paper.title, message: "この文書は他の決裁者が先に処理しました。最新の状態を確認してください。" }],
    });
    const { user } = await renderPage();
    const table = screen.getByTestId("inbox-table");
    table.focus();
    expect(table).toHaveAttribute("aria-activedescendant", `inbox-row-${pc.id}`);
    await user.keyboard(" ");
    await user.keyboard("{ArrowDown}");
    expect(table).toHaveAttribute("aria-activedescendant", `inbox-row-${paper.id}`);
    await user.keyboard(" ");
    await user.keyboard("{ArrowDown} "); // a row waiting to be sent cannot be selected
    const rows = screen.getAllByTestId("inbox-row");
    expect(rows.map((r) => r.getAttribute("aria-selected"))).toEqual(["true", "true", "false"]);
    const bulk = screen.getByTestId("inbox-bulk-approve");
    expect(bulk).toHaveTextContent("選択した 2 件を承認");
    await user.click(bulk);
    expect(mockApi.approvalBulkApprove).toHaveBeenCalledWith([pc.id, paper.id]);
    expect(await screen.findByTestId("inbox-banner-success")).toHaveTextContent("1 件を承認しました");
    const failures = screen.getByTestId("inbox-bulk-failures");
    expect(failures).toHaveTextContent("承認できなかった文書が 1 件あります。");
    expect(failures).toHaveTextContent("コピー用紙の購入: この文書は他の決裁者が先に処理しました。");
  });
});

describe("InboxPage detail", () => {
  it("opens with Enter, shows the document, route and history, and approves with Ctrl+Enter", async () => {
    mockApi.approvalDetail.mockResolvedValue(pcDetail);
    mockApi.approvalAct.mockResolvedValue({ ...pcDetail, pending: true, actions: [] });
    const { user } = await renderPage();
    screen.getByTestId("inbox-table").focus();
    await user.keyboard("{Enter}");
    const detail = await screen.findByTestId("approval-detail");
    expect(mockApi.approvalDetail).toHaveBeenCalledWith(pc.id);
    expect(screen.getByTestId("approval-detail-text")).toHaveTextContent("老朽化したパソコン12台を更新します。");
    expect(screen.getByTestId("approval-detail-amount")).toHaveTextContent("2,400,000 円");
    const slots = within(detail).getAllByTestId("approval-route-slot");
    expect(slots[0]).toHaveTextContent("1人目 所属所長: 山田 所長 承認");
    expect(slots[1]).toHaveTextContent("2人目 課長: 決裁待ち");
    expect(within(detail).getAllByTestId("approval-history-row")[1]).toHaveTextContent("承認 山田 所長（待ち時間 1時間 30分）");
    expect(screen.getByTestId("approval-approve")).toHaveAttribute("aria-keyshortcuts", "Control+Enter");

    fireEvent.keyDown(document.body, { key: "Enter", ctrlKey: true });
    await waitFor(() =>
      expect(mockApi.approvalAct).toHaveBeenCalledWith({
        id: pc.id,
        kind: "approve",
        reason: null,
        comment: null,
        forUser: null,
        seenHash: "sha256:abc",
      }),
    );
    expect(await screen.findByTestId("inbox-banner-success")).toHaveTextContent("承認しました。同期後にサーバーで確定します");
    expect(screen.getByTestId("approval-detail-pending")).toBeInTheDocument();
    expect(screen.queryByTestId("approval-approve")).not.toBeInTheDocument();
  });

  it("asks for the reason before 差戻し, keeps it when Esc closes the dialog, and shows a refusal", async () => {
    mockApi.approvalDetail.mockResolvedValue(pcDetail);
    mockApi.approvalAct.mockRejectedValueOnce(
      new BackendError("approval.already_handled", "この文書は他の決裁者が先に処理しました。最新の状態を確認してください。"),
    );
    const { user } = await renderPage();
    await user.click(screen.getAllByTestId("inbox-row")[0]!);
    await user.click(await screen.findByTestId("approval-return"));
    const reason = screen.getByTestId("approval-reason");
    expect(reason).toHaveFocus();
    await user.click(screen.getByTestId("approval-reason-confirm"));
    expect(await screen.findByRole("alert")).toHaveTextContent("差戻しの理由を入力してください。");
    expect(mockApi.approvalAct).not.toHaveBeenCalled();

    await user.type(reason, "見積書を添付してください");
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("approval-reason-dialog")).not.toBeInTheDocument();
    await user.click(screen.getByTestId("approval-return"));
    expect(screen.getByTestId("approval-reason")).toHaveValue("見積書を添付してください");
    await user.click(screen.getByTestId("approval-reason-confirm"));
    await waitFor(() =>
      expect(mockApi.approvalAct).toHaveBeenCalledWith(
        expect.objectContaining({ kind: "return", reason: "見積書を添付してください", seenHash: "sha256:abc" }),
      ),
    );
    expect(await screen.findByTestId("inbox-banner-error")).toHaveTextContent("この文書は他の決裁者が先に処理しました。");
  });

  it("saves the printout as a PDF and says where", async () => {
    mockApi.approvalDetail.mockResolvedValue(pcDetail);
    mockApi.approvalPdf.mockResolvedValue("/home/user/Downloads/起案文書_パソコン更新の伺い_20240603_093000.pdf");
    const { user } = await renderPage();
    screen.getByTestId("inbox-table").focus();
    await user.keyboard("{Enter}");
    await screen.findByTestId("approval-detail");
    await user.click(screen.getByTestId("approval-pdf"));
    expect(mockApi.approvalPdf).toHaveBeenCalledWith(pc.id);
    expect(await screen.findByTestId("inbox-banner-success")).toHaveTextContent(
      "PDFを保存しました: /home/user/Downloads/起案文書_パソコン更新の伺い_20240603_093000.pdf",
    );
    mockApi.approvalPdf.mockRejectedValue(new BackendError("print.write", "PDFを保存できませんでした（容量不足）。"));
    await user.click(screen.getByTestId("approval-pdf"));
    expect(await screen.findByTestId("inbox-banner-error")).toHaveTextContent("容量不足");
  });

  it("lists the server's answers to my recent actions", async () => {
    mockApi.approvalOutcomes.mockResolvedValue([
      {
        recordId: pc.id,
        title: "パソコン更新の伺い",
        actionLabel: "承認",
        state: "conflict",
        stateLabel: "競合",
        code: "approval.already_handled",
        message: "この文書は他の決裁者が先に処理しました。最新の状態を確認してください。",
        at: "2024-06-04T01:00:00Z",
      },
    ]);
    await renderPage();
    const row = await screen.findByTestId("approval-outcome");
    expect(row).toHaveAttribute("data-state", "conflict");
    expect(row).toHaveTextContent("競合");
    expect(row).toHaveTextContent("承認: パソコン更新の伺い");
    expect(row).toHaveTextContent("他の決裁者が先に処理しました");
  });

  it("registers an absence with a delegate chosen from the directory", async () => {
    mockApi.approvalAbsences.mockResolvedValue({
      absences: [],
      users: [{ userId: "suzuki.bucho", displayName: "鈴木 部長", posts: "部長・決裁権者", officeCode: null }],
      fetchedAt: "2024-06-04T00:00:00Z",
    });
    mockApi.approvalAddAbsence.mockResolvedValue({
      absences: [
        {
          id: "a1",
          userId: "kato.kacho",
          userName: "加藤 課長",
          delegateId: "suzuki.bucho",
          delegateName: "鈴木 部長",
          from: "2024-06-10T00:00:00Z",
          until: "2024-06-12T09:00:00Z",
          mine: true,
          inForce: false,
        },
      ],
      users: [],
      fetchedAt: "2024-06-04T00:00:00Z",
    });
    const { user } = await renderPage([]);
    expect(screen.getByTestId("inbox-empty")).toBeInTheDocument();
    await screen.findByRole("option", { name: "鈴木 部長（部長・決裁権者）" });
    await user.selectOptions(screen.getByTestId("absence-delegate"), "suzuki.bucho");
    fireEvent.change(screen.getByTestId("absence-from"), { target: { value: "2024-06-10T09:00" } });
    fireEvent.change(screen.getByTestId("absence-until"), { target: { value: "2024-06-12T18:00" } });
    await user.click(screen.getByTestId("absence-add"));
    expect(mockApi.approvalAddAbsence).toHaveBeenCalledWith({ delegateId: "suzuki.bucho", from: "2024-06-10T09:00", until: "2024-06-12T18:00" });
    expect(await screen.findByTestId("absence-row")).toHaveTextContent("代決者: 鈴木 部長");
    expect(screen.getByTestId("absence-banner-success")).toHaveTextContent("不在を登録しました。");
  });
});

const travel: InboxItem = {
  ...pc,
  id: "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b2c04",
  kind: "travel",
  kindName: "旅費精算",
  title: "大阪出張の旅費",
  amount: "45600",
  amountText: "45,600",
  drafterId: "sato.ken",
  drafterName: "佐藤 健",
  officeCode: "13201",
  receivedAt: "2024-06-04T00:30:00Z",
  waitingSecs: 7200,
  waitingText: "2時間 0分",
  stepText: "1人目 / 2人中",
  slotName: "所属所長",
};
const chairs: InboxItem = {
  ...paper,
  id: "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b2c05",
  title: "会議室の椅子の購入",
  amount: "640000",
  amountText: "640,000",
  receivedAt: "2024-06-01T00:30:00Z",
  waitingSecs: 266400,
  waitingText: "3日 2時間 0分",
};

describe("InboxPage sorting and filtering", () => {
  it("starts with the longest waiting first and sorts by a header on click or Enter", async () => {
    const { user } = await renderPage([travel, pc, chairs, paper]);
    const waiting = screen.getByTestId("inbox-col-waiting");
    expect(waiting).toHaveAttribute("aria-sort", "descending");
    expect(titles()).toEqual(["会議室の椅子の購入", "パソコン更新の伺い", "コピー用紙の購入", "大阪出張の旅費"]);
    // The header names stay plain (the order is an icon and aria-sort).
    expect(within(screen.getByTestId("inbox-table")).getAllByRole("columnheader").map((h) => h.textContent)).toEqual([
      "選択", "種類", "件名", "金額（円）", "起案者", "所属所", "受付", "待ち時間", "私の段階",
    ]);

    await user.click(within(screen.getByTestId("inbox-col-amount")).getByRole("button"));
    expect(screen.getByTestId("inbox-col-amount")).toHaveAttribute("aria-sort", "descending");
    expect(waiting).not.toHaveAttribute("aria-sort");
    expect(titles()).toEqual(["パソコン更新の伺い", "会議室の椅子の購入", "コピー用紙の購入", "大阪出張の旅費"]);
    await user.click(within(screen.getByTestId("inbox-col-amount")).getByRole("button"));
    expect(screen.getByTestId("inbox-col-amount")).toHaveAttribute("aria-sort", "ascending");
    expect(titles()[0]).toBe("大阪出張の旅費");

    // Keyboard: Enter and Space on a header sort; they do not open a row.
    within(screen.getByTestId("inbox-col-drafter")).getByRole("button").focus();
    await user.keyboard("{Enter}");
    expect(screen.getByTestId("inbox-col-drafter")).toHaveAttribute("aria-sort", "ascending");
    await user.keyboard(" ");
    expect(screen.getByTestId("inbox-col-drafter")).toHaveAttribute("aria-sort", "descending");
    expect(mockApi.approvalDetail).not.toHaveBeenCalled();
    expect(mockApi.approvalInbox).toHaveBeenCalledTimes(1);
  });

  it("filters by text over title, drafter and office and by 種類, and counts what is shown", async () => {
    const { user } = await renderPage([travel, pc, chairs, paper, sent]);
    expect(screen.getByTestId("inbox-count")).toHaveTextContent("5 件");
    await user.type(screen.getByTestId("inbox-filter"), "佐藤");
    expect(titles()).toEqual(["大阪出張の旅費"]);
    expect(screen.getByTestId("inbox-count")).toHaveTextContent("1 件 / 全 5 件");
    await user.clear(screen.getByTestId("inbox-filter"));
    // Full-width digits find the office code; several words must all match.
    await user.type(screen.getByTestId("inbox-filter"), "１３１０４ 購入");
    expect(titles()).toEqual(["会議室の椅子の購入", "コピー用紙の購入"]);
    expect(screen.getByTestId("inbox-count")).toHaveTextContent("2 件 / 全 5 件");
    await user.click(screen.getByTestId("inbox-filter-clear"));
    expect(screen.getAllByTestId("inbox-row")).toHaveLength(5);

    const options = within(screen.getByTestId("inbox-kind-filter")).getAllByRole("option").map((o) => o.textContent);
    expect(options[0]).toBe("すべての種類");
    expect(options.slice(1).sort()).toEqual(["旅費精算", "起案文書"].sort());
    await user.selectOptions(screen.getByTestId("inbox-kind-filter"), "travel");
    expect(titles()).toEqual(["大阪出張の旅費"]);
    await user.type(screen.getByTestId("inbox-filter"), "パソコン");
    expect(screen.getByTestId("inbox-filter-empty")).toHaveTextContent("条件に合う文書はありません。");
    expect(screen.getByTestId("inbox-count")).toHaveTextContent("0 件 / 全 5 件");
  });

  it("approves only the selected documents that the filter shows", async () => {
    mockApi.approvalBulkApprove.mockResolvedValue({ approved: [pc.id], failures: [] });
    const { user } = await renderPage([pc, paper]);
    const table = screen.getByTestId("inbox-table");
    table.focus();
    await user.keyboard(" {ArrowDown} ");
    expect(screen.getByTestId("inbox-bulk-approve")).toHaveTextContent("選択した 2 件を承認");
    await user.type(screen.getByTestId("inbox-filter"), "パソコン");
    expect(screen.getByTestId("inbox-bulk-approve")).toHaveTextContent("選択した 1 件を承認");
    await user.click(screen.getByTestId("inbox-bulk-approve"));
    expect(mockApi.approvalBulkApprove).toHaveBeenCalledWith([pc.id]);
  });

  it("keeps the sort and the filter when the clerk leaves and comes back", async () => {
    const first = await renderPage([travel, pc, chairs, paper]);
    await first.user.click(within(screen.getByTestId("inbox-col-title")).getByRole("button"));
    await first.user.type(screen.getByTestId("inbox-filter"), "購入");
    first.unmount();

    await renderPage([travel, pc, chairs, paper]);
    expect(screen.getByTestId("inbox-filter")).toHaveValue("購入");
    expect(screen.getByTestId("inbox-col-title")).toHaveAttribute("aria-sort", "ascending");
    expect(titles()).toEqual(["コピー用紙の購入", "会議室の椅子の購入"]);
    expect(screen.getByTestId("inbox-count")).toHaveTextContent("2 件 / 全 4 件");
  });

  it("keeps the narrow columns on one line", async () => {
    await renderPage();
    const cells = within(screen.getAllByTestId("inbox-row")[0]!).getAllByRole("cell");
    for (const i of [1, 3, 4, 5, 6, 7, 8]) expect(cells[i]!.className).toContain("whitespace-nowrap");
    expect(screen.getByTestId("inbox-col-kind").className).toContain("whitespace-nowrap");
  });

  it("renders only the rows in view of a long list and keeps ↑↓, End, Space and Enter working", async () => {
    const many: InboxItem[] = Array.from({ length: 600 }, (_, n) => ({
      ...paper,
      id: `0190f3b2-6c1e-7a40-9c1d-${String(n).padStart(12, "0")}`,
      title: `消耗品の購入 ${n + 1}`,
      waitingSecs: 100_000 - n,
    }));
    mockApi.approvalDetail.mockImplementation(async (id) => ({ ...pcDetail, id, title: "消耗品の購入 600" }));
    const { user } = await renderPage(many);
    expect(screen.getByTestId("inbox-count")).toHaveTextContent("600 件");
    const rendered = screen.getAllByTestId("inbox-row").length;
    expect(rendered).toBeLessThan(60);
    const table = screen.getByTestId("inbox-table");
    expect(table).toHaveAttribute("aria-rowcount", "601");
    table.focus();
    await user.keyboard("{ArrowDown}{ArrowDown}");
    expect(table).toHaveAttribute("aria-activedescendant", `inbox-row-${many[2]!.id}`);
    await user.keyboard("{End}");
    const last = many[599]!;
    expect(table).toHaveAttribute("aria-activedescendant", `inbox-row-${last.id}`);
    const row = document.getElementById(`inbox-row-${last.id}`)!;
    expect(row).toHaveAttribute("aria-rowindex", "601");
    expect(screen.getAllByTestId("inbox-row").length).toBeLessThan(60);
    expect(screen.queryByText("消耗品の購入 1")).not.toBeInTheDocument();
    await user.keyboard(" ");
    expect(row).toHaveAttribute("aria-selected", "true");
    await user.keyboard("{ArrowUp}");
    expect(table).toHaveAttribute("aria-activedescendant", `inbox-row-${many[598]!.id}`);
    await user.keyboard("{Home}");
    expect(document.getElementById(`inbox-row-${many[0]!.id}`)).toBeInTheDocument();
    await user.keyboard("{End}{Enter}");
    await waitFor(() => expect(mockApi.approvalDetail).toHaveBeenCalledWith(last.id));
  });
});

describe("InboxPage comments and 変更起案", () => {
  it("sends the typed comment with 承認 and shows comments in the history", async () => {
    mockApi.approvalDetail.mockResolvedValue({
      ...pcDetail,
      history: [
        ...pcDetail.history,
        { round: 1, stepLabel: "2段階目 課長", actLabel: "承認", byName: "加藤 課長", onBehalfOfName: null, at: "2024-06-03T03:00:00Z", waitedText: "1時間 0分", comment: "保守契約も確認済み" },
      ],
    });
    mockApi.approvalAct.mockResolvedValue({ ...pcDetail, pending: true, actions: [] });
    const { user } = await renderPage();
    await user.click(screen.getAllByTestId("inbox-row")[0]!);
    await screen.findByTestId("approval-detail");
    // Opening moves focus to the document's heading (on the next frame); type after that.
    await waitFor(() => expect(screen.getByRole("heading", { name: pcDetail.title })).toHaveFocus());
    expect(screen.getByTestId("approval-history-comment")).toHaveTextContent("コメント: 保守契約も確認済み");
    const comment = screen.getByLabelText("コメント（任意）");
    await user.type(comment, "来年度予算で対応");
    await user.click(screen.getByTestId("approval-approve"));
    await waitFor(() =>
      expect(mockApi.approvalAct).toHaveBeenCalledWith(expect.objectContaining({ kind: "approve", comment: "来年度予算で対応" })),
    );
  });

  it("approves with Ctrl+Enter from the comment, never while the IME is composing", async () => {
    mockApi.approvalDetail.mockResolvedValue(pcDetail);
    mockApi.approvalAct.mockResolvedValue({ ...pcDetail, pending: true, actions: [] });
    const { user } = await renderPage();
    await user.click(screen.getAllByTestId("inbox-row")[0]!);
    const comment = await screen.findByTestId("approval-comment");
    await waitFor(() => expect(screen.getByRole("heading", { name: pcDetail.title })).toHaveFocus());
    await user.type(comment, "確認しました");
    fireEvent.compositionStart(comment);
    fireEvent.keyDown(comment, { key: "Enter", ctrlKey: true, isComposing: true, keyCode: 229 });
    fireEvent.keyDown(comment, { key: "Enter", ctrlKey: true });
    expect(mockApi.approvalAct).not.toHaveBeenCalled();
    fireEvent.compositionEnd(comment);
    fireEvent.keyDown(comment, { key: "Enter", ctrlKey: true });
    await waitFor(() =>
      expect(mockApi.approvalAct).toHaveBeenCalledWith({
        id: pc.id,
        kind: "approve",
        reason: null,
        comment: "確認しました",
        forUser: null,
        seenHash: "sha256:abc",
      }),
    );
    expect(mockApi.approvalAct).toHaveBeenCalledTimes(1);
  });

  it("shows that a document is a 変更起案 and of which original", async () => {
    mockApi.approvalDetail.mockResolvedValueOnce({
      ...pcDetail,
      amends: "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b2c99",
      amendsTitle: "パソコン更新の伺い（令和5年度）",
    });
    const { user } = await renderPage();
    await user.click(screen.getAllByTestId("inbox-row")[0]!);
    expect(await screen.findByTestId("approval-detail-amends")).toHaveTextContent("変更起案（元文書: パソコン更新の伺い（令和5年度））");
    mockApi.approvalDetail.mockResolvedValueOnce({ ...pcDetail, id: paper.id, amends: "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b2c98", amendsTitle: null });
    await user.click(screen.getAllByTestId("inbox-row")[1]!);
    await waitFor(() => expect(screen.getByTestId("approval-detail-amends")).toHaveTextContent("元文書はこのPCにありません"));
  });
});

import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { ProcurementCaseSummary, ProcurementCaseView, ProcurementStepInput, ProcurementStepView } from "../backend";
import { BackendError } from "../backend/errors";
import { onlineStatus } from "../test/fixtures";
import { AppStateProvider } from "../shell/appState";
import { emitSyncStatus, mockApi, resetMockApi } from "../test/mockBackend";
import { ProcurementPage } from "./ProcurementPage";

vi.mock("../backend", async () => (await import("../test/mockBackend")).backendModule);

const REQ = "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b4d01";

const cases: ProcurementCaseSummary[] = [
  {
    id: REQ,
    title: "複合機の購入",
    amountText: "1,320,000",
    stage: "検収・検査 回議中",
    vendor: "株式会社東都事務機",
    steps: 3,
    deadline: { what: "検査期限", date: "2026-11-20", risk: "overdue", riskLabel: "6日超過" },
    updatedAt: "2026-11-20T01:00:00Z",
  },
  {
    id: "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b4e01",
    title: "窓口用封筒の印刷",
    amountText: "88,000",
    stage: "支出命令 決裁済み",
    vendor: "有限会社みどり印刷",
    steps: 4,
    deadline: { what: "支払期限", date: "2026-11-30", risk: "dueSoon", riskLabel: "あと4日" },
    updatedAt: "2026-11-24T01:00:00Z",
  },
  {
    id: "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b4f01",
    title: "研修会場の借上げ",
    amountText: "450,000",
    stage: "調達依頼 下書き",
    vendor: "",
    steps: 1,
    deadline: null,
    updatedAt: null,
  },
];

const requestForm = {
  kind: "procurement" as const,
  purpose: "老朽化した複合機を更新します。",
  category: "purchase",
  budgetYear: "2026",
  budgetCode: "0102",
  budgetName: "需用費 消耗品費",
  items: [{ name: "複合機", spec: "A3カラー", quantity: "1", unit: "台", amount: "1320000" }],
  quotes: [],
  selectedQuote: null,
  neededBy: "",
};

const approvedRequest: ProcurementStepView = {
  id: REQ,
  kind: "procurement",
  kindLabel: "調達依頼",
  title: "複合機の購入",
  parent: null,
  amountText: "1,320,000",
  status: "approved",
  statusLabel: "決裁済み",
  whereText: "決裁済み",
  form: requestForm,
  findings: [],
  canEdit: false,
  canSubmit: false,
  canWithdraw: false,
  canAmend: true,
  amends: null,
  nextKind: "contract",
  nextLabel: "契約を起案",
  label: null,
  pending: false,
  deadline: null,
  updatedAt: "2026-11-01T01:00:00Z",
  ocrProvenance: null,
};

function caseView(steps: ProcurementStepView[]): ProcurementCaseView {
  return { id: REQ, title: "複合機の購入", steps };
}

beforeEach(() => {
  resetMockApi();
});

async function renderPage() {
  const user = userEvent.setup();
  render(<ProcurementPage />, { wrapper: AppStateProvider });
  await waitFor(() => expect(screen.getByTestId("procurement-cases-count")).toBeInTheDocument());
  return { user };
}

describe("ProcurementPage: 案件", () => {
  it("lists the cases with their deadline badges and the deadline counts", async () => {
    mockApi.procurementCases.mockResolvedValue(cases);
    await renderPage();
    const rows = screen.getAllByTestId("procurement-case-row");
    expect(rows).toHaveLength(3);
    expect(rows[0]).toHaveTextContent("複合機の購入");
    expect(rows[0]).toHaveTextContent("1,320,000 円");
    expect(rows[0]).toHaveTextContent("株式会社東都事務機");
    expect(within(rows[0]!).getByTestId("procurement-case-stage")).toHaveTextContent("検収・検査 回議中");
    const overdue = within(rows[0]!).getByTestId("procurement-case-deadline");
    expect(overdue).toHaveTextContent("期限超過");
    expect(overdue).toHaveAttribute("data-tone", "error");
    const soon = within(rows[1]!).getByTestId("procurement-case-deadline");
    expect(soon).toHaveTextContent("期限間近");
    expect(soon).toHaveAttribute("data-tone", "warning");
    expect(within(rows[2]!).queryByTestId("procurement-case-deadline")).not.toBeInTheDocument();
    expect(screen.getByTestId("procurement-overdue-count")).toHaveTextContent("期限超過 1件");
    expect(screen.getByTestId("procurement-duesoon-count")).toHaveTextContent("期限間近 1件");
    expect(screen.getByTestId("procurement-cases-count")).toHaveTextContent("3 件");
  });

  it("opens a case with ↓ and Enter", async () => {
    mockApi.procurementCases.mockResolvedValue(cases);
    mockApi.procurementCase.mockResolvedValue({ ...caseView([{ ...approvedRequest, nextKind: null, nextLabel: null }]), id: cases[1]!.id, title: "窓口用封筒の印刷" });
    await renderPage();
    const list = screen.getByTestId("procurement-cases");
    list.focus();
    fireEvent.keyDown(list, { key: "ArrowDown" });
    expect(screen.getAllByTestId("procurement-case-row")[1]).toHaveAttribute("aria-selected", "true");
    fireEvent.keyDown(list, { key: "Enter" });
    await waitFor(() => expect(mockApi.procurementCase).toHaveBeenCalledWith(cases[1]!.id));
    expect(await screen.findByTestId("procurement-case-title")).toHaveTextContent("窓口用封筒の印刷");
  });

  it("writes a new request, shows findings beside the field while typing, and saves it with Ctrl+S", async () => {
    mockApi.procurementCheck.mockImplementation(async (input: ProcurementStepInput) =>
      input.form.kind === "procurement" && input.form.purpose.trim() === ""
        ? [{ field: "purpose", code: "procurement.purpose_required", severity: "error", message: "目的・理由を入力してください。" }]
        : [],
    );
    mockApi.procurementSave.mockImplementation(async (input) =>
      caseView([
        {
          ...approvedRequest,
          title: input.title,
          form: input.form as ProcurementStepView["form"],
          status: "draft",
          statusLabel: "下書き",
          whereText: "起案前（下書き）",
          canEdit: true,
          canSubmit: true,
          nextKind: null,
          nextLabel: null,
        },
      ]),
    );
    const { user } = await renderPage();
    await user.click(screen.getByTestId("procurement-new"));
    await user.type(screen.getByTestId("step-title"), "複合機の購入");
    await waitFor(() =>
      expect(within(screen.getByTestId("req-purpose-findings").parentElement!).getByText("目的・理由を入力してください。")).toBeInTheDocument(),
    );
    expect(screen.getByTestId("req-purpose")).toHaveAttribute("aria-invalid", "true");
    await user.type(screen.getByTestId("req-purpose"), "老朽化した複合機を更新します。");
    await waitFor(() => expect(screen.queryByTestId("req-purpose-findings")).not.toBeInTheDocument());
    await user.type(screen.getByTestId("req-item-0-name"), "複合機");
    await user.click(screen.getByTestId("req-item-add"));
    expect(screen.getAllByTestId("req-item-row")).toHaveLength(2);
    await user.click(screen.getByTestId("req-item-1-remove"));
    expect(screen.getAllByTestId("req-item-row")).toHaveLength(1);
    fireEvent.keyDown(window, { key: "s", code: "KeyS", ctrlKey: true });
    await waitFor(() => expect(mockApi.procurementSave).toHaveBeenCalledTimes(1));
    const sent = mockApi.procurementSave.mock.calls[0]![0];
    expect(sent.id).toBeNull();
    expect(sent.title).toBe("複合機の購入");
    expect(sent.form).toMatchObject({ kind: "procurement", purpose: "老朽化した複合機を更新します。", items: [{ name: "複合機" }] });
    expect(await screen.findByTestId("procurement-banner-success")).toHaveTextContent("保存しました。");
    expect(screen.getAllByTestId("procurement-step-card")[0]).toHaveTextContent("下書き");
  });

  it("keeps what was typed when saving fails and shows the Japanese reason", async () => {
    mockApi.procurementSave.mockRejectedValue(new BackendError("store.busy", "データベースが使用中です。少し待ってからもう一度保存してください。"));
    const { user } = await renderPage();
    await user.click(screen.getByTestId("procurement-new"));
    await user.type(screen.getByTestId("step-title"), "研修会場の借上げ");
    await user.click(screen.getByTestId("procurement-save"));
    expect(await screen.findByRole("alert")).toHaveTextContent("データベースが使用中です。少し待ってからもう一度保存してください。");
    expect(screen.getByTestId("step-title")).toHaveValue("研修会場の借上げ");
  });

  it("starts the next step with 「{nextLabel}」 and opens its editor", async () => {
    mockApi.procurementCases.mockResolvedValue(cases);
    mockApi.procurementCase.mockResolvedValue(caseView([approvedRequest]));
    mockApi.procurementVendors.mockResolvedValue([
      {
        id: "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b5a01",
        form: {
          id: "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b5a01",
          name: "株式会社東都事務機",
          nameKana: "カ)トウトジムキ",
          corporateNumber: "",
          invoiceRegistration: "",
          account: { bankCode: "", branchCode: "", depositType: "", accountNumber: "", holderKana: "" },
          person: "",
          phone: "",
          email: "",
          postalCode: "",
          address: "",
        },
        accountText: "",
        label: null,
        findings: [],
      },
    ]);
    const next: ProcurementStepInput = {
      id: null,
      parent: REQ,
      amends: null,
      title: "複合機の購入",
      form: {
        kind: "contract",
        vendorId: "",
        category: "purchase",
        method: "negotiated",
        ground: "small_amount",
        groundReason: "",
        amount: "1320000",
        periodFrom: "",
        periodTo: "",
        workType: "other",
        contractSetsDates: false,
        document: "",
        signedOn: "",
        note: "",
      },
    };
    mockApi.procurementNextStep.mockResolvedValue(next);
    const { user } = await renderPage();
    await user.click(screen.getAllByTestId("procurement-case-row")[0]!);
    const button = await screen.findByTestId("procurement-next");
    expect(button).toHaveTextContent("契約を起案");
    await user.click(button);
    expect(mockApi.procurementNextStep).toHaveBeenCalledWith(REQ);
    expect(await screen.findByTestId("con-amount")).toHaveValue("1320000");
    expect(screen.getByTestId("con-method")).toHaveValue("negotiated");
    expect(within(screen.getByTestId("con-vendor")).getByRole("option", { name: "株式会社東都事務機" })).toBeInTheDocument();
    expect(screen.getByTestId("procurement-submit")).toBeInTheDocument();
  });

  it("sends a saved draft round with 決裁に回す and shows where it stands", async () => {
    const draft: ProcurementStepView = {
      ...approvedRequest,
      status: "draft",
      statusLabel: "下書き",
      whereText: "起案前（下書き）",
      canEdit: true,
      canSubmit: true,
      nextKind: null,
      nextLabel: null,
    };
    mockApi.procurementCases.mockResolvedValue(cases);
    mockApi.procurementCase.mockResolvedValue(caseView([draft]));
    mockApi.procurementSubmit.mockResolvedValue(
      caseView([{ ...draft, status: "in_progress", statusLabel: "回議中", whereText: "1人目 / 2人中 課長 の決裁待ち", canEdit: false, canSubmit: false, canWithdraw: true }]),
    );
    const { user } = await renderPage();
    await user.click(screen.getAllByTestId("procurement-case-row")[0]!);
    await user.click(await screen.findByTestId("procurement-submit"));
    await waitFor(() => expect(mockApi.procurementSubmit).toHaveBeenCalledWith(REQ, { important: false, unusual: false, precedent: false }));
    expect(mockApi.procurementSave).not.toHaveBeenCalled();
    expect(await screen.findByTestId("procurement-banner-success")).toHaveTextContent("決裁に回しました。");
    const card = screen.getAllByTestId("procurement-step-card")[0]!;
    expect(within(card).getByTestId("procurement-step-status")).toHaveTextContent("回議中");
    expect(card).toHaveTextContent("1人目 / 2人中 課長 の決裁待ち");
    expect(screen.getByTestId("procurement-withdraw")).toBeInTheDocument();
    expect(screen.queryByTestId("procurement-save")).not.toBeInTheDocument();
  });
});

/** Waits until the shell has read the first sync status, so the next one counts as a change. */
async function statusRead() {
  await waitFor(() => expect(mockApi.syncStatus).toHaveBeenCalled());
  await act(async () => {});
}

function syncedAt(time: string) {
  return { ...onlineStatus, lastSyncAt: time };
}

describe("ProcurementPage: after a sync", () => {
  const inRound: ProcurementStepView = {
    ...approvedRequest,
    status: "in_progress",
    statusLabel: "回議中",
    whereText: "1人目 / 2人中 課長 の決裁待ち",
    canWithdraw: true,
    nextKind: null,
    nextLabel: null,
  };

  beforeEach(() => {
    mockApi.syncStatus.mockResolvedValue(onlineStatus);
  });

  it("reads the case list again and shows the new stage", async () => {
    mockApi.procurementCases.mockResolvedValue([{ ...cases[2]!, stage: "調達依頼 回議中" }]);
    await renderPage();
    await statusRead();
    expect(screen.getByTestId("procurement-case-stage")).toHaveTextContent("調達依頼 回議中");
    const calls = mockApi.procurementCases.mock.calls.length;

    // Going offline and back changes nothing stored here: no read.
    await emitSyncStatus({ ...onlineStatus, syncing: true });
    expect(mockApi.procurementCases).toHaveBeenCalledTimes(calls);

    mockApi.procurementCases.mockResolvedValue([{ ...cases[2]!, stage: "調達依頼 決裁済み" }]);
    await emitSyncStatus(syncedAt("2026-11-26T10:15:00+09:00"));
    await waitFor(() => expect(screen.getByTestId("procurement-case-stage")).toHaveTextContent("調達依頼 決裁済み"));
    expect(mockApi.procurementCases).toHaveBeenCalledTimes(calls + 1);
  });

  it("shows the 課長's approval on the open case and offers the next step", async () => {
    mockApi.procurementCases.mockResolvedValue(cases);
    mockApi.procurementCase.mockResolvedValue(caseView([inRound]));
    const { user } = await renderPage();
    await statusRead();
    await user.click(screen.getAllByTestId("procurement-case-row")[0]!);
    const card = await screen.findByTestId("procurement-step-card");
    expect(within(card).getByTestId("procurement-step-status")).toHaveTextContent("回議中");
    expect(screen.queryByTestId("procurement-next")).not.toBeInTheDocument();

    mockApi.procurementCase.mockResolvedValue(caseView([approvedRequest]));
    await emitSyncStatus(syncedAt("2026-11-26T10:15:00+09:00"));
    await waitFor(() => expect(within(screen.getByTestId("procurement-step-card")).getByTestId("procurement-step-status")).toHaveTextContent("決裁済み"));
    expect(mockApi.procurementCase).toHaveBeenCalledTimes(2);
    expect(mockApi.procurementCase).toHaveBeenLastCalledWith(REQ);
    expect(screen.getByTestId("procurement-next")).toHaveTextContent("契約を起案");
  });

  it("refreshes an untouched editor, but never replaces what the clerk typed", async () => {
    const draft: ProcurementStepView = { ...inRound, status: "draft", statusLabel: "下書き", whereText: "起案前（下書き）", canEdit: true, canSubmit: true, canWithdraw: false };
    mockApi.procurementCases.mockResolvedValue(cases);
    mockApi.procurementCase.mockResolvedValue(caseView([draft]));
    const { user } = await renderPage();
    await statusRead();
    await user.click(screen.getAllByTestId("procurement-case-row")[0]!);
    expect(await screen.findByTestId("req-purpose")).toHaveValue("老朽化した複合機を更新します。");

    // A colleague's save arrives; nothing typed here yet: the editor follows.
    mockApi.procurementCase.mockResolvedValue(caseView([{ ...draft, form: { ...requestForm, purpose: "複合機の更新（保守込み）" } }]));
    await emitSyncStatus(syncedAt("2026-11-26T10:15:00+09:00"));
    await waitFor(() => expect(screen.getByTestId("req-purpose")).toHaveValue("複合機の更新（保守込み）"));

    // Now the clerk types; the next sync updates the card but keeps the text.
    await user.clear(screen.getByTestId("step-title"));
    await user.type(screen.getByTestId("step-title"), "複合機の購入（本館）");
    mockApi.procurementCase.mockResolvedValue(
      caseView([{ ...draft, title: "別の件名", statusLabel: "下書き（同期済み）", form: { ...requestForm, purpose: "上書きされてはいけない" } }]),
    );
    await emitSyncStatus(syncedAt("2026-11-26T10:30:00+09:00"));
    await waitFor(() => expect(within(screen.getByTestId("procurement-step-card")).getByTestId("procurement-step-status")).toHaveTextContent("下書き（同期済み）"));
    expect(screen.getByTestId("step-title")).toHaveValue("複合機の購入（本館）");
    expect(screen.getByTestId("req-purpose")).toHaveValue("複合機の更新（保守込み）");
  });
});

describe("ProcurementPage: 調達依頼 editor choosers", () => {
  it("fills 年度・科目コード・科目名 from a registered budget line and keeps the fields typeable", async () => {
    mockApi.procurementBudgets.mockResolvedValue([
      {
        id: "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b6a01",
        fiscalYear: 2026,
        code: "01-02-03",
        name: "事務費 備品購入費",
        allocatedText: "3,000,000",
        committedText: "300,000",
        remainingText: "2,700,000",
        usedPercent: 10,
        label: null,
      },
      {
        id: "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b6a02",
        fiscalYear: 2026,
        code: "01-02-04",
        name: "事務費 消耗品費",
        allocatedText: "500,000",
        committedText: "0",
        remainingText: "500,000",
        usedPercent: 0,
        label: null,
      },
    ]);
    const { user } = await renderPage();
    await user.click(screen.getByTestId("procurement-new"));
    const chooser = screen.getByTestId("req-budget-line");
    await waitFor(() => expect(within(chooser).getByRole("option", { name: "2026年度 01-02-03 事務費 備品購入費（残 2,700,000円）" })).toBeInTheDocument());
    // The chooser comes before the three fields.
    expect(chooser.compareDocumentPosition(screen.getByTestId("req-budget-year")) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    await user.selectOptions(chooser, "2026年度 01-02-03 事務費 備品購入費（残 2,700,000円）");
    expect(screen.getByTestId("req-budget-year")).toHaveValue("2026");
    expect(screen.getByTestId("req-budget-code")).toHaveValue("01-02-03");
    expect(screen.getByTestId("req-budget-name")).toHaveValue("事務費 備品購入費");
    expect(chooser).toHaveValue("0190f3b2-6c1e-7a40-9c1d-2f5e8a7b6a01");

    // A line not synced yet: typed by hand; the chooser no longer claims a line.
    await user.clear(screen.getByTestId("req-budget-code"));
    await user.type(screen.getByTestId("req-budget-code"), "01-09-01");
    expect(chooser).toHaveValue("");
    expect(screen.getByTestId("req-budget-name")).toHaveValue("事務費 備品購入費");
  });

  it("takes a quote's vendor from the registered ones (id and name), or a name typed for one not registered", async () => {
    const vendorView = (id: string, name: string, nameKana: string) => ({
      id,
      form: {
        id,
        name,
        nameKana,
        corporateNumber: "",
        invoiceRegistration: "",
        account: { bankCode: "", branchCode: "", depositType: "", accountNumber: "", holderKana: "" },
        person: "",
        phone: "",
        email: "",
        postalCode: "",
        address: "",
      },
      accountText: "",
      label: null,
      findings: [],
    });
    const TOTO = "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b5a01";
    const MIDORI = "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b5b01";
    mockApi.procurementVendors.mockResolvedValue([vendorView(TOTO, "株式会社東都事務機", "カ)トウトジムキ"), vendorView(MIDORI, "有限会社みどり印刷", "ユ)ミドリインサツ")]);
    mockApi.procurementSave.mockImplementation(async (input) =>
      caseView([{ ...approvedRequest, title: input.title, form: input.form as ProcurementStepView["form"], status: "draft", statusLabel: "下書き", canEdit: true, canSubmit: true, nextKind: null, nextLabel: null }]),
    );
    const { user } = await renderPage();
    await user.click(screen.getByTestId("procurement-new"));
    await user.click(screen.getByTestId("req-quote-add"));
    await user.click(screen.getByTestId("req-quote-add"));
    const chooser = screen.getByTestId("req-quote-0-vendor-id");
    await waitFor(() => expect(within(chooser).getByRole("option", { name: "有限会社みどり印刷" })).toBeInTheDocument());
    await user.selectOptions(chooser, "有限会社みどり印刷");
    expect(screen.getByTestId("req-quote-0-vendor")).toHaveValue("有限会社みどり印刷");
    // The second quote comes from a shop not registered yet.
    await user.type(screen.getByTestId("req-quote-1-vendor"), "文具のたかはし");
    expect(screen.getByTestId("req-quote-1-vendor-id")).toHaveValue("");
    await user.click(screen.getByTestId("procurement-save"));
    await waitFor(() => expect(mockApi.procurementSave).toHaveBeenCalledTimes(1));
    const form = mockApi.procurementSave.mock.calls[0]![0].form;
    expect(form.kind === "procurement" && form.quotes.map((q) => [q.vendorId, q.vendorName])).toEqual([
      [MIDORI, "有限会社みどり印刷"],
      [null, "文具のたかはし"],
    ]);
  });

  it("unlinks the registered vendor when the clerk types another name", async () => {
    const TOTO = "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b5a01";
    mockApi.procurementVendors.mockResolvedValue([
      {
        id: TOTO,
        form: { id: TOTO, name: "株式会社東都事務機", nameKana: "", corporateNumber: "", invoiceRegistration: "", account: { bankCode: "", branchCode: "", depositType: "", accountNumber: "", holderKana: "" }, person: "", phone: "", email: "", postalCode: "", address: "" },
        accountText: "",
        label: null,
        findings: [],
      },
    ]);
    const { user } = await renderPage();
    await user.click(screen.getByTestId("procurement-new"));
    await user.click(screen.getByTestId("req-quote-add"));
    const chooser = screen.getByTestId("req-quote-0-vendor-id");
    await waitFor(() => expect(within(chooser).getByRole("option", { name: "株式会社東都事務機" })).toBeInTheDocument());
    await user.selectOptions(chooser, "株式会社東都事務機");
    expect(chooser).toHaveValue(TOTO);
    await user.type(screen.getByTestId("req-quote-0-vendor"), "（本社）");
    expect(chooser).toHaveValue("");
    expect(screen.getByTestId("req-quote-0-vendor")).toHaveValue("株式会社東都事務機（本社）");
  });
});


describe("ProcurementPage: 決裁に回す with 重要・異例・先例, and 印刷", () => {
  const draft: ProcurementStepView = {
    ...approvedRequest,
    status: "draft",
    statusLabel: "下書き",
    whereText: "起案前（下書き）",
    canEdit: true,
    canSubmit: true,
    nextKind: null,
    nextLabel: null,
  };

  async function openFirstCase(steps: ProcurementStepView[]) {
    mockApi.procurementCases.mockResolvedValue(cases);
    mockApi.procurementCase.mockResolvedValue(caseView(steps));
    const { user } = await renderPage();
    await user.click(screen.getAllByTestId("procurement-case-row")[0]!);
    await screen.findAllByTestId("procurement-step-card");
    return { user };
  }

  it("sends the checked flags with 決裁に回す", async () => {
    mockApi.procurementSubmit.mockResolvedValue(
      caseView([{ ...draft, status: "in_progress", statusLabel: "回議中", whereText: "1人目 / 3人中 課長 の決裁待ち", canEdit: false, canSubmit: false, canWithdraw: true }]),
    );
    const { user } = await openFirstCase([draft]);
    const flags = screen.getByTestId("procurement-flags");
    expect(flags).toHaveTextContent("重要");
    expect(flags).toHaveTextContent("異例");
    expect(flags).toHaveTextContent("先例");
    await user.click(screen.getByLabelText("重要"));
    await user.click(screen.getByLabelText("先例"));
    await user.click(screen.getByTestId("procurement-submit"));
    await waitFor(() => expect(mockApi.procurementSubmit).toHaveBeenCalledWith(REQ, { important: true, unusual: false, precedent: true }));
    // Once in the round, nothing more to submit: the flags go with the button.
    await waitFor(() => expect(screen.queryByTestId("procurement-submit")).not.toBeInTheDocument());
    expect(screen.queryByTestId("procurement-flags")).not.toBeInTheDocument();
  });

  it("shows no flags for a step that cannot be submitted", async () => {
    await openFirstCase([approvedRequest]);
    expect(screen.queryByTestId("procurement-submit")).not.toBeInTheDocument();
    expect(screen.queryByTestId("procurement-flags")).not.toBeInTheDocument();
  });

  it("prints a submitted step and shows where the PDF was saved; a draft has no 印刷", async () => {
    const contractDraft: ProcurementStepView = { ...draft, id: "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b4d02", kind: "contract", kindLabel: "契約", parent: REQ };
    mockApi.approvalPdf.mockResolvedValue("C:\\Users\\sato.hanako\\Downloads\\複合機の購入_調達依頼.pdf");
    const { user } = await openFirstCase([approvedRequest, contractDraft]);
    const steps = screen.getAllByTestId("procurement-step");
    expect(within(steps[1]!).queryByTestId("procurement-print")).not.toBeInTheDocument();
    const print = within(steps[0]!).getByTestId("procurement-print");
    expect(print).toHaveAccessibleName("1. 調達依頼 を印刷用PDFに保存");
    await user.click(print);
    await waitFor(() => expect(mockApi.approvalPdf).toHaveBeenCalledWith(REQ));
    expect(await screen.findByTestId("procurement-banner-success")).toHaveTextContent("印刷用PDFを保存しました: C:\\Users\\sato.hanako\\Downloads\\複合機の購入_調達依頼.pdf");
  });

  it("says in Japanese why printing failed", async () => {
    mockApi.approvalPdf.mockRejectedValue(new BackendError("pdf.font_missing", "印刷用のフォントが見つかりません。情報システム担当へ連絡してください。"));
    const { user } = await openFirstCase([approvedRequest]);
    await user.click(screen.getByTestId("procurement-print"));
    const alert = await screen.findByTestId("procurement-banner-error");
    expect(alert).toHaveTextContent("PDFを保存できませんでした。印刷用のフォントが見つかりません。情報システム担当へ連絡してください。");
    expect(alert).toHaveAttribute("role", "alert");
  });
});

import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { ProcurementCaseView, ProcurementPintImport, ProcurementStepInput, ProcurementStepView } from "../backend";
import { BackendError } from "../backend/errors";
import { AppStateProvider } from "../shell/appState";
import { mockApi, resetMockApi } from "../test/mockBackend";
import { ProcurementCase } from "./ProcurementCase";

vi.mock("../backend", async () => (await import("../test/mockBackend")).backendModule);

const REQ = "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b4d01";
const CON = "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b4d02";
const AMEND = "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b4d03";
const PAY = "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b4d04";

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
  nextKind: null,
  nextLabel: null,
  label: null,
  pending: false,
  deadline: null,
  updatedAt: "2026-11-01T01:00:00Z",
  ocrProvenance: null,
};

const contractDraft: ProcurementStepView = {
  ...approvedRequest,
  id: CON,
  kind: "contract",
  kindLabel: "契約",
  parent: REQ,
  status: "draft",
  statusLabel: "下書き",
  whereText: "起案前（下書き）",
  canEdit: true,
  canSubmit: true,
  canAmend: false,
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

function caseView(steps: ProcurementStepView[]): ProcurementCaseView {
  return { id: REQ, title: "複合機の購入", steps };
}

beforeEach(() => {
  resetMockApi();
});

async function openCase(steps: ProcurementStepView[]) {
  mockApi.procurementCase.mockResolvedValue(caseView(steps));
  const user = userEvent.setup();
  render(<ProcurementCase caseId={REQ} onClose={() => {}} onSaved={() => {}} />, { wrapper: AppStateProvider });
  await screen.findAllByTestId("procurement-step-card");
  await screen.findByTestId("procurement-editor");
  return { user };
}

describe("ProcurementCase: 変更起案", () => {
  const amendInput: ProcurementStepInput = {
    id: null,
    parent: null,
    amends: REQ,
    title: "【変更】複合機の購入",
    form: { ...requestForm, items: [{ ...requestForm.items[0]!, amount: "1430000" }] },
  };

  it("offers 「変更起案を作成」 only on a step that may be amended", async () => {
    await openCase([approvedRequest, contractDraft]);
    const steps = screen.getAllByTestId("procurement-step");
    const amend = within(steps[0]!).getByTestId("procurement-amend");
    expect(amend).toHaveTextContent("変更起案を作成");
    expect(amend).toHaveAccessibleName("1. 調達依頼 の変更起案を作成");
    expect(within(steps[1]!).queryByTestId("procurement-amend")).not.toBeInTheDocument();
  });

  it("refuses while the open editor holds unsaved changes", async () => {
    const { user } = await openCase([approvedRequest, contractDraft]);
    // The contract draft is open; the clerk types in it.
    await user.type(screen.getByTestId("con-note"), "納入場所は本館2階");
    await user.click(screen.getByTestId("procurement-amend"));
    expect(await screen.findByTestId("procurement-banner-error")).toHaveTextContent("編集中の内容が保存されていません。保存してから別の段階を開いてください。");
    expect(mockApi.procurementAmend).not.toHaveBeenCalled();
    expect(screen.getByTestId("con-note")).toHaveValue("納入場所は本館2階");
  });

  it("opens the 変更起案 with its notice, saves it with amends, and marks its card", async () => {
    mockApi.procurementAmend.mockResolvedValue(amendInput);
    const amendDraft: ProcurementStepView = {
      ...approvedRequest,
      id: AMEND,
      title: "【変更】複合機の購入",
      amends: REQ,
      status: "draft",
      statusLabel: "下書き",
      whereText: "起案前（下書き）",
      canEdit: true,
      canSubmit: true,
      canAmend: false,
      amountText: "1,430,000",
    };
    mockApi.procurementSave.mockImplementation(async (input) =>
      caseView([{ ...approvedRequest, canAmend: false }, { ...amendDraft, title: input.title, form: input.form as ProcurementStepView["form"] }]),
    );
    const { user } = await openCase([approvedRequest]);
    await user.click(screen.getByTestId("procurement-amend"));
    await waitFor(() => expect(mockApi.procurementAmend).toHaveBeenCalledWith(REQ));
    expect(await screen.findByTestId("procurement-amends")).toHaveTextContent(
      "調達依頼「複合機の購入」の変更起案です。決裁されると、元の調達依頼に代わってこの内容が有効になります。",
    );
    expect(screen.getByTestId("procurement-editor")).toHaveTextContent("調達依頼の変更起案");
    expect(screen.getByTestId("step-title")).toHaveValue("【変更】複合機の購入");
    expect(screen.getByTestId("req-item-0-amount")).toHaveValue("1430000");
    expect(screen.getByTestId("step-title")).toHaveFocus();

    await user.type(screen.getByTestId("req-purpose"), "（台数の変更）");
    await user.click(screen.getByTestId("procurement-save"));
    await waitFor(() => expect(mockApi.procurementSave).toHaveBeenCalledTimes(1));
    const sent = mockApi.procurementSave.mock.calls[0]![0];
    expect(sent).toMatchObject({ id: null, amends: REQ, title: "【変更】複合機の購入" });
    expect(sent.form).toMatchObject({ kind: "procurement", purpose: "老朽化した複合機を更新します。（台数の変更）" });

    // The saved 変更起案 is a card of the case, marked as such, and keeps amends on the next save.
    const cards = await screen.findAllByTestId("procurement-step-card");
    expect(cards).toHaveLength(2);
    const marked = within(cards[1]!).getByTestId("procurement-step-amends");
    expect(marked).toHaveTextContent("変更起案");
    expect(marked).toHaveTextContent("元: 1. 調達依頼「複合機の購入」");
    expect(within(cards[0]!).queryByTestId("procurement-step-amends")).not.toBeInTheDocument();
    expect(screen.getByTestId("procurement-amends")).toBeInTheDocument();
    await user.type(screen.getByTestId("req-purpose"), "。");
    await user.click(screen.getByTestId("procurement-save"));
    await waitFor(() => expect(mockApi.procurementSave).toHaveBeenCalledTimes(2));
    expect(mockApi.procurementSave.mock.calls[1]![0]).toMatchObject({ id: AMEND, amends: REQ });
  });

  it("says in Japanese why the 変更起案 could not be started", async () => {
    mockApi.procurementAmend.mockRejectedValue(new BackendError("procurement.amend_pending", "この文書の変更起案がすでにあります。そちらを開いて直してください。"));
    const { user } = await openCase([approvedRequest]);
    await user.click(screen.getByTestId("procurement-amend"));
    expect(await screen.findByTestId("procurement-banner-error")).toHaveTextContent("この文書の変更起案がすでにあります。そちらを開いて直してください。");
    expect(screen.queryByTestId("procurement-amends")).not.toBeInTheDocument();
  });
});

describe("ProcurementCase: JP PINT into the 支出命令", () => {
  const emptyPayee = { bankCode: "", branchCode: "", depositType: "", accountNumber: "", holderKana: "" };
  const paymentForm = {
    kind: "payment_order" as const,
    invoice: {
      number: "",
      issueDate: "",
      sellerName: "株式会社東都事務機",
      sellerRegistration: "",
      buyerName: "",
      lines: [{ description: "", quantity: "", amount: "", category: "S" }],
      taxes: [],
      payable: "",
      source: "manual",
    },
    invoiceReceivedOn: "2026-11-10",
    returnedOn: "",
    correctedReceivedOn: "",
    paymentDate: "",
    payee: emptyPayee,
    ocrDocumentId: null,
  };
  const paymentDraft: ProcurementStepView = {
    ...approvedRequest,
    id: PAY,
    kind: "payment_order",
    kindLabel: "支出命令",
    parent: REQ,
    status: "draft",
    statusLabel: "下書き",
    whereText: "起案前（下書き）",
    canEdit: true,
    canSubmit: true,
    canAmend: false,
    form: paymentForm,
  };
  const read: ProcurementPintImport = {
    invoice: {
      number: "INV-2026-0042",
      issueDate: "2026-11-05",
      sellerName: "株式会社東都事務機",
      sellerRegistration: "T1234567890123",
      buyerName: "東京都職員共済組合",
      lines: [
        { description: "複合機 A3カラー", quantity: "1", amount: "1200000", category: "S" },
        { description: "設置作業", quantity: "1", amount: "0", category: "S" },
      ],
      taxes: [{ category: "S", taxable: "1200000", tax: "120000" }],
      payable: "1320000",
      source: "jpPint",
    },
    payee: { bankCode: "0005", branchCode: "001", depositType: "1", accountNumber: "1234567", holderKana: "カ)トウトジムキ" },
    dueDate: "2026-12-05",
  };
  const xml = '<?xml version="1.0" encoding="UTF-8"?><Invoice><cbc:ID>INV-2026-0042</cbc:ID></Invoice>';
  const xmlFile = () => new File([xml], "INV-2026-0042.xml", { type: "application/xml" });

  function savedWith(view: ProcurementStepView) {
    mockApi.procurementSave.mockImplementation(async (input) => caseView([approvedRequest, { ...view, title: input.title, form: input.form as ProcurementStepView["form"] }]));
  }

  it("reads the XML into the invoice and the empty 振込先, and says what to do next", async () => {
    mockApi.procurementImportInvoice.mockResolvedValue(read);
    savedWith(paymentDraft);
    const { user } = await openCase([approvedRequest, paymentDraft]);
    const input = screen.getByLabelText("JP PINT（XML）を読み込む");
    expect(input).toHaveAttribute("type", "file");
    expect(input).toHaveAttribute("accept", expect.stringContaining(".xml"));
    await user.upload(input, xmlFile());
    await waitFor(() => expect(mockApi.procurementImportInvoice).toHaveBeenCalledTimes(1));
    const data = mockApi.procurementImportInvoice.mock.calls[0]![0];
    expect(new TextDecoder().decode(Uint8Array.from(atob(data), (c) => c.charCodeAt(0)))).toBe(xml);
    expect(await screen.findByTestId("pint-success")).toHaveTextContent("請求書 INV-2026-0042 を読み込みました。内容を確認して保存してください。");
    expect(screen.getByTestId("inv-number")).toHaveValue("INV-2026-0042");
    expect(screen.getByTestId("inv-registration")).toHaveValue("T1234567890123");
    expect(screen.getByTestId("inv-payable")).toHaveValue("1320000");
    expect(screen.getAllByTestId("inv-line-row")).toHaveLength(2);
    expect(screen.getByTestId("inv-line-0-description")).toHaveValue("複合機 A3カラー");
    expect(screen.getByTestId("pay-bank")).toHaveValue("0005");
    expect(screen.getByTestId("pay-holder")).toHaveValue("カ)トウトジムキ");

    await user.click(screen.getByTestId("procurement-save"));
    await waitFor(() => expect(mockApi.procurementSave).toHaveBeenCalledTimes(1));
    const sent = mockApi.procurementSave.mock.calls[0]![0];
    expect(sent.id).toBe(PAY);
    expect(sent.form).toEqual({ ...paymentForm, invoice: read.invoice, payee: read.payee, paymentDate: "2026-12-05" });
  });

  it("keeps a 振込先 the clerk typed and a 支払予定日 already set", async () => {
    mockApi.procurementImportInvoice.mockResolvedValue(read);
    const typed: ProcurementStepView = { ...paymentDraft, form: { ...paymentForm, paymentDate: "2026-11-30" } };
    savedWith(typed);
    const { user } = await openCase([approvedRequest, typed]);
    await user.type(screen.getByTestId("pay-bank"), "0009");
    await user.type(screen.getByTestId("pay-account"), "7654321");
    await user.upload(screen.getByLabelText("JP PINT（XML）を読み込む"), xmlFile());
    await screen.findByTestId("pint-success");
    expect(screen.getByTestId("inv-number")).toHaveValue("INV-2026-0042");
    expect(screen.getByTestId("pay-bank")).toHaveValue("0009");
    expect(screen.getByTestId("pay-account")).toHaveValue("7654321");
    expect(screen.getByTestId("pay-holder")).toHaveValue("");

    await user.click(screen.getByTestId("procurement-save"));
    await waitFor(() => expect(mockApi.procurementSave).toHaveBeenCalledTimes(1));
    const form = mockApi.procurementSave.mock.calls[0]![0].form;
    expect(form.kind === "payment_order" && [form.payee, form.paymentDate, form.invoice.number]).toEqual([
      { ...emptyPayee, bankCode: "0009", accountNumber: "7654321" },
      "2026-11-30",
      "INV-2026-0042",
    ]);
  });

  it("shows the Japanese reason and leaves the form as it was when the XML cannot be read", async () => {
    mockApi.procurementImportInvoice.mockRejectedValue(
      new BackendError("pint.not_invoice", "JP PINT の請求書ではありません。請求書のXMLファイルを選んでください。"),
    );
    const { user } = await openCase([approvedRequest, paymentDraft]);
    await user.type(screen.getByTestId("inv-number"), "A-1");
    await user.upload(screen.getByLabelText("JP PINT（XML）を読み込む"), xmlFile());
    const alert = await screen.findByTestId("pint-error");
    expect(alert).toHaveAttribute("role", "alert");
    expect(alert).toHaveTextContent("JP PINT の請求書ではありません。請求書のXMLファイルを選んでください。");
    expect(screen.getByTestId("inv-number")).toHaveValue("A-1");
    expect(screen.getByTestId("inv-seller")).toHaveValue("株式会社東都事務機");
    expect(screen.getAllByTestId("inv-line-row")).toHaveLength(1);
    expect(screen.getByTestId("pay-bank")).toHaveValue("");
    expect(screen.queryByTestId("pint-success")).not.toBeInTheDocument();
  });

  it("offers no import on a 支出命令 that cannot be edited", async () => {
    await openCase([approvedRequest, { ...paymentDraft, status: "approved", statusLabel: "決裁済み", canEdit: false, canSubmit: false }]);
    expect(screen.getByTestId("inv-number")).toBeInTheDocument();
    expect(screen.queryByTestId("pint-file")).not.toBeInTheDocument();
  });
});

import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { OcrInvoiceChoice, OcrInvoiceImport, ProcurementCaseView, ProcurementStepView } from "../backend";
import { BackendError } from "../backend/errors";
import { AppStateProvider } from "../shell/appState";
import { mockApi, resetMockApi } from "../test/mockBackend";
import { ProcurementCase } from "./ProcurementCase";

vi.mock("../backend", async () => (await import("../test/mockBackend")).backendModule);

const REQ = "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b4d01";
const PAY = "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b4d04";
const DOC_A = "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b6b01";
const DOC_B = "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b6b02";

const emptyPayee = { bankCode: "", branchCode: "", depositType: "", accountNumber: "", holderKana: "" };
const paymentForm = {
  kind: "payment_order" as const,
  invoice: {
    number: "",
    issueDate: "",
    sellerName: "株式会社東都事務機",
    sellerRegistration: "T1234567890123",
    buyerName: "",
    lines: [],
    taxes: [],
    payable: "",
    source: "manual",
  },
  invoiceReceivedOn: "2026-11-26",
  returnedOn: "",
  correctedReceivedOn: "",
  paymentDate: "2026-12-04",
  payee: emptyPayee,
  ocrDocumentId: null,
};

const paymentDraft: ProcurementStepView = {
  id: PAY,
  kind: "payment_order",
  kindLabel: "支出命令",
  title: "窓口用消耗品の購入（支出命令）",
  parent: REQ,
  amountText: "0",
  status: "draft",
  statusLabel: "下書き",
  whereText: "起案前（下書き）",
  form: paymentForm,
  findings: [],
  canEdit: true,
  canSubmit: false,
  canWithdraw: false,
  canAmend: false,
  amends: null,
  nextKind: null,
  nextLabel: null,
  label: null,
  pending: false,
  deadline: null,
  updatedAt: "2026-11-26T01:00:00Z",
  ocrProvenance: null,
};

const choices: OcrInvoiceChoice[] = [
  {
    id: DOC_A,
    documentLabel: "20261120-091500-seikyu",
    sourceName: "seikyu-1120.pdf",
    sellerName: "株式会社東都事務機",
    number: "INV-2511-0042",
    issueDate: "2025-11-18",
    payable: "58,300",
  },
  {
    id: DOC_B,
    documentLabel: "20261125-140200-seikyu",
    sourceName: "seikyu-1125.pdf",
    sellerName: "有限会社みどり商会",
    number: "SEI-2511-0007",
    issueDate: "2025-11-21",
    payable: "12,960",
  },
];

const provenance: OcrInvoiceImport["provenance"] = {
  documentId: DOC_B,
  documentLabel: "20261125-140200-seikyu",
  sourceName: "seikyu-1125.pdf",
  fields: [
    {
      field: "statedPayable",
      label: "ご請求金額",
      engineValue: "12960",
      value: "12960",
      resolution: "confirmed",
      resolutionLabel: "確認",
      engine: "tesseract 5.3.0",
      confidence: 72,
      by: ["佐藤 花子"],
      at: "2026-11-25 14:10",
    },
    {
      field: "payeeAccount.accountNumber",
      label: "口座番号",
      engineValue: "7654327",
      value: "7654321",
      resolution: "corrected",
      resolutionLabel: "修正",
      engine: "tesseract 5.3.0",
      confidence: 41,
      by: ["佐藤 花子"],
      at: "2026-11-25 14:11",
    },
  ],
};

const taken: OcrInvoiceImport = {
  invoice: {
    number: "SEI-2511-0007",
    issueDate: "2025-11-21",
    sellerName: "有限会社みどり商会",
    sellerRegistration: "T5010401067252",
    buyerName: "東京都職員共済組合",
    lines: [
      { description: "請求書記載の合計（10%対象）", quantity: "", amount: "9000", category: "S" },
      { description: "請求書記載の合計（8%対象）", quantity: "", amount: "3000", category: "AA" },
    ],
    taxes: [
      { category: "S", taxable: "9000", tax: "900" },
      { category: "AA", taxable: "3000", tax: "240" },
    ],
    payable: "13140",
    source: "ocr",
  },
  payee: { bankCode: "0009", branchCode: "123", depositType: "1", accountNumber: "7654321", holderKana: "ミドリシヨウカイ" },
  dueDate: null,
  provenance,
};

function caseView(steps: ProcurementStepView[]): ProcurementCaseView {
  return { id: REQ, title: "窓口用消耗品の購入", steps };
}

beforeEach(() => {
  resetMockApi();
});

async function openCase(steps: ProcurementStepView[]) {
  mockApi.procurementCase.mockResolvedValue(caseView(steps));
  const user = userEvent.setup();
  render(<ProcurementCase caseId={REQ} onClose={() => {}} onSaved={() => {}} />, { wrapper: AppStateProvider });
  await screen.findByTestId("procurement-editor");
  return { user };
}

describe("ProcurementCase: 「AI-OCRで確認した請求書から」 into the 支出命令", () => {
  it("lists the verified invoices beside the JP PINT import", async () => {
    mockApi.ocrVerifiedInvoices.mockResolvedValue(choices);
    const { user } = await openCase([paymentDraft]);
    expect(screen.getByLabelText("JP PINT（XML）を読み込む")).toBeInTheDocument();
    const open = screen.getByRole("button", { name: "AI-OCRで確認した請求書から" });
    expect(open).toHaveAttribute("aria-expanded", "false");
    await user.click(open);
    const list = await screen.findByTestId("ocr-invoice-list");
    expect(open).toHaveAttribute("aria-expanded", "true");
    const items = within(list).getAllByTestId("ocr-invoice-choice");
    expect(items).toHaveLength(2);
    // (Text matching folds the full-width spaces between the parts.)
    expect(items[0]).toHaveTextContent("株式会社東都事務機 請求書番号 INV-2511-0042 請求日 2025-11-18 58,300円");
    expect(items[0]).toHaveTextContent("読取元: seikyu-1120.pdf（20261120-091500-seikyu）");
    // Keyboard: the first invoice has focus; Esc closes and gives focus back.
    expect(items[0]).toHaveFocus();
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("ocr-invoice-list")).not.toBeInTheDocument();
    expect(open).toHaveFocus();
    expect(mockApi.ocrTakeInvoice).not.toHaveBeenCalled();
  });

  it("takes the chosen invoice (↓ Enter) into the form as the JP PINT import does, shows the provenance and saves the document's id", async () => {
    mockApi.ocrVerifiedInvoices.mockResolvedValue(choices);
    mockApi.ocrTakeInvoice.mockResolvedValue(taken);
    mockApi.procurementSave.mockImplementation(async (input) =>
      caseView([{ ...paymentDraft, form: input.form as ProcurementStepView["form"], ocrProvenance: provenance }]),
    );
    const { user } = await openCase([paymentDraft]);
    await user.click(screen.getByTestId("ocr-invoice-open"));
    await screen.findByTestId("ocr-invoice-list");
    await user.keyboard("{ArrowDown}");
    expect(screen.getAllByTestId("ocr-invoice-choice")[1]).toHaveFocus();
    await user.keyboard("{Enter}");
    await waitFor(() => expect(mockApi.ocrTakeInvoice).toHaveBeenCalledWith(DOC_B));
    expect(await screen.findByTestId("ocr-invoice-success")).toHaveTextContent("請求書 SEI-2511-0007 を取り込みました。内容を確認して保存してください。");
    expect(screen.queryByTestId("ocr-invoice-list")).not.toBeInTheDocument();
    expect(screen.getByTestId("inv-number")).toHaveValue("SEI-2511-0007");
    expect(screen.getByTestId("inv-seller")).toHaveValue("有限会社みどり商会");
    expect(screen.getByTestId("inv-registration")).toHaveValue("T5010401067252");
    expect(screen.getByTestId("inv-payable")).toHaveValue("13140");
    expect(screen.getAllByTestId("inv-line-row")).toHaveLength(2);
    expect(screen.getByTestId("inv-line-1-description")).toHaveValue("請求書記載の合計（8%対象）");
    expect(screen.getAllByTestId("inv-tax-row")).toHaveLength(2);
    expect(screen.getByTestId("inv-tax-1-tax")).toHaveValue("240");
    // The empty 振込先 is filled; the 支払予定日 already set stays.
    expect(screen.getByTestId("pay-account")).toHaveValue("7654321");
    expect(screen.getByTestId("pay-holder")).toHaveValue("ミドリシヨウカイ");
    const table = screen.getByTestId("pay-ocr-provenance");
    expect(table).toHaveTextContent("紙の請求書から読み取った値（AI-OCR）");
    expect(table).toHaveTextContent("読取元: seikyu-1125.pdf（20261125-140200-seikyu）");
    const row = within(table)
      .getAllByTestId("acq-provenance-row")
      .find((r) => r.getAttribute("data-field") === "payeeAccount.accountNumber")!;
    expect(row).toHaveTextContent("7654327");
    expect(row).toHaveTextContent("修正");
    expect(row).toHaveTextContent("佐藤 花子");

    await user.click(screen.getByTestId("procurement-save"));
    await waitFor(() => expect(mockApi.procurementSave).toHaveBeenCalledTimes(1));
    const sent = mockApi.procurementSave.mock.calls[0]![0];
    expect(sent.form).toEqual({ ...paymentForm, invoice: taken.invoice, payee: taken.payee, ocrDocumentId: DOC_B });
    expect(await screen.findByTestId("pay-ocr-provenance")).toBeInTheDocument();
  });

  it("drops the provenance and the document when a JP PINT invoice replaces the one read", async () => {
    mockApi.ocrVerifiedInvoices.mockResolvedValue(choices);
    mockApi.ocrTakeInvoice.mockResolvedValue(taken);
    mockApi.procurementImportInvoice.mockResolvedValue({
      invoice: { ...taken.invoice, number: "INV-PINT-1", source: "jpPint" },
      payee: null,
      dueDate: null,
    });
    mockApi.procurementSave.mockImplementation(async (input) => caseView([{ ...paymentDraft, form: input.form as ProcurementStepView["form"] }]));
    const { user } = await openCase([paymentDraft]);
    await user.click(screen.getByTestId("ocr-invoice-open"));
    await user.click((await screen.findAllByTestId("ocr-invoice-choice"))[0]!);
    await screen.findByTestId("pay-ocr-provenance");
    await user.upload(screen.getByLabelText("JP PINT（XML）を読み込む"), new File(["<Invoice/>"], "a.xml", { type: "application/xml" }));
    await screen.findByTestId("pint-success");
    expect(screen.queryByTestId("pay-ocr-provenance")).not.toBeInTheDocument();
    await user.click(screen.getByTestId("procurement-save"));
    await waitFor(() => expect(mockApi.procurementSave).toHaveBeenCalledTimes(1));
    expect(mockApi.procurementSave.mock.calls[0]![0].form).toMatchObject({ ocrDocumentId: null, invoice: { number: "INV-PINT-1" } });
  });

  it("says so when no invoice is verified yet", async () => {
    mockApi.ocrVerifiedInvoices.mockResolvedValue([]);
    const { user } = await openCase([paymentDraft]);
    await user.click(screen.getByTestId("ocr-invoice-open"));
    expect(await screen.findByTestId("ocr-invoice-empty")).toHaveTextContent(
      "確認済みの請求書はありません（AI-OCR確認で請求書を読み取り、確認してください）",
    );
    expect(screen.queryByTestId("ocr-invoice-choice")).not.toBeInTheDocument();
  });

  it("keeps the form as it was and says why when the invoice cannot be taken", async () => {
    mockApi.ocrVerifiedInvoices.mockResolvedValue(choices);
    mockApi.ocrTakeInvoice.mockRejectedValue(
      new BackendError("ocr.handed_off", "この請求書は既に別の支出命令に取り込まれています。一覧から選び直してください。"),
    );
    const { user } = await openCase([paymentDraft]);
    await user.click(screen.getByTestId("ocr-invoice-open"));
    await user.click((await screen.findAllByTestId("ocr-invoice-choice"))[0]!);
    const alert = await screen.findByTestId("ocr-invoice-error");
    expect(alert).toHaveAttribute("role", "alert");
    expect(alert).toHaveTextContent("この請求書は既に別の支出命令に取り込まれています。");
    expect(screen.getByTestId("inv-number")).toHaveValue("");
    expect(screen.queryByTestId("pay-ocr-provenance")).not.toBeInTheDocument();
  });

  it("shows the provenance of a saved 支出命令 whose invoice was read on paper, with no import offered once decided", async () => {
    const decided: ProcurementStepView = {
      ...paymentDraft,
      status: "approved",
      statusLabel: "決裁済み",
      canEdit: false,
      form: { ...paymentForm, invoice: taken.invoice, payee: taken.payee! },
      ocrProvenance: provenance,
    };
    await openCase([decided]);
    const table = screen.getByTestId("pay-ocr-provenance");
    expect(within(table).getAllByTestId("acq-provenance-row")).toHaveLength(2);
    expect(screen.queryByTestId("ocr-invoice-open")).not.toBeInTheDocument();
    expect(screen.queryByTestId("pint-file")).not.toBeInTheDocument();
  });
});

import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { ProcurementPayableOrder, ProcurementTransferPreview } from "../backend";
import { dateView, onlineStatus } from "../test/fixtures";
import { AppStateProvider } from "../shell/appState";
import { emitSyncStatus, mockApi, resetMockApi } from "../test/mockBackend";
import { ProcurementTransfer } from "./ProcurementTransfer";

vi.mock("../backend", async () => (await import("../test/mockBackend")).backendModule);

const orders: ProcurementPayableOrder[] = [
  { id: "p1", title: "複合機の購入", payee: "株式会社東都事務機", amountText: "1,320,000", paymentDate: "2026-12-10" },
  { id: "p2", title: "窓口用封筒の印刷", payee: "有限会社みどり印刷", amountText: "88,000", paymentDate: "2026-12-10" },
];

const dec10 = dateView("2026-12-10", "reiwa", "令和", 8);
const dec11 = dateView("2026-12-11", "reiwa", "令和", 8);

const requester = "ﾄｳｷﾖｳﾄｼﾖｸｲﾝｷﾖｳｻｲｸﾐｱｲ";

/** What Rust would say for the chosen orders: both rows, or only p1. */
function previewOf(ids: string[], transferDate: string): ProcurementTransferPreview {
  const rows = [
    { about: "複合機の購入", bank: "ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ（0005）", branch: "ﾎﾝﾃﾝ（001）", depositType: "普通", accountNumber: "1234567", payee: "ｶ)ﾄｳﾄｼﾞﾑｷ", amountText: "1,320,000" },
    { about: "窓口用封筒の印刷", bank: "ﾕｳﾁﾖ（9900）", branch: "〇一八（018）", depositType: "普通", accountNumber: "0123456", payee: "ﾕ)ﾐﾄﾞﾘｲﾝｻﾂ", amountText: "88,000" },
  ].filter((_, i) => ids.includes(i === 0 ? "p1" : "p2"));
  const total = ids.includes("p2") ? (ids.includes("p1") ? "1,408,000" : "88,000") : "1,320,000";
  return { requester, transferDate, rows, count: rows.length, totalText: total, errors: [] };
}

beforeEach(() => {
  resetMockApi();
  mockApi.procurementPayable.mockResolvedValue(orders);
  mockApi.procurementPayer.mockResolvedValue({ id: "payer", code: "1234567890", nameKana: "ﾄｳｷﾖｳﾄｼﾖｸｲﾝｷﾖｳｻｲｸﾐｱｲ", bankCode: "0005", branchCode: "001", depositType: "1", accountNumber: "7654321" });
  mockApi.warekiToDate.mockResolvedValue(dec10);
  mockApi.procurementPreviewTransfer.mockImplementation(async (ids, date) => previewOf(ids, date));
});

async function renderTab() {
  const user = userEvent.setup();
  render(<ProcurementTransfer />, { wrapper: AppStateProvider });
  await waitFor(() => expect(screen.getAllByTestId("payable-row")).toHaveLength(2));
  return { user };
}

async function enterDate(user: ReturnType<typeof userEvent.setup>) {
  await user.type(screen.getByLabelText("年", { selector: "#transfer-date-year" }), "8");
  await user.type(screen.getByLabelText("月", { selector: "#transfer-date-month" }), "12");
  await user.type(screen.getByLabelText("日", { selector: "#transfer-date-day" }), "10{Enter}");
  await waitFor(() => expect(screen.getByTestId("transfer-date-result")).toHaveTextContent("2026"));
}

async function previewClean(user: ReturnType<typeof userEvent.setup>) {
  await user.click(screen.getByTestId("transfer-preview"));
  await screen.findByTestId("transfer-preview-table");
  expect(screen.getByTestId("transfer-export")).not.toHaveAttribute("aria-disabled");
}

describe("ProcurementTransfer", () => {
  it("shows the payer and the payable orders, and lists the errors when nothing could be written", async () => {
    mockApi.procurementExportTransfer.mockResolvedValue({
      path: "",
      count: 0,
      totalText: "0",
      errors: [{ about: "窓口用封筒の印刷", field: "holderKana", code: "zengin.kana", message: "口座名義に使えない文字があります。契約相手方の口座名義（カナ）を直してください。" }],
    });
    const { user } = await renderTab();
    expect(screen.getByTestId("payer-code")).toHaveValue("1234567890");
    expect(screen.getAllByTestId("payable-row")[0]).toHaveTextContent("1,320,000 円");
    const checks = screen.getAllByTestId("payable-check");
    await user.click(checks[0]!);
    await user.click(checks[1]!);
    expect(screen.getByTestId("transfer-selected")).toHaveTextContent("2 件");
    await enterDate(user);
    await previewClean(user);
    await user.click(screen.getByTestId("transfer-export"));
    await waitFor(() => expect(mockApi.procurementExportTransfer).toHaveBeenCalledWith(["p1", "p2"], "2026-12-10"));
    const box = await screen.findByTestId("transfer-errors");
    expect(box).toHaveTextContent("振込データは作成していません");
    const rows = within(box).getAllByTestId("transfer-error-row");
    expect(rows[0]).toHaveTextContent("窓口用封筒の印刷");
    expect(rows[0]).toHaveTextContent("口座名義に使えない文字があります。");
    expect(screen.queryByTestId("transfer-done")).not.toBeInTheDocument();
  });

  it("writes the file and shows where, how many and the total", async () => {
    mockApi.procurementExportTransfer.mockResolvedValue({ path: "C:\\Users\\sato.hanako\\Downloads\\sofuri_20261210.txt", count: 1, totalText: "1,320,000", errors: [] });
    const { user } = await renderTab();
    await user.click(screen.getAllByTestId("payable-check")[0]!);
    await enterDate(user);
    await previewClean(user);
    await user.click(screen.getByTestId("transfer-export"));
    const done = await screen.findByTestId("transfer-done");
    expect(done).toHaveTextContent("振込データを作成しました（1 件、合計 1,320,000 円）。");
    expect(screen.getByTestId("transfer-path")).toHaveTextContent("sofuri_20261210.txt");
  });

  it("asks for the date before checking", async () => {
    const { user } = await renderTab();
    await user.click(screen.getAllByTestId("payable-check")[0]!);
    await user.click(screen.getByTestId("transfer-preview"));
    expect(await screen.findByTestId("transfer-error")).toHaveTextContent("振込指定日を入力してください。");
    expect(mockApi.procurementPreviewTransfer).not.toHaveBeenCalled();
    expect(mockApi.procurementExportTransfer).not.toHaveBeenCalled();
  });

  it("shows what the file would hold before it can be written", async () => {
    mockApi.procurementExportTransfer.mockResolvedValue({ path: "C:\\Users\\sato.hanako\\Downloads\\sofuri_20261210.txt", count: 2, totalText: "1,408,000", errors: [] });
    const { user } = await renderTab();
    const checks = screen.getAllByTestId("payable-check");
    await user.click(checks[0]!);
    await user.click(checks[1]!);
    await enterDate(user);
    // Not before a preview: the button says so and writes nothing.
    const exportButton = screen.getByTestId("transfer-export");
    expect(exportButton).toHaveAttribute("aria-disabled", "true");
    await user.click(exportButton);
    expect(await screen.findByTestId("transfer-error")).toHaveTextContent("先に「内容を確認」で振込データの内容を確かめてください。");
    expect(mockApi.procurementExportTransfer).not.toHaveBeenCalled();

    await user.click(screen.getByTestId("transfer-preview"));
    await waitFor(() => expect(mockApi.procurementPreviewTransfer).toHaveBeenCalledWith(["p1", "p2"], "2026-12-10"));
    const table = await screen.findByTestId("transfer-preview-table");
    const requesterLine = within(table).getByTestId("transfer-requester");
    expect(requesterLine).toHaveTextContent(`振込依頼人：${requester}`);
    expect(requesterLine).toHaveTextContent("振込指定日：2026-12-10");
    const rows = within(table).getAllByTestId("transfer-preview-row");
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent("複合機の購入");
    expect(rows[0]).toHaveTextContent("ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ（0005） ﾎﾝﾃﾝ（001） 普通 1234567");
    expect(rows[0]).toHaveTextContent("ｶ)ﾄｳﾄｼﾞﾑｷ");
    expect(rows[0]).toHaveTextContent("1,320,000 円");
    expect(rows[1]).toHaveTextContent("ﾕ)ﾐﾄﾞﾘｲﾝｻﾂ");
    expect(within(table).getByTestId("transfer-preview-total")).toHaveTextContent("合計 2件 / 1,408,000円");
    expect(screen.queryByTestId("transfer-error")).not.toBeInTheDocument();

    expect(exportButton).not.toHaveAttribute("aria-disabled");
    await user.click(exportButton);
    await waitFor(() => expect(mockApi.procurementExportTransfer).toHaveBeenCalledWith(["p1", "p2"], "2026-12-10"));
    expect(await screen.findByTestId("transfer-done")).toHaveTextContent("振込データを作成しました（2 件、合計 1,408,000 円）。");
  });

  it("lists what must be fixed and keeps 振込データを作成 closed", async () => {
    mockApi.procurementPreviewTransfer.mockResolvedValue({
      requester,
      transferDate: "2026-12-10",
      rows: [],
      count: 0,
      totalText: "0",
      errors: [
        { about: "窓口用封筒の印刷", field: "holderKana", code: "zengin.kana", message: "口座名義に使えない文字があります。契約相手方の口座名義（カナ）を直してください。" },
        { about: "振込依頼人", field: "code", code: "zengin.requester_code", message: "依頼人コードを10桁で入力してください。" },
      ],
    });
    const { user } = await renderTab();
    await user.click(screen.getAllByTestId("payable-check")[1]!);
    await enterDate(user);
    await user.click(screen.getByTestId("transfer-preview"));
    const box = await screen.findByTestId("transfer-preview-errors");
    expect(box).toHaveTextContent("直す必要がある項目が 2 件あります。");
    const rows = within(box).getAllByTestId("transfer-preview-error-row");
    expect(rows[0]).toHaveTextContent("窓口用封筒の印刷：口座名義に使えない文字があります。");
    expect(rows[1]).toHaveTextContent("振込依頼人：依頼人コードを10桁で入力してください。");
    expect(screen.queryByTestId("transfer-preview-table")).not.toBeInTheDocument();
    expect(screen.getByTestId("transfer-export")).toHaveAttribute("aria-disabled", "true");
    await user.click(screen.getByTestId("transfer-export"));
    expect(mockApi.procurementExportTransfer).not.toHaveBeenCalled();
  });

  it("asks for a new preview when the selection or the date changes", async () => {
    mockApi.procurementExportTransfer.mockResolvedValue({ path: "C:\\Users\\sato.hanako\\Downloads\\sofuri_20261211.txt", count: 1, totalText: "1,320,000", errors: [] });
    const { user } = await renderTab();
    const checks = screen.getAllByTestId("payable-check");
    await user.click(checks[0]!);
    await enterDate(user);
    await previewClean(user);

    // Another order chosen: the preview no longer stands for what would be written.
    await user.click(checks[1]!);
    expect(screen.getByTestId("transfer-preview-stale")).toHaveTextContent("もう一度「内容を確認」してください。");
    expect(screen.queryByTestId("transfer-preview-table")).not.toBeInTheDocument();
    expect(screen.getByTestId("transfer-export")).toHaveAttribute("aria-disabled", "true");
    // Back to the same selection: the preview stands again.
    await user.click(checks[1]!);
    expect(screen.getByTestId("transfer-export")).not.toHaveAttribute("aria-disabled");

    // Another date: the same.
    mockApi.warekiToDate.mockResolvedValue(dec11);
    const day = screen.getByLabelText("日", { selector: "#transfer-date-day" });
    await user.clear(day);
    await user.type(day, "11{Enter}");
    await waitFor(() => expect(screen.getByTestId("transfer-export")).toHaveAttribute("aria-disabled", "true"));
    await user.click(screen.getByTestId("transfer-export"));
    expect(mockApi.procurementExportTransfer).not.toHaveBeenCalled();
    await previewClean(user);
    expect(mockApi.procurementPreviewTransfer).toHaveBeenLastCalledWith(["p1"], "2026-12-11");
    await user.click(screen.getByTestId("transfer-export"));
    await waitFor(() => expect(mockApi.procurementExportTransfer).toHaveBeenCalledWith(["p1"], "2026-12-11"));
  });

  it("lists a payment order decided elsewhere after a sync", async () => {
    mockApi.syncStatus.mockResolvedValue(onlineStatus);
    await renderTab();
    await waitFor(() => expect(mockApi.syncStatus).toHaveBeenCalled());
    await act(async () => {});
    const third: ProcurementPayableOrder = { id: "p3", title: "研修会場の借上げ", payee: "株式会社都心会館", amountText: "450,000", paymentDate: "2026-12-15" };
    mockApi.procurementPayable.mockResolvedValue([...orders, third]);
    await emitSyncStatus({ ...onlineStatus, lastSyncAt: "2026-11-26T10:15:00+09:00" });
    await waitFor(() => expect(screen.getAllByTestId("payable-row")).toHaveLength(3));
    expect(screen.getAllByTestId("payable-row")[2]).toHaveTextContent("研修会場の借上げ");
    expect(mockApi.procurementPayer).toHaveBeenCalledTimes(1);
  });
});


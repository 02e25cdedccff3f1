import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { ProcurementPayableOrder } from "../backend";
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

beforeEach(() => {
  resetMockApi();
  mockApi.procurementPayable.mockResolvedValue(orders);
  mockApi.procurementPayer.mockResolvedValue({ id: "payer", code: "1234567890", nameKana: "ﾄｳｷﾖｳﾄｼﾖｸｲﾝｷﾖｳｻｲｸﾐｱｲ", bankCode: "0005", branchCode: "001", depositType: "1", accountNumber: "7654321" });
  mockApi.warekiToDate.mockResolvedValue(dec10);
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
    await user.click(screen.getByTestId("transfer-export"));
    const done = await screen.findByTestId("transfer-done");
    expect(done).toHaveTextContent("振込データを作成しました（1 件、合計 1,320,000 円）。");
    expect(screen.getByTestId("transfer-path")).toHaveTextContent("sofuri_20261210.txt");
  });

  it("asks for the date before writing", async () => {
    const { user } = await renderTab();
    await user.click(screen.getAllByTestId("payable-check")[0]!);
    await user.click(screen.getByTestId("transfer-export"));
    expect(await screen.findByTestId("transfer-error")).toHaveTextContent("振込指定日を入力してください。");
    expect(mockApi.procurementExportTransfer).not.toHaveBeenCalled();
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


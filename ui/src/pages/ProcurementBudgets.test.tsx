import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { ProcurementBudgetView } from "../backend";
import { BackendError } from "../backend/errors";
import { onlineStatus } from "../test/fixtures";
import { AppStateProvider } from "../shell/appState";
import { emitSyncStatus, mockApi, resetMockApi } from "../test/mockBackend";
import { ProcurementBudgets } from "./ProcurementBudgets";

vi.mock("../backend", async () => (await import("../test/mockBackend")).backendModule);

const supplies: ProcurementBudgetView = {
  id: "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b6a01",
  fiscalYear: 2026,
  code: "0102",
  name: "需用費 消耗品費",
  allocatedText: "3,000,000",
  committedText: "2,550,000",
  remainingText: "450,000",
  usedPercent: 85,
  label: null,
};

beforeEach(() => {
  resetMockApi();
});

describe("ProcurementBudgets", () => {
  it("lists the budget lines with amounts and the 使用率 bar", async () => {
    mockApi.procurementBudgets.mockResolvedValue([supplies]);
    render(<ProcurementBudgets />, { wrapper: AppStateProvider });
    const row = await screen.findByTestId("budget-row");
    expect(row).toHaveTextContent("2026年度");
    expect(row).toHaveTextContent("0102 需用費 消耗品費");
    expect(row).toHaveTextContent("3,000,000 円");
    expect(row).toHaveTextContent("2,550,000 円");
    expect(row).toHaveTextContent("450,000 円");
    expect(within(row).getByTestId("budget-used")).toHaveAttribute("aria-valuenow", "85");
    expect(row).toHaveTextContent("85%");
  });

  it("adds a budget line; a refusal shows why and keeps the form", async () => {
    const user = userEvent.setup();
    mockApi.procurementSaveBudget
      .mockRejectedValueOnce(new BackendError("validation", "配当額を1円以上で入力してください。"))
      .mockResolvedValueOnce({ ...supplies, id: "b2", code: "0201", name: "役務費 通信運搬費", allocatedText: "500,000", committedText: "0", remainingText: "500,000", usedPercent: 0 });
    render(<ProcurementBudgets />, { wrapper: AppStateProvider });
    await waitFor(() => expect(screen.getByTestId("budgets-empty")).toBeInTheDocument());
    await user.type(screen.getByTestId("budget-year"), "2026");
    await user.type(screen.getByTestId("budget-code"), "0201");
    await user.type(screen.getByTestId("budget-name"), "役務費 通信運搬費");
    await user.click(screen.getByTestId("budget-save"));
    expect(await screen.findByTestId("budget-banner-error")).toHaveTextContent("配当額を1円以上で入力してください。");
    expect(screen.getByTestId("budget-code")).toHaveValue("0201");
    await user.type(screen.getByTestId("budget-allocated"), "500,000");
    await user.click(screen.getByTestId("budget-save"));
    expect(await screen.findByTestId("budget-banner-success")).toHaveTextContent("予算「2026年度 0201 役務費 通信運搬費」を登録しました。");
    expect(mockApi.procurementSaveBudget).toHaveBeenLastCalledWith({ id: null, fiscalYear: "2026", code: "0201", name: "役務費 通信運搬費", allocated: "500,000" });
  });

  it("reads the lines again after a sync and keeps the form being typed", async () => {
    const user = userEvent.setup();
    mockApi.syncStatus.mockResolvedValue(onlineStatus);
    mockApi.procurementBudgets.mockResolvedValue([supplies]);
    render(<ProcurementBudgets />, { wrapper: AppStateProvider });
    expect(await screen.findByTestId("budget-row")).toHaveTextContent("450,000 円");
    await waitFor(() => expect(mockApi.syncStatus).toHaveBeenCalled());
    await act(async () => {});
    await user.type(screen.getByTestId("budget-code"), "0201");
    mockApi.procurementBudgets.mockResolvedValue([{ ...supplies, committedText: "2,880,000", remainingText: "120,000", usedPercent: 96 }]);
    await emitSyncStatus({ ...onlineStatus, lastSyncAt: "2026-11-26T10:15:00+09:00" });
    await waitFor(() => expect(screen.getByTestId("budget-row")).toHaveTextContent("120,000 円"));
    expect(within(screen.getByTestId("budget-row")).getByTestId("budget-used")).toHaveAttribute("aria-valuenow", "96");
    expect(screen.getByTestId("budget-code")).toHaveValue("0201");
  });
});

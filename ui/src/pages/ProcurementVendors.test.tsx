import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { ProcurementVendorForm, ProcurementVendorView } from "../backend";
import { BackendError } from "../backend/errors";
import { onlineStatus } from "../test/fixtures";
import { AppStateProvider } from "../shell/appState";
import { emitSyncStatus, mockApi, resetMockApi } from "../test/mockBackend";
import { ProcurementVendors } from "./ProcurementVendors";

vi.mock("../backend", async () => (await import("../test/mockBackend")).backendModule);

const form: ProcurementVendorForm = {
  id: "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b5a01",
  name: "株式会社東都事務機",
  nameKana: "カ)トウトジムキ",
  corporateNumber: "",
  invoiceRegistration: "T1234567890123",
  account: { bankCode: "0001", branchCode: "001", depositType: "1", accountNumber: "1234567", holderKana: "カ)トウトジムキ" },
  person: "山田 太郎",
  phone: "03-1234-5678",
  email: "",
  postalCode: "",
  address: "",
};

const vendor: ProcurementVendorView = { id: form.id!, form, accountText: "みずほ銀行 東京営業部 普通 1234567", label: null, findings: [] };

beforeEach(() => {
  resetMockApi();
});

async function renderTab(list: ProcurementVendorView[] = [vendor]) {
  mockApi.procurementVendors.mockResolvedValue(list);
  const user = userEvent.setup();
  render(<ProcurementVendors />, { wrapper: AppStateProvider });
  await waitFor(() => expect(mockApi.procurementVendors).toHaveBeenCalled());
  return { user };
}

describe("ProcurementVendors", () => {
  it("lists the vendors with their accounts and shows findings beside the field while typing", async () => {
    mockApi.procurementCheckVendor.mockImplementation(async (f) =>
      f.invoiceRegistration && !/^T\d{13}$/.test(f.invoiceRegistration)
        ? [{ field: "invoiceRegistration", code: "vendor.registration", severity: "error", message: "登録番号は T と13桁の数字で入力してください。" }]
        : [],
    );
    const { user } = await renderTab();
    const row = await screen.findByTestId("vendor-row");
    expect(row).toHaveTextContent("株式会社東都事務機");
    expect(row).toHaveTextContent("みずほ銀行 東京営業部 普通 1234567");
    await user.click(row);
    const reg = screen.getByTestId("vendor-registration");
    expect(reg).toHaveValue("T1234567890123");
    await user.clear(reg);
    await user.type(reg, "T12345");
    expect(await screen.findByText("登録番号は T と13桁の数字で入力してください。")).toBeInTheDocument();
    expect(reg).toHaveAttribute("aria-invalid", "true");
  });

  it("searches banks, converts a ゆうちょ 記号・番号 and saves; a failed save keeps the form", async () => {
    mockApi.procurementSearchBanks.mockResolvedValue([{ code: "0005", name: "三菱ＵＦＪ銀行", kana: "ミツビシユーエフジエイ" }]);
    mockApi.procurementYuchoAccount.mockResolvedValue({ bankCode: "9900", branchCode: "018", depositType: "1", accountNumber: "1234567", holderKana: "" });
    mockApi.procurementSaveVendor.mockRejectedValueOnce(new BackendError("procurement.office_unknown", "所属所が分かりません。サインインするか、「設定」で所属所番号を入力してください。"));
    const { user } = await renderTab([]);
    await user.click(screen.getByTestId("vendor-new"));
    await user.type(screen.getByTestId("vendor-name"), "有限会社みどり印刷");
    await user.type(screen.getByTestId("vendor-bank-search"), "三菱{Enter}");
    await user.click(within(await screen.findByTestId("vendor-bank-search-results")).getByRole("button"));
    expect(screen.getByTestId("vendor-bank")).toHaveValue("0005");
    await user.type(screen.getByTestId("yucho-kigo"), "10180");
    await user.type(screen.getByTestId("yucho-bango"), "12345671");
    await user.click(screen.getByTestId("yucho-convert"));
    await waitFor(() => expect(screen.getByTestId("vendor-bank")).toHaveValue("9900"));
    expect(screen.getByTestId("vendor-branch")).toHaveValue("018");
    expect(screen.getByTestId("vendor-account-number")).toHaveValue("1234567");

    await user.click(screen.getByTestId("vendor-save"));
    expect(await screen.findByTestId("vendor-banner-error")).toHaveTextContent("所属所が分かりません。");
    expect(screen.getByTestId("vendor-name")).toHaveValue("有限会社みどり印刷");

    mockApi.procurementSaveVendor.mockImplementation(async (f) => ({ ...vendor, form: { ...(f as ProcurementVendorForm), id: "v2" }, id: "v2" }));
    await user.click(screen.getByTestId("vendor-save"));
    expect(await screen.findByTestId("vendor-banner-success")).toHaveTextContent("契約相手方を保存しました。");
    expect(mockApi.procurementSaveVendor).toHaveBeenLastCalledWith(expect.objectContaining({ name: "有限会社みどり印刷", account: expect.objectContaining({ bankCode: "9900" }) }));
  });

  it("lists a vendor registered at another office after a sync", async () => {
    mockApi.syncStatus.mockResolvedValue(onlineStatus);
    await renderTab();
    expect(await screen.findAllByTestId("vendor-row")).toHaveLength(1);
    await waitFor(() => expect(mockApi.syncStatus).toHaveBeenCalled());
    await act(async () => {});
    const midori: ProcurementVendorView = {
      ...vendor,
      id: "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b5b01",
      form: { ...form, id: "0190f3b2-6c1e-7a40-9c1d-2f5e8a7b5b01", name: "有限会社みどり印刷", nameKana: "ﾕ)ﾐﾄﾞﾘｲﾝｻﾂ" },
    };
    mockApi.procurementVendors.mockResolvedValue([vendor, midori]);
    await emitSyncStatus({ ...onlineStatus, lastSyncAt: "2026-11-26T10:15:00+09:00" });
    await waitFor(() => expect(screen.getAllByTestId("vendor-row")).toHaveLength(2));
    expect(screen.getAllByTestId("vendor-row")[1]).toHaveTextContent("有限会社みどり印刷");
  });
});


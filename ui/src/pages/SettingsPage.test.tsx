import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { BackendError, type SettingsDraft } from "../backend";
import { AppStateProvider } from "../shell/appState";
import { StatusBar } from "../shell/StatusBar";
import { centralUrlNotHttps, officeCodeUnset, savedSettings, signedOutStatus } from "../test/fixtures";
import { emitSyncStatus, mockApi, resetMockApi } from "../test/mockBackend";
import { SettingsPage } from "./SettingsPage";

vi.mock("../backend", async () => (await import("../test/mockBackend")).backendModule);

async function renderPage() {
  const user = userEvent.setup();
  render(
    <AppStateProvider>
      <SettingsPage />
      <StatusBar />
    </AppStateProvider>,
  );
  await waitFor(() => expect(screen.getByTestId("settings-form")).not.toHaveAttribute("aria-busy"));
  const field = (name: string) => screen.getByRole("textbox", { name });
  return {
    user,
    centralUrl: field("中央サービスのURL"),
    rootCaPath: field("ルート証明書ファイル"),
    proxyUrl: field("プロキシ"),
    officeCode: field("所属所番号"),
  };
}

beforeEach(() => {
  resetMockApi();
});

describe("SettingsPage", () => {
  it("labels every field, names inputs by their keys and loads the saved values", async () => {
    mockApi.getSettings.mockResolvedValue(savedSettings);
    const { centralUrl, rootCaPath, proxyUrl, officeCode } = await renderPage();
    for (const [input, key] of [
      [centralUrl, "centralUrl"],
      [rootCaPath, "rootCaPath"],
      [proxyUrl, "proxyUrl"],
      [officeCode, "officeCode"],
    ] as const) {
      expect(input).toHaveAttribute("name", key);
      expect(input).toHaveAttribute("id", key);
      expect(input).toHaveAttribute("data-testid", `settings-${key}`);
      expect(input).toHaveAccessibleDescription(/./);
    }
    expect(centralUrl).toHaveValue("https://sync.kyosai.example.lg.jp/");
    expect(officeCode).toHaveValue("13104");
  });

  it("shows fields set by the machine policy read-only and says where they come from", async () => {
    mockApi.getSettings.mockResolvedValue({
      ...savedSettings,
      managed: ["centralUrl", "rootCaPath"],
      policyPath: "/etc/kyosai-desk/policy.json",
    });
    const { centralUrl, rootCaPath, proxyUrl, user } = await renderPage();
    expect(centralUrl).toHaveAttribute("readonly");
    expect(rootCaPath).toHaveAttribute("readonly");
    expect(proxyUrl).not.toHaveAttribute("readonly");
    expect(screen.getByTestId("settings-managed")).toHaveTextContent("/etc/kyosai-desk/policy.json");
    await user.type(centralUrl, "x");
    expect(centralUrl).toHaveValue("https://sync.kyosai.example.lg.jp/");
  });

  it("shows the policy's update and log keys read-only under IT管理者が設定している項目, without the grey-field notice", async () => {
    mockApi.getSettings.mockResolvedValue({
      ...savedSettings,
      managed: ["updateChannel", "updates", "logRetentionDays"],
      policyPath: "C:\\ProgramData\\KyosaiDesk\\policy.json",
      updateChannel: "beta",
      updates: "off",
      logRetentionDays: 90,
    });
    const { centralUrl, rootCaPath, proxyUrl, officeCode } = await renderPage();
    const block = screen.getByRole("region", { name: "IT管理者が設定している項目" });
    expect(block).toHaveAttribute("data-testid", "settings-policy");
    expect(within(block).getByTestId("settings-policy-source")).toHaveTextContent("C:\\ProgramData\\KyosaiDesk\\policy.json");
    expect(within(block).getByTestId("settings-policy-updateChannel")).toHaveTextContent("先行版");
    expect(within(block).getByText("更新の配信チャネル")).toBeInTheDocument();
    expect(within(block).getByTestId("settings-policy-updates")).toHaveTextContent("しない");
    expect(within(block).getByText("自動更新")).toBeInTheDocument();
    expect(within(block).getByTestId("settings-policy-logRetentionDays")).toHaveTextContent("90日");
    expect(within(block).getByText("ログの保存日数")).toBeInTheDocument();
    // Nothing on the form is grey, so the grey-field notice would point at nothing.
    expect(screen.queryByTestId("settings-managed")).toBeNull();
    for (const input of [centralUrl, rootCaPath, proxyUrl, officeCode]) expect(input).not.toHaveAttribute("readonly");
    // Nothing to type into in the block.
    expect(within(block).queryByRole("textbox")).toBeNull();
  });

  it("shows only the keys the policy sets, next to the grey fields and their notice", async () => {
    mockApi.getSettings.mockResolvedValue({
      ...savedSettings,
      managed: ["centralUrl", "updateChannel"],
      policyPath: "/etc/kyosai-desk/policy.json",
      updateChannel: "stable",
    });
    const { centralUrl } = await renderPage();
    expect(centralUrl).toHaveAttribute("readonly");
    expect(screen.getByTestId("settings-managed")).toHaveTextContent("/etc/kyosai-desk/policy.json");
    const block = screen.getByTestId("settings-policy");
    expect(within(block).getByTestId("settings-policy-updateChannel")).toHaveTextContent("安定版");
    expect(within(block).queryByTestId("settings-policy-updates")).toBeNull();
    expect(within(block).queryByTestId("settings-policy-logRetentionDays")).toBeNull();
  });

  it("shows no policy block and no notice on a PC without a policy", async () => {
    mockApi.getSettings.mockResolvedValue(savedSettings);
    await renderPage();
    expect(screen.queryByTestId("settings-policy")).toBeNull();
    expect(screen.queryByText("IT管理者が設定している項目")).toBeNull();
    expect(screen.queryByTestId("settings-managed")).toBeNull();
  });

  it("checks the whole draft when a field loses focus and shows that field's findings beside it", async () => {
    mockApi.checkSettings.mockResolvedValue([centralUrlNotHttps, officeCodeUnset]);
    const { user, centralUrl, officeCode } = await renderPage();

    await user.type(centralUrl, "http://sync.kyosai.example.lg.jp/");
    expect(mockApi.checkSettings).not.toHaveBeenCalled();
    await user.tab();

    const draft: SettingsDraft = {
      centralUrl: "http://sync.kyosai.example.lg.jp/",
      rootCaPath: "",
      proxyUrl: "",
      officeCode: "",
    };
    expect(mockApi.checkSettings).toHaveBeenCalledWith(draft);
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent(centralUrlNotHttps.message);
    expect(within(screen.getByTestId("settings-field-centralUrl")).getByRole("alert")).toBe(alert);
    expect(centralUrl).toHaveAttribute("aria-invalid", "true");
    expect(centralUrl).toHaveAccessibleDescription(expect.stringContaining(centralUrlNotHttps.message));
    // officeCode has not been visited yet: its warning waits.
    expect(screen.queryByText(officeCodeUnset.message)).not.toBeInTheDocument();

    await user.click(officeCode);
    await user.tab();
    const warning = await screen.findByText(officeCodeUnset.message);
    expect(warning.closest("[data-severity]")).toHaveAttribute("data-severity", "warning");
    expect(warning.closest("[role=alert]")).toBeNull(); // warnings are amber, not alerts
    expect(officeCode).not.toHaveAttribute("aria-invalid");
  });

  it("saves with Ctrl+S, says 保存しました and shows the values as saved", async () => {
    mockApi.saveSettings.mockImplementation(async (draft) => {
      // Rust restarts the sync loop with the new URL and says so.
      await emitSyncStatus(signedOutStatus);
      return {
        ...draft,
        officeCode: draft.officeCode.normalize("NFKC"), // Rust normalises full-width digits
        updatedAt: "2024-04-01T09:30:00+09:00",
        managed: [],
        policyPath: null,
      };
    });
    const { user, centralUrl, officeCode } = await renderPage();
    await user.type(centralUrl, "https://sync.kyosai.example.lg.jp/");
    await user.type(officeCode, "１３１０４");

    const notPrevented = fireEvent.keyDown(officeCode, { key: "s", code: "KeyS", ctrlKey: true });
    expect(notPrevented).toBe(false); // the webview's own Ctrl+S is suppressed

    expect(await screen.findByTestId("settings-saved")).toHaveTextContent("保存しました");
    expect(screen.getByTestId("settings-saved").closest("[role=status]")).not.toBeNull();
    expect(mockApi.saveSettings).toHaveBeenCalledTimes(1);
    expect(mockApi.saveSettings).toHaveBeenCalledWith({
      centralUrl: "https://sync.kyosai.example.lg.jp/",
      rootCaPath: "",
      proxyUrl: "",
      officeCode: "１３１０４",
    });
    expect(officeCode).toHaveValue("13104");
    // The status bar follows the saved settings.
    expect(screen.getByTestId("status-office")).toHaveTextContent("13104");
    expect(screen.getByTestId("status-central")).toHaveAttribute("title", expect.stringContaining("sync.kyosai.example.lg.jp"));
  });

  it("saves with the 保存 button too", async () => {
    const { user, officeCode } = await renderPage();
    await user.type(officeCode, "13104");
    await user.click(screen.getByRole("button", { name: "保存" }));
    expect(await screen.findByText("保存しました。")).toBeInTheDocument();
    expect(mockApi.saveSettings).toHaveBeenCalledTimes(1);
  });

  it("shows a save error at the top with role=alert and keeps everything typed", async () => {
    const message = "設定を保存できませんでした。ディスクの空き容量を確認してから、もう一度保存してください。";
    mockApi.saveSettings.mockRejectedValue(new BackendError("settings.write_failed", message));
    const { user, centralUrl, rootCaPath, proxyUrl, officeCode } = await renderPage();
    await user.type(centralUrl, "https://sync.kyosai.example.lg.jp/");
    await user.type(rootCaPath, "C:\\ProgramData\\Kyosai\\kyosai-root-ca.pem");
    await user.type(proxyUrl, "http://proxy.metro.tokyo.example.jp:8080");
    await user.type(officeCode, "13104");
    await user.click(screen.getByTestId("settings-save"));

    const alert = await screen.findByTestId("settings-error");
    expect(alert).toHaveAttribute("role", "alert");
    expect(alert).toHaveTextContent(message);
    expect(screen.queryByTestId("settings-saved")).not.toBeInTheDocument();
    expect(centralUrl).toHaveValue("https://sync.kyosai.example.lg.jp/");
    expect(rootCaPath).toHaveValue("C:\\ProgramData\\Kyosai\\kyosai-root-ca.pem");
    expect(proxyUrl).toHaveValue("http://proxy.metro.tokyo.example.jp:8080");
    expect(officeCode).toHaveValue("13104");
    // The form comes before the status bar in the page, the error before the first field.
    expect(alert.compareDocumentPosition(centralUrl) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  });

  it("does not save while Rust reports errors, and moves focus to the first one", async () => {
    mockApi.checkSettings.mockResolvedValue([centralUrlNotHttps]);
    const { user, centralUrl, officeCode } = await renderPage();
    await user.type(centralUrl, "http://sync.kyosai.example.lg.jp/");
    await user.click(officeCode);
    mockApi.checkSettings.mockClear();

    fireEvent.keyDown(officeCode, { key: "s", code: "KeyS", ctrlKey: true });

    expect(await screen.findByTestId("settings-error")).toHaveTextContent("赤で示した項目を直して");
    expect(mockApi.checkSettings).toHaveBeenCalled();
    expect(mockApi.saveSettings).not.toHaveBeenCalled();
    await waitFor(() => expect(centralUrl).toHaveFocus());
    expect(centralUrl).toHaveValue("http://sync.kyosai.example.lg.jp/");
  });
});

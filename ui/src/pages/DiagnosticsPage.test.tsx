import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { AuditLogView, DownloadedUpdate, IntegrityReport, UpdateOffer } from "../backend";
import { BackendError } from "../backend/errors";
import { AppStateProvider } from "../shell/appState";
import { healthyReport, savedSettings } from "../test/fixtures";
import { mockApi, resetMockApi } from "../test/mockBackend";
import { DiagnosticsPage } from "./DiagnosticsPage";

vi.mock("../backend", async () => (await import("../test/mockBackend")).backendModule);

beforeEach(() => {
  resetMockApi();
});

function renderPage() {
  render(
    <AppStateProvider>
      <DiagnosticsPage />
    </AppStateProvider>,
  );
}

describe("DiagnosticsPage", () => {
  it("shows the version, profile and where the files are", async () => {
    renderPage();
    expect(await screen.findByTestId("diag-version")).toHaveTextContent("0.1.0");
    expect(screen.getByTestId("diag-buildProfile")).toHaveTextContent("debug");
    expect(screen.getByTestId("diag-profile")).toHaveTextContent("default");
    expect(screen.getByTestId("diag-databasePath")).toHaveTextContent("kyosai.sqlite3");
    expect(screen.getByTestId("diag-schemaVersion")).toHaveTextContent("3");
  });

  it("runs the integrity check with a busy state and shows 正常 with the figures", async () => {
    let finish: (report: IntegrityReport) => void = () => undefined;
    mockApi.integrityCheck.mockImplementation(() => new Promise((resolve) => (finish = resolve)));
    const user = userEvent.setup();
    renderPage();
    const button = screen.getByRole("button", { name: "データベースの整合性を確認" });
    await user.click(button);
    expect(button).toHaveAttribute("aria-busy", "true");
    expect(button).toHaveTextContent("確認しています…");
    await user.click(button); // ignored while busy
    expect(mockApi.integrityCheck).toHaveBeenCalledTimes(1);

    finish(healthyReport);
    const result = await screen.findByTestId("diag-integrity-result");
    expect(result).toHaveTextContent("正常");
    expect(result).toHaveTextContent("1,234 ページ");
    expect(result).toHaveTextContent("4.8 MB（4,936 KB）");
    expect(result).toHaveTextContent("87 ミリ秒");
    expect(button).not.toHaveAttribute("aria-busy");
  });

  it("shows 異常 and the messages when the database has problems", async () => {
    mockApi.integrityCheck.mockResolvedValue({
      ...healthyReport,
      ok: false,
      foreignKeyViolations: 2,
      messages: ["row 12 missing from index idx_applications_office", "外部キー違反: dependents (2 件)"],
    });
    const user = userEvent.setup();
    renderPage();
    await user.click(screen.getByRole("button", { name: "データベースの整合性を確認" }));
    const result = await screen.findByTestId("diag-integrity-result");
    expect(result).toHaveTextContent("異常");
    expect(screen.getByTestId("diag-integrity-messages")).toHaveTextContent("idx_applications_office");
    expect(result).toHaveTextContent("2 件");
  });

  it("writes the audit log out for IT and shows the file, the count and the head", async () => {
    const head = `42:${"ab".repeat(32)}`;
    let finish: (view: AuditLogView) => void = () => undefined;
    mockApi.auditExport.mockImplementation(() => new Promise((resolve) => (finish = resolve)));
    const user = userEvent.setup();
    renderPage();
    const button = screen.getByRole("button", { name: "監査ログを書き出す" });
    await user.click(button);
    expect(button).toHaveAttribute("aria-busy", "true");
    await user.click(button); // ignored while busy
    expect(mockApi.auditExport).toHaveBeenCalledTimes(1);

    finish({ path: "/home/tanto/ダウンロード/監査ログ_20261126_153000.jsonl", count: 1234, head, intact: true, problem: null });
    const result = await screen.findByTestId("diag-audit-result");
    expect(result).toHaveTextContent("監査ログを書き出しました");
    expect(result).toHaveTextContent("1,234 件");
    expect(screen.getByTestId("diag-audit-head")).toHaveTextContent(head);
    expect(screen.getByTestId("diag-audit-path")).toHaveTextContent("監査ログ_20261126_153000.jsonl");
    expect(button).not.toHaveAttribute("aria-busy");
  });

  it("says where the audit log is broken when the check finds it", async () => {
    mockApi.auditStatus.mockResolvedValue({
      path: "",
      count: 57,
      head: `57:${"cd".repeat(32)}`,
      intact: false,
      problem: "監査ログの12件目（seq 12）が書き換えられています（内容とハッシュが一致しません）。",
    });
    const user = userEvent.setup();
    renderPage();
    await user.click(screen.getByRole("button", { name: "監査ログを確認" }));
    const result = await screen.findByTestId("diag-audit-result");
    expect(result).toHaveTextContent("監査ログに異常があります");
    expect(result).toHaveTextContent("seq 12");
    expect(result).toHaveTextContent("情報システム担当へ連絡してください");
    expect(screen.queryByTestId("diag-audit-path")).toBeNull();
  });

  it("shows the reason when the audit log cannot be written", async () => {
    mockApi.auditExport.mockRejectedValue(
      new BackendError("audit.write", "監査ログを書き出せませんでした（No space left on device）。"),
    );
    const user = userEvent.setup();
    renderPage();
    await user.click(screen.getByRole("button", { name: "監査ログを書き出す" }));
    expect(await screen.findByTestId("diag-audit-error")).toHaveTextContent("No space left on device");
  });
});

const offer: UpdateOffer = {
  version: "0.2.0",
  notes: "資格取得届の一括取込で、全角の生年月日を読めるようにしました。\n連絡メモの検索を速くしました。",
};
const downloaded: DownloadedUpdate = {
  version: "0.2.0",
  path: "C:\\Users\\sato.hanako\\AppData\\Local\\jp.or.kyosai.desk\\default\\updates\\kyosai-desk_0.2.0_x64-setup.exe",
  instruction:
    "共済デスクを終了してから、このファイルを実行して更新してください（情報システム担当が配布ツールで入れる場合は /S を付けて実行します）。",
};
const offlineMessage = "中央サービスに接続できません。ネットワークの接続を確認してください。";

describe("DiagnosticsPage: アプリの更新", () => {
  function section() {
    return screen.getByRole("region", { name: "アプリの更新" });
  }

  it("shows the current version and says 最新版です when nothing newer is published", async () => {
    let answer: (offer: UpdateOffer | null) => void = () => undefined;
    mockApi.updateCheck.mockImplementation(() => new Promise((resolve) => (answer = resolve)));
    const user = userEvent.setup();
    renderPage();
    expect(await within(section()).findByTestId("diag-update-current")).toHaveTextContent("0.1.0");
    expect(within(section()).getByTestId("diag-update-channel")).toHaveTextContent("安定版");
    const button = within(section()).getByRole("button", { name: "更新を確認" });
    await user.click(button);
    expect(button).toHaveAttribute("aria-busy", "true");
    await user.click(button); // ignored while busy
    expect(mockApi.updateCheck).toHaveBeenCalledTimes(1);

    answer(null);
    expect(await within(section()).findByText("最新版です（0.1.0）")).toBeInTheDocument();
    expect(within(section()).queryByRole("button", { name: "ダウンロードして署名を確認" })).toBeNull();
    expect(within(section()).queryByRole("alert")).toBeNull();
  });

  it("offers a newer version with its notes, downloads it with a busy state and shows the verified file and what to do", async () => {
    mockApi.updateCheck.mockResolvedValue(offer);
    let finish: (update: DownloadedUpdate) => void = () => undefined;
    mockApi.updateDownload.mockImplementation(() => new Promise((resolve) => (finish = resolve)));
    const user = userEvent.setup();
    renderPage();
    await user.click(screen.getByRole("button", { name: "更新を確認" }));
    const found = await screen.findByTestId("diag-update-offer");
    expect(found).toHaveTextContent("新しい版 0.2.0 があります");
    expect(screen.getByTestId("diag-update-notes")).toHaveTextContent("全角の生年月日を読めるようにしました");

    const download = screen.getByRole("button", { name: "ダウンロードして署名を確認" });
    await user.click(download);
    expect(download).toHaveAttribute("aria-busy", "true");
    expect(download).toHaveTextContent("ダウンロードして署名を確認しています…");
    await user.click(download); // ignored while busy
    await user.click(screen.getByTestId("diag-update-check")); // so is a new check
    expect(mockApi.updateDownload).toHaveBeenCalledTimes(1);
    expect(mockApi.updateCheck).toHaveBeenCalledTimes(1);

    finish(downloaded);
    const verified = await screen.findByTestId("diag-update-verified");
    expect(verified).toHaveTextContent("署名を確認しました（0.2.0）");
    expect(screen.getByTestId("diag-update-path")).toHaveTextContent("kyosai-desk_0.2.0_x64-setup.exe");
    expect(screen.getByTestId("diag-update-instruction")).toHaveTextContent(downloaded.instruction);
    expect(download).not.toHaveAttribute("aria-busy");

    await user.click(within(verified).getByRole("button", { name: "確認済みのファイルをコピー" }));
    expect(await within(verified).findByText("コピーしました。")).toBeInTheDocument();
    await expect(navigator.clipboard.readText()).resolves.toBe(downloaded.path);
  });

  it.each([
    [
      "update.signature_invalid",
      "更新ファイルの署名を確認できなかったため、更新を中止しファイルを削除しました。ファイルが途中で書き換えられたか、正規の鍵で署名されていません。情報システム担当に連絡してください。",
    ],
    ["update.signature_missing", "更新ファイルに署名がないため、更新を中止しました。情報システム担当に連絡してください（署名付きで公開し直す必要があります）。"],
  ])("refuses a download whose signature does not verify (%s) with a clear red alert", async (code, message) => {
    mockApi.updateCheck.mockResolvedValue(offer);
    mockApi.updateDownload.mockRejectedValue(new BackendError(code, message));
    const user = userEvent.setup();
    renderPage();
    await user.click(screen.getByRole("button", { name: "更新を確認" }));
    await user.click(await screen.findByRole("button", { name: "ダウンロードして署名を確認" }));
    const alert = await screen.findByTestId("diag-update-refused");
    expect(alert).toHaveAttribute("role", "alert");
    expect(alert).toHaveTextContent(
      "署名を確認できないため、ダウンロードしたファイルを削除しました。IT管理者に連絡してください。",
    );
    expect(alert).toHaveTextContent(message);
    expect(alert.className).toContain("bg-red-50");
    expect(screen.queryByTestId("diag-update-verified")).toBeNull();
    expect(screen.queryByTestId("diag-update-path")).toBeNull();
  });

  it("says the policy turns updates off as information, not as an error", async () => {
    const message =
      "このPCの共済デスクは、情報システム担当が配布ツールで更新します（管理者設定 updates: off）。アプリからは更新を確認しません。";
    mockApi.updateCheck.mockRejectedValue(new BackendError("update.disabled", message));
    const user = userEvent.setup();
    renderPage();
    await user.click(screen.getByRole("button", { name: "更新を確認" }));
    const info = await screen.findByTestId("diag-update-disabled");
    expect(info).toHaveTextContent("このPCではアプリから更新しません");
    expect(info).toHaveTextContent(message);
    expect(info.closest("[role=alert]")).toBeNull();
    expect(info.className).toContain("bg-blue-50");
    expect(within(section()).queryByRole("alert")).toBeNull();
  });

  it("does not offer a check on a PC whose policy turns updates off", async () => {
    mockApi.getSettings.mockResolvedValue({ ...savedSettings, managed: ["updates"], policyPath: "/etc/kyosai-desk/policy.json", updates: "off" });
    renderPage();
    const info = await screen.findByTestId("diag-update-policy-off");
    expect(info).toHaveTextContent("配布ツールで更新します");
    expect(screen.queryByRole("button", { name: "更新を確認" })).toBeNull();
    expect(mockApi.updateCheck).not.toHaveBeenCalled();
  });

  it("names the beta channel of a pilot PC", async () => {
    mockApi.getSettings.mockResolvedValue({ ...savedSettings, managed: ["updateChannel"], policyPath: "/etc/kyosai-desk/policy.json", updateChannel: "beta" });
    renderPage();
    expect(await screen.findByText("先行版")).toBeInTheDocument();
    expect(screen.getByTestId("diag-update-channel")).toHaveTextContent("先行版");
  });

  it("shows Rust's message when the central service cannot be reached, and when the download fails", async () => {
    mockApi.updateCheck.mockRejectedValueOnce(new BackendError("sync.offline", offlineMessage));
    const user = userEvent.setup();
    renderPage();
    await user.click(screen.getByRole("button", { name: "更新を確認" }));
    const alert = await screen.findByTestId("diag-update-error");
    expect(alert).toHaveAttribute("role", "alert");
    expect(alert).toHaveTextContent(`更新を確認できませんでした。${offlineMessage}`);

    mockApi.updateCheck.mockResolvedValue(offer);
    mockApi.updateDownload.mockRejectedValue(
      new BackendError(
        "update.download_failed",
        "更新ファイルを受け取れませんでした（connection reset）。しばらくしてからもう一度お試しください。続く場合は情報システム担当に連絡してください。",
      ),
    );
    await user.click(screen.getByRole("button", { name: "更新を確認" }));
    expect(screen.queryByTestId("diag-update-error")).toBeNull();
    await user.click(await screen.findByRole("button", { name: "ダウンロードして署名を確認" }));
    const failed = await screen.findByTestId("diag-update-download-error");
    expect(failed).toHaveAttribute("role", "alert");
    expect(failed).toHaveTextContent("更新をダウンロードできませんでした。更新ファイルを受け取れませんでした（connection reset）");
    expect(screen.queryByTestId("diag-update-refused")).toBeNull();
  });
});

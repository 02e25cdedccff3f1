import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { AuditLogView, IntegrityReport } from "../backend";
import { BackendError } from "../backend/errors";
import { AppStateProvider } from "../shell/appState";
import { healthyReport } from "../test/fixtures";
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

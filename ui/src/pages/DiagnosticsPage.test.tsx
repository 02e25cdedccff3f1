import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { IntegrityReport } from "../backend";
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
});

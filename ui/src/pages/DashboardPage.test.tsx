import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { DashboardView, SessionView } from "../backend";
import { BackendError } from "../backend/errors";
import { AppStateProvider } from "../shell/appState";
import { headSession, onlineStatus, session as clerkSession } from "../test/fixtures";
import { mockApi, resetMockApi } from "../test/mockBackend";
import { DashboardPage } from "./DashboardPage";
import { presetPeriod } from "./dashboard/model";
import { todayIso } from "../lib/text";

vi.mock("../backend", async () => (await import("../test/mockBackend")).backendModule);

const reviewer: SessionView = {
  userId: "shinsa",
  displayName: "高橋 誠",
  roles: [{ id: "secretariat_reviewer", name: "事務局審査担当" }],
  officeCode: null,
  officeName: null,
  positions: [],
};

function dashboard(over: Partial<DashboardView> = {}): DashboardView {
  return {
    from: "2026-04-01",
    to: "2027-03-31",
    office: null,
    compareAt: null,
    asOf: "2026-11-27T00:30:00Z",
    months: [
      { month: "2026-04", process: "acquisition", processLabel: "組合員資格取得届", started: 12, finished: 10, openAtEnd: 2 },
      { month: "2026-05", process: "acquisition", processLabel: "組合員資格取得届", started: 8, finished: 9, openAtEnd: 1 },
    ],
    steps: [
      {
        process: "acquisition",
        processLabel: "組合員資格取得届",
        step: "draft",
        stepLabel: "起案・作成",
        actorLabel: "所属所 担当者",
        order: 0,
        cases: 19,
        workMinutesMean: 10,
        workMinutesMedian: 9.5,
        workMinutesP90: 14,
        waitHoursMedian: 2,
        waitHoursP90: 20,
      },
    ],
    backlog: [{ process: "acquisition", processLabel: "組合員資格取得届", step: "所属所長", stepLabel: "所属所長", open: 3, oldestHours: 50 }],
    deadlineCases: 19,
    overdue: [
      {
        caseId: "c1",
        process: "acquisition",
        processLabel: "組合員資格取得届",
        title: "資格取得届 山田 太郎",
        office: "13104",
        ruleLabel: "5日以内の届出",
        due: "2026-05-10",
        met: "2026-05-12",
        daysLate: 2,
      },
    ],
    ocr: { documents: 40, fields: 800, autoAccepted: 700, straightThroughRate: 0.875 },
    flowTable: [
      {
        order: 1,
        process: "acquisition",
        processLabel: "組合員資格取得届",
        step: "draft",
        stepLabel: "起案・作成",
        actorLabel: "所属所 担当者",
        means: "共済デスク（電子決裁）",
        minutesPerCase: 10,
        casesPerYear: 30,
        hoursPerYear: 5,
      },
      {
        order: 2,
        process: "acquisition",
        processLabel: "組合員資格取得届",
        step: "所属所長",
        stepLabel: "所属所長",
        actorLabel: "所属所長",
        means: "共済デスク（電子決裁）",
        minutesPerCase: 2.5,
        casesPerYear: 30,
        hoursPerYear: 1.25,
      },
    ],
    comparison: [],
    mayChooseOffice: true,
    offices: [
      { code: "13101", label: "13101" },
      { code: "13104", label: "13104" },
    ],
    ...over,
  };
}

function signIn(s: SessionView) {
  mockApi.syncStatus.mockResolvedValue({ ...onlineStatus, signedInUser: s.userId });
  mockApi.session.mockResolvedValue(s);
}

beforeEach(() => {
  resetMockApi();
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("DashboardPage", () => {
  it("loads 今年度 for a 事務局審査担当 and shows the figures, the 業務フロー table and its total", async () => {
    signIn(reviewer);
    mockApi.dashboardLoad.mockResolvedValue(dashboard());
    const debug = vi.spyOn(console, "debug").mockImplementation(() => {});
    render(<DashboardPage />, { wrapper: AppStateProvider });
    await waitFor(() => expect(mockApi.dashboardLoad).toHaveBeenCalled());
    const period = presetPeriod("thisYear", todayIso());
    expect(mockApi.dashboardLoad).toHaveBeenCalledWith({ ...period, office: null, compareAt: null });
    expect(await screen.findByTestId("dashboard-summary-finished")).toHaveTextContent("19件");
    expect(screen.getByTestId("dashboard-summary-backlog")).toHaveTextContent("3件");
    expect(screen.getByTestId("dashboard-summary-overdue")).toHaveTextContent("1件");
    expect(screen.getByTestId("dashboard-summary-ocr")).toHaveTextContent("87.5%");
    const rows = screen.getAllByTestId("dashboard-flow-row");
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent("組合員資格取得届／起案・作成");
    expect(within(rows[0]!).getByTestId("dashboard-flow-hours")).toHaveTextContent("5.0");
    expect(within(rows[1]!).getByTestId("dashboard-flow-hours")).toHaveTextContent("1.3");
    expect(screen.getByTestId("dashboard-flow-total")).toHaveTextContent("6.3");
    expect(screen.getByTestId("dashboard-overdue-summary")).toHaveTextContent("期限のある案件 19件のうち、期限を過ぎたもの 1件");
    expect(screen.getByTestId("dashboard-overdue")).toHaveTextContent("資格取得届 山田 太郎");
    expect(screen.getByTestId("dashboard-preset-thisYear")).toHaveAttribute("aria-pressed", "true");
    // The office filter lists the offices; the render time is logged, not shown.
    expect(within(screen.getByTestId("dashboard-office")).getAllByRole("option").map((o) => o.textContent)).toEqual(["すべての所属所", "13101", "13104"]);
    await waitFor(() => expect(debug).toHaveBeenCalledWith("[dashboard] render", expect.any(Number), expect.any(Number)));
    expect(screen.getByTestId("dashboard")).toHaveAttribute("data-render-ms");
    expect(screen.getByTestId("dashboard")).toHaveAttribute("data-draw-ms");
    expect(screen.getByTestId("dashboard")).not.toHaveTextContent("ms");
  });

  it("shows each chart as a table with 表で見る", async () => {
    signIn(reviewer);
    mockApi.dashboardLoad.mockResolvedValue(dashboard());
    const user = userEvent.setup();
    render(<DashboardPage />, { wrapper: AppStateProvider });
    const toggle = await screen.findByTestId("dashboard-months-toggle");
    expect(toggle).toHaveTextContent("表で見る");
    expect(screen.getByTestId("dashboard-months-chart")).toHaveAttribute("role", "img");
    expect(screen.getByTestId("dashboard-months-chart")).toHaveAccessibleName(/2026年4月 受付12 完了10 未完了（月末）2/);
    await user.click(toggle);
    expect(toggle).toHaveAttribute("aria-pressed", "true");
    expect(toggle).toHaveTextContent("グラフで見る");
    const table = screen.getByTestId("dashboard-months-table");
    expect(within(table).getAllByRole("row").map((r) => r.textContent)).toEqual(["月受付完了未完了（月末）", "2026-0412102", "2026-05891"]);
    await user.click(screen.getByTestId("dashboard-steps-toggle"));
    expect(screen.getByTestId("dashboard-steps-table")).toHaveTextContent("9.5分");
    expect(screen.getByTestId("dashboard-steps-table")).toHaveTextContent("14.0分");
  });

  it("asks again for 前年度 and for another office", async () => {
    signIn(reviewer);
    mockApi.dashboardLoad.mockResolvedValue(dashboard());
    const user = userEvent.setup();
    render(<DashboardPage />, { wrapper: AppStateProvider });
    await screen.findByTestId("dashboard-summary");
    await user.click(screen.getByTestId("dashboard-preset-lastYear"));
    const last = presetPeriod("lastYear", todayIso());
    await waitFor(() => expect(mockApi.dashboardLoad).toHaveBeenLastCalledWith({ ...last, office: null, compareAt: null }));
    await user.selectOptions(screen.getByTestId("dashboard-office"), "13104");
    await waitFor(() => expect(mockApi.dashboardLoad).toHaveBeenLastCalledWith({ ...last, office: "13104", compareAt: null }));
  });

  it("shows the comparison with the change", async () => {
    signIn(reviewer);
    mockApi.dashboardLoad.mockResolvedValue(
      dashboard({
        compareAt: "2026-10-01",
        comparison: [
          {
            process: "acquisition",
            processLabel: "組合員資格取得届",
            step: "draft",
            stepLabel: "起案・作成",
            beforeCases: 10,
            afterCases: 9,
            beforeWorkMinutesMedian: 12,
            afterWorkMinutesMedian: 9,
            beforeElapsedHoursMedian: 30,
            afterElapsedHoursMedian: 20,
            workChangePercent: -25,
          },
        ],
      }),
    );
    render(<DashboardPage />, { wrapper: AppStateProvider });
    const compare = await screen.findByTestId("dashboard-compare");
    expect(compare).toHaveTextContent("比較日の前後（2026-10-01）");
    expect(within(compare).getByTestId("dashboard-compare-change")).toHaveTextContent("−25.0%");
    expect(compare).toHaveTextContent("10 → 9");
  });

  it("writes the CSV and says where it went; an export error is shown as such", async () => {
    signIn(reviewer);
    mockApi.dashboardLoad.mockResolvedValue(dashboard());
    mockApi.dashboardExportCsv.mockResolvedValue({ path: "/home/shinsa/Downloads/業務フロー_20260401-20270331_20261127_093000.csv", rows: 2 });
    mockApi.dashboardExportPdf.mockRejectedValue(new BackendError("analytics.offline", "見える化には中央サーバーへの接続が必要です。"));
    const user = userEvent.setup();
    render(<DashboardPage />, { wrapper: AppStateProvider });
    await screen.findByTestId("dashboard-summary");
    await user.click(screen.getByTestId("dashboard-export-csv"));
    expect(await screen.findByTestId("dashboard-export-result")).toHaveTextContent(
      "CSVを保存しました（2行）。保存先: /home/shinsa/Downloads/業務フロー_20260401-20270331_20261127_093000.csv",
    );
    expect(mockApi.dashboardExportCsv).toHaveBeenCalledWith(expect.objectContaining({ office: null }));
    await user.click(screen.getByTestId("dashboard-export-pdf"));
    await waitFor(() => expect(screen.getByTestId("dashboard-export-result")).toHaveTextContent("PDFを保存できませんでした。見える化には中央サーバーへの接続が必要です。"));
  });

  it("says that the connection is needed when offline", async () => {
    signIn(reviewer);
    mockApi.dashboardLoad.mockRejectedValue(new BackendError("analytics.offline", "見える化には中央サーバーへの接続が必要です。接続が戻ってからもう一度お試しください。"));
    render(<DashboardPage />, { wrapper: AppStateProvider });
    expect(await screen.findByTestId("dashboard-error")).toHaveTextContent("見える化には中央サーバーへの接続が必要です");
  });

  it("shows a 所属所長 their own office without a choice", async () => {
    signIn(headSession);
    mockApi.dashboardLoad.mockResolvedValue(dashboard({ office: "13104", mayChooseOffice: false }));
    render(<DashboardPage />, { wrapper: AppStateProvider });
    await screen.findByTestId("dashboard-summary");
    expect(screen.queryByTestId("dashboard-office")).toBeNull();
    expect(screen.getByText("自所属所のみ表示されます（新宿区役所）。")).toBeInTheDocument();
  });

  it("refuses a 所属所担当者 without asking the server", async () => {
    signIn(clerkSession);
    render(<DashboardPage />, { wrapper: AppStateProvider });
    expect(await screen.findByTestId("dashboard-forbidden")).toHaveTextContent("事務局審査担当・決裁権者と所属所長");
    expect(mockApi.dashboardLoad).not.toHaveBeenCalled();
  });
});

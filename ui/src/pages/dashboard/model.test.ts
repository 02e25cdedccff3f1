import { describe, expect, it } from "vitest";
import { changeText, fiscalYearOf, fixed, hoursText, mayChooseOffice, mayOpenDashboard, monthSeries, percentOf, presetOf, presetPeriod, processesOf, round, totalHours } from "./model";

const role = (id: string) => ({ id, name: id });

describe("who may open the dashboard", () => {
  it("lets 事務局審査担当, 決裁権者 and 所属所長 in, and only the first two choose the office", () => {
    expect(mayOpenDashboard(null)).toBe(false);
    expect(mayOpenDashboard({ roles: [role("office_clerk")] })).toBe(false);
    expect(mayOpenDashboard({ roles: [role("it_admin")] })).toBe(false);
    for (const id of ["secretariat_reviewer", "approver", "office_head"]) expect(mayOpenDashboard({ roles: [role(id)] })).toBe(true);
    expect(mayChooseOffice({ roles: [role("office_clerk"), role("office_head")] })).toBe(false);
    expect(mayChooseOffice({ roles: [role("approver")] })).toBe(true);
    expect(mayChooseOffice({ roles: [role("secretariat_reviewer")] })).toBe(true);
  });
});

describe("period presets", () => {
  it("今年度 and 前年度 run April to March", () => {
    expect(fiscalYearOf("2026-03-31")).toBe(2025);
    expect(fiscalYearOf("2026-04-01")).toBe(2026);
    expect(presetPeriod("thisYear", "2026-11-27")).toEqual({ from: "2026-04-01", to: "2027-03-31" });
    expect(presetPeriod("lastYear", "2026-11-27")).toEqual({ from: "2025-04-01", to: "2026-03-31" });
    expect(presetPeriod("thisYear", "2026-01-15")).toEqual({ from: "2025-04-01", to: "2026-03-31" });
  });

  it("直近12か月 ends today and starts the day after a year ago", () => {
    expect(presetPeriod("last12", "2026-11-27")).toEqual({ from: "2025-11-28", to: "2026-11-27" });
    expect(presetPeriod("last12", "2026-12-31")).toEqual({ from: "2026-01-01", to: "2026-12-31" });
    expect(presetPeriod("last12", "2024-02-29")).toEqual({ from: "2023-03-02", to: "2024-02-29" });
  });

  it("recognises a preset, and none for other dates", () => {
    expect(presetOf({ from: "2025-04-01", to: "2026-03-31" }, "2026-11-27")).toBe("lastYear");
    expect(presetOf({ from: "2025-04-02", to: "2026-03-31" }, "2026-11-27")).toBeNull();
  });
});

const months = [
  { month: "2026-05", process: "acquisition", processLabel: "組合員資格取得届", started: 3, finished: 2, openAtEnd: 4 },
  { month: "2026-04", process: "acquisition", processLabel: "組合員資格取得届", started: 5, finished: 2, openAtEnd: 3 },
  { month: "2026-04", process: "payment_order", processLabel: "支出命令", started: 10, finished: 9, openAtEnd: 1 },
  { month: "2027-01", process: "payment_order", processLabel: "支出命令", started: 1, finished: 1, openAtEnd: 0 },
];

describe("chart series", () => {
  it("orders months, sums the processes for すべての業務 and labels the year where it changes", () => {
    const all = monthSeries({ months }, "");
    expect(all.map((m) => [m.label, m.started, m.finished, m.openAtEnd])).toEqual([
      ["2026年4月", 15, 11, 4],
      ["5月", 3, 2, 4],
      ["2027年1月", 1, 1, 0],
    ]);
    expect(monthSeries({ months }, "payment_order").map((m) => m.started)).toEqual([10, 1]);
  });

  it("lists the processes in the 業務フロー order first", () => {
    const flowTable = [{ process: "ocr_review", processLabel: "AI-OCR 読取結果の確認・修正" }] as never[];
    expect(processesOf({ months, steps: [], flowTable }).map((p) => p.id)).toEqual(["ocr_review", "acquisition", "payment_order"]);
  });
});

describe("numbers", () => {
  it("rounds half away from zero as the exports do, and shows — for no number", () => {
    expect(round(1.25, 1)).toBe(1.3);
    expect(round(-1.25, 1)).toBe(-1.3);
    expect(fixed(1234.56, 1)).toBe("1,234.6");
    expect(fixed(5, 1)).toBe("5.0");
    expect(fixed(null, 1)).toBe("—");
    expect(percentOf(0.8766)).toBe("87.7%");
    expect(percentOf(null)).toBe("—");
  });

  it("says the change with its sign", () => {
    expect(changeText(-12.345)).toBe("−12.3%");
    expect(changeText(3)).toBe("+3.0%");
    expect(changeText(0.01)).toBe("±0.0%");
    expect(changeText(null)).toBe("—");
  });

  it("totals the 時間/年 and writes long waits in days", () => {
    expect(totalHours({ flowTable: [{ hoursPerYear: 5 }, { hoursPerYear: 2.5 }, { hoursPerYear: null }] as never[] })).toBe(7.5);
    expect(hoursText(3.25)).toBe("3.3時間");
    expect(hoursText(50)).toBe("2日2時間");
  });
});

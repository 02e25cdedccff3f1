/**
 * Pure helpers of the 見える化 page: who may open it, the period presets (今年度 is the
 * fiscal year, April to March), the series the charts draw, number formats and the
 * before/after change.
 */
import type { DashboardView, Role, SessionView } from "../../backend";

/** 事務局審査担当, 決裁権者 (every office) and 所属所長 (their own). */
const ALLOWED_ROLES = new Set(["secretariat_reviewer", "approver", "office_head"]);
const ALL_OFFICES_ROLES = new Set(["secretariat_reviewer", "approver"]);

export function mayOpenDashboard(session: Pick<SessionView, "roles"> | null): boolean {
  return !!session && session.roles.some((r: Role) => ALLOWED_ROLES.has(r.id));
}

export function mayChooseOffice(session: Pick<SessionView, "roles"> | null): boolean {
  return !!session && session.roles.some((r: Role) => ALL_OFFICES_ROLES.has(r.id));
}

export type PresetId = "thisYear" | "lastYear" | "last12";

export interface Period {
  from: string;
  to: string;
}

function iso(y: number, m: number, d: number): string {
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.toISOString().slice(0, 10);
}

/** The fiscal year (年度) a date falls in: April..March. */
export function fiscalYearOf(today: string): number {
  const [y, m] = today.split("-").map(Number) as [number, number];
  return m >= 4 ? y : y - 1;
}

/** The period of a preset on `today` (YYYY-MM-DD, local). */
export function presetPeriod(id: PresetId, today: string): Period {
  const fy = fiscalYearOf(today);
  switch (id) {
    case "thisYear":
      return { from: iso(fy, 4, 1), to: iso(fy + 1, 3, 31) };
    case "lastYear":
      return { from: iso(fy - 1, 4, 1), to: iso(fy, 3, 31) };
    case "last12": {
      const [y, m, d] = today.split("-").map(Number) as [number, number, number];
      // From the day after the same date a year ago, to today: 365 or 366 days.
      const start = new Date(Date.UTC(y - 1, m - 1, d + 1));
      return { from: start.toISOString().slice(0, 10), to: today };
    }
  }
}

/** Which preset a period is, if any. */
export function presetOf(period: Period, today: string): PresetId | null {
  for (const id of ["thisYear", "lastYear", "last12"] as const) {
    const p = presetPeriod(id, today);
    if (p.from === period.from && p.to === period.to) return id;
  }
  return null;
}

/** One month of the volumes chart. */
export interface MonthPoint {
  month: string;
  /** 「4月」 or 「2026年1月」 for January and the first month. */
  label: string;
  started: number;
  finished: number;
  openAtEnd: number;
}

function monthLabel(month: string, first: boolean): string {
  const [y, m] = month.split("-").map(Number) as [number, number];
  return first || m === 1 ? `${y}年${m}月` : `${m}月`;
}

/** Months in order for one process, or summed over all ("" = すべての業務). */
export function monthSeries(view: Pick<DashboardView, "months">, process: string): MonthPoint[] {
  const by = new Map<string, MonthPoint>();
  for (const m of view.months) {
    if (process !== "" && m.process !== process) continue;
    const p = by.get(m.month) ?? { month: m.month, label: "", started: 0, finished: 0, openAtEnd: 0 };
    p.started += m.started;
    p.finished += m.finished;
    p.openAtEnd += m.openAtEnd;
    by.set(m.month, p);
  }
  const sorted = [...by.values()].sort((a, b) => a.month.localeCompare(b.month));
  return sorted.map((p, i) => ({ ...p, label: monthLabel(p.month, i === 0) }));
}

/** The processes the figures cover, in the order the server lists them (first seen). */
export function processesOf(view: Pick<DashboardView, "months" | "steps" | "flowTable">): { id: string; label: string }[] {
  const seen = new Map<string, string>();
  for (const r of view.flowTable) if (!seen.has(r.process)) seen.set(r.process, r.processLabel);
  for (const s of view.steps) if (!seen.has(s.process)) seen.set(s.process, s.processLabel);
  for (const m of view.months) if (!seen.has(m.process)) seen.set(m.process, m.processLabel);
  return [...seen].map(([id, label]) => ({ id, label }));
}

/** Rounded to `digits` decimals, half away from zero (四捨五入), as the exports print. */
export function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return (Math.sign(n) * Math.round(Math.abs(n) * f)) / f;
}

/** 「1,234.5」: thousands separators and a fixed number of decimals; 「—」 for no number. */
export function fixed(n: number | null, digits: number): string {
  if (n === null || !Number.isFinite(n)) return "—";
  return new Intl.NumberFormat("ja-JP", { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(round(n, digits));
}

/** 「87.5%」 of a 0..1 rate. */
export function percentOf(rate: number | null): string {
  if (rate === null || !Number.isFinite(rate)) return "—";
  return `${fixed(rate * 100, 1)}%`;
}

/** 「−12.5%」「+3.0%」「—」 for the change of the median working minutes. */
export function changeText(percent: number | null): string {
  if (percent === null || !Number.isFinite(percent)) return "—";
  const r = round(percent, 1);
  if (r === 0) return "±0.0%";
  return `${r > 0 ? "+" : "−"}${fixed(Math.abs(r), 1)}%`;
}

/** The 業務フロー table's total 時間/年. */
export function totalHours(view: Pick<DashboardView, "flowTable">): number {
  return view.flowTable.reduce((sum, r) => sum + (r.hoursPerYear ?? 0), 0);
}

/** 「2時間」「3日4時間」 for a waiting time in hours. */
export function hoursText(hours: number | null): string {
  if (hours === null || !Number.isFinite(hours)) return "—";
  if (hours < 24) return `${fixed(hours, 1)}時間`;
  const days = Math.floor(hours / 24);
  return `${days}日${Math.round(hours - days * 24)}時間`;
}

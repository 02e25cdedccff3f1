/**
 * Small text helpers for what clerks type. Dates themselves (validity,
 * 和暦 eras) are decided by Rust; these only tidy the typing.
 */
import { t, type MessageId } from "../i18n";

/** Full-width digits and letters to half-width, trimmed ("１２ " -> "12"). */
export function normalizeInput(text: string): string {
  return text.normalize("NFKC").trim();
}

/**
 * Reads a year / month / day part. Accepts full-width digits, a trailing
 * unit (年/月/日) and 元 / 元年 for year 1. Returns null if it is not a number.
 */
export function parseDatePart(text: string, allowGan: boolean): number | null {
  const s = normalizeInput(text).replace(/[年月日]$/u, "");
  if (allowGan && s === "元") return 1;
  if (!/^\d{1,4}$/.test(s)) return null;
  return Number.parseInt(s, 10);
}

/** Local calendar date (not UTC) as YYYY-MM-DD. */
export function todayIso(now: Date = new Date()): string {
  const y = String(now.getFullYear()).padStart(4, "0");
  const m = String(now.getMonth() + 1).padStart(2, "0");
  const d = String(now.getDate()).padStart(2, "0");
  return `${y}-${m}-${d}`;
}

/**
 * Tidies a typed 西暦 date ("２０２４/4/1", "2024.4.1", "20240401") into
 * YYYY-MM-DD, or returns null when it does not have that shape. Whether
 * the date exists is for Rust to say.
 */
export function normalizeIsoInput(text: string): string | null {
  const s = normalizeInput(text);
  let m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/u.exec(s);
  if (!m) m = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (!m) return null;
  const [, y, mo, d] = m as unknown as [string, string, string, string];
  return `${y}-${mo.padStart(2, "0")}-${d.padStart(2, "0")}`;
}

/** "2024-04-01" -> "2024-04-01（月）". Falls back to the ISO text. */
export function isoWithWeekday(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return iso;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  const day = date.getUTCDay();
  return `${iso}（${t(`weekday.${day}` as MessageId)}）`;
}

/** Thousands separators, Japanese style. */
export function formatNumber(n: number): string {
  return new Intl.NumberFormat("ja-JP").format(n);
}

/**
 * Times from Rust arrive as RFC 3339 in UTC ("2024-04-01T00:30:00Z"); clerks read
 * them in local time. Unreadable text is shown as it came.
 */

function parse(iso: string): Date | null {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/**
 * For the status bar: "09:05" today, "3月29日" earlier this year,
 * "2023年12月28日" before that.
 */
export function formatShortTime(iso: string, now: Date = new Date()): string {
  const date = parse(iso);
  if (!date) return iso;
  if (sameDay(date, now)) return `${pad(date.getHours())}:${pad(date.getMinutes())}`;
  const monthDay = `${date.getMonth() + 1}月${date.getDate()}日`;
  return date.getFullYear() === now.getFullYear() ? monthDay : `${date.getFullYear()}年${monthDay}`;
}

/** "2024年4月1日 9:05", for lists and tooltips. */
export function formatDateTime(iso: string): string {
  const date = parse(iso);
  if (!date) return iso;
  return `${date.getFullYear()}年${date.getMonth() + 1}月${date.getDate()}日 ${date.getHours()}:${pad(date.getMinutes())}`;
}

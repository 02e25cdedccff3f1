/**
 * Small pure helpers of the AI-OCR screens: how a value, a confidence, a state and a rate
 * are shown. Nothing here decides anything about a value (Rust does).
 */
import type { BadgeTone } from "../../components/Badge";
import { BackendError, type OcrField, type OcrQueueItem } from "../../backend";
import { errorMessage, t, type MessageId } from "../../i18n";

/** The Japanese words for a failed call: the catalogue's text for its code, else Rust's message. */
export function describe(err: unknown): string {
  return err instanceof BackendError ? errorMessage(err) : errorMessage({ code: "ipc.failed", message: String(err) });
}

/** 「●●●● ●●●● 1234」: only the last four digits of a 個人番号 (as Rust masks it elsewhere). */
export function maskMyNumber(value: string): string {
  const digits = value.normalize("NFKC").replace(/\D/g, "");
  return `●●●● ●●●● ${digits.slice(-4)}`;
}

export type ConfidenceLevel = "low" | "mid" | "high";

/** Red under 60 %, amber under 85 %, green otherwise. */
export function confidenceLevel(confidence: number): ConfidenceLevel {
  if (confidence < 0.6) return "low";
  if (confidence < 0.85) return "mid";
  return "high";
}

/** 0.583 → "58"; the bar and the number use the same rounding. */
export function percent(rate: number): string {
  return String(Math.round(rate * 100));
}

/** 0.0876 → "8.8"; for rates where a tenth of a percent matters. Null (not measurable) → "—". */
export function percent1(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || Number.isNaN(rate)) return "—";
  return (Math.round(rate * 1000) / 10).toFixed(1);
}

/** Check boxes come without options; they are read as "true" / "false". */
export function optionsOf(field: OcrField): { value: string; label: string }[] {
  if (field.options.length > 0) return field.options;
  if (field.kind === "checkbox") {
    return [
      { value: "true", label: t("ocr.checkbox.on") },
      { value: "false", label: t("ocr.checkbox.off") },
    ];
  }
  return [];
}

/** A field answered by picking (digit keys) rather than typing. */
export function isPicked(field: OcrField): boolean {
  return (field.kind === "choice" || field.kind === "checkbox") && optionsOf(field).length > 0;
}

/** The words for a value: an option's label for choices, the 個人番号 masked, "（空欄）" for nothing. */
export function displayValue(field: OcrField, value: string, masked: boolean): string {
  if (value === "") return t("ocr.value.blank");
  const option = optionsOf(field).find((o) => o.value === value);
  if (option) return option.label;
  return masked && field.sensitive ? maskMyNumber(value) : value;
}

const RESOLUTIONS: Record<string, MessageId> = {
  auto: "ocr.resolution.auto",
  confirmed: "ocr.resolution.confirmed",
  corrected: "ocr.resolution.corrected",
  double_entry_agreed: "ocr.resolution.agreed",
  arbitrated: "ocr.resolution.arbitrated",
};

export function resolutionLabel(code: string): string {
  const id = RESOLUTIONS[code];
  return id ? t(id) : code;
}

/** The queue's 状態 column: 確認待ち・他の担当者待ち・確認済・保留（理由）・引継済. */
export function itemStatus(item: OcrQueueItem): { text: string; tone: BadgeTone } {
  if (item.status === "exception") {
    return { text: t("ocr.status.exception", { reason: item.exceptionReason ?? "" }), tone: "warning" };
  }
  if (item.status === "handed_off") return { text: t("ocr.status.handedOff"), tone: "neutral" };
  if (item.myTasks > 0) return { text: t("ocr.status.mine"), tone: "info" };
  if (item.undecided > 0) return { text: t("ocr.status.others"), tone: "neutral" };
  return { text: t("ocr.status.verified"), tone: "neutral" };
}

/** The key of a digit (1–9), from the physical key first: with the IME on, `key` is "Process". */
export function digitOf(event: { key: string; code: string }): number | null {
  const fromCode = /^(?:Digit|Numpad)([1-9])$/.exec(event.code)?.[1];
  const fromKey = /^[1-9１-９]$/.test(event.key) ? event.key.normalize("NFKC") : undefined;
  const d = fromKey ?? fromCode;
  return d === undefined ? null : Number(d);
}

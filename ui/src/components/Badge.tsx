import type { ReactNode } from "react";

export type BadgeTone = "info" | "warning" | "error" | "neutral";

const tones: Record<BadgeTone, string> = {
  info: "border-blue-900 bg-blue-50 text-blue-1000",
  warning: "border-warning-yellow-1 bg-yellow-100 text-yellow-1200",
  error: "border-error-1 bg-red-50 text-red-1000",
  neutral: "border-solid-gray-600 bg-solid-gray-50 text-solid-gray-900",
};

/** A short bordered label. The words carry the meaning; the colour only helps. */
export function Badge({ tone, children, testId }: { tone: BadgeTone; children: ReactNode; testId?: string }) {
  return (
    <span
      data-testid={testId}
      data-tone={tone}
      className={`inline-flex shrink-0 items-center rounded-4 border px-1.5 py-px text-dns-14B-120 whitespace-nowrap ${tones[tone]}`}
    >
      {children}
    </span>
  );
}

/**
 * The tone for a record's sync label as Rust words it (未送信 / 競合 / 差戻し /
 * 閲覧権限がなくなりました). Only the colour depends on the words; anything
 * unknown is shown neutral, as given.
 */
export function labelTone(label: string): BadgeTone {
  switch (label) {
    case "未送信":
      return "info";
    case "競合":
      return "warning";
    case "差戻し":
      return "error";
    default:
      return "neutral";
  }
}

/** The tone for a conflict's `state` (`conflict`, `rejected`, `revoked`). */
export function conflictTone(state: string): BadgeTone {
  return state === "conflict" ? "warning" : state === "rejected" ? "error" : "neutral";
}

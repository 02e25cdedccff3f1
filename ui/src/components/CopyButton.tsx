import { useState } from "react";
import { t } from "../i18n";
import { Button } from "./Button";

async function copyText(text: string): Promise<void> {
  if (navigator.clipboard?.writeText) {
    try {
      await navigator.clipboard.writeText(text);
      return;
    } catch {
      // fall through to the selection-based copy
    }
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.appendChild(area);
  const previous = document.activeElement as HTMLElement | null;
  area.select();
  const ok = document.execCommand?.("copy") ?? false;
  area.remove();
  previous?.focus();
  if (!ok) throw new Error("copy failed");
}

/** Copies `text`; the outcome is announced politely next to the button. */
export function CopyButton({ text, label, testId }: { text: string; label: string; testId?: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  return (
    <span className="inline-flex items-center gap-3">
      <Button
        variant="secondary"
        className="min-h-9 min-w-20 px-3 py-0.5"
        aria-label={`${label}を${t("common.copy")}`}
        data-testid={testId}
        onClick={() => {
          copyText(text).then(
            () => setState("copied"),
            () => setState("failed"),
          );
        }}
      >
        {t("common.copy")}
      </Button>
      <span role="status" className="text-std-16N-170 text-solid-gray-700">
        {state === "copied" ? t("common.copied") : state === "failed" ? t("common.copyFailed") : ""}
      </span>
    </span>
  );
}

/**
 * Batch printing of the selected 資格取得届: one PDF per notification into one
 * new folder under the downloads, with a progress bar, counts and 中止. Rust
 * builds the folder hidden and shows it only when every file is in it, so 中止
 * (or a failure) leaves nothing half-done.
 */
import { useRef, useState } from "react";
import { api, BackendError } from "../backend";
import { Button } from "../components/Button";
import { Notice } from "../components/Notice";
import { errorMessage, t } from "../i18n";

type Result = { kind: "success" | "info" | "error"; text: string } | null;

function describe(err: unknown): string {
  return err instanceof BackendError ? errorMessage(err) : errorMessage({ code: "ipc.failed", message: String(err) });
}

export function AcquisitionBatchPrint({ ids, onClear }: { ids: readonly string[]; onClear: () => void }) {
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [result, setResult] = useState<Result>(null);
  const cancelled = useRef(false);

  async function start() {
    if (progress || ids.length === 0) return;
    const list = [...ids];
    cancelled.current = false;
    setResult(null);
    setProgress({ done: 0, total: list.length });
    let batch: string | null = null;
    try {
      batch = await api.acquisitionPrintBatchBegin();
      for (let i = 0; i < list.length; i++) {
        if (cancelled.current) break;
        await api.acquisitionPrintBatchAdd(batch, list[i]!);
        setProgress({ done: i + 1, total: list.length });
      }
      if (cancelled.current) {
        await api.acquisitionPrintBatchCancel(batch);
        setResult({ kind: "info", text: t("acqBatch.cancelled") });
      } else {
        const path = await api.acquisitionPrintBatchFinish(batch);
        setResult({ kind: "success", text: t("acqBatch.done", { n: list.length, path }) });
      }
    } catch (err) {
      if (batch) await api.acquisitionPrintBatchCancel(batch).catch(() => undefined);
      setResult({ kind: "error", text: t("acqBatch.failed", { message: describe(err) }) });
    } finally {
      setProgress(null);
    }
  }

  return (
    <div className="mb-4 flex flex-col gap-3" data-testid="acq-batch">
      <div className="flex flex-wrap items-center gap-4">
        <span className="text-std-16N-170" data-testid="acq-batch-selected" aria-live="polite">
          {t("acqBatch.selected", { n: ids.length })}
        </span>
        <Button variant="secondary" busy={progress !== null} onClick={() => void start()} aria-disabled={ids.length === 0 || undefined} data-testid="acq-batch-print">
          {t("acqBatch.print")}
        </Button>
        {ids.length > 0 && progress === null ? (
          <Button variant="secondary" size="compact" onClick={onClear} data-testid="acq-batch-clear">
            {t("acqBatch.clear")}
          </Button>
        ) : null}
      </div>
      {progress ? (
        <div className="flex flex-wrap items-center gap-4" data-testid="acq-batch-progress">
          <progress
            className="h-4 w-64"
            max={progress.total}
            value={progress.done}
            aria-label={t("acqBatch.progressLabel")}
            aria-valuetext={t("acqBatch.progress", { done: progress.done, total: progress.total })}
          />
          <span className="tabular-nums" data-testid="acq-batch-count">
            {t("acqBatch.progress", { done: progress.done, total: progress.total })}
          </span>
          <Button
            variant="secondary"
            size="compact"
            onClick={() => {
              cancelled.current = true;
            }}
            data-testid="acq-batch-cancel"
          >
            {t("acqBatch.cancel")}
          </Button>
        </div>
      ) : null}
      {result ? (
        <Notice kind={result.kind} role={result.kind === "error" ? "alert" : "status"} testId={`acq-batch-${result.kind}`}>
          {result.text}
        </Notice>
      ) : null}
    </div>
  );
}

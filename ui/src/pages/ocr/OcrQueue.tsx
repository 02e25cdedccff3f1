/**
 * The queue's tables. The documents: ↑↓ move between rows, Enter (or a click) opens one.
 * 保留: each document set aside with its reason, and 「保留を解除」.
 */
import { useRef, useState } from "react";
import type { KeyboardEvent as ReactKeyboardEvent } from "react";
import type { OcrQueueItem } from "../../backend";
import { Badge } from "../../components/Badge";
import { Button } from "../../components/Button";
import { t } from "../../i18n";
import { isPlainEnter } from "../../lib/ime";
import { formatDateTime } from "../../lib/time";
import { itemStatus } from "./format";

const th = "px-3 py-2 text-left text-dns-14B-120 whitespace-nowrap";

/** The 状態 column; a verified 請求書 waits for a 支出命令 to take it, not for a person here. */
function queueStatus(item: OcrQueueItem): ReturnType<typeof itemStatus> {
  if (item.status === "verified") return { text: t("ocr.status.verifiedInvoice"), tone: "info" };
  return itemStatus(item);
}
const td = "px-3 py-2 align-top text-std-16N-170";

export function OcrQueueTable({ items, opening, onOpen }: { items: OcrQueueItem[]; opening: string | null; onOpen: (id: string) => void }) {
  const [active, setActive] = useState<string | null>(null);
  const rows = useRef(new Map<string, HTMLTableRowElement>());
  const current = items.some((i) => i.id === active) ? active : (items[0]?.id ?? null);

  function onKeyDown(event: ReactKeyboardEvent<HTMLTableRowElement>, item: OcrQueueItem) {
    if (isPlainEnter(event)) {
      event.preventDefault();
      onOpen(item.id);
      return;
    }
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    event.preventDefault();
    const i = items.findIndex((x) => x.id === item.id);
    const next = items[event.key === "ArrowDown" ? Math.min(i + 1, items.length - 1) : Math.max(i - 1, 0)];
    if (!next) return;
    setActive(next.id);
    rows.current.get(next.id)?.focus();
  }

  return (
    <>
      <p id="ocr-queue-hint" className="mb-2 text-dns-14N-130 text-solid-gray-700">
        {t("ocr.queue.hint")}
      </p>
      <div className="overflow-x-auto rounded-8 border border-solid-gray-420">
        <table data-testid="ocr-queue" aria-describedby="ocr-queue-hint" className="w-full border-collapse bg-white">
          <caption className="sr-only">{t("ocr.queue.caption", { n: items.length })}</caption>
          <thead className="border-b border-solid-gray-420 bg-solid-gray-50">
            <tr>
              <th scope="col" className={th}>{t("ocr.col.form")}</th>
              <th scope="col" className={th}>{t("ocr.col.file")}</th>
              <th scope="col" className={th}>{t("ocr.col.readAt")}</th>
              <th scope="col" className={th}>{t("ocr.col.importedBy")}</th>
              <th scope="col" className={th}>{t("ocr.col.status")}</th>
              <th scope="col" className={`${th} text-right`}>{t("ocr.col.remaining")}</th>
            </tr>
          </thead>
          <tbody>
            {items.length === 0 ? (
              <tr>
                <td colSpan={6} className={`${td} bg-solid-gray-50`} data-testid="ocr-queue-empty">
                  {t("ocr.queue.empty")}
                </td>
              </tr>
            ) : null}
            {items.map((item) => {
              const status = queueStatus(item);
              return (
                <tr
                  key={item.id}
                  ref={(el) => {
                    if (el) rows.current.set(item.id, el);
                    else rows.current.delete(item.id);
                  }}
                  data-testid="ocr-row"
                  data-id={item.id}
                  tabIndex={item.id === current ? 0 : -1}
                  aria-busy={opening === item.id || undefined}
                  onFocus={() => setActive(item.id)}
                  onClick={() => onOpen(item.id)}
                  onKeyDown={(e) => onKeyDown(e, item)}
                  className="cursor-pointer border-b border-solid-gray-200 last:border-b-0 hover:bg-solid-gray-50 focus-visible:bg-blue-50"
                >
                  <td className={td}>
                    <span className="block font-bold">{item.templateName}</span>
                    <span className="block text-dns-14N-130 text-solid-gray-700">{item.documentLabel}</span>
                  </td>
                  <td className={`${td} break-all`}>{item.sourceName}</td>
                  <td className={`${td} whitespace-nowrap`}>{formatDateTime(item.importedAt)}</td>
                  <td className={td}>{item.importedBy}</td>
                  <td className={td}>
                    <span className="flex flex-wrap gap-1">
                      <Badge tone={status.tone} testId="ocr-row-status">
                        {status.text}
                      </Badge>
                      {item.unsent ? <Badge tone="info">{t("ocr.status.unsent")}</Badge> : null}
                    </span>
                  </td>
                  <td className={`${td} text-right tabular-nums`} data-testid="ocr-row-remaining">
                    {item.myTasks > 0 ? <span className="block font-bold">{t("ocr.remaining.mine", { n: item.myTasks })}</span> : null}
                    <span className="block text-dns-14N-130 text-solid-gray-700">
                      {t("ocr.remaining.undecided", { n: item.undecided, total: item.fields })}
                    </span>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}

export function OcrExceptionsTable({
  items,
  reopening,
  onReopen,
}: {
  items: OcrQueueItem[];
  reopening: string | null;
  onReopen: (item: OcrQueueItem) => void;
}) {
  if (items.length === 0) {
    return (
      <p className="rounded-8 border border-dashed border-solid-gray-420 bg-solid-gray-50 p-4 text-std-16N-170" data-testid="ocr-exceptions-empty">
        {t("ocr.exceptions.empty")}
      </p>
    );
  }
  return (
    <div className="overflow-x-auto rounded-8 border border-solid-gray-420">
      <table data-testid="ocr-exceptions" className="w-full border-collapse bg-white">
        <caption className="sr-only">{t("ocr.exceptions.caption", { n: items.length })}</caption>
        <thead className="border-b border-solid-gray-420 bg-solid-gray-50">
          <tr>
            <th scope="col" className={th}>{t("ocr.col.form")}</th>
            <th scope="col" className={th}>{t("ocr.col.file")}</th>
            <th scope="col" className={th}>{t("ocr.col.reason")}</th>
            <th scope="col" className={th}>{t("ocr.col.setAsideBy")}</th>
            <th scope="col" className={th}>
              <span className="sr-only">{t("ocr.col.actions")}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <tr key={item.id} data-testid="ocr-exception-row" data-id={item.id} className="border-b border-solid-gray-200 last:border-b-0">
              <td className={td}>
                <span className="block font-bold">{item.templateName}</span>
                <span className="block text-dns-14N-130 text-solid-gray-700">{item.documentLabel}</span>
              </td>
              <td className={`${td} break-all`}>{item.sourceName}</td>
              <td className={`${td} break-words`} data-testid="ocr-exception-reason">
                {item.exceptionReason}
              </td>
              <td className={td}>{item.exceptionBy}</td>
              <td className={`${td} text-right`}>
                <Button
                  size="compact"
                  busy={reopening === item.id}
                  onClick={() => onReopen(item)}
                  data-testid="ocr-reopen"
                  aria-label={t("ocr.exceptions.reopenOne", { name: `${item.templateName} ${item.documentLabel}` })}
                >
                  {t("ocr.exceptions.reopen")}
                </Button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * The queue of 資格取得届 on this PC: filters (状況 / 所属所 / 届出期限) that
 * survive navigation, a count of what is shown, rows sorted by deadline (as
 * Rust sorts them), ↑↓ to move and Enter to open. Only the rows in view are
 * rendered (fixed row height), so 10,000 notifications stay smooth.
 */
import { useMemo, useRef, useState } from "react";
import type { KeyboardEvent as ReactKeyboardEvent } from "react";
import type { AcquisitionListItem } from "../backend";
import { Badge, labelTone, type BadgeTone } from "../components/Badge";
import { labelClass, selectClass } from "../components/styles";
import { t, type MessageId } from "../i18n";
import { isComposing, isPlainEnter } from "../lib/ime";

export const STAGES = ["draft", "certify", "review", "register", "registered", "returned", "rejected", "withdrawn"] as const;
type DeadlineFilter = "" | "overdue" | "soon" | "none";

export interface QueueFilter {
  stage: string;
  office: string;
  deadline: DeadlineFilter;
}

/** Kept for the session so the filter survives leaving and coming back. */
let rememberedFilter: QueueFilter = { stage: "", office: "", deadline: "" };

/** For tests: forget the remembered filter. */
export function resetQueueFilter(): void {
  rememberedFilter = { stage: "", office: "", deadline: "" };
}

export const ROW_HEIGHT = 64;
const VIEWPORT_HEIGHT = 560;
const OVERSCAN = 6;

export function stageTone(stage: string): BadgeTone {
  switch (stage) {
    case "returned":
    case "rejected":
      return "error";
    case "certify":
    case "review":
    case "register":
      return "info";
    case "withdrawn":
      return "warning";
    default:
      return "neutral";
  }
}

function deadlineTone(state: string): BadgeTone | null {
  if (state === "overdue") return "error";
  if (state === "today" || state === "soon") return "warning";
  return null;
}

function matches(item: AcquisitionListItem, f: QueueFilter): boolean {
  if (f.stage && item.stage !== f.stage) return false;
  if (f.office && item.officeCode !== f.office) return false;
  switch (f.deadline) {
    case "overdue":
      return item.deadlineState === "overdue";
    case "soon":
      return item.deadlineState === "today" || item.deadlineState === "soon" || (item.daysLeft !== null && item.daysLeft >= 0 && item.daysLeft <= 3);
    case "none":
      return item.deadlineState === "none";
    default:
      return true;
  }
}

function rowId(id: string): string {
  return `acq-row-${id}`;
}

export function AcquisitionQueue({
  items,
  onOpen,
  selected,
  onToggle,
}: {
  items: readonly AcquisitionListItem[];
  onOpen: (item: AcquisitionListItem) => void;
  /** Rows chosen for batch printing (Space toggles the active row). */
  selected?: ReadonlySet<string>;
  onToggle?: (id: string) => void;
}) {
  const [filter, setFilterState] = useState<QueueFilter>(rememberedFilter);
  const [activeId, setActiveId] = useState<string | null>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const listRef = useRef<HTMLDivElement>(null);

  function setFilter(next: QueueFilter) {
    rememberedFilter = next;
    setFilterState(next);
    setScrollTop(0);
    if (listRef.current) listRef.current.scrollTop = 0;
  }

  const offices = useMemo(() => [...new Set(items.map((i) => i.officeCode))].sort(), [items]);
  const shown = useMemo(() => items.filter((i) => matches(i, filter)), [items, filter]);
  const activeIndex = Math.max(
    0,
    shown.findIndex((i) => i.id === activeId),
  );
  const active = shown.length > 0 ? shown[activeIndex] : undefined;

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(shown.length, Math.ceil((scrollTop + VIEWPORT_HEIGHT) / ROW_HEIGHT) + OVERSCAN);
  const visible = shown.slice(first, last);

  function moveTo(index: number) {
    const item = shown[index];
    if (!item) return;
    setActiveId(item.id);
    const el = listRef.current;
    if (!el) return;
    const top = index * ROW_HEIGHT;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + ROW_HEIGHT > el.scrollTop + VIEWPORT_HEIGHT) el.scrollTop = top + ROW_HEIGHT - VIEWPORT_HEIGHT;
    setScrollTop(el.scrollTop);
  }

  function onKeyDown(event: ReactKeyboardEvent<HTMLDivElement>) {
    if (shown.length === 0) return;
    const page = Math.floor(VIEWPORT_HEIGHT / ROW_HEIGHT);
    let next: number | null = null;
    if (event.key === "ArrowDown") next = Math.min(activeIndex + 1, shown.length - 1);
    else if (event.key === "ArrowUp") next = Math.max(activeIndex - 1, 0);
    else if (event.key === "PageDown") next = Math.min(activeIndex + page, shown.length - 1);
    else if (event.key === "PageUp") next = Math.max(activeIndex - page, 0);
    else if (event.key === "Home") next = 0;
    else if (event.key === "End") next = shown.length - 1;
    else if (isPlainEnter(event)) {
      event.preventDefault();
      if (active) onOpen(active);
      return;
    } else if (event.key === " " && onToggle && !isComposing(event)) {
      event.preventDefault();
      if (active) onToggle(active.id);
      return;
    }
    if (next === null) return;
    event.preventDefault();
    moveTo(next);
  }

  const selectId = (k: string) => `acq-filter-${k}`;

  return (
    <div>
      <div className="mb-3 flex flex-wrap items-end gap-4" role="group" aria-label={t("acq.queue.heading")}>
        <div>
          <label htmlFor={selectId("stage")} className={labelClass}>
            {t("acq.filter.stage")}
          </label>
          <select
            id={selectId("stage")}
            data-testid="acq-filter-stage"
            className={selectClass}
            value={filter.stage}
            onChange={(e) => setFilter({ ...filter, stage: e.target.value })}
          >
            <option value="">{t("acq.filter.all")}</option>
            {STAGES.map((s) => (
              <option key={s} value={s}>
                {t(`acq.stage.${s}` as MessageId)}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor={selectId("office")} className={labelClass}>
            {t("acq.filter.office")}
          </label>
          <select
            id={selectId("office")}
            data-testid="acq-filter-office"
            className={selectClass}
            value={filter.office}
            onChange={(e) => setFilter({ ...filter, office: e.target.value })}
          >
            <option value="">{t("acq.filter.all")}</option>
            {offices.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor={selectId("deadline")} className={labelClass}>
            {t("acq.filter.deadline")}
          </label>
          <select
            id={selectId("deadline")}
            data-testid="acq-filter-deadline"
            className={selectClass}
            value={filter.deadline}
            onChange={(e) => setFilter({ ...filter, deadline: e.target.value as DeadlineFilter })}
          >
            <option value="">{t("acq.filter.all")}</option>
            <option value="overdue">{t("acq.deadline.overdue")}</option>
            <option value="soon">{t("acq.deadline.soon")}</option>
            <option value="none">{t("acq.deadline.none")}</option>
          </select>
        </div>
        <p className="pb-2 text-std-16N-170 text-solid-gray-700" data-testid="acq-count" aria-live="polite">
          {t("acq.count", { n: shown.length, total: items.length })}
        </p>
      </div>
      {shown.length === 0 ? (
        <p className="rounded-8 border border-dashed border-solid-gray-420 bg-solid-gray-50 p-4 text-std-16N-170" data-testid="acq-empty">
          {items.length === 0 ? t("acq.empty") : t("acq.emptyFiltered")}
        </p>
      ) : (
        <>
          <p id="acq-list-hint" className="mb-2 text-dns-14N-130 text-solid-gray-700">
            {t("acq.listHint")}
          </p>
          <div
            className="grid grid-cols-[minmax(12rem,2fr)_minmax(10rem,1.4fr)_minmax(9rem,1.2fr)_minmax(10rem,1.4fr)_6rem] gap-2 border-b border-solid-gray-420 px-3 pb-1 text-dns-14B-120 text-solid-gray-700"
            aria-hidden="true"
          >
            <span>{t("acq.col.member")}</span>
            <span>{t("acq.col.acquiredOn")}</span>
            <span>{t("acq.col.stage")}</span>
            <span>{t("acq.col.deadline")}</span>
            <span>{t("acq.col.office")}</span>
          </div>
          <div
            ref={listRef}
            id="acq-list"
            role="listbox"
            tabIndex={0}
            data-testid="acq-list"
            aria-label={t("acq.list.label")}
            aria-describedby="acq-list-hint"
            aria-activedescendant={active ? rowId(active.id) : undefined}
            onKeyDown={onKeyDown}
            onFocus={() => {
              if (!activeId && shown[0]) setActiveId(shown[0].id);
            }}
            onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
            style={{ height: Math.min(VIEWPORT_HEIGHT, shown.length * ROW_HEIGHT + 2) }}
            className="overflow-y-auto rounded-8 border border-solid-gray-420 bg-white"
          >
            <div style={{ height: shown.length * ROW_HEIGHT, position: "relative" }}>
              {visible.map((item, k) => {
                const index = first + k;
                const isActive = active?.id === item.id;
                const dTone = deadlineTone(item.deadlineState);
                return (
                  <div
                    key={item.id}
                    id={rowId(item.id)}
                    role="option"
                    aria-selected={isActive}
                    data-checked={selected?.has(item.id) || undefined}
                    aria-posinset={index + 1}
                    aria-setsize={shown.length}
                    data-testid="acq-row"
                    data-id={item.id}
                    onClick={() => {
                      setActiveId(item.id);
                      onOpen(item);
                    }}
                    style={{ position: "absolute", top: index * ROW_HEIGHT, height: ROW_HEIGHT, left: 0, right: 0 }}
                    className={[
                      "grid cursor-pointer grid-cols-[minmax(12rem,2fr)_minmax(10rem,1.4fr)_minmax(9rem,1.2fr)_minmax(10rem,1.4fr)_6rem] items-center gap-2 border-b border-l-4 border-b-solid-gray-200 px-3",
                      isActive ? "border-l-blue-900 bg-blue-50" : "border-l-transparent hover:bg-solid-gray-50",
                    ].join(" ")}
                  >
                    <span className="flex min-w-0 items-center gap-2">
                      {onToggle ? (
                        <input
                          type="checkbox"
                          tabIndex={-1}
                          className="size-5 shrink-0"
                          checked={selected?.has(item.id) ?? false}
                          aria-label={t("acqBatch.select", { name: item.memberName || t("acq.noName") })}
                          data-testid="acq-row-select"
                          onClick={(e) => e.stopPropagation()}
                          onChange={() => onToggle(item.id)}
                        />
                      ) : null}
                      <span className="flex min-w-0 flex-col">
                      <span className="truncate text-std-16B-170 text-solid-gray-900">{item.memberName || t("acq.noName")}</span>
                      <span className="truncate text-dns-14N-130 text-solid-gray-700">{item.memberKana}</span>
                    </span>
                    </span>
                    <span className="text-dns-14N-130 tabular-nums">{item.acquiredOnText}</span>
                    <span className="flex min-w-0 flex-wrap gap-1 overflow-hidden" title={item.stageLabel}>
                      <Badge tone={stageTone(item.stage)} testId="acq-row-stage">
                        {item.stageLabel}
                      </Badge>
                      {item.pending ? <Badge tone="info">{t("acq.pending")}</Badge> : null}
                      {item.syncLabel ? <Badge tone={labelTone(item.syncLabel)}>{item.syncLabel}</Badge> : null}
                    </span>
                    <span className="text-dns-14N-130" data-testid="acq-row-deadline">
                      {dTone ? <Badge tone={dTone}>{item.deadlineText}</Badge> : item.deadlineText}
                    </span>
                    <span className="text-dns-14N-130 tabular-nums">{item.officeCode}</span>
                  </div>
                );
              })}
            </div>
          </div>
        </>
      )}
    </div>
  );
}

/**
 * 決裁: the documents waiting for me (a table: ↑↓ move, Space selects, Enter
 * opens), the open document as it will be printed with its route and
 * history, and the buttons 承認 (Ctrl+Enter) / 差戻し / 却下 (both ask for a
 * reason first; Esc closes the reason dialog and keeps what was typed) /
 * 代決 / 引上げ / 後閲. Several selected documents are approved one by one,
 * and those that failed are listed with the reason. Every action is checked
 * by Rust first and then waits to be sent; the server decides, and what it
 * said is shown under 最近の操作の結果. Below: 不在・代決者の設定.
 *
 * The list sorts by any column (click a header, or Enter/Space on it; the longest
 * waiting first by default), filters by free text and 種類, says how many are shown,
 * and keeps that view for the session. Long lists render only the rows in view.
 * 承認 / 代決 / 引上げ take an optional comment, shown in the history.
 */
import { useEffect, useEffectEvent, useMemo, useRef, useState } from "react";
import type { KeyboardEvent as ReactKeyboardEvent } from "react";
import {
  api,
  BackendError,
  type AbsencesView,
  type ActKind,
  type ApprovalDetail,
  type BulkResult,
  type InboxItem,
  type OutcomeView,
} from "../backend";
import { Badge, type BadgeTone } from "../components/Badge";
import { Button } from "../components/Button";
import { ReasonDialog } from "../components/ReasonDialog";
import { Notice } from "../components/Notice";
import { PageHeading } from "../components/PageHeading";
import { helpClass, inputClass, labelClass, sectionClass, selectClass } from "../components/styles";
import { errorMessage, t, type MessageId } from "../i18n";
import { isComposing, isPlainEnter } from "../lib/ime";
import { hrefFor } from "../lib/router";
import { formatDateTime } from "../lib/time";
import { useAppState } from "../shell/appState";
import { useAfterSync } from "../shell/useAfterSync";
import { useWorkTimer } from "../shell/useWorkTimer";
import { AcquisitionReview } from "./AcquisitionReview";
import {
  firstDir,
  isFiltered,
  kindsOf,
  loadView,
  saveView,
  visibleItems,
  type InboxView,
  type SortKey,
} from "./inboxView";

type Banner = { kind: "error" | "success"; text: string } | null;
type ReasonKind = "return" | "reject";

function describe(err: unknown): string {
  return err instanceof BackendError ? errorMessage(err) : errorMessage({ code: "ipc.failed", message: String(err) });
}

function rowId(id: string): string {
  return `inbox-row-${id}`;
}

/** Lists longer than this render only the rows in view (plus some on either side). */
export const WINDOW_FROM = 60;
/** Row height in windowed mode (rows are kept to one line then), in px. */
const ROW_HEIGHT = 48;
const HEADER_HEIGHT = 40;
const OVERSCAN = 8;
/** 28rem, the list's maximum height, when the browser cannot tell (tests). */
const FALLBACK_VIEWPORT = 448;

/** Actions that take an optional comment. */
const WITH_COMMENT: readonly ActKind[] = ["approve", "delegate", "pull_up"];

const COLUMNS: readonly { key: SortKey; label: MessageId; className: string }[] = [
  { key: "kind", label: "inbox.col.kind", className: "whitespace-nowrap" },
  { key: "title", label: "inbox.col.title", className: "" },
  { key: "amount", label: "inbox.col.amount", className: "whitespace-nowrap text-right" },
  { key: "drafter", label: "inbox.col.drafter", className: "whitespace-nowrap" },
  { key: "office", label: "inbox.col.office", className: "whitespace-nowrap" },
  { key: "received", label: "inbox.col.received", className: "whitespace-nowrap" },
  { key: "waiting", label: "inbox.col.waiting", className: "whitespace-nowrap" },
  { key: "step", label: "inbox.col.step", className: "whitespace-nowrap" },
];

const ACT_LABEL: Record<ActKind, MessageId> = {
  approve: "inbox.act.approve",
  return: "inbox.act.return",
  reject: "inbox.act.reject",
  delegate: "inbox.act.delegate",
  pull_up: "inbox.act.pullUp",
  withdraw: "inbox.act.withdraw",
  post_read: "inbox.act.postRead",
};

export function outcomeTone(state: string): BadgeTone {
  return state === "applied" ? "neutral" : state === "pending" ? "info" : state === "conflict" ? "warning" : "error";
}

export function InboxPage() {
  const { sync, signedInUser } = useAppState();
  const [items, setItems] = useState<InboxItem[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [activeId, setActiveId] = useState<string | null>(null);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [detail, setDetail] = useState<ApprovalDetail | null>(null);
  const [detailLoading, setDetailLoading] = useState(false);
  const [banner, setBanner] = useState<Banner>(null);
  const [failures, setFailures] = useState<BulkResult["failures"]>([]);
  const [busy, setBusy] = useState(false);
  const [reasonFor, setReasonFor] = useState<ReasonKind | null>(null);
  // Typed reasons survive closing the dialog (per document and kind).
  const [reasons, setReasons] = useState<Record<string, string>>({});
  // Optional comments with 承認 / 代決 / 引上げ, per document, kept until sent.
  const [comments, setComments] = useState<Record<string, string>>({});
  const [outcomes, setOutcomes] = useState<OutcomeView[]>([]);
  const [view, setView] = useState<InboxView>(loadView);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewportHeight, setViewportHeight] = useState(FALLBACK_VIEWPORT);
  const tableRef = useRef<HTMLTableElement>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  const loadSeq = useRef(0);
  // A 資格取得届 is timed by its own review screen.
  useWorkTimer(detail && detail.kind !== "acquisition" ? detail.id : undefined);

  const visible = useMemo(() => (items ? visibleItems(items, view) : []), [items, view]);
  const windowed = visible.length > WINDOW_FROM;

  function changeView(next: InboxView) {
    setView(next);
    saveView(next);
  }

  function sortBy(key: SortKey) {
    changeView(
      view.sortKey === key
        ? { ...view, sortDir: view.sortDir === "asc" ? "desc" : "asc" }
        : { ...view, sortKey: key, sortDir: firstDir(key) },
    );
  }

  // The active row is always one that is shown (the first, when a filter hid it).
  const current = activeId !== null && visible.some((i) => i.id === activeId) ? activeId : (visible[0]?.id ?? null);

  /** Scrolls so that row `index` is in view (the window follows the scroll position). */
  function reveal(index: number) {
    if (!windowed) return;
    const el = scrollRef.current;
    const viewport = (el?.clientHeight || FALLBACK_VIEWPORT) - HEADER_HEIGHT;
    const top = index * ROW_HEIGHT;
    let next = scrollTop;
    if (top < scrollTop) next = top;
    else if (top + ROW_HEIGHT > scrollTop + viewport) next = top + ROW_HEIGHT - viewport;
    if (next === scrollTop) return;
    if (el) el.scrollTop = next;
    setScrollTop(next);
  }

  function load() {
    const mine = ++loadSeq.current;
    api.approvalInbox().then(
      (list) => {
        if (mine !== loadSeq.current) return;
        setItems(list);
        setLoadError(null);
        const first = visibleItems(list, view)[0]?.id ?? null;
        setActiveId((cur) => (cur && list.some((i) => i.id === cur) ? cur : first));
        setSelected((cur) => new Set([...cur].filter((id) => list.some((i) => i.id === id))));
      },
      (err: unknown) => {
        if (mine !== loadSeq.current) return;
        setLoadError(t("inbox.loadFailed", { message: describe(err) }));
        setItems((cur) => cur ?? []);
      },
    );
    api.approvalOutcomes().then(setOutcomes, () => {
      // The list of outcomes is a help; the inbox works without it.
    });
  }

  function reloadDetail(id: string) {
    api.approvalDetail(id).then(
      (d) => setDetail((cur) => (cur && cur.id === id ? d : cur)),
      () => {
        // Gone from this PC (revoked): keep what is shown until the clerk moves on.
      },
    );
  }

  const loadOnMount = useEffectEvent(load);
  useEffect(() => {
    loadOnMount();
  }, []);

  useAfterSync(() => {
    load();
    if (detail) reloadDetail(detail.id);
  });

  useEffect(() => {
    if (current && !windowed) document.getElementById(rowId(current))?.scrollIntoView?.({ block: "nearest" });
  }, [current, windowed]);

  function open(id: string) {
    setActiveId(id);
    setDetailLoading(true);
    setBanner(null);
    api.approvalDetail(id).then(
      (d) => {
        setDetail(d);
        setDetailLoading(false);
        requestAnimationFrame(() => document.getElementById("approval-detail-heading")?.focus());
      },
      (err: unknown) => {
        setDetailLoading(false);
        setBanner({ kind: "error", text: t("inbox.actionFailed", { message: describe(err) }) });
      },
    );
  }

  function toggle(id: string) {
    setSelected((cur) => {
      const next = new Set(cur);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }

  function onTableKeyDown(event: ReactKeyboardEvent<HTMLTableElement>) {
    // Keys on a column header (sort) or a checkbox are theirs.
    if (event.target !== event.currentTarget) return;
    if (visible.length === 0) return;
    const index = Math.max(
      0,
      visible.findIndex((i) => i.id === current),
    );
    const page = Math.max(1, Math.floor(((scrollRef.current?.clientHeight || FALLBACK_VIEWPORT) - HEADER_HEIGHT) / ROW_HEIGHT));
    let next: number | null = null;
    if (event.key === "ArrowDown") next = Math.min(index + 1, visible.length - 1);
    else if (event.key === "ArrowUp") next = Math.max(index - 1, 0);
    else if (event.key === "PageDown") next = Math.min(index + page, visible.length - 1);
    else if (event.key === "PageUp") next = Math.max(index - page, 0);
    else if (event.key === "Home") next = 0;
    else if (event.key === "End") next = visible.length - 1;
    else if (event.key === " " && !isComposing(event)) {
      event.preventDefault();
      const item = visible[index];
      if (item && !item.pending) toggle(item.id);
      return;
    } else if (isPlainEnter(event)) {
      event.preventDefault();
      const item = visible[index];
      if (item) open(item.id);
      return;
    }
    if (next === null) return;
    event.preventDefault();
    reveal(next);
    setActiveId(visible[next]?.id ?? null);
  }

  async function act(kind: ActKind, reason: string | null = null) {
    if (!detail || busy) return;
    setBusy(true);
    try {
      const typed = WITH_COMMENT.includes(kind) ? (comments[detail.id] ?? "").trim() : "";
      const d = await api.approvalAct({
        id: detail.id,
        kind,
        reason,
        comment: typed === "" ? null : typed,
        forUser: kind === "delegate" ? detail.delegateFor : null,
        seenHash: detail.seenHash,
      });
      setDetail(d);
      setBanner({ kind: "success", text: t("inbox.queued", { action: t(ACT_LABEL[kind]) }) });
      if (reason !== null) setReasons((cur) => ({ ...cur, [`${detail.id}:${kind}`]: "" }));
      if (typed !== "") setComments((cur) => ({ ...cur, [detail.id]: "" }));
      setReasonFor(null);
      load();
    } catch (err) {
      setBanner({ kind: "error", text: t("inbox.actionFailed", { message: describe(err) }) });
    } finally {
      setBusy(false);
    }
  }

  // Only what is shown is approved: a filter hides documents from the bulk action too.
  const selectedShown = visible.filter((i) => selected.has(i.id)).map((i) => i.id);

  async function bulkApprove() {
    if (busy || selectedShown.length === 0) return;
    setBusy(true);
    try {
      const result = await api.approvalBulkApprove(selectedShown);
      setFailures(result.failures);
      setBanner(
        result.approved.length > 0
          ? { kind: "success", text: t("inbox.bulkDone", { n: result.approved.length }) }
          : null,
      );
      setSelected(new Set(result.failures.map((f) => f.id)));
      load();
    } catch (err) {
      setBanner({ kind: "error", text: t("inbox.actionFailed", { message: describe(err) }) });
    } finally {
      setBusy(false);
    }
  }

  async function savePdf(id: string) {
    try {
      const path = await api.approvalPdf(id);
      setBanner({ kind: "success", text: t("inbox.pdfSaved", { path }) });
    } catch (err) {
      setBanner({ kind: "error", text: t("inbox.pdfFailed", { message: describe(err) }) });
    }
  }

  async function saveCsv(ids: string[]) {
    try {
      const path = await api.approvalTrailCsv(ids);
      setBanner({ kind: "success", text: t("inbox.csvSaved", { path }) });
    } catch (err) {
      setBanner({ kind: "error", text: t("inbox.csvFailed", { message: describe(err) }) });
    }
  }

  // Ctrl+Enter approves the open document (the page's primary action).
  const onShortcut = useEffectEvent((event: KeyboardEvent) => {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return;
    if (isComposing(event) || reasonFor) return;
    if (!detail?.actions.includes("approve")) return;
    event.preventDefault();
    void act("approve");
  });
  useEffect(() => {
    const listener = (event: KeyboardEvent) => onShortcut(event);
    window.addEventListener("keydown", listener);
    return () => window.removeEventListener("keydown", listener);
  }, []);

  const signedOut = sync?.configured === true && signedInUser === null;
  const actionable = visible.filter((i) => !i.pending);
  const filtered = isFiltered(view);
  const kinds = useMemo(() => kindsOf(items ?? []), [items]);
  const viewport = viewportHeight - HEADER_HEIGHT;
  const start = windowed ? Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN) : 0;
  const end = windowed ? Math.min(visible.length, Math.ceil((scrollTop + viewport) / ROW_HEIGHT) + OVERSCAN) : visible.length;
  const rows = visible.slice(start, end);

  return (
    <div className="max-w-7xl">
      <PageHeading>{t("nav.inbox")}</PageHeading>
      <p className="mb-6 text-std-16N-175">{t("inbox.intro")}</p>
      {signedOut ? (
        <Notice kind="info" className="mb-6" testId="inbox-signed-out">
          {t("inbox.signedOut")}{" "}
          <a href={hrefFor("signin")} className="underline underline-offset-[calc(3/16*1rem)]">
            {t("inbox.toSignIn")}
          </a>
        </Notice>
      ) : null}
      {loadError ? (
        <Notice kind="error" role="alert" className="mb-6" testId="inbox-error">
          {loadError}
        </Notice>
      ) : null}
      <div className="mb-4 empty:hidden" aria-live="polite">
        {banner ? (
          <Notice kind={banner.kind} role={banner.kind === "error" ? "alert" : undefined} testId={`inbox-banner-${banner.kind}`}>
            {banner.text}
          </Notice>
        ) : null}
      </div>
      {failures.length > 0 ? (
        <Notice kind="error" role="alert" className="mb-4" testId="inbox-bulk-failures" title={t("inbox.bulkFailed", { n: failures.length })}>
          <ul className="list-disc pl-5">
            {failures.map((f) => (
              <li key={f.id} data-testid="inbox-bulk-failure" data-id={f.id}>
                {t("inbox.bulkFailure", { title: f.title || f.id, message: f.message })}
              </li>
            ))}
          </ul>
        </Notice>
      ) : null}

      <section aria-labelledby="inbox-heading" className="mb-8">
        <div className="mb-2 flex flex-wrap items-center justify-between gap-3">
          <h2 id="inbox-heading" className="text-std-20B-150 text-solid-gray-900">
            {t("inbox.heading")}
            {items ? (
              <span className="ml-3 text-std-16N-170 text-solid-gray-700" data-testid="inbox-count" aria-live="polite">
                {filtered ? t("inbox.countFiltered", { shown: visible.length, n: items.length }) : t("inbox.count", { n: items.length })}
              </span>
            ) : null}
          </h2>
          <div className="flex flex-wrap gap-3">
            {selectedShown.length > 0 ? (
              <>
                <Button variant="secondary" onClick={() => void saveCsv(selectedShown)} data-testid="inbox-csv-selected">
                  {t("inbox.csvSelected")}
                </Button>
                <Button variant="primary" busy={busy} onClick={() => void bulkApprove()} data-testid="inbox-bulk-approve">
                  {t("inbox.bulkApprove", { n: selectedShown.length })}
                </Button>
              </>
            ) : null}
          </div>
        </div>
        {items === null ? (
          <p className="text-std-16N-170 text-solid-gray-700">{t("inbox.loading")}</p>
        ) : items.length === 0 ? (
          <p className="rounded-8 border border-dashed border-solid-gray-420 bg-solid-gray-50 p-4 text-std-16N-170" data-testid="inbox-empty">
            {t("inbox.empty")}
          </p>
        ) : (
          <>
            <div className="mb-3 flex flex-wrap items-end gap-4" role="search" aria-label={t("inbox.filter.label")}>
              <div className="flex flex-col">
                <label htmlFor="inbox-filter" className={labelClass}>
                  {t("inbox.filter.text")}
                </label>
                <input
                  id="inbox-filter"
                  data-testid="inbox-filter"
                  type="search"
                  autoComplete="off"
                  value={view.query}
                  placeholder={t("inbox.filter.placeholder")}
                  onChange={(e) => changeView({ ...view, query: e.target.value })}
                  onKeyDown={(e) => {
                    // Enter (not the one that confirms a conversion) goes to the list.
                    if (!isPlainEnter(e)) return;
                    e.preventDefault();
                    tableRef.current?.focus();
                  }}
                  className={`${inputClass} mt-1 w-72`}
                />
              </div>
              <div className="flex flex-col">
                <label htmlFor="inbox-kind-filter" className={labelClass}>
                  {t("inbox.filter.kind")}
                </label>
                <select
                  id="inbox-kind-filter"
                  data-testid="inbox-kind-filter"
                  value={view.kind}
                  onChange={(e) => changeView({ ...view, kind: e.target.value })}
                  className={`${selectClass} mt-1`}
                >
                  <option value="">{t("inbox.filter.allKinds")}</option>
                  {kinds.map((k) => (
                    <option key={k.kind} value={k.kind}>
                      {k.name}
                    </option>
                  ))}
                  {view.kind !== "" && !kinds.some((k) => k.kind === view.kind) ? <option value={view.kind}>{view.kind}</option> : null}
                </select>
              </div>
              {filtered ? (
                <Button variant="secondary" onClick={() => changeView({ ...view, query: "", kind: "" })} data-testid="inbox-filter-clear">
                  {t("inbox.filter.clear")}
                </Button>
              ) : null}
            </div>
            <p id="inbox-hint" className="mb-2 text-dns-14N-130 text-solid-gray-700">
              {t("inbox.listHint")}
            </p>
            {visible.length === 0 ? (
              <p className="mb-2 rounded-8 border border-dashed border-solid-gray-420 bg-solid-gray-50 p-4 text-std-16N-170" data-testid="inbox-filter-empty">
                {t("inbox.filter.none")}
              </p>
            ) : null}
            <div
              ref={scrollRef}
              onScroll={(e) => {
                setScrollTop(e.currentTarget.scrollTop);
                setViewportHeight(e.currentTarget.clientHeight || FALLBACK_VIEWPORT);
              }}
              className={`max-h-[28rem] overflow-auto rounded-8 border border-solid-gray-420 ${visible.length === 0 ? "hidden" : ""}`}
            >
              <table
                ref={tableRef}
                role="grid"
                tabIndex={0}
                id="inbox-table"
                data-testid="inbox-table"
                aria-label={t("inbox.table.label")}
                aria-describedby="inbox-hint"
                aria-multiselectable="true"
                aria-rowcount={visible.length + 1}
                aria-activedescendant={current ? rowId(current) : undefined}
                onKeyDown={onTableKeyDown}
                className="w-full border-collapse text-std-16N-170"
              >
                <thead className="sticky top-0 z-10 bg-solid-gray-50 text-left text-dns-14B-130">
                  <tr aria-rowindex={1}>
                    <th scope="col" className="whitespace-nowrap px-2 py-2">
                      {t("inbox.col.select")}
                    </th>
                    {COLUMNS.map((c) => {
                      const sorted = view.sortKey === c.key;
                      return (
                        <th
                          key={c.key}
                          scope="col"
                          aria-sort={sorted ? (view.sortDir === "asc" ? "ascending" : "descending") : undefined}
                          className={`px-2 py-2 ${c.className}`}
                          data-testid={`inbox-col-${c.key}`}
                        >
                          <button
                            type="button"
                            onClick={() => sortBy(c.key)}
                            className="inline-flex items-center gap-1 rounded-4 font-bold underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-900"
                          >
                            {t(c.label)}
                            <SortIcon dir={sorted ? view.sortDir : null} />
                          </button>
                        </th>
                      );
                    })}
                  </tr>
                </thead>
                <tbody>
                  {start > 0 ? <tr aria-hidden="true" style={{ height: start * ROW_HEIGHT }} data-testid="inbox-spacer" /> : null}
                  {rows.map((item, i) => (
                    <InboxRow
                      key={item.id}
                      item={item}
                      rowIndex={start + i + 2}
                      compact={windowed}
                      active={item.id === current}
                      selected={selected.has(item.id)}
                      onToggle={() => toggle(item.id)}
                      onOpen={() => open(item.id)}
                    />
                  ))}
                  {end < visible.length ? (
                    <tr aria-hidden="true" style={{ height: (visible.length - end) * ROW_HEIGHT }} data-testid="inbox-spacer" />
                  ) : null}
                </tbody>
              </table>
            </div>
            {actionable.length < visible.length ? (
              <p className="mt-2 text-dns-14N-130 text-solid-gray-700">{t("inbox.detail.pending")}</p>
            ) : null}
          </>
        )}
      </section>

      <section aria-labelledby="approval-detail-heading" className={`${sectionClass} mb-8`} data-testid="approval-detail-section">
        <h2 id="approval-detail-heading" tabIndex={-1} className="mb-4 text-std-20B-150 text-solid-gray-900">
          {detail ? detail.title : t("inbox.detail.heading")}
        </h2>
        {detailLoading && !detail ? (
          <p className="text-std-16N-170 text-solid-gray-700">{t("inbox.detail.loading")}</p>
        ) : detail && detail.kind === "acquisition" ? (
          // 資格取得届: its own review screen (form, automated review, 証明/審査/登録).
          <AcquisitionReview
            key={detail.id}
            id={detail.id}
            backLabel={t("acqReview.backToInbox")}
            onClose={() => tableRef.current?.focus()}
            onChanged={load}
          />
        ) : detail ? (
          <Detail
            detail={detail}
            busy={busy}
            comment={comments[detail.id] ?? ""}
            onComment={(v) => setComments((cur) => ({ ...cur, [detail.id]: v }))}
            onAct={(kind) => {
              if (kind === "return" || kind === "reject") setReasonFor(kind);
              else void act(kind);
            }}
            onCsv={() => void saveCsv([detail.id])}
            onPdf={() => void savePdf(detail.id)}
            onBack={() => tableRef.current?.focus()}
          />
        ) : (
          <p className="text-std-16N-170 text-solid-gray-700" data-testid="approval-detail-empty">
            {t("inbox.detail.none")}
          </p>
        )}
      </section>

      <Outcomes outcomes={outcomes} />
      <Absences />

      {reasonFor && detail ? (
        <ReasonDialog
          idPrefix="approval-reason"
          testId="approval-reason-dialog"
          title={t(reasonFor === "return" ? "inbox.reason.returnTitle" : "inbox.reason.rejectTitle")}
          label={t("inbox.reason.label")}
          help={t("inbox.reason.help")}
          requiredMessage={t(reasonFor === "return" ? "inbox.reason.required" : "inbox.reason.requiredReject")}
          confirmLabel={t(reasonFor === "return" ? "inbox.act.return" : "inbox.act.reject")}
          cancelLabel={t("inbox.reason.cancel")}
          confirmVariant={reasonFor === "reject" ? "danger" : "primary"}
          value={reasons[`${detail.id}:${reasonFor}`] ?? ""}
          busy={busy}
          onChange={(v) => setReasons((cur) => ({ ...cur, [`${detail.id}:${reasonFor}`]: v }))}
          onCancel={() => setReasonFor(null)}
          onConfirm={(reason) => void act(reasonFor, reason)}
        />
      ) : null}
    </div>
  );
}

function SortIcon({ dir }: { dir: "asc" | "desc" | null }) {
  // An icon, not text: the header's name stays 「件名」; aria-sort says the order.
  return (
    <svg aria-hidden="true" viewBox="0 0 10 12" className={`size-3 ${dir ? "text-blue-900" : "text-solid-gray-420"}`} fill="currentColor">
      {dir !== "desc" ? <path d="M5 0 L10 5 H0 Z" /> : null}
      {dir !== "asc" ? <path d="M5 12 L10 7 H0 Z" /> : null}
    </svg>
  );
}

function InboxRow({
  item,
  rowIndex,
  compact,
  active,
  selected,
  onToggle,
  onOpen,
}: {
  item: InboxItem;
  rowIndex: number;
  /** Windowed: one line per row, a fixed height. */
  compact: boolean;
  active: boolean;
  selected: boolean;
  onToggle: () => void;
  onOpen: () => void;
}) {
  return (
    <tr
      id={rowId(item.id)}
      role="row"
      aria-rowindex={rowIndex}
      aria-selected={selected}
      data-testid="inbox-row"
      data-id={item.id}
      data-active={active || undefined}
      onClick={onOpen}
      className={[
        "cursor-pointer border-t border-solid-gray-200",
        compact ? "h-12" : "",
        active ? "bg-blue-50 outline-2 -outline-offset-2 outline-blue-900" : "hover:bg-solid-gray-50",
      ].join(" ")}
    >
      <td className="px-2 py-2" onClick={(e) => e.stopPropagation()}>
        <input
          type="checkbox"
          tabIndex={-1}
          checked={selected}
          disabled={item.pending}
          onChange={onToggle}
          aria-label={t("inbox.selectRow", { title: item.title })}
          data-testid="inbox-row-select"
          className="size-5"
        />
      </td>
      <td className="whitespace-nowrap px-2 py-2">{item.kindName}</td>
      <td className="px-2 py-2">
        <span className={`flex items-center gap-2 ${compact ? "flex-nowrap" : "flex-wrap"}`}>
          <span className={`font-bold ${compact ? "max-w-[24rem] truncate" : ""}`} title={compact ? item.title : undefined}>
            {item.title}
          </span>
          {item.flagsLabel ? <Badge tone="warning">{item.flagsLabel}</Badge> : null}
          {item.pending ? (
            <Badge tone="info" testId="inbox-row-pending">
              {t("inbox.pending")}
            </Badge>
          ) : null}
        </span>
      </td>
      <td className="whitespace-nowrap px-2 py-2 text-right tabular-nums" data-testid="inbox-row-amount">
        {item.amountText}
      </td>
      <td className="whitespace-nowrap px-2 py-2">{item.drafterName}</td>
      <td className="whitespace-nowrap px-2 py-2">{item.officeCode}</td>
      <td className="px-2 py-2 whitespace-nowrap">{item.receivedAt ? formatDateTime(item.receivedAt) : ""}</td>
      <td className="px-2 py-2 whitespace-nowrap">{item.waitingText}</td>
      <td className="px-2 py-2 whitespace-nowrap" data-testid="inbox-row-step">
        {item.task === "post_read" ? (
          t("inbox.postRead")
        ) : (
          <>
            {item.stepText} {item.slotName}
            {item.forUserName ? (
              <span className={compact ? "ml-2 text-dns-14N-130" : "block text-dns-14N-130"}>{t("inbox.delegateFor", { name: item.forUserName })}</span>
            ) : null}
          </>
        )}
      </td>
    </tr>
  );
}

function Detail({
  detail,
  busy,
  comment,
  onComment,
  onAct,
  onCsv,
  onPdf,
  onBack,
}: {
  detail: ApprovalDetail;
  busy: boolean;
  comment: string;
  onComment: (value: string) => void;
  onAct: (kind: ActKind) => void;
  onCsv: () => void;
  onPdf: () => void;
  onBack: () => void;
}) {
  const can = (k: ActKind) => detail.actions.includes(k);
  const takesComment = WITH_COMMENT.some(can);
  return (
    <div data-testid="approval-detail" data-id={detail.id}>
      <dl className="mb-4 grid grid-cols-[8rem_minmax(0,1fr)] gap-x-4 gap-y-1 text-std-16N-170">
        <dt className="font-bold">{t("inbox.detail.kind")}</dt>
        <dd>{detail.kindName}</dd>
        <dt className="font-bold">{t("inbox.detail.drafter")}</dt>
        <dd>{detail.drafterName}</dd>
        <dt className="font-bold">{t("inbox.detail.office")}</dt>
        <dd>{detail.officeCode}</dd>
        <dt className="font-bold">{t("inbox.detail.amount")}</dt>
        <dd className="tabular-nums" data-testid="approval-detail-amount">
          {t("inbox.detail.amountValue", { amount: detail.amountText })}
        </dd>
        {detail.flagsLabel ? (
          <>
            <dt className="font-bold">{t("inbox.detail.flags")}</dt>
            <dd>{detail.flagsLabel}</dd>
          </>
        ) : null}
        <dt className="font-bold">{t("inbox.detail.status")}</dt>
        <dd data-testid="approval-detail-status">
          {detail.statusLabel}（{t("inbox.detail.round", { n: detail.round })}）
        </dd>
        {detail.amends ? (
          <>
            <dt className="font-bold">{t("inbox.detail.amendsLabel")}</dt>
            <dd data-testid="approval-detail-amends">
              {detail.amendsTitle
                ? t("inbox.detail.amends", { title: detail.amendsTitle })
                : t("inbox.detail.amendsUnknown", { id: detail.amends })}
            </dd>
          </>
        ) : null}
      </dl>
      <h3 className="mb-1 text-std-16B-170">{t("inbox.detail.text")}</h3>
      <div className="mb-4 whitespace-pre-wrap rounded-8 border border-solid-gray-200 bg-solid-gray-50 p-4" data-testid="approval-detail-text">
        {detail.text}
      </div>
      {detail.myStep ? <p className="mb-2 font-bold">{t("inbox.detail.myStep", { step: detail.myStep })}</p> : null}
      {detail.pending ? (
        <Notice kind="info" className="mb-4" testId="approval-detail-pending">
          {t("inbox.detail.pending")}
        </Notice>
      ) : null}
      {detail.lastOutcome ? (
        <p className="mb-4 flex flex-wrap items-center gap-2" data-testid="approval-detail-outcome">
          <Badge tone={outcomeTone(detail.lastOutcome.state)}>{detail.lastOutcome.stateLabel}</Badge>
          <span>
            {t("inbox.detail.lastOutcome", { action: detail.lastOutcome.actionLabel, state: detail.lastOutcome.stateLabel })}
          </span>
          {detail.lastOutcome.message ? <span>{detail.lastOutcome.message}</span> : null}
        </p>
      ) : null}

      <h3 className="mb-2 text-std-16B-170">{t("inbox.detail.route")}</h3>
      <ol className="mb-4 flex flex-col gap-2" data-testid="approval-route">
        {detail.steps.map((step, i) => (
          <li key={i} className={`rounded-8 border p-3 ${step.current ? "border-blue-900 bg-blue-50" : "border-solid-gray-200"}`}>
            <p className="text-dns-14B-130">
              {t("inbox.detail.stepN", { n: i + 1 })} {step.label}
            </p>
            <ul>
              {step.slots.map((slot) => (
                <li key={slot.ordinal} data-testid="approval-route-slot" className="text-std-16N-170">
                  {slot.ordinal}人目 {slot.approverName}:{" "}
                  {slot.done
                    ? `${slot.byName ?? ""} ${slot.how ?? ""}${slot.at ? `（${formatDateTime(slot.at)}）` : ""}`
                    : slot.waiting
                      ? t("inbox.detail.waiting")
                      : t("inbox.detail.notYet")}
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ol>

      {detail.postReads.length > 0 ? (
        <>
          <h3 className="mb-2 text-std-16B-170">{t("inbox.detail.postReads")}</h3>
          <ul className="mb-4" data-testid="approval-post-reads">
            {detail.postReads.map((p, i) => (
              <li key={i}>
                {t("inbox.detail.postReadOwed", { slot: p.slotLabel, reason: p.reason, names: p.owedByNames.join("・") })}{" "}
                {p.readByName ? t("inbox.detail.postReadDone", { name: p.readByName }) : t("inbox.detail.postReadOpen")}
              </li>
            ))}
          </ul>
        </>
      ) : null}

      <h3 className="mb-2 text-std-16B-170">{t("inbox.detail.history")}</h3>
      <ol className="mb-4 flex flex-col gap-1 text-std-16N-170" data-testid="approval-history">
        {detail.history.map((h, i) => (
          <li key={i} data-testid="approval-history-row">
            {formatDateTime(h.at)} {h.stepLabel ? `${h.stepLabel} ` : ""}
            <strong>{h.actLabel}</strong> {h.byName}
            {h.onBehalfOfName ? t("inbox.detail.onBehalfOf", { name: h.onBehalfOfName }) : ""}
            {i > 0 ? `（${t("inbox.detail.historyWaited", { time: h.waitedText })}）` : ""}
            {h.comment ? (
              <span className="block pl-4 text-solid-gray-800" data-testid="approval-history-comment">
                {t("inbox.detail.historyComment", { comment: h.comment })}
              </span>
            ) : null}
          </li>
        ))}
      </ol>

      {takesComment ? (
        <div className="mb-4 flex flex-col gap-1">
          <label htmlFor="approval-comment" className={labelClass}>
            {t("inbox.comment.label")}
          </label>
          <p id="approval-comment-help" className={helpClass}>
            {t("inbox.comment.help")}
          </p>
          <textarea
            id="approval-comment"
            data-testid="approval-comment"
            rows={2}
            maxLength={1000}
            value={comment}
            aria-describedby="approval-comment-help"
            onChange={(e) => onComment(e.target.value)}
            className={`${inputClass} mt-1 w-full max-w-2xl resize-y`}
          />
        </div>
      ) : null}

      <div className="sticky bottom-0 -mx-6 mt-6 flex flex-wrap items-center justify-end gap-3 border-t border-solid-gray-420 bg-white px-6 pt-4">
        <Button variant="secondary" onClick={onBack} data-testid="approval-back" className="mr-auto">
          {t("inbox.detail.back")}
        </Button>
        <Button variant="secondary" onClick={onCsv} data-testid="approval-csv">
          {t("inbox.csv")}
        </Button>
        <Button variant="secondary" onClick={onPdf} data-testid="approval-pdf">
          {t("inbox.pdf")}
        </Button>
        {can("post_read") ? (
          <Button variant="secondary" busy={busy} onClick={() => onAct("post_read")} data-testid="approval-post-read">
            {t("inbox.act.postRead")}
          </Button>
        ) : null}
        {can("pull_up") ? (
          <Button variant="secondary" busy={busy} onClick={() => onAct("pull_up")} data-testid="approval-pull-up">
            {t("inbox.act.pullUp")}
          </Button>
        ) : null}
        {can("reject") ? (
          <Button variant="secondary" busy={busy} onClick={() => onAct("reject")} data-testid="approval-reject">
            {t("inbox.act.reject")}
          </Button>
        ) : null}
        {can("return") ? (
          <Button variant="secondary" busy={busy} onClick={() => onAct("return")} data-testid="approval-return">
            {t("inbox.act.return")}
          </Button>
        ) : null}
        {can("delegate") ? (
          <Button variant="primary" busy={busy} onClick={() => onAct("delegate")} data-testid="approval-delegate">
            {t("inbox.act.delegateFor", { name: detail.delegateForName ?? "" })}
          </Button>
        ) : null}
        {can("approve") ? (
          <>
            <span className="text-dns-14N-130 text-solid-gray-700">{t("inbox.act.shortcut")}</span>
            <Button
              variant="primary"
              busy={busy}
              onClick={() => onAct("approve")}
              aria-keyshortcuts="Control+Enter"
              data-testid="approval-approve"
              id="approval-approve"
            >
              {t("inbox.act.approve")}
            </Button>
          </>
        ) : null}
      </div>
    </div>
  );
}

function Outcomes({ outcomes }: { outcomes: OutcomeView[] }) {
  return (
    <section aria-labelledby="approval-outcomes-heading" className={`${sectionClass} mb-8`}>
      <h2 id="approval-outcomes-heading" className="mb-2 text-std-20B-150 text-solid-gray-900">
        {t("inbox.outcomes.heading")}
      </h2>
      {outcomes.length === 0 ? (
        <p className="text-std-16N-170 text-solid-gray-700">{t("inbox.outcomes.empty")}</p>
      ) : (
        <ul className="flex flex-col gap-1" data-testid="approval-outcomes">
          {outcomes.map((o, i) => (
            <li key={`${o.recordId}-${i}`} data-testid="approval-outcome" data-state={o.state} className="flex flex-wrap items-center gap-2">
              <Badge tone={outcomeTone(o.state)}>{o.stateLabel}</Badge>
              <span>
                {o.actionLabel}: {o.title}
              </span>
              <span className="text-dns-14N-130 text-solid-gray-700">{formatDateTime(o.at)}</span>
              {o.message ? <span className="basis-full text-std-16N-170">{o.message}</span> : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Absences() {
  const [view, setView] = useState<AbsencesView | null>(null);
  const [delegate, setDelegate] = useState("");
  const [from, setFrom] = useState("");
  const [until, setUntil] = useState("");
  const [banner, setBanner] = useState<Banner>(null);
  const [busy, setBusy] = useState(false);

  const loadOnMount = useEffectEvent(() => {
    api.approvalAbsences().then(setView, (err: unknown) =>
      setBanner({ kind: "error", text: t("inbox.absence.failed", { message: describe(err) }) }),
    );
  });
  useEffect(() => {
    loadOnMount();
  }, []);

  async function run(call: () => Promise<AbsencesView>, done?: string) {
    if (busy) return;
    setBusy(true);
    try {
      setView(await call());
      setBanner(done ? { kind: "success", text: done } : null);
    } catch (err) {
      setBanner({ kind: "error", text: t("inbox.absence.failed", { message: describe(err) }) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="absence-heading" className={sectionClass} data-testid="absence-section">
      <h2 id="absence-heading" className="mb-2 text-std-20B-150 text-solid-gray-900">
        {t("inbox.absence.heading")}
      </h2>
      <p className="mb-4 text-std-16N-170">{t("inbox.absence.intro")}</p>
      {banner ? (
        <Notice kind={banner.kind} role={banner.kind === "error" ? "alert" : undefined} className="mb-4" testId={`absence-banner-${banner.kind}`}>
          {banner.text}
        </Notice>
      ) : null}
      {view && view.fetchedAt === null ? (
        <p className="mb-4 text-std-16N-170 text-solid-gray-700" data-testid="absence-not-fetched">
          {t("inbox.absence.notFetched")}
        </p>
      ) : null}
      {view && view.absences.length === 0 ? (
        <p className="mb-4 text-std-16N-170 text-solid-gray-700">{t("inbox.absence.none")}</p>
      ) : null}
      <ul className="mb-4 flex flex-col gap-2">
        {view?.absences.map((a) => (
          <li key={a.id} data-testid="absence-row" data-id={a.id} className="flex flex-wrap items-center gap-3">
            {a.inForce ? <Badge tone="info">{t("inbox.absence.inForce")}</Badge> : null}
            <span>
              {a.mine
                ? t("inbox.absence.mine", { from: formatDateTime(a.from), until: formatDateTime(a.until), delegate: a.delegateName })
                : t("inbox.absence.theirs", { from: formatDateTime(a.from), until: formatDateTime(a.until), user: a.userName })}
            </span>
            {a.mine ? (
              <Button
                variant="secondary"
                size="compact"
                busy={busy}
                onClick={() => void run(() => api.approvalCancelAbsence(a.id))}
                data-testid="absence-cancel"
              >
                {t("inbox.absence.cancel")}
              </Button>
            ) : null}
          </li>
        ))}
      </ul>
      <form
        noValidate
        className="flex flex-wrap items-end gap-4"
        onSubmit={(e) => {
          e.preventDefault();
          void run(() => api.approvalAddAbsence({ delegateId: delegate, from, until }), t("inbox.absence.added"));
        }}
      >
        <div>
          <label htmlFor="absence-delegate" className={labelClass}>
            {t("inbox.absence.delegate")}
          </label>
          <select
            id="absence-delegate"
            data-testid="absence-delegate"
            value={delegate}
            onChange={(e) => setDelegate(e.target.value)}
            className={`${selectClass} mt-1`}
          >
            <option value="">{t("inbox.absence.choose")}</option>
            {view?.users.map((u) => (
              <option key={u.userId} value={u.userId}>
                {u.displayName}
                {u.posts ? `（${u.posts}）` : ""}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="absence-from" className={labelClass}>
            {t("inbox.absence.from")}
          </label>
          <input
            id="absence-from"
            data-testid="absence-from"
            type="datetime-local"
            value={from}
            onChange={(e) => setFrom(e.target.value)}
            className={`${inputClass} mt-1`}
          />
        </div>
        <div>
          <label htmlFor="absence-until" className={labelClass}>
            {t("inbox.absence.until")}
          </label>
          <input
            id="absence-until"
            data-testid="absence-until"
            type="datetime-local"
            value={until}
            onChange={(e) => setUntil(e.target.value)}
            className={`${inputClass} mt-1`}
          />
        </div>
        <Button type="submit" variant="secondary" busy={busy} data-testid="absence-add">
          {t("inbox.absence.add")}
        </Button>
      </form>
    </section>
  );
}

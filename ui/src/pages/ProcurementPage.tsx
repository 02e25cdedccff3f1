/**
 * 調達・契約・支払: four tabs — 案件 (the cases with their deadlines, and the open case),
 * 契約相手方, 予算 and 振込データ. The case list: ↑↓ select, Enter opens; the counts at the
 * top are the deadlines dashboard (期限超過 / 期限間近).
 */
import { useEffect, useEffectEvent, useRef, useState } from "react";
import type { KeyboardEvent as ReactKeyboardEvent } from "react";
import { api, type ProcurementCaseSummary } from "../backend";
import { Badge } from "../components/Badge";
import { Button } from "../components/Button";
import { Notice } from "../components/Notice";
import { PageHeading } from "../components/PageHeading";
import { TabList } from "../components/TabList";
import { t, type MessageId } from "../i18n";
import { isPlainEnter } from "../lib/ime";
import { useAfterSync } from "../shell/useAfterSync";
import { ProcurementBudgets } from "./ProcurementBudgets";
import { ProcurementCase } from "./ProcurementCase";
import { DeadlineBadge, describe } from "./ProcurementFields";
import { ProcurementTransfer } from "./ProcurementTransfer";
import { ProcurementVendors } from "./ProcurementVendors";

type Tab = "cases" | "vendors" | "budgets" | "transfer";

const TABS: readonly { id: Tab; label: MessageId }[] = [
  { id: "cases", label: "procurement.tab.cases" },
  { id: "vendors", label: "procurement.tab.vendors" },
  { id: "budgets", label: "procurement.tab.budgets" },
  { id: "transfer", label: "procurement.tab.transfer" },
];

export function ProcurementPage() {
  const [tab, setTab] = useState<Tab>("cases");


  return (
    <div className="max-w-6xl">
      <PageHeading>{t("nav.procurement")}</PageHeading>
      <TabList
        tabs={TABS.map((x) => ({ id: x.id, label: t(x.label) }))}
        selected={tab}
        onSelect={setTab}
        idPrefix="procurement"
        label={t("procurement.tabs.label")}
      />
      <div role="tabpanel" id={`procurement-panel-${tab}`} aria-labelledby={`procurement-tab-${tab}`}>
        {tab === "cases" ? <CasesTab /> : tab === "vendors" ? <ProcurementVendors /> : tab === "budgets" ? <ProcurementBudgets /> : <ProcurementTransfer />}
      </div>
    </div>
  );
}

function optionId(id: string): string {
  return `procurement-case-${id}`;
}

function CasesTab() {
  const [list, setList] = useState<ProcurementCaseSummary[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [activeId, setActiveId] = useState<string | null>(null);
  /** The open case: its id, or "new" for a new request. */
  const [open, setOpen] = useState<string | null>(null);
  const seq = useRef(0);

  function load() {
    const mine = ++seq.current;
    api.procurementCases().then(
      (items) => {
        if (mine !== seq.current) return;
        setList(items);
        setLoadError(null);
        setActiveId((cur) => (cur && items.some((c) => c.id === cur) ? cur : (items[0]?.id ?? null)));
      },
      (err: unknown) => {
        if (mine !== seq.current) return;
        setLoadError(t("procurement.loadFailed", { message: describe(err) }));
        setList((cur) => cur ?? []);
      },
    );
  }
  const loadOnMount = useEffectEvent(load);
  useEffect(() => {
    loadOnMount();
  }, []);
  // A 課長's decision arrives with a sync: show the new stage without a restart.
  useAfterSync(load);

  function onListKeyDown(event: ReactKeyboardEvent<HTMLDivElement>) {
    if (!list || list.length === 0) return;
    const index = list.findIndex((c) => c.id === activeId);
    let next: number | null = null;
    if (event.key === "ArrowDown") next = Math.min(index + 1, list.length - 1);
    else if (event.key === "ArrowUp") next = Math.max(index - 1, 0);
    else if (isPlainEnter(event)) {
      event.preventDefault();
      const c = list[index] ?? list[0];
      if (c) setOpen(c.id);
      return;
    }
    if (next === null) return;
    event.preventDefault();
    setActiveId(list[next]?.id ?? null);
  }

  if (open !== null) {
    return (
      <ProcurementCase
        caseId={open === "new" ? null : open}
        onClose={() => {
          setOpen(null);
          load();
        }}
        onSaved={(id) => {
          setActiveId(id);
          load();
        }}
      />
    );
  }

  const overdue = list?.filter((c) => c.deadline?.risk === "overdue").length ?? 0;
  const dueSoon = list?.filter((c) => c.deadline?.risk === "dueSoon").length ?? 0;

  return (
    <section aria-labelledby="procurement-cases-heading">
      <div className="mb-4 flex flex-wrap items-center justify-between gap-3">
        <h2 id="procurement-cases-heading" className="text-std-20B-150 text-solid-gray-900">
          {t("procurement.cases.heading")}
          {list ? (
            <span className="ml-3 text-std-16N-170 text-solid-gray-700" data-testid="procurement-cases-count">
              {t("procurement.count", { n: list.length })}
            </span>
          ) : null}
        </h2>
        <Button variant="primary" onClick={() => setOpen("new")} data-testid="procurement-new">
          {t("procurement.new")}
        </Button>
      </div>
      <p className="mb-4 flex flex-wrap gap-3" data-testid="procurement-deadlines" aria-live="polite">
        <Badge tone={overdue > 0 ? "error" : "neutral"} testId="procurement-overdue-count">
          {t("procurement.deadline.overdueCount", { n: overdue })}
        </Badge>
        <Badge tone={dueSoon > 0 ? "warning" : "neutral"} testId="procurement-duesoon-count">
          {t("procurement.deadline.dueSoonCount", { n: dueSoon })}
        </Badge>
      </p>
      {loadError ? (
        <Notice kind="error" role="alert" className="mb-4" testId="procurement-error">
          {loadError}
        </Notice>
      ) : null}
      {list === null ? (
        <p className="text-std-16N-170 text-solid-gray-700">{t("procurement.loading")}</p>
      ) : list.length === 0 ? (
        <p className="rounded-8 border border-dashed border-solid-gray-420 bg-solid-gray-50 p-4 text-std-16N-170" data-testid="procurement-empty">
          {t("procurement.cases.empty")}
        </p>
      ) : (
        <>
          <p id="procurement-list-hint" className="mb-2 text-dns-14N-130 text-solid-gray-700">
            {t("procurement.cases.hint")}
          </p>
          <div
            role="listbox"
            tabIndex={0}
            data-testid="procurement-cases"
            aria-label={t("procurement.cases.heading")}
            aria-describedby="procurement-list-hint"
            aria-activedescendant={activeId ? optionId(activeId) : undefined}
            onKeyDown={onListKeyDown}
            className="rounded-8 border border-solid-gray-420 bg-white"
          >
            <div aria-hidden="true" className="grid grid-cols-[minmax(0,2fr)_8rem_minmax(0,1fr)_minmax(0,1fr)_minmax(0,1.4fr)] gap-3 border-b border-solid-gray-420 bg-solid-gray-50 px-3 py-2 text-dns-14B-120">
              <span>{t("procurement.col.title")}</span>
              <span className="text-right">{t("procurement.col.amount")}</span>
              <span>{t("procurement.col.stage")}</span>
              <span>{t("procurement.col.vendor")}</span>
              <span>{t("procurement.col.deadline")}</span>
            </div>
            {list.map((c) => (
              <div
                key={c.id}
                id={optionId(c.id)}
                role="option"
                aria-selected={c.id === activeId}
                data-testid="procurement-case-row"
                data-id={c.id}
                onClick={() => {
                  setActiveId(c.id);
                  setOpen(c.id);
                }}
                className={[
                  "grid cursor-pointer grid-cols-[minmax(0,2fr)_8rem_minmax(0,1fr)_minmax(0,1fr)_minmax(0,1.4fr)] items-center gap-3 border-b border-l-4 border-b-solid-gray-200 px-3 py-2 text-std-16N-170 last:border-b-0",
                  c.id === activeId ? "border-l-blue-900 bg-blue-50" : "border-l-transparent hover:bg-solid-gray-50",
                ].join(" ")}
              >
                <span className="font-bold break-words">{c.title || t("procurement.untitled")}</span>
                <span className="text-right tabular-nums">{t("procurement.yen", { amount: c.amountText })}</span>
                <span data-testid="procurement-case-stage">{c.stage}</span>
                <span className="break-words">{c.vendor}</span>
                <span>
                  <DeadlineBadge deadline={c.deadline} testId="procurement-case-deadline" />
                </span>
              </div>
            ))}
          </div>
        </>
      )}
    </section>
  );
}

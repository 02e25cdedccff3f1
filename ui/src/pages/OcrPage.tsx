/**
 * AI-OCR確認 (#/ocr): the correction queue of scanned forms.
 *
 * Three tabs — 受付一覧 (read a scan; the documents; 「確認を始める」), 保留 (the documents
 * set aside, 「保留を解除」) and 集計 (the figures) — and, once a document is opened, the
 * correction screen in their place (pages/ocr/OcrDocument).
 *
 * Leases: a document is opened with the central service's edit lease (`ocrOpen`; refused
 * with `ocr.lease_held` naming who has it, shown on the queue). Every lease this page holds
 * is renewed every 2 minutes and given back (`ocrClose`) when the document is left or the
 * page is. The next document of mine is opened in the background while the last field of
 * the current one is being done, so 「次の帳票へ」 shows it at once.
 */
import { useCallback, useEffect, useEffectEvent, useMemo, useRef, useState } from "react";
import { api, type OcrDocumentView, type OcrQueueItem, type OcrQueueView } from "../backend";
import { Badge } from "../components/Badge";
import { Button } from "../components/Button";
import { Notice } from "../components/Notice";
import { PageHeading } from "../components/PageHeading";
import { TabList } from "../components/TabList";
import { t, type MessageId } from "../i18n";
import { useAfterSync } from "../shell/useAfterSync";
import { EnterTimings, preloadImages } from "./ocr/correction";
import { describe } from "./ocr/format";
import { OcrDocument } from "./ocr/OcrDocument";
import { OcrImport } from "./ocr/OcrImport";
import { OcrMetrics } from "./ocr/OcrMetrics";
import { OcrExceptionsTable, OcrQueueTable } from "./ocr/OcrQueue";

/** The edit lease lasts 5 minutes on the server; renewed well before. */
export const OCR_RENEW_MS = 2 * 60 * 1000;

type Tab = "queue" | "exceptions" | "metrics";

const TABS: readonly { id: Tab; label: MessageId }[] = [
  { id: "queue", label: "ocr.tab.queue" },
  { id: "exceptions", label: "ocr.tab.exceptions" },
  { id: "metrics", label: "ocr.tab.metrics" },
];

/** The leases this page holds: renewed while held, given back when let go or when the page goes. */
function useLeases(onLost: (message: string) => void) {
  const held = useRef(new Set<string>());
  const closing = useRef<number | null>(null);
  const lost = useEffectEvent(onLost);

  useEffect(() => {
    // Mounted again at once (React's StrictMode in development): keep the leases.
    if (closing.current !== null) {
      window.clearTimeout(closing.current);
      closing.current = null;
    }
    const timer = window.setInterval(() => {
      for (const id of held.current) {
        api.ocrRenew(id).catch((err: unknown) => lost(describe(err)));
      }
    }, OCR_RENEW_MS);
    const leases = held.current;
    return () => {
      window.clearInterval(timer);
      closing.current = window.setTimeout(() => {
        closing.current = null;
        for (const id of leases) void api.ocrClose(id).catch(() => undefined);
        leases.clear();
      }, 0);
    };
  }, []);

  return useMemo(
    () => ({
      hold(id: string) {
        held.current.add(id);
      },
      release(id: string) {
        if (!held.current.delete(id)) return;
        void api.ocrClose(id).catch(() => undefined);
      },
      releaseAll() {
        for (const id of [...held.current]) this.release(id);
      },
    }),
    [],
  );
}

type Leases = ReturnType<typeof useLeases>;


export function OcrPage() {
  const [tab, setTab] = useState<Tab>("queue");
  const [queue, setQueue] = useState<OcrQueueView | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [openError, setOpenError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [opening, setOpening] = useState<string | null>(null);
  const [reopening, setReopening] = useState<string | null>(null);
  const [doc, setDoc] = useState<OcrDocumentView | null>(null);
  const [leaseError, setLeaseError] = useState<string | null>(null);
  const startRef = useRef<HTMLButtonElement>(null);
  const focusStart = useRef(false);
  const seq = useRef(0);
  const leases = useLeases(setLeaseError);

  function load() {
    const mine = ++seq.current;
    api.ocrQueue().then(
      (q) => {
        if (mine !== seq.current) return;
        setQueue(q);
        setLoadError(null);
      },
      (err: unknown) => {
        if (mine !== seq.current) return;
        setLoadError(t("ocr.queue.loadFailed", { message: describe(err) }));
      },
    );
  }
  const loadOnMount = useEffectEvent(load);
  useEffect(() => {
    loadOnMount();
  }, []);
  useAfterSync(() => {
    if (!doc) load();
  });

  // Back from a document: the keyboard goes on from 「確認を始める」.
  useEffect(() => {
    if (doc || !focusStart.current || !queue) return;
    focusStart.current = false;
    startRef.current?.focus();
  }, [doc, queue]);

  async function open(id: string) {
    if (opening) return;
    setOpening(id);
    setOpenError(null);
    setNotice(null);
    try {
      const view = await api.ocrOpen(id);
      leases.hold(id);
      preloadImages(view);
      setLeaseError(null);
      setDoc(view);
    } catch (err) {
      setOpenError(describe(err));
    } finally {
      setOpening(null);
    }
  }

  function exit(message: string | null) {
    leases.releaseAll();
    setDoc(null);
    setNotice(message);
    setLeaseError(null);
    setTab("queue");
    focusStart.current = true;
    load();
  }

  async function reopen(item: OcrQueueItem) {
    if (reopening) return;
    setReopening(item.id);
    setOpenError(null);
    setNotice(null);
    try {
      await api.ocrReopen(item.id);
      setNotice(t("ocr.exceptions.reopened", { name: `${item.templateName} ${item.documentLabel}` }));
      load();
    } catch (err) {
      setOpenError(describe(err));
    } finally {
      setReopening(null);
    }
  }


  if (doc) {
    return (
      <div className="max-w-[110rem]">
        <PageHeading>{t("nav.ocr")}</PageHeading>
        <OcrSession key={doc.state.id} first={doc} leases={leases} leaseError={leaseError} onExit={exit} />
      </div>
    );
  }

  const items = queue?.items ?? [];
  const exceptions = items.filter((i) => i.status === "exception");
  const firstMine = items.find((i) => i.status === "open" && i.myTasks > 0);

  return (
    <div className="max-w-7xl">
      <PageHeading>{t("nav.ocr")}</PageHeading>
      {notice ? (
        <Notice kind="success" role="status" className="mb-4" testId="ocr-notice">
          {notice}
        </Notice>
      ) : null}
      {openError ? (
        <Notice kind="error" role="alert" className="mb-4" testId="ocr-open-error">
          {openError}
        </Notice>
      ) : null}
      {loadError ? (
        <Notice kind="error" role="alert" className="mb-4" testId="ocr-load-error">
          {loadError}
        </Notice>
      ) : null}
      <div className="mb-6 flex flex-wrap items-center justify-between gap-4">
        <p className="flex flex-wrap gap-3" aria-live="polite">
          <Badge tone={queue && queue.mine > 0 ? "info" : "neutral"} testId="ocr-count-mine">
            {t("ocr.count.mine", { n: queue?.mine ?? 0 })}
          </Badge>
          <Badge tone={queue && queue.exceptions > 0 ? "warning" : "neutral"} testId="ocr-count-exceptions">
            {t("ocr.count.exceptions", { n: queue?.exceptions ?? 0 })}
          </Badge>
        </p>
        <div className="flex items-center gap-3">
          {queue && !firstMine ? <span className="text-std-16N-170 text-solid-gray-700">{t("ocr.start.none")}</span> : null}
          <Button
            ref={startRef}
            variant="primary"
            busy={opening !== null}
            aria-disabled={!firstMine || undefined}
            onClick={() => {
              if (firstMine) void open(firstMine.id);
            }}
            data-testid="ocr-start"
          >
            {t("ocr.start")}
          </Button>
        </div>
      </div>
      <TabList
        tabs={TABS.map((x) => ({ id: x.id, label: x.id === "exceptions" ? t("ocr.tab.exceptionsCount", { n: exceptions.length }) : t(x.label) }))}
        selected={tab}
        onSelect={setTab}
        idPrefix="ocr"
        label={t("ocr.tabs.label")}
      />
      <div role="tabpanel" id={`ocr-panel-${tab}`} aria-labelledby={`ocr-tab-${tab}`} className="flex flex-col gap-6">
        {tab === "queue" ? (
          <>
            <OcrImport templates={queue?.templates ?? []} onImported={() => load()} />
            <section aria-labelledby="ocr-queue-heading">
              <h2 id="ocr-queue-heading" className="mb-3 text-std-20B-150 text-solid-gray-900">
                {t("ocr.queue.heading")}
              </h2>
              {queue ? (
                <OcrQueueTable items={items} opening={opening} onOpen={(id) => void open(id)} />
              ) : loadError ? null : (
                <p className="text-std-16N-170 text-solid-gray-700">{t("ocr.loading")}</p>
              )}
            </section>
          </>
        ) : tab === "exceptions" ? (
          <OcrExceptionsTable items={exceptions} reopening={reopening} onReopen={(item) => void reopen(item)} />
        ) : (
          <OcrMetrics />
        )}
      </div>
    </div>
  );
}

type Next = { kind: "view"; view: OcrDocumentView; countedCurrent: boolean } | { kind: "none" } | { kind: "error"; message: string };

/**
 * One sitting at the correction screen: the document shown, and the next one opened in the
 * background. The Enter timings last for the whole sitting.
 */
function OcrSession({
  first,
  leases,
  leaseError,
  onExit,
}: {
  first: OcrDocumentView;
  leases: Leases;
  leaseError: string | null;
  onExit: (notice: string | null) => void;
}) {
  const [view, setView] = useState(first);
  const [remaining, setRemaining] = useState(first.remainingDocuments);
  const [nextState, setNextState] = useState<"idle" | "loading" | "ready" | "none">("idle");
  const [timings] = useState(() => new EnterTimings());
  const next = useRef<{ forId: string; result: Promise<Next> } | null>(null);
  const visited = useRef(new Set([first.state.id]));
  const current = useRef(first.state.id);
  const alive = useRef(true);

  // The page gives back every lease it holds when the sitting ends (OcrPage's exit, or the
  // page left); a next document that arrives after that gives its lease back at once.
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);

  const preload = useCallback((countedCurrent: boolean): Promise<Next> => {
    if (next.current?.forId === current.current) return next.current.result;
    const forId = current.current;
    setNextState("loading");
    const result = (async (): Promise<Next> => {
      let id = view.nextId ?? null;
      if (id === null || visited.current.has(id)) {
        // The view's suggestion is one already done in this sitting: ask the queue.
        const q = await api.ocrQueue().catch(() => null);
        id = q?.items.find((i) => i.status === "open" && i.myTasks > 0 && !visited.current.has(i.id))?.id ?? null;
      }
      if (id === null) return { kind: "none" };
      try {
        const v = await api.ocrOpen(id);
        if (!alive.current) {
          void api.ocrClose(id).catch(() => undefined);
          return { kind: "none" };
        }
        leases.hold(id);
        preloadImages(v);
        return { kind: "view", view: v, countedCurrent };
      } catch (err) {
        return { kind: "error", message: describe(err) };
      }
    })();
    next.current = { forId, result };
    void result.then((r) => {
      if (current.current === forId) setNextState(r.kind === "view" ? "ready" : r.kind === "none" ? "none" : "idle");
    });
    return result;
  }, [view.nextId, leases]);

  const attachTimings = useCallback((el: HTMLDivElement | null) => timings.attach(el), [timings]);
  const onPreloadNext = useCallback((countedCurrent: boolean) => void preload(countedCurrent), [preload]);

  async function goNext() {
    const r = await preload(false);
    const leaving = current.current;
    if (r.kind === "view") {
      const v = r.view;
      leases.release(leaving);
      visited.current.add(v.state.id);
      current.current = v.state.id;
      next.current = null;
      setNextState("idle");
      setRemaining(Math.max(1, v.remainingDocuments - (r.countedCurrent ? 1 : 0)));
      setView(v);
      return;
    }
    onExit(r.kind === "none" ? t("ocr.queue.allDone") : r.message);
  }

  return (
    <>
      <OcrDocument
        key={view.state.id}
        view={view}
        remaining={remaining}
        timings={timings}
        nextState={nextState}
        onPreloadNext={onPreloadNext}
        onNext={() => void goNext()}
        onExit={onExit}
        leaseError={leaseError}
      />
      <div hidden data-testid="ocr-timings" ref={attachTimings} />
      <div hidden data-testid="ocr-next-state" data-state={nextState} />
    </>
  );
}

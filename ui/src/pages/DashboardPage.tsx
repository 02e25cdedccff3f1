/**
 * 見える化 (#/dashboard): the figures of the work for supervisors and managers — volumes
 * per month, time per step, backlog, overdue cases, the AI-OCR straight-through rate, the
 * DX plan's 業務フロー table (CSV / PDF) and a before/after comparison. The central
 * service computes them (`api.dashboardLoad`); this page needs the connection.
 *
 * Filters: a period (今年度, 前年度, 直近12か月, or two dates), the office (事務局審査担当
 * and 決裁権者 only; a 所属所長 sees their own) and a 比較日. The previous figures stay on
 * screen while new ones load, so nothing jumps.
 *
 * The time from the request to the charts drawn is measured for the benchmarks and E2E:
 * `console.debug("[dashboard] render", ms, draw)` and `data-render-ms` on the page, never
 * shown; `data-draw-ms` is the app's own part of it (answer received → charts drawn), the
 * rest being the central service and the way there.
 */
import { useEffect, useId, useRef, useState } from "react";
import { api, BackendError, type DashboardQuery, type DashboardView } from "../backend";
import { Button } from "../components/Button";
import { Notice } from "../components/Notice";
import { PageHeading } from "../components/PageHeading";
import { helpClass, labelClass, sectionClass, selectClass } from "../components/styles";
import { WarekiDateField } from "../components/WarekiDateField";
import { errorMessage, t } from "../i18n";
import { todayIso } from "../lib/text";
import { formatDateTime } from "../lib/time";
import { useAppState } from "../shell/appState";
import { mayChooseOffice, mayOpenDashboard, presetOf, presetPeriod, type PresetId } from "./dashboard/model";
import { BacklogChart, Comparison, FlowTable, MonthsChart, OcrRate, OverdueList, StepsCharts, Summary } from "./dashboard/Sections";

function describe(err: unknown): string {
  if (err instanceof BackendError) return errorMessage(err);
  return errorMessage({ code: "ipc.failed", message: String(err) });
}

const PRESETS: readonly PresetId[] = ["thisYear", "lastYear", "last12"];

export function DashboardPage() {
  const { session, signedInUser } = useAppState();
  const allowed = mayOpenDashboard(session);
  return (
    <>
      <PageHeading>{t("dashboard.title")}</PageHeading>
      <p className={`mb-6 ${helpClass}`}>{t("dashboard.lead")}</p>
      {!signedInUser ? (
        <Notice kind="info">{t("dashboard.signedOut")}</Notice>
      ) : !session ? (
        <p className={helpClass}>{t("common.loading")}</p>
      ) : !allowed ? (
        <Notice kind="error" role="alert" testId="dashboard-forbidden">
          {t("dashboard.forbidden")}
        </Notice>
      ) : (
        <Dashboard chooseOffice={mayChooseOffice(session)} ownOffice={session.officeName ?? session.officeCode ?? ""} />
      )}
    </>
  );
}

type ExportKind = "csv" | "pdf";

function Dashboard({ chooseOffice, ownOffice }: { chooseOffice: boolean; ownOffice: string }) {
  const today = todayIso();
  const [query, setQuery] = useState<DashboardQuery>(() => ({ ...presetPeriod("thisYear", today), office: null, compareAt: null }));
  // The date fields' values; applied with 「この範囲で表示」.
  const [from, setFrom] = useState<string | null>(query.from);
  const [to, setTo] = useState<string | null>(query.to);
  const [compareAt, setCompareAt] = useState<string | null>(null);
  const [view, setView] = useState<DashboardView | null>(null);
  // The answer to the latest query (by its key); loading until it matches the query.
  const [answer, setAnswer] = useState<{ key: string; error: string | null } | null>(null);
  const [process, setProcess] = useState("");
  const [exporting, setExporting] = useState<ExportKind | null>(null);
  const [exported, setExported] = useState<{ kind: "success" | "error"; text: string } | null>(null);
  const requestedAt = useRef(0);
  const answeredAt = useRef(0);
  const rootRef = useRef<HTMLDivElement>(null);
  const officeId = useId();
  const key = JSON.stringify(query);
  const loading = answer?.key !== key;
  const error = loading ? null : (answer?.error ?? null);

  useEffect(() => {
    let alive = true;
    const asked = JSON.stringify(query);
    requestedAt.current = performance.now();
    api.dashboardLoad(query).then(
      (v) => {
        if (!alive) return;
        answeredAt.current = performance.now();
        setView(v);
        setAnswer({ key: asked, error: null });
      },
      (err: unknown) => {
        if (alive) setAnswer({ key: asked, error: describe(err) });
      },
    );
    return () => {
      alive = false;
    };
  }, [query]);

  // Request → charts drawn: after React commits and the browser paints the next frame.
  useEffect(() => {
    if (!view || loading) return;
    const started = requestedAt.current;
    const answered = answeredAt.current;
    const frame = requestAnimationFrame(() => {
      const now = performance.now();
      const ms = Math.round(now - started);
      const draw = Math.round(now - answered);
      rootRef.current?.setAttribute("data-render-ms", String(ms));
      rootRef.current?.setAttribute("data-draw-ms", String(draw));
      console.debug("[dashboard] render", ms, draw);
    });
    return () => cancelAnimationFrame(frame);
  }, [view, loading]);

  const preset = presetOf(query, today);

  function choosePreset(id: PresetId) {
    const p = presetPeriod(id, today);
    setFrom(p.from);
    setTo(p.to);
    setQuery((q) => ({ ...q, ...p }));
  }

  function apply() {
    if (!from || !to) return;
    setQuery((q) => ({ ...q, from, to, compareAt }));
  }

  async function exportTable(kind: ExportKind) {
    if (exporting) return;
    setExporting(kind);
    setExported(null);
    const label = kind === "csv" ? "CSV" : "PDF";
    try {
      const done = kind === "csv" ? await api.dashboardExportCsv(query) : await api.dashboardExportPdf(query);
      setExported({ kind: "success", text: t("dashboard.export.saved", { kind: label, rows: done.rows, path: done.path }) });
    } catch (err) {
      setExported({ kind: "error", text: t("dashboard.export.failed", { kind: label, message: describe(err) }) });
    } finally {
      setExporting(null);
    }
  }

  return (
    <div ref={rootRef} className="flex flex-col gap-6" data-testid="dashboard" aria-busy={loading}>
      <form
        className={`${sectionClass} flex flex-col gap-4`}
        aria-label={t("dashboard.filter.legend")}
        onSubmit={(e) => {
          e.preventDefault();
          apply();
        }}
      >
        <fieldset>
          <legend className={labelClass}>{t("dashboard.filter.presets")}</legend>
          <div className="mt-2 flex flex-wrap gap-2">
            {PRESETS.map((id) => (
              <Button
                key={id}
                type="button"
                variant={preset === id ? "primary" : "secondary"}
                aria-pressed={preset === id}
                onClick={() => choosePreset(id)}
                data-testid={`dashboard-preset-${id}`}
              >
                {t(`dashboard.preset.${id}`)}
              </Button>
            ))}
          </div>
        </fieldset>
        <div className="grid gap-4 lg:grid-cols-2">
          <WarekiDateField id="dashboard-filter-from" label={t("dashboard.filter.from")} value={from} onChange={setFrom} />
          <WarekiDateField id="dashboard-filter-to" label={t("dashboard.filter.to")} value={to} onChange={setTo} />
        </div>
        <div className="grid gap-4 lg:grid-cols-2">
          <div>
            <WarekiDateField
              id="dashboard-filter-compare"
              label={t("dashboard.filter.compareAt")}
              value={compareAt}
              onChange={setCompareAt}
              help={t("dashboard.filter.compareHelp")}
            />
          </div>
          <div>
            {chooseOffice ? (
              <>
                <label htmlFor={officeId} className={labelClass}>
                  {t("dashboard.filter.office")}
                </label>
                <select
                  id={officeId}
                  className={`mt-2 ${selectClass}`}
                  value={query.office ?? ""}
                  onChange={(e) => setQuery((q) => ({ ...q, office: e.target.value || null }))}
                  data-testid="dashboard-office"
                >
                  <option value="">{t("dashboard.filter.officeAll")}</option>
                  {(view?.offices ?? []).map((o) => (
                    <option key={o.code} value={o.code}>
                      {o.label}
                    </option>
                  ))}
                </select>
              </>
            ) : (
              <p className={helpClass}>{t("dashboard.filter.officeOwn", { office: ownOffice })}</p>
            )}
          </div>
        </div>
        <div className="flex flex-wrap items-center justify-between gap-3">
          <div className="flex flex-wrap gap-2">
            <Button type="button" busy={exporting === "csv"} onClick={() => void exportTable("csv")} data-testid="dashboard-export-csv">
              {t("dashboard.export.csv")}
            </Button>
            <Button type="button" busy={exporting === "pdf"} onClick={() => void exportTable("pdf")} data-testid="dashboard-export-pdf">
              {t("dashboard.export.pdf")}
            </Button>
          </div>
          <Button type="submit" variant="primary" data-testid="dashboard-apply">
            {t("dashboard.filter.apply")}
          </Button>
        </div>
        <div aria-live="polite" className="min-h-6">
          {exported ? (
            <Notice kind={exported.kind} role={exported.kind === "error" ? "alert" : undefined} testId="dashboard-export-result">
              {exported.text}
            </Notice>
          ) : null}
        </div>
      </form>

      <p className="min-h-7 text-std-16N-170 text-solid-gray-700" aria-live="polite" data-testid="dashboard-status">
        {loading
          ? t("dashboard.loading")
          : view
            ? t("dashboard.asOf", { from: view.from, to: view.to, time: formatDateTime(view.asOf) })
            : ""}
      </p>
      {error ? (
        <Notice kind="error" role="alert" testId="dashboard-error">
          {t("dashboard.failed", { message: error })}
        </Notice>
      ) : null}
      {view ? (
        <div className={`flex flex-col gap-6 ${loading ? "opacity-60" : ""}`} data-testid="dashboard-content">
          <Summary view={view} />
          <MonthsChart view={view} process={process} onProcess={setProcess} />
          <StepsCharts view={view} process={process} onProcess={setProcess} />
          <div className="grid gap-6 xl:grid-cols-2">
            <BacklogChart view={view} />
            <OcrRate view={view} />
          </div>
          <OverdueList view={view} />
          <FlowTable view={view} />
          <Comparison view={view} />
        </div>
      ) : null}
    </div>
  );
}

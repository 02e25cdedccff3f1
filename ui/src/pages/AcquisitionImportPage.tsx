/**
 * 資格取得届の一括取込: choose a CSV file (UTF-8 or Shift_JIS), see the encoding, map
 * its columns to the form's fields, look at every row with its findings (a windowed
 * list: 10,000 rows stay smooth; ↑↓ selects a row and shows all its findings), then
 * 取り込む the rows without errors in one go — with a progress bar and 中止 that leaves
 * nothing imported — and save the error report of the rejected rows.
 *
 * The file's bytes go to Rust once (base64); Rust keeps the file and every check. The
 * 個人番号 never comes back to this page.
 */
import { useEffect, useRef, useState } from "react";
import type { ChangeEvent, KeyboardEvent as ReactKeyboardEvent } from "react";
import {
  api,
  BackendError,
  type ColumnMapping,
  type ImportEncoding,
  type ImportPreview,
  type ImportProgress,
  type ImportResult,
  type ImportRowView,
} from "../backend";
import { Badge, type BadgeTone } from "../components/Badge";
import { Button } from "../components/Button";
import { Notice } from "../components/Notice";
import { PageHeading } from "../components/PageHeading";
import { helpClass, labelClass, sectionClass, selectClass } from "../components/styles";
import { bytesToBase64, readFileBytes } from "../lib/file";
import { errorMessage, t, type MessageId } from "../i18n";
import { hrefFor } from "../lib/router";

export const IMPORT_ROW_HEIGHT = 56;
const VIEWPORT_HEIGHT = 448;
const OVERSCAN = 6;

type RowFilter = "" | "error" | "warning";
type Phase = { kind: "idle" } | { kind: "reading" } | { kind: "running"; done: number; total: number; cancelling: boolean };

function describe(err: unknown): string {
  return err instanceof BackendError ? errorMessage(err) : errorMessage({ code: "ipc.failed", message: String(err) });
}

function statusTone(status: string): BadgeTone {
  if (status === "error") return "error";
  if (status === "warning") return "warning";
  return "info";
}

function statusLabel(status: string): MessageId {
  if (status === "error") return "imp.status.error";
  if (status === "warning") return "imp.status.warning";
  return "imp.status.ok";
}

function matches(row: ImportRowView, filter: RowFilter): boolean {
  if (filter === "error") return row.status === "error";
  if (filter === "warning") return row.warnings > 0 && row.status !== "error";
  return true;
}

function rowDomId(line: number): string {
  return `imp-row-${line}`;
}

export function AcquisitionImportPage() {
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [encoding, setEncoding] = useState<ImportEncoding | "">("");
  const [phase, setPhase] = useState<Phase>({ kind: "idle" });
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<ImportResult | null>(null);
  const [reportPath, setReportPath] = useState<string | null>(null);
  const [filter, setFilter] = useState<RowFilter>("");
  const [activeLine, setActiveLine] = useState<number | null>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const fileRef = useRef<File | null>(null);
  const sessionRef = useRef<string | null>(null);
  const listRef = useRef<HTMLDivElement>(null);

  // The file stays in Rust until the page is left.
  useEffect(
    () => () => {
      if (sessionRef.current) void api.importClose(sessionRef.current).catch(() => undefined);
    },
    [],
  );

  function show(next: ImportPreview) {
    if (sessionRef.current && sessionRef.current !== next.session) {
      void api.importClose(sessionRef.current).catch(() => undefined);
    }
    sessionRef.current = next.session;
    setPreview(next);
  }

  async function open(file: File, forced: ImportEncoding | "") {
    setPhase({ kind: "reading" });
    setError(null);
    setResult(null);
    setReportPath(null);
    try {
      const bytes = await readFileBytes(file);
      const next = await api.importOpen(file.name, bytesToBase64(bytes), forced === "" ? null : forced);
      show(next);
      setActiveLine(next.rows[0]?.line ?? null);
      setScrollTop(0);
      if (listRef.current) listRef.current.scrollTop = 0;
    } catch (err) {
      setError(t("imp.failed", { message: describe(err) }));
    } finally {
      setPhase({ kind: "idle" });
    }
  }

  function onFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    if (!file) return;
    fileRef.current = file;
    void open(file, encoding);
  }

  function onEncoding(event: ChangeEvent<HTMLSelectElement>) {
    const next = event.target.value as ImportEncoding | "";
    setEncoding(next);
    if (fileRef.current) void open(fileRef.current, next);
  }

  async function remap(field: string, value: string) {
    if (!preview) return;
    const column = value === "" ? null : Number(value);
    const mapping: ColumnMapping[] = preview.mapping.map((m) =>
      m.field === field ? { field, column } : column !== null && m.column === column ? { field: m.field, column: null } : m,
    );
    setError(null);
    try {
      show(await api.importRemap(preview.session, mapping));
    } catch (err) {
      setError(t("imp.failed", { message: describe(err) }));
    }
  }

  async function run() {
    if (!preview || preview.importable === 0) return;
    const session = preview.session;
    setError(null);
    setReportPath(null);
    setPhase({ kind: "running", done: 0, total: preview.importable, cancelling: false });
    const stop = api.onImportProgress((p: ImportProgress) => {
      if (p.session !== session) return;
      setPhase((cur) => (cur.kind === "running" ? { ...cur, done: p.done, total: p.total } : cur));
    });
    try {
      setResult(await api.importRun(session));
    } catch (err) {
      setError(t("imp.failed", { message: describe(err) }));
    } finally {
      stop();
      setPhase({ kind: "idle" });
    }
  }

  function cancel() {
    if (!preview) return;
    setPhase((cur) => (cur.kind === "running" ? { ...cur, cancelling: true } : cur));
    void api.importCancel(preview.session).catch(() => undefined);
  }

  async function saveReport() {
    if (!preview) return;
    try {
      setReportPath(await api.importSaveReport(preview.session));
    } catch (err) {
      setError(t("imp.reportFailed", { message: describe(err) }));
    }
  }

  function another() {
    if (sessionRef.current) void api.importClose(sessionRef.current).catch(() => undefined);
    sessionRef.current = null;
    fileRef.current = null;
    setPreview(null);
    setResult(null);
    setReportPath(null);
    setTimeout(() => document.getElementById("imp-file")?.focus(), 0);
  }

  const running = phase.kind === "running";
  const shown = preview ? preview.rows.filter((r) => matches(r, filter)) : [];
  const activeIndex = Math.max(
    0,
    shown.findIndex((r) => r.line === activeLine),
  );
  const active = shown[activeIndex];
  const first = Math.max(0, Math.floor(scrollTop / IMPORT_ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(shown.length, Math.ceil((scrollTop + VIEWPORT_HEIGHT) / IMPORT_ROW_HEIGHT) + OVERSCAN);
  const visible = shown.slice(first, last);

  function moveTo(index: number) {
    const row = shown[index];
    if (!row) return;
    setActiveLine(row.line);
    const el = listRef.current;
    if (!el) return;
    const top = index * IMPORT_ROW_HEIGHT;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + IMPORT_ROW_HEIGHT > el.scrollTop + VIEWPORT_HEIGHT) el.scrollTop = top + IMPORT_ROW_HEIGHT - VIEWPORT_HEIGHT;
    setScrollTop(el.scrollTop);
  }

  function onListKey(event: ReactKeyboardEvent<HTMLDivElement>) {
    if (shown.length === 0) return;
    const page = Math.floor(VIEWPORT_HEIGHT / IMPORT_ROW_HEIGHT);
    let next: number | null = null;
    if (event.key === "ArrowDown") next = Math.min(activeIndex + 1, shown.length - 1);
    else if (event.key === "ArrowUp") next = Math.max(activeIndex - 1, 0);
    else if (event.key === "PageDown") next = Math.min(activeIndex + page, shown.length - 1);
    else if (event.key === "PageUp") next = Math.max(activeIndex - page, 0);
    else if (event.key === "Home") next = 0;
    else if (event.key === "End") next = shown.length - 1;
    if (next === null) return;
    event.preventDefault();
    moveTo(next);
  }

  return (
    <div className="max-w-6xl">
      <PageHeading>{t("nav.acquisitionImport")}</PageHeading>
      <p className="mb-4 text-std-16N-175">{t("imp.intro")}</p>
      <p className="mb-6">
        <a href={hrefFor("acquisitions")} className="text-blue-900 underline underline-offset-[calc(3/16*1rem)]">
          {t("imp.back")}
        </a>
      </p>

      {error ? (
        <Notice kind="error" role="alert" className="mb-6" testId="imp-error">
          {error}
        </Notice>
      ) : null}

      <section className={`${sectionClass} mb-6`} aria-labelledby="imp-file-heading">
        <h2 id="imp-file-heading" className="mb-4 text-std-20B-150 text-solid-gray-900">
          {t("imp.file.heading")}
        </h2>
        <div className="flex flex-wrap items-end gap-6">
          <div>
            <label htmlFor="imp-file" className={labelClass}>
              {t("imp.file.label")}
            </label>
            <input
              id="imp-file"
              type="file"
              accept=".csv,text/csv"
              onChange={onFile}
              disabled={running}
              aria-describedby="imp-file-help"
              className="mt-2 block text-std-16N-170"
              data-testid="imp-file"
            />
          </div>
          <div>
            <label htmlFor="imp-encoding" className={labelClass}>
              {t("imp.encoding.label")}
            </label>
            <select id="imp-encoding" className={`${selectClass} mt-2`} value={encoding} onChange={onEncoding} disabled={running}>
              <option value="">{t("imp.encoding.auto")}</option>
              <option value="utf8">{t("imp.encoding.utf8")}</option>
              <option value="shift_jis">{t("imp.encoding.sjis")}</option>
            </select>
          </div>
        </div>
        <p id="imp-file-help" className={`${helpClass} mt-2`}>
          {t("imp.file.help")} {t("imp.encoding.help")}
        </p>
        {phase.kind === "reading" ? (
          <p role="status" className="mt-4 text-std-16N-170">
            {t("imp.file.reading")}
          </p>
        ) : null}
        {preview ? (
          <p className="mt-4 text-std-16B-170" data-testid="imp-file-summary">
            {t("imp.file.summary", { name: preview.fileName, encoding: preview.encodingLabel, rows: preview.total })}
          </p>
        ) : null}
      </section>

      {preview && !result ? (
        <>
          <section className={`${sectionClass} mb-6`} aria-labelledby="imp-mapping-heading">
            <h2 id="imp-mapping-heading" className="mb-2 text-std-20B-150 text-solid-gray-900">
              {t("imp.mapping.heading")}
            </h2>
            <p className={`${helpClass} mb-4`}>{t("imp.mapping.help")}</p>
            <table className="w-full text-left text-std-16N-170">
              <thead>
                <tr className="border-b border-solid-gray-420">
                  <th scope="col" className="py-2 pr-4">
                    {t("imp.mapping.field")}
                  </th>
                  <th scope="col" className="py-2">
                    {t("imp.mapping.column")}
                  </th>
                </tr>
              </thead>
              <tbody>
                {preview.fields.map((f) => {
                  const m = preview.mapping.find((x) => x.field === f.id);
                  const id = `imp-map-${f.id.replace(/\W/g, "-")}`;
                  return (
                    <tr key={f.id} className="border-b border-solid-gray-200">
                      <th scope="row" className="py-1 pr-4 font-normal">
                        <label htmlFor={id}>{f.label}</label>
                      </th>
                      <td className="py-1">
                        <select
                          id={id}
                          className={selectClass}
                          value={m?.column ?? ""}
                          disabled={running}
                          onChange={(e) => void remap(f.id, e.target.value)}
                        >
                          <option value="">{t("imp.mapping.none")}</option>
                          {preview.headers.map((h, i) => (
                            <option key={`${i}-${h}`} value={i}>
                              {h || `${i + 1}`}
                            </option>
                          ))}
                        </select>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            {preview.unmappedHeaders.length > 0 ? (
              <p className={`${helpClass} mt-4`} data-testid="imp-unmapped">
                {t("imp.mapping.unmapped", { columns: preview.unmappedHeaders.join("、") })}
              </p>
            ) : null}
          </section>

          <section className={`${sectionClass} mb-6`} aria-labelledby="imp-preview-heading">
            <h2 id="imp-preview-heading" className="mb-2 text-std-20B-150 text-solid-gray-900">
              {t("imp.preview.heading")}
            </h2>
            <p className="mb-4 text-std-16B-170" data-testid="imp-counts" role="status">
              {t("imp.preview.counts", {
                total: preview.total,
                importable: preview.importable,
                warnings: preview.withWarnings,
                errors: preview.withErrors,
              })}
            </p>
            <div className="mb-3 flex flex-wrap items-end gap-4">
              <div>
                <label htmlFor="imp-filter" className={labelClass}>
                  {t("imp.preview.filter")}
                </label>
                <select
                  id="imp-filter"
                  className={selectClass}
                  value={filter}
                  onChange={(e) => {
                    setFilter(e.target.value as RowFilter);
                    setScrollTop(0);
                    if (listRef.current) listRef.current.scrollTop = 0;
                  }}
                >
                  <option value="">{t("imp.preview.filter.all")}</option>
                  <option value="error">{t("imp.preview.filter.error")}</option>
                  <option value="warning">{t("imp.preview.filter.warning")}</option>
                </select>
              </div>
              <p className="text-std-16N-170" aria-live="polite">
                {t("imp.preview.shown", { n: shown.length })}
              </p>
            </div>
            <p className={`${helpClass} mb-2`}>{t("imp.preview.hint")}</p>
            {shown.length === 0 ? (
              <p className="text-std-16N-170">{t("imp.preview.empty")}</p>
            ) : (
              <div
                id="imp-list"
                ref={listRef}
                role="listbox"
                tabIndex={0}
                aria-label={t("imp.preview.list")}
                aria-activedescendant={active ? rowDomId(active.line) : undefined}
                onKeyDown={onListKey}
                onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
                className="relative overflow-y-auto rounded-8 border border-solid-gray-420"
                style={{ height: Math.min(VIEWPORT_HEIGHT, shown.length * IMPORT_ROW_HEIGHT + 2) }}
                data-testid="imp-list"
              >
                <div style={{ height: shown.length * IMPORT_ROW_HEIGHT, position: "relative" }}>
                  {visible.map((row, i) => {
                    const index = first + i;
                    const selected = active?.line === row.line;
                    // The reason a row is refused comes before its warnings.
                    const firstFinding = row.findings.find((f) => f.severity === "error") ?? row.findings[0];
                    return (
                      <div
                        key={row.line}
                        id={rowDomId(row.line)}
                        role="option"
                        aria-selected={selected}
                        onClick={() => setActiveLine(row.line)}
                        className={`absolute left-0 right-0 flex items-center gap-3 border-b border-solid-gray-200 px-3 text-std-16N-170 ${selected ? "bg-blue-100" : "bg-white"}`}
                        style={{ top: index * IMPORT_ROW_HEIGHT, height: IMPORT_ROW_HEIGHT }}
                        data-testid="imp-row"
                      >
                        <span className="w-20 shrink-0 tabular-nums">{t("imp.preview.line", { line: row.line })}</span>
                        <Badge tone={statusTone(row.status)}>{t(statusLabel(row.status))}</Badge>
                        <span className="w-40 shrink-0 truncate font-bold">{row.name || t("imp.preview.noName")}</span>
                        <span className="w-28 shrink-0 tabular-nums">{row.acquiredOn}</span>
                        <span className="w-56 shrink-0 truncate">{row.grades}</span>
                        <span className="min-w-0 flex-1 truncate">
                          {firstFinding ? firstFinding.message : ""}
                          {row.findings.length > 1 ? ` ${t("imp.preview.more", { n: row.findings.length - 1 })}` : ""}
                        </span>
                      </div>
                    );
                  })}
                </div>
              </div>
            )}
            {active ? (
              <div className="mt-4" data-testid="imp-detail" aria-live="polite">
                <h3 className="mb-2 text-std-17B-170">
                  {t("imp.preview.detail", { line: active.line })} {active.name} {active.kana ? `（${active.kana}）` : ""}
                </h3>
                {active.findings.length === 0 ? (
                  <p className="text-std-16N-170">{t("imp.preview.noFindings")}</p>
                ) : (
                  <ul className="space-y-1">
                    {active.findings.map((f, i) => (
                      <li key={`${f.field}-${f.code}-${i}`} className="flex gap-2 text-std-16N-170">
                        <Badge tone={f.severity === "error" ? "error" : "warning"}>
                          {t(f.severity === "error" ? "imp.finding.error" : "imp.finding.warning")}
                        </Badge>
                        <span>
                          {f.label ? `${f.label}${f.column ? t("imp.finding.column", { column: f.column }) : ""}: ` : ""}
                          {f.message}
                        </span>
                      </li>
                    ))}
                  </ul>
                )}
              </div>
            ) : null}
          </section>

          {preview.officeCode ? (
            <p className="mb-4 text-std-16N-170">{t("imp.office", { code: preview.officeCode })}</p>
          ) : (
            <Notice kind="warning" className="mb-4">
              {t("imp.officeUnknown")}
            </Notice>
          )}

          {running ? (
            <div className="mb-6" data-testid="imp-progress">
              <label htmlFor="imp-progress-bar" className={labelClass}>
                {phase.cancelling ? t("imp.cancelling") : t("imp.running", { done: phase.done, total: phase.total })}
              </label>
              <progress
                id="imp-progress-bar"
                className="mt-2 h-4 w-full"
                max={Math.max(phase.total, 1)}
                value={phase.done}
                aria-label={t("imp.progress")}
              />
            </div>
          ) : null}

          <div className="flex justify-end gap-4">
            {preview.withErrors > 0 ? (
              <Button variant="secondary" onClick={() => void saveReport()} disabled={running} data-testid="imp-report">
                {t("imp.saveReport")}
              </Button>
            ) : null}
            {running ? (
              <Button variant="secondary" onClick={cancel} disabled={phase.cancelling} data-testid="imp-cancel">
                {t("imp.cancel")}
              </Button>
            ) : (
              <Button
                variant="primary"
                onClick={() => void run()}
                disabled={preview.importable === 0 || !preview.officeCode}
                data-testid="imp-run"
              >
                {t("imp.run", { n: preview.importable })}
              </Button>
            )}
          </div>
        </>
      ) : null}

      {result ? (
        <section className={`${sectionClass} mb-6`} data-testid="imp-result">
          {result.cancelled ? (
            <Notice kind="info" role="status">
              {t("imp.cancelled")}
            </Notice>
          ) : (
            <Notice kind="success" role="status">
              <p>{t("imp.done", { n: result.imported })}</p>
              {result.withWarnings > 0 ? <p>{t("imp.doneWarnings", { n: result.withWarnings })}</p> : null}
              {result.rejected > 0 ? <p>{t("imp.doneRejected", { n: result.rejected })}</p> : null}
            </Notice>
          )}
          <div className="mt-4 flex flex-wrap justify-end gap-4">
            {result.rejected > 0 ? (
              <Button variant="secondary" onClick={() => void saveReport()} data-testid="imp-report">
                {t("imp.saveReport")}
              </Button>
            ) : null}
            <Button variant="secondary" onClick={another}>
              {t("imp.another")}
            </Button>
            <a
              href={hrefFor("acquisitions")}
              className="inline-flex min-h-12 items-center rounded-8 bg-blue-900 px-4 text-oln-16B-100 text-white underline-offset-[calc(3/16*1rem)] hover:underline"
            >
              {t("imp.back")}
            </a>
          </div>
        </section>
      ) : null}

      {reportPath ? (
        <Notice kind="success" role="status" className="mb-6" testId="imp-report-saved">
          {t("imp.reportSaved", { path: reportPath })}
        </Notice>
      ) : null}
    </div>
  );
}

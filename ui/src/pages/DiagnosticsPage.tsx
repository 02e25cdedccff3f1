import { useEffect, useRef, useState } from "react";
import type { ReactNode } from "react";
import { api, BackendError, type AuditLogView, type IntegrityReport } from "../backend";
import { Button } from "../components/Button";
import { Notice } from "../components/Notice";
import { PageHeading } from "../components/PageHeading";
import { sectionClass } from "../components/styles";
import { errorMessage, t, type MessageId } from "../i18n";
import { formatNumber } from "../lib/text";
import { useAppState } from "../shell/appState";

/** Rust reports the size in KiB; shown as MB above 1 MB, with the exact figure. */
function formatSize(kib: number): string {
  const exact = t("unit.kib", { n: formatNumber(kib) });
  if (kib < 1024) return exact;
  return `${(kib / 1024).toFixed(1)} MB（${exact}）`;
}

function Row({ label, children, testId }: { label: MessageId; children: ReactNode; testId?: string }) {
  return (
    <div className="grid grid-cols-[14rem_minmax(0,1fr)] gap-4 border-b border-solid-gray-200 py-2 last:border-b-0">
      <dt className="text-std-16B-170 text-solid-gray-700">{t(label)}</dt>
      <dd className="break-all text-std-16N-170 text-solid-gray-900 select-text" data-testid={testId}>
        {children}
      </dd>
    </div>
  );
}

type Check =
  | { kind: "idle" }
  | { kind: "running" }
  | { kind: "done"; report: IntegrityReport }
  | { kind: "failed"; message: string };

type AuditRun =
  | { kind: "idle" }
  | { kind: "running"; what: "check" | "export" }
  | { kind: "done"; what: "check" | "export"; view: AuditLogView }
  | { kind: "failed"; message: string };

function failure(err: unknown): string {
  return err instanceof BackendError ? errorMessage(err) : errorMessage({ code: "ipc.failed", message: String(err) });
}

export function DiagnosticsPage() {
  const { appInfo, appInfoError } = useAppState();
  const [check, setCheck] = useState<Check>({ kind: "idle" });
  const resultRef = useRef<HTMLDivElement>(null);

  // Bring the outcome into view; focus stays on the button.
  useEffect(() => {
    if (check.kind === "done" || check.kind === "failed") resultRef.current?.scrollIntoView?.({ block: "nearest" });
  }, [check.kind]);

  function runCheck() {
    if (check.kind === "running") return;
    setCheck({ kind: "running" });
    api.integrityCheck().then(
      (report) => setCheck({ kind: "done", report }),
      (err: unknown) => setCheck({ kind: "failed", message: failure(err) }),
    );
  }

  return (
    <div className="max-w-4xl">
      <PageHeading>{t("diag.title")}</PageHeading>

      {appInfo?.startupError ? (
        <Notice kind="error" title={t("diag.startupError")} className="mb-6" testId="diag-startup-error">
          {errorMessage(appInfo.startupError)}
        </Notice>
      ) : null}

      <section aria-labelledby="diag-info-heading" className={`${sectionClass} mb-6`}>
        <h2 id="diag-info-heading" className="mb-3 text-std-20B-150 text-solid-gray-900">
          {t("diag.info.heading")}
        </h2>
        {appInfo ? (
          <dl data-testid="diag-info">
            <Row label="diag.version" testId="diag-version">{appInfo.version}</Row>
            <Row label="diag.buildProfile" testId="diag-buildProfile">{appInfo.buildProfile}</Row>
            <Row label="diag.profile" testId="diag-profile">{appInfo.profile}</Row>
            <Row label="diag.dataDir" testId="diag-dataDir">{appInfo.dataDir}</Row>
            <Row label="diag.logDir" testId="diag-logDir">{appInfo.logDir}</Row>
            <Row label="diag.databasePath" testId="diag-databasePath">{appInfo.databasePath}</Row>
            <Row label="diag.schemaVersion" testId="diag-schemaVersion">{appInfo.schemaVersion}</Row>
          </dl>
        ) : appInfoError ? (
          <Notice kind="error">{appInfoError}</Notice>
        ) : (
          <p className="text-std-16N-170 text-solid-gray-700">{t("common.loading")}</p>
        )}
      </section>

      <section aria-labelledby="diag-integrity-heading" className={`${sectionClass} mb-6`}>
        <h2 id="diag-integrity-heading" className="mb-2 text-std-20B-150 text-solid-gray-900">
          {t("diag.integrity.heading")}
        </h2>
        <p className="mb-4 text-std-16N-170 text-solid-gray-700">{t("diag.integrity.help")}</p>
        <div className="flex justify-end">
          <Button variant="primary" busy={check.kind === "running"} onClick={runCheck} data-testid="diag-integrity-run">
            {check.kind === "running" ? t("diag.integrity.running") : t("diag.integrity.run")}
          </Button>
        </div>
        <div ref={resultRef}>
          <div role="status" className="mt-4" data-testid="diag-integrity-status">
            {check.kind === "done" ? <IntegrityResult report={check.report} /> : null}
          </div>
          {check.kind === "failed" ? (
            <Notice kind="error" role="alert" className="mt-4" testId="diag-integrity-error">
              {t("diag.integrity.failed", { message: check.message })}
            </Notice>
          ) : null}
        </div>
      </section>

      <AuditSection />
    </div>
  );
}

/** 監査ログ: check it on this PC, or write it out for IT (kyosai audit verify). */
function AuditSection() {
  const [run, setRun] = useState<AuditRun>({ kind: "idle" });
  const resultRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (run.kind === "done" || run.kind === "failed") resultRef.current?.scrollIntoView?.({ block: "nearest" });
  }, [run.kind]);

  function start(what: "check" | "export") {
    if (run.kind === "running") return;
    setRun({ kind: "running", what });
    (what === "check" ? api.auditStatus() : api.auditExport()).then(
      (view) => setRun({ kind: "done", what, view }),
      (err: unknown) => setRun({ kind: "failed", message: failure(err) }),
    );
  }

  const busy = (what: "check" | "export") => run.kind === "running" && run.what === what;
  return (
    <section aria-labelledby="diag-audit-heading" className={sectionClass}>
      <h2 id="diag-audit-heading" className="mb-2 text-std-20B-150 text-solid-gray-900">
        {t("diag.audit.heading")}
      </h2>
      <p className="mb-4 text-std-16N-170 text-solid-gray-700">{t("diag.audit.help")}</p>
      <div className="flex flex-wrap justify-end gap-4">
        <Button busy={busy("check")} onClick={() => start("check")} data-testid="diag-audit-check">
          {busy("check") ? t("diag.audit.checking") : t("diag.audit.check")}
        </Button>
        <Button busy={busy("export")} onClick={() => start("export")} data-testid="diag-audit-export">
          {busy("export") ? t("diag.audit.exporting") : t("diag.audit.export")}
        </Button>
      </div>
      <div ref={resultRef}>
        <div role="status" className="mt-4" data-testid="diag-audit-status">
          {run.kind === "done" ? <AuditResult what={run.what} view={run.view} /> : null}
        </div>
        {run.kind === "failed" ? (
          <Notice kind="error" role="alert" className="mt-4" testId="diag-audit-error">
            {t("diag.audit.failed", { message: run.message })}
          </Notice>
        ) : null}
      </div>
    </section>
  );
}

function AuditResult({ what, view }: { what: "check" | "export"; view: AuditLogView }) {
  const title = !view.intact
    ? t("diag.audit.broken")
    : what === "export"
      ? t("diag.audit.exported")
      : t("diag.audit.intact");
  return (
    <div data-testid="diag-audit-result">
      <Notice kind={view.intact ? "success" : "error"} title={title}>
        {view.intact
          ? what === "export"
            ? t("diag.audit.intact")
            : null
          : t("diag.audit.brokenDetail", { problem: view.problem ?? "" })}
      </Notice>
      <dl className="mt-4">
        <Row label="diag.audit.count">{t("unit.count", { n: formatNumber(view.count) })}</Row>
        {view.head ? (
          <Row label="diag.audit.head" testId="diag-audit-head">
            <span className="font-mono">{view.head}</span>
          </Row>
        ) : null}
        {view.path ? (
          <Row label="diag.audit.path" testId="diag-audit-path">
            {view.path}
          </Row>
        ) : null}
      </dl>
    </div>
  );
}

function IntegrityResult({ report }: { report: IntegrityReport }) {
  return (
    <div data-testid="diag-integrity-result">
      <Notice kind={report.ok ? "success" : "error"} title={`${t("diag.integrity.result")}: ${report.ok ? t("diag.integrity.ok") : t("diag.integrity.ng")}`}>
        {report.ok ? t("diag.integrity.okDetail") : t("diag.integrity.ngDetail")}
      </Notice>
      {/* SQLite says "ok" when healthy; the details matter only when something is wrong. */}
      {!report.ok && report.messages.length > 0 ? (
        <div className="mt-4">
          <h3 className="text-std-16B-170 text-solid-gray-900">{t("diag.integrity.messages")}</h3>
          <ul className="mt-1 list-disc pl-6 font-mono text-mono-16N-150 select-text" data-testid="diag-integrity-messages">
            {report.messages.map((m, i) => (
              <li key={i}>{m}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <dl className="mt-4">
        <Row label="diag.integrity.foreignKeyViolations">{t("unit.count", { n: formatNumber(report.foreignKeyViolations) })}</Row>
        <Row label="diag.integrity.pageCount">{t("unit.pages", { n: formatNumber(report.pageCount) })}</Row>
        <Row label="diag.integrity.size">{formatSize(report.sizeKib)}</Row>
        <Row label="diag.integrity.elapsed">{t("unit.ms", { n: formatNumber(report.elapsedMs) })}</Row>
        <Row label="diag.integrity.schemaVersion">{report.schemaVersion}</Row>
      </dl>
    </div>
  );
}

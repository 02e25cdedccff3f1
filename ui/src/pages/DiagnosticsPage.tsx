import { useEffect, useRef, useState } from "react";
import type { ReactNode } from "react";
import { api, BackendError, type AuditLogView, type DownloadedUpdate, type IntegrityReport, type UpdateOffer } from "../backend";
import { Button } from "../components/Button";
import { CopyButton } from "../components/CopyButton";
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

/** The manual update check. */
type UpdateCheck =
  | { kind: "idle" }
  | { kind: "checking" }
  | { kind: "upToDate" }
  | { kind: "offer"; offer: UpdateOffer }
  | { kind: "disabled"; message: string }
  | { kind: "failed"; message: string };

/** Downloading the offered release and verifying its signature. */
type UpdateDownload =
  | { kind: "idle" }
  | { kind: "downloading" }
  | { kind: "verified"; update: DownloadedUpdate }
  | { kind: "refused"; message: string }
  | { kind: "notNeeded"; message: string }
  | { kind: "failed"; message: string };

const UPDATE_DISABLED = "update.disabled";
const UPDATE_UP_TO_DATE = "update.up_to_date";
const SIGNATURE_REFUSED: ReadonlySet<string> = new Set(["update.signature_invalid", "update.signature_missing"]);

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

      <UpdateSection />

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

/**
 * アプリの更新: ask the central service for a newer version, then download it and verify
 * its signature (Rust deletes a file that does not verify). Installing is the installer's
 * job: the answer says which file and what to do with it.
 */
function UpdateSection() {
  const { appInfo, settings } = useAppState();
  const [check, setCheck] = useState<UpdateCheck>({ kind: "idle" });
  const [download, setDownload] = useState<UpdateDownload>({ kind: "idle" });
  const resultRef = useRef<HTMLDivElement>(null);
  const version = appInfo?.version ?? "";

  useEffect(() => {
    if (check.kind !== "idle" && check.kind !== "checking") resultRef.current?.scrollIntoView?.({ block: "nearest" });
  }, [check.kind, download.kind]);

  function runCheck() {
    if (check.kind === "checking" || download.kind === "downloading") return;
    setCheck({ kind: "checking" });
    setDownload({ kind: "idle" });
    api.updateCheck().then(
      (offer) => setCheck(offer ? { kind: "offer", offer } : { kind: "upToDate" }),
      (err: unknown) =>
        setCheck(
          err instanceof BackendError && err.code === UPDATE_DISABLED
            ? { kind: "disabled", message: errorMessage(err) }
            : { kind: "failed", message: failure(err) },
        ),
    );
  }

  function runDownload() {
    if (download.kind === "downloading") return;
    setDownload({ kind: "downloading" });
    api.updateDownload().then(
      (update) => setDownload({ kind: "verified", update }),
      (err: unknown) => {
        const code = err instanceof BackendError ? err.code : null;
        const message = failure(err);
        if (code === UPDATE_DISABLED) setCheck({ kind: "disabled", message });
        setDownload(
          code !== null && SIGNATURE_REFUSED.has(code)
            ? { kind: "refused", message }
            : code === UPDATE_UP_TO_DATE
              ? { kind: "notNeeded", message }
              : code === UPDATE_DISABLED
                ? { kind: "idle" }
                : { kind: "failed", message },
        );
      },
    );
  }

  const channel = settings?.updateChannel === "beta" ? t("settings.policy.updateChannel.beta") : t("settings.policy.updateChannel.stable");
  // IT's policy turns the app's updates off: say so instead of offering a check that Rust refuses.
  const offByPolicy = settings?.updates === "off";
  const checking = check.kind === "checking";
  const downloading = download.kind === "downloading";
  return (
    <section aria-labelledby="diag-update-heading" className={`${sectionClass} mb-6`} data-testid="diag-update">
      <h2 id="diag-update-heading" className="mb-2 text-std-20B-150 text-solid-gray-900">
        {t("diag.update.heading")}
      </h2>
      <p className="mb-4 text-std-16N-170 text-solid-gray-700">{t("diag.update.help")}</p>
      <dl className="mb-4">
        <Row label="diag.update.current" testId="diag-update-current">
          {version || t("common.loading")}
        </Row>
        <Row label="diag.update.channel" testId="diag-update-channel">
          {channel}
        </Row>
      </dl>
      {offByPolicy ? (
        <Notice kind="info" title={t("diag.update.disabled")} testId="diag-update-policy-off">
          {t("diag.update.disabledByPolicy")}
        </Notice>
      ) : (
        <div className="flex justify-end">
          <Button busy={checking} aria-disabled={downloading || undefined} onClick={runCheck} data-testid="diag-update-check">
          {checking ? t("diag.update.checking") : t("diag.update.check")}
          </Button>
        </div>
      )}
      <div ref={resultRef}>
        <div role="status" className="mt-4 empty:hidden" data-testid="diag-update-status">
          {check.kind === "upToDate" ? (
            <Notice kind="success" testId="diag-update-uptodate">
              {t("diag.update.upToDate", { version })}
            </Notice>
          ) : check.kind === "disabled" ? (
            <Notice kind="info" title={t("diag.update.disabled")} testId="diag-update-disabled">
              {check.message}
            </Notice>
          ) : check.kind === "offer" ? (
            <UpdateOfferView offer={check.offer} />
          ) : null}
          {download.kind === "verified" ? <VerifiedUpdate update={download.update} /> : null}
          {download.kind === "notNeeded" ? (
            <Notice kind="info" className="mt-4" testId="diag-update-not-needed">
              {download.message}
            </Notice>
          ) : null}
        </div>
        {check.kind === "offer" ? (
          <div className="mt-4 flex justify-end">
            <Button variant="primary" busy={downloading} onClick={runDownload} data-testid="diag-update-download">
              {downloading ? t("diag.update.downloading") : t("diag.update.download")}
            </Button>
          </div>
        ) : null}
        {check.kind === "failed" ? (
          <Notice kind="error" role="alert" className="mt-4" testId="diag-update-error">
            {t("diag.update.checkFailed", { message: check.message })}
          </Notice>
        ) : null}
        {download.kind === "refused" ? (
          <Notice kind="error" role="alert" title={t("diag.update.signatureRefused")} className="mt-4" testId="diag-update-refused">
            {download.message}
          </Notice>
        ) : null}
        {download.kind === "failed" ? (
          <Notice kind="error" role="alert" className="mt-4" testId="diag-update-download-error">
            {t("diag.update.downloadFailed", { message: download.message })}
          </Notice>
        ) : null}
      </div>
    </section>
  );
}

function UpdateOfferView({ offer }: { offer: UpdateOffer }) {
  return (
    <div data-testid="diag-update-offer">
      <Notice kind="info" title={t("diag.update.offer", { version: offer.version })}>
        {offer.notes ? (
          <>
            <span className="font-bold">{t("diag.update.notes")}：</span>
            <span className="whitespace-pre-line select-text" data-testid="diag-update-notes">
              {offer.notes}
            </span>
          </>
        ) : null}
      </Notice>
    </div>
  );
}

function VerifiedUpdate({ update }: { update: DownloadedUpdate }) {
  return (
    <div className="mt-4" data-testid="diag-update-verified">
      <Notice kind="success" title={t("diag.update.verified", { version: update.version })}>
        <span data-testid="diag-update-instruction">{update.instruction}</span>
      </Notice>
      <dl className="mt-4">
        <Row label="diag.update.file">
          <span className="flex flex-wrap items-center gap-3">
            <span className="font-mono select-text" data-testid="diag-update-path">
              {update.path}
            </span>
            <CopyButton text={update.path} label={t("diag.update.file")} testId="diag-update-copy" />
          </span>
        </Row>
      </dl>
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

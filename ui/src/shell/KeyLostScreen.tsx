/**
 * The screen shown instead of every page when the encrypted database does not open
 * with this PC's key (startup error `store.key_lost`): what happened, what starting
 * afresh would lose (from the plain unsent-work summary Rust keeps beside the file),
 * and the two ways out — 「新しく始める（サーバーから取り直す）」, which sets the old file
 * aside and re-downloads after sign-in, or 「終了してIT管理者に連絡」.
 *
 * When unsent work would be lost, or nobody can tell, starting afresh needs an explicit
 * tick first.
 */
import { useEffect, useState } from "react";
import { api, BackendError, type KeyLostView, type StartedFresh } from "../backend";
import { Button } from "../components/Button";
import { Notice } from "../components/Notice";
import { PageHeading } from "../components/PageHeading";
import { sectionClass } from "../components/styles";
import { errorMessage, t, type MessageId } from "../i18n";
import { formatDateTime } from "../lib/time";

function describe(err: unknown): string {
  return err instanceof BackendError ? errorMessage(err) : errorMessage({ code: "ipc.failed", message: String(err) });
}

type Loss = "unsent" | "none" | "unknown";

function lossOf(view: KeyLostView): Loss {
  if (view.unsentCommands === null || view.unsettledDrafts === null) return "unknown";
  return view.unsentCommands > 0 || view.unsettledDrafts > 0 ? "unsent" : "none";
}

function Row({ label, children, testId }: { label: MessageId; children: string; testId: string }) {
  return (
    <div className="grid grid-cols-[12rem_minmax(0,1fr)] gap-4 border-b border-solid-gray-200 py-2 last:border-b-0">
      <dt className="text-std-16B-170 text-solid-gray-700">{t(label)}</dt>
      <dd className="break-all text-std-16N-170 text-solid-gray-900 select-text" data-testid={testId}>
        {children}
      </dd>
    </div>
  );
}

/** Opens the sign-in page of a fresh UI (the shell reads AppInfo again). */
function reloadToSignIn(): void {
  window.location.hash = "#/signin";
  window.location.reload();
}

export function KeyLostScreen() {
  const [view, setView] = useState<KeyLostView | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [understood, setUnderstood] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<StartedFresh | null>(null);

  useEffect(() => {
    let alive = true;
    api.localDbKeyLost().then(
      (v) => alive && setView(v),
      (err: unknown) => alive && setLoadError(describe(err)),
    );
    return () => {
      alive = false;
    };
  }, []);

  if (done) {
    return (
      <div className="max-w-4xl" data-testid="key-lost-done">
        <PageHeading>{t("keyLost.done.title")}</PageHeading>
        <Notice kind="success" role="status" className="mb-6">
          {t("keyLost.done.body", { path: done.setAsidePath })}
        </Notice>
        <Button variant="primary" data-testid="key-lost-sign-in" onClick={reloadToSignIn}>
          {t("keyLost.done.signIn")}
        </Button>
      </div>
    );
  }

  const loss = view ? lossOf(view) : "unknown";
  const needsConfirm = loss !== "none";

  function startFresh() {
    if (busy) return;
    if (needsConfirm && !understood) {
      setError(t("keyLost.confirmFirst"));
      return;
    }
    setBusy(true);
    setError(null);
    api.localDbStartFresh().then(
      (result) => {
        setBusy(false);
        setDone(result);
      },
      (err: unknown) => {
        setBusy(false);
        setError(t("keyLost.failed", { message: describe(err) }));
      },
    );
  }

  function quit() {
    api.quitApp().catch((err: unknown) => setError(describe(err)));
  }

  return (
    <div className="max-w-4xl" data-testid="key-lost">
      <PageHeading>{t("keyLost.title")}</PageHeading>
      {loadError ? (
        <Notice kind="error" role="alert" className="mb-6">
          {t("keyLost.loadFailed", { message: loadError })}
        </Notice>
      ) : null}

      <section className={`${sectionClass} mb-6`} aria-labelledby="key-lost-what">
        <h2 id="key-lost-what" className="mb-3 text-std-20B-150">
          {t("keyLost.what.heading")}
        </h2>
        <p className="text-std-16N-170" data-testid="key-lost-reason" data-reason={view?.reason}>
          {t(view?.reason === "mismatch" ? "keyLost.what.mismatch" : "keyLost.what.missing")}
        </p>
      </section>

      <section className={`${sectionClass} mb-6`} aria-labelledby="key-lost-loss">
        <h2 id="key-lost-loss" className="mb-3 text-std-20B-150">
          {t("keyLost.loss.heading")}
        </h2>
        {view && loss === "unsent" ? (
          <Notice kind="error" role="alert" testId="key-lost-unsent">
            {view.unsentCommands ? (
              <p>
                {t("keyLost.loss.unsent", {
                  n: view.unsentCommands,
                  oldest: view.oldestUnsentAt ? formatDateTime(view.oldestUnsentAt) : "—",
                })}
              </p>
            ) : null}
            {view.unsettledDrafts ? <p>{t("keyLost.loss.drafts", { n: view.unsettledDrafts })}</p> : null}
          </Notice>
        ) : view && loss === "none" ? (
          <Notice kind="info" testId="key-lost-none">
            {t("keyLost.loss.none", { updated: view.summaryUpdatedAt ? formatDateTime(view.summaryUpdatedAt) : "—" })}
          </Notice>
        ) : (
          <Notice kind="warning" testId="key-lost-unknown">
            {t("keyLost.loss.unknown")}
          </Notice>
        )}
      </section>

      <section className={`${sectionClass} mb-6`} aria-labelledby="key-lost-fresh">
        <h2 id="key-lost-fresh" className="mb-3 text-std-20B-150">
          {t("keyLost.fresh.heading")}
        </h2>
        <ul className="list-disc pl-6 text-std-16N-170">
          <li>{t("keyLost.fresh.keep")}</li>
          <li>{t("keyLost.fresh.new")}</li>
          <li>{t("keyLost.fresh.server")}</li>
        </ul>
      </section>

      <section className={`${sectionClass} mb-6`} aria-labelledby="key-lost-it">
        <h2 id="key-lost-it" className="mb-3 text-std-20B-150">
          {t("keyLost.it.heading")}
        </h2>
        <dl>
          <Row label="keyLost.it.code" testId="key-lost-code">
            {view?.code ?? "store.key_lost"}
          </Row>
          <Row label="keyLost.it.path" testId="key-lost-path">
            {view?.databasePath ?? "—"}
          </Row>
          <Row label="keyLost.it.summary" testId="key-lost-summary-time">
            {view?.summaryUpdatedAt ? formatDateTime(view.summaryUpdatedAt) : t("keyLost.it.unknown")}
          </Row>
        </dl>
      </section>

      {needsConfirm ? (
        <label htmlFor="key-lost-confirm" className="mb-4 flex items-center gap-2 text-std-16B-170">
          <input
            id="key-lost-confirm"
            data-testid="key-lost-confirm"
            type="checkbox"
            className="size-5"
            checked={understood}
            onChange={(e) => {
              setUnderstood(e.target.checked);
              if (e.target.checked) setError(null);
            }}
          />
          {t("keyLost.confirm")}
        </label>
      ) : null}
      {error ? (
        <Notice kind="error" role="alert" className="mb-4" testId="key-lost-error">
          {error}
        </Notice>
      ) : null}
      <div className="flex flex-wrap gap-4">
        <Button
          variant={needsConfirm ? "danger" : "primary"}
          busy={busy || view === null}
          data-testid="key-lost-start-fresh"
          onClick={startFresh}
        >
          {busy ? t("keyLost.starting") : t("keyLost.startFresh")}
        </Button>
        <Button variant="secondary" data-testid="key-lost-quit" onClick={quit}>
          {t("keyLost.quit")}
        </Button>
      </div>
    </div>
  );
}

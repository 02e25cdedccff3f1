/**
 * Bottom bar: profile, who is signed in, office, the central service (online /
 * offline / not set, last sync, 未送信 / 競合 / 差戻し, 今すぐ同期), version.
 *
 * The sync part changes all day (every cycle flips 「同期中…」), so the bar
 * itself is not a live region; a hidden one announces only what a clerk must
 * hear: the connection going up or down and new conflicts or refusals.
 * A newer app version found by the automatic check (./useUpdateCheck) is a quiet link to
 * 診断・バージョン情報, where the clerk downloads it.
 */
import { useId, useRef, useState } from "react";
import type { FocusEvent, KeyboardEvent } from "react";
import { api, BackendError, type SyncStatusView } from "../backend";
import { Badge } from "../components/Badge";
import { Button } from "../components/Button";
import { errorMessage, t } from "../i18n";
import { isComposing } from "../lib/ime";
import { hrefFor } from "../lib/router";
import { formatDateTime, formatShortTime } from "../lib/time";
import { useAppState } from "./appState";
import { useUpdateCheck } from "./useUpdateCheck";

/** The host of the central service URL, or the text as typed if it is not a URL. */
export function centralHost(url: string): string {
  try {
    return new URL(url).host || url;
  } catch {
    return url;
  }
}

/**
 * "idle": set up, but nobody is signed in, so nothing has been tried; saying
 * オフライン there would send clerks to check a network that is fine.
 */
type Connection = "online" | "offline" | "idle" | "unset";

function connectionOf(sync: SyncStatusView): Connection {
  if (!sync.configured) return "unset";
  if (sync.online) return "online";
  return sync.signedInUser === null && !sync.lastErrorCode ? "idle" : "offline";
}

function connectionText(connection: Connection): string {
  switch (connection) {
    case "online":
      return t("status.online");
    case "offline":
      return t("status.offline");
    case "idle":
      return t("status.idle");
    case "unset":
      return t("status.centralUnset");
  }
}

/** A small dot beside the words (never the colour alone). */
function Dot({ connection }: { connection: Connection }) {
  const look =
    connection === "online"
      ? "bg-green-400"
      : connection === "offline"
        ? "bg-yellow-400"
        : "border-2 border-solid-gray-300 bg-transparent";
  // 未接続 and 未設定 share the hollow dot: nothing is wrong, nothing is running.
  return <span aria-hidden="true" className={`inline-block size-2.5 shrink-0 rounded-full ${look}`} />;
}

/** What the hidden live region says; it changes only when one of these changes. */
function announcement(sync: SyncStatusView | null): string {
  if (!sync || !sync.configured) return "";
  const parts = [`${t("status.central")}: ${connectionText(connectionOf(sync))}`];
  if (sync.conflicted > 0) parts.push(t("status.conflicted", { n: sync.conflicted }));
  if (sync.rejected > 0) parts.push(t("status.rejected", { n: sync.rejected }));
  return parts.join("、");
}

function describe(err: unknown): string {
  return err instanceof BackendError ? errorMessage(err) : errorMessage({ code: "ipc.failed", message: String(err) });
}

export function StatusBar() {
  const { appInfo, settings, settingsLoaded, sync, syncLoaded, session, signedInUser } = useAppState();
  const [syncing, setSyncing] = useState(false);
  const updateOffer = useUpdateCheck();
  /** A failed 「今すぐ同期」, with the last sync time it was shown against. */
  const [syncFailure, setSyncFailure] = useState<{ text: string; lastSyncAt: string | null } | null>(null);

  const office = settings?.officeCode ? settings.officeCode : null;
  const host = settings?.centralUrl ? centralHost(settings.centralUrl) : null;
  const connection: Connection | null = sync ? connectionOf(sync) : null;
  const configured = sync?.configured ?? false;
  const problems = sync ? sync.conflicted + sync.rejected : 0;
  const item = "flex items-center gap-1.5 whitespace-nowrap";
  const label = "text-solid-gray-200";

  // A sync that has succeeded since makes an old 「今すぐ同期」 failure stale.
  const lastSyncAt = sync?.lastSyncAt ?? null;
  const syncError = syncFailure && syncFailure.lastSyncAt === lastSyncAt ? syncFailure.text : null;

  function syncNow() {
    if (syncing) return;
    setSyncing(true);
    setSyncFailure(null);
    api.syncNow().then(
      () => setSyncing(false),
      (err: unknown) => {
        setSyncing(false);
        setSyncFailure({ text: t("status.syncNowFailed", { message: describe(err) }), lastSyncAt });
      },
    );
  }

  return (
    <footer
      aria-label={t("status.label")}
      data-testid="status-bar"
      className="border-t border-solid-gray-420 bg-solid-gray-800 px-4 py-1.5 text-dns-14N-130 text-white"
    >
      <p role="status" className="sr-only" data-testid="status-announce">
        {announcement(sync)}
      </p>
      <div className="flex flex-wrap items-center gap-x-4 gap-y-1">
        <span className={item}>
          <span className={label}>{t("status.profile")}:</span>
          <span data-testid="status-profile">{appInfo?.profile ?? t("status.loading")}</span>
        </span>

        <span className={item} data-testid="status-user">
          {!syncLoaded ? (
            t("status.loading")
          ) : signedInUser ? (
            <>
              <span className={label}>{t("status.signedIn")}:</span>
              <span>
                {session
                  ? t("status.userWithRoles", {
                      name: session.displayName,
                      roles: session.roles.map((r) => r.name).join(t("common.listSeparator")),
                    })
                  : signedInUser}
              </span>
            </>
          ) : (
            t("status.signedOut")
          )}
        </span>

        <span className={item} data-testid="status-office">
          {session?.officeCode ? (
            <>
              <span className={label}>{t("status.officeName")}:</span>
              <span>
                {session.officeName
                  ? t("status.officeValue", { name: session.officeName, code: session.officeCode })
                  : session.officeCode}
              </span>
            </>
          ) : !settingsLoaded ? (
            t("status.loading")
          ) : office ? (
            <>
              <span className={label}>{t("status.office")}:</span>
              <span>{office}</span>
            </>
          ) : (
            t("status.officeUnset")
          )}
        </span>

        <span
          className={item}
          data-testid="status-central"
          title={[host, connection === "idle" ? t("status.idleHint") : null, sync?.lastErrorMessage].filter(Boolean).join("\n") || undefined}
        >
          <span className={label}>{t("status.central")}:</span>
          {connection ? (
            <span className="inline-flex items-center gap-1.5" data-testid="status-sync" data-state={connection}>
              <Dot connection={connection} />
              {connectionText(connection)}
            </span>
          ) : !settingsLoaded ? (
            <span>{t("status.loading")}</span>
          ) : !host ? (
            // The sync status could not be read: say what the settings say.
            <span data-testid="status-sync" data-state="unset">
              {t("status.centralUnset")}
            </span>
          ) : null}
          {/* The host is in the tooltip once the state is known (the bar is full enough). */}
          {host && !connection && settingsLoaded ? <span>{host}</span> : null}
        </span>

        {sync && configured ? (
          <>
            <span
              className={item}
              data-testid="status-last-sync"
              title={sync.lastSyncAt ? t("status.lastSyncTitle", { when: formatDateTime(sync.lastSyncAt) }) : undefined}
            >
              {sync.syncing ? (
                t("status.syncing")
              ) : (
                <>
                  <span className={label}>{t("status.lastSync")}</span>
                  <span>{sync.lastSyncAt ? formatShortTime(sync.lastSyncAt) : t("status.neverSynced")}</span>
                </>
              )}
            </span>
            {signedInUser ? (
              <Button
                variant="onDark"
                size="compact"
                busy={syncing}
                onClick={syncNow}
                data-testid="sync-now"
              >
                {syncing ? t("status.syncNowBusy") : t("status.syncNow")}
              </Button>
            ) : null}
            <span className={item} data-testid="status-pending" data-count={sync.pending}>
              {t("status.pending", { n: sync.pending })}
            </span>
          </>
        ) : null}
        {sync && sync.conflicted > 0 ? (
          <Badge tone="warning" testId="status-conflicted">
            {t("status.conflicted", { n: sync.conflicted })}
          </Badge>
        ) : null}
        {sync && sync.rejected > 0 ? (
          <Badge tone="error" testId="status-rejected">
            {t("status.rejected", { n: sync.rejected })}
          </Badge>
        ) : null}
        {problems > 0 ? (
          <a
            href={hrefFor("conflicts")}
            data-testid="status-conflicts-link"
            className="font-bold whitespace-nowrap text-white underline underline-offset-[calc(3/16*1rem)] visited:text-white hover:text-yellow-200 hover:decoration-[calc(3/16*1rem)] focus-visible:outline-yellow-300"
          >
            {t("status.conflictsLink")}
          </a>
        ) : null}
        {sync?.lastErrorMessage ? <SyncErrorDetails code={sync.lastErrorCode} message={sync.lastErrorMessage} /> : null}

        {syncError ? (
          <span role="alert" data-testid="sync-now-error" className="min-w-0 whitespace-normal text-yellow-200">
            {syncError}
          </span>
        ) : null}

        {updateOffer ? (
          <a
            href={hrefFor("diagnostics")}
            data-testid="status-update"
            className="ml-auto inline-flex items-center gap-1.5 whitespace-nowrap text-white underline underline-offset-[calc(3/16*1rem)] visited:text-white hover:text-yellow-200 hover:decoration-[calc(3/16*1rem)] focus-visible:outline-yellow-300"
          >
            <span aria-hidden="true" className="inline-flex size-4 items-center justify-center rounded-full bg-blue-100 text-dns-14B-120 text-blue-1000">
              i
            </span>
            {t("status.updateOffer", { version: updateOffer.version })}
          </a>
        ) : null}

        <span className={`${item} ${updateOffer ? "" : "ml-auto"}`}>
          <span className={label}>{t("status.version")}</span>
          <span data-testid="status-version">{appInfo?.version ?? "—"}</span>
        </span>
      </div>
    </footer>
  );
}

/** 「詳細」: the last sync error in a small panel above the bar (Esc or leaving it closes it). */
function SyncErrorDetails({ code, message }: { code: string | null; message: string }) {
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const buttonRef = useRef<HTMLButtonElement>(null);

  function onKeyDown(event: KeyboardEvent<HTMLSpanElement>) {
    if (!open || event.key !== "Escape" || isComposing(event)) return;
    event.preventDefault();
    setOpen(false);
    buttonRef.current?.focus();
  }

  function onBlur(event: FocusEvent<HTMLSpanElement>) {
    const next = event.relatedTarget as Node | null;
    if (!next || !event.currentTarget.contains(next)) setOpen(false);
  }

  return (
    <span className="relative" onKeyDown={onKeyDown} onBlur={onBlur}>
      <button
        ref={buttonRef}
        type="button"
        aria-expanded={open}
        aria-controls={panelId}
        aria-label={t("status.detailsLabel")}
        title={message}
        data-testid="status-sync-details"
        onClick={() => setOpen((v) => !v)}
        className="inline-flex min-h-8 cursor-pointer items-center gap-1 rounded-6 px-2 text-white underline underline-offset-[calc(3/16*1rem)] hover:bg-solid-gray-700 focus-visible:outline-yellow-300"
      >
        <span aria-hidden="true" className="inline-flex size-4 items-center justify-center rounded-full bg-yellow-300 text-dns-14B-120 text-solid-gray-900">
          !
        </span>
        {t("status.details")}
      </button>
      <div
        id={panelId}
        hidden={!open}
        data-testid="status-sync-details-panel"
        className="absolute bottom-full left-0 z-40 mb-2 w-[min(32rem,90vw)] rounded-8 border border-solid-gray-420 bg-white p-4 text-std-16N-170 whitespace-normal text-solid-gray-900 shadow-2"
      >
        <p className="text-std-16B-170">{t("status.detailsHeading")}</p>
        <p className="mt-1 select-text">{message}</p>
        {code ? <p className="mt-2 font-mono text-dns-14N-130 text-solid-gray-700 select-text">{t("status.errorCode", { code })}</p> : null}
      </div>
    </span>
  );
}

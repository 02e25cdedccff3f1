/**
 * 競合の確認: drafts the central service did not take (競合, 差戻し, 閲覧権限が
 * なくなりました). Each shows the server's reason and, side by side, the
 * clerk's content and the server's current one. 「自分の内容で再送信」 sends
 * the draft again on top of the server's version; 「自分の変更を破棄」 asks
 * first (Esc keeps everything) and then keeps the server's version.
 */
import { useEffect, useEffectEvent, useRef, useState } from "react";
import { api, BackendError, type ConflictSide, type ConflictView, type Resolution } from "../backend";
import { Badge, conflictTone } from "../components/Badge";
import { Button } from "../components/Button";
import { ConfirmDialog } from "../components/Dialog";
import { Notice } from "../components/Notice";
import { PageHeading } from "../components/PageHeading";
import { sectionClass } from "../components/styles";
import { errorMessage, hasMessage, t } from "../i18n";
import { formatDateTime } from "../lib/time";
import { useAfterSync } from "../shell/useAfterSync";

function describe(err: unknown): string {
  return err instanceof BackendError ? errorMessage(err) : errorMessage({ code: "ipc.failed", message: String(err) });
}

function kindName(kind: string): string {
  const id = `record.kind.${kind}`;
  return hasMessage(id) ? t(id) : kind;
}

/** The body as a clerk reads it: a note's text as text, anything else as indented JSON. */
function renderBody(kind: string, body: string): { text: string; json: boolean } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { text: body, json: false };
  }
  if (kind === "note" && typeof parsed === "object" && parsed !== null) {
    const text = (parsed as { text?: unknown }).text;
    if (typeof text === "string") return { text, json: false };
  }
  return { text: JSON.stringify(parsed, null, 2), json: true };
}

type Message = { kind: "done"; text: string } | { kind: "error"; text: string } | null;

export function ConflictsPage() {
  const [items, setItems] = useState<ConflictView[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [message, setMessage] = useState<Message>(null);
  const [busyId, setBusyId] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<ConflictView | null>(null);
  const loadSeq = useRef(0);
  /** Where focus goes once the list has been read again after a resolution. */
  const focusAfterLoad = useRef<string | null>(null);

  function load() {
    const mine = ++loadSeq.current;
    api.listConflicts().then(
      (list) => {
        if (mine !== loadSeq.current) return;
        setItems(list);
        setLoadError(null);
      },
      (err: unknown) => {
        if (mine !== loadSeq.current) return;
        setLoadError(t("conflicts.loadFailed", { message: describe(err) }));
        setItems((current) => current ?? []);
      },
    );
  }

  const loadOnMount = useEffectEvent(load);
  useEffect(() => {
    loadOnMount();
  }, []);

  useAfterSync(load);

  // After a resolution the settled item is gone: continue with the next one, or the top.
  useEffect(() => {
    const next = focusAfterLoad.current;
    if (next === null || items === null) return;
    focusAfterLoad.current = null;
    const target = (next && document.getElementById(`conflict-title-${next}`)) || document.getElementById("page-title");
    target?.focus();
  }, [items]);

  async function resolve(item: ConflictView, resolution: Resolution) {
    if (busyId) return;
    setBusyId(item.recordId);
    setMessage(null);
    const title = item.mine.title || item.server?.title || "";
    try {
      await api.resolveConflict(item.recordId, resolution);
      setConfirming(null);
      setMessage({
        kind: "done",
        text: resolution === "reapply" ? t("conflicts.reapplied", { title }) : t("conflicts.discarded", { title }),
      });
      const list = items ?? [];
      const index = list.findIndex((c) => c.recordId === item.recordId);
      focusAfterLoad.current = (list[index + 1] ?? list[index - 1])?.recordId ?? "";
      load();
    } catch (err) {
      setConfirming(null);
      setMessage({ kind: "error", text: t("conflicts.resolveFailed", { title, message: describe(err) }) });
    } finally {
      setBusyId(null);
    }
  }

  return (
    <div className="max-w-6xl">
      <PageHeading>{t("nav.conflicts")}</PageHeading>
      <p className="mb-6 text-std-16N-175">{t("conflicts.intro")}</p>

      <div role="status" data-testid="conflict-status" className="mb-4 empty:hidden">
        {message?.kind === "done" ? <Notice kind="success">{message.text}</Notice> : null}
      </div>
      {message?.kind === "error" ? (
        <Notice kind="error" role="alert" className="mb-4" testId="conflict-error">
          {message.text}
        </Notice>
      ) : null}
      {loadError ? (
        <Notice kind="error" role="alert" className="mb-4" testId="conflicts-load-error">
          {loadError}
        </Notice>
      ) : null}

      {items === null ? (
        <p className="text-std-16N-170 text-solid-gray-700">{t("conflicts.loading")}</p>
      ) : items.length === 0 ? (
        <div className="rounded-8 border border-dashed border-solid-gray-420 bg-solid-gray-50 p-4 text-std-16N-170" data-testid="conflicts-empty">
          <p>{t("conflicts.empty")}</p>
          <p className="text-solid-gray-700">{t("conflicts.emptyHint")}</p>
        </div>
      ) : (
        <>
          <p className="mb-3 text-std-16N-170 text-solid-gray-700" data-testid="conflicts-count">
            {t("conflicts.count", { n: items.length })}
          </p>
          <ul className="flex flex-col gap-6" data-testid="conflicts-list">
            {items.map((item) => (
              <ConflictRow
                key={item.recordId}
                item={item}
                busy={busyId === item.recordId}
                onReapply={() => void resolve(item, "reapply")}
                onDiscard={() => setConfirming(item)}
              />
            ))}
          </ul>
        </>
      )}

      {confirming ? (
        <ConfirmDialog
          title={t("conflicts.discardDialog.title")}
          confirmLabel={t("conflicts.discardDialog.confirm")}
          cancelLabel={t("common.cancel")}
          confirmVariant="danger"
          busy={busyId === confirming.recordId}
          onCancel={() => setConfirming(null)}
          onConfirm={() => void resolve(confirming, "discard")}
          testId="conflict-discard-dialog"
        >
          {t("conflicts.discardDialog.body", { title: confirming.mine.title || confirming.server?.title || "" })}
        </ConfirmDialog>
      ) : null}
    </div>
  );
}

function ConflictRow({
  item,
  busy,
  onReapply,
  onDiscard,
}: {
  item: ConflictView;
  busy: boolean;
  onReapply: () => void;
  onDiscard: () => void;
}) {
  const titleId = `conflict-title-${item.recordId}`;
  const tone = conflictTone(item.state);
  const base = item.baseVersion ?? null;
  const server = item.server?.version ?? null;
  return (
    <li
      className={`${sectionClass} border-l-4 ${tone === "warning" ? "border-l-warning-yellow-1" : tone === "error" ? "border-l-error-1" : "border-l-solid-gray-600"}`}
      data-testid="conflict-row"
      data-id={item.recordId}
      data-state={item.state}
      aria-labelledby={titleId}
    >
      <div className="mb-3 flex flex-wrap items-center gap-3">
        <Badge tone={tone} testId="conflict-label">
          {item.label}
        </Badge>
        <span className="text-std-16N-170 text-solid-gray-700">{kindName(item.kind)}</span>
      </div>
      <h2 id={titleId} tabIndex={-1} className="mb-2 text-std-20B-150 text-solid-gray-900">
        {item.mine.title || item.server?.title}
      </h2>
      {item.message ? (
        <p className="mb-3 text-std-16N-170 text-solid-gray-900" data-testid="conflict-message">
          {item.message}
        </p>
      ) : null}
      <p className="mb-4 text-dns-14N-130 text-solid-gray-700" data-testid="conflict-versions">
        {t("conflicts.versions", {
          base: base === null ? t("conflicts.versionNew") : base,
          server: server === null ? t("conflicts.versionNone") : server,
        })}
      </p>
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
        <Side heading={t("conflicts.mine")} side={item.mine} kind={item.kind} testId="conflict-mine" />
        {item.server ? (
          <Side heading={t("conflicts.server")} side={item.server} kind={item.kind} testId="conflict-server" />
        ) : (
          <div className="rounded-8 border border-solid-gray-420 p-4" data-testid="conflict-server">
            <h3 className="mb-2 text-std-16B-170 text-solid-gray-900">{t("conflicts.server")}</h3>
            <p className="text-std-16N-170 text-solid-gray-700">{t("conflicts.serverMissing")}</p>
          </div>
        )}
      </div>
      <div className="mt-4 flex flex-wrap justify-end gap-4">
        <Button variant="secondary" busy={busy} onClick={onDiscard} aria-describedby={titleId} data-testid="conflict-discard">
          {t("conflicts.discard")}
        </Button>
        <Button variant="secondary" busy={busy} onClick={onReapply} aria-describedby={titleId} data-testid="conflict-reapply">
          {t("conflicts.reapply")}
        </Button>
      </div>
    </li>
  );
}

function Side({ heading, side, kind, testId }: { heading: string; side: ConflictSide; kind: string; testId: string }) {
  const body = renderBody(kind, side.body);
  const when = side.updatedAt ? formatDateTime(side.updatedAt) : null;
  const updated = [side.updatedBy, when].filter(Boolean).join("・");
  return (
    <div className="min-w-0 rounded-8 border border-solid-gray-420 p-4" data-testid={testId}>
      <h3 className="mb-2 text-std-16B-170 text-solid-gray-900">{heading}</h3>
      <dl className="flex flex-col gap-2">
        <div>
          <dt className="text-dns-14B-120 text-solid-gray-700">{t("conflicts.field.title")}</dt>
          <dd className="text-std-16N-170 break-words text-solid-gray-900 select-text">{side.title}</dd>
        </div>
        <div>
          <dt className="text-dns-14B-120 text-solid-gray-700">{t("conflicts.field.body")}</dt>
          <dd className="select-text">
            {body.json ? (
              <pre className="overflow-x-auto rounded-6 bg-solid-gray-50 p-3 font-mono text-mono-16N-150 text-solid-gray-900">{body.text}</pre>
            ) : (
              <p className="text-std-16N-170 break-words whitespace-pre-wrap text-solid-gray-900">
                {body.text || t("conflicts.noText")}
              </p>
            )}
          </dd>
        </div>
        {updated ? (
          <div>
            <dt className="text-dns-14B-120 text-solid-gray-700">{t("conflicts.field.updated")}</dt>
            <dd className="text-std-16N-170 text-solid-gray-900">{updated}</dd>
          </div>
        ) : null}
      </dl>
    </div>
  );
}

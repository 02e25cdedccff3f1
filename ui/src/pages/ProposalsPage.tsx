/**
 * 起案: my documents on the left (↑↓ select, Enter opens; a badge says where
 * each stands), the editor on the right (件名, 内容, 金額, 重要/異例/先例),
 * findings from Rust when a field loses focus, the route the document will
 * take shown live while typing, 保存 (Ctrl+S), 決裁に回す (saves first when
 * needed), 取下げ, and 再提出 after 差戻し with the reason shown. Alt+N
 * starts a new document.
 *
 * A document in 回議 can still be changed by its drafter: saving asks first, because
 * the approvals given so far start again. A decided one (決裁済み / 却下) is read-only;
 * 「変更起案を作成」 opens a new document prefilled from it and linked to it.
 */
import { useEffect, useEffectEvent, useRef, useState } from "react";
import type { KeyboardEvent as ReactKeyboardEvent } from "react";
import {
  api,
  BackendError,
  type Finding,
  type ProposalDraft,
  type ProposalFlags,
  type ProposalView,
  type RoutePreview,
} from "../backend";
import { Badge, labelTone, type BadgeTone } from "../components/Badge";
import { Button } from "../components/Button";
import { ConfirmDialog } from "../components/Dialog";
import { FieldMessage, Notice } from "../components/Notice";
import { PageHeading } from "../components/PageHeading";
import { helpClass, inputClass, labelClass, sectionClass } from "../components/styles";
import { errorMessage, t, type MessageId } from "../i18n";
import { isComposing, isPlainEnter } from "../lib/ime";
import { hrefFor } from "../lib/router";
import { useAppState } from "../shell/appState";
import { useAfterSync } from "../shell/useAfterSync";
import { useWorkTimer } from "../shell/useWorkTimer";

type Field = "title" | "text" | "amount";
type Banner = { kind: "error" | "success"; text: string } | null;

const FIELDS: readonly { key: Field; id: string; label: MessageId; help: MessageId }[] = [
  { key: "title", id: "proposal-title", label: "proposals.title.label", help: "proposals.title.help" },
  { key: "text", id: "proposal-text", label: "proposals.text.label", help: "proposals.text.help" },
  { key: "amount", id: "proposal-amount", label: "proposals.amount.label", help: "proposals.amount.help" },
];

const FLAGS: readonly { key: keyof ProposalFlags; id: string; label: MessageId }[] = [
  { key: "important", id: "proposal-important", label: "proposals.flags.important" },
  { key: "unusual", id: "proposal-unusual", label: "proposals.flags.unusual" },
  { key: "precedent", id: "proposal-precedent", label: "proposals.flags.precedent" },
];

interface Editor {
  id: string | null;
  title: string;
  text: string;
  amount: string;
  flags: ProposalFlags;
  stored: { title: string; text: string; amount: string };
  view: ProposalView | null;
  /** 変更起案: the original's id and 件名. */
  amends: string | null;
  amendsTitle: string | null;
}

type Target = ProposalView | "new" | { amendOf: ProposalView };

const NO_FLAGS: ProposalFlags = { important: false, unusual: false, precedent: false };

function editorFor(p: ProposalView): Editor {
  const amount = p.amount === "0" && p.status === "draft" ? "" : p.amount;
  return {
    id: p.id,
    title: p.title,
    text: p.text,
    amount,
    flags: { ...p.flags },
    stored: { title: p.title, text: p.text, amount },
    view: p,
    amends: p.amends ?? null,
    amendsTitle: p.amendsTitle ?? null,
  };
}

/** A new document prefilled from a decided one (unsaved: it counts as changed). */
function amendmentOf(p: ProposalView): Editor {
  return {
    id: null,
    title: p.title,
    text: p.text,
    amount: p.amount,
    flags: { ...p.flags },
    stored: { title: "", text: "", amount: "" },
    view: null,
    amends: p.id,
    amendsTitle: p.title,
  };
}

const NEW_EDITOR: Editor = {
  id: null,
  title: "",
  text: "",
  amount: "",
  flags: NO_FLAGS,
  stored: { title: "", text: "", amount: "" },
  view: null,
  amends: null,
  amendsTitle: null,
};

function isDirty(e: Editor | null): boolean {
  return e !== null && (e.title !== e.stored.title || e.text !== e.stored.text || e.amount !== e.stored.amount);
}

function describe(err: unknown): string {
  return err instanceof BackendError ? errorMessage(err) : errorMessage({ code: "ipc.failed", message: String(err) });
}

export function statusTone(status: string): BadgeTone {
  switch (status) {
    case "returned":
    case "rejected":
      return "error";
    case "in_progress":
      return "info";
    case "withdrawn":
      return "warning";
    default:
      return "neutral";
  }
}

function amendsText(title: string | null | undefined): string {
  return title ? t("proposals.amends", { title }) : t("proposals.amendsUnknown");
}

function optionId(id: string): string {
  return `proposal-option-${id}`;
}

export function ProposalsPage() {
  const { sync, signedInUser } = useAppState();
  const [list, setList] = useState<ProposalView[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [activeId, setActiveId] = useState<string | null>(null);
  const [editor, setEditor] = useState<Editor | null>(null);
  const [findings, setFindings] = useState<Finding[]>([]);
  const [touched, setTouched] = useState<ReadonlySet<Field>>(new Set());
  const [banner, setBanner] = useState<Banner>(null);
  const [busy, setBusy] = useState(false);
  const [route, setRoute] = useState<RoutePreview | null>(null);
  const [confirmWithdraw, setConfirmWithdraw] = useState(false);
  const [pendingOpen, setPendingOpen] = useState<Target | null>(null);
  const [confirmRestart, setConfirmRestart] = useState(false);
  useWorkTimer(editor?.id ?? undefined);
  const loadSeq = useRef(0);
  const inFlight = useRef(false);
  const focusTitle = useRef(false);
  const titleRef = useRef<HTMLInputElement>(null);
  const listRef = useRef<HTMLDivElement>(null);

  function load() {
    const mine = ++loadSeq.current;
    api.listProposals().then(
      (items) => {
        if (mine !== loadSeq.current) return;
        setList(items);
        setLoadError(null);
        setActiveId((cur) => (cur && items.some((p) => p.id === cur) ? cur : (items[0]?.id ?? null)));
        setEditor((cur) => {
          if (!cur || cur.id === null) return cur;
          const fresh = items.find((p) => p.id === cur.id);
          if (!fresh) return cur;
          return isDirty(cur) ? { ...cur, view: fresh } : { ...editorFor(fresh), flags: cur.flags };
        });
      },
      (err: unknown) => {
        if (mine !== loadSeq.current) return;
        setLoadError(t("proposals.loadFailed", { message: describe(err) }));
        setList((cur) => cur ?? []);
      },
    );
  }

  const loadOnMount = useEffectEvent(load);
  useEffect(() => {
    loadOnMount();
  }, []);

  useAfterSync(load);

  // The route preview follows the amount and the flags as they are typed.
  const amount = editor?.amount ?? null;
  const flags = editor?.flags ?? null;
  const flagKey = flags ? `${flags.important}|${flags.unusual}|${flags.precedent}` : "";
  const previewSeq = useRef(0);
  const preview = useEffectEvent(() => {
    if (amount === null || flags === null) return;
    const mine = ++previewSeq.current;
    api.proposalRoutePreview(amount, flags).then(
      (r) => {
        if (mine === previewSeq.current) setRoute(r);
      },
      () => {
        if (mine === previewSeq.current) setRoute(null);
      },
    );
  });
  useEffect(() => {
    preview();
  }, [amount, flagKey]);

  useEffect(() => {
    if (!focusTitle.current || !editor) return;
    focusTitle.current = false;
    titleRef.current?.focus();
  }, [editor]);

  function open(target: Target) {
    focusTitle.current = true;
    setEditor(target === "new" ? { ...NEW_EDITOR } : "amendOf" in target ? amendmentOf(target.amendOf) : editorFor(target));
    setFindings([]);
    setTouched(new Set());
    setBanner(null);
    if (target !== "new" && !("amendOf" in target)) setActiveId(target.id);
  }

  function requestOpen(target: Target) {
    if (target !== "new" && !("amendOf" in target) && editor?.id === target.id) {
      // Opened again (e.g. after a sync brought its outcome): an earlier 「送信待ち」 note is stale.
      setBanner(null);
      titleRef.current?.focus();
      return;
    }
    if (isDirty(editor)) setPendingOpen(target);
    else open(target);
  }

  function draftOf(e: Editor): ProposalDraft {
    return { id: e.id, title: e.title, text: e.text, amount: e.amount, amends: e.amends };
  }

  function check(key: Field) {
    if (!editor) return;
    setTouched((cur) => new Set(cur).add(key));
    api.checkProposal(draftOf(editor)).then(setFindings, () => {
      // Checked again on save.
    });
  }

  /** Saves if needed; returns the stored view, or null when it could not. */
  async function saveNow(current: Editor): Promise<ProposalView | null> {
    const draft = draftOf(current);
    const result = await api.checkProposal(draft);
    setFindings(result);
    const errors = result.filter((f) => f.severity === "error");
    if (errors.length > 0) {
      setTouched(new Set(FIELDS.map((f) => f.key)));
      setBanner({ kind: "error", text: t("proposals.hasErrors") });
      const first = FIELDS.find((f) => errors.some((e) => e.field === f.key));
      if (first) document.getElementById(first.id)?.focus();
      return null;
    }
    const saved = await api.saveProposal(draft);
    setEditor((cur) => ({ ...editorFor(saved), flags: cur?.flags ?? current.flags }));
    setActiveId(saved.id);
    return saved;
  }

  async function run(work: () => Promise<void>) {
    if (!editor || inFlight.current) return;
    inFlight.current = true;
    setBusy(true);
    try {
      await work();
      load();
    } catch (err) {
      setBanner({ kind: "error", text: t("proposals.failed", { message: describe(err) }) });
    } finally {
      inFlight.current = false;
      setBusy(false);
    }
  }

  /** 保存 (Ctrl+S). In 回議 it asks first: the approvals given so far start again. */
  function save() {
    const current = editor;
    if (!current) return;
    if (current.view?.status === "in_progress") {
      if (!isDirty(current)) setBanner({ kind: "success", text: t("proposals.noChange") });
      else setConfirmRestart(true);
      return;
    }
    saveConfirmed();
  }

  function saveConfirmed() {
    setConfirmRestart(false);
    const current = editor;
    if (!current) return;
    const restarts = current.view?.status === "in_progress";
    void run(async () => {
      if (await saveNow(current)) setBanner({ kind: "success", text: t(restarts ? "proposals.savedRestart" : "proposals.saved") });
    });
  }

  function submit() {
    const current = editor;
    if (!current) return;
    void run(async () => {
      let id = current.id;
      if (id === null || isDirty(current)) {
        const saved = await saveNow(current);
        if (!saved) return;
        id = saved.id;
      }
      const v = await api.submitProposal(id, current.flags);
      setEditor((cur) => ({ ...editorFor(v), flags: cur?.flags ?? current.flags }));
      setBanner({ kind: "success", text: t("proposals.submitted") });
    });
  }

  function withdraw() {
    const current = editor;
    setConfirmWithdraw(false);
    if (!current?.id) return;
    const id = current.id;
    void run(async () => {
      const v = await api.withdrawProposal(id);
      setEditor((cur) => ({ ...editorFor(v), flags: cur?.flags ?? current.flags }));
      setBanner({ kind: "success", text: t("proposals.withdrawn") });
    });
  }

  const onShortcut = useEffectEvent((event: KeyboardEvent) => {
    const ctrlS = (event.code === "KeyS" || event.key.toLowerCase() === "s") && (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey;
    const altN = (event.code === "KeyN" || event.key.toLowerCase() === "n") && event.altKey && !event.ctrlKey && !event.metaKey && !event.shiftKey;
    if (!ctrlS && !altN) return;
    event.preventDefault();
    if (isComposing(event) || pendingOpen || confirmWithdraw || confirmRestart) return;
    if (ctrlS) {
      if (editor && (editor.view?.canEdit ?? true)) save();
    } else requestOpen("new");
  });
  useEffect(() => {
    const listener = (event: KeyboardEvent) => onShortcut(event);
    window.addEventListener("keydown", listener);
    return () => window.removeEventListener("keydown", listener);
  }, []);

  function onListKeyDown(event: ReactKeyboardEvent<HTMLDivElement>) {
    if (!list || list.length === 0) return;
    const index = list.findIndex((p) => p.id === activeId);
    let next: number | null = null;
    if (event.key === "ArrowDown") next = Math.min(index + 1, list.length - 1);
    else if (event.key === "ArrowUp") next = Math.max(index - 1, 0);
    else if (isPlainEnter(event)) {
      event.preventDefault();
      const p = list[index] ?? list[0];
      if (p) requestOpen(p);
      return;
    }
    if (next === null) return;
    event.preventDefault();
    setActiveId(list[next]?.id ?? null);
  }

  const signedOut = sync?.configured === true && signedInUser === null;
  const view = editor?.view ?? null;
  const canEdit = view ? view.canEdit : true;
  const inKaigi = view?.status === "in_progress";
  const canSubmit = view ? view.canSubmit || (view.canEdit && !inKaigi && isDirty(editor)) : true;
  const submitLabel = view?.status === "returned" || view?.status === "withdrawn" ? t("proposals.resubmit") : t("proposals.submit");

  return (
    <div className="max-w-6xl">
      <PageHeading>{t("nav.proposals")}</PageHeading>
      <p className="mb-6 text-std-16N-175">{t("proposals.intro")}</p>
      {signedOut ? (
        <Notice kind="info" className="mb-6" testId="proposals-signed-out">
          {t("proposals.signedOut")}{" "}
          <a href={hrefFor("signin")} className="underline underline-offset-[calc(3/16*1rem)]">
            {t("inbox.toSignIn")}
          </a>
        </Notice>
      ) : null}
      {loadError ? (
        <Notice kind="error" role="alert" className="mb-6" testId="proposals-error">
          {loadError}
        </Notice>
      ) : null}
      <div className="grid grid-cols-1 items-start gap-6 xl:grid-cols-[minmax(18rem,26rem)_minmax(0,1fr)]">
        <section aria-labelledby="proposals-list-heading" className="min-w-0">
          <div className="mb-2 flex flex-wrap items-center justify-between gap-3">
            <h2 id="proposals-list-heading" className="text-std-20B-150 text-solid-gray-900">
              {t("proposals.heading")}
              {list ? (
                <span className="ml-3 text-std-16N-170 text-solid-gray-700" data-testid="proposals-count">
                  {t("proposals.count", { n: list.length })}
                </span>
              ) : null}
            </h2>
            <Button variant="secondary" onClick={() => requestOpen("new")} aria-keyshortcuts="Alt+N" data-testid="proposals-new">
              {t("proposals.new")}
            </Button>
          </div>
          {list === null ? (
            <p className="text-std-16N-170 text-solid-gray-700">{t("proposals.loading")}</p>
          ) : list.length === 0 ? (
            <p className="rounded-8 border border-dashed border-solid-gray-420 bg-solid-gray-50 p-4 text-std-16N-170" data-testid="proposals-empty">
              {t("proposals.empty")}
            </p>
          ) : (
            <>
              <p id="proposals-list-hint" className="mb-2 text-dns-14N-130 text-solid-gray-700">
                {t("proposals.listHint")}
              </p>
              <div
                ref={listRef}
                role="listbox"
                tabIndex={0}
                data-testid="proposals-list"
                aria-label={t("proposals.list.label")}
                aria-describedby="proposals-list-hint"
                aria-activedescendant={activeId ? optionId(activeId) : undefined}
                onKeyDown={onListKeyDown}
                onFocus={() => {
                  if (!activeId && list[0]) setActiveId(list[0].id);
                }}
                className="max-h-[calc(100vh-22rem)] min-h-40 overflow-y-auto rounded-8 border border-solid-gray-420 bg-white"
              >
                {list.map((p) => (
                  <div
                    key={p.id}
                    id={optionId(p.id)}
                    role="option"
                    aria-selected={p.id === activeId}
                    data-testid="proposal-row"
                    data-id={p.id}
                    onClick={() => requestOpen(p)}
                    className={[
                      "flex cursor-pointer flex-col gap-0.5 border-b border-l-4 border-b-solid-gray-200 px-3 py-2 last:border-b-0",
                      p.id === activeId ? "border-l-blue-900 bg-blue-50" : "border-l-transparent hover:bg-solid-gray-50",
                    ].join(" ")}
                  >
                    <span className="flex items-start justify-between gap-2">
                      <span className="min-w-0 text-std-16B-170 break-words text-solid-gray-900">{p.title}</span>
                      <span className="flex shrink-0 flex-wrap justify-end gap-1">
                        <Badge tone={statusTone(p.status)} testId="proposal-status">
                          {p.statusLabel}
                        </Badge>
                        {p.pending ? <Badge tone="info">{t("proposals.pending")}</Badge> : null}
                        {p.label ? <Badge tone={labelTone(p.label)}>{p.label}</Badge> : null}
                      </span>
                    </span>
                    {p.amends ? (
                      <span className="text-dns-14N-130 text-solid-gray-800" data-testid="proposal-row-amends">
                        {amendsText(p.amendsTitle)}
                      </span>
                    ) : null}
                    <span className="text-std-16N-170 text-solid-gray-700" data-testid="proposal-where">
                      {p.whereText}
                    </span>
                    <span className="text-right text-dns-14N-130 tabular-nums text-solid-gray-700">{p.amountText} 円</span>
                  </div>
                ))}
              </div>
            </>
          )}
        </section>

        <section aria-labelledby="proposal-editor-heading" className={`${sectionClass} min-w-0`}>
          <h2 id="proposal-editor-heading" className="mb-2 text-std-20B-150 text-solid-gray-900">
            {editor?.id ? t("proposals.editor.heading") : editor ? t(editor.amends ? "proposals.editor.newAmendment" : "proposals.editor.new") : t("proposals.editor.heading")}
          </h2>
          {editor ? (
            <form
              noValidate
              data-testid="proposal-editor"
              aria-busy={busy || undefined}
              onSubmit={(e) => {
                e.preventDefault();
                save();
              }}
              onKeyDown={(e) => {
                if (e.key === "Escape" && !isComposing(e)) {
                  e.preventDefault();
                  listRef.current?.focus();
                }
              }}
            >
              {view ? (
                <p className="mb-4 flex flex-wrap items-center gap-3" data-testid="proposal-state">
                  <Badge tone={statusTone(view.status)}>{view.statusLabel}</Badge>
                  <span>{view.whereText}</span>
                </p>
              ) : null}
              {editor.amends ? (
                <p className="mb-4 rounded-8 border border-blue-900 bg-blue-50 px-4 py-2 text-std-16N-170" data-testid="proposal-amends">
                  {amendsText(editor.amendsTitle)}
                </p>
              ) : null}
              {view?.canAmend ? (
                <Notice kind="info" className="mb-4" testId="proposal-decided">
                  {t("proposals.decidedNote")}
                </Notice>
              ) : null}
              {inKaigi && view?.canEdit ? (
                <p className="mb-4 text-dns-14N-130 text-solid-gray-700" data-testid="proposal-kaigi-note">
                  {t("proposals.kaigiNote")}
                </p>
              ) : null}
              {view?.status === "returned" && view.reason ? (
                <Notice kind="warning" className="mb-4" testId="proposal-return-reason">
                  {t("proposals.returned", { reason: view.reason })}
                </Notice>
              ) : null}
              <div className="mb-4 empty:hidden">
                {banner ? (
                  <Notice kind={banner.kind} role={banner.kind === "error" ? "alert" : undefined} testId={`proposal-banner-${banner.kind}`}>
                    {banner.text}
                  </Notice>
                ) : null}
              </div>
              <div className="flex flex-col gap-6">
                {FIELDS.map((field) => {
                  const mine = touched.has(field.key) ? findings.filter((f) => f.field === field.key) : [];
                  const hasError = mine.some((f) => f.severity === "error");
                  const helpId = `${field.id}-help`;
                  const findingIds = mine.map((_, i) => `${field.id}-finding-${i}`);
                  const common = {
                    id: field.id,
                    name: field.key,
                    value: editor[field.key],
                    readOnly: !canEdit,
                    autoComplete: "off",
                    onBlur: () => check(field.key),
                    onChange: (e: { target: { value: string } }) => {
                      const value = e.target.value;
                      setEditor((cur) => (cur ? { ...cur, [field.key]: value } : cur));
                    },
                    "aria-invalid": hasError || undefined,
                    "aria-describedby": [helpId, ...findingIds].join(" "),
                    "data-testid": field.id,
                  } as const;
                  return (
                    <div key={field.key} className="flex flex-col gap-1">
                      <label htmlFor={field.id} className={labelClass}>
                        {t(field.label)}
                      </label>
                      <p id={helpId} className={helpClass}>
                        {t(field.help)}
                      </p>
                      {field.key === "text" ? (
                        <textarea {...common} rows={8} className={`${inputClass} mt-1 w-full resize-y`} />
                      ) : (
                        <input
                          {...common}
                          ref={field.key === "title" ? titleRef : undefined}
                          type="text"
                          inputMode={field.key === "amount" ? "numeric" : undefined}
                          onKeyDown={(e) => {
                            // Enter moves on (IME-safe); it never submits.
                            if (!isPlainEnter(e)) return;
                            e.preventDefault();
                            const next = field.key === "title" ? "proposal-text" : "proposal-important";
                            document.getElementById(next)?.focus();
                          }}
                          className={`${inputClass} mt-1 w-full ${field.key === "amount" ? "max-w-xs text-right tabular-nums" : ""}`}
                        />
                      )}
                      {mine.map((finding, i) => (
                        <FieldMessage
                          key={`${finding.code}-${i}`}
                          id={findingIds[i] ?? `${field.id}-finding-${i}`}
                          kind={finding.severity === "error" ? "error" : "warning"}
                          role={finding.severity === "error" ? "alert" : undefined}
                        >
                          {errorMessage(finding)}
                        </FieldMessage>
                      ))}
                    </div>
                  );
                })}
                <fieldset>
                  <legend className={labelClass}>{t("proposals.flags.legend")}</legend>
                  <p className={helpClass}>{t("proposals.flags.help")}</p>
                  <div className="mt-2 flex flex-wrap gap-6">
                    {FLAGS.map((f) => (
                      <label key={f.key} htmlFor={f.id} className="flex items-center gap-2 text-std-16N-170">
                        <input
                          id={f.id}
                          data-testid={f.id}
                          type="checkbox"
                          className="size-5"
                          disabled={!canEdit}
                          checked={editor.flags[f.key]}
                          onChange={(e) => {
                            const checked = e.target.checked;
                            setEditor((cur) => (cur ? { ...cur, flags: { ...cur.flags, [f.key]: checked } } : cur));
                          }}
                        />
                        {t(f.label)}
                      </label>
                    ))}
                  </div>
                </fieldset>
                <div aria-live="polite" data-testid="proposal-route">
                  <h3 className="mb-1 text-std-16B-170">{t("proposals.route.heading")}</h3>
                  {route?.error ? (
                    <p className="text-std-16N-170 text-error-1">{route.error}</p>
                  ) : route && route.steps.length > 0 ? (
                    <>
                      <ol className="flex flex-wrap items-center gap-2 text-std-16N-170">
                        {route.steps.map((s, i) => (
                          <li key={i} data-testid="proposal-route-step" className="rounded-6 border border-solid-gray-420 px-2 py-1">
                            {i + 1}. {s}
                          </li>
                        ))}
                      </ol>
                      <p className="mt-1 text-dns-14N-130 text-solid-gray-700">
                        {t("proposals.route.count", { n: route.approvers })}
                        {route.unconfirmed ? ` ${t("proposals.route.unconfirmed")}` : ""}
                      </p>
                    </>
                  ) : null}
                </div>
              </div>
              <div className="sticky bottom-0 -mx-6 mt-8 flex flex-wrap items-center justify-end gap-4 border-t border-solid-gray-420 bg-white px-6 pt-4">
                <span className="mr-auto text-dns-14N-130 text-solid-gray-700">{t("proposals.shortcutHint")}</span>
                {view?.canWithdraw ? (
                  <Button variant="secondary" busy={busy} onClick={() => setConfirmWithdraw(true)} data-testid="proposal-withdraw">
                    {t("proposals.withdraw")}
                  </Button>
                ) : null}
                {canEdit ? (
                  <Button type="submit" variant="secondary" busy={busy} aria-keyshortcuts="Control+S" data-testid="proposal-save">
                    {busy ? t("proposals.saving") : t("proposals.save")}
                  </Button>
                ) : null}
                {canEdit && canSubmit ? (
                  <Button variant="primary" busy={busy} onClick={submit} data-testid="proposal-submit">
                    {submitLabel}
                  </Button>
                ) : null}
                {view?.canAmend ? (
                  <Button variant="primary" onClick={() => view && requestOpen({ amendOf: view })} data-testid="proposal-amend">
                    {t("proposals.amend")}
                  </Button>
                ) : null}
              </div>
            </form>
          ) : (
            <p className="text-std-16N-170 text-solid-gray-700" data-testid="proposal-editor-empty">
              {t("proposals.editor.none")}
            </p>
          )}
        </section>
      </div>

      {confirmWithdraw ? (
        <ConfirmDialog
          title={t("proposals.withdrawConfirm.title")}
          confirmLabel={t("proposals.withdraw")}
          cancelLabel={t("proposals.withdrawConfirm.cancel")}
          confirmVariant="danger"
          onCancel={() => setConfirmWithdraw(false)}
          onConfirm={withdraw}
          testId="proposal-withdraw-dialog"
        >
          {t("proposals.withdrawConfirm.body")}
        </ConfirmDialog>
      ) : null}
      {confirmRestart ? (
        <ConfirmDialog
          title={t("proposals.restartConfirm.title")}
          confirmLabel={t("proposals.restartConfirm.confirm")}
          cancelLabel={t("proposals.restartConfirm.cancel")}
          onCancel={() => setConfirmRestart(false)}
          onConfirm={saveConfirmed}
          testId="proposal-restart-dialog"
        >
          {t("proposals.restartConfirm.body")}
        </ConfirmDialog>
      ) : null}
      {pendingOpen ? (
        <ConfirmDialog
          title={t("proposals.discard.title")}
          confirmLabel={t("proposals.discard.confirm")}
          cancelLabel={t("proposals.discard.cancel")}
          confirmVariant="danger"
          onCancel={() => setPendingOpen(null)}
          onConfirm={() => {
            const target = pendingOpen;
            setPendingOpen(null);
            open(target);
          }}
          testId="proposals-discard-dialog"
        >
          {t("proposals.discard.body")}
        </ConfirmDialog>
      ) : null}
    </div>
  );
}

/**
 * 連絡メモ: the office's notes on the left (↑↓ select, Enter opens), the editor
 * on the right (件名 + 本文, findings from Rust when a field loses focus,
 * Ctrl+S saves). Alt+N starts a new note. The list follows the sync: it is
 * read again whenever the counts or the last sync time change, so notes
 * other clerks wrote appear after a sync. Nothing typed is thrown away
 * without asking.
 */
import { useEffect, useEffectEvent, useRef, useState } from "react";
import type { FormEvent, KeyboardEvent as ReactKeyboardEvent } from "react";
import { api, BackendError, type Finding, type NoteDraft, type NoteView } from "../backend";
import { Badge, labelTone } from "../components/Badge";
import { Button } from "../components/Button";
import { ConfirmDialog } from "../components/Dialog";
import { FieldMessage, Notice } from "../components/Notice";
import { PageHeading } from "../components/PageHeading";
import { helpClass, inputClass, labelClass, sectionClass } from "../components/styles";
import { errorMessage, t, type MessageId } from "../i18n";
import { isComposing, isPlainEnter, useImeSafeEnter } from "../lib/ime";
import { hrefFor } from "../lib/router";
import { formatDateTime } from "../lib/time";
import { useAppState } from "../shell/appState";
import { useAfterSync } from "../shell/useAfterSync";

type NoteField = "title" | "text";

const FIELDS: readonly { key: NoteField; id: string; label: MessageId; help: MessageId }[] = [
  { key: "title", id: "note-title", label: "notes.title.label", help: "notes.title.help" },
  { key: "text", id: "note-text", label: "notes.text.label", help: "notes.text.help" },
];

interface Editor {
  /** null until a new note is first saved. */
  id: string | null;
  title: string;
  text: string;
  /** What is stored, to tell whether there are unsaved changes. */
  stored: { title: string; text: string };
  /** The note as the list last showed it (label, version, who, when). */
  view: NoteView | null;
}

type OpenTarget = { kind: "new" } | { kind: "note"; note: NoteView };
type Banner = { kind: "error"; text: string } | { kind: "saved" } | null;

const NEW_EDITOR: Editor = { id: null, title: "", text: "", stored: { title: "", text: "" }, view: null };

function editorFor(note: NoteView): Editor {
  return { id: note.id, title: note.title, text: note.text, stored: { title: note.title, text: note.text }, view: note };
}

function isDirty(editor: Editor | null): boolean {
  return editor !== null && (editor.title !== editor.stored.title || editor.text !== editor.stored.text);
}

function describe(err: unknown): string {
  return err instanceof BackendError ? errorMessage(err) : errorMessage({ code: "ipc.failed", message: String(err) });
}

function firstLine(text: string): string {
  return text.split(/\r?\n/).find((line) => line.trim() !== "")?.trim() ?? "";
}

function optionId(id: string): string {
  return `note-option-${id}`;
}

export function NotesPage() {
  const { sync, signedInUser } = useAppState();
  const [notes, setNotes] = useState<NoteView[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [activeId, setActiveId] = useState<string | null>(null);
  const [editor, setEditor] = useState<Editor | null>(null);
  const [findings, setFindings] = useState<Finding[]>([]);
  const [touched, setTouched] = useState<ReadonlySet<NoteField>>(new Set());
  const [banner, setBanner] = useState<Banner>(null);
  const [saving, setSaving] = useState(false);
  const [pendingOpen, setPendingOpen] = useState<OpenTarget | null>(null);
  const loadSeq = useRef(0);
  const checkSeq = useRef(0);
  const inFlight = useRef(false);
  const focusTitle = useRef(false);
  const listRef = useRef<HTMLDivElement>(null);
  const titleRef = useRef<HTMLInputElement>(null);
  const textRef = useRef<HTMLTextAreaElement>(null);
  const newRef = useRef<HTMLButtonElement>(null);

  function load() {
    const mine = ++loadSeq.current;
    api.listNotes().then(
      (list) => {
        if (mine !== loadSeq.current) return;
        setNotes(list);
        setLoadError(null);
        setActiveId((current) => (current && list.some((n) => n.id === current) ? current : (list[0]?.id ?? null)));
        // An open note nobody is changing shows what the list now says (another PC may have edited it).
        setEditor((current) => {
          if (!current || current.id === null) return current;
          const fresh = list.find((n) => n.id === current.id);
          if (!fresh) return current;
          return isDirty(current) ? { ...current, view: fresh } : editorFor(fresh);
        });
      },
      (err: unknown) => {
        if (mine !== loadSeq.current) return;
        setLoadError(t("notes.loadFailed", { message: describe(err) }));
        setNotes((current) => current ?? []);
      },
    );
  }

  const loadOnMount = useEffectEvent(load);
  useEffect(() => {
    loadOnMount();
  }, []);

  // Read the list again when a sync (or a save anywhere) changed something.
  useAfterSync(load);

  useEffect(() => {
    if (activeId) document.getElementById(optionId(activeId))?.scrollIntoView?.({ block: "nearest" });
  }, [activeId]);

  useEffect(() => {
    if (!focusTitle.current || !editor) return;
    focusTitle.current = false;
    titleRef.current?.focus();
  }, [editor]);

  function open(target: OpenTarget) {
    focusTitle.current = true;
    setEditor(target.kind === "new" ? { ...NEW_EDITOR } : editorFor(target.note));
    setFindings([]);
    setTouched(new Set());
    setBanner(null);
    checkSeq.current++;
    if (target.kind === "note") setActiveId(target.note.id);
  }

  function requestOpen(target: OpenTarget) {
    if (target.kind === "note" && editor?.id === target.note.id) {
      titleRef.current?.focus();
      return;
    }
    if (isDirty(editor)) setPendingOpen(target);
    else open(target);
  }

  function change(key: NoteField, value: string) {
    setEditor((current) => (current ? { ...current, [key]: value } : current));
    setBanner((current) => (current?.kind === "saved" ? null : current));
  }

  function draftOf(current: Editor): NoteDraft {
    return { id: current.id, title: current.title, text: current.text };
  }

  function check(key: NoteField) {
    if (!editor) return;
    setTouched((current) => new Set(current).add(key));
    const mine = ++checkSeq.current;
    api.checkNote(draftOf(editor)).then(
      (result) => {
        if (mine === checkSeq.current) setFindings(result);
      },
      (err: unknown) => {
        if (mine !== checkSeq.current) return;
        setBanner({ kind: "error", text: t("notes.checkFailed", { message: describe(err) }) });
      },
    );
  }

  async function save() {
    if (!editor || inFlight.current) return;
    inFlight.current = true;
    setSaving(true);
    const draft = draftOf(editor);
    try {
      const result = await api.checkNote(draft);
      checkSeq.current++;
      setFindings(result);
      const errors = result.filter((f) => f.severity === "error");
      if (errors.length > 0) {
        setTouched(new Set(FIELDS.map((f) => f.key)));
        setBanner({ kind: "error", text: t("notes.hasErrors") });
        const first = FIELDS.find((f) => errors.some((e) => e.field === f.key));
        if (first) document.getElementById(first.id)?.focus();
        return;
      }
      const saved = await api.saveNote(draft);
      // Keep anything typed while saving; what was sent is now stored.
      setEditor((current) => ({
        id: saved.id,
        title: current && current.title !== draft.title ? current.title : saved.title,
        text: current && current.text !== draft.text ? current.text : saved.text,
        stored: { title: saved.title, text: saved.text },
        view: saved,
      }));
      setActiveId(saved.id);
      setBanner({ kind: "saved" });
      load();
    } catch (err) {
      setBanner({ kind: "error", text: t("notes.saveFailed", { message: describe(err) }) });
    } finally {
      inFlight.current = false;
      setSaving(false);
    }
  }

  // Ctrl+S saves, Alt+N starts a new note, anywhere on this page (not behind the dialog).
  const onShortcut = useEffectEvent((event: KeyboardEvent) => {
    const ctrlS =
      (event.code === "KeyS" || event.key.toLowerCase() === "s") &&
      (event.ctrlKey || event.metaKey) &&
      !event.altKey &&
      !event.shiftKey;
    const altN =
      (event.code === "KeyN" || event.key.toLowerCase() === "n") &&
      event.altKey &&
      !event.ctrlKey &&
      !event.metaKey &&
      !event.shiftKey;
    if (!ctrlS && !altN) return;
    event.preventDefault();
    if (isComposing(event) || pendingOpen) return;
    if (ctrlS) void save();
    else requestOpen({ kind: "new" });
  });
  useEffect(() => {
    const listener = (event: KeyboardEvent) => onShortcut(event);
    window.addEventListener("keydown", listener);
    return () => window.removeEventListener("keydown", listener);
  }, []);

  function onListKeyDown(event: ReactKeyboardEvent<HTMLDivElement>) {
    if (!notes || notes.length === 0) return;
    const index = notes.findIndex((n) => n.id === activeId);
    let next: number | null = null;
    if (event.key === "ArrowDown") next = Math.min(index + 1, notes.length - 1);
    else if (event.key === "ArrowUp") next = Math.max(index - 1, 0);
    else if (event.key === "Home") next = 0;
    else if (event.key === "End") next = notes.length - 1;
    else if (isPlainEnter(event)) {
      event.preventDefault();
      const note = notes[index] ?? notes[0];
      if (note) requestOpen({ kind: "note", note });
      return;
    }
    if (next === null) return;
    event.preventDefault();
    setActiveId(notes[next]?.id ?? null);
  }

  const onTitleEnter = useImeSafeEnter<HTMLInputElement>(() => textRef.current?.focus());

  function onEditorKeyDown(event: ReactKeyboardEvent<HTMLFormElement>) {
    if (event.key !== "Escape" || isComposing(event)) return;
    // Back to the list; nothing typed is lost.
    event.preventDefault();
    (listRef.current ?? newRef.current)?.focus();
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void save();
  }

  const notConfigured = sync?.configured === false;
  const signedOut = sync?.configured === true && signedInUser === null;

  return (
    <div className="max-w-6xl">
      <PageHeading>{t("nav.notes")}</PageHeading>
      <p className="mb-6 text-std-16N-175">{t("notes.intro")}</p>
      {notConfigured ? (
        <Notice kind="info" className="mb-6" testId="notes-local-only">
          {t("notes.notConfigured")}
        </Notice>
      ) : signedOut ? (
        <Notice kind="info" className="mb-6" testId="notes-signed-out">
          {t("notes.signedOut")}{" "}
          <a href={hrefFor("signin")} className="underline underline-offset-[calc(3/16*1rem)]">
            {t("notes.toSignIn")}
          </a>
        </Notice>
      ) : null}
      {loadError ? (
        <Notice kind="error" role="alert" className="mb-6" testId="notes-error">
          {loadError}
        </Notice>
      ) : null}

      <div className="grid grid-cols-1 items-start gap-6 xl:grid-cols-[minmax(18rem,26rem)_minmax(0,1fr)]">
        <section aria-labelledby="notes-list-heading" className="min-w-0">
          <div className="mb-2 flex flex-wrap items-center justify-between gap-3">
            <h2 id="notes-list-heading" className="text-std-20B-150 text-solid-gray-900">
              {t("notes.list.heading")}
              {notes ? (
                <span className="ml-3 text-std-16N-170 text-solid-gray-700" data-testid="notes-count">
                  {t("notes.count", { n: notes.length })}
                </span>
              ) : null}
            </h2>
            <Button
              ref={newRef}
              variant="secondary"
              onClick={() => requestOpen({ kind: "new" })}
              aria-keyshortcuts="Alt+N"
              data-testid="notes-new"
            >
              {t("notes.new")}
              <span aria-hidden="true" className="text-dns-14N-120 text-solid-gray-700">
                Alt+N
              </span>
            </Button>
          </div>
          <div data-testid="notes-list" aria-busy={notes === null || undefined}>
            {notes === null ? (
              <p className="text-std-16N-170 text-solid-gray-700">{t("notes.loading")}</p>
            ) : notes.length === 0 ? (
              <p className="rounded-8 border border-dashed border-solid-gray-420 bg-solid-gray-50 p-4 text-std-16N-170" data-testid="notes-empty">
                {t("notes.empty")}
              </p>
            ) : (
              <>
                <p id="notes-list-hint" className="mb-2 text-dns-14N-130 text-solid-gray-700">
                  {t("notes.listHint")}
                </p>
                <div
                  ref={listRef}
                  role="listbox"
                  tabIndex={0}
                  aria-label={t("notes.list.label")}
                  aria-describedby="notes-list-hint"
                  aria-activedescendant={activeId ? optionId(activeId) : undefined}
                  onKeyDown={onListKeyDown}
                  onFocus={() => {
                    if (!activeId && notes[0]) setActiveId(notes[0].id);
                  }}
                  className="max-h-[calc(100vh-22rem)] min-h-40 overflow-y-auto rounded-8 border border-solid-gray-420 bg-white"
                >
                  {notes.map((note) => (
                    <NoteRow
                      key={note.id}
                      note={note}
                      active={note.id === activeId}
                      open={note.id === editor?.id}
                      onClick={() => {
                        setActiveId(note.id);
                        requestOpen({ kind: "note", note });
                      }}
                    />
                  ))}
                </div>
              </>
            )}
          </div>
        </section>

        <section aria-labelledby="note-editor-heading" className={`${sectionClass} min-w-0`}>
          <h2 id="note-editor-heading" className="mb-2 text-std-20B-150 text-solid-gray-900">
            {editor?.id ? t("notes.editor.heading") : editor ? t("notes.editor.new") : t("notes.editor.heading")}
          </h2>
          {editor ? (
            <form noValidate onSubmit={onSubmit} onKeyDown={onEditorKeyDown} aria-busy={saving || undefined} data-testid="note-editor">
              {editor.view?.label || editor.view?.version ? (
                <p className="mb-4 flex flex-wrap items-center gap-3 text-dns-14N-130 text-solid-gray-700">
                  {editor.view.label ? <Badge tone={labelTone(editor.view.label)}>{editor.view.label}</Badge> : null}
                  {editor.view.version ? <span>{t("notes.editor.version", { n: editor.view.version })}</span> : null}
                </p>
              ) : null}
              <div className="mb-4 empty:hidden">
                {banner?.kind === "error" ? (
                  <Notice kind="error" role="alert" testId="note-error">
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
                    autoComplete: "off",
                    onBlur: () => check(field.key),
                    "aria-invalid": hasError || undefined,
                    "aria-describedby": [helpId, ...findingIds].join(" "),
                    "data-testid": field.id,
                  } as const;
                  return (
                    <div key={field.key} className="flex flex-col gap-1">
                      <label htmlFor={field.id} className={labelClass}>
                        {t(field.label)}
                        {field.key === "title" ? (
                          <span className="ml-2 rounded-4 bg-red-900 px-1.5 py-0.5 align-middle text-dns-14B-120 text-white">
                            {t("common.required")}
                          </span>
                        ) : null}
                      </label>
                      <p id={helpId} className={helpClass}>
                        {t(field.help)}
                      </p>
                      {field.key === "title" ? (
                        <input
                          {...common}
                          ref={titleRef}
                          type="text"
                          aria-required="true"
                          onChange={(event) => change("title", event.target.value)}
                          onKeyDown={onTitleEnter}
                          className={`${inputClass} mt-1 w-full`}
                        />
                      ) : (
                        <textarea
                          {...common}
                          ref={textRef}
                          rows={10}
                          onChange={(event) => change("text", event.target.value)}
                          className={`${inputClass} mt-1 w-full resize-y`}
                        />
                      )}
                      {mine.length > 0 ? (
                        <div className="mt-1 flex flex-col gap-1" data-testid={`${field.id}-findings`}>
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
                      ) : null}
                    </div>
                  );
                })}
              </div>
              <div className="sticky bottom-0 -mx-6 mt-8 flex flex-wrap items-center justify-end gap-4 border-t border-solid-gray-420 bg-white px-6 pt-4">
                <span role="status" className="mr-auto text-std-16B-170 text-success-2">
                  {banner?.kind === "saved" ? <span data-testid="note-saved">{t("notes.saved")}</span> : null}
                </span>
                <span className="text-dns-14N-130 text-solid-gray-700">{t("notes.shortcutHint")}</span>
                <Button type="submit" variant="primary" busy={saving} aria-keyshortcuts="Control+S" data-testid="note-save">
                  {saving ? t("notes.saving") : t("notes.save")}
                </Button>
              </div>
            </form>
          ) : (
            <p className="text-std-16N-170 text-solid-gray-700" data-testid="note-editor-empty">
              {t("notes.editor.none")}
            </p>
          )}
        </section>
      </div>

      {pendingOpen ? (
        <ConfirmDialog
          title={t("notes.discard.title")}
          confirmLabel={t("notes.discard.confirm")}
          cancelLabel={t("notes.discard.cancel")}
          confirmVariant="danger"
          onCancel={() => setPendingOpen(null)}
          onConfirm={() => {
            const target = pendingOpen;
            setPendingOpen(null);
            open(target);
          }}
          testId="notes-discard-dialog"
        >
          {t("notes.discard.body")}
        </ConfirmDialog>
      ) : null}
    </div>
  );
}

function NoteRow({ note, active, open, onClick }: { note: NoteView; active: boolean; open: boolean; onClick: () => void }) {
  const line = firstLine(note.text);
  const when = note.updatedAt ? formatDateTime(note.updatedAt) : null;
  return (
    <div
      id={optionId(note.id)}
      role="option"
      aria-selected={active}
      data-testid="note-row"
      data-id={note.id}
      onClick={onClick}
      className={[
        "flex cursor-pointer flex-col gap-0.5 border-b border-l-4 border-b-solid-gray-200 px-3 py-2 last:border-b-0",
        active ? "border-l-blue-900 bg-blue-50" : "border-l-transparent hover:bg-solid-gray-50",
      ].join(" ")}
    >
      <span className="flex items-start justify-between gap-2">
        <span className="min-w-0 text-std-16B-170 break-words text-solid-gray-900">{note.title}</span>
        <span className="flex shrink-0 flex-wrap justify-end gap-1">
          {note.label ? (
            <Badge tone={labelTone(note.label)} testId="note-label">
              {note.label}
            </Badge>
          ) : null}
          {open ? <Badge tone="neutral">{t("notes.open")}</Badge> : null}
        </span>
      </span>
      <span className="truncate text-std-16N-170 text-solid-gray-700">{line || t("notes.noText")}</span>
      {when ? (
        <span className="text-dns-14N-130 text-solid-gray-700">
          {note.updatedBy ? t("notes.updatedBy", { who: note.updatedBy, when }) : t("notes.updated", { when })}
        </span>
      ) : null}
    </div>
  );
}

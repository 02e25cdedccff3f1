/**
 * The correction screen: one field at a time, keyboard first.
 *
 * Left: the field's crop (large), its label, the value box, confidence, reasons and
 * findings. Right: the whole page with the field's box (zoom and pan).
 *
 * Keys in the value box
 * - Review: the box shows the engine's reading and is not in edit mode. Enter accepts it;
 *   typing a character starts the edit mode with that character (with the IME on, the
 *   composition starts it: the whole reading is selected, so the composition replaces
 *   it); F2 edits the reading itself; Esc leaves the edit mode and restores the reading.
 *   The box is never `readOnly` for text — a read-only input would not let the IME start.
 * - Blind entry: empty and in edit mode from the start; nobody's value is shown.
 * - Arbitration: 1 / 2 pick one of the two entries, typing enters another value.
 * - Choices and check boxes: digit keys 1…n pick an option.
 * - Enter (never while the IME is composing; lib/ime) confirms and moves to the next field
 *   of mine at once, the value is saved in the background; a refusal brings the field back
 *   with the text kept and the reason beside the box. Held Enter (auto-repeat) does not
 *   accept field after field.
 * - Tab / Shift+Tab move to the next / previous field of mine without accepting (from the
 *   last / first one, Tab leaves the box as usual, so the buttons stay reachable).
 * - F8 sets the document aside (保留) with a reason; Ctrl+Z outside the edit mode takes
 *   back my last step.
 */
import { useEffect, useLayoutEffect, useReducer, useRef, useState } from "react";
import type { ChangeEvent, KeyboardEvent as ReactKeyboardEvent, RefObject } from "react";
import { api, type OcrDocumentView, type OcrField, type OcrFinding } from "../../backend";
import { Badge } from "../../components/Badge";
import { Button } from "../../components/Button";
import { FieldMessage, Notice } from "../../components/Notice";
import { ReasonDialog } from "../../components/ReasonDialog";
import { inputClass } from "../../components/styles";
import { t, type MessageId } from "../../i18n";
import { isComposing, isPlainEnter } from "../../lib/ime";
import { hrefFor } from "../../lib/router";
import { fieldOf, initialState, neighbour, reduce, taskFields, taskOf, preloadImages, type CorrectionState, type EnterTimings, type Task } from "./correction";
import { confidenceLevel, describe, digitOf, displayValue, isPicked, optionsOf, percent, resolutionLabel } from "./format";
import { OcrPageView } from "./OcrPageView";

/** The high-resolution clock of the Enter timings and of each field's time on screen (read in handlers and effects only). */
function clock(): number {
  return performance.now();
}

const TASK_LABEL: Record<Task, MessageId> = {
  review: "ocr.task.review",
  blind_entry: "ocr.task.blind",
  arbitrate: "ocr.task.arbitrate",
};

const CONFIDENCE_BAR = { low: "bg-error-1", mid: "bg-warning-yellow-1", high: "bg-success-1" } as const;
const CONFIDENCE_WORD: Record<"low" | "mid" | "high", MessageId> = {
  low: "ocr.confidence.low",
  mid: "ocr.confidence.mid",
  high: "ocr.confidence.high",
};

interface Props {
  view: OcrDocumentView;
  /** Documents with fields waiting for me, this one included. */
  remaining: number;
  timings: EnterTimings;
  /** The next document is being opened in the background (or is ready). */
  nextState: "idle" | "loading" | "ready" | "none";
  /**
   * Asked when one field of mine (or none) is left: open the next document in the
   * background. `countedCurrent`: this document still counts among mine as it is opened.
   */
  onPreloadNext: (countedCurrent: boolean) => void;
  /** Go to the next document (or back to the queue when there is none). */
  onNext: () => void;
  /** Back to the queue, with a message for it. */
  onExit: (notice: string | null) => void;
  /** The lease could not be renewed (Japanese, from Rust). */
  leaseError: string | null;
}

export function OcrDocument({ view, remaining, timings, nextState, onPreloadNext, onNext, onExit, leaseError }: Props) {
  const id = view.state.id;
  const [state, dispatch] = useReducer(reduce, view.state, initialState);
  const [docError, setDocError] = useState<string | null>(null);
  const [hint, setHint] = useState<string | null>(null);
  const [dialog, setDialog] = useState<{ reason: string; busy: boolean } | null>(null);
  const [busy, setBusy] = useState<"undo" | "leave" | null>(null);
  const [totalAtOpen] = useState(view.state.myTasks);
  const seq = useRef(0);
  /** Values being saved; each settles to whether Rust took it. */
  const pending = useRef(new Set<Promise<boolean>>());
  const shownAt = useRef(0);
  const latest = useRef(state);
  const rootRef = useRef<HTMLDivElement>(null);
  /** The value box: an input for text, a radio group for choices and check boxes. */
  const valueRef = useRef<HTMLInputElement & HTMLDivElement>(null);
  const doneRef = useRef<HTMLButtonElement>(null);

  useLayoutEffect(() => {
    latest.current = state;
  });

  const field = fieldOf(state, state.current);
  const task = field ? taskOf(state, field) : null;
  const left = taskFields(state);
  const total = Math.max(totalAtOpen, left.length);
  const picked = field ? isPicked(field) : false;
  const options = field ? optionsOf(field) : [];
  const saving = Object.keys(state.inFlight).length > 0;
  const canUndo = state.server.canUndo || saving;

  // A field is shown: focus its box (all selected while not editing, so typing or the IME
  // replaces the reading), start its clock, and stop the Enter→next-field timer.
  useLayoutEffect(() => {
    const now = clock();
    shownAt.current = now;
    const box = valueRef.current;
    if (latest.current.current !== null && box) {
      box.focus();
      if (box instanceof HTMLInputElement) {
        if (latest.current.editing) box.setSelectionRange(box.value.length, box.value.length);
        else box.select();
      }
      timings.stop(now);
    } else {
      timings.cancel();
      doneRef.current?.focus();
    }
  }, [state.shown, timings]);

  // Outside the edit mode the whole reading stays selected (after Esc, a pick, a click), so
  // the first typed character or the IME's composition replaces it rather than adding to it.
  useLayoutEffect(() => {
    const box = valueRef.current;
    if (box instanceof HTMLInputElement && !state.editing && document.activeElement === box) box.select();
  }, [state.editing, state.text]);

  function onValueSelect() {
    const box = valueRef.current;
    if (!(box instanceof HTMLInputElement) || state.editing || task === null) return;
    if (box.selectionStart !== 0 || box.selectionEnd !== box.value.length) box.select();
  }

  // Every crop decoded once the document is open, so the next field appears without waiting.
  useEffect(() => {
    preloadImages(view);
  }, [view]);

  // One field (or none) left: open the next document in the background.
  useEffect(() => {
    if (totalAtOpen > 0 && left.length <= 1) onPreloadNext(left.length === 1);
  }, [totalAtOpen, left.length, onPreloadNext]);

  function track(p: Promise<boolean>): void {
    pending.current.add(p);
    void p.then(() => pending.current.delete(p));
  }

  /** Waits for the values being saved; false when one was refused (its field is back). */
  async function settled(): Promise<boolean> {
    const results = await Promise.all([...pending.current]);
    return results.every(Boolean);
  }

  function accept() {
    if (!field || task === null) return;
    const text = state.text;
    if (task === "arbitrate" && !state.editing && text === "") {
      setHint(t("ocr.arbitrate.pickFirst"));
      return;
    }
    setHint(null);
    const now = clock();
    timings.start(now);
    const elapsedMs = Math.min(Math.max(0, Math.round(now - shownAt.current)), 4_294_967_295);
    dispatch({ type: "accepted", field: field.field, text });
    const mine = ++seq.current;
    const name = field.field;
    track(
      api.ocrEnter({ documentId: id, field: name, text, elapsedMs }).then(
        (answer) => {
          dispatch({ type: "answered", seq: mine, field: name, state: answer });
          return true;
        },
        (err: unknown) => {
          dispatch({ type: "failed", field: name, text, message: describe(err) });
          return false;
        },
      ),
    );
  }

  async function undo() {
    if (busy) return;
    setBusy("undo");
    setDocError(null);
    try {
      await settled();
      const answer = await api.ocrUndo(id);
      dispatch({ type: "replaced", seq: ++seq.current, state: answer });
    } catch (err) {
      setDocError(t("ocr.undo.failed", { message: describe(err) }));
    } finally {
      setBusy(null);
    }
  }

  async function leave(then: () => void) {
    if (busy) return;
    setBusy("leave");
    const ok = await settled();
    setBusy(null);
    // A refused value brought its field back: stay on it.
    if (ok) then();
  }

  async function toExceptions(reason: string) {
    setDialog({ reason, busy: true });
    await settled();
    try {
      await api.ocrToExceptions(id, reason);
      setDialog(null);
      onExit(t("ocr.exception.done", { name: `${view.templateName} ${view.documentLabel}` }));
    } catch (err) {
      setDialog(null);
      setDocError(t("ocr.exception.failed", { message: describe(err) }));
    }
  }

  function onRootKeyDown(event: ReactKeyboardEvent<HTMLDivElement>) {
    // Keys typed in the reason dialog (a portal) bubble here through React: not ours.
    if (!(event.target instanceof Node) || !rootRef.current?.contains(event.target)) return;
    if (isComposing(event)) return;
    if (event.key === "F8") {
      event.preventDefault();
      if (view.state.status === "open" && state.server.status === "open") setDialog({ reason: "", busy: false });
      return;
    }
    const inEdit = event.target === valueRef.current && state.editing;
    if ((event.ctrlKey || event.metaKey) && !event.shiftKey && !event.altKey && event.key.toLowerCase() === "z" && !inEdit) {
      event.preventDefault();
      if (canUndo) void undo();
    }
  }

  function onValueKeyDown(event: ReactKeyboardEvent<HTMLElement>) {
    if (!field || task === null) return;
    if (isComposing(event)) return; // the IME's own keys, Enter included
    if (event.key === "Tab" && !event.ctrlKey && !event.altKey && !event.metaKey) {
      const to = neighbour(state, field.field, event.shiftKey ? -1 : 1);
      if (to !== null) {
        event.preventDefault();
        setHint(null);
        dispatch({ type: "goto", field: to });
      }
      return;
    }
    if (isPlainEnter(event)) {
      event.preventDefault();
      if (!event.repeat) accept();
      return;
    }
    if (event.key === "Escape") {
      if (state.editing || state.text !== field.suggested) {
        event.preventDefault();
        dispatch({ type: "escape" });
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const digit = digitOf(event);
    if (picked) {
      const arrow = event.key === "ArrowDown" || event.key === "ArrowRight" ? 1 : event.key === "ArrowUp" || event.key === "ArrowLeft" ? -1 : 0;
      if (arrow !== 0) {
        event.preventDefault();
        const i = options.findIndex((o) => o.value === state.text);
        const next = arrow > 0 ? Math.min(i + 1, options.length - 1) : Math.max(i - 1, 0);
        const o = options[next];
        if (o) dispatch({ type: "pick", text: o.value });
        return;
      }
      if (digit !== null) {
        event.preventDefault();
        const o = options[digit - 1];
        if (o) dispatch({ type: "pick", text: o.value });
        return;
      }
      if (event.key === " ") event.preventDefault(); // no page scroll
      return;
    }
    if (task === "arbitrate" && !state.editing && digit !== null && digit <= field.entries.length) {
      event.preventDefault();
      const e = field.entries[digit - 1];
      if (e) dispatch({ type: "pick", text: e.value });
      return;
    }
    if (state.editing) return;
    if (event.key === "F2") {
      event.preventDefault();
      dispatch({ type: "edit" });
    } else if (event.key === "Backspace" || event.key === "Delete") {
      event.preventDefault();
      dispatch({ type: "edit", text: "" });
    } else if (event.key.length === 1) {
      // The typed character starts the edit and replaces the reading.
      event.preventDefault();
      dispatch({ type: "edit", text: event.key });
    }
  }

  function onValueChange(event: ChangeEvent<HTMLInputElement>) {
    if (picked) return;
    dispatch({ type: "type", text: event.target.value });
  }

  function onCompositionStart() {
    if (field && task !== null && !picked && !state.editing) dispatch({ type: "edit" });
  }

  const crop = field ? view.crops.find((c) => c.field === field.field) : undefined;
  const page = field ? (view.pages.find((p) => p.page === field.page) ?? null) : (view.pages[0] ?? null);
  const error = field ? state.errors[field.field] : undefined;
  const findings = field ? state.warnings[field.field] : undefined;
  const lastWarned = Object.entries(state.warnings).find(([f]) => f !== field?.field);
  const pickedOption = picked ? options.findIndex((o) => o.value === state.text) : -1;
  const describedBy = [
    "ocr-value-mode",
    field?.sensitive ? "ocr-value-sensitive" : null,
    error ? "ocr-error" : null,
    findings?.length ? "ocr-value-warnings" : null,
  ]
    .filter(Boolean)
    .join(" ");

  const modeText = !field || task === null
    ? ""
    : picked
      ? t("ocr.mode.pick", { n: options.length })
      : task === "blind_entry"
        ? t("ocr.mode.blind")
        : task === "arbitrate" && !state.editing
          ? t("ocr.mode.arbitrate")
          : state.editing
            ? t("ocr.mode.editing")
            : t("ocr.mode.review");

  return (
    <div ref={rootRef} data-testid="ocr-doc" data-id={id} data-label={view.documentLabel} onKeyDown={onRootKeyDown} className="flex flex-col gap-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h2 className="text-std-20B-150 text-solid-gray-900">
          {view.templateName}
          <span className="ml-3 text-std-16N-170 text-solid-gray-700">
            {t("ocr.doc.source", { label: view.documentLabel, file: view.sourceName })}
          </span>
        </h2>
        <p data-testid="ocr-progress" className="flex gap-4 text-std-16B-170 tabular-nums" aria-live="polite">
          <span data-testid="ocr-progress-fields">{t("ocr.progress.fields", { done: total - left.length, total })}</span>
          <span data-testid="ocr-progress-documents">
            {t("ocr.progress.documents", { n: left.length === 0 && totalAtOpen > 0 ? Math.max(0, remaining - 1) : remaining })}
          </span>
        </p>
      </div>

      {leaseError ? (
        <Notice kind="error" role="alert" testId="ocr-lease-error">
          {leaseError}
        </Notice>
      ) : null}
      {docError ? (
        <Notice kind="error" role="alert" testId="ocr-doc-error">
          {docError}
        </Notice>
      ) : null}
      {state.server.status === "exception" ? (
        <Notice kind="warning" testId="ocr-doc-exception">
          {t("ocr.doc.inExceptions", { reason: state.server.exceptionReason ?? "" })}
        </Notice>
      ) : null}

      <div className="grid gap-6 lg:grid-cols-[minmax(22rem,2fr)_minmax(0,3fr)]">
        <div className="flex min-w-0 flex-col gap-4">
          {field ? (
            <section aria-labelledby="ocr-field-label" className="flex flex-col gap-3 rounded-12 border border-solid-gray-420 bg-white p-4">
              <div className="flex min-h-28 items-center justify-center overflow-hidden rounded-8 border border-solid-gray-200 bg-solid-gray-50 p-2">
                {crop ? (
                  <img
                    data-testid="ocr-crop"
                    src={crop.src}
                    alt={t("ocr.crop.alt", { label: field.label })}
                    className="max-h-48 w-full object-contain"
                  />
                ) : (
                  <p className="text-std-16N-170 text-solid-gray-700">{t("ocr.crop.missing")}</p>
                )}
              </div>
              <div className="flex flex-wrap items-center gap-2">
                {picked ? (
                  <span id="ocr-field-label" data-testid="ocr-field-label" className="text-std-20B-150 text-solid-gray-900">
                    {field.label}
                  </span>
                ) : (
                  <label id="ocr-field-label" htmlFor="ocr-value" data-testid="ocr-field-label" className="text-std-20B-150 text-solid-gray-900">
                    {field.label}
                  </label>
                )}
                {task ? <Badge tone={task === "review" ? "info" : "warning"}>{t(TASK_LABEL[task])}</Badge> : null}
              </div>
              {task === "blind_entry" ? (
                <p className="text-std-16B-170 text-yellow-1100" data-testid="ocr-blind-note">
                  {t("ocr.blind.note")}
                </p>
              ) : null}
              {picked ? (
                <div
                  ref={valueRef}
                  id="ocr-value"
                  role="radiogroup"
                  tabIndex={0}
                  data-testid="ocr-value"
                  data-field={field.field}
                  data-task={task ?? ""}
                  data-editing="false"
                  data-value={state.text}
                  aria-labelledby="ocr-field-label"
                  aria-describedby={describedBy}
                  aria-activedescendant={pickedOption >= 0 ? `ocr-option-${pickedOption}` : undefined}
                  aria-invalid={error ? true : undefined}
                  onKeyDown={onValueKeyDown}
                  className="flex flex-wrap gap-2 rounded-8 border border-solid-gray-600 bg-white p-2"
                >
                  {options.map((o, i) => (
                    <div
                      key={o.value}
                      id={`ocr-option-${i}`}
                      role="radio"
                      aria-checked={o.value === state.text}
                      data-testid="ocr-option"
                      onClick={() => dispatch({ type: "pick", text: o.value })}
                      className={`flex min-h-12 cursor-pointer items-center gap-2 rounded-8 border px-4 py-2 text-std-20B-150 ${o.value === state.text ? "border-2 border-blue-900 bg-blue-100 text-blue-1000" : "border-solid-gray-420 bg-white"}`}
                    >
                      <span aria-hidden="true" className="inline-flex size-6 items-center justify-center rounded-full border border-current text-dns-14B-120 tabular-nums">
                        {i + 1}
                      </span>
                      {o.label}
                    </div>
                  ))}
                </div>
              ) : (
                <input
                  ref={valueRef}
                  id="ocr-value"
                  data-testid="ocr-value"
                  data-field={field.field}
                  data-task={task ?? ""}
                  data-editing={state.editing ? "true" : "false"}
                  value={state.text}
                  readOnly={task === null}
                  autoComplete="off"
                  spellCheck={false}
                  placeholder={task === "arbitrate" ? t("ocr.arbitrate.placeholder") : undefined}
                  aria-describedby={describedBy}
                  aria-invalid={error ? true : undefined}
                  onKeyDown={onValueKeyDown}
                  onChange={onValueChange}
                  onCompositionStart={onCompositionStart}
                  onSelect={onValueSelect}
                  className={`${inputClass} w-full text-std-24B-150 ${state.editing ? "border-2 border-blue-900 bg-white" : "bg-solid-gray-50"}`}
                />
              )}
              <p id="ocr-value-mode" className="text-dns-14N-130 text-solid-gray-700" data-testid="ocr-mode">
                {modeText}
              </p>
              {field.sensitive ? (
                <p id="ocr-value-sensitive" className="text-dns-14N-130 text-solid-gray-700">
                  {t("ocr.sensitive.note")}
                </p>
              ) : null}
              {task === "arbitrate" ? (
                <div role="radiogroup" aria-label={t("ocr.arbitrate.entries")} className="flex flex-col gap-2" data-testid="ocr-entries">
                  {field.entries.map((e, i) => (
                    <label
                      key={`${i}-${e.by}`}
                      className={`flex min-h-10 cursor-pointer items-center gap-2 rounded-8 border px-3 py-1 text-std-16N-170 ${!state.editing && e.value === state.text ? "border-2 border-blue-900 bg-blue-50" : "border-solid-gray-420"}`}
                    >
                      <input
                        type="radio"
                        tabIndex={-1}
                        name="ocr-entry"
                        checked={!state.editing && e.value === state.text}
                        onChange={() => {
                          dispatch({ type: "pick", text: e.value });
                          valueRef.current?.focus();
                        }}
                      />
                      <span className="font-bold tabular-nums">{i + 1}</span>
                      <span className="text-std-16B-170">{displayValue(field, e.value, false)}</span>
                      <span className="text-solid-gray-700">{t("ocr.arbitrate.by", { name: e.by })}</span>
                    </label>
                  ))}
                </div>
              ) : null}
              {error ? (
                <p id="ocr-error" role="alert" data-testid="ocr-error" className="flex items-start gap-2 text-std-16N-170 text-red-900">
                  <span aria-hidden="true" className="mt-1 inline-flex size-5 shrink-0 items-center justify-center rounded-full bg-error-1 text-dns-14B-120 text-white">
                    ✕
                  </span>
                  <span>
                    <span className="font-bold">{t("common.errorPrefix")}：</span>
                    {error}
                  </span>
                </p>
              ) : null}
              {hint ? (
                <FieldMessage id="ocr-hint" kind="warning" role="alert">
                  {hint}
                </FieldMessage>
              ) : null}
              {findings?.length ? <Findings id="ocr-value-warnings" findings={findings} testId="ocr-warnings" /> : null}
              {field.confidence !== null && field.confidence !== undefined ? <Confidence value={field.confidence} /> : null}
              {field.reasons.length > 0 ? (
                <div>
                  <p className="text-std-16B-170">{t("ocr.reasons")}</p>
                  <ul className="list-disc pl-6 text-std-16N-170" data-testid="ocr-reasons">
                    {field.reasons.map((r) => (
                      <li key={r}>{r}</li>
                    ))}
                  </ul>
                </div>
              ) : null}
              {field.findings.length > 0 ? <Findings findings={field.findings} testId="ocr-findings" /> : null}
            </section>
          ) : (
            <DonePanel
              state={state}
              saving={saving}
              nextState={nextState}
              doneRef={doneRef}
              busy={busy === "leave"}
              hadTasks={totalAtOpen > 0}
              onNext={() => void leave(onNext)}
            />
          )}
          {lastWarned && lastWarned[1].length > 0 ? (
            <div role="status" data-testid="ocr-last-warnings">
              <Findings
                findings={lastWarned[1]}
                title={t("ocr.warnings.on", { label: fieldOf(state, lastWarned[0])?.label ?? lastWarned[0] })}
              />
            </div>
          ) : null}

          <div className="flex flex-wrap gap-3">
            <Button
              onClick={() => void undo()}
              busy={busy === "undo"}
              aria-disabled={!canUndo || undefined}
              aria-keyshortcuts="Control+Z"
              data-testid="ocr-undo"
            >
              {t("ocr.undo")}
            </Button>
            <Button
              onClick={() => setDialog({ reason: "", busy: false })}
              aria-disabled={state.server.status !== "open" || undefined}
              aria-keyshortcuts="F8"
              data-testid="ocr-exception"
            >
              {t("ocr.exception.button")}
            </Button>
            <Button onClick={() => void leave(() => onExit(null))} busy={busy === "leave"} data-testid="ocr-back">
              {t("ocr.back")}
            </Button>
          </div>
          <FieldList state={state} current={field?.field ?? null} onGo={(f) => dispatch({ type: "goto", field: f })} />
        </div>

        <OcrPageView page={page} box={field?.bbox ?? null} label={field?.label ?? ""} />
      </div>

      {dialog ? (
        <ReasonDialog
          idPrefix="ocr-exception-reason"
          testId="ocr-exception-dialog"
          title={t("ocr.exception.title")}
          label={t("ocr.exception.label")}
          help={t("ocr.exception.help")}
          requiredMessage={t("ocr.exception.required")}
          confirmLabel={t("ocr.exception.confirm")}
          cancelLabel={t("ocr.exception.cancel")}
          value={dialog.reason}
          busy={dialog.busy}
          onChange={(reason) => setDialog({ reason, busy: false })}
          onCancel={() => {
            setDialog(null);
            valueRef.current?.focus();
          }}
          onConfirm={(reason) => void toExceptions(reason)}
        />
      ) : null}
    </div>
  );
}

function Confidence({ value }: { value: number }) {
  const level = confidenceLevel(value);
  const n = percent(value);
  return (
    <div data-testid="ocr-confidence" data-level={level} className="flex items-center gap-3">
      <span className="text-std-16B-170">{t("ocr.confidence.label")}</span>
      <div
        role="meter"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Number(n)}
        aria-valuetext={t("ocr.confidence.value", { n, level: t(CONFIDENCE_WORD[level]) })}
        aria-label={t("ocr.confidence.label")}
        className="h-3 w-40 overflow-hidden rounded-full border border-solid-gray-420 bg-solid-gray-50"
      >
        <div className={`h-full ${CONFIDENCE_BAR[level]}`} style={{ width: `${n}%` }} />
      </div>
      <span className="text-std-16B-170 tabular-nums">{t("ocr.confidence.number", { n })}</span>
      <span className="text-dns-14N-130 text-solid-gray-700">{t(CONFIDENCE_WORD[level])}</span>
    </div>
  );
}

function Findings({ findings, id, title, testId }: { findings: OcrFinding[]; id?: string; title?: string; testId?: string }) {
  return (
    <div id={id} data-testid={testId} className="flex flex-col gap-1">
      {title ? <p className="text-std-16B-170 text-solid-gray-900">{title}</p> : null}
      {findings.map((f, i) => (
        <FieldMessage key={`${f.code}-${i}`} id={`${id ?? testId ?? "ocr-finding"}-${i}`} kind={f.error ? "error" : "warning"}>
          {f.message}
        </FieldMessage>
      ))}
    </div>
  );
}

function DonePanel({
  state,
  saving,
  nextState,
  doneRef,
  busy,
  hadTasks,
  onNext,
}: {
  state: CorrectionState;
  saving: boolean;
  nextState: Props["nextState"];
  doneRef: RefObject<HTMLButtonElement | null>;
  busy: boolean;
  hadTasks: boolean;
  onNext: () => void;
}) {
  const handedOff = state.server.handedOff;
  let body;
  if (saving) {
    // Shown at once (Enter moves on without waiting); the final words follow Rust's answer.
    body = (
      <Notice kind="info" testId="ocr-done">
        {t("ocr.done.saving")}
      </Notice>
    );
  } else if (handedOff) {
    body = (
      <Notice kind="success" role="status" testId="ocr-done">
        <span className="flex flex-wrap items-center gap-3">
          {handedOff.kind === "acquisition" ? t("ocr.done.draft") : t("ocr.done.handedOff")}
          {handedOff.kind === "acquisition" ? (
            <a
              href={hrefFor("acquisitions")}
              data-testid="ocr-open-draft"
              className="inline-flex min-h-10 items-center rounded-8 border border-current bg-white px-3 py-1 text-oln-16B-100 text-blue-900 hover:bg-blue-200"
            >
              {t("ocr.done.openDraft")}
            </a>
          ) : null}
        </span>
      </Notice>
    );
  } else if (!hadTasks) {
    body = (
      <Notice kind="info" testId="ocr-done">
        {t("ocr.done.nothing")}
      </Notice>
    );
  } else if (state.server.undecided === 0) {
    body = (
      <Notice kind="success" role="status" testId="ocr-done">
        {t("ocr.done.verified")}
      </Notice>
    );
  } else {
    body = (
      <Notice kind="success" role="status" testId="ocr-done">
        {t("ocr.done.waiting")}
      </Notice>
    );
  }
  return (
    <section data-testid="ocr-done-panel" className="flex flex-col gap-4 rounded-12 border border-solid-gray-420 bg-white p-4" aria-live="polite">
      {body}
      <div className="flex flex-wrap items-center justify-end gap-3">
        {nextState === "none" ? <span className="text-std-16N-170 text-solid-gray-700">{t("ocr.done.noNext")}</span> : null}
        <Button ref={doneRef} variant="primary" onClick={onNext} busy={busy} data-testid="ocr-next">
          {nextState === "none" ? t("ocr.done.toQueue") : t("ocr.done.next")}
        </Button>
      </div>
    </section>
  );
}

/** Every field of the document: value (個人番号 masked unless it is mine to check), how it was decided. */
function FieldList({ state, current, onGo }: { state: CorrectionState; current: string | null; onGo: (field: string) => void }) {
  return (
    <details className="rounded-8 border border-solid-gray-200 bg-white" data-testid="ocr-fields">
      <summary className="cursor-pointer px-3 py-2 text-std-16B-170">{t("ocr.fields.heading", { n: state.server.fields.length })}</summary>
      <table className="w-full border-collapse text-std-16N-170">
        <thead>
          <tr className="border-b border-solid-gray-420 bg-solid-gray-50 text-left text-dns-14B-120">
            <th scope="col" className="px-3 py-1">{t("ocr.fields.label")}</th>
            <th scope="col" className="px-3 py-1">{t("ocr.fields.value")}</th>
            <th scope="col" className="px-3 py-1">{t("ocr.fields.state")}</th>
          </tr>
        </thead>
        <tbody>
          {state.server.fields.map((f) => {
            const task = taskOf(state, f);
            return (
              <tr key={f.field} data-testid="ocr-field-row" data-field={f.field} aria-current={f.field === current ? "true" : undefined} className={`border-b border-solid-gray-200 ${f.field === current ? "bg-blue-50" : ""}`}>
                <th scope="row" className="px-3 py-1 text-left font-normal">
                  {task ? (
                    <button type="button" tabIndex={-1} className="text-left text-blue-1000 underline" onClick={() => onGo(f.field)}>
                      {f.label}
                    </button>
                  ) : (
                    f.label
                  )}
                </th>
                <td className="px-3 py-1 break-all">{fieldValue(state, f)}</td>
                <td className="px-3 py-1">{fieldState(state, f)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </details>
  );
}

function fieldValue(state: CorrectionState, f: OcrField): string {
  const sent = state.inFlight[f.field];
  if (sent !== undefined) return displayValue(f, sent, true);
  if (f.decided) return displayValue(f, f.decided.value, true);
  if (f.myEntry !== null && f.myEntry !== undefined) return displayValue(f, f.myEntry, true);
  return "";
}

function fieldState(state: CorrectionState, f: OcrField): string {
  if (f.field in state.inFlight) return t("ocr.fieldState.saving");
  const task = taskOf(state, f);
  if (task) return t(TASK_LABEL[task]);
  if (f.decided) return resolutionLabel(f.decided.resolution);
  if (f.myEntry !== null && f.myEntry !== undefined) return t("ocr.fieldState.myEntry");
  return t("ocr.fieldState.others");
}

/**
 * The correction screen's state, as a reducer: which field is shown, what is in its box,
 * whether the box is in edit mode, and which values were entered but not answered yet.
 *
 * Enter is optimistic: the field counts as done (`inFlight`) and the next one is shown at
 * once; Rust's answer replaces `server` later (answers applied in the order they were
 * asked, by `seq`), and a refusal brings the field back with the typed text.
 */
import type { OcrDocumentState, OcrDocumentView, OcrField, OcrFinding } from "../../backend";
import { isPicked } from "./format";

export type Task = "review" | "blind_entry" | "arbitrate";

export interface Draft {
  text: string;
  editing: boolean;
}

export interface CorrectionState {
  server: OcrDocumentState;
  /** `seq` of the answer in `server` (0: as opened). */
  applied: number;
  /** Field → the text sent, while its answer is outstanding. */
  inFlight: Record<string, string>;
  /** The field shown; null when none of mine is left. */
  current: string | null;
  text: string;
  editing: boolean;
  /** What was typed in a field left with Tab without confirming. */
  drafts: Record<string, Draft>;
  /** Refusals of a value, by field (shown beside the box). */
  errors: Record<string, string>;
  /** Findings on the value entered, by field (they do not block). */
  warnings: Record<string, OcrFinding[]>;
  /** Bumped whenever a field is (re)shown, so focus and timing follow. */
  shown: number;
}

export type Action =
  | { type: "goto"; field: string }
  | { type: "type"; text: string }
  | { type: "edit"; text?: string }
  | { type: "pick"; text: string }
  | { type: "escape" }
  | { type: "accepted"; field: string; text: string }
  | { type: "answered"; seq: number; field: string; state: OcrDocumentState }
  | { type: "failed"; field: string; text: string; message: string }
  | { type: "replaced"; seq: number; state: OcrDocumentState };

function asTask(task: string | null | undefined): Task | null {
  return task === "review" || task === "blind_entry" || task === "arbitrate" ? task : null;
}

/** What I still have to do with the field, counting values sent but not answered as done. */
export function taskOf(state: Pick<CorrectionState, "server" | "inFlight">, field: OcrField): Task | null {
  if (state.server.status !== "open") return null;
  if (field.field in state.inFlight) return null;
  return asTask(field.task);
}

export function fieldOf(state: Pick<CorrectionState, "server">, id: string | null): OcrField | null {
  if (id === null) return null;
  return state.server.fields.find((f) => f.field === id) ?? null;
}

/** My fields still to do, in the form's order. */
export function taskFields(state: Pick<CorrectionState, "server" | "inFlight">): string[] {
  return state.server.fields.filter((f) => taskOf(state, f) !== null).map((f) => f.field);
}

/** The next (or previous) field of mine after `from`, without wrapping. */
export function neighbour(state: Pick<CorrectionState, "server" | "inFlight">, from: string, step: 1 | -1): string | null {
  const fields = state.server.fields;
  const i = fields.findIndex((f) => f.field === from);
  for (let j = i + step; j >= 0 && j < fields.length; j += step) {
    const f = fields[j];
    if (f && taskOf(state, f) !== null) return f.field;
  }
  return null;
}

/** Where to go after deciding `from`: the next field of mine, else the first one left. */
function after(state: Pick<CorrectionState, "server" | "inFlight">, from: string): string | null {
  return neighbour(state, from, 1) ?? taskFields(state).find((f) => f !== from) ?? null;
}

/** The box of a field as it starts: the engine's reading for a review (not editing), empty otherwise. */
export function startOf(field: OcrField | null, task: Task | null): Draft {
  if (!field || task === null) return { text: "", editing: false };
  if (task === "review") return { text: field.suggested, editing: false };
  if (task === "blind_entry") return { text: "", editing: !isPicked(field) };
  return { text: "", editing: false };
}

function show(state: CorrectionState, id: string | null, keepDraft = true): CorrectionState {
  const drafts = { ...state.drafts };
  // What was typed in the field being left stays for when the clerk comes back.
  const leaving = fieldOf(state, state.current);
  if (leaving && taskOf(state, leaving) !== null) {
    const start = startOf(leaving, taskOf(state, leaving));
    if (state.editing !== start.editing || state.text !== start.text) drafts[leaving.field] = { text: state.text, editing: state.editing };
  }
  const field = fieldOf(state, id);
  const begin = (keepDraft && id !== null ? drafts[id] : undefined) ?? startOf(field, field ? taskOf(state, field) : null);
  return { ...state, drafts, current: field ? field.field : null, text: begin.text, editing: begin.editing, shown: state.shown + 1 };
}

function without<T>(record: Record<string, T>, key: string): Record<string, T> {
  if (!(key in record)) return record;
  const next = { ...record };
  delete next[key];
  return next;
}

export function initialState(server: OcrDocumentState): CorrectionState {
  const base: CorrectionState = {
    server,
    applied: 0,
    inFlight: {},
    current: null,
    text: "",
    editing: false,
    drafts: {},
    errors: {},
    warnings: {},
    shown: 0,
  };
  return show(base, taskFields(base)[0] ?? null);
}

export function reduce(state: CorrectionState, action: Action): CorrectionState {
  switch (action.type) {
    case "goto":
      return show(state, action.field);
    case "type":
      return { ...state, text: action.text, editing: true };
    case "edit":
      return { ...state, text: action.text ?? state.text, editing: true };
    case "pick":
      return { ...state, text: action.text };
    case "escape": {
      const field = fieldOf(state, state.current);
      const start = startOf(field, field ? taskOf(state, field) : null);
      return { ...state, text: start.text, editing: start.editing, drafts: field ? without(state.drafts, field.field) : state.drafts };
    }
    case "accepted": {
      const sent: CorrectionState = {
        ...state,
        inFlight: { ...state.inFlight, [action.field]: action.text },
        drafts: without(state.drafts, action.field),
        errors: without(state.errors, action.field),
        warnings: without(state.warnings, action.field),
        // Nothing to keep of the field just decided.
        current: null,
      };
      return show(sent, after(sent, action.field));
    }
    case "answered": {
      let next: CorrectionState = { ...state, inFlight: without(state.inFlight, action.field) };
      if (action.seq > state.applied) next = { ...next, server: action.state, applied: action.seq };
      if (action.state.lastFindings.length > 0) next = { ...next, warnings: { ...next.warnings, [action.field]: action.state.lastFindings } };
      // The shown field may have been decided meanwhile (or a field of mine appeared while none was shown).
      const shownField = fieldOf(next, next.current);
      if (next.current !== null && (!shownField || taskOf(next, shownField) === null)) return show(next, after(next, next.current), false);
      if (next.current === null && taskFields(next).length > 0) return show(next, taskFields(next)[0] ?? null);
      return next;
    }
    case "failed": {
      const back: CorrectionState = {
        ...state,
        inFlight: without(state.inFlight, action.field),
        errors: { ...state.errors, [action.field]: action.message },
      };
      const field = fieldOf(back, action.field);
      const shown = show(back, action.field);
      // The typed text comes back as it was, in edit mode (choices keep the picked value).
      return { ...shown, text: action.text, editing: field ? !isPicked(field) : true };
    }
    case "replaced": {
      const before = state.server;
      const next: CorrectionState = { ...state, server: action.state, applied: Math.max(state.applied, action.seq) };
      // After an undo: the field that came back to me.
      const back = action.state.fields.find(
        (f) => taskOf(next, f) !== null && asTask(before.fields.find((b) => b.field === f.field)?.task) === null,
      );
      if (back) return show(next, back.field, false);
      const shownField = fieldOf(next, next.current);
      if (shownField && taskOf(next, shownField) !== null) return next;
      return show(next, taskFields(next)[0] ?? null);
    }
  }
}

/**
 * Enter → next field latency: started on the Enter keydown, stopped when the next field
 * has been laid out; the last 200 figures are written, JSON, into an element's
 * `data-timings` (read by the benchmark).
 */
export class EnterTimings {
  private started: number | null = null;
  private readonly values: number[] = [];
  private element: HTMLElement | null = null;

  attach(element: HTMLElement | null): void {
    this.element = element;
    this.write();
  }

  start(now: number): void {
    this.started = now;
  }

  cancel(): void {
    this.started = null;
  }

  stop(now: number): void {
    if (this.started === null) return;
    this.values.push(Math.round((now - this.started) * 10) / 10);
    this.started = null;
    if (this.values.length > 200) this.values.splice(0, this.values.length - 200);
    this.write();
  }

  private write(): void {
    this.element?.setAttribute("data-timings", JSON.stringify(this.values));
  }
}

/** Decodes a document's crops and page images ahead, so a field appears without waiting for them. */
export function preloadImages(view: Pick<OcrDocumentView, "crops" | "pages">): void {
  if (typeof Image === "undefined") return;
  for (const src of [...view.crops.map((c) => c.src), ...view.pages.map((p) => p.src)]) {
    const img = new Image();
    img.src = src;
    if (typeof img.decode === "function") img.decode().catch(() => undefined);
  }
}

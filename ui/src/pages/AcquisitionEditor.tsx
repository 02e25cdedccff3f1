/**
 * The 組合員資格取得届 form, in the order of the paper form (所属所 → 本人 →
 * 資格取得 → 報酬 → 年金加入期間 → 被扶養者 → 証明), with a section index on
 * the left counting each section's errors. Every rule is Rust's: the form is
 * checked (`checkAcquisition`) shortly after each change and at once when a
 * field loses focus; a field's findings show once it has been left (errors
 * red, warnings amber with 「確認しました」), and the grades computed from
 * the pay are shown live under the pay components. Ctrl+S saves, Enter moves
 * to the next field (IME-safe), 提出 (bottom right) saves if needed, checks
 * for submission and submits. What was typed stays in the form on any error.
 *
 * Two typing aids, both IME-safe (nothing is rewritten during a composition): the
 * 郵便番号 is written as 163-8001 when it is left with 7 digits (full-width digits and
 * any hyphen the IME gives are fine), and the フリガナ of the member and of each
 * dependant is filled from the IME's reading while the 氏名 is typed (lib/autokana) —
 * only while the フリガナ is empty or still what the form filled; hiragana typed into a
 * フリガナ becomes katakana when it is left.
 */
import { useEffect, useEffectEvent, useRef, useState } from "react";
import type { CompositionEvent as ReactCompositionEvent, KeyboardEvent as ReactKeyboardEvent, ReactNode } from "react";
import {
  api,
  BackendError,
  type AcquisitionAssessment,
  type AcquisitionFinding,
  type AcquisitionOptions,
  type AcquisitionView,
} from "../backend";
import { Badge } from "../components/Badge";
import { Button } from "../components/Button";
import { ConfirmDialog } from "../components/Dialog";
import { MyNumberRevealDialog, type RevealPurpose } from "../components/MyNumberRevealDialog";
import { FieldMessage, Notice } from "../components/Notice";
import { OcrProvenance } from "../components/OcrProvenance";
import { helpClass, inputClass, labelClass, sectionClass, selectClass } from "../components/styles";
import { WarekiDateField } from "../components/WarekiDateField";
import { errorMessage, t, type MessageId } from "../i18n";
import { hiraganaToKatakana, KanaTracker } from "../lib/autokana";
import { isComposing, isPlainEnter } from "../lib/ime";
import { normalizePostalCode } from "../lib/postal";
import { useWorkTimer } from "../shell/useWorkTimer";
import { stageTone } from "./AcquisitionQueue";

export const SECTIONS = ["office", "member", "acquisition", "pay", "pension", "dependants", "certification"] as const;
export type Section = (typeof SECTIONS)[number];

type Option = AcquisitionOptions["sexes"][number];
type Banner = { kind: "error" | "success"; text: string } | null;
/** The form as Rust sends it back: every section present. */
type Form = AcquisitionView["form"];
type Dependant = Form["dependants"][number];
type Period = Form["pensionHistory"][number];
type CompositionHandler = (event: ReactCompositionEvent<HTMLInputElement>) => void;
/** Extra IME handlers of a text field (the 氏名 fields feed the フリガナ helper). */
interface ImeHandlers {
  onCompositionStart?: CompositionHandler;
  onCompositionUpdate?: CompositionHandler;
  onCompositionEnd?: CompositionHandler;
}

export const EMPTY_FORM: Form = {
  office: { code: "", name: "", certifiedOn: "", receivedOn: "" },
  member: {
    name: "",
    nameKana: "",
    birthDate: "",
    sex: "",
    postalCode: "",
    address: "",
    myNumber: null,
    basicPensionNumber: "",
  },
  acquisition: {
    acquiredOn: "",
    reason: "",
    reasonDetail: "",
    memberType: "",
    appointment: "",
    termStart: "",
    termEnd: "",
    lateReason: "",
  },
  employment: { jobTitle: "", salaryTable: "", salaryClass: "", salaryStep: "" },
  remuneration: {
    payBasis: "",
    periodDays: "",
    salary: "",
    regionalAllowance: "",
    dependantsAllowance: "",
    housingAllowance: "",
    commutingAllowance: "",
    commutingMonths: "",
    otherAllowances: [],
    projectedOvertime: "",
    excludedBonus: "",
    excludedOverThreeMonths: "",
  },
  pensionHistory: [],
  dependants: [],
  acknowledgements: [],
};

const EMPTY_DEPENDANT: Dependant = {
  name: "",
  nameKana: "",
  relationship: "",
  birthDate: "",
  livesTogether: null,
  remittanceRecorded: null,
  annualIncome: "",
  disabled: null,
  residesInJapan: true,
  lateElderlyInsured: false,
};

const EMPTY_PERIOD: Period = { kind: "", kindDetail: "", acquiredOn: "", lostOn: "" };

/** `dependants[1].annualIncome` → `acq-dependants-1-annualIncome`. */
export function domId(path: string): string {
  return `acq-${path.replace(/\[(\d+)\]/g, "-$1").replace(/\./g, "-")}`;
}

/** The section a finding's field belongs to. */
export function sectionOf(path: string): Section {
  if (path === "office.certifiedOn" || path === "office.receivedOn") return "certification";
  if (path.startsWith("office")) return "office";
  if (path.startsWith("member")) return "member";
  if (path.startsWith("employment") || path.startsWith("remuneration") || path.startsWith("grades")) return "pay";
  if (path.startsWith("pensionHistory")) return "pension";
  if (path.startsWith("dependants")) return "dependants";
  return "acquisition";
}

function describe(err: unknown): string {
  return err instanceof BackendError ? errorMessage(err) : errorMessage({ code: "ipc.failed", message: String(err) });
}

/** Sections of a form always present (the Rust side fills defaults, but be safe). */
function complete(form: Form): Form {
  return {
    ...EMPTY_FORM,
    ...form,
    office: { ...EMPTY_FORM.office, ...form.office },
    member: { ...EMPTY_FORM.member, ...form.member },
    acquisition: { ...EMPTY_FORM.acquisition, ...form.acquisition },
    employment: { ...EMPTY_FORM.employment, ...form.employment },
    remuneration: { ...EMPTY_FORM.remuneration, ...form.remuneration },
  };
}

const str = (v: string | null | undefined): string => v ?? "";

interface Props {
  view: AcquisitionView | null;
  options: AcquisitionOptions | null;
  /** Back to the queue (after the page has asked about unsaved changes). */
  onClose: () => void;
  /** Something was saved, submitted or withdrawn: the queue should reload. */
  onChanged: () => void;
}

export function AcquisitionEditor({ view: initialView, options, onClose, onChanged }: Props) {
  const [view, setView] = useState<AcquisitionView | null>(initialView);
  const [form, setForm] = useState<Form>(() => complete(initialView ? (initialView.form) : EMPTY_FORM));
  const [stored, setStored] = useState(() => JSON.stringify(form));
  const [assessment, setAssessment] = useState<AcquisitionAssessment | null>(initialView?.assessment ?? null);
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [showAll, setShowAll] = useState(false);
  const [submission, setSubmission] = useState(false);
  const [banner, setBanner] = useState<Banner>(null);
  const [busy, setBusy] = useState(false);
  const [confirmWithdraw, setConfirmWithdraw] = useState(false);
  const [confirmClose, setConfirmClose] = useState(false);
  const [reveal, setReveal] = useState<{ busy: boolean; error: string | null } | null>(null);
  // Where focus goes once the render that shows the findings has committed: the first
  // field with an error, or the first 「確認しました」 (a timer could fire before it).
  const [focusRequest, setFocusRequest] = useState<{ field: string | null; n: number } | null>(null);
  const formRef = useRef(form);
  const checkSeq = useRef(0);
  const inFlight = useRef(false);
  const headingRef = useRef<HTMLHeadingElement>(null);
  /** Fields inside an IME composition, and what to do when one left mid-composition ends. */
  const composingPaths = useRef(new Set<string>());
  const leaveAfterComposition = useRef(new Map<string, (value: string) => void>());
  /** The IME's readings per 氏名 field, and what the helper last put in each フリガナ. */
  const kanaTrackers = useRef(new Map<string, KanaTracker>());
  const kanaFilled = useRef(new Map<string, string>());

  const id = view?.item.id ?? null;
  const readOnly = view ? !view.canEdit : false;
  const dirty = JSON.stringify(form) !== stored;
  useWorkTimer(id ?? undefined);

  useEffect(() => {
    headingRef.current?.focus();
  }, []);

  function runCheck(current: Form, sub: boolean = submission) {
    const mine = ++checkSeq.current;
    api.checkAcquisition({ id, form: current }, sub).then(
      (a) => {
        if (mine === checkSeq.current) setAssessment(a);
      },
      () => {
        // Checked again on the next change and on save.
      },
    );
  }

  // Live: shortly after each change (grades under the pay, counts in the index).
  const liveCheck = useEffectEvent(() => runCheck(formRef.current));
  const formKey = JSON.stringify(form);
  // An opened notification comes with its assessment; a new one is checked at once.
  const firstRun = useRef(initialView !== null);
  useEffect(() => {
    if (firstRun.current) {
      firstRun.current = false;
      return;
    }
    const timer = setTimeout(() => liveCheck(), 250);
    return () => clearTimeout(timer);
  }, [formKey]);

  function change(mutate: (f: Form) => Form) {
    const next = mutate(formRef.current);
    formRef.current = next;
    setForm(next);
  }

  function touch(path: string) {
    setTouched((cur) => (cur.has(path) ? cur : new Set(cur).add(path)));
    runCheck(formRef.current);
  }

  function setIn<S extends "office" | "member" | "acquisition" | "employment" | "remuneration">(
    section: S,
    key: string,
    value: unknown,
  ) {
    change((f) => ({ ...f, [section]: { ...f[section], [key]: value } }));
  }

  // ---- フリガナ helper ---------------------------------------------------------------

  function trackerFor(namePath: string): KanaTracker {
    let tracker = kanaTrackers.current.get(namePath);
    if (!tracker) {
      tracker = new KanaTracker();
      kanaTrackers.current.set(namePath, tracker);
    }
    return tracker;
  }

  function kanaValue(kanaPath: string): string {
    const cur = formRef.current;
    if (kanaPath === "member.nameKana") return cur.member.nameKana ?? "";
    const row = /^dependants\[(\d+)\]\.nameKana$/.exec(kanaPath);
    return row ? ((cur.dependants ?? [])[Number(row[1])]?.nameKana ?? "") : "";
  }

  function setKana(kanaPath: string, value: string) {
    if (kanaPath === "member.nameKana") {
      setIn("member", "nameKana", value);
      return;
    }
    const row = /^dependants\[(\d+)\]\.nameKana$/.exec(kanaPath);
    if (row) setDependant(Number(row[1]), "nameKana", value);
  }

  /** Puts the reading in the フリガナ unless the clerk has typed something else there. */
  function fillKana(kanaPath: string, reading: string) {
    const current = kanaValue(kanaPath);
    const last = kanaFilled.current.get(kanaPath);
    if (current !== "" && current !== last) return;
    kanaFilled.current.set(kanaPath, reading);
    if (current !== reading) setKana(kanaPath, reading);
  }

  /** The 氏名 changed: outside a composition, read it again. */
  function followName(namePath: string, kanaPath: string, value: string) {
    if (readOnly) return;
    const tracker = trackerFor(namePath);
    if (!tracker.composing) fillKana(kanaPath, tracker.reading(value));
  }

  function nameIme(namePath: string, kanaPath: string): ImeHandlers {
    return {
      onCompositionStart: () => trackerFor(namePath).start(),
      onCompositionUpdate: (e) => trackerFor(namePath).update(e.data ?? ""),
      onCompositionEnd: (e) => {
        const tracker = trackerFor(namePath);
        tracker.end(e.data ?? "");
        if (!readOnly) fillKana(kanaPath, tracker.reading(e.currentTarget.value));
      },
    };
  }

  /** Dependants renumbered: their readings no longer belong to the same rows. */
  function forgetDependantKana() {
    for (const map of [kanaTrackers.current, kanaFilled.current]) {
      for (const key of [...map.keys()]) if (key.startsWith("dependants")) map.delete(key);
    }
  }

  /** Hiragana typed into a フリガナ becomes katakana when the field is left. */
  function katakanaOnLeave(kanaPath: string) {
    return (value: string) => {
      const katakana = hiraganaToKatakana(value);
      if (katakana !== value) setKana(kanaPath, katakana);
    };
  }

  function visibleFindings(path: string): AcquisitionFinding[] {
    if (!assessment) return [];
    if (!showAll && !touched.has(path)) return [];
    return assessment.findings.filter((f) => f.field === path);
  }

  function acknowledge(f: AcquisitionFinding) {
    api.acknowledgeAcquisitionWarning({ id, form: formRef.current }, f.code, f.field).then(
      (next) => {
        change(() => complete(next as unknown as Form));
        runCheck(next as unknown as Form);
      },
      (err: unknown) => setBanner({ kind: "error", text: t("acq.failed", { message: describe(err) }) }),
    );
  }

  function applyView(v: AcquisitionView) {
    const next = complete(v.form);
    formRef.current = next;
    setForm(next);
    setStored(JSON.stringify(next));
    setView(v);
    setAssessment(v.assessment);
  }

  function focusField(path: string) {
    const el = document.getElementById(domId(path));
    if (!el) return;
    const target = el.matches("input, select, textarea, button") ? el : el.querySelector<HTMLElement>("input, select, textarea");
    target?.focus();
  }

  const moveFocus = useEffectEvent(() => {
    if (!focusRequest) return;
    if (focusRequest.field === null) document.querySelector<HTMLElement>("[data-ack-button]")?.focus();
    else focusField(focusRequest.field);
  });
  useEffect(() => {
    moveFocus();
  }, [focusRequest]);

  async function saveNow(): Promise<AcquisitionView | null> {
    try {
      const saved = await api.saveAcquisition({ id, form: formRef.current });
      applyView(saved);
      onChanged();
      return saved;
    } catch (err) {
      // Nothing typed is lost: the form stays as it is; show where the problem is.
      setShowAll(true);
      runCheck(formRef.current);
      setBanner({ kind: "error", text: t("acq.failed", { message: describe(err) }) });
      return null;
    }
  }

  async function run(work: () => Promise<void>) {
    if (inFlight.current) return;
    inFlight.current = true;
    setBusy(true);
    try {
      await work();
    } catch (err) {
      setBanner({ kind: "error", text: t("acq.failed", { message: describe(err) }) });
    } finally {
      inFlight.current = false;
      setBusy(false);
    }
  }

  function save() {
    if (readOnly) return;
    void run(async () => {
      if (await saveNow()) setBanner({ kind: "success", text: t("acq.saved") });
    });
  }

  function submit() {
    void run(async () => {
      let current = view;
      if (!current || dirty) {
        current = await saveNow();
        if (!current) return;
      }
      const a = await api.checkAcquisition({ id: current.item.id, form: formRef.current }, true);
      setSubmission(true);
      setShowAll(true);
      setAssessment(a);
      if (a.errors > 0) {
        setBanner({ kind: "error", text: t("acq.hasErrors", { n: a.errors }) });
        const first = a.findings.find((f) => f.severity === "error");
        if (first) setFocusRequest((r) => ({ field: first.field, n: (r?.n ?? 0) + 1 }));
        return;
      }
      if (a.unacknowledged > 0) {
        setBanner({ kind: "error", text: t("acq.unacknowledged", { n: a.unacknowledged }) });
        // The buttons appear with this render.
        setFocusRequest((r) => ({ field: null, n: (r?.n ?? 0) + 1 }));
        return;
      }
      const v = await api.submitAcquisition(current.item.id);
      applyView(v);
      onChanged();
      setBanner({ kind: "success", text: t("acq.submitted") });
    });
  }

  function withdraw() {
    setConfirmWithdraw(false);
    if (!id) return;
    void run(async () => {
      const v = await api.withdrawAcquisition(id);
      applyView(v);
      onChanged();
      setBanner({ kind: "success", text: t("acq.withdrawn") });
    });
  }

  function requestClose() {
    if (dirty && !readOnly) setConfirmClose(true);
    else onClose();
  }

  const onShortcut = useEffectEvent((event: KeyboardEvent) => {
    const ctrlS =
      (event.code === "KeyS" || event.key.toLowerCase() === "s") && (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey;
    if (!ctrlS) return;
    event.preventDefault();
    if (isComposing(event) || confirmClose || confirmWithdraw) return;
    save();
  });
  useEffect(() => {
    const listener = (event: KeyboardEvent) => onShortcut(event);
    window.addEventListener("keydown", listener);
    return () => window.removeEventListener("keydown", listener);
  }, []);

  /** Enter moves to the next field (never submits); Esc goes back to the list. */
  function onFormKeyDown(event: ReactKeyboardEvent<HTMLFormElement>) {
    if (event.key === "Escape" && !isComposing(event)) {
      event.preventDefault();
      requestClose();
      return;
    }
    const target = event.target as HTMLElement;
    if (!isPlainEnter(event) || target.tagName !== "INPUT") return;
    if (target.closest("fieldset[data-wareki]") && target.id.endsWith("-day")) return;
    event.preventDefault();
    const all = [...event.currentTarget.querySelectorAll<HTMLElement>("input:not([readonly]), select, textarea")].filter(
      (el) => !el.hasAttribute("disabled"),
    );
    const next = all[all.indexOf(target) + 1];
    next?.focus();
  }

  const counts = new Map<Section, { errors: number; warnings: number }>();
  for (const s of SECTIONS) counts.set(s, { errors: 0, warnings: 0 });
  for (const f of assessment?.findings ?? []) {
    const c = counts.get(sectionOf(f.field));
    if (!c) continue;
    if (f.severity === "error") c.errors++;
    else if (!f.acknowledged) c.warnings++;
  }

  function jump(section: Section) {
    const el = document.getElementById(`acq-section-${section}`);
    el?.scrollIntoView?.({ block: "start" });
    const input = el?.querySelector<HTMLElement>("input:not([readonly]), select, textarea, button");
    (input ?? el?.querySelector<HTMLElement>("h2"))?.focus();
  }

  // ---- field renderers -------------------------------------------------------------

  function findingsOf(path: string) {
    const mine = visibleFindings(path);
    if (mine.length === 0) return null;
    return (
      <div className="mt-1 flex flex-col gap-1" data-testid={`${domId(path)}-findings`}>
        {mine.map((f, i) => (
          <div key={`${f.code}-${i}`} className="flex flex-wrap items-center gap-3">
            <FieldMessage
              id={`${domId(path)}-finding-${i}`}
              kind={f.severity === "error" ? "error" : "warning"}
              role={f.severity === "error" ? "alert" : undefined}
            >
              {errorMessage(f)}
            </FieldMessage>
            {f.severity === "warning" ? (
              f.acknowledged ? (
                <Badge tone="neutral" testId={`acq-acked-${domId(path)}-${f.code}`}>
                  {t("acq.acked")}
                </Badge>
              ) : readOnly ? null : (
                <Button
                  variant="secondary"
                  size="compact"
                  data-ack-button=""
                  data-testid={`acq-ack-${domId(path)}-${f.code}`}
                  onClick={() => acknowledge(f)}
                >
                  {t("acq.ack")}
                </Button>
              )
            ) : null}
          </div>
        ))}
      </div>
    );
  }

  function describedBy(path: string, help?: string): string | undefined {
    const ids = [help ? `${domId(path)}-help` : null, ...visibleFindings(path).map((_, i) => `${domId(path)}-finding-${i}`)];
    return ids.filter(Boolean).join(" ") || undefined;
  }

  function labelOf(path: string, label: string, help?: string) {
    return (
      <>
        <label htmlFor={domId(path)} className={labelClass}>
          {label}
        </label>
        {help ? (
          <p id={`${domId(path)}-help`} className={`${helpClass} text-dns-14N-130`}>
            {help}
          </p>
        ) : null}
      </>
    );
  }

  function textField(
    path: string,
    label: string,
    value: string,
    onValue: (v: string) => void,
    opts: {
      help?: string;
      numeric?: boolean;
      wide?: boolean;
      /** Extra IME handlers (the 氏名 → フリガナ helper). */
      ime?: ImeHandlers;
      /** Tidies the value when the field is left (after the composition, never during it). */
      onLeave?: (value: string) => void;
    } = {},
  ) {
    const invalid = visibleFindings(path).some((f) => f.severity === "error");
    const onLeave = opts.onLeave;
    return (
      <div className={`flex min-w-0 flex-col gap-1 ${opts.wide ? "sm:col-span-2" : ""}`}>
        {labelOf(path, label, opts.help)}
        <input
          id={domId(path)}
          data-testid={domId(path)}
          type="text"
          autoComplete="off"
          value={value}
          readOnly={readOnly}
          inputMode={opts.numeric ? "numeric" : undefined}
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy(path, opts.help)}
          onChange={(e) => onValue(e.target.value)}
          onCompositionStart={(e) => {
            composingPaths.current.add(path);
            opts.ime?.onCompositionStart?.(e);
          }}
          onCompositionUpdate={opts.ime?.onCompositionUpdate}
          onCompositionEnd={(e) => {
            composingPaths.current.delete(path);
            opts.ime?.onCompositionEnd?.(e);
            const later = leaveAfterComposition.current.get(path);
            leaveAfterComposition.current.delete(path);
            if (later && document.activeElement !== e.currentTarget) later(e.currentTarget.value);
          }}
          onBlur={(e) => {
            if (onLeave && !readOnly) {
              // Left during a composition: tidy once the IME has committed.
              if (composingPaths.current.has(path)) leaveAfterComposition.current.set(path, onLeave);
              else onLeave(e.currentTarget.value);
            }
            touch(path);
          }}
          className={`${inputClass} w-full ${opts.numeric ? "text-right tabular-nums" : ""}`}
        />
        {findingsOf(path)}
      </div>
    );
  }

  function selectField(path: string, label: string, value: string, choices: readonly Option[], onValue: (v: string) => void) {
    const invalid = visibleFindings(path).some((f) => f.severity === "error");
    return (
      <div className="flex min-w-0 flex-col gap-1">
        {labelOf(path, label)}
        <select
          id={domId(path)}
          data-testid={domId(path)}
          value={value}
          disabled={readOnly}
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy(path)}
          onChange={(e) => {
            onValue(e.target.value);
          }}
          onBlur={() => touch(path)}
          className={`${selectClass} w-full`}
        >
          <option value="">{t("acq.choose")}</option>
          {choices.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
        {findingsOf(path)}
      </div>
    );
  }

  const YES_NO: readonly Option[] = [
    { value: "yes", label: t("acq.yesNo.yes") },
    { value: "no", label: t("acq.yesNo.no") },
  ];

  function yesNoField(path: string, label: string, value: boolean | null | undefined, onValue: (v: boolean | null) => void) {
    const text = value === true ? "yes" : value === false ? "no" : "";
    return selectField(path, label, text, YES_NO, (v) => onValue(v === "yes" ? true : v === "no" ? false : null));
  }

  function dateField(path: string, label: string, value: string, onValue: (v: string) => void) {
    return (
      <div className="min-w-0 sm:col-span-2" data-wareki-wrapper="">
        <WarekiDateField
          id={domId(path)}
          label={label}
          value={value === "" ? null : value}
          onChange={(iso) => {
            onValue(iso ?? "");
            touch(path);
          }}
        />
        {findingsOf(path)}
      </div>
    );
  }

  function sectionFindings(section: Section, known: (path: string) => boolean) {
    const stray = (assessment?.findings ?? []).filter((f) => sectionOf(f.field) === section && !known(f.field));
    if (stray.length === 0 || !(showAll || stray.some((f) => touched.has(f.field)))) return null;
    return (
      <div className="mb-3 flex flex-col gap-1" data-testid={`acq-section-${section}-findings`}>
        {stray.map((f, i) => (
          <FieldMessage key={`${f.field}-${f.code}-${i}`} id={`acq-section-${section}-finding-${i}`} kind={f.severity === "error" ? "error" : "warning"}>
            {errorMessage(f)}
          </FieldMessage>
        ))}
      </div>
    );
  }

  function section(sid: Section, children: ReactNode) {
    return (
      <section id={`acq-section-${sid}`} aria-labelledby={`acq-section-${sid}-heading`} className={`${sectionClass} scroll-mt-4`} data-testid={`acq-section-${sid}`}>
        <h2 id={`acq-section-${sid}-heading`} tabIndex={-1} className="mb-4 text-std-20B-150 text-solid-gray-900">
          {t(`acq.section.${sid}` as MessageId)}
        </h2>
        {children}
      </section>
    );
  }

  const o = options;
  const f = form;
  const m = f.member;
  const a = f.acquisition;
  const e = f.employment;
  const p = f.remuneration;
  const grades = assessment?.grades ?? null;
  const masked = m.myNumber === null || m.myNumber === undefined ? (view?.myNumberMasked ?? null) : null;
  const label = (k: string) => t(`acq.f.${k}` as MessageId);
  const grid = "grid grid-cols-1 gap-x-6 gap-y-5 sm:grid-cols-2";
  const dependants = f.dependants ?? [];
  const periods = f.pensionHistory ?? [];
  const allowances = p.otherAllowances ?? [];

  function setDependant(i: number, key: keyof Dependant, value: unknown) {
    change((cur) => ({ ...cur, dependants: (cur.dependants ?? []).map((d, j) => (j === i ? { ...d, [key]: value } : d)) }));
  }
  function setPeriod(i: number, key: keyof Period, value: unknown) {
    change((cur) => ({ ...cur, pensionHistory: (cur.pensionHistory ?? []).map((d, j) => (j === i ? { ...d, [key]: value } : d)) }));
  }
  function setAllowance(i: number, key: "name" | "amount", value: string) {
    change((cur) => ({
      ...cur,
      remuneration: {
        ...cur.remuneration,
        otherAllowances: (cur.remuneration.otherAllowances ?? []).map((x, j) => (j === i ? { ...x, [key]: value } : x)),
      },
    }));
  }

  const knownRow = (prefix: string) => (path: string) => new RegExp(`^${prefix}\\[\\d+\\]\\.\\w+$`).test(path);

  return (
    <div>
      <div className="mb-4 flex flex-wrap items-center gap-4">
        <Button variant="secondary" onClick={requestClose} data-testid="acq-back">
          {t("acq.back")}
        </Button>
        <h1 ref={headingRef} tabIndex={-1} id="acq-editor-heading" className="text-std-24B-150 text-solid-gray-900">
          {id ? t("acq.editor.heading") : t("acq.editor.new")}
        </h1>
        {view ? (
          <span className="flex flex-wrap items-center gap-2" data-testid="acq-state">
            <Badge tone={stageTone(view.item.stage)}>{view.item.stageLabel}</Badge>
            {view.item.pending ? <Badge tone="info">{t("acq.pending")}</Badge> : null}
            {view.item.deadlineText ? <span className="text-std-16N-170">{view.item.deadlineText}</span> : null}
          </span>
        ) : null}
      </div>
      {view?.item.stage === "returned" && view.item.reason ? (
        <Notice kind="warning" className="mb-4" testId="acq-return-reason">
          {t("acq.returned", { reason: view.item.reason })}
        </Notice>
      ) : null}
      {readOnly ? (
        <Notice kind="info" className="mb-4" testId="acq-read-only">
          {t("acq.readOnly")}
        </Notice>
      ) : null}
      <div className="mb-4 empty:hidden">
        {banner ? (
          <Notice kind={banner.kind} role={banner.kind === "error" ? "alert" : "status"} testId={`acq-banner-${banner.kind}`}>
            {banner.text}
          </Notice>
        ) : null}
      </div>
      <div className="grid grid-cols-1 items-start gap-6 lg:grid-cols-[13rem_minmax(0,1fr)]">
        <nav aria-label={t("acq.index.label")} className="lg:sticky lg:top-0" data-testid="acq-index">
          <ol className="flex flex-col gap-1">
            {SECTIONS.map((s) => {
              const c = counts.get(s) ?? { errors: 0, warnings: 0 };
              return (
                <li key={s}>
                  <button
                    type="button"
                    data-testid={`acq-index-${s}`}
                    onClick={() => jump(s)}
                    className="flex min-h-11 w-full items-center justify-between gap-2 rounded-8 px-3 py-1 text-left text-std-16N-170 hover:bg-solid-gray-50"
                  >
                    <span>{t(`acq.section.${s}` as MessageId)}</span>
                    <span className="flex gap-1">
                      {c.errors > 0 ? (
                        <Badge tone="error" testId={`acq-index-${s}-errors`}>
                          {t("acq.index.errors", { n: c.errors })}
                        </Badge>
                      ) : null}
                      {c.warnings > 0 ? (
                        <Badge tone="warning" testId={`acq-index-${s}-warnings`}>
                          {t("acq.index.warnings", { n: c.warnings })}
                        </Badge>
                      ) : null}
                    </span>
                  </button>
                </li>
              );
            })}
          </ol>
        </nav>

        <form
          noValidate
          data-testid="acq-form"
          aria-labelledby="acq-editor-heading"
          aria-busy={busy || undefined}
          onSubmit={(ev) => {
            ev.preventDefault();
            save();
          }}
          onKeyDown={onFormKeyDown}
          className="flex min-w-0 flex-col gap-6"
        >
          {section("office", <>
            {sectionFindings("office", (x) => ["office.code", "office.name"].includes(x))}
            <div className={grid}>
              {textField("office.code", label("office.code"), str(f.office.code), (v) => setIn("office", "code", v), {
                help: t("acq.help.office.code"),
                numeric: true,
              })}
              {textField("office.name", label("office.name"), str(f.office.name), (v) => setIn("office", "name", v))}
            </div>
          </>)}

          {section("member", <>
            {sectionFindings("member", (x) => /^member\.\w+$/.test(x))}
            <div className={grid}>
              {textField(
                "member.name",
                label("member.name"),
                str(m.name),
                (v) => {
                  setIn("member", "name", v);
                  followName("member.name", "member.nameKana", v);
                },
                { help: t("acq.help.member.name"), ime: nameIme("member.name", "member.nameKana") },
              )}
              {textField("member.nameKana", label("member.nameKana"), str(m.nameKana), (v) => setIn("member", "nameKana", v), {
                help: t("acq.help.member.nameKana"),
                onLeave: katakanaOnLeave("member.nameKana"),
              })}
              {dateField("member.birthDate", label("member.birthDate"), str(m.birthDate), (v) => setIn("member", "birthDate", v))}
              {selectField("member.sex", label("member.sex"), str(m.sex), o?.sexes ?? [], (v) => setIn("member", "sex", v))}
              {textField("member.postalCode", label("member.postalCode"), str(m.postalCode), (v) => setIn("member", "postalCode", v), {
                help: t("acq.help.member.postalCode"),
                numeric: true,
                onLeave: (v) => {
                  const written = normalizePostalCode(v);
                  if (written !== v) setIn("member", "postalCode", written);
                },
              })}
              {textField("member.address", label("member.address"), str(m.address), (v) => setIn("member", "address", v), { wide: true })}
              {masked !== null ? (
                <div className="flex min-w-0 flex-col gap-1">
                  {labelOf(
                    "member.myNumber",
                    label("member.myNumber"),
                    t(view?.myNumberWithheld ? "acq.myNumber.withheld" : "acq.myNumber.masked"),
                  )}
                  <div className="flex items-center gap-2">
                    <input
                      id={domId("member.myNumber")}
                      data-testid={domId("member.myNumber")}
                      type="text"
                      readOnly
                      value={masked}
                      aria-describedby={describedBy("member.myNumber", "masked")}
                      className={`${inputClass} w-full tabular-nums`}
                    />
                    {!readOnly && id && !view?.myNumberWithheld ? (
                      <Button
                        variant="secondary"
                        data-testid="acq-member-myNumber-reveal"
                        aria-label={t("acq.myNumber.revealLabel")}
                        onClick={() => setReveal({ busy: false, error: null })}
                      >
                        {t("acq.myNumber.reveal")}
                      </Button>
                    ) : null}
                    {reveal && id ? (
                      <MyNumberRevealDialog
                        purposes={["compare_with_paper", "correction", "other"]}
                        busy={reveal.busy}
                        error={reveal.error}
                        onCancel={() => setReveal(null)}
                        onConfirm={(purpose: RevealPurpose, note: string) => {
                          setReveal({ busy: true, error: null });
                          api.revealAcquisitionMyNumber(id, purpose, note).then(
                            (n) => {
                              setReveal(null);
                              setIn("member", "myNumber", n ?? "");
                              setStored((cur) => {
                                // Revealing is not a change.
                                const parsed = JSON.parse(cur) as Form;
                                return JSON.stringify({ ...parsed, member: { ...parsed.member, myNumber: n ?? "" } });
                              });
                              setTimeout(() => focusField("member.myNumber"), 0);
                            },
                            (err: unknown) => setReveal({ busy: false, error: describe(err) }),
                          );
                        }}
                      />
                    ) : null}
                  </div>
                  {findingsOf("member.myNumber")}
                </div>
              ) : (
                textField("member.myNumber", label("member.myNumber"), str(m.myNumber), (v) => setIn("member", "myNumber", v), {
                  help: t("acq.help.member.myNumber"),
                  numeric: true,
                })
              )}
              {textField(
                "member.basicPensionNumber",
                label("member.basicPensionNumber"),
                str(m.basicPensionNumber),
                (v) => setIn("member", "basicPensionNumber", v),
                { help: t("acq.help.member.basicPensionNumber"), numeric: true },
              )}
            </div>
          </>)}

          {section("acquisition", <>
            {sectionFindings("acquisition", (x) => /^acquisition\.\w+$/.test(x))}
            <div className={grid}>
              {dateField("acquisition.acquiredOn", label("acquisition.acquiredOn"), str(a.acquiredOn), (v) => setIn("acquisition", "acquiredOn", v))}
              {selectField("acquisition.reason", label("acquisition.reason"), str(a.reason), o?.reasons ?? [], (v) => setIn("acquisition", "reason", v))}
              {a.reason === "other"
                ? textField("acquisition.reasonDetail", label("acquisition.reasonDetail"), str(a.reasonDetail), (v) =>
                    setIn("acquisition", "reasonDetail", v),
                  )
                : null}
              {selectField("acquisition.memberType", label("acquisition.memberType"), str(a.memberType), o?.memberTypes ?? [], (v) =>
                setIn("acquisition", "memberType", v),
              )}
              {selectField("acquisition.appointment", label("acquisition.appointment"), str(a.appointment), o?.appointments ?? [], (v) =>
                setIn("acquisition", "appointment", v),
              )}
              {a.appointment === "fixedTerm" || a.appointment === "reappointment" ? (
                <>
                  {dateField("acquisition.termStart", label("acquisition.termStart"), str(a.termStart), (v) => setIn("acquisition", "termStart", v))}
                  {dateField("acquisition.termEnd", label("acquisition.termEnd"), str(a.termEnd), (v) => setIn("acquisition", "termEnd", v))}
                </>
              ) : null}
              {textField("acquisition.lateReason", label("acquisition.lateReason"), str(a.lateReason), (v) => setIn("acquisition", "lateReason", v), {
                wide: true,
              })}
            </div>
          </>)}

          {section("pay", <>
            {sectionFindings("pay", (x) => /^(employment|remuneration)\.\w+$/.test(x) || knownRow("remuneration\\.otherAllowances")(x))}
            <div className={grid}>
              {textField("employment.jobTitle", label("employment.jobTitle"), str(e.jobTitle), (v) => setIn("employment", "jobTitle", v))}
              {textField("employment.salaryTable", label("employment.salaryTable"), str(e.salaryTable), (v) => setIn("employment", "salaryTable", v))}
              {textField("employment.salaryClass", label("employment.salaryClass"), str(e.salaryClass), (v) => setIn("employment", "salaryClass", v), {
                numeric: true,
              })}
              {textField("employment.salaryStep", label("employment.salaryStep"), str(e.salaryStep), (v) => setIn("employment", "salaryStep", v), {
                numeric: true,
              })}
              {selectField("remuneration.payBasis", label("remuneration.payBasis"), str(p.payBasis), o?.payBases ?? [], (v) =>
                setIn("remuneration", "payBasis", v),
              )}
              {p.payBasis === "otherPeriod"
                ? textField("remuneration.periodDays", label("remuneration.periodDays"), str(p.periodDays), (v) => setIn("remuneration", "periodDays", v), {
                    numeric: true,
                  })
                : null}
              {(
                [
                  "salary",
                  "regionalAllowance",
                  "dependantsAllowance",
                  "housingAllowance",
                  "commutingAllowance",
                  "commutingMonths",
                  "projectedOvertime",
                ] as const
              ).map((k) => (
                <div key={k} className="contents">
                  {textField(`remuneration.${k}`, label(`remuneration.${k}`), str(p[k]), (v) => setIn("remuneration", k, v), {
                    numeric: true,
                    help: k === "commutingMonths" ? undefined : t("acq.help.amount"),
                  })}
                </div>
              ))}
            </div>
            <div className="mt-5 flex flex-col gap-3">
              {allowances.map((x, i) => (
                <div key={i} className="grid grid-cols-1 items-end gap-4 sm:grid-cols-[minmax(0,1fr)_minmax(0,1fr)_auto]">
                  {textField(`remuneration.otherAllowances[${i}].name`, label("allowance.name"), str(x.name), (v) => setAllowance(i, "name", v))}
                  {textField(`remuneration.otherAllowances[${i}].amount`, label("allowance.amount"), str(x.amount), (v) => setAllowance(i, "amount", v), {
                    numeric: true,
                  })}
                  {readOnly ? null : (
                    <Button
                      variant="secondary"
                      data-testid={`acq-allowance-remove-${i}`}
                      onClick={() =>
                        change((cur) => ({
                          ...cur,
                          remuneration: { ...cur.remuneration, otherAllowances: (cur.remuneration.otherAllowances ?? []).filter((_, j) => j !== i) },
                        }))
                      }
                    >
                      {t("acq.allowance.remove")}
                    </Button>
                  )}
                </div>
              ))}
              {readOnly ? null : (
                <div>
                  <Button
                    variant="secondary"
                    data-testid="acq-allowance-add"
                    onClick={() =>
                      change((cur) => ({
                        ...cur,
                        remuneration: { ...cur.remuneration, otherAllowances: [...(cur.remuneration.otherAllowances ?? []), { name: "", amount: "" }] },
                      }))
                    }
                  >
                    {t("acq.allowance.add")}
                  </Button>
                </div>
              )}
            </div>
            <div className={`${grid} mt-5`}>
              {textField("remuneration.excludedBonus", label("remuneration.excludedBonus"), str(p.excludedBonus), (v) => setIn("remuneration", "excludedBonus", v), {
                numeric: true,
              })}
              {textField(
                "remuneration.excludedOverThreeMonths",
                label("remuneration.excludedOverThreeMonths"),
                str(p.excludedOverThreeMonths),
                (v) => setIn("remuneration", "excludedOverThreeMonths", v),
                { numeric: true },
              )}
            </div>
            <div className="mt-6 rounded-8 border-2 border-blue-900 bg-blue-50 p-4" aria-live="polite" data-testid="acq-grades">
              <h3 className="mb-1 text-std-16B-170">{t("acq.grades.heading")}</h3>
              {grades ? (
                <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-std-16N-170">
                  <dt>{t("acq.grades.monthly")}</dt>
                  <dd className="tabular-nums" data-testid="acq-grades-monthly">
                    {grades.monthlyText}
                  </dd>
                  <dt>{t("acq.grades.health")}</dt>
                  <dd className="font-bold tabular-nums" data-testid="acq-grades-health">
                    {grades.health.text}
                  </dd>
                  <dt>{t("acq.grades.pension")}</dt>
                  <dd className="font-bold tabular-nums" data-testid="acq-grades-pension">
                    {grades.pension ? grades.pension.text : t("acq.grades.noPension")}
                  </dd>
                  {grades.validUntilText ? (
                    <dd className="col-span-2 text-dns-14N-130 text-solid-gray-700">{t("acq.grades.validUntil", { date: grades.validUntilText })}</dd>
                  ) : null}
                </dl>
              ) : (
                <p className="text-std-16N-170 text-solid-gray-700">{t("acq.grades.none")}</p>
              )}
              {(assessment?.notes ?? []).length > 0 ? (
                <ul className="mt-2 list-disc pl-5 text-dns-14N-130" data-testid="acq-notes">
                  {(assessment?.notes ?? []).map((n, i) => (
                    <li key={`${n.code}-${i}`}>{n.message}</li>
                  ))}
                </ul>
              ) : null}
            </div>
          </>)}

          {section("pension", <>
            {sectionFindings("pension", knownRow("pensionHistory"))}
            {periods.length === 0 ? <p className="mb-3 text-std-16N-170 text-solid-gray-700">{t("acq.pension.empty")}</p> : null}
            {periods.map((x, i) => (
              <fieldset key={i} className="mb-4 rounded-8 border border-solid-gray-420 p-4" data-testid={`acq-pension-${i}`}>
                <legend className="px-1 text-std-16B-170">{t("acq.pension.item", { n: i + 1 })}</legend>
                <div className={grid}>
                  {selectField(`pensionHistory[${i}].kind`, label("pension.kind"), str(x.kind), o?.pensionSchemes ?? [], (v) => setPeriod(i, "kind", v))}
                  {x.kind === "other"
                    ? textField(`pensionHistory[${i}].kindDetail`, label("pension.kindDetail"), str(x.kindDetail), (v) => setPeriod(i, "kindDetail", v))
                    : null}
                  {dateField(`pensionHistory[${i}].acquiredOn`, label("pension.acquiredOn"), str(x.acquiredOn), (v) => setPeriod(i, "acquiredOn", v))}
                  {dateField(`pensionHistory[${i}].lostOn`, label("pension.lostOn"), str(x.lostOn), (v) => setPeriod(i, "lostOn", v))}
                </div>
                {readOnly ? null : (
                  <Button
                    variant="secondary"
                    className="mt-3"
                    data-testid={`acq-pension-remove-${i}`}
                    onClick={() => change((cur) => ({ ...cur, pensionHistory: (cur.pensionHistory ?? []).filter((_, j) => j !== i) }))}
                  >
                    {t("acq.pension.remove")}
                  </Button>
                )}
              </fieldset>
            ))}
            {readOnly ? null : (
              <Button
                variant="secondary"
                data-testid="acq-pension-add"
                onClick={() => change((cur) => ({ ...cur, pensionHistory: [...(cur.pensionHistory ?? []), { ...EMPTY_PERIOD }] }))}
              >
                {t("acq.pension.add")}
              </Button>
            )}
          </>)}

          {section("dependants", <>
            {sectionFindings("dependants", knownRow("dependants"))}
            {dependants.length === 0 ? (
              <p className="mb-3 text-std-16N-170 text-solid-gray-700" data-testid="acq-dependants-empty">
                {t("acq.dependants.empty")}
              </p>
            ) : null}
            {dependants.map((x, i) => (
              <fieldset key={i} className="mb-4 rounded-8 border border-solid-gray-420 p-4" data-testid={`acq-dependant-${i}`}>
                <legend className="px-1 text-std-16B-170">{t("acq.dependants.item", { n: i + 1 })}</legend>
                {(showAll || touched.size > 0) && (assessment?.findings ?? []).some((g) => g.field === `dependants[${i}]`) ? (
                  <div className="mb-3">
                    {(assessment?.findings ?? [])
                      .filter((g) => g.field === `dependants[${i}]`)
                      .map((g, k) => (
                        <FieldMessage key={k} id={`acq-dependants-${i}-row-finding-${k}`} kind={g.severity === "error" ? "error" : "warning"}>
                          {errorMessage(g)}
                        </FieldMessage>
                      ))}
                  </div>
                ) : null}
                <div className={grid}>
                  {textField(
                    `dependants[${i}].name`,
                    label("dependant.name"),
                    str(x.name),
                    (v) => {
                      setDependant(i, "name", v);
                      followName(`dependants[${i}].name`, `dependants[${i}].nameKana`, v);
                    },
                    { ime: nameIme(`dependants[${i}].name`, `dependants[${i}].nameKana`) },
                  )}
                  {textField(`dependants[${i}].nameKana`, label("dependant.nameKana"), str(x.nameKana), (v) => setDependant(i, "nameKana", v), {
                    onLeave: katakanaOnLeave(`dependants[${i}].nameKana`),
                  })}
                  {selectField(`dependants[${i}].relationship`, label("dependant.relationship"), str(x.relationship), o?.relationships ?? [], (v) =>
                    setDependant(i, "relationship", v),
                  )}
                  {textField(`dependants[${i}].annualIncome`, label("dependant.annualIncome"), str(x.annualIncome), (v) => setDependant(i, "annualIncome", v), {
                    numeric: true,
                  })}
                  {dateField(`dependants[${i}].birthDate`, label("dependant.birthDate"), str(x.birthDate), (v) => setDependant(i, "birthDate", v))}
                  {yesNoField(`dependants[${i}].livesTogether`, label("dependant.livesTogether"), x.livesTogether, (v) => setDependant(i, "livesTogether", v))}
                  {x.livesTogether === false
                    ? yesNoField(`dependants[${i}].remittanceRecorded`, label("dependant.remittanceRecorded"), x.remittanceRecorded, (v) =>
                        setDependant(i, "remittanceRecorded", v),
                      )
                    : null}
                  {yesNoField(`dependants[${i}].disabled`, label("dependant.disabled"), x.disabled, (v) => setDependant(i, "disabled", v))}
                  {yesNoField(`dependants[${i}].residesInJapan`, label("dependant.residesInJapan"), x.residesInJapan, (v) => setDependant(i, "residesInJapan", v))}
                  {yesNoField(`dependants[${i}].lateElderlyInsured`, label("dependant.lateElderlyInsured"), x.lateElderlyInsured, (v) =>
                    setDependant(i, "lateElderlyInsured", v),
                  )}
                </div>
                {readOnly ? null : (
                  <Button
                    variant="secondary"
                    className="mt-3"
                    data-testid={`acq-dependant-remove-${i}`}
                    onClick={() => {
                      forgetDependantKana();
                      change((cur) => ({ ...cur, dependants: (cur.dependants ?? []).filter((_, j) => j !== i) }));
                    }}
                  >
                    {t("acq.dependants.remove")}
                  </Button>
                )}
              </fieldset>
            ))}
            {readOnly ? null : (
              <Button
                variant="secondary"
                data-testid="acq-dependant-add"
                onClick={() => {
                  change((cur) => ({ ...cur, dependants: [...(cur.dependants ?? []), { ...EMPTY_DEPENDANT }] }));
                  const n = dependants.length;
                  setTimeout(() => focusField(`dependants[${n}].name`), 0);
                }}
              >
                {t("acq.dependants.add")}
              </Button>
            )}
          </>)}

          {section("certification", <>
            {sectionFindings("certification", () => false)}
            <dl className="grid grid-cols-[auto_1fr] gap-x-6 gap-y-2 text-std-16N-170" data-testid="acq-certification">
              <dt className="font-bold">{t("acq.certification.stage")}</dt>
              <dd>{view ? view.item.stageLabel : t("acq.stage.draft")}</dd>
              <dt className="font-bold">{t("acq.certification.certifiedOn")}</dt>
              <dd>{f.office.certifiedOn ? f.office.certifiedOn : t("acq.certification.notYet")}</dd>
              <dt className="font-bold">{t("acq.certification.receivedOn")}</dt>
              <dd>{f.office.receivedOn ? f.office.receivedOn : t("acq.certification.notReceived")}</dd>
            </dl>
            {(view?.acknowledgementLog ?? []).length > 0 ? (
              <ul className="mt-3 text-dns-14N-130 text-solid-gray-700" data-testid="acq-ack-log">
                {(view?.acknowledgementLog ?? []).map((l, i) => (
                  <li key={i}>
                    {t("acq.ackLog", { by: l.by, at: l.at })} — {l.code}
                  </li>
                ))}
              </ul>
            ) : null}
          </>)}

          {view?.ocrProvenance ? <OcrProvenance provenance={view.ocrProvenance} /> : null}

          <div className="sticky bottom-0 -mx-2 flex flex-wrap items-center justify-end gap-4 border-t border-solid-gray-420 bg-white px-2 py-4">
            <span className="mr-auto text-dns-14N-130 text-solid-gray-700">{t("acq.shortcutHint")}</span>
            {view?.canWithdraw ? (
              <Button variant="secondary" busy={busy} onClick={() => setConfirmWithdraw(true)} data-testid="acq-withdraw">
                {t("acq.withdraw")}
              </Button>
            ) : null}
            {readOnly ? null : (
              <Button type="submit" variant="secondary" busy={busy} aria-keyshortcuts="Control+S" data-testid="acq-save">
                {busy ? t("acq.saving") : t("acq.save")}
              </Button>
            )}
            {readOnly || (view !== null && !view.canSubmit && !dirty) ? null : (
              <Button variant="primary" busy={busy} onClick={submit} data-testid="acq-submit">
                {t("acq.submit")}
              </Button>
            )}
          </div>
        </form>
      </div>

      {confirmWithdraw ? (
        <ConfirmDialog
          title={t("acq.withdrawConfirm.title")}
          confirmLabel={t("acq.withdraw")}
          cancelLabel={t("acq.withdrawConfirm.cancel")}
          confirmVariant="danger"
          onCancel={() => setConfirmWithdraw(false)}
          onConfirm={withdraw}
          testId="acq-withdraw-dialog"
        >
          {t("acq.withdrawConfirm.body")}
        </ConfirmDialog>
      ) : null}
      {confirmClose ? (
        <ConfirmDialog
          title={t("acq.discard.title")}
          confirmLabel={t("acq.discard.confirm")}
          cancelLabel={t("acq.discard.cancel")}
          confirmVariant="danger"
          onCancel={() => setConfirmClose(false)}
          onConfirm={() => {
            setConfirmClose(false);
            onClose();
          }}
          testId="acq-discard-dialog"
        >
          {t("acq.discard.body")}
        </ConfirmDialog>
      ) : null}
    </div>
  );
}

/**
 * One 案件: its steps in order as cards (調達依頼 → 契約 → 検収・検査 → 支出命令), and the
 * editor of the open step. Findings come from Rust ~300 ms after typing stops and are
 * shown beside their fields; 保存 (Ctrl+S) keeps drafts with findings; 決裁に回す and
 * 取下げ follow the step's flags; 「{nextLabel}」 starts the next step prefilled;
 * 「変更起案を作成」 on a decided 調達依頼 / 契約 starts a new step that, once decided,
 * replaces it.
 * A failed save shows why and keeps everything typed.
 */
import { useEffect, useEffectEvent, useRef, useState } from "react";
import {
  api,
  type Finding,
  type ProposalFlags,
  type ProcurementBudgetView,
  type ProcurementCaseView,
  type ProcurementStepInput,
  type ProcurementStepView,
} from "../backend";
import { Badge } from "../components/Badge";
import { Button } from "../components/Button";
import { ConfirmDialog } from "../components/Dialog";
import { Notice } from "../components/Notice";
import { sectionClass } from "../components/styles";
import { errorMessage, t, type MessageId } from "../i18n";
import { isComposing } from "../lib/ime";
import { useAfterSync } from "../shell/useAfterSync";
import { useWorkTimer } from "../shell/useWorkTimer";
import { statusTone } from "./ProposalsPage";
import { DeadlineBadge, describe, TextField } from "./ProcurementFields";
import { EMPTY_REQUEST, ProcurementStepEditor, shownKeys } from "./ProcurementStepEditor";

type Banner = { kind: "error" | "success" | "info"; text: string } | null;

interface Editing {
  input: ProcurementStepInput;
  /** The input as last saved (JSON), to tell whether anything changed; null before the first save. */
  stored: string | null;
  /** The input as opened (JSON): findings are fetched once the clerk changes something. */
  baseline: string;
}

const NO_FLAGS: ProposalFlags = { important: false, unusual: false, precedent: false };

/** 重要 / 異例 / 先例, as on 起案文書: they lengthen the route. */
const FLAGS: readonly { key: keyof ProposalFlags; id: string; label: MessageId }[] = [
  { key: "important", id: "procurement-important", label: "proposals.flags.important" },
  { key: "unusual", id: "procurement-unusual", label: "proposals.flags.unusual" },
  { key: "precedent", id: "procurement-precedent", label: "proposals.flags.precedent" },
];

function newRequest(): Editing {
  const input: ProcurementStepInput = { id: null, parent: null, title: "", form: { ...EMPTY_REQUEST, items: EMPTY_REQUEST.items.map((i) => ({ ...i })) }, amends: null };
  return { input, stored: null, baseline: JSON.stringify(input) };
}

function editingOf(step: ProcurementStepView): Editing {
  const input: ProcurementStepInput = { id: step.id, parent: step.parent, title: step.title, form: step.form, amends: step.amends };
  const json = JSON.stringify(input);
  return { input, stored: json, baseline: json };
}

function isDirty(e: Editing | null): boolean {
  return e !== null && (e.stored === null || JSON.stringify(e.input) !== e.stored);
}

/** The step the editor opens first: the last one still editable, else the last one. */
function initialStep(view: ProcurementCaseView): ProcurementStepView | null {
  const editable = [...view.steps].reverse().find((s) => s.canEdit);
  return editable ?? view.steps[view.steps.length - 1] ?? null;
}

export function ProcurementCase({ caseId, onClose, onSaved }: { caseId: string | null; onClose: () => void; onSaved: (id: string) => void }) {
  const [view, setView] = useState<ProcurementCaseView | null>(null);
  const [editing, setEditing] = useState<Editing | null>(caseId === null ? newRequest() : null);
  const [findings, setFindings] = useState<Finding[]>([]);
  const [banner, setBanner] = useState<Banner>(null);
  const [busy, setBusy] = useState(false);
  const [vendors, setVendors] = useState<{ id: string; name: string }[]>([]);
  const [budgets, setBudgets] = useState<ProcurementBudgetView[]>([]);
  const [confirmWithdraw, setConfirmWithdraw] = useState(false);
  /** 重要 / 異例 / 先例 for the next 決裁に回す; cleared when another step opens. */
  const [flags, setFlags] = useState<ProposalFlags>(NO_FLAGS);
  /** Counts the steps opened in the editor: a new one gets fresh fields (and drops a late PINT answer). */
  const [opened, setOpened] = useState(0);
  const inFlight = useRef(false);
  const checkSeq = useRef(0);
  const reloadSeq = useRef(0);
  /** The editor as last rendered, for answers that arrive later. */
  const editingNow = useRef<Editing | null>(editing);
  useEffect(() => {
    editingNow.current = editing;
  }, [editing]);

  function loadVendors() {
    api.procurementVendors().then(
      (list) => setVendors(list.map((v) => ({ id: v.id, name: v.form.name }))),
      () => {
        // The vendor lists stay as they were; the finding says what to do.
      },
    );
    api.procurementBudgets().then(setBudgets, () => {
      // The chooser stays as it was; the budget can still be typed.
    });
  }

  const loadInitial = useEffectEvent(() => {
    loadVendors();
    if (caseId === null) return;
    api.procurementCase(caseId).then(
      (v) => {
        setView(v);
        const step = initialStep(v);
        if (step) {
          setEditing(editingOf(step));
          setFindings(step.findings);
        }
      },
      (err: unknown) => setBanner({ kind: "error", text: t("procurement.loadFailed", { message: describe(err) }) }),
    );
  });
  useEffect(() => {
    loadInitial();
  }, []);

  /**
   * After a sync (a 課長's decision, a colleague's save): read the case again. The open
   * step's editor follows only when it holds nothing unsaved — what the clerk typed stays.
   */
  function reload() {
    loadVendors();
    const id = view?.id ?? caseId;
    if (!id) return;
    const mine = ++reloadSeq.current;
    api.procurementCase(id).then(
      (v) => {
        if (mine !== reloadSeq.current) return;
        setView(v);
        const open = editingNow.current;
        const step = open?.input.id ? v.steps.find((s) => s.id === open.input.id) : undefined;
        if (!open || !step || isDirty(open)) return;
        setEditing((cur) => (cur && cur.input.id === step.id && !isDirty(cur) ? editingOf(step) : cur));
        setFindings(step.findings);
      },
      () => {
        // Keep what is shown; the next sync or reopening the case reads it again.
      },
    );
  }
  useAfterSync(reload);

  // Findings follow the typing, ~300 ms after it stops.
  const inputKey = editing ? JSON.stringify(editing.input) : "";
  const baseline = editing?.baseline ?? "";
  const runCheck = useEffectEvent(() => {
    if (!editing) return;
    const mine = ++checkSeq.current;
    api.procurementCheck(editing.input).then(
      (found) => {
        if (mine === checkSeq.current) setFindings(found);
      },
      () => {
        // Checked again on save.
      },
    );
  });
  useEffect(() => {
    if (!inputKey || inputKey === baseline) return;
    const timer = setTimeout(() => runCheck(), 300);
    return () => clearTimeout(timer);
  }, [inputKey, baseline]);

  const currentStep = editing?.input.id ? (view?.steps.find((s) => s.id === editing.input.id) ?? null) : null;
  const canEdit = currentStep ? currentStep.canEdit : editing !== null;
  const canSubmit = canEdit && (currentStep ? currentStep.canSubmit || isDirty(editing) : true);
  useWorkTimer(editing?.input.id ?? undefined);

  function setInput(input: ProcurementStepInput) {
    setEditing((cur) => (cur ? { ...cur, input } : cur));
  }

  async function run(work: () => Promise<void>) {
    if (inFlight.current) return;
    inFlight.current = true;
    setBusy(true);
    // A reload answered around this work may predate it: drop it (the save's own sync reads again).
    reloadSeq.current++;
    try {
      await work();
    } catch (err) {
      // Nothing typed is lost: the form stays as it is.
      setBanner({ kind: "error", text: t("procurement.failed", { message: describe(err) }) });
    } finally {
      reloadSeq.current++;
      inFlight.current = false;
      setBusy(false);
    }
  }

  /** Saves; returns the saved step, keeping what was typed in the editor. */
  async function saveNow(current: Editing): Promise<ProcurementStepView | null> {
    const before = new Set(view?.steps.map((s) => s.id) ?? []);
    const saved = await api.procurementSave(current.input);
    setView(saved);
    const step =
      (current.input.id ? saved.steps.find((s) => s.id === current.input.id) : saved.steps.find((s) => !before.has(s.id))) ??
      saved.steps[saved.steps.length - 1] ??
      null;
    if (!step) return null;
    const input = { ...current.input, id: step.id, parent: step.parent };
    const json = JSON.stringify(input);
    setEditing({ input, stored: json, baseline: json });
    setFindings(step.findings);
    onSaved(saved.id);
    return step;
  }

  function save() {
    const current = editing;
    if (!current || !canEdit) return;
    void run(async () => {
      const step = await saveNow(current);
      if (!step) return;
      const errors = step.findings.filter((f) => f.severity === "error").length;
      setBanner(errors > 0 ? { kind: "info", text: t("procurement.savedWithFindings", { n: errors }) } : { kind: "success", text: t("procurement.saved") });
    });
  }

  function submit() {
    const current = editing;
    if (!current) return;
    void run(async () => {
      let id = current.input.id;
      if (!id || isDirty(current)) {
        const step = await saveNow(current);
        if (!step) return;
        id = step.id;
      }
      const v = await api.procurementSubmit(id, flags);
      setFlags(NO_FLAGS);
      setView(v);
      const step = v.steps.find((s) => s.id === id);
      if (step) setFindings(step.findings);
      setBanner({ kind: "success", text: t("procurement.submitted") });
    });
  }

  function withdraw() {
    setConfirmWithdraw(false);
    const id = editing?.input.id;
    if (!id) return;
    void run(async () => {
      const v = await api.procurementWithdraw(id);
      setView(v);
      setBanner({ kind: "success", text: t("procurement.withdrawn") });
    });
  }

  function startNext(step: ProcurementStepView) {
    if (isDirty(editing)) {
      setBanner({ kind: "error", text: t("procurement.saveFirst") });
      return;
    }
    void run(async () => {
      const input = await api.procurementNextStep(step.id);
      setEditing({ input, stored: null, baseline: JSON.stringify(input) });
      setOpened((n) => n + 1);
      setFindings([]);
      setFlags(NO_FLAGS);
      setBanner({ kind: "info", text: t("procurement.nextStarted", { label: step.nextLabel ?? "" }) });
      document.getElementById("step-title")?.focus();
    });
  }

  /** 変更起案: a new step of the same kind and parent, `amends` the decided one; saved as usual. */
  function startAmend(step: ProcurementStepView) {
    if (isDirty(editing)) {
      setBanner({ kind: "error", text: t("procurement.saveFirst") });
      return;
    }
    void run(async () => {
      const input = await api.procurementAmend(step.id);
      setEditing({ input, stored: null, baseline: JSON.stringify(input) });
      setOpened((n) => n + 1);
      setFindings([]);
      setFlags(NO_FLAGS);
      setBanner({ kind: "info", text: t("procurement.amendStarted") });
      document.getElementById("step-title")?.focus();
    });
  }

  function openStep(step: ProcurementStepView) {
    if (editing?.input.id === step.id) return;
    if (isDirty(editing)) {
      setBanner({ kind: "error", text: t("procurement.saveFirst") });
      return;
    }
    setEditing(editingOf(step));
    setOpened((n) => n + 1);
    setFindings(step.findings);
    setFlags(NO_FLAGS);
    setBanner(null);
  }

  /** Saves the step's printed form (契約書/請書, 検査調書 or 支出命令書 — Rust picks by kind) as a PDF. */
  function print(step: ProcurementStepView) {
    void run(async () => {
      try {
        const path = await api.approvalPdf(step.id);
        setBanner({ kind: "success", text: t("procurement.printSaved", { path }) });
      } catch (err) {
        setBanner({ kind: "error", text: t("procurement.printFailed", { message: describe(err) }) });
      }
    });
  }

  const onShortcut = useEffectEvent((event: KeyboardEvent) => {
    const ctrlS = (event.code === "KeyS" || event.key.toLowerCase() === "s") && (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey;
    if (!ctrlS) return;
    event.preventDefault();
    if (isComposing(event) || confirmWithdraw) return;
    save();
  });
  useEffect(() => {
    const listener = (event: KeyboardEvent) => onShortcut(event);
    window.addEventListener("keydown", listener);
    return () => window.removeEventListener("keydown", listener);
  }, []);

  const shown = editing ? shownKeys(editing.input.form) : () => false;
  const others = findings.filter((f) => f.field !== "title" && !shown(f.field));
  const steps = view?.steps ?? [];
  // Every decided step that may be followed (a contract may have several inspections).
  const offers = steps.filter((s) => s.nextLabel && s.nextKind);
  /** The step a 変更起案 changes, with its number in the case, if the case holds it. */
  const original = (id: string | null | undefined) => {
    const i = id ? steps.findIndex((s) => s.id === id) : -1;
    const step = steps[i];
    return step ? { n: i + 1, step } : null;
  };
  const amending = editing?.input.amends ? original(editing.input.amends) : null;
  const amendsText = (id: string) => {
    const o = original(id);
    return o ? t("procurement.amendsOf", { n: o.n, kind: o.step.kindLabel, title: o.step.title }) : t("procurement.amendsOfUnknown");
  };

  return (
    <div className="flex flex-col gap-6" data-testid="procurement-case">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h2 className="text-std-20B-150 text-solid-gray-900" data-testid="procurement-case-title">
          {view?.title || (caseId === null ? t("procurement.newRequest") : t("procurement.loading"))}
        </h2>
        <Button onClick={onClose} data-testid="procurement-back">
          {t("procurement.back")}
        </Button>
      </div>

      {steps.length > 0 ? (
        <ol className="grid grid-cols-1 gap-3 md:grid-cols-2 xl:grid-cols-4" aria-label={t("procurement.steps.label")}>
          {steps.map((s, i) => (
            <li key={s.id} className="flex flex-col gap-2" data-testid="procurement-step">
              <button
                type="button"
                onClick={() => openStep(s)}
                aria-current={editing?.input.id === s.id ? "step" : undefined}
                data-testid="procurement-step-card"
                className={[
                  "flex h-full w-full flex-col items-start gap-1 rounded-8 border-2 p-3 text-left",
                  editing?.input.id === s.id ? "border-blue-900 bg-blue-50" : "border-solid-gray-200 bg-white hover:bg-solid-gray-50",
                ].join(" ")}
              >
                <span className="flex w-full items-center justify-between gap-2">
                  <span className="text-std-16B-170">
                    {i + 1}. {s.kindLabel}
                  </span>
                  <Badge tone={statusTone(s.status)} testId="procurement-step-status">
                    {s.statusLabel}
                  </Badge>
                </span>
                <span className="text-dns-14N-130 text-solid-gray-700">{s.whereText}</span>
                <span className="tabular-nums">{t("procurement.yen", { amount: s.amountText })}</span>
                {s.deadline ? (
                  <span className="flex flex-wrap items-center gap-2 text-dns-14N-130">
                    <span>
                      {s.deadline.what} {s.deadline.date}
                    </span>
                    <DeadlineBadge deadline={s.deadline} />
                  </span>
                ) : null}
                {s.label ? <Badge tone="info">{s.label}</Badge> : null}
                {s.amends ? (
                  <span className="flex flex-wrap items-center gap-2 text-dns-14N-130" data-testid="procurement-step-amends">
                    <Badge tone="info">{t("procurement.amendBadge")}</Badge>
                    <span>{amendsText(s.amends)}</span>
                  </span>
                ) : null}
              </button>
              {s.status !== "draft" || s.canAmend ? (
                <div className="flex flex-wrap gap-2">
                  {s.status !== "draft" ? (
                    <Button
                      size="compact"
                      busy={busy}
                      onClick={() => print(s)}
                      aria-label={t("procurement.printLabel", { n: i + 1, kind: s.kindLabel })}
                      data-testid="procurement-print"
                    >
                      {t("procurement.print")}
                    </Button>
                  ) : null}
                  {s.canAmend ? (
                    <Button
                      size="compact"
                      busy={busy}
                      onClick={() => startAmend(s)}
                      aria-label={t("procurement.amendLabel", { n: i + 1, kind: s.kindLabel })}
                      data-testid="procurement-amend"
                    >
                      {t("procurement.amend")}
                    </Button>
                  ) : null}
                </div>
              ) : null}
            </li>
          ))}
        </ol>
      ) : null}

      {offers.length > 0 ? (
        <div className="flex flex-wrap gap-3">
          {offers.map((s, i) => (
            <Button key={s.id} variant={i === offers.length - 1 ? "primary" : "secondary"} busy={busy} onClick={() => startNext(s)} data-testid="procurement-next">
              {s.nextLabel}
            </Button>
          ))}
        </div>
      ) : null}

      {banner ? (
        <Notice kind={banner.kind} role={banner.kind === "error" ? "alert" : "status"} testId={`procurement-banner-${banner.kind}`}>
          {banner.text}
        </Notice>
      ) : null}

      {editing ? (
        <form
          noValidate
          className={sectionClass}
          data-testid="procurement-editor"
          aria-busy={busy || undefined}
          onSubmit={(e) => {
            e.preventDefault();
            save();
          }}
        >
          <h3 className="mb-4 text-std-18B-160">
            {currentStep
              ? t("procurement.editor.heading", { kind: currentStep.kindLabel })
              : editing.input.amends
                ? t("procurement.editor.amendment", { kind: amending?.step.kindLabel ?? "" })
                : t("procurement.editor.new")}
          </h3>
          {editing.input.amends ? (
            <Notice kind="info" className="mb-4" testId="procurement-amends">
              {amending
                ? t("procurement.amendNotice", { kind: amending.step.kindLabel, title: amending.step.title })
                : t("procurement.amendNoticeUnknown")}
            </Notice>
          ) : null}
          {others.length > 0 ? (
            <div className="mb-4 flex flex-col gap-1" data-testid="procurement-other-findings">
              {others.map((f, i) => (
                <Notice key={`${f.code}-${i}`} kind={f.severity === "error" ? "error" : "warning"}>
                  {errorMessage(f)}
                </Notice>
              ))}
            </div>
          ) : null}
          <div className="mb-6">
            <TextField
              id="step-title"
              label={t("procurement.title")}
              value={editing.input.title}
              onChange={(v) => setInput({ ...editing.input, title: v })}
              keys={["title"]}
              findings={findings}
              readOnly={!canEdit}
            />
          </div>
          <ProcurementStepEditor
            key={opened}
            form={editing.input.form}
            onChange={(form) => setInput({ ...editing.input, form })}
            findings={findings}
            readOnly={!canEdit}
            vendors={vendors}
            budgets={budgets}
            ocrProvenance={currentStep?.ocrProvenance ?? null}
          />
          <div className="sticky bottom-0 -mx-6 mt-8 flex flex-wrap items-center justify-end gap-4 border-t border-solid-gray-420 bg-white px-6 pt-4">
            <span className="mr-auto text-dns-14N-130 text-solid-gray-700">{t("procurement.shortcutHint")}</span>
            {currentStep?.canWithdraw ? (
              <Button busy={busy} onClick={() => setConfirmWithdraw(true)} data-testid="procurement-withdraw">
                {t("procurement.withdraw")}
              </Button>
            ) : null}
            {canEdit ? (
              <Button type="submit" busy={busy} aria-keyshortcuts="Control+S" data-testid="procurement-save">
                {t("procurement.save")}
              </Button>
            ) : null}
            {canSubmit ? (
              <fieldset className="flex flex-wrap items-center gap-4" data-testid="procurement-flags" aria-describedby="procurement-flags-help">
                <legend className="sr-only">{t("proposals.flags.legend")}</legend>
                {FLAGS.map((f) => (
                  <label key={f.key} htmlFor={f.id} className="flex items-center gap-2 text-std-16N-170">
                    <input
                      id={f.id}
                      data-testid={f.id}
                      type="checkbox"
                      className="size-5"
                      checked={flags[f.key]}
                      onChange={(e) => {
                        const checked = e.target.checked;
                        setFlags((cur) => ({ ...cur, [f.key]: checked }));
                      }}
                    />
                    {t(f.label)}
                  </label>
                ))}
                <span id="procurement-flags-help" className="text-dns-14N-130 text-solid-gray-700">
                  {t("proposals.flags.help")}
                </span>
              </fieldset>
            ) : null}
            {canSubmit ? (
              <Button variant="primary" busy={busy} onClick={submit} data-testid="procurement-submit">
                {t("procurement.submit")}
              </Button>
            ) : null}
          </div>
        </form>
      ) : null}

      {confirmWithdraw ? (
        <ConfirmDialog
          title={t("procurement.withdrawConfirm.title")}
          confirmLabel={t("procurement.withdraw")}
          cancelLabel={t("procurement.cancel")}
          confirmVariant="danger"
          onCancel={() => setConfirmWithdraw(false)}
          onConfirm={withdraw}
          testId="procurement-withdraw-dialog"
        >
          {t("procurement.withdrawConfirm.body")}
        </ConfirmDialog>
      ) : null}
    </div>
  );
}

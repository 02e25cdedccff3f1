/**
 * A 組合員資格取得届 as its approvers see it (所属所長 証明 → 事務局審査担当 審査 →
 * 決裁者 登録): the automated review from the central service at the top (each
 * result a link to its field), the form read-only as the clerk entered it
 * (個人番号 masked), the route and history at the side, and at the bottom right
 * the one primary action named for the step (「証明する」「審査済みにする」
 * 「登録する」, Ctrl+Enter), 差戻し (a reason first), and the PDFs. Every rule
 * is Rust's: what may be done comes from the approval engine.
 *
 * Dates (証明日, 受付日, 生年月日, 資格取得日, 任期, 年金加入期間) are shown in 和暦 with
 * the 西暦 beside them, 「令和8年11月26日（2026-11-26）」, converted by Rust
 * (`dateToWareki`); until the answer comes, or if it cannot, the 西暦 alone.
 */
import { useEffect, useEffectEvent, useRef, useState } from "react";
import type { ReactNode } from "react";
import {
  api,
  BackendError,
  type AcquisitionOptions,
  type AcquisitionReviewView,
  type AutoFinding,
  type AutoReviewView,
  type DateView,
} from "../backend";
import { Badge } from "../components/Badge";
import { Button } from "../components/Button";
import { ReasonDialog } from "../components/ReasonDialog";
import { MyNumberRevealDialog } from "../components/MyNumberRevealDialog";
import { FieldMessage, Notice } from "../components/Notice";
import { sectionClass } from "../components/styles";
import { errorMessage, hasMessage, t, type MessageId } from "../i18n";
import { isComposing } from "../lib/ime";
import { formatDateTime } from "../lib/time";
import { useWorkTimer } from "../shell/useWorkTimer";
import { domId, SECTIONS, sectionOf, type Section } from "./AcquisitionEditor";
import { stageTone } from "./AcquisitionQueue";

type Banner = { kind: "error" | "success"; text: string } | null;
type Form = AcquisitionReviewView["view"]["form"];
type Auto = { kind: "loading" } | { kind: "view"; view: AutoReviewView } | { kind: "error"; text: string };

function describe(err: unknown): string {
  return err instanceof BackendError ? errorMessage(err) : errorMessage({ code: "ipc.failed", message: String(err) });
}

/** The element a finding about `path` links to: the field, else its section. */
export function targetOf(path: string): HTMLElement | null {
  return document.getElementById(`review-${domId(path)}`) ?? document.getElementById(`acq-review-section-${sectionOf(path)}`);
}

const label = (k: string) => t(`acq.f.${k}` as MessageId);

/** A field's label for a finding's link (`dependants[0].name` → 被扶養者 1 氏名). */
export function fieldLabel(path: string): string {
  const row = /^(dependants|pensionHistory)\[(\d+)\]\.(\w+)$/.exec(path);
  if (row) {
    const n = Number(row[2]) + 1;
    return row[1] === "dependants"
      ? `${t("acqReview.dependantItem", { n })} ${label(`dependant.${row[3]}`)}`
      : `${t("acq.section.pension")} ${t("acqReview.pensionItem", { n })} ${label(`pension.${row[3]}`)}`;
  }
  const key = `acq.f.${path}`;
  return hasMessage(key) ? t(key) : t(`acq.section.${sectionOf(path)}` as MessageId);
}

function choice(list: readonly { value: string; label: string }[] | undefined, value: string | null | undefined): string {
  if (!value) return "";
  return list?.find((o) => o.value === value)?.label ?? value;
}

function yesNo(v: boolean | null | undefined): string {
  if (v === null || v === undefined) return "";
  return v ? t("acqReview.yes") : t("acqReview.no");
}

/** 「令和8年11月26日（2026-11-26）」. */
export function warekiWithIso(view: DateView): string {
  return t("acqReview.date", { wareki: view.wareki, iso: view.iso });
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Every date of the form the review shows, once each. */
export function datesOf(form: Form): string[] {
  const all = [
    form.office.certifiedOn,
    form.office.receivedOn,
    form.member.birthDate,
    form.acquisition.acquiredOn,
    form.acquisition.termStart,
    form.acquisition.termEnd,
    ...(form.pensionHistory ?? []).flatMap((p) => [p.acquiredOn, p.lostOn]),
    ...(form.dependants ?? []).map((d) => d.birthDate),
  ];
  return [...new Set(all.filter((d): d is string => typeof d === "string" && ISO_DATE.test(d)))].sort();
}

function yen(v: string | null | undefined): string {
  if (!v) return "";
  const n = Number(v.replace(/,/g, ""));
  return Number.isFinite(n) ? `${n.toLocaleString("ja-JP")}円` : v;
}

export function AcquisitionReview({
  id,
  onClose,
  onChanged,
  backLabel,
}: {
  id: string;
  /** Back to the list (Esc or the back button). */
  onClose: () => void;
  /** An action was queued: lists should reload. */
  onChanged?: () => void;
  backLabel?: string;
}) {
  const [data, setData] = useState<AcquisitionReviewView | null>(null);
  const [options, setOptions] = useState<AcquisitionOptions | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [auto, setAuto] = useState<Auto>({ kind: "loading" });
  const [banner, setBanner] = useState<Banner>(null);
  const [busy, setBusy] = useState(false);
  const [returning, setReturning] = useState(false);
  const [reason, setReason] = useState("");
  const [highlight, setHighlight] = useState<string | null>(null);
  // The 個人番号 shown in full after 「表示」 (audited), for this visit of the page only.
  const [revealed, setRevealed] = useState<string | null>(null);
  const [reveal, setReveal] = useState<{ busy: boolean; error: string | null } | null>(null);
  /** 和暦 texts by ISO date, as Rust converts them. */
  const [wareki, setWareki] = useState<ReadonlyMap<string, string>>(new Map());
  const headingRef = useRef<HTMLHeadingElement>(null);
  const seq = useRef(0);
  useWorkTimer(id);

  // Dates appear with the form and change with it (証明 sets 証明日): convert new ones.
  const dateKey = data ? datesOf(data.view.form).join(",") : "";
  const convertDates = useEffectEvent((isos: string[]) => {
    for (const iso of isos) {
      if (wareki.has(iso)) continue;
      api.dateToWareki(iso).then(
        (v) => setWareki((cur) => new Map(cur).set(iso, warekiWithIso(v))),
        () => {
          // Shown in 西暦 only.
        },
      );
    }
  });
  useEffect(() => {
    if (dateKey !== "") convertDates(dateKey.split(","));
  }, [dateKey]);

  function loadAuto() {
    const mine = ++seq.current;
    setAuto({ kind: "loading" });
    api.acquisitionAutoReview(id).then(
      (view) => {
        if (mine === seq.current) setAuto({ kind: "view", view });
      },
      (err: unknown) => {
        if (mine === seq.current) setAuto({ kind: "error", text: describe(err) });
      },
    );
  }

  const loadOnMount = useEffectEvent(() => {
    api.acquisitionOptions().then(setOptions, () => setOptions(null));
    api.acquisitionReview(id).then(
      (v) => {
        setData(v);
        if (v.approval) loadAuto();
        requestAnimationFrame(() => {
          // In the 決裁 inbox this screen sits below the table: bring it into view.
          headingRef.current?.scrollIntoView?.({ block: "start" });
          headingRef.current?.focus({ preventScroll: true });
        });
      },
      (err: unknown) => setLoadError(t("acqReview.loadFailed", { message: describe(err) })),
    );
  });
  useEffect(() => {
    loadOnMount();
  }, [id]);

  async function act(kind: "approve" | "return" | "withdraw", why: string | null = null) {
    const approval = data?.approval;
    if (!data || !approval || busy) return;
    const delegate = kind === "approve" && !approval.actions.includes("approve") && approval.actions.includes("delegate");
    setBusy(true);
    setBanner(null);
    try {
      const next = await api.acquisitionAct({
        id,
        kind: delegate ? "delegate" : kind,
        reason: why,
        comment: null,
        forUser: delegate ? approval.delegateFor : null,
        seenHash: approval.seenHash,
      });
      const action = kind === "approve" ? (data.approveLabel ?? t("inbox.act.approve")) : kind === "return" ? t("acqReview.return") : t("acqReview.withdraw");
      setData(next);
      setReturning(false);
      if (kind === "return") setReason("");
      setBanner({ kind: "success", text: t("acqReview.queued", { action }) });
      onChanged?.();
    } catch (err) {
      setBanner({ kind: "error", text: t("acqReview.failed", { message: describe(err) }) });
    } finally {
      setBusy(false);
    }
  }

  async function savePdf(which: "form" | "notice") {
    setBanner(null);
    try {
      const path = which === "form" ? await api.acquisitionPdf(id) : await api.acquisitionNoticePdf(id);
      setBanner({ kind: "success", text: t("acqReview.pdfSaved", { path }) });
    } catch (err) {
      setBanner({ kind: "error", text: t("acqReview.pdfFailed", { message: describe(err) }) });
    }
  }

  function goTo(path: string) {
    const el = targetOf(path);
    if (!el) return;
    el.scrollIntoView?.({ block: "center" });
    el.focus();
    setHighlight(path);
  }

  // Captured on the window and stopped there, so a page around this screen (the 決裁
  // inbox) does not act on the same Ctrl+Enter with its own generic approval.
  const onKey = useEffectEvent((event: KeyboardEvent) => {
    if (returning || isComposing(event)) return;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey) {
      event.preventDefault();
      event.stopPropagation();
      if (data?.canApprove) void act("approve");
    } else if (event.key === "Escape" && !event.defaultPrevented) {
      event.preventDefault();
      event.stopPropagation();
      onClose();
    }
  });
  useEffect(() => {
    const listener = (event: KeyboardEvent) => onKey(event);
    window.addEventListener("keydown", listener, true);
    return () => window.removeEventListener("keydown", listener, true);
  }, []);

  if (loadError) {
    return (
      <div>
        <Button variant="secondary" onClick={onClose} data-testid="acq-review-back">
          {backLabel ?? t("acq.back")}
        </Button>
        <Notice kind="error" role="alert" className="mt-4" testId="acq-review-error">
          {loadError}
        </Notice>
      </div>
    );
  }
  if (!data) return <p className="text-std-16N-170 text-solid-gray-700">{t("acqReview.loading")}</p>;

  const { view, approval } = data;
  const item = view.item;
  const canWithdraw = approval?.actions.includes("withdraw") ?? false;

  return (
    <div data-testid="acq-review" data-id={id} data-stage={item.stage}>
      <div className="mb-4 flex flex-wrap items-center gap-4">
        <Button variant="secondary" onClick={onClose} data-testid="acq-review-back">
          {backLabel ?? t("acq.back")}
        </Button>
        <h1 ref={headingRef} tabIndex={-1} id="acq-review-heading" className="text-std-24B-150 text-solid-gray-900">
          {t("acqReview.heading")}{"\u3000"}{view.form.member.name || t("acq.noName")}
        </h1>
        <span className="flex flex-wrap items-center gap-2" data-testid="acq-review-state">
          <Badge tone={stageTone(item.stage)}>{item.stageLabel}</Badge>
          {item.pending ? <Badge tone="info">{t("acq.pending")}</Badge> : null}
          {item.deadlineText ? <span className="text-std-16N-170">{item.deadlineText}</span> : null}
        </span>
      </div>
      {approval?.myStep ? (
        <p className="mb-2 font-bold" data-testid="acq-review-my-step">
          {t("acqReview.myStep", { step: approval.myStep })}
        </p>
      ) : null}
      {item.stage === "returned" && item.reason ? (
        <Notice kind="warning" className="mb-4" testId="acq-review-return-reason">
          {t("acq.returned", { reason: item.reason })}
        </Notice>
      ) : null}
      {approval?.pending ? (
        <Notice kind="info" className="mb-4" testId="acq-review-pending">
          {t("acqReview.pending")}
        </Notice>
      ) : null}
      <div className="mb-4 empty:hidden" aria-live="polite">
        {banner ? (
          <Notice kind={banner.kind} role={banner.kind === "error" ? "alert" : "status"} testId={`acq-review-banner-${banner.kind}`}>
            {banner.text}
          </Notice>
        ) : null}
      </div>

      <AutoReviewPanel submitted={approval !== null} auto={auto} onRetry={loadAuto} onGoTo={goTo} />

      <div className="grid grid-cols-1 items-start gap-6 xl:grid-cols-[minmax(0,1fr)_20rem]">
        <ReadOnlyForm
          data={data}
          options={options}
          highlight={highlight}
          wareki={wareki}
          revealed={revealed}
          onReveal={() => setReveal({ busy: false, error: null })}
        />
        <aside className={`${sectionClass} xl:sticky xl:top-0`} aria-labelledby="acq-review-route-heading" data-testid="acq-review-side">
          <h2 id="acq-review-route-heading" className="mb-2 text-std-20B-150 text-solid-gray-900">
            {t("acqReview.route.heading")}
          </h2>
          {approval ? (
            <ol className="mb-4 flex flex-col gap-1" data-testid="acq-review-route">
              {approval.steps.map((s, i) => (
                <li key={i} className={s.current ? "font-bold" : undefined}>
                  {s.slots.map((sl) => (
                    <span key={sl.ordinal} className="flex flex-wrap items-center gap-2">
                      <span>{sl.approverName}</span>
                      {sl.done ? (
                        <Badge tone="neutral">{`${sl.how ?? ""} ${sl.byName ?? ""}`.trim()}</Badge>
                      ) : sl.waiting ? (
                        <Badge tone="info">{t("acq.stage." + (["certify", "review", "register"][i] ?? "register") as MessageId)}</Badge>
                      ) : null}
                    </span>
                  ))}
                </li>
              ))}
            </ol>
          ) : (
            <p className="mb-4 text-std-16N-170">{t("acqReview.unsubmitted")}</p>
          )}
          <h2 className="mb-2 text-std-20B-150 text-solid-gray-900">{t("acqReview.history.heading")}</h2>
          {approval && approval.history.length > 0 ? (
            <ol className="flex flex-col gap-2" data-testid="acq-review-history">
              {approval.history.map((h, i) => (
                <li key={i} className="text-dns-14N-130" data-testid="acq-review-history-item">
                  <span className="block font-bold">{t("acqReview.history.item", { step: h.stepLabel, act: h.actLabel })}</span>
                  <span className="block">
                    {h.byName}
                    {h.onBehalfOfName ? `（${h.onBehalfOfName}）` : ""} {formatDateTime(h.at)}
                  </span>
                  {h.comment ? <span className="block whitespace-pre-wrap text-solid-gray-700">{h.comment}</span> : null}
                </li>
              ))}
            </ol>
          ) : (
            <p className="text-std-16N-170 text-solid-gray-700">{t("acqReview.history.empty")}</p>
          )}
        </aside>
      </div>

      <div className="sticky bottom-0 mt-6 flex flex-wrap items-center justify-end gap-4 border-t border-solid-gray-420 bg-white px-2 py-4">
        <span className="mr-auto text-dns-14N-130 text-solid-gray-700">
          {data.canApprove && data.approveLabel ? t("acqReview.shortcut", { action: data.approveLabel }) : null}
        </span>
        <Button variant="secondary" onClick={() => void savePdf("form")} data-testid="acq-review-pdf">
          {t("acqReview.pdf")}
        </Button>
        <Button variant="secondary" onClick={() => void savePdf("notice")} data-testid="acq-review-notice">
          {t("acqReview.notice")}
        </Button>
        {canWithdraw ? (
          <Button variant="secondary" busy={busy} onClick={() => void act("withdraw")} data-testid="acq-review-withdraw">
            {t("acqReview.withdraw")}
          </Button>
        ) : null}
        {data.canReturn ? (
          <Button variant="secondary" busy={busy} onClick={() => setReturning(true)} data-testid="acq-review-return">
            {t("acqReview.return")}
          </Button>
        ) : null}
        {data.canApprove && data.approveLabel ? (
          <Button variant="primary" busy={busy} aria-keyshortcuts="Control+Enter" onClick={() => void act("approve")} data-testid="acq-review-approve">
            {data.approveLabel}
          </Button>
        ) : null}
      </div>

      {reveal ? (
        <MyNumberRevealDialog
          purposes={["review", "compare_with_paper", "other"]}
          busy={reveal.busy}
          error={reveal.error}
          onCancel={() => setReveal(null)}
          onConfirm={(purpose, note) => {
            setReveal({ busy: true, error: null });
            api.revealAcquisitionMyNumber(id, purpose, note).then(
              (n) => {
                setReveal(null);
                setRevealed(n ?? "");
              },
              (err: unknown) => setReveal({ busy: false, error: describe(err) }),
            );
          }}
        />
      ) : null}
      {returning ? (
        <ReasonDialog
          idPrefix="acq-review-reason"
          testId="acq-review-return-dialog"
          title={t("acqReview.returnTitle")}
          label={t("inbox.reason.label")}
          help={t("acqReview.returnHelp")}
          requiredMessage={t("acqReview.returnRequired")}
          confirmLabel={t("acqReview.returnConfirm")}
          cancelLabel={t("acqReview.cancel")}
          value={reason}
          busy={busy}
          onChange={setReason}
          onCancel={() => setReturning(false)}
          onConfirm={(r) => void act("return", r)}
        />
      ) : null}
    </div>
  );
}

function AutoReviewPanel({
  submitted,
  auto,
  onRetry,
  onGoTo,
}: {
  submitted: boolean;
  auto: Auto;
  onRetry: () => void;
  onGoTo: (path: string) => void;
}) {
  let body: ReactNode;
  if (!submitted) body = <p className="text-std-16N-170">{t("acqReview.auto.notSubmitted")}</p>;
  else if (auto.kind === "loading") body = <p className="text-std-16N-170 text-solid-gray-700">{t("acqReview.auto.loading")}</p>;
  else if (auto.kind === "error" || auto.view.state !== "ok") {
    const text = auto.kind === "error" ? auto.text : (auto.view.message ?? "");
    body = (
      <div className="flex flex-wrap items-center gap-4">
        <Notice kind={auto.kind === "view" && auto.view.state === "forbidden" ? "info" : "warning"} testId="acq-review-auto-unavailable" className="grow">
          {text}
        </Notice>
        {auto.kind === "view" && auto.view.state === "forbidden" ? null : (
          <Button variant="secondary" onClick={onRetry} data-testid="acq-review-auto-retry">
            {t("acqReview.auto.retry")}
          </Button>
        )}
      </div>
    );
  } else {
    const v = auto.view;
    body = (
      <>
        <p className="mb-2 text-std-16N-170" data-testid="acq-review-auto-counts">
          {t("acqReview.auto.counts", { errors: v.errors, warnings: v.warnings, at: v.checkedAt ? formatDateTime(v.checkedAt) : "" })}
        </p>
        {v.findings.length === 0 ? (
          <p className="text-std-16N-170" data-testid="acq-review-auto-none">
            {t("acqReview.auto.none")}
          </p>
        ) : (
          <ul className="flex flex-col gap-2" data-testid="acq-review-auto-findings">
            {v.findings.map((f, i) => (
              <AutoItem key={`${f.code}-${i}`} finding={f} onGoTo={onGoTo} />
            ))}
          </ul>
        )}
      </>
    );
  }
  return (
    <section aria-labelledby="acq-review-auto-heading" className={`${sectionClass} mb-6`} data-testid="acq-review-auto">
      <h2 id="acq-review-auto-heading" className="mb-2 text-std-20B-150 text-solid-gray-900">
        {t("acqReview.auto.heading")}
      </h2>
      {body}
    </section>
  );
}

function AutoItem({ finding: f, onGoTo }: { finding: AutoFinding; onGoTo: (path: string) => void }) {
  const error = f.severity === "error";
  return (
    <li className="flex flex-wrap items-start gap-2" data-testid="acq-review-auto-finding" data-field={f.field} data-severity={f.severity}>
      <Badge tone={error ? "error" : "warning"}>{error ? t("acqReview.auto.error") : t("acqReview.auto.warning")}</Badge>
      <span className="min-w-0 grow basis-64 text-std-16N-170">
        {f.message}
        {f.relatedTitle ? <span className="block text-dns-14N-130 text-solid-gray-700">{t("acqReview.auto.related", { title: f.relatedTitle })}</span> : null}
      </span>
      {f.field ? (
        <a
          href={`#review-${domId(f.field)}`}
          className="text-std-16N-170 text-blue-900 underline underline-offset-[calc(3/16*1rem)]"
          data-testid="acq-review-auto-link"
          onClick={(e) => {
            e.preventDefault();
            onGoTo(f.field);
          }}
        >
          {t("acqReview.auto.goTo", { field: fieldLabel(f.field) })}
        </a>
      ) : null}
    </li>
  );
}

function ReadOnlyForm({
  data,
  options,
  highlight,
  wareki,
  revealed,
  onReveal,
}: {
  data: AcquisitionReviewView;
  options: AcquisitionOptions | null;
  highlight: string | null;
  wareki: ReadonlyMap<string, string>;
  /** The 個人番号 in full after an audited 「表示」, else null (masked). */
  revealed: string | null;
  onReveal: () => void;
}) {
  const form: Form = data.view.form;
  /** 和暦（西暦）, or the 西暦 until Rust has answered. */
  const date = (iso: string | null | undefined): string => (iso ? (wareki.get(iso) ?? iso) : "");
  const findings = data.view.assessment.findings;
  const m = form.member;
  const a = form.acquisition;
  const e = form.employment;
  const r = form.remuneration;
  const grades = data.view.assessment.grades;

  function field(path: string, text: string, wide = false, extra: ReactNode = null) {
    const own = findings.filter((f) => f.field === path);
    return (
      <div
        key={path}
        id={`review-${domId(path)}`}
        tabIndex={-1}
        data-testid={`review-${domId(path)}`}
        className={[
          "flex min-w-0 flex-col rounded-6 px-2 py-1 scroll-mt-4",
          wide ? "sm:col-span-2" : "",
          highlight === path ? "bg-yellow-100 outline outline-2 outline-yellow-700" : "",
        ].join(" ")}
      >
        <dt className="text-dns-14B-120 text-solid-gray-700">{fieldLabelOf(path)}</dt>
        <dd className="whitespace-pre-wrap text-std-16N-170 text-solid-gray-900">{text || <span className="text-solid-gray-420">{t("acqReview.empty")}</span>}</dd>
        {extra}
        {own.map((f, i) => (
          <FieldMessage key={i} id={`review-${domId(path)}-finding-${i}`} kind={f.severity === "error" ? "error" : "warning"}>
            {f.message}
          </FieldMessage>
        ))}
      </div>
    );
  }

  function section(sid: Section, children: ReactNode) {
    return (
      <section id={`acq-review-section-${sid}`} tabIndex={-1} aria-labelledby={`acq-review-section-${sid}-heading`} className={`${sectionClass} scroll-mt-4`}>
        <h3 id={`acq-review-section-${sid}-heading`} className="mb-3 text-std-18B-160 text-solid-gray-900">
          {t(`acq.section.${sid}` as MessageId)}
        </h3>
        {children}
      </section>
    );
  }

  const grid = "grid grid-cols-1 gap-x-6 gap-y-2 sm:grid-cols-2";
  const o = options;
  const body: Record<Section, ReactNode> = {
    office: (
      <dl className={grid}>
        {field("office.code", form.office.code ?? "")}
        {field("office.name", form.office.name ?? "")}
      </dl>
    ),
    member: (
      <dl className={grid}>
        {field("member.name", m.name ?? "")}
        {field("member.nameKana", m.nameKana ?? "")}
        {field("member.birthDate", date(m.birthDate))}
        {field("member.sex", choice(o?.sexes, m.sex))}
        {field("member.postalCode", m.postalCode ?? "")}
        {field("member.address", m.address ?? "", true)}
        {field(
          "member.myNumber",
          revealed ?? data.view.myNumberMasked ?? "",
          false,
          data.view.myNumberMasked && !data.view.myNumberWithheld && revealed === null ? (
            <dd>
              <Button variant="secondary" data-testid="review-member-myNumber-reveal" aria-label={t("acqReview.myNumber.revealLabel")} onClick={onReveal}>
                {t("acq.myNumber.reveal")}
              </Button>
            </dd>
          ) : null,
        )}
        {field("member.basicPensionNumber", m.basicPensionNumber ?? "")}
      </dl>
    ),
    acquisition: (
      <dl className={grid}>
        {field("acquisition.acquiredOn", (a.acquiredOn ? wareki.get(a.acquiredOn) : undefined) ?? (data.view.item.acquiredOnText || (a.acquiredOn ?? "")))}
        {field("acquisition.reason", [choice(o?.reasons, a.reason), a.reasonDetail].filter(Boolean).join(" "))}
        {field("acquisition.memberType", choice(o?.memberTypes, a.memberType))}
        {field("acquisition.appointment", choice(o?.appointments, a.appointment))}
        {a.termStart || a.termEnd ? field("acquisition.termStart", `${date(a.termStart)} 〜 ${date(a.termEnd)}`) : null}
        {a.lateReason ? field("acquisition.lateReason", a.lateReason, true) : null}
      </dl>
    ),
    pay: (
      <>
        <dl className={grid}>
          {field("employment.jobTitle", e.jobTitle ?? "")}
          {field("employment.salaryTable", [e.salaryTable, e.salaryClass ? `${e.salaryClass}級` : "", e.salaryStep ? `${e.salaryStep}号給` : ""].filter(Boolean).join(" "))}
          {field("remuneration.payBasis", choice(o?.payBases, r.payBasis) || choice(o?.payBases, "monthly"))}
          {field("remuneration.salary", yen(r.salary))}
          {r.regionalAllowance ? field("remuneration.regionalAllowance", yen(r.regionalAllowance)) : null}
          {r.dependantsAllowance ? field("remuneration.dependantsAllowance", yen(r.dependantsAllowance)) : null}
          {r.housingAllowance ? field("remuneration.housingAllowance", yen(r.housingAllowance)) : null}
          {field("remuneration.commutingAllowance", yen(r.commutingAllowance) + (r.commutingMonths ? `（${r.commutingMonths}か月分）` : ""))}
          {(r.otherAllowances ?? []).map((x, i) => field(`remuneration.otherAllowances[${i}].amount`, `${x.name} ${yen(x.amount)}`))}
          {r.projectedOvertime ? field("remuneration.projectedOvertime", yen(r.projectedOvertime)) : null}
        </dl>
        {grades ? (
          <p className="mt-3 rounded-8 bg-solid-gray-50 p-3 text-std-16N-170" data-testid="acq-review-grades">
            <span className="font-bold">{t("acqReview.grades")}</span> {grades.monthlyText} ／ 短期 {grades.health.text}
            {grades.pension ? ` ／ 厚生年金 ${grades.pension.text}` : ""}
          </p>
        ) : null}
      </>
    ),
    pension:
      (form.pensionHistory ?? []).length === 0 ? (
        <p className="text-std-16N-170">{t("acqReview.none")}</p>
      ) : (
        <>
          {(form.pensionHistory ?? []).map((p, i) => (
            <dl key={i} className={`${grid} mb-2`}>
              {field(`pensionHistory[${i}].kind`, [choice(o?.pensionSchemes, p.kind), p.kindDetail].filter(Boolean).join(" "))}
              {field(`pensionHistory[${i}].acquiredOn`, `${date(p.acquiredOn)} 〜 ${date(p.lostOn)}`)}
            </dl>
          ))}
        </>
      ),
    dependants:
      (form.dependants ?? []).length === 0 ? (
        <p className="text-std-16N-170">{t("acqReview.none")}</p>
      ) : (
        <>
          {(form.dependants ?? []).map((d, i) => (
            <fieldset key={i} className="mb-3 rounded-8 border border-solid-gray-200 p-3">
              <legend className="px-1 text-std-16B-170">{t("acqReview.dependantItem", { n: i + 1 })}</legend>
              <dl className={grid}>
                {field(`dependants[${i}].name`, `${d.name ?? ""}（${d.nameKana ?? ""}）`)}
                {field(`dependants[${i}].relationship`, choice(o?.relationships, d.relationship))}
                {field(`dependants[${i}].birthDate`, date(d.birthDate))}
                {field(`dependants[${i}].annualIncome`, yen(d.annualIncome))}
                {field(`dependants[${i}].livesTogether`, yesNo(d.livesTogether))}
                {d.disabled ? field(`dependants[${i}].disabled`, yesNo(d.disabled)) : null}
              </dl>
            </fieldset>
          ))}
        </>
      ),
    certification: (
      <dl className={grid}>
        {field("office.certifiedOn", date(form.office.certifiedOn))}
        {field("office.receivedOn", date(form.office.receivedOn))}
      </dl>
    ),
  };

  return (
    <div className="flex min-w-0 flex-col gap-4" data-testid="acq-review-form" aria-label={t("acqReview.form.heading")}>
      <h2 className="text-std-20B-150 text-solid-gray-900">{t("acqReview.form.heading")}</h2>
      {SECTIONS.map((s) => (
        <div key={s}>{section(s, body[s])}</div>
      ))}
    </div>
  );
}

/** The label of a field shown in the read-only form. */
function fieldLabelOf(path: string): string {
  if (path === "office.certifiedOn") return t("acq.certification.certifiedOn");
  if (path === "office.receivedOn") return t("acq.certification.receivedOn");
  if (path === "acquisition.termStart") return `${label("acquisition.termStart")} 〜 ${label("acquisition.termEnd")}`;
  if (path === "employment.salaryTable") return `${label("employment.salaryTable")}・${label("employment.salaryClass")}・${label("employment.salaryStep")}`;
  if (path === "pensionHistory") return t("acq.section.pension");
  const other = /^remuneration\.otherAllowances\[(\d+)\]\.amount$/.exec(path);
  if (other) return t("acqReview.allowanceItem", { n: Number(other[1]) + 1 });
  const pension = /^pensionHistory\[(\d+)\]\.(kind|acquiredOn)$/.exec(path);
  if (pension) {
    const n = Number(pension[1]) + 1;
    return pension[2] === "kind"
      ? `${t("acqReview.pensionItem", { n })} ${label("pension.kind")}`
      : `${label("pension.acquiredOn")} 〜 ${label("pension.lostOn")}`;
  }
  const dep = /^dependants\[\d+\]\.(\w+)$/.exec(path);
  if (dep) return label(`dependant.${dep[1]}`);
  return fieldLabel(path);
}


/**
 * A 和暦 date entered as era + year + month + day, the way the paper forms
 * ask for it. Whether the date exists (令和元年5月1日 yes, 平成31年5月1日 no)
 * is decided by Rust (`api.warekiToDate`) when focus leaves the group or
 * Enter is pressed in the day box; this component only tidies the typing
 * (full-width digits, 元 / 元年) and never clears what the clerk typed.
 */
import { useEffect, useRef, useState } from "react";
import type { ChangeEvent, FocusEvent } from "react";
import { api, BackendError, type DateView, type Era } from "../backend";
import { errorMessage, t, type MessageId } from "../i18n";
import { useImeSafeEnter } from "../lib/ime";
import { isoWithWeekday, normalizeInput, parseDatePart } from "../lib/text";
import { FieldMessage } from "./Notice";
import { helpClass, inputClass, selectClass } from "./styles";

export const ERAS: readonly Era[] = ["meiji", "taisho", "showa", "heisei", "reiwa"];

export interface WarekiDateFieldProps {
  /** Base id: the parts get `${id}-era`, `${id}-year`, `${id}-month`, `${id}-day`. */
  id: string;
  label: string;
  /** The confirmed date as YYYY-MM-DD, or null. */
  value: string | null;
  /** Called with the ISO date when Rust accepts the input, and with null when it no longer holds a valid date. */
  onChange: (iso: string | null) => void;
  /** Optional: the whole DateView from Rust after a successful check (or null). */
  onResolve?: (view: DateView | null) => void;
  required?: boolean;
  help?: string;
  /** Era preselected for an empty field. */
  defaultEra?: Era;
}

interface Parts {
  era: Era;
  year: string;
  month: string;
  day: string;
}

type Status =
  | { kind: "idle" }
  | { kind: "checking" }
  | { kind: "ok"; view: DateView }
  | { kind: "error"; message: string };

function partsFromView(view: DateView): Parts {
  return { era: view.era, year: String(view.year), month: String(view.month), day: String(view.day) };
}

export function WarekiDateField({
  id,
  label,
  value,
  onChange,
  onResolve,
  required = false,
  help,
  defaultEra = "reiwa",
}: WarekiDateFieldProps) {
  const [parts, setParts] = useState<Parts>({ era: defaultEra, year: "", month: "", day: "" });
  const [status, setStatus] = useState<Status>({ kind: "idle" });
  /** The last ISO value this field reported, to tell our own echoes from outside changes. */
  const reported = useRef<string | null>(null);
  /** Sequence number of the latest check; older answers are ignored. */
  const seq = useRef(0);

  const helpId = `${id}-help`;
  const errorId = `${id}-error`;
  const resultId = `${id}-result`;
  const hintId = `${id}-hint`;

  // A value set from outside (e.g. a loaded record) is shown as 和暦, via Rust.
  useEffect(() => {
    if (value === null || value === reported.current) return;
    const mine = ++seq.current;
    reported.current = value;
    api.dateToWareki(value).then(
      (view) => {
        if (mine !== seq.current) return;
        setParts(partsFromView(view));
        setStatus({ kind: "ok", view });
      },
      (err: unknown) => {
        if (mine !== seq.current) return;
        setStatus({ kind: "error", message: messageOf(err) });
      },
    );
  }, [value]);

  function report(iso: string | null, view: DateView | null) {
    onResolve?.(view);
    if (iso === reported.current) return;
    reported.current = iso;
    onChange(iso);
  }

  function validate(current: Parts = parts) {
    const texts = [current.year, current.month, current.day].map(normalizeInput);
    if (texts.every((s) => s === "")) {
      seq.current++;
      setStatus({ kind: "idle" });
      report(null, null);
      return;
    }
    if (texts.some((s) => s === "")) {
      seq.current++;
      setStatus({ kind: "error", message: t("wareki.incomplete") });
      report(null, null);
      return;
    }
    const year = parseDatePart(current.year, true);
    const month = parseDatePart(current.month, false);
    const day = parseDatePart(current.day, false);
    if (year === null || month === null || day === null) {
      const part: MessageId = year === null ? "wareki.year" : month === null ? "wareki.month" : "wareki.day";
      seq.current++;
      setStatus({ kind: "error", message: t("wareki.notNumber", { part: t(part) }) });
      report(null, null);
      return;
    }
    const mine = ++seq.current;
    setStatus({ kind: "checking" });
    api.warekiToDate({ era: current.era, year, month, day }).then(
      (view) => {
        if (mine !== seq.current) return;
        setStatus({ kind: "ok", view });
        report(view.iso, view);
      },
      (err: unknown) => {
        if (mine !== seq.current) return;
        setStatus({ kind: "error", message: messageOf(err) });
        report(null, null);
      },
    );
  }

  function handleChange(event: ChangeEvent<HTMLInputElement | HTMLSelectElement>) {
    const part = event.target.dataset.part as keyof Parts;
    setParts((current) => ({ ...current, [part]: event.target.value }) as Parts);
    // A shown 西暦 no longer matches what is typed; an error stays until re-checked.
    if (status.kind === "ok" || status.kind === "checking") {
      seq.current++;
      setStatus({ kind: "idle" });
      report(null, null);
    }
  }

  function handleBlur(event: FocusEvent<HTMLFieldSetElement>) {
    const next = event.relatedTarget as Node | null;
    if (next && event.currentTarget.contains(next)) return;
    validate();
  }

  const onDayKeyDown = useImeSafeEnter<HTMLInputElement>(() => validate());

  const invalid = status.kind === "error";
  const describedBy = [help ? helpId : null, invalid ? errorId : null].filter(Boolean).join(" ") || undefined;
  const common = {
    "aria-invalid": invalid || undefined,
    "aria-describedby": describedBy,
    "aria-required": required || undefined,
  };
  const numberInput = `${inputClass} text-right`;

  return (
    <fieldset id={id} className="min-w-0" onBlur={handleBlur} data-testid={id}>
      <legend className="mb-2 text-std-16B-170 text-solid-gray-900">
        {label}
        {required ? (
          <span className="ml-2 rounded-4 bg-red-900 px-1.5 py-0.5 align-middle text-dns-14B-120 text-white">
            {t("common.required")}
          </span>
        ) : null}
      </legend>
      {help ? (
        <p id={helpId} className={`${helpClass} mb-2`}>
          {help}
        </p>
      ) : null}
      <div className="flex flex-wrap items-center gap-x-2 gap-y-2">
        <label htmlFor={`${id}-era`} className="text-std-16N-170 text-solid-gray-700">
          {t("wareki.era")}
        </label>
        <select
          id={`${id}-era`}
          name={`${id}-era`}
          value={parts.era}
          data-part="era"
          onChange={handleChange}
          className={selectClass}
          {...common}
        >
          {ERAS.map((era) => (
            <option key={era} value={era}>
              {t(`wareki.era.${era}`)}
            </option>
          ))}
        </select>
        <input
          id={`${id}-year`}
          name={`${id}-year`}
          type="text"
          inputMode="numeric"
          autoComplete="off"
          maxLength={3}
          value={parts.year}
          data-part="year"
          onChange={handleChange}
          className={`${numberInput} w-[calc(4.5rem)]`}
          {...common}
          aria-describedby={[common["aria-describedby"], hintId].filter(Boolean).join(" ")}
        />
        <label htmlFor={`${id}-year`} className="text-std-16B-170">
          {t("wareki.year")}
        </label>
        <input
          id={`${id}-month`}
          name={`${id}-month`}
          type="text"
          inputMode="numeric"
          autoComplete="off"
          maxLength={2}
          value={parts.month}
          data-part="month"
          onChange={handleChange}
          className={`${numberInput} w-16`}
          {...common}
        />
        <label htmlFor={`${id}-month`} className="text-std-16B-170">
          {t("wareki.month")}
        </label>
        <input
          id={`${id}-day`}
          name={`${id}-day`}
          type="text"
          inputMode="numeric"
          autoComplete="off"
          maxLength={2}
          value={parts.day}
          data-part="day"
          onChange={handleChange}
          onKeyDown={onDayKeyDown}
          className={`${numberInput} w-16`}
          {...common}
        />
        <label htmlFor={`${id}-day`} className="text-std-16B-170">
          {t("wareki.day")}
        </label>
        <output
          id={resultId}
          htmlFor={`${id}-era ${id}-year ${id}-month ${id}-day`}
          aria-live="polite"
          data-testid={`${id}-result`}
          className="ml-3 text-std-18B-160 text-solid-gray-900"
        >
          {status.kind === "ok" ? (
            <>
              <span className="mr-2 text-std-16N-170 text-solid-gray-700">{t("wareki.seireki")}</span>
              {isoWithWeekday(status.view.iso)}
            </>
          ) : status.kind === "checking" ? (
            <span className="text-std-16N-170 text-solid-gray-700">{t("wareki.checking")}</span>
          ) : null}
        </output>
      </div>
      <p id={hintId} className="mt-1 text-dns-14N-130 text-solid-gray-700">
        {t("wareki.yearHint")}
      </p>
      {invalid ? (
        <div className="mt-2">
          <FieldMessage kind="error" id={errorId} role="alert">
            {status.message}
          </FieldMessage>
        </div>
      ) : null}
    </fieldset>
  );
}

function messageOf(err: unknown): string {
  if (err instanceof BackendError) return errorMessage(err);
  return errorMessage({ code: "ipc.failed", message: String(err) });
}

import { useState } from "react";
import { api, BackendError, type DateView } from "../backend";
import { Button } from "../components/Button";
import { DateResult } from "../components/DateResult";
import { FieldMessage } from "../components/Notice";
import { PageHeading } from "../components/PageHeading";
import { helpClass, inputClass, labelClass, sectionClass } from "../components/styles";
import { WarekiDateField } from "../components/WarekiDateField";
import { errorMessage, t, type MessageId } from "../i18n";
import { useImeSafeEnter } from "../lib/ime";
import { normalizeInput, normalizeIsoInput } from "../lib/text";

/** 和暦変換: the conversions clerks do by hand today, all computed by Rust. */
export function WarekiPage() {
  const [warekiView, setWarekiView] = useState<DateView | null>(null);

  return (
    <div className="max-w-4xl">
      <PageHeading>{t("convert.title")}</PageHeading>
      <p className="mb-6 text-std-16N-175">{t("convert.intro")}</p>
      <div className="flex flex-col gap-6">
        <section aria-labelledby="convert-wareki-heading" className={sectionClass}>
          <h2 id="convert-wareki-heading" className="mb-4 text-std-20B-150 text-solid-gray-900">
            {t("convert.fromWareki.heading")}
          </h2>
          <WarekiDateField
            id="convert-wareki"
            label={t("convert.fromWareki.label")}
            help={t("convert.fromWareki.help")}
            value={warekiView?.iso ?? null}
            onChange={() => undefined}
            onResolve={setWarekiView}
          />
          {warekiView ? <DateResult view={warekiView} testId="convert-wareki-output" /> : null}
        </section>

        <ConvertBox
          id="convert-iso"
          heading="convert.fromSeireki.heading"
          label="convert.fromSeireki.label"
          help="convert.fromSeireki.help"
          placeholder="2024-04-01"
          inputMode="numeric"
          convert={(text) => {
            const iso = normalizeIsoInput(text);
            if (iso === null) return Promise.reject(new BackendError("ui.badIso", t("convert.fromSeireki.badFormat")));
            return api.dateToWareki(iso);
          }}
        />

        <ConvertBox
          id="convert-text"
          heading="convert.fromText.heading"
          label="convert.fromText.label"
          help="convert.fromText.help"
          placeholder="R6.4.1"
          inputMode="text"
          convert={(text) => api.parseWareki(normalizeInput(text))}
        />
      </div>
    </div>
  );
}

interface ConvertBoxProps {
  id: string;
  heading: MessageId;
  label: MessageId;
  help: MessageId;
  placeholder: string;
  inputMode: "numeric" | "text";
  convert: (text: string) => Promise<DateView>;
}

/** One text box + 変換 button; Enter converts (never while the IME is composing). */
function ConvertBox({ id, heading, label, help, placeholder, inputMode, convert }: ConvertBoxProps) {
  const [text, setText] = useState("");
  const [view, setView] = useState<DateView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  function run() {
    if (normalizeInput(text) === "") {
      setView(null);
      setError(t("convert.empty"));
      return;
    }
    setBusy(true);
    convert(text).then(
      (result) => {
        setBusy(false);
        setError(null);
        setView(result);
      },
      (err: unknown) => {
        setBusy(false);
        setView(null);
        setError(err instanceof BackendError ? errorMessage(err) : errorMessage({ code: "ipc.failed", message: String(err) }));
      },
    );
  }

  const onKeyDown = useImeSafeEnter<HTMLInputElement>(run);
  const describedBy = [`${id}-help`, error ? `${id}-error` : null].filter(Boolean).join(" ");

  return (
    <section aria-labelledby={`${id}-heading`} className={sectionClass}>
      <h2 id={`${id}-heading`} className="mb-4 text-std-20B-150 text-solid-gray-900">
        {t(heading)}
      </h2>
      <label htmlFor={id} className={labelClass}>
        {t(label)}
      </label>
      <p id={`${id}-help`} className={`${helpClass} mb-2`}>
        {t(help)}
      </p>
      <div className="flex flex-wrap items-center gap-3">
        <input
          id={id}
          name={id}
          type="text"
          inputMode={inputMode}
          autoComplete="off"
          spellCheck={false}
          placeholder={placeholder}
          value={text}
          onChange={(event) => setText(event.target.value)}
          onKeyDown={onKeyDown}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
          className={`${inputClass} w-72`}
        />
        <Button variant="secondary" busy={busy} onClick={run} data-testid={`${id}-convert`}>
          {t("common.convert")}
        </Button>
      </div>
      {error ? (
        <div className="mt-2">
          <FieldMessage kind="error" id={`${id}-error`} role="alert">
            {error}
          </FieldMessage>
        </div>
      ) : null}
      {view ? <DateResult view={view} testId={`${id}-output`} /> : null}
    </section>
  );
}

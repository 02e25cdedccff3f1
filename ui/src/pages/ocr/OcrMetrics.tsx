/**
 * The queue's figures: straight-through rate, the silent-error rate measured on the QA
 * sample (with its 95 % upper bound), accuracy per field and throughput per person. The
 * charts are plain CSS bars; each one also has a table for screen readers with the same
 * numbers (the bars themselves are hidden from them).
 */
import { useEffect, useState } from "react";
import { api, type OcrMetricsView } from "../../backend";
import { Notice } from "../../components/Notice";
import { sectionClass } from "../../components/styles";
import { t } from "../../i18n";
import { formatNumber } from "../../lib/text";
import { describe, percent1 } from "./format";

export function OcrMetrics() {
  const [metrics, setMetrics] = useState<OcrMetricsView | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let alive = true;
    api.ocrMetrics().then(
      (m) => alive && setMetrics(m),
      (err: unknown) => alive && setError(t("ocr.metrics.failed", { message: describe(err) })),
    );
    return () => {
      alive = false;
    };
  }, []);

  if (error) {
    return (
      <Notice kind="error" role="alert" testId="ocr-metrics-error">
        {error}
      </Notice>
    );
  }
  if (!metrics) return <p className="text-std-16N-170 text-solid-gray-700">{t("ocr.loading")}</p>;

  const m = metrics;
  const maxFph = Math.max(0, ...m.operators.map((o) => o.fieldsPerHour ?? 0));
  const maxSpd = Math.max(0, ...m.operators.map((o) => o.secondsPerDocument ?? 0));
  return (
    <div data-testid="ocr-metrics" className="flex flex-col gap-6">
      <div className="grid gap-4 md:grid-cols-2">
        <section className={sectionClass} aria-labelledby="ocr-m-st">
          <h3 id="ocr-m-st" className="text-std-16B-170 text-solid-gray-700">
            {t("ocr.metrics.straightThrough")}
          </h3>
          <p className="text-std-32B-150 tabular-nums" data-testid="ocr-metrics-straight">
            {t("ocr.metrics.percent", { n: percent1(m.straightThroughRate) })}
          </p>
          <p className="text-std-16N-170">{t("ocr.metrics.straightDetail", { auto: formatNumber(m.fieldsAuto), fields: formatNumber(m.fields) })}</p>
          <p className="text-std-16N-170">{t("ocr.metrics.documentsStraight", { n: formatNumber(m.documentsStraight), total: formatNumber(m.documents) })}</p>
        </section>
        <section className={sectionClass} aria-labelledby="ocr-m-se">
          <h3 id="ocr-m-se" className="text-std-16B-170 text-solid-gray-700">
            {t("ocr.metrics.silentError")}
          </h3>
          <p className="text-std-32B-150 tabular-nums" data-testid="ocr-metrics-silent-rate">
            {m.qaChecked > 0 ? t("ocr.metrics.percent", { n: percent1(m.silentErrorRate) }) : "—"}
          </p>
          <p className="text-std-16N-170" data-testid="ocr-metrics-silent">
            {m.qaChecked > 0
              ? t("ocr.metrics.silentDetail", { checked: formatNumber(m.qaChecked), wrong: formatNumber(m.qaWrong), upper: percent1(m.silentErrorUpper) })
              : t("ocr.metrics.silentNone")}
          </p>
          {m.qaPending > 0 ? <p className="text-std-16N-170 text-solid-gray-700">{t("ocr.metrics.qaPending", { n: formatNumber(m.qaPending) })}</p> : null}
          <p className="mt-2 text-dns-14N-130 text-solid-gray-700">{t("ocr.metrics.silentHelp")}</p>
        </section>
      </div>

      <section className={sectionClass} aria-labelledby="ocr-m-field">
        <h3 id="ocr-m-field" className="mb-3 text-std-20B-150 text-solid-gray-900">
          {t("ocr.metrics.perField")}
        </h3>
        {m.perField.length === 0 ? (
          <p className="text-std-16N-170">{t("ocr.metrics.noData")}</p>
        ) : (
          <>
            <ul aria-hidden="true" className="flex flex-col gap-2" data-testid="ocr-metrics-field-bars">
              {m.perField.map((f) => (
                <BarRow
                  key={f.field}
                  label={f.label}
                  fraction={f.rate ?? 0}
                  text={t("ocr.metrics.fieldBar", { rate: percent1(f.rate), right: f.right, checked: f.checked })}
                />
              ))}
            </ul>
            <table className="sr-only">
              <caption>{t("ocr.metrics.perField")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("ocr.metrics.col.field")}</th>
                  <th scope="col">{t("ocr.metrics.col.rate")}</th>
                  <th scope="col">{t("ocr.metrics.col.right")}</th>
                  <th scope="col">{t("ocr.metrics.col.checked")}</th>
                </tr>
              </thead>
              <tbody>
                {m.perField.map((f) => (
                  <tr key={f.field}>
                    <th scope="row">{f.label}</th>
                    <td>{t("ocr.metrics.percent", { n: percent1(f.rate) })}</td>
                    <td>{f.right}</td>
                    <td>{f.checked}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </section>

      <section className={sectionClass} aria-labelledby="ocr-m-op">
        <h3 id="ocr-m-op" className="mb-3 text-std-20B-150 text-solid-gray-900">
          {t("ocr.metrics.operators")}
        </h3>
        {m.operators.length === 0 ? (
          <p className="text-std-16N-170">{t("ocr.metrics.noData")}</p>
        ) : (
          <>
            <div aria-hidden="true" className="grid gap-6 md:grid-cols-2" data-testid="ocr-metrics-operator-bars">
              <div>
                <p className="mb-2 text-std-16B-170">{t("ocr.metrics.fieldsPerHour")}</p>
                <ul className="flex flex-col gap-2">
                  {m.operators.map((o) => (
                    <BarRow
                      key={o.name}
                      label={o.name}
                      fraction={maxFph > 0 ? (o.fieldsPerHour ?? 0) / maxFph : 0}
                      text={t("ocr.metrics.fphValue", { n: formatNumber(Math.round(o.fieldsPerHour ?? 0)) })}
                    />
                  ))}
                </ul>
              </div>
              <div>
                <p className="mb-2 text-std-16B-170">{t("ocr.metrics.secondsPerDocument")}</p>
                <ul className="flex flex-col gap-2">
                  {m.operators.map((o) => (
                    <BarRow
                      key={o.name}
                      label={o.name}
                      fraction={maxSpd > 0 ? (o.secondsPerDocument ?? 0) / maxSpd : 0}
                      text={t("ocr.metrics.spdValue", { n: formatNumber(Math.round(o.secondsPerDocument ?? 0)) })}
                    />
                  ))}
                </ul>
              </div>
            </div>
            <table className="sr-only">
              <caption>{t("ocr.metrics.operators")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("ocr.metrics.col.name")}</th>
                  <th scope="col">{t("ocr.metrics.fieldsPerHour")}</th>
                  <th scope="col">{t("ocr.metrics.secondsPerDocument")}</th>
                  <th scope="col">{t("ocr.metrics.col.fields")}</th>
                  <th scope="col">{t("ocr.metrics.col.documents")}</th>
                </tr>
              </thead>
              <tbody>
                {m.operators.map((o) => (
                  <tr key={o.name}>
                    <th scope="row">{o.name}</th>
                    <td>{t("ocr.metrics.fphValue", { n: formatNumber(Math.round(o.fieldsPerHour ?? 0)) })}</td>
                    <td>{t("ocr.metrics.spdValue", { n: formatNumber(Math.round(o.secondsPerDocument ?? 0)) })}</td>
                    <td>{o.fields}</td>
                    <td>{o.documents}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </section>
    </div>
  );
}

function BarRow({ label, fraction, text }: { label: string; fraction: number; text: string }) {
  const width = `${Math.max(0, Math.min(1, fraction)) * 100}%`;
  return (
    <li className="grid grid-cols-[minmax(6rem,10rem)_minmax(0,1fr)_auto] items-center gap-3 text-std-16N-170">
      <span className="truncate">{label}</span>
      <span className="h-4 overflow-hidden rounded-4 bg-solid-gray-100">
        <span className="block h-full bg-blue-900" style={{ width }} />
      </span>
      <span className="tabular-nums whitespace-nowrap">{text}</span>
    </li>
  );
}

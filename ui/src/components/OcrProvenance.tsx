/**
 * Where the values of a draft made from a read paper form came from: for each
 * field the engine's reading, its confidence, how the value was decided
 * (読取どおり・確認・修正・2人入力一致・3人目が判断), by whom and when. Shown
 * beside the 資格取得届 so the reviewer knows which values a person checked.
 */
import type { AcquisitionView } from "../backend";
import { t } from "../i18n";
import { formatDateTime } from "../lib/time";

type Provenance = NonNullable<AcquisitionView["ocrProvenance"]>;

/** `title` names the paper (「紙の届書から…」 by default; the 支出命令 says 請求書). */
export function OcrProvenance({ provenance, title, testId = "acq-provenance" }: { provenance: Provenance; title?: string; testId?: string }) {
  return (
    <details className="mt-6 rounded-8 border border-solid-gray-420 p-4" data-testid={testId} open>
      <summary className="cursor-pointer text-std-17B-170">{title ?? t("acq.provenance.title")}</summary>
      <p className="mt-2 text-dns-14N-130 text-solid-gray-700">
        {t("acq.provenance.source", { source: provenance.sourceName, label: provenance.documentLabel })}
      </p>
      <div className="mt-3 overflow-x-auto">
        <table className="w-full text-dns-14N-130">
          <thead>
            <tr className="border-b border-solid-gray-420 text-left">
              <th scope="col" className="py-1 pr-3">{t("acq.provenance.field")}</th>
              <th scope="col" className="py-1 pr-3">{t("acq.provenance.value")}</th>
              <th scope="col" className="py-1 pr-3">{t("acq.provenance.engineValue")}</th>
              <th scope="col" className="py-1 pr-3 text-right">{t("acq.provenance.confidence")}</th>
              <th scope="col" className="py-1 pr-3">{t("acq.provenance.how")}</th>
              <th scope="col" className="py-1 pr-3">{t("acq.provenance.by")}</th>
              <th scope="col" className="py-1">{t("acq.provenance.at")}</th>
            </tr>
          </thead>
          <tbody>
            {provenance.fields.map((f) => (
              <tr key={f.field} className="border-b border-solid-gray-200" data-testid="acq-provenance-row" data-field={f.field}>
                <th scope="row" className="py-1 pr-3 text-left font-normal">{f.label}</th>
                <td className="py-1 pr-3">{f.value}</td>
                <td className="py-1 pr-3 text-solid-gray-700">{f.engineValue ?? t("acq.provenance.nobody")}</td>
                <td className="py-1 pr-3 text-right tabular-nums">{f.confidence}%</td>
                <td className="py-1 pr-3">{f.resolutionLabel}</td>
                <td className="py-1 pr-3">{f.by.length > 0 ? f.by.join("・") : t("acq.provenance.nobody")}</td>
                <td className="py-1">{f.at ? formatDateTime(f.at) : t("acq.provenance.nobody")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

/**
 * Reading a scan: the form's template, the file (PNG, JPEG, TIFF, PDF), 「読み取る」. The
 * bytes go to Rust once (base64); reading takes about half a second a page, so the button
 * shows it is busy and the result line says what went to people.
 *
 * With a vendor AI-OCR service's results (CSV or JSON) chosen as well, the scan is not read
 * here: the vendor's readings are routed by the same rules and the scan only gives the page
 * images and field crops (「読取結果を取り込む」). The Windows build, which has no local
 * engine, works this way.
 */
import { useId, useRef, useState } from "react";
import { api, type OcrImportSummary, type OcrTemplate } from "../../backend";
import { Button } from "../../components/Button";
import { Notice } from "../../components/Notice";
import { helpClass, labelClass, sectionClass, selectClass } from "../../components/styles";
import { t } from "../../i18n";
import { readFileBase64 } from "../../lib/file";
import { describe } from "./format";

export const OCR_ACCEPT = ".png,.jpg,.jpeg,.tif,.tiff,.pdf";
export const VENDOR_ACCEPT = ".csv,.json";

export function OcrImport({ templates, onImported }: { templates: OcrTemplate[]; onImported: (summary: OcrImportSummary) => void }) {
  const [templateId, setTemplateId] = useState("");
  const [file, setFile] = useState<File | null>(null);
  const [vendor, setVendor] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<OcrImportSummary | null>(null);
  const [error, setError] = useState<string | null>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  const vendorRef = useRef<HTMLInputElement>(null);
  const ids = useId();
  const chosen = templateId || templates[0]?.id || "";

  async function run() {
    if (busy) return;
    if (!file) {
      setError(t("ocr.import.noFile"));
      fileRef.current?.focus();
      return;
    }
    if (!chosen) {
      setError(t("ocr.import.noTemplate"));
      return;
    }
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const data = await readFileBase64(file);
      const summary = vendor
        ? await api.ocrImportVendor(file.name, data, vendor.name, await readFileBase64(vendor), chosen)
        : await api.ocrImport(file.name, data, chosen);
      setResult(summary);
      setFile(null);
      setVendor(null);
      if (fileRef.current) fileRef.current.value = "";
      if (vendorRef.current) vendorRef.current.value = "";
      onImported(summary);
    } catch (err) {
      setError(t("ocr.import.failed", { message: describe(err) }));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby={`${ids}-h`} className={`${sectionClass} flex flex-col gap-4`}>
      <h2 id={`${ids}-h`} className="text-std-20B-150 text-solid-gray-900">
        {t("ocr.import.heading")}
      </h2>
      <div className="flex flex-wrap items-end gap-4">
        <div>
          <label htmlFor={`${ids}-template`} className={labelClass}>
            {t("ocr.import.template")}
          </label>
          <select
            id={`${ids}-template`}
            data-testid="ocr-import-template"
            value={chosen}
            onChange={(e) => setTemplateId(e.target.value)}
            className={`${selectClass} mt-1 min-w-64`}
          >
            {templates.map((x) => (
              <option key={x.id} value={x.id}>
                {x.name}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor={`${ids}-file`} className={labelClass}>
            {t("ocr.import.file")}
          </label>
          <input
            ref={fileRef}
            id={`${ids}-file`}
            type="file"
            accept={OCR_ACCEPT}
            data-testid="ocr-import-file"
            aria-describedby={`${ids}-help`}
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null);
              setError(null);
            }}
            className="mt-1 block min-h-12 text-std-16N-170"
          />
        </div>
        <div>
          <label htmlFor={`${ids}-vendor`} className={labelClass}>
            {t("ocr.import.vendor")}
          </label>
          <input
            ref={vendorRef}
            id={`${ids}-vendor`}
            type="file"
            accept={VENDOR_ACCEPT}
            data-testid="ocr-import-vendor"
            aria-describedby={`${ids}-vendor-help`}
            onChange={(e) => {
              setVendor(e.target.files?.[0] ?? null);
              setError(null);
            }}
            className="mt-1 block min-h-12 text-std-16N-170"
          />
        </div>
        <Button variant="primary" busy={busy} onClick={() => void run()} data-testid="ocr-import-run">
          {busy ? t("ocr.import.running") : vendor ? t("ocr.import.vendorRun") : t("ocr.import.run")}
        </Button>
        {vendor ? (
          <Button
            onClick={() => {
              setVendor(null);
              if (vendorRef.current) vendorRef.current.value = "";
            }}
            data-testid="ocr-import-vendor-clear"
          >
            {t("ocr.import.vendorClear")}
          </Button>
        ) : null}
      </div>
      <p id={`${ids}-help`} className={helpClass}>
        {t("ocr.import.help")}
      </p>
      <p id={`${ids}-vendor-help`} className={helpClass}>
        {t("ocr.import.vendorHelp")}
      </p>
      {busy ? (
        <p role="status" className="flex items-center gap-3 text-std-16N-170" data-testid="ocr-import-busy">
          <span aria-hidden="true" className="inline-block size-4 animate-spin rounded-full border-2 border-blue-900 border-t-transparent" />
          {vendor
            ? t("ocr.import.vendorBusy", { name: vendor.name })
            : t("ocr.import.busy", { name: file?.name ?? "" })}
        </p>
      ) : null}
      {result ? (
        <p role="status" data-testid="ocr-import-result" className="text-std-16B-170">
          {t("ocr.import.result", { documents: result.documents, people: result.toPeople, fields: result.fields })}
        </p>
      ) : null}
      {error ? (
        <Notice kind="error" role="alert" testId="ocr-import-error">
          {error}
        </Notice>
      ) : null}
    </section>
  );
}

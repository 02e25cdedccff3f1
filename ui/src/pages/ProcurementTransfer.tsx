/**
 * 振込データ: the 振込依頼人 (the paying account), the decided payment orders not yet in a
 * file (Space toggles a row), 振込指定日, 「内容を確認」 and 「振込データを作成」. The
 * preview shows what the file would hold (振込先, 受取人名 as the bank sees it, totals) or
 * what must be fixed; the file can be written only after a clean preview of the same
 * selection and date. The result is the file written with its count and total, or the
 * list of what must be fixed first — in which case nothing was written.
 */
import { useEffect, useEffectEvent, useState } from "react";
import {
  api,
  type ProcurementPayableOrder,
  type ProcurementPayerForm,
  type ProcurementTransferPreview,
  type ProcurementTransferResult,
} from "../backend";
import { Button } from "../components/Button";
import { Notice } from "../components/Notice";
import { sectionClass } from "../components/styles";
import { WarekiDateField } from "../components/WarekiDateField";
import { t } from "../i18n";
import { useAfterSync } from "../shell/useAfterSync";
import { DEPOSIT_TYPES, describe, SelectField, TextField } from "./ProcurementFields";

type Banner = { kind: "error" | "success"; text: string } | null;

/** What a preview was made for: the chosen orders (in list order) and the date. */
function previewKey(ids: readonly string[], date: string | null): string {
  return `${ids.join(",")}|${date ?? ""}`;
}

export function ProcurementTransfer() {
  const [payer, setPayer] = useState<ProcurementPayerForm | null>(null);
  const [payerBanner, setPayerBanner] = useState<Banner>(null);
  const [orders, setOrders] = useState<ProcurementPayableOrder[] | null>(null);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [date, setDate] = useState<string | null>(null);
  const [result, setResult] = useState<ProcurementTransferResult | null>(null);
  const [preview, setPreview] = useState<{ key: string; data: ProcurementTransferPreview } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  function loadOrders() {
    api.procurementPayable().then(
      (list) => {
        setOrders(list);
        setSelected((cur) => new Set([...cur].filter((id) => list.some((o) => o.id === id))));
      },
      (err: unknown) => {
        setOrders((cur) => cur ?? []);
        setError(t("procurement.loadFailed", { message: describe(err) }));
      },
    );
  }
  const loadOnMount = useEffectEvent(() => {
    api.procurementPayer().then(setPayer, (err: unknown) => {
      setPayer({ id: null, code: "", nameKana: "", bankCode: "", branchCode: "", depositType: "1", accountNumber: "" });
      setPayerBanner({ kind: "error", text: t("procurement.loadFailed", { message: describe(err) }) });
    });
    loadOrders();
  });
  useEffect(() => {
    loadOnMount();
  }, []);
  // Payment orders decided by the 課長 arrive with a sync; the 振込依頼人 form is kept as typed.
  useAfterSync(loadOrders);

  function savePayer() {
    if (!payer) return;
    api.procurementSavePayer(payer).then(
      (saved) => {
        setPayer(saved);
        setPayerBanner({ kind: "success", text: t("procurement.payer.saved") });
      },
      (err: unknown) => setPayerBanner({ kind: "error", text: t("procurement.failed", { message: describe(err) }) }),
    );
  }

  function toggle(id: string) {
    setSelected((cur) => {
      const next = new Set(cur);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }

  /** The chosen ids and date, or null after saying what is missing. */
  function request(): { ids: string[]; date: string } | null {
    if (!date) {
      setError(t("procurement.transfer.needDate"));
      return null;
    }
    if (selected.size === 0) {
      setError(t("procurement.transfer.needOrders"));
      return null;
    }
    return { ids: chosenIds, date };
  }

  function previewFile() {
    if (busy) return;
    const req = request();
    if (!req) return;
    setBusy(true);
    setError(null);
    setResult(null);
    setPreview(null);
    const key = previewKey(req.ids, req.date);
    api.procurementPreviewTransfer(req.ids, req.date).then(
      (data) => {
        setPreview({ key, data });
        setBusy(false);
      },
      (err: unknown) => {
        setError(t("procurement.failed", { message: describe(err) }));
        setBusy(false);
      },
    );
  }

  function exportFile() {
    if (busy) return;
    if (!previewed) {
      setError(t("procurement.transfer.previewFirst"));
      return;
    }
    const req = request();
    if (!req) return;
    setBusy(true);
    setError(null);
    setResult(null);
    api.procurementExportTransfer(req.ids, req.date).then(
      (r) => {
        setResult(r);
        setBusy(false);
        if (r.errors.length === 0) {
          setPreview(null);
          setSelected(new Set());
          loadOrders();
        }
      },
      (err: unknown) => {
        setError(t("procurement.failed", { message: describe(err) }));
        setBusy(false);
      },
    );
  }

  const setP = (patch: Partial<ProcurementPayerForm>) => setPayer((cur) => (cur ? { ...cur, ...patch } : cur));
  const chosen = (orders ?? []).filter((o) => selected.has(o.id));
  const chosenIds = chosen.map((o) => o.id);
  // A preview stands for one selection and one date; changing either needs a new one.
  const previewCurrent = preview !== null && preview.key === previewKey(chosenIds, date);
  const previewed = previewCurrent && preview.data.errors.length === 0;

  return (
    <div className="flex flex-col gap-6">
      <section aria-labelledby="payer-heading" className={sectionClass}>
        <h2 id="payer-heading" className="mb-4 text-std-20B-150">
          {t("procurement.payer.heading")}
        </h2>
        {payerBanner ? (
          <Notice kind={payerBanner.kind} role={payerBanner.kind === "error" ? "alert" : "status"} className="mb-4" testId={`payer-banner-${payerBanner.kind}`}>
            {payerBanner.text}
          </Notice>
        ) : null}
        {payer ? (
          <form
            noValidate
            data-testid="payer-form"
            className="flex flex-col gap-4"
            onSubmit={(e) => {
              e.preventDefault();
              savePayer();
            }}
          >
            <div className="grid grid-cols-1 gap-4 md:grid-cols-3">
              <TextField id="payer-code" label={t("procurement.payer.code")} value={payer.code} onChange={(v) => setP({ code: v })} numeric help={t("procurement.payer.codeHelp")} />
              <TextField id="payer-kana" className="md:col-span-2" label={t("procurement.payer.nameKana")} value={payer.nameKana} onChange={(v) => setP({ nameKana: v })} />
              <TextField id="payer-bank" label={t("procurement.acc.bank")} value={payer.bankCode} onChange={(v) => setP({ bankCode: v })} numeric />
              <TextField id="payer-branch" label={t("procurement.acc.branch")} value={payer.branchCode} onChange={(v) => setP({ branchCode: v })} numeric />
              <SelectField id="payer-deposit" label={t("procurement.acc.depositType")} value={payer.depositType} onChange={(v) => setP({ depositType: v })} choices={DEPOSIT_TYPES} />
              <TextField id="payer-account" label={t("procurement.acc.number")} value={payer.accountNumber} onChange={(v) => setP({ accountNumber: v })} numeric />
            </div>
            <div className="flex justify-end">
              <Button type="submit" data-testid="payer-save">
                {t("procurement.payer.save")}
              </Button>
            </div>
          </form>
        ) : (
          <p>{t("procurement.loading")}</p>
        )}
      </section>

      <section aria-labelledby="payable-heading" className={sectionClass}>
        <h2 id="payable-heading" className="mb-2 text-std-20B-150">
          {t("procurement.transfer.heading")}
          {orders ? <span className="ml-3 text-std-16N-170 text-solid-gray-700">{t("procurement.count", { n: orders.length })}</span> : null}
        </h2>
        {orders === null ? (
          <p>{t("procurement.loading")}</p>
        ) : orders.length === 0 ? (
          <p className="rounded-8 border border-dashed border-solid-gray-420 bg-solid-gray-50 p-4" data-testid="payable-empty">
            {t("procurement.transfer.empty")}
          </p>
        ) : (
          <table className="mb-4 w-full border-collapse text-std-16N-170" data-testid="payable-table">
            <thead>
              <tr className="border-b border-solid-gray-420 bg-solid-gray-50 text-left text-dns-14B-120">
                <th className="w-12 px-3 py-2">
                  <span className="sr-only">{t("procurement.transfer.select")}</span>
                </th>
                <th className="px-3 py-2">{t("procurement.col.title")}</th>
                <th className="px-3 py-2">{t("procurement.transfer.payee")}</th>
                <th className="px-3 py-2 text-right">{t("procurement.col.amount")}</th>
                <th className="px-3 py-2">{t("procurement.pay.paymentDate")}</th>
              </tr>
            </thead>
            <tbody>
              {orders.map((o) => (
                <tr key={o.id} className="border-b border-solid-gray-200" data-testid="payable-row">
                  <td className="px-3 py-2">
                    <input
                      type="checkbox"
                      className="size-5"
                      checked={selected.has(o.id)}
                      onChange={() => toggle(o.id)}
                      aria-label={t("procurement.transfer.selectOne", { title: o.title })}
                      data-testid="payable-check"
                    />
                  </td>
                  <td className="px-3 py-2">{o.title}</td>
                  <td className="px-3 py-2">{o.payee}</td>
                  <td className="px-3 py-2 text-right tabular-nums">{t("procurement.yen", { amount: o.amountText })}</td>
                  <td className="px-3 py-2">{o.paymentDate}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p className="mb-4 text-std-16N-170" data-testid="transfer-selected">
          {t("procurement.transfer.selected", { n: chosen.length })}
        </p>
        <WarekiDateField id="transfer-date" label={t("procurement.transfer.date")} value={date} onChange={setDate} required help={t("procurement.transfer.dateHelp")} />
        <div className="mt-6 flex flex-wrap items-center justify-end gap-4">
          <p id="transfer-export-help" className="mr-auto text-dns-14N-130 text-solid-gray-700">
            {t("procurement.transfer.exportHelp")}
          </p>
          <Button busy={busy} onClick={previewFile} data-testid="transfer-preview">
            {t("procurement.transfer.preview")}
          </Button>
          <Button
            variant="primary"
            busy={busy}
            onClick={exportFile}
            aria-disabled={!previewed || undefined}
            aria-describedby="transfer-export-help"
            data-testid="transfer-export"
          >
            {t("procurement.transfer.export")}
          </Button>
        </div>
        <div aria-live="polite" className="mt-4 flex flex-col gap-4">
          {preview && !previewCurrent ? (
            <Notice kind="info" testId="transfer-preview-stale">
              {t("procurement.transfer.previewStale")}
            </Notice>
          ) : null}
          {preview && previewCurrent && preview.data.errors.length > 0 ? (
            <Notice kind="error" role="alert" testId="transfer-preview-errors" title={t("procurement.transfer.previewErrors", { n: preview.data.errors.length })}>
              <ul className="mt-2 list-disc pl-5">
                {preview.data.errors.map((e, i) => (
                  <li key={`${e.about}-${e.code}-${i}`} data-testid="transfer-preview-error-row">
                    <span className="font-bold">{e.about}</span>：{e.message}
                  </li>
                ))}
              </ul>
            </Notice>
          ) : null}
          {preview && previewCurrent && preview.data.errors.length === 0 ? <PreviewTable preview={preview.data} /> : null}
          {error ? (
            <Notice kind="error" role="alert" testId="transfer-error">
              {error}
            </Notice>
          ) : null}
          {result && result.errors.length === 0 ? (
            <Notice kind="success" testId="transfer-done">
              <p>{t("procurement.transfer.written", { n: result.count, total: result.totalText })}</p>
              <p className="break-all" data-testid="transfer-path">
                {result.path}
              </p>
            </Notice>
          ) : null}
          {result && result.errors.length > 0 ? (
            <Notice kind="error" role="alert" testId="transfer-errors" title={t("procurement.transfer.notWritten", { n: result.errors.length })}>
              <ul className="mt-2 list-disc pl-5">
                {result.errors.map((e, i) => (
                  <li key={`${e.about}-${e.code}-${i}`} data-testid="transfer-error-row">
                    <span className="font-bold">{e.about}</span>：{e.message}
                  </li>
                ))}
              </ul>
            </Notice>
          ) : null}
        </div>
      </section>
    </div>
  );
}

function PreviewTable({ preview }: { preview: ProcurementTransferPreview }) {
  return (
    <section aria-labelledby="transfer-preview-heading" data-testid="transfer-preview-table">
      <h3 id="transfer-preview-heading" className="mb-2 text-std-18B-160">
        {t("procurement.transfer.previewHeading")}
      </h3>
      <p className="mb-2 text-std-16N-170" data-testid="transfer-requester">
        {t("procurement.transfer.requester", { name: preview.requester, date: preview.transferDate })}
      </p>
      <table className="w-full border-collapse text-std-16N-170">
        <thead>
          <tr className="border-b border-solid-gray-420 bg-solid-gray-50 text-left text-dns-14B-120">
            <th className="px-3 py-2">{t("procurement.transfer.col.about")}</th>
            <th className="px-3 py-2">{t("procurement.transfer.col.account")}</th>
            <th className="px-3 py-2">{t("procurement.transfer.col.payee")}</th>
            <th className="px-3 py-2 text-right">{t("procurement.transfer.col.amount")}</th>
          </tr>
        </thead>
        <tbody>
          {preview.rows.map((r, i) => (
            <tr key={`${r.about}-${i}`} className="border-b border-solid-gray-200" data-testid="transfer-preview-row">
              <td className="px-3 py-2">{r.about}</td>
              <td className="px-3 py-2">
                {r.bank} {r.branch} {r.depositType} {r.accountNumber}
              </td>
              <td className="px-3 py-2 font-mono">{r.payee}</td>
              <td className="px-3 py-2 text-right tabular-nums">{t("procurement.yen", { amount: r.amountText })}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr className="text-std-16B-170">
            <td colSpan={4} className="px-3 py-2 text-right tabular-nums" data-testid="transfer-preview-total">
              {t("procurement.transfer.total", { n: preview.count, total: preview.totalText })}
            </td>
          </tr>
        </tfoot>
      </table>
    </section>
  );
}

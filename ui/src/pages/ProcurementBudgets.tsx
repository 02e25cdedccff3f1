/**
 * 予算: the budget lines (年度, 科目, 配当額, 執行済, 残額 and a 使用率 bar) and a form to
 * add one. Rust checks on save; its message is shown and the form kept when it refuses.
 */
import { useEffect, useEffectEvent, useState } from "react";
import { api, type ProcurementBudgetView } from "../backend";
import { Badge } from "../components/Badge";
import { Button } from "../components/Button";
import { Notice } from "../components/Notice";
import { sectionClass } from "../components/styles";
import { t } from "../i18n";
import { useAfterSync } from "../shell/useAfterSync";
import { describe, TextField } from "./ProcurementFields";

type Banner = { kind: "error" | "success"; text: string } | null;

const EMPTY = { fiscalYear: "", code: "", name: "", allocated: "" };

function barColor(percent: number): string {
  return percent >= 100 ? "bg-error-1" : percent >= 80 ? "bg-warning-yellow-1" : "bg-blue-900";
}

export function ProcurementBudgets() {
  const [list, setList] = useState<ProcurementBudgetView[] | null>(null);
  const [form, setForm] = useState(EMPTY);
  const [banner, setBanner] = useState<Banner>(null);
  const [busy, setBusy] = useState(false);

  function load() {
    api.procurementBudgets().then(setList, (err: unknown) => {
      setList((cur) => cur ?? []);
      setBanner({ kind: "error", text: t("procurement.loadFailed", { message: describe(err) }) });
    });
  }
  const loadOnMount = useEffectEvent(load);
  useEffect(() => {
    loadOnMount();
  }, []);
  // What other offices committed arrives with a sync; the form being typed is kept.
  useAfterSync(load);

  function save() {
    if (busy) return;
    setBusy(true);
    api.procurementSaveBudget({ id: null, ...form }).then(
      (saved) => {
        setBanner({ kind: "success", text: t("procurement.budget.saved", { name: `${saved.fiscalYear}年度 ${saved.code} ${saved.name}` }) });
        setForm(EMPTY);
        setBusy(false);
        load();
      },
      (err: unknown) => {
        setBanner({ kind: "error", text: t("procurement.failed", { message: describe(err) }) });
        setBusy(false);
      },
    );
  }

  return (
    <div className="flex flex-col gap-6">
      <section aria-labelledby="budgets-heading">
        <h2 id="budgets-heading" className="mb-2 text-std-20B-150">
          {t("procurement.budget.heading")}
          {list ? <span className="ml-3 text-std-16N-170 text-solid-gray-700">{t("procurement.count", { n: list.length })}</span> : null}
        </h2>
        {list === null ? (
          <p>{t("procurement.loading")}</p>
        ) : list.length === 0 ? (
          <p className="rounded-8 border border-dashed border-solid-gray-420 bg-solid-gray-50 p-4" data-testid="budgets-empty">
            {t("procurement.budget.empty")}
          </p>
        ) : (
          <table className="w-full border-collapse text-std-16N-170" data-testid="budget-table">
            <thead>
              <tr className="border-b border-solid-gray-420 bg-solid-gray-50 text-left text-dns-14B-120">
                <th className="px-3 py-2">{t("procurement.budget.year")}</th>
                <th className="px-3 py-2">{t("procurement.budget.subject")}</th>
                <th className="px-3 py-2 text-right">{t("procurement.budget.allocated")}</th>
                <th className="px-3 py-2 text-right">{t("procurement.budget.committed")}</th>
                <th className="px-3 py-2 text-right">{t("procurement.budget.remaining")}</th>
                <th className="px-3 py-2">{t("procurement.budget.used")}</th>
              </tr>
            </thead>
            <tbody>
              {list.map((b) => (
                <tr key={b.id} className="border-b border-solid-gray-200" data-testid="budget-row">
                  <td className="px-3 py-2">{t("procurement.budget.yearValue", { year: b.fiscalYear })}</td>
                  <td className="px-3 py-2">
                    {b.code} {b.name} {b.label ? <Badge tone="info">{b.label}</Badge> : null}
                  </td>
                  <td className="px-3 py-2 text-right tabular-nums">{t("procurement.yen", { amount: b.allocatedText })}</td>
                  <td className="px-3 py-2 text-right tabular-nums">{t("procurement.yen", { amount: b.committedText })}</td>
                  <td className="px-3 py-2 text-right tabular-nums">{t("procurement.yen", { amount: b.remainingText })}</td>
                  <td className="px-3 py-2">
                    <div className="flex items-center gap-2">
                      <div
                        role="meter"
                        aria-valuemin={0}
                        aria-valuemax={100}
                        aria-valuenow={Math.min(b.usedPercent, 100)}
                        aria-label={t("procurement.budget.used")}
                        data-testid="budget-used"
                        className="h-3 w-32 overflow-hidden rounded-full bg-solid-gray-200"
                      >
                        <div className={`h-full ${barColor(b.usedPercent)}`} style={{ width: `${Math.min(b.usedPercent, 100)}%` }} />
                      </div>
                      <span className="tabular-nums">{b.usedPercent}%</span>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section aria-labelledby="budget-form-heading" className={sectionClass}>
        <h2 id="budget-form-heading" className="mb-4 text-std-20B-150">
          {t("procurement.budget.add")}
        </h2>
        {banner ? (
          <Notice kind={banner.kind} role={banner.kind === "error" ? "alert" : "status"} className="mb-4" testId={`budget-banner-${banner.kind}`}>
            {banner.text}
          </Notice>
        ) : null}
        <form
          noValidate
          data-testid="budget-form"
          onSubmit={(e) => {
            e.preventDefault();
            save();
          }}
          className="flex flex-col gap-4"
        >
          <div className="grid grid-cols-1 gap-4 md:grid-cols-[8rem_10rem_minmax(0,1fr)_12rem]">
            <TextField id="budget-year" label={t("procurement.budget.yearInput")} value={form.fiscalYear} onChange={(v) => setForm((f) => ({ ...f, fiscalYear: v }))} numeric />
            <TextField id="budget-code" label={t("procurement.req.budgetCode")} value={form.code} onChange={(v) => setForm((f) => ({ ...f, code: v }))} />
            <TextField id="budget-name" label={t("procurement.req.budgetName")} value={form.name} onChange={(v) => setForm((f) => ({ ...f, name: v }))} />
            <TextField id="budget-allocated" label={t("procurement.budget.allocatedInput")} value={form.allocated} onChange={(v) => setForm((f) => ({ ...f, allocated: v }))} numeric />
          </div>
          <div className="flex justify-end">
            <Button type="submit" variant="primary" busy={busy} data-testid="budget-save">
              {t("procurement.budget.addButton")}
            </Button>
          </div>
        </form>
      </section>
    </div>
  );
}

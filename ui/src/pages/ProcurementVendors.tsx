/**
 * 契約相手方: the vendors on the left, the form on the right (名称, カナ, 法人番号,
 * 登録番号, 振込先 with bank and branch search, ゆうちょ 記号・番号 → 全銀 helper, 連絡先).
 * Findings from Rust appear beside their fields ~300 ms after typing stops; a failed
 * save keeps the form as typed.
 */
import { useEffect, useEffectEvent, useRef, useState } from "react";
import {
  api,
  type Finding,
  type ProcurementBankChoice,
  type ProcurementVendorForm,
  type ProcurementVendorView,
} from "../backend";
import { Badge } from "../components/Badge";
import { Button } from "../components/Button";
import { Notice } from "../components/Notice";
import { inputClass, sectionClass } from "../components/styles";
import { t } from "../i18n";
import { isPlainEnter } from "../lib/ime";
import { useAfterSync } from "../shell/useAfterSync";
import { DEPOSIT_TYPES, describe, Section, SelectField, TextField } from "./ProcurementFields";

const EMPTY: ProcurementVendorForm = {
  id: null,
  name: "",
  nameKana: "",
  corporateNumber: "",
  invoiceRegistration: "",
  account: { bankCode: "", branchCode: "", depositType: "1", accountNumber: "", holderKana: "" },
  person: "",
  phone: "",
  email: "",
  postalCode: "",
  address: "",
};

type Banner = { kind: "error" | "success"; text: string } | null;

export function ProcurementVendors() {
  const [list, setList] = useState<ProcurementVendorView[] | null>(null);
  const [form, setForm] = useState<ProcurementVendorForm | null>(null);
  const [baseline, setBaseline] = useState("");
  const [findings, setFindings] = useState<Finding[]>([]);
  const [banner, setBanner] = useState<Banner>(null);
  const [busy, setBusy] = useState(false);
  const checkSeq = useRef(0);

  function load() {
    api.procurementVendors().then(setList, (err: unknown) => {
      setList((cur) => cur ?? []);
      setBanner({ kind: "error", text: t("procurement.loadFailed", { message: describe(err) }) });
    });
  }
  const loadOnMount = useEffectEvent(load);
  useEffect(() => {
    loadOnMount();
  }, []);
  // Vendors registered elsewhere arrive with a sync; the open form is kept as typed.
  useAfterSync(load);

  const key = form ? JSON.stringify(form) : "";
  const runCheck = useEffectEvent(() => {
    if (!form) return;
    const mine = ++checkSeq.current;
    api.procurementCheckVendor(form).then(
      (found) => {
        if (mine === checkSeq.current) setFindings(found);
      },
      () => {
        // Checked again on save.
      },
    );
  });
  useEffect(() => {
    if (!key || key === baseline) return;
    const timer = setTimeout(() => runCheck(), 300);
    return () => clearTimeout(timer);
  }, [key, baseline]);

  function open(v: ProcurementVendorView | null) {
    const f = v ? { ...v.form, account: { ...v.form.account } } : { ...EMPTY, account: { ...EMPTY.account } };
    setForm(f);
    setBaseline(JSON.stringify(f));
    setFindings(v?.findings ?? []);
    setBanner(null);
  }

  function save() {
    if (!form || busy) return;
    const current = form;
    setBusy(true);
    api.procurementSaveVendor(current).then(
      (saved) => {
        setForm(saved.form);
        setBaseline(JSON.stringify(saved.form));
        setFindings(saved.findings);
        setBanner({ kind: "success", text: t("procurement.vendor.saved") });
        setBusy(false);
        load();
      },
      (err: unknown) => {
        setBanner({ kind: "error", text: t("procurement.failed", { message: describe(err) }) });
        setBusy(false);
      },
    );
  }

  const set = (patch: Partial<ProcurementVendorForm>) => setForm((cur) => (cur ? { ...cur, ...patch } : cur));
  const setAccount = (patch: Partial<ProcurementVendorForm["account"]>) =>
    setForm((cur) => (cur ? { ...cur, account: { ...cur.account, ...patch } } : cur));

  return (
    <div className="grid grid-cols-1 items-start gap-6 xl:grid-cols-[minmax(16rem,22rem)_minmax(0,1fr)]">
      <section aria-labelledby="vendors-heading" className="min-w-0">
        <div className="mb-2 flex flex-wrap items-center justify-between gap-3">
          <h2 id="vendors-heading" className="text-std-20B-150">
            {t("procurement.vendor.heading")}
            {list ? <span className="ml-3 text-std-16N-170 text-solid-gray-700">{t("procurement.count", { n: list.length })}</span> : null}
          </h2>
          <Button onClick={() => open(null)} data-testid="vendor-new">
            {t("procurement.vendor.new")}
          </Button>
        </div>
        {list === null ? (
          <p>{t("procurement.loading")}</p>
        ) : list.length === 0 ? (
          <p className="rounded-8 border border-dashed border-solid-gray-420 bg-solid-gray-50 p-4" data-testid="vendors-empty">
            {t("procurement.vendor.empty")}
          </p>
        ) : (
          <ul className="rounded-8 border border-solid-gray-420" data-testid="vendor-list">
            {list.map((v) => (
              <li key={v.id} className="border-b border-solid-gray-200 last:border-b-0">
                <button
                  type="button"
                  onClick={() => open(v)}
                  data-testid="vendor-row"
                  aria-current={form?.id === v.id ? "true" : undefined}
                  className={`flex w-full flex-col items-start gap-0.5 px-3 py-2 text-left ${form?.id === v.id ? "bg-blue-50" : "hover:bg-solid-gray-50"}`}
                >
                  <span className="flex w-full items-center justify-between gap-2">
                    <span className="text-std-16B-170">{v.form.name}</span>
                    <span className="flex gap-1">
                      {v.findings.some((f) => f.severity === "error") ? <Badge tone="error">{t("procurement.vendor.hasErrors")}</Badge> : null}
                      {v.label ? <Badge tone="info">{v.label}</Badge> : null}
                    </span>
                  </span>
                  <span className="text-dns-14N-130 text-solid-gray-700">{v.accountText || t("procurement.vendor.noAccount")}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="vendor-form-heading" className={`${sectionClass} min-w-0`}>
        <h2 id="vendor-form-heading" className="mb-4 text-std-20B-150">
          {form?.id ? t("procurement.vendor.edit") : t("procurement.vendor.create")}
        </h2>
        {banner ? (
          <Notice kind={banner.kind} role={banner.kind === "error" ? "alert" : "status"} className="mb-4" testId={`vendor-banner-${banner.kind}`}>
            {banner.text}
          </Notice>
        ) : null}
        {form ? (
          <form
            noValidate
            className="flex flex-col gap-6"
            data-testid="vendor-form"
            onSubmit={(e) => {
              e.preventDefault();
              save();
            }}
            onKeyDown={(e) => {
              if ((e.ctrlKey || e.metaKey) && (e.code === "KeyS" || e.key.toLowerCase() === "s")) {
                e.preventDefault();
                save();
              }
            }}
          >
            <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
              <TextField id="vendor-name" label={t("procurement.vendor.name")} value={form.name} onChange={(v) => set({ name: v })} keys={["name"]} findings={findings} />
              <TextField id="vendor-kana" label={t("procurement.vendor.kana")} value={form.nameKana} onChange={(v) => set({ nameKana: v })} keys={["nameKana"]} findings={findings} />
              <TextField id="vendor-corporate" label={t("procurement.vendor.corporateNumber")} value={form.corporateNumber} onChange={(v) => set({ corporateNumber: v })} keys={["corporateNumber"]} findings={findings} numeric help={t("procurement.vendor.corporateHelp")} />
              <TextField id="vendor-registration" label={t("procurement.inv.registration")} value={form.invoiceRegistration} onChange={(v) => set({ invoiceRegistration: v })} keys={["invoiceRegistration"]} findings={findings} help={t("procurement.inv.registrationHelp")} />
            </div>
            <Section title={t("procurement.pay.payee")} testId="vendor-account">
              <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
                <div className="flex flex-col gap-2">
                  <TextField id="vendor-bank" label={t("procurement.acc.bank")} value={form.account.bankCode} onChange={(v) => setAccount({ bankCode: v })} keys={["account.bankCode", "bankCode"]} findings={findings} numeric />
                  <BankSearch id="vendor-bank-search" label={t("procurement.vendor.bankSearch")} search={(q) => api.procurementSearchBanks(q)} onPick={(b) => setAccount({ bankCode: b.code })} />
                </div>
                <div className="flex flex-col gap-2">
                  <TextField id="vendor-branch" label={t("procurement.acc.branch")} value={form.account.branchCode} onChange={(v) => setAccount({ branchCode: v })} keys={["account.branchCode", "branchCode"]} findings={findings} numeric />
                  <BankSearch
                    id="vendor-branch-search"
                    label={t("procurement.vendor.branchSearch")}
                    search={(q) => api.procurementSearchBranches(form.account.bankCode, q)}
                    onPick={(b) => setAccount({ branchCode: b.code })}
                  />
                </div>
                <SelectField id="vendor-deposit" label={t("procurement.acc.depositType")} value={form.account.depositType} onChange={(v) => setAccount({ depositType: v })} choices={DEPOSIT_TYPES} keys={["account.depositType", "depositType"]} findings={findings} />
                <TextField id="vendor-account-number" label={t("procurement.acc.number")} value={form.account.accountNumber} onChange={(v) => setAccount({ accountNumber: v })} keys={["account.accountNumber", "accountNumber"]} findings={findings} numeric />
                <TextField id="vendor-holder" className="md:col-span-2" label={t("procurement.acc.holderKana")} value={form.account.holderKana} onChange={(v) => setAccount({ holderKana: v })} keys={["account.holderKana", "holderKana"]} findings={findings} />
              </div>
              <YuchoHelper
                onAccount={(a) => setAccount({ bankCode: a.bankCode, branchCode: a.branchCode, depositType: a.depositType, accountNumber: a.accountNumber })}
              />
            </Section>
            <Section title={t("procurement.vendor.contact")}>
              <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
                <TextField id="vendor-person" label={t("procurement.vendor.person")} value={form.person} onChange={(v) => set({ person: v })} keys={["contact.person", "person"]} findings={findings} />
                <TextField id="vendor-phone" label={t("procurement.vendor.phone")} value={form.phone} onChange={(v) => set({ phone: v })} keys={["contact.phone", "phone"]} findings={findings} />
                <TextField id="vendor-email" label={t("procurement.vendor.email")} value={form.email} onChange={(v) => set({ email: v })} keys={["contact.email", "email"]} findings={findings} />
                <TextField id="vendor-postal" label={t("procurement.vendor.postalCode")} value={form.postalCode} onChange={(v) => set({ postalCode: v })} keys={["contact.postalCode", "postalCode"]} findings={findings} />
                <TextField id="vendor-address" className="md:col-span-2" label={t("procurement.vendor.address")} value={form.address} onChange={(v) => set({ address: v })} keys={["contact.address", "address"]} findings={findings} />
              </div>
            </Section>
            <div className="flex justify-end gap-4 border-t border-solid-gray-420 pt-4">
              <span className="mr-auto text-dns-14N-130 text-solid-gray-700">{t("procurement.shortcutHint")}</span>
              <Button type="submit" variant="primary" busy={busy} data-testid="vendor-save">
                {t("procurement.save")}
              </Button>
            </div>
          </form>
        ) : (
          <p className="text-solid-gray-700">{t("procurement.vendor.none")}</p>
        )}
      </section>
    </div>
  );
}

/** A query box (Enter or 検索) and the matches as buttons; picking one fills the code. */
function BankSearch({ id, label, search, onPick }: { id: string; label: string; search: (q: string) => Promise<ProcurementBankChoice[]>; onPick: (b: ProcurementBankChoice) => void }) {
  const [query, setQuery] = useState("");
  const [found, setFound] = useState<ProcurementBankChoice[] | null>(null);
  function run() {
    search(query.trim()).then(setFound, () => setFound([]));
  }
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className="text-dns-14N-130 text-solid-gray-700">
        {label}
      </label>
      <div className="flex gap-2">
        <input
          id={id}
          data-testid={id}
          type="text"
          autoComplete="off"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={(e) => {
            if (!isPlainEnter(e)) return;
            e.preventDefault();
            run();
          }}
          className={`${inputClass} w-full`}
        />
        <Button size="compact" onClick={run} data-testid={`${id}-run`}>
          {t("procurement.search")}
        </Button>
      </div>
      {found ? (
        found.length === 0 ? (
          <p className="text-dns-14N-130 text-solid-gray-700">{t("procurement.search.none")}</p>
        ) : (
          <ul className="max-h-48 overflow-y-auto rounded-6 border border-solid-gray-420" data-testid={`${id}-results`}>
            {found.map((b) => (
              <li key={b.code}>
                <button
                  type="button"
                  className="w-full px-3 py-1 text-left hover:bg-blue-50"
                  onClick={() => {
                    onPick(b);
                    setFound(null);
                  }}
                >
                  {b.code} {b.name}（{b.kana}）
                </button>
              </li>
            ))}
          </ul>
        )
      ) : null}
    </div>
  );
}

/** ゆうちょ銀行の記号・番号 → 全銀 (bank 9900, branch, 口座番号). */
function YuchoHelper({ onAccount }: { onAccount: (a: ProcurementVendorForm["account"]) => void }) {
  const [kigo, setKigo] = useState("");
  const [bango, setBango] = useState("");
  const [error, setError] = useState<string | null>(null);
  function convert() {
    api.procurementYuchoAccount(kigo, bango).then(
      (a) => {
        setError(null);
        onAccount(a);
      },
      (err: unknown) => setError(describe(err)),
    );
  }
  return (
    <div className="flex flex-col gap-2 rounded-8 bg-solid-gray-50 p-3" data-testid="yucho-helper">
      <p className="text-std-16B-170">{t("procurement.yucho.heading")}</p>
      <div className="flex flex-wrap items-end gap-2">
        <TextField id="yucho-kigo" label={t("procurement.yucho.kigo")} value={kigo} onChange={setKigo} numeric className="w-32" />
        <TextField id="yucho-bango" label={t("procurement.yucho.bango")} value={bango} onChange={setBango} numeric className="w-40" />
        <Button size="compact" onClick={convert} data-testid="yucho-convert">
          {t("procurement.yucho.convert")}
        </Button>
      </div>
      {error ? (
        <p role="alert" className="text-red-900">
          {error}
        </p>
      ) : null}
    </div>
  );
}

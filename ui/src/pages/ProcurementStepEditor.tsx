/**
 * The fields of one step's form, by kind (調達依頼 / 契約 / 検収・検査 / 支出命令), with
 * the findings from Rust beside their fields. Items, quotes and invoice lines are small
 * tables with 行を追加 / 削除. Dates use the 和暦 field; it reports YYYY-MM-DD.
 * The 支出命令 can read its invoice from a JP PINT (XML) file, or take a 請求書 read and
 * verified in the AI-OCR queue (its provenance shown under the invoice).
 */
import { useEffect, useRef, useState, type ChangeEvent, type KeyboardEvent as ReactKeyboardEvent } from "react";
import {
  api,
  type Finding,
  type OcrInvoiceChoice,
  type OcrInvoiceImport,
  type OcrProvenanceView,
  type ProcurementBudgetView,
  type ProcurementPintImport,
  type ProcurementStepForm,
} from "../backend";
import { Button } from "../components/Button";
import { Notice } from "../components/Notice";
import { OcrProvenance } from "../components/OcrProvenance";
import { labelClass } from "../components/styles";
import { WarekiDateField } from "../components/WarekiDateField";
import { t } from "../i18n";
import { readFileBase64 } from "../lib/file";
import { isComposing } from "../lib/ime";
import {
  CATEGORIES,
  DEPOSIT_TYPES,
  describe,
  DOCUMENTS,
  FindingList,
  findingsFor,
  GROUNDS,
  METHODS,
  RESULTS,
  Section,
  SelectField,
  TAX_CATEGORIES,
  TextField,
  WORK_TYPES,
} from "./ProcurementFields";

type RequestF = Extract<ProcurementStepForm, { kind: "procurement" }>;
type ContractF = Extract<ProcurementStepForm, { kind: "contract" }>;
type InspectionF = Extract<ProcurementStepForm, { kind: "inspection" }>;
type PaymentF = Extract<ProcurementStepForm, { kind: "payment_order" }>;
type ItemF = RequestF["items"][number];
type QuoteF = RequestF["quotes"][number];
type LineF = PaymentF["invoice"]["lines"][number];
type TaxF = PaymentF["invoice"]["taxes"][number];

export const EMPTY_ITEM: ItemF = { name: "", spec: "", quantity: "", unit: "", amount: "" };
const EMPTY_QUOTE: QuoteF = { vendorId: null, vendorName: "", amount: "", quotedOn: "", validUntil: "", note: "" };
const EMPTY_LINE: LineF = { description: "", quantity: "", amount: "", category: "S" };
const EMPTY_TAX: TaxF = { category: "S", taxable: "", tax: "" };

export const EMPTY_REQUEST: RequestF = {
  kind: "procurement",
  purpose: "",
  category: "",
  budgetYear: "",
  budgetCode: "",
  budgetName: "",
  items: [{ ...EMPTY_ITEM }],
  quotes: [],
  selectedQuote: null,
  neededBy: "",
};

interface Props {
  form: ProcurementStepForm;
  onChange: (form: ProcurementStepForm) => void;
  findings: readonly Finding[];
  readOnly: boolean;
  vendors: readonly { id: string; name: string }[];
  /** The registered budget lines, offered in the 調達依頼's budget chooser. */
  budgets?: readonly ProcurementBudgetView[];
  /** A saved 支出命令 whose invoice came from the AI-OCR queue: where its values came from. */
  ocrProvenance?: OcrProvenanceView | null;
}

function replaceAt<T>(list: readonly T[], i: number, value: T): T[] {
  return list.map((x, j) => (j === i ? value : x));
}

function removeAt<T>(list: readonly T[], i: number): T[] {
  return list.filter((_, j) => j !== i);
}

function DateField({ id, label, value, onChange, findings, keys }: { id: string; label: string; value: string; onChange: (v: string) => void; findings: readonly Finding[]; keys: readonly string[] }) {
  return (
    <div className="flex min-w-0 flex-col gap-1">
      <WarekiDateField id={id} label={label} value={value === "" ? null : value} onChange={(iso) => onChange(iso ?? "")} />
      <FindingList id={id} findings={findingsFor(findings, keys)} />
    </div>
  );
}

export function ProcurementStepEditor({ form, onChange, findings, readOnly, vendors, budgets = [], ocrProvenance = null }: Props) {
  switch (form.kind) {
    case "procurement":
      return <RequestFields form={form} onChange={onChange} findings={findings} readOnly={readOnly} budgets={budgets} vendors={vendors} />;
    case "contract":
      return <ContractFields form={form} onChange={onChange} findings={findings} readOnly={readOnly} vendors={vendors} />;
    case "inspection":
      return <InspectionFields form={form} onChange={onChange} findings={findings} readOnly={readOnly} />;
    case "payment_order":
      return <PaymentFields form={form} onChange={onChange} findings={findings} readOnly={readOnly} savedProvenance={ocrProvenance} />;
  }
}

function RequestFields({
  form,
  onChange,
  findings,
  readOnly,
  budgets,
  vendors,
}: {
  form: RequestF;
  onChange: (f: RequestF) => void;
  findings: readonly Finding[];
  readOnly: boolean;
  budgets: readonly ProcurementBudgetView[];
  vendors: readonly { id: string; name: string }[];
}) {
  const set = (patch: Partial<RequestF>) => onChange({ ...form, ...patch });
  const chosenBudget = budgets.find((b) => String(b.fiscalYear) === form.budgetYear.trim() && b.code === form.budgetCode.trim());
  return (
    <div className="flex flex-col gap-6">
      <TextField id="req-purpose" label={t("procurement.req.purpose")} value={form.purpose} onChange={(v) => set({ purpose: v })} keys={["purpose"]} findings={findings} readOnly={readOnly} multiline />
      <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
        <SelectField id="req-category" label={t("procurement.req.category")} value={form.category} onChange={(v) => set({ category: v })} choices={CATEGORIES} keys={["category"]} findings={findings} disabled={readOnly} />
        <DateField id="req-needed-by" label={t("procurement.req.neededBy")} value={form.neededBy} onChange={(v) => set({ neededBy: v })} findings={findings} keys={["neededBy"]} />
      </div>
      <Section title={t("procurement.req.budget")}>
        {readOnly ? null : (
          <div className="flex flex-col gap-1">
            <SelectField
              id="req-budget-line"
              label={t("procurement.req.budgetLine")}
              value={chosenBudget?.id ?? ""}
              onChange={(id) => {
                const b = budgets.find((x) => x.id === id);
                // 「選択してください」 leaves the fields as typed.
                if (b) set({ budgetYear: String(b.fiscalYear), budgetCode: b.code, budgetName: b.name });
              }}
              choices={budgets.map((b) => ({
                code: b.id,
                label: t("procurement.req.budgetLineOption", { year: b.fiscalYear, code: b.code, name: b.name, remaining: b.remainingText }),
              }))}
            />
            <p className="text-dns-14N-130 text-solid-gray-700">{t("procurement.req.budgetLineHelp")}</p>
          </div>
        )}
        <div className="grid grid-cols-1 gap-4 md:grid-cols-[8rem_10rem_minmax(0,1fr)]">
          <TextField id="req-budget-year" label={t("procurement.req.budgetYear")} value={form.budgetYear} onChange={(v) => set({ budgetYear: v })} keys={["budgetYear", "budget.fiscalYear"]} findings={findings} readOnly={readOnly} numeric />
          <TextField id="req-budget-code" label={t("procurement.req.budgetCode")} value={form.budgetCode} onChange={(v) => set({ budgetCode: v })} keys={["budgetCode", "budget.code", "budget"]} findings={findings} readOnly={readOnly} />
          <TextField id="req-budget-name" label={t("procurement.req.budgetName")} value={form.budgetName} onChange={(v) => set({ budgetName: v })} keys={["budgetName", "budget.name"]} findings={findings} readOnly={readOnly} />
        </div>
      </Section>
      <Section title={t("procurement.req.items")} testId="req-items">
        <FindingList id="req-items-all" findings={findingsFor(findings, ["items"])} />
        {form.items.map((it, i) => (
          <div key={i} className="grid grid-cols-1 items-end gap-2 md:grid-cols-[minmax(0,2fr)_minmax(0,1.5fr)_5rem_5rem_9rem_auto]" data-testid="req-item-row">
            <TextField compact={i > 0} id={`req-item-${i}-name`} label={t("procurement.item.name")} value={it.name} onChange={(v) => set({ items: replaceAt(form.items, i, { ...it, name: v }) })} keys={[`items[${i}].name`]} findings={findings} readOnly={readOnly} />
            <TextField compact={i > 0} id={`req-item-${i}-spec`} label={t("procurement.item.spec")} value={it.spec} onChange={(v) => set({ items: replaceAt(form.items, i, { ...it, spec: v }) })} keys={[`items[${i}].spec`]} findings={findings} readOnly={readOnly} />
            <TextField compact={i > 0} id={`req-item-${i}-quantity`} label={t("procurement.item.quantity")} value={it.quantity} onChange={(v) => set({ items: replaceAt(form.items, i, { ...it, quantity: v }) })} keys={[`items[${i}].quantity`]} findings={findings} readOnly={readOnly} numeric />
            <TextField compact={i > 0} id={`req-item-${i}-unit`} label={t("procurement.item.unit")} value={it.unit} onChange={(v) => set({ items: replaceAt(form.items, i, { ...it, unit: v }) })} keys={[`items[${i}].unit`]} findings={findings} readOnly={readOnly} />
            <TextField compact={i > 0} id={`req-item-${i}-amount`} label={t("procurement.item.amount")} value={it.amount} onChange={(v) => set({ items: replaceAt(form.items, i, { ...it, amount: v }) })} keys={[`items[${i}].amount`]} findings={findings} readOnly={readOnly} numeric />
            {readOnly ? null : (
              <Button size="compact" onClick={() => set({ items: removeAt(form.items, i) })} aria-label={t("procurement.removeRowN", { n: i + 1 })} data-testid={`req-item-${i}-remove`}>
                {t("procurement.removeRow")}
              </Button>
            )}
          </div>
        ))}
        {readOnly ? null : (
          <div>
            <Button size="compact" onClick={() => set({ items: [...form.items, { ...EMPTY_ITEM }] })} data-testid="req-item-add">
              {t("procurement.item.add")}
            </Button>
          </div>
        )}
      </Section>
      <Section title={t("procurement.req.quotes")} testId="req-quotes">
        <FindingList id="req-quotes-all" findings={findingsFor(findings, ["quotes", "selectedQuote"])} />
        {form.quotes.map((q, i) => (
          <div key={i} className="flex flex-col gap-2 border-b border-solid-gray-200 pb-4" data-testid="req-quote-row">
            <div className="grid grid-cols-1 items-end gap-2 md:grid-cols-[auto_minmax(0,1.5fr)_minmax(0,1.5fr)_9rem_minmax(0,1fr)_auto]">
              <label className="flex items-center gap-2 text-std-16N-170">
                <input type="radio" name="selected-quote" className="size-5" checked={form.selectedQuote === i} disabled={readOnly} onChange={() => set({ selectedQuote: i })} data-testid={`req-quote-${i}-selected`} />
                {t("procurement.quote.selected")}
              </label>
              <SelectField
                id={`req-quote-${i}-vendor-id`}
                label={t("procurement.quote.registeredVendor")}
                value={q.vendorId ?? ""}
                onChange={(id) => {
                  const v = vendors.find((x) => x.id === id);
                  // 「選択してください」 unlinks the vendor and keeps the name as typed.
                  set({ quotes: replaceAt(form.quotes, i, v ? { ...q, vendorId: v.id, vendorName: v.name } : { ...q, vendorId: null }) });
                }}
                choices={vendors.map((v) => ({ code: v.id, label: v.name }))}
                keys={[`quotes[${i}].vendorId`]}
                findings={findings}
                disabled={readOnly}
              />
              <TextField
                id={`req-quote-${i}-vendor`}
                label={t("procurement.quote.vendor")}
                value={q.vendorName}
                onChange={(name) => {
                  // A name that is no longer the registered vendor's is a vendor not registered (yet);
                  // a link to a vendor not known on this PC is left alone.
                  const linked = vendors.find((x) => x.id === q.vendorId);
                  const vendorId = linked && linked.name !== name ? null : q.vendorId;
                  set({ quotes: replaceAt(form.quotes, i, { ...q, vendorName: name, vendorId }) });
                }}
                keys={[`quotes[${i}].vendorName`]}
                findings={findings}
                readOnly={readOnly}
              />
              <TextField id={`req-quote-${i}-amount`} label={t("procurement.quote.amount")} value={q.amount} onChange={(v) => set({ quotes: replaceAt(form.quotes, i, { ...q, amount: v }) })} keys={[`quotes[${i}].amount`]} findings={findings} readOnly={readOnly} numeric />
              <TextField id={`req-quote-${i}-note`} label={t("procurement.quote.note")} value={q.note} onChange={(v) => set({ quotes: replaceAt(form.quotes, i, { ...q, note: v }) })} keys={[`quotes[${i}].note`]} findings={findings} readOnly={readOnly} />
              {readOnly ? null : (
                <Button
                  size="compact"
                  onClick={() => {
                    const sel = form.selectedQuote;
                    set({ quotes: removeAt(form.quotes, i), selectedQuote: sel === null || sel === undefined || sel === i ? null : sel > i ? sel - 1 : sel });
                  }}
                  aria-label={t("procurement.removeRowN", { n: i + 1 })}
                  data-testid={`req-quote-${i}-remove`}
                >
                  {t("procurement.removeRow")}
                </Button>
              )}
            </div>
            <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
              <DateField id={`req-quote-${i}-quoted-on`} label={t("procurement.quote.quotedOn")} value={q.quotedOn} onChange={(v) => set({ quotes: replaceAt(form.quotes, i, { ...q, quotedOn: v }) })} findings={findings} keys={[`quotes[${i}].quotedOn`]} />
              <DateField id={`req-quote-${i}-valid-until`} label={t("procurement.quote.validUntil")} value={q.validUntil} onChange={(v) => set({ quotes: replaceAt(form.quotes, i, { ...q, validUntil: v }) })} findings={findings} keys={[`quotes[${i}].validUntil`]} />
            </div>
          </div>
        ))}
        {readOnly ? null : (
          <div>
            <Button size="compact" onClick={() => set({ quotes: [...form.quotes, { ...EMPTY_QUOTE }] })} data-testid="req-quote-add">
              {t("procurement.quote.add")}
            </Button>
          </div>
        )}
      </Section>
    </div>
  );
}

function ContractFields({
  form,
  onChange,
  findings,
  readOnly,
  vendors,
}: {
  form: ContractF;
  onChange: (f: ContractF) => void;
  findings: readonly Finding[];
  readOnly: boolean;
  vendors: readonly { id: string; name: string }[];
}) {
  const set = (patch: Partial<ContractF>) => onChange({ ...form, ...patch });
  return (
    <div className="flex flex-col gap-6">
      <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
        <SelectField id="con-vendor" label={t("procurement.con.vendor")} value={form.vendorId} onChange={(v) => set({ vendorId: v })} choices={vendors.map((v) => ({ code: v.id, label: v.name }))} keys={["vendorId", "vendor"]} findings={findings} disabled={readOnly} />
        <TextField id="con-amount" label={t("procurement.con.amount")} value={form.amount} onChange={(v) => set({ amount: v })} keys={["amount"]} findings={findings} readOnly={readOnly} numeric />
        <SelectField id="con-category" label={t("procurement.req.category")} value={form.category} onChange={(v) => set({ category: v })} choices={CATEGORIES} keys={["category"]} findings={findings} disabled={readOnly} />
        <SelectField id="con-method" label={t("procurement.con.method")} value={form.method} onChange={(v) => set({ method: v })} choices={METHODS} keys={["method"]} findings={findings} disabled={readOnly} />
        {form.method === "negotiated" ? (
          <SelectField id="con-ground" label={t("procurement.con.ground")} value={form.ground} onChange={(v) => set({ ground: v })} choices={GROUNDS} keys={["ground"]} findings={findings} disabled={readOnly} />
        ) : null}
        {form.method === "negotiated" ? (
          <TextField id="con-ground-reason" label={t("procurement.con.groundReason")} value={form.groundReason} onChange={(v) => set({ groundReason: v })} keys={["groundReason"]} findings={findings} readOnly={readOnly} />
        ) : null}
        <SelectField id="con-work-type" label={t("procurement.con.workType")} value={form.workType} onChange={(v) => set({ workType: v })} choices={WORK_TYPES} keys={["workType"]} findings={findings} disabled={readOnly} />
        <SelectField id="con-document" label={t("procurement.con.document")} value={form.document} onChange={(v) => set({ document: v })} choices={DOCUMENTS} keys={["document"]} findings={findings} disabled={readOnly} />
      </div>
      <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
        <DateField id="con-period-from" label={t("procurement.con.periodFrom")} value={form.periodFrom} onChange={(v) => set({ periodFrom: v })} findings={findings} keys={["periodFrom"]} />
        <DateField id="con-period-to" label={t("procurement.con.periodTo")} value={form.periodTo} onChange={(v) => set({ periodTo: v })} findings={findings} keys={["periodTo"]} />
        <DateField id="con-signed-on" label={t("procurement.con.signedOn")} value={form.signedOn} onChange={(v) => set({ signedOn: v })} findings={findings} keys={["signedOn"]} />
      </div>
      <label className="flex items-center gap-2 text-std-16N-170">
        <input type="checkbox" className="size-5" checked={form.contractSetsDates} disabled={readOnly} onChange={(e) => set({ contractSetsDates: e.target.checked })} data-testid="con-sets-dates" />
        {t("procurement.con.setsDates")}
      </label>
      <TextField id="con-note" label={t("procurement.note")} value={form.note} onChange={(v) => set({ note: v })} keys={["note"]} findings={findings} readOnly={readOnly} multiline />
    </div>
  );
}

function InspectionFields({ form, onChange, findings, readOnly }: { form: InspectionF; onChange: (f: InspectionF) => void; findings: readonly Finding[]; readOnly: boolean }) {
  const set = (patch: Partial<InspectionF>) => onChange({ ...form, ...patch });
  return (
    <div className="flex flex-col gap-6">
      <div className="grid grid-cols-1 gap-4 md:grid-cols-3">
        <TextField id="ins-amount" label={t("procurement.ins.amount")} value={form.amount} onChange={(v) => set({ amount: v })} keys={["amount"]} findings={findings} readOnly={readOnly} numeric />
        <TextField id="ins-inspector" label={t("procurement.ins.inspector")} value={form.inspector} onChange={(v) => set({ inspector: v })} keys={["inspector"]} findings={findings} readOnly={readOnly} />
        <SelectField id="ins-result" label={t("procurement.ins.result")} value={form.result} onChange={(v) => set({ result: v })} choices={RESULTS} keys={["result"]} findings={findings} disabled={readOnly} />
      </div>
      <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
        <DateField id="ins-notice-on" label={t("procurement.ins.noticeOn")} value={form.completionNoticeOn} onChange={(v) => set({ completionNoticeOn: v })} findings={findings} keys={["completionNoticeOn"]} />
        <DateField id="ins-inspected-on" label={t("procurement.ins.inspectedOn")} value={form.inspectedOn} onChange={(v) => set({ inspectedOn: v })} findings={findings} keys={["inspectedOn"]} />
      </div>
      <TextField id="ins-note" label={t("procurement.note")} value={form.note} onChange={(v) => set({ note: v })} keys={["note"]} findings={findings} readOnly={readOnly} multiline />
    </div>
  );
}

/** The payee as the clerk left it holds nothing (the 種目 select alone does not count). */
function payeeEmpty(p: PaymentF["payee"]): boolean {
  return [p.bankCode, p.branchCode, p.accountNumber, p.holderKana].every((v) => v.trim() === "");
}

/**
 * The form with a JP PINT invoice read in: the invoice is replaced; the 振込先 and the
 * 支払予定日 are taken only where the clerk has left them empty.
 */
export function withPintInvoice(form: PaymentF, read: ProcurementPintImport): PaymentF {
  return {
    ...form,
    invoice: read.invoice,
    payee: read.payee && payeeEmpty(form.payee) ? read.payee : form.payee,
    paymentDate: read.dueDate && form.paymentDate.trim() === "" ? read.dueDate : form.paymentDate,
    // The invoice is no longer the one read on paper: no AI-OCR document is handed off.
    ocrDocumentId: null,
  };
}

/**
 * The form with a verified AI-OCR invoice taken in, exactly as a JP PINT import fills it;
 * the document's id goes with the save, which hands the document off to this 支出命令.
 */
export function withOcrInvoice(form: PaymentF, read: OcrInvoiceImport, documentId: string): PaymentF {
  return { ...withPintInvoice(form, read), ocrDocumentId: documentId };
}

type PintNotice = { kind: "success" | "error"; text: string } | null;

/** 「JP PINT（XML）を読み込む」: a file input; what was read goes into the form as it stands then. */
function PintImport({ form, onChange }: { form: PaymentF; onChange: (f: PaymentF) => void }) {
  const [reading, setReading] = useState(false);
  const [notice, setNotice] = useState<PintNotice>(null);
  // The answer arrives later: it goes into the form as it is then (the clerk may type meanwhile).
  const latest = useRef({ form, onChange });
  const mounted = useRef(true);
  useEffect(() => {
    latest.current = { form, onChange };
  }, [form, onChange]);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  async function onFile(event: ChangeEvent<HTMLInputElement>) {
    const input = event.target;
    const file = input.files?.[0];
    if (!file || reading) return;
    setReading(true);
    setNotice(null);
    try {
      const read = await api.procurementImportInvoice(await readFileBase64(file));
      if (!mounted.current) return;
      latest.current.onChange(withPintInvoice(latest.current.form, read));
      setNotice({ kind: "success", text: t("procurement.pint.done", { number: read.invoice.number }) });
    } catch (err) {
      if (mounted.current) setNotice({ kind: "error", text: t("procurement.pint.failed", { message: describe(err) }) });
    } finally {
      if (mounted.current) setReading(false);
      // The same file may be chosen again after fixing it.
      input.value = "";
    }
  }

  return (
    <div className="flex flex-col gap-2" data-testid="pint-import">
      <label htmlFor="pint-file" className={labelClass}>
        {t("procurement.pint.label")}
      </label>
      <input
        id="pint-file"
        type="file"
        accept=".xml,application/xml,text/xml"
        onChange={(e) => void onFile(e)}
        disabled={reading}
        aria-describedby="pint-file-help"
        className="block text-std-16N-170"
        data-testid="pint-file"
      />
      <p id="pint-file-help" className="text-dns-14N-130 text-solid-gray-700">
        {reading ? t("procurement.pint.reading") : t("procurement.pint.help")}
      </p>
      {notice ? (
        <Notice kind={notice.kind} role={notice.kind === "error" ? "alert" : "status"} testId={`pint-${notice.kind}`}>
          {notice.text}
        </Notice>
      ) : null}
    </div>
  );
}

type OcrList = { kind: "closed" } | { kind: "loading" } | { kind: "open"; choices: OcrInvoiceChoice[] };

/**
 * 「AI-OCRで確認した請求書から」: lists the verified 請求書 of the queue (↑↓ to move,
 * Enter or a click to take one, Esc to close); what is taken goes into the form as it
 * stands then, and its provenance is handed to `onTaken`.
 */
function OcrInvoiceTake({ form, onChange, onTaken }: { form: PaymentF; onChange: (f: PaymentF) => void; onTaken: (p: OcrProvenanceView) => void }) {
  const [list, setList] = useState<OcrList>({ kind: "closed" });
  const [taking, setTaking] = useState<string | null>(null);
  const [notice, setNotice] = useState<PintNotice>(null);
  const latest = useRef({ form, onChange, onTaken });
  const mounted = useRef(true);
  const opener = useRef<HTMLButtonElement>(null);
  const items = useRef<(HTMLButtonElement | null)[]>([]);
  useEffect(() => {
    latest.current = { form, onChange, onTaken };
  }, [form, onChange, onTaken]);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  const openChoices = list.kind === "open" ? list.choices : null;
  useEffect(() => {
    if (openChoices && openChoices.length > 0) items.current[0]?.focus();
  }, [openChoices]);

  async function open() {
    if (list.kind === "loading") return;
    setList({ kind: "loading" });
    setNotice(null);
    try {
      const choices = await api.ocrVerifiedInvoices();
      if (mounted.current) setList({ kind: "open", choices });
    } catch (err) {
      if (!mounted.current) return;
      setList({ kind: "closed" });
      setNotice({ kind: "error", text: t("procurement.ocr.failed", { message: describe(err) }) });
    }
  }

  function close() {
    setList({ kind: "closed" });
    opener.current?.focus();
  }

  async function take(choice: OcrInvoiceChoice) {
    if (taking) return;
    setTaking(choice.id);
    setNotice(null);
    try {
      const read = await api.ocrTakeInvoice(choice.id);
      if (!mounted.current) return;
      latest.current.onChange(withOcrInvoice(latest.current.form, read, choice.id));
      latest.current.onTaken(read.provenance);
      setList({ kind: "closed" });
      setNotice({ kind: "success", text: t("procurement.ocr.done", { number: read.invoice.number }) });
      opener.current?.focus();
    } catch (err) {
      if (mounted.current) setNotice({ kind: "error", text: t("procurement.ocr.failed", { message: describe(err) }) });
    } finally {
      if (mounted.current) setTaking(null);
    }
  }

  function onListKeyDown(event: ReactKeyboardEvent<HTMLElement>) {
    if (isComposing(event)) return;
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      close();
      return;
    }
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    const buttons = items.current.filter((b): b is HTMLButtonElement => b !== null);
    const i = buttons.findIndex((b) => b === document.activeElement);
    if (i < 0) return;
    event.preventDefault();
    buttons[event.key === "ArrowDown" ? Math.min(i + 1, buttons.length - 1) : Math.max(i - 1, 0)]?.focus();
  }

  return (
    <div className="flex flex-col gap-2" data-testid="ocr-invoice-take">
      <div>
        <Button ref={opener} busy={list.kind === "loading"} onClick={() => void open()} aria-describedby="ocr-invoice-help" aria-expanded={list.kind === "open"} data-testid="ocr-invoice-open">
          {t("procurement.ocr.open")}
        </Button>
      </div>
      <p id="ocr-invoice-help" className="text-dns-14N-130 text-solid-gray-700">
        {list.kind === "loading" ? t("procurement.ocr.loading") : taking ? t("procurement.ocr.taking") : t("procurement.ocr.help")}
      </p>
      {list.kind === "open" ? (
        <section aria-labelledby="ocr-invoice-list-title" className="flex flex-col gap-2 rounded-8 border border-solid-gray-420 p-3" onKeyDown={onListKeyDown} data-testid="ocr-invoice-list">
          <h4 id="ocr-invoice-list-title" className="text-std-16B-170">
            {t("procurement.ocr.listLabel")}
          </h4>
          {list.choices.length === 0 ? (
            <Notice kind="info" role="status" testId="ocr-invoice-empty">
              {t("procurement.ocr.empty")}
            </Notice>
          ) : (
            <>
              <p className="text-dns-14N-130 text-solid-gray-700">{t("procurement.ocr.listHint")}</p>
              <ul className="flex flex-col gap-2">
                {list.choices.map((c, i) => (
                  <li key={c.id}>
                    <button
                      type="button"
                      ref={(el) => {
                        items.current[i] = el;
                      }}
                      onClick={() => void take(c)}
                      aria-busy={taking === c.id || undefined}
                      data-testid="ocr-invoice-choice"
                      data-id={c.id}
                      className="flex w-full flex-col items-start gap-1 rounded-8 border border-solid-gray-420 bg-white p-3 text-left hover:bg-solid-gray-50 focus-visible:bg-blue-50"
                    >
                      <span className="text-std-16B-170">{t("procurement.ocr.choice", { seller: c.sellerName, number: c.number, date: c.issueDate, payable: c.payable })}</span>
                      <span className="text-dns-14N-130 text-solid-gray-700">{t("procurement.ocr.choiceSource", { source: c.sourceName, label: c.documentLabel })}</span>
                    </button>
                  </li>
                ))}
              </ul>
            </>
          )}
          <div>
            <Button size="compact" onClick={close} data-testid="ocr-invoice-close">
              {t("procurement.ocr.close")}
            </Button>
          </div>
        </section>
      ) : null}
      {notice ? (
        <Notice kind={notice.kind} role={notice.kind === "error" ? "alert" : "status"} testId={`ocr-invoice-${notice.kind}`}>
          {notice.text}
        </Notice>
      ) : null}
    </div>
  );
}

function PaymentFields({
  form,
  onChange,
  findings,
  readOnly,
  savedProvenance,
}: {
  form: PaymentF;
  onChange: (f: PaymentF) => void;
  findings: readonly Finding[];
  readOnly: boolean;
  savedProvenance: OcrProvenanceView | null;
}) {
  /** The provenance of an invoice taken in this editor (before it is saved). */
  const [taken, setTaken] = useState<OcrProvenanceView | null>(null);
  // Shown while the invoice is still the one read on paper (a JP PINT import replaces it).
  const provenance = form.invoice.source === "ocr" ? (taken ?? savedProvenance) : null;
  const set = (patch: Partial<PaymentF>) => onChange({ ...form, ...patch });
  const inv = form.invoice;
  const setInv = (patch: Partial<PaymentF["invoice"]>) => set({ invoice: { ...inv, ...patch } });
  const payee = form.payee;
  const setPayee = (patch: Partial<PaymentF["payee"]>) => set({ payee: { ...payee, ...patch } });
  const k = (name: string) => [`invoice.${name}`, name];
  return (
    <div className="flex flex-col gap-6">
      <Section title={t("procurement.pay.invoice")} testId="pay-invoice">
        {readOnly ? null : (
          <div className="flex flex-col gap-4 md:flex-row md:items-start md:gap-8">
            <PintImport form={form} onChange={onChange} />
            <OcrInvoiceTake form={form} onChange={onChange} onTaken={setTaken} />
          </div>
        )}
        <FindingList id="pay-invoice-all" findings={findingsFor(findings, ["invoice", "taxTotal", "invoice.taxTotal", "lines", "invoice.lines"])} />
        <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
          <TextField id="inv-number" label={t("procurement.inv.number")} value={inv.number} onChange={(v) => setInv({ number: v })} keys={k("number")} findings={findings} readOnly={readOnly} />
          <TextField id="inv-payable" label={t("procurement.inv.payable")} value={inv.payable} onChange={(v) => setInv({ payable: v })} keys={k("payable")} findings={findings} readOnly={readOnly} numeric />
          <TextField id="inv-seller" label={t("procurement.inv.seller")} value={inv.sellerName} onChange={(v) => setInv({ sellerName: v })} keys={k("sellerName")} findings={findings} readOnly={readOnly} />
          <TextField id="inv-registration" label={t("procurement.inv.registration")} value={inv.sellerRegistration} onChange={(v) => setInv({ sellerRegistration: v })} keys={k("sellerRegistration")} findings={findings} readOnly={readOnly} help={t("procurement.inv.registrationHelp")} />
          <TextField id="inv-buyer" label={t("procurement.inv.buyer")} value={inv.buyerName} onChange={(v) => setInv({ buyerName: v })} keys={k("buyerName")} findings={findings} readOnly={readOnly} />
          <DateField id="inv-issue-date" label={t("procurement.inv.issueDate")} value={inv.issueDate} onChange={(v) => setInv({ issueDate: v })} findings={findings} keys={k("issueDate")} />
        </div>
        <h3 className="text-std-16B-170">{t("procurement.inv.lines")}</h3>
        {inv.lines.map((l, i) => (
          <div key={i} className="grid grid-cols-1 items-end gap-2 md:grid-cols-[minmax(0,2fr)_5rem_9rem_9rem_auto]" data-testid="inv-line-row">
            <TextField compact={i > 0} id={`inv-line-${i}-description`} label={t("procurement.inv.description")} value={l.description} onChange={(v) => setInv({ lines: replaceAt(inv.lines, i, { ...l, description: v }) })} keys={k(`lines[${i}].description`)} findings={findings} readOnly={readOnly} />
            <TextField compact={i > 0} id={`inv-line-${i}-quantity`} label={t("procurement.item.quantity")} value={l.quantity} onChange={(v) => setInv({ lines: replaceAt(inv.lines, i, { ...l, quantity: v }) })} keys={k(`lines[${i}].quantity`)} findings={findings} readOnly={readOnly} numeric />
            <TextField compact={i > 0} id={`inv-line-${i}-amount`} label={t("procurement.inv.lineAmount")} value={l.amount} onChange={(v) => setInv({ lines: replaceAt(inv.lines, i, { ...l, amount: v }) })} keys={k(`lines[${i}].amount`)} findings={findings} readOnly={readOnly} numeric />
            <SelectField compact={i > 0} id={`inv-line-${i}-category`} label={t("procurement.inv.taxCategory")} value={l.category} onChange={(v) => setInv({ lines: replaceAt(inv.lines, i, { ...l, category: v }) })} choices={TAX_CATEGORIES} keys={k(`lines[${i}].category`)} findings={findings} disabled={readOnly} />
            {readOnly ? null : (
              <Button size="compact" onClick={() => setInv({ lines: removeAt(inv.lines, i) })} aria-label={t("procurement.removeRowN", { n: i + 1 })} data-testid={`inv-line-${i}-remove`}>
                {t("procurement.removeRow")}
              </Button>
            )}
          </div>
        ))}
        {readOnly ? null : (
          <div>
            <Button size="compact" onClick={() => setInv({ lines: [...inv.lines, { ...EMPTY_LINE }] })} data-testid="inv-line-add">
              {t("procurement.inv.addLine")}
            </Button>
          </div>
        )}
        <h3 className="text-std-16B-170">{t("procurement.inv.taxes")}</h3>
        {inv.taxes.map((x, i) => (
          <div key={i} className="grid grid-cols-1 items-end gap-2 md:grid-cols-[9rem_9rem_9rem_auto]" data-testid="inv-tax-row">
            <SelectField compact={i > 0} id={`inv-tax-${i}-category`} label={t("procurement.inv.taxCategory")} value={x.category} onChange={(v) => setInv({ taxes: replaceAt(inv.taxes, i, { ...x, category: v }) })} choices={TAX_CATEGORIES} keys={k(`taxes[${i}].category`)} findings={findings} disabled={readOnly} />
            <TextField compact={i > 0} id={`inv-tax-${i}-taxable`} label={t("procurement.inv.taxable")} value={x.taxable} onChange={(v) => setInv({ taxes: replaceAt(inv.taxes, i, { ...x, taxable: v }) })} keys={k(`taxes[${i}].taxable`)} findings={findings} readOnly={readOnly} numeric />
            <TextField compact={i > 0} id={`inv-tax-${i}-tax`} label={t("procurement.inv.tax")} value={x.tax} onChange={(v) => setInv({ taxes: replaceAt(inv.taxes, i, { ...x, tax: v }) })} keys={k(`taxes[${i}].tax`)} findings={findings} readOnly={readOnly} numeric />
            {readOnly ? null : (
              <Button size="compact" onClick={() => setInv({ taxes: removeAt(inv.taxes, i) })} aria-label={t("procurement.removeRowN", { n: i + 1 })}>
                {t("procurement.removeRow")}
              </Button>
            )}
          </div>
        ))}
        {readOnly ? null : (
          <div>
            <Button size="compact" onClick={() => setInv({ taxes: [...inv.taxes, { ...EMPTY_TAX }] })} data-testid="inv-tax-add">
              {t("procurement.inv.addTax")}
            </Button>
          </div>
        )}
        {provenance ? <OcrProvenance provenance={provenance} title={t("procurement.ocr.provenanceTitle")} testId="pay-ocr-provenance" /> : null}
      </Section>
      <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
        <DateField id="pay-received-on" label={t("procurement.pay.receivedOn")} value={form.invoiceReceivedOn} onChange={(v) => set({ invoiceReceivedOn: v })} findings={findings} keys={["invoiceReceivedOn"]} />
        <DateField id="pay-payment-date" label={t("procurement.pay.paymentDate")} value={form.paymentDate} onChange={(v) => set({ paymentDate: v })} findings={findings} keys={["paymentDate"]} />
        <DateField id="pay-returned-on" label={t("procurement.pay.returnedOn")} value={form.returnedOn} onChange={(v) => set({ returnedOn: v })} findings={findings} keys={["returnedOn"]} />
        <DateField id="pay-corrected-on" label={t("procurement.pay.correctedOn")} value={form.correctedReceivedOn} onChange={(v) => set({ correctedReceivedOn: v })} findings={findings} keys={["correctedReceivedOn"]} />
      </div>
      <Section title={t("procurement.pay.payee")}>
        <div className="grid grid-cols-1 gap-4 md:grid-cols-3">
          <TextField id="pay-bank" label={t("procurement.acc.bank")} value={payee.bankCode} onChange={(v) => setPayee({ bankCode: v })} keys={["payee.bankCode", "bankCode"]} findings={findings} readOnly={readOnly} numeric />
          <TextField id="pay-branch" label={t("procurement.acc.branch")} value={payee.branchCode} onChange={(v) => setPayee({ branchCode: v })} keys={["payee.branchCode", "branchCode"]} findings={findings} readOnly={readOnly} numeric />
          <SelectField id="pay-deposit" label={t("procurement.acc.depositType")} value={payee.depositType} onChange={(v) => setPayee({ depositType: v })} choices={DEPOSIT_TYPES} keys={["payee.depositType", "depositType"]} findings={findings} disabled={readOnly} />
          <TextField id="pay-account" label={t("procurement.acc.number")} value={payee.accountNumber} onChange={(v) => setPayee({ accountNumber: v })} keys={["payee.accountNumber", "accountNumber"]} findings={findings} readOnly={readOnly} numeric />
          <TextField id="pay-holder" className="md:col-span-2" label={t("procurement.acc.holderKana")} value={payee.holderKana} onChange={(v) => setPayee({ holderKana: v })} keys={["payee.holderKana", "account.holderKana", "holderKana"]} findings={findings} readOnly={readOnly} />
        </div>
      </Section>
    </div>
  );
}

/** Every finding key a step editor shows beside a field (the rest are listed at the top). */
export function shownKeys(form: ProcurementStepForm): (key: string) => boolean {
  const fixed: Record<ProcurementStepForm["kind"], readonly string[]> = {
    procurement: ["purpose", "category", "neededBy", "budgetYear", "budget.fiscalYear", "budgetCode", "budget.code", "budget", "budgetName", "budget.name", "items", "quotes", "selectedQuote"],
    contract: ["vendorId", "vendor", "amount", "category", "method", "ground", "groundReason", "workType", "document", "periodFrom", "periodTo", "signedOn", "note"],
    inspection: ["amount", "inspector", "result", "completionNoticeOn", "inspectedOn", "note"],
    payment_order: [
      "invoiceReceivedOn",
      "paymentDate",
      "returnedOn",
      "correctedReceivedOn",
      "payee.bankCode",
      "bankCode",
      "payee.branchCode",
      "branchCode",
      "payee.depositType",
      "depositType",
      "payee.accountNumber",
      "accountNumber",
      "payee.holderKana",
      "account.holderKana",
      "holderKana",
      "invoice",
      "taxTotal",
      "invoice.taxTotal",
      "lines",
      "invoice.lines",
      ...["number", "payable", "sellerName", "sellerRegistration", "buyerName", "issueDate"].flatMap((n) => [n, `invoice.${n}`]),
    ],
  };
  const keys = new Set(fixed[form.kind]);
  return (key) => {
    if (keys.has(key)) return true;
    if (form.kind === "procurement") {
      const m = /^(items|quotes)\[(\d+)\]\.(\w+)$/.exec(key);
      if (!m) return false;
      const i = Number(m[2]);
      return m[1] === "items" ? i < form.items.length && ["name", "spec", "quantity", "unit", "amount"].includes(m[3] ?? "") : i < form.quotes.length && ["vendorId", "vendorName", "amount", "note", "quotedOn", "validUntil"].includes(m[3] ?? "");
    }
    if (form.kind === "payment_order") {
      const m = /^(?:invoice\.)?(lines|taxes)\[(\d+)\]\.(\w+)$/.exec(key);
      if (!m) return false;
      const i = Number(m[2]);
      return m[1] === "lines" ? i < form.invoice.lines.length : i < form.invoice.taxes.length;
    }
    return false;
  };
}

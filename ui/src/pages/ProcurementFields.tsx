/**
 * Small pieces shared by the 調達・契約・支払 pages: a text field with its findings
 * beside it, a select of codes, the deadline badge and error wording.
 */
import type { ReactNode } from "react";
import { BackendError, type Finding, type ProcurementDeadline } from "../backend";
import { Badge } from "../components/Badge";
import { FieldMessage } from "../components/Notice";
import { inputClass, labelClass, selectClass } from "../components/styles";
import { errorMessage, t } from "../i18n";
import { isPlainEnter } from "../lib/ime";

export function describe(err: unknown): string {
  return err instanceof BackendError ? errorMessage(err) : errorMessage({ code: "ipc.failed", message: String(err) });
}

/** The findings about any of `keys` (a field may be named differently by the form and the domain). */
export function findingsFor(findings: readonly Finding[], keys: readonly string[]): Finding[] {
  return findings.filter((f) => keys.includes(f.field));
}

export function FindingList({ id, findings }: { id: string; findings: readonly Finding[] }) {
  if (findings.length === 0) return null;
  return (
    <div className="flex flex-col gap-1" data-testid={`${id}-findings`}>
      {findings.map((f, i) => (
        <FieldMessage
          key={`${f.code}-${i}`}
          id={`${id}-finding-${i}`}
          kind={f.severity === "error" ? "error" : "warning"}
        >
          {errorMessage(f)}
        </FieldMessage>
      ))}
    </div>
  );
}

interface TextFieldProps {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  /** The finding keys shown beside this field. */
  keys?: readonly string[];
  findings?: readonly Finding[];
  numeric?: boolean;
  readOnly?: boolean;
  multiline?: boolean;
  help?: string;
  className?: string;
  onBlur?: () => void;
  /** For a field inside a table row: the label is visually hidden. */
  compact?: boolean;
}

/** A labelled text input; Enter (IME-safe) never submits; findings appear beside it. */
export function TextField({
  id,
  label,
  value,
  onChange,
  keys,
  findings = [],
  numeric = false,
  readOnly = false,
  multiline = false,
  help,
  className,
  onBlur,
  compact = false,
}: TextFieldProps) {
  const mine = findingsFor(findings, keys ?? []);
  const hasError = mine.some((f) => f.severity === "error");
  const describedBy = [help ? `${id}-help` : null, ...mine.map((_, i) => `${id}-finding-${i}`)].filter(Boolean).join(" ") || undefined;
  const common = {
    id,
    value,
    readOnly,
    autoComplete: "off",
    "aria-invalid": hasError || undefined,
    "aria-describedby": describedBy,
    "data-testid": id,
    onBlur,
  } as const;
  return (
    <div className={`flex min-w-0 flex-col gap-1 ${className ?? ""}`}>
      <label htmlFor={id} className={compact ? "sr-only" : labelClass}>
        {label}
      </label>
      {help && !compact ? (
        <p id={`${id}-help`} className="text-dns-14N-130 text-solid-gray-700">
          {help}
        </p>
      ) : null}
      {multiline ? (
        <textarea {...common} rows={3} onChange={(e) => onChange(e.target.value)} className={`${inputClass} w-full resize-y`} />
      ) : (
        <input
          {...common}
          type="text"
          inputMode={numeric ? "numeric" : undefined}
          onChange={(e) => onChange(e.target.value)}
          onKeyDown={(e) => {
            if (isPlainEnter(e)) e.preventDefault();
          }}
          className={`${inputClass} w-full ${numeric ? "text-right tabular-nums" : ""}`}
        />
      )}
      <FindingList id={id} findings={mine} />
    </div>
  );
}

export interface Choice {
  code: string;
  label: string;
}

export function SelectField({
  id,
  label,
  value,
  onChange,
  choices,
  keys,
  findings = [],
  disabled = false,
  compact = false,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  choices: readonly Choice[];
  keys?: readonly string[];
  findings?: readonly Finding[];
  disabled?: boolean;
  compact?: boolean;
}) {
  const mine = findingsFor(findings, keys ?? []);
  const hasError = mine.some((f) => f.severity === "error");
  return (
    <div className="flex min-w-0 flex-col gap-1">
      <label htmlFor={id} className={compact ? "sr-only" : labelClass}>
        {label}
      </label>
      <select
        id={id}
        data-testid={id}
        value={value}
        disabled={disabled}
        aria-invalid={hasError || undefined}
        aria-describedby={mine.map((_, i) => `${id}-finding-${i}`).join(" ") || undefined}
        onChange={(e) => onChange(e.target.value)}
        className={`${selectClass} w-full`}
      >
        <option value="">{t("procurement.choose")}</option>
        {choices.map((c) => (
          <option key={c.code} value={c.code}>
            {c.label}
          </option>
        ))}
      </select>
      <FindingList id={id} findings={mine} />
    </div>
  );
}

/** 期限超過 (red) / 期限間近 (amber) / the days left, with what the deadline is. */
export function DeadlineBadge({ deadline, testId }: { deadline: ProcurementDeadline | null | undefined; testId?: string }) {
  if (!deadline || deadline.risk === "done") return null;
  const tone = deadline.risk === "overdue" ? "error" : deadline.risk === "dueSoon" ? "warning" : "neutral";
  const word =
    deadline.risk === "overdue" ? t("procurement.deadline.overdue") : deadline.risk === "dueSoon" ? t("procurement.deadline.dueSoon") : deadline.what;
  return (
    <Badge tone={tone} testId={testId}>
      {word}（{deadline.what} {deadline.riskLabel}）
    </Badge>
  );
}

export function Section({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  return (
    <fieldset className="flex min-w-0 flex-col gap-4 rounded-8 border border-solid-gray-200 p-4" data-testid={testId}>
      <legend className="px-1 text-std-16B-170 text-solid-gray-900">{title}</legend>
      {children}
    </fieldset>
  );
}

export const DEPOSIT_TYPES: readonly Choice[] = [
  { code: "1", label: "普通" },
  { code: "2", label: "当座" },
  { code: "4", label: "貯蓄" },
  { code: "9", label: "その他" },
];

export const CATEGORIES: readonly Choice[] = [
  { code: "construction", label: "工事又は製造の請負" },
  { code: "purchase", label: "財産の買入れ" },
  { code: "lease", label: "物件の借入れ" },
  { code: "sale", label: "財産の売払い" },
  { code: "lend_out", label: "物件の貸付け" },
  { code: "other", label: "前各号に掲げるもの以外のもの" },
];

export const METHODS: readonly Choice[] = [
  { code: "general_tender", label: "一般競争入札" },
  { code: "designated_tender", label: "指名競争入札" },
  { code: "negotiated", label: "随意契約" },
];

export const GROUNDS: readonly Choice[] = [
  { code: "small_amount", label: "第1号 少額" },
  { code: "nature", label: "第2号 性質又は目的が競争入札に適しない" },
  { code: "welfare", label: "第3号・第4号 障害者支援施設等・新事業分野開拓者等" },
  { code: "urgency", label: "第5号 緊急の必要により競争入札に付することができない" },
  { code: "disadvantage", label: "第6号 競争入札に付することが不利" },
  { code: "price", label: "第7号 時価に比して著しく有利な価格" },
  { code: "tender_failed", label: "第8号 入札者がない・再度の入札に付し落札者がない" },
  { code: "no_winner", label: "第9号 落札者が契約を締結しない" },
];

export const WORK_TYPES: readonly Choice[] = [
  { code: "construction", label: "工事" },
  { code: "other", label: "工事以外" },
];

export const DOCUMENTS: readonly Choice[] = [
  { code: "contract", label: "契約書" },
  { code: "acceptance", label: "請書" },
  { code: "omitted", label: "省略" },
];

export const RESULTS: readonly Choice[] = [
  { code: "pending", label: "未実施" },
  { code: "passed", label: "合格" },
  { code: "failed", label: "不合格" },
];

export const TAX_CATEGORIES: readonly Choice[] = [
  { code: "S", label: "10%" },
  { code: "AA", label: "8%（軽減）" },
  { code: "E", label: "非課税" },
  { code: "G", label: "免税" },
  { code: "O", label: "対象外" },
];

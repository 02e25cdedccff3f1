import type { ReactNode } from "react";
import { t } from "../i18n";

export type NoticeKind = "error" | "warning" | "info" | "success";

const styles: Record<NoticeKind, string> = {
  error: "border-error-1 bg-red-50 text-red-1000",
  warning: "border-warning-yellow-1 bg-yellow-50 text-yellow-1100",
  info: "border-blue-900 bg-blue-50 text-solid-gray-900",
  success: "border-success-1 bg-green-50 text-green-1000",
};

const marks: Record<NoticeKind, string> = { error: "✕", warning: "!", info: "i", success: "✓" };

interface Props {
  kind: NoticeKind;
  children: ReactNode;
  id?: string;
  /** "alert" for blocking errors, "status" for polite confirmations. */
  role?: "alert" | "status";
  title?: string;
  testId?: string;
  className?: string;
}

/**
 * A boxed message. Errors and warnings differ in colour, mark and wording
 * (エラー / 注意), so they are not told apart by colour alone.
 */
export function Notice({ kind, children, id, role, title, testId, className }: Props) {
  const prefix =
    kind === "error" ? t("common.errorPrefix") : kind === "warning" ? t("common.warningPrefix") : null;
  return (
    <div
      id={id}
      role={role}
      data-testid={testId}
      className={`flex gap-3 rounded-8 border-2 px-4 py-3 text-std-16N-170 ${styles[kind]} ${className ?? ""}`}
    >
      <span aria-hidden="true" className="mt-0.5 inline-flex size-6 shrink-0 items-center justify-center rounded-full border-2 border-current text-dns-14B-120">
        {marks[kind]}
      </span>
      <div className="min-w-0">
        {title ? <p className="text-std-16B-170">{title}</p> : null}
        <div>
          {prefix && !title ? <span className="font-bold">{prefix}：</span> : null}
          {children}
        </div>
      </div>
    </div>
  );
}

/** A short message under a form field (no box), red for errors, amber for warnings. */
export function FieldMessage({
  kind,
  id,
  children,
  role,
}: {
  kind: "error" | "warning";
  id: string;
  children: ReactNode;
  role?: "alert";
}) {
  const color = kind === "error" ? "text-red-900" : "text-yellow-1100";
  const mark = kind === "error" ? "✕" : "!";
  const prefix = kind === "error" ? t("common.errorPrefix") : t("common.warningPrefix");
  return (
    <p id={id} role={role} className={`flex items-start gap-2 text-std-16N-170 ${color}`} data-severity={kind}>
      <span
        aria-hidden="true"
        className={`mt-1 inline-flex size-5 shrink-0 items-center justify-center rounded-full text-dns-14B-120 text-white ${kind === "error" ? "bg-error-1" : "bg-warning-yellow-1"}`}
      >
        {mark}
      </span>
      <span>
        <span className="font-bold">{prefix}：</span>
        {children}
      </span>
    </p>
  );
}

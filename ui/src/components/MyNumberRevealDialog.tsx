/**
 * Asks why before a stored 個人番号 is shown in full (番号法: the use must be needed and
 * traceable). The purpose is chosen from a short list; 「その他」 needs a note. What is
 * chosen and written goes to the audit log with who and when, so the note must not hold
 * the number itself (the app refuses it and says so here). Focus starts on the first
 * purpose; Esc or キャンセル closes without revealing.
 */
import { useId, useState } from "react";
import { t } from "../i18n";
import type { MessageId } from "../i18n";
import { ConfirmDialog } from "./Dialog";
import { FieldMessage } from "./Notice";
import { helpClass, inputClass, labelClass } from "./styles";

/** The purposes the app accepts (codes of `kyosai_domain::acquisition::my_number`). */
export const REVEAL_PURPOSES = ["compare_with_paper", "correction", "review", "other"] as const;
export type RevealPurpose = (typeof REVEAL_PURPOSES)[number];

const LABEL: Record<RevealPurpose, MessageId> = {
  compare_with_paper: "myNumber.purpose.compare_with_paper",
  correction: "myNumber.purpose.correction",
  review: "myNumber.purpose.review",
  other: "myNumber.purpose.other",
};

export interface MyNumberRevealDialogProps {
  /** Purposes offered first (the reviewer's screen puts 「審査」 first). */
  purposes?: readonly RevealPurpose[];
  busy: boolean;
  /** The app's refusal (role, note), shown in the dialog; what was chosen stays. */
  error: string | null;
  onCancel: () => void;
  onConfirm: (purpose: RevealPurpose, note: string) => void;
}

export function MyNumberRevealDialog({ purposes = REVEAL_PURPOSES, busy, error, onCancel, onConfirm }: MyNumberRevealDialogProps) {
  const [purpose, setPurpose] = useState<RevealPurpose | null>(null);
  const [note, setNote] = useState("");
  const [missing, setMissing] = useState<"purpose" | "note" | null>(null);
  const groupId = useId();
  const noteId = useId();

  function confirm() {
    if (purpose === null) {
      setMissing("purpose");
      return;
    }
    if (purpose === "other" && note.trim() === "") {
      setMissing("note");
      document.getElementById(noteId)?.focus();
      return;
    }
    setMissing(null);
    onConfirm(purpose, note);
  }

  return (
    <ConfirmDialog
      title={t("myNumber.reveal.title")}
      confirmLabel={t("myNumber.reveal.confirm")}
      cancelLabel={t("common.cancel")}
      onConfirm={confirm}
      onCancel={onCancel}
      busy={busy}
      testId="my-number-reveal"
    >
      <p className="mb-3">{t("myNumber.reveal.body")}</p>
      <fieldset aria-describedby={missing === "purpose" ? `${groupId}-missing` : undefined}>
        <legend className={labelClass}>{t("myNumber.reveal.purpose")}</legend>
        <div className="mt-1 flex flex-col gap-1">
          {purposes.map((p) => (
            <label key={p} className="flex items-center gap-2">
              <input
                type="radio"
                name={groupId}
                className="size-5"
                checked={purpose === p}
                onChange={() => {
                  setPurpose(p);
                  setMissing(null);
                }}
                data-testid={`my-number-reveal-purpose-${p}`}
              />
              {t(LABEL[p])}
            </label>
          ))}
        </div>
        {missing === "purpose" ? (
          <FieldMessage id={`${groupId}-missing`} kind="error" role="alert">
            {t("myNumber.reveal.purposeMissing")}
          </FieldMessage>
        ) : null}
      </fieldset>
      <label htmlFor={noteId} className={`${labelClass} mt-3 block`}>
        {t("myNumber.reveal.note")}
      </label>
      <p id={`${noteId}-help`} className={helpClass}>
        {t("myNumber.reveal.noteHelp")}
      </p>
      <input
        id={noteId}
        data-testid="my-number-reveal-note"
        type="text"
        maxLength={200}
        value={note}
        aria-invalid={missing === "note" || undefined}
        aria-describedby={`${noteId}-help`}
        onChange={(e) => setNote(e.target.value)}
        className={`${inputClass} w-full`}
      />
      {missing === "note" ? (
        <FieldMessage id={`${noteId}-missing`} kind="error" role="alert">
          {t("myNumber.reveal.noteMissing")}
        </FieldMessage>
      ) : null}
      {error ? (
        <p role="alert" className="mt-3 text-red-900" data-testid="my-number-reveal-error">
          {error}
        </p>
      ) : null}
    </ConfirmDialog>
  );
}

import type { DateView } from "../backend";
import { t } from "../i18n";
import { isoWithWeekday } from "../lib/text";
import { CopyButton } from "./CopyButton";

/** A conversion result, large, with both forms copyable. */
export function DateResult({ view, testId }: { view: DateView; testId: string }) {
  return (
    <div data-testid={testId} className="mt-4 rounded-12 border-2 border-blue-900 bg-blue-50 px-6 py-4">
      <p className="sr-only">{t("convert.result")}</p>
      <dl className="grid grid-cols-[auto_1fr] items-center gap-x-6 gap-y-3">
        <dt className="text-std-16B-170 text-solid-gray-700">{t("convert.result.wareki")}</dt>
        <dd className="flex flex-wrap items-center gap-4">
          <span className="select-all text-std-32B-150 text-solid-gray-900" data-testid={`${testId}-wareki`}>
            {view.wareki}
          </span>
          <CopyButton key={view.wareki} text={view.wareki} label={t("convert.result.wareki")} />
        </dd>
        <dt className="text-std-16B-170 text-solid-gray-700">{t("convert.result.iso")}</dt>
        <dd className="flex flex-wrap items-center gap-4">
          <span className="select-all tabular-nums text-std-32B-150 text-solid-gray-900" data-testid={`${testId}-iso`}>
            {view.iso}
          </span>
          <span className="text-std-20N-150 text-solid-gray-700">{isoWithWeekday(view.iso).slice(view.iso.length)}</span>
          <CopyButton key={view.iso} text={view.iso} label={t("convert.result.iso")} />
        </dd>
      </dl>
    </div>
  );
}

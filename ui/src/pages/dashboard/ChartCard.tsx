/**
 * A section of the dashboard with a chart and the same numbers as a table: 「表で見る」
 * switches between them (aria-pressed). The chart is an image for screen readers (its
 * label says what it shows); the table is the accessible alternative. The box keeps its
 * height whichever is shown, so the page below never jumps.
 */
import { useState, type ReactNode } from "react";
import { Button } from "../../components/Button";
import { sectionClass } from "../../components/styles";
import { t } from "../../i18n";

interface Props {
  id: string;
  title: string;
  help?: string;
  /** What the chart shows, in words (the image's accessible name). */
  summary: string;
  /** Controls above the chart (a process selector). */
  controls?: ReactNode;
  chart: ReactNode;
  table: ReactNode;
  /** Height of the chart area in px. */
  height?: number;
  empty?: boolean;
}

export function ChartCard({ id, title, help, summary, controls, chart, table, height = 280, empty = false }: Props) {
  const [asTable, setAsTable] = useState(false);
  const headingId = `${id}-title`;
  return (
    <section className={sectionClass} aria-labelledby={headingId} data-testid={`dashboard-${id}`}>
      <div className="mb-3 flex flex-wrap items-center justify-between gap-3">
        <h2 id={headingId} className="text-std-20B-150 text-solid-gray-900">
          {title}
        </h2>
        {empty ? null : (
          <Button size="compact" aria-pressed={asTable} onClick={() => setAsTable((v) => !v)} data-testid={`dashboard-${id}-toggle`}>
            {asTable ? t("dashboard.view.chart") : t("dashboard.view.table")}
          </Button>
        )}
      </div>
      {help ? <p className="mb-3 text-dns-14N-130 text-solid-gray-700">{help}</p> : null}
      {controls ? <div className="mb-3">{controls}</div> : null}
      {empty ? (
        <p className="text-std-16N-170 text-solid-gray-700">{t("dashboard.noData")}</p>
      ) : asTable ? (
        <div className="overflow-auto" style={{ minHeight: height }} data-testid={`dashboard-${id}-table`}>
          {table}
        </div>
      ) : (
        <div role="img" aria-label={summary} style={{ height }} data-testid={`dashboard-${id}-chart`}>
          {chart}
        </div>
      )}
    </section>
  );
}

export const tableClass = "w-full border-collapse text-std-16N-170 [&_td]:border-b [&_td]:border-solid-gray-200 [&_td]:px-2 [&_td]:py-1 [&_th]:border-b [&_th]:border-solid-gray-420 [&_th]:px-2 [&_th]:py-1";
export const numClass = "text-right tabular-nums";

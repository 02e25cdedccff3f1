/**
 * The sections of the 見える化 page: summary figures, monthly volumes, time per step
 * (working minutes and waiting hours), backlog now, overdue cases, the AI-OCR
 * straight-through rate, the 業務フロー table and the before/after comparison. Charts are
 * recharts; every chart has its table (ChartCard's 「表で見る」).
 */
import { useId } from "react";
import { Bar, BarChart, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { DashboardView } from "../../backend";
import { selectClass, sectionClass } from "../../components/styles";
import { t } from "../../i18n";
import { formatNumber } from "../../lib/text";
import { ChartCard, numClass, tableClass } from "./ChartCard";
import { changeText, fixed, hoursText, monthSeries, percentOf, processesOf, totalHours } from "./model";

/** Colours with enough contrast on white (デジタル庁デザインシステム's blue, green, orange). */
const BLUE = "#0031D8";
const GREEN = "#197A4B";
const ORANGE = "#C74700";
const GREY = "#767676";

const axisTick = { fontSize: 13, fill: "#333333" };

function ProcessSelect({ view, value, onChange }: { view: DashboardView; value: string; onChange: (v: string) => void }) {
  const id = useId();
  return (
    <div className="flex items-center gap-3">
      <label htmlFor={id} className="text-std-16B-170">
        {t("dashboard.process")}
      </label>
      <select id={id} className={selectClass} value={value} onChange={(e) => onChange(e.target.value)} data-testid="dashboard-process">
        <option value="">{t("dashboard.processAll")}</option>
        {processesOf(view).map((p) => (
          <option key={p.id} value={p.id}>
            {p.label}
          </option>
        ))}
      </select>
    </div>
  );
}

export function Summary({ view }: { view: DashboardView }) {
  const finished = view.months.reduce((s, m) => s + m.finished, 0);
  const backlog = view.backlog.reduce((s, b) => s + b.open, 0);
  const items: [string, string, string][] = [
    ["finished", t("dashboard.summary.finished"), t("dashboard.count", { n: formatNumber(finished) })],
    ["backlog", t("dashboard.summary.backlog"), t("dashboard.count", { n: formatNumber(backlog) })],
    ["overdue", t("dashboard.summary.overdue"), t("dashboard.count", { n: formatNumber(view.overdue.length) })],
    ["ocr", t("dashboard.summary.ocr"), view.ocr.fields > 0 ? percentOf(view.ocr.straightThroughRate) : "—"],
  ];
  return (
    <dl className="grid gap-4 md:grid-cols-4" data-testid="dashboard-summary">
      {items.map(([key, label, value]) => (
        <div key={key} className={sectionClass}>
          <dt className="text-std-16B-170 text-solid-gray-700">{label}</dt>
          <dd className="text-std-32B-150 tabular-nums text-solid-gray-900" data-testid={`dashboard-summary-${key}`}>
            {value}
          </dd>
        </div>
      ))}
    </dl>
  );
}

export function MonthsChart({ view, process, onProcess }: { view: DashboardView; process: string; onProcess: (p: string) => void }) {
  const data = monthSeries(view, process);
  const started = t("dashboard.months.started");
  const finished = t("dashboard.months.finished");
  const open = t("dashboard.months.open");
  const summary = data.map((d) => `${d.label} ${started}${d.started} ${finished}${d.finished} ${open}${d.openAtEnd}`).join("、");
  return (
    <ChartCard
      id="months"
      title={t("dashboard.months.title")}
      summary={`${t("dashboard.months.title")}: ${summary}`}
      controls={<ProcessSelect view={view} value={process} onChange={onProcess} />}
      empty={data.length === 0}
      chart={
        <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 800, height: 280 }}>
          <ComposedChart data={data} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
            <CartesianGrid stroke="#E6E6E6" vertical={false} />
            <XAxis dataKey="label" tick={axisTick} />
            <YAxis allowDecimals={false} tick={axisTick} width={48} />
            <Tooltip />
            <Legend />
            <Bar dataKey="started" name={started} fill={BLUE} isAnimationActive={false} />
            <Bar dataKey="finished" name={finished} fill={GREEN} isAnimationActive={false} />
            <Line dataKey="openAtEnd" name={open} stroke={ORANGE} strokeWidth={2} dot isAnimationActive={false} />
          </ComposedChart>
        </ResponsiveContainer>
      }
      table={
        <table className={tableClass}>
          <caption className="sr-only">{t("dashboard.months.title")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("dashboard.months.month")}</th>
              <th scope="col" className={numClass}>{started}</th>
              <th scope="col" className={numClass}>{finished}</th>
              <th scope="col" className={numClass}>{open}</th>
            </tr>
          </thead>
          <tbody>
            {data.map((d) => (
              <tr key={d.month}>
                <th scope="row">{d.month}</th>
                <td className={numClass}>{formatNumber(d.started)}</td>
                <td className={numClass}>{formatNumber(d.finished)}</td>
                <td className={numClass}>{formatNumber(d.openAtEnd)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    />
  );
}

export function StepsCharts({ view, process, onProcess }: { view: DashboardView; process: string; onProcess: (p: string) => void }) {
  const steps = view.steps
    .filter((s) => process === "" || s.process === process)
    .map((s) => ({
      ...s,
      label: process === "" ? `${s.processLabel}／${s.stepLabel}` : s.stepLabel,
    }));
  const median = t("dashboard.steps.median");
  const p90 = t("dashboard.steps.p90");
  const height = Math.max(200, 48 + steps.length * 44);
  const table = (kind: "work" | "wait") => (
    <table className={tableClass}>
      <caption className="sr-only">{kind === "work" ? t("dashboard.steps.title") : t("dashboard.wait.title")}</caption>
      <thead>
        <tr>
          <th scope="col">{t("dashboard.steps.step")}</th>
          <th scope="col">{t("dashboard.steps.actor")}</th>
          <th scope="col" className={numClass}>{t("dashboard.steps.cases")}</th>
          <th scope="col" className={numClass}>{median}</th>
          <th scope="col" className={numClass}>{p90}</th>
        </tr>
      </thead>
      <tbody>
        {steps.map((s) => (
          <tr key={`${s.process}/${s.step}`}>
            <th scope="row">{s.label}</th>
            <td>{s.actorLabel}</td>
            <td className={numClass}>{formatNumber(s.cases)}</td>
            {kind === "work" ? (
              <>
                <td className={numClass}>{t("dashboard.steps.minutes", { n: fixed(s.workMinutesMedian, 1) })}</td>
                <td className={numClass}>{t("dashboard.steps.minutes", { n: fixed(s.workMinutesP90, 1) })}</td>
              </>
            ) : (
              <>
                <td className={numClass}>{t("dashboard.wait.hours", { n: fixed(s.waitHoursMedian, 1) })}</td>
                <td className={numClass}>{t("dashboard.wait.hours", { n: fixed(s.waitHoursP90, 1) })}</td>
              </>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
  const chart = (median_key: "workMinutesMedian" | "waitHoursMedian", p90_key: "workMinutesP90" | "waitHoursP90") => (
    <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 800, height }}>
      <BarChart data={steps} layout="vertical" margin={{ top: 4, right: 24, bottom: 4, left: 8 }}>
        <CartesianGrid stroke="#E6E6E6" horizontal={false} />
        <XAxis type="number" tick={axisTick} />
        <YAxis type="category" dataKey="label" width={260} tick={axisTick} interval={0} />
        <Tooltip formatter={(v) => fixed(Number(v), 1)} />
        <Legend />
        <Bar dataKey={median_key} name={median} fill={BLUE} isAnimationActive={false} />
        <Bar dataKey={p90_key} name={p90} fill={GREY} isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
  const sum = (key: "work" | "wait") =>
    steps
      .map((s) =>
        key === "work"
          ? `${s.label} ${median}${fixed(s.workMinutesMedian, 1)}分 ${p90}${fixed(s.workMinutesP90, 1)}分`
          : `${s.label} ${median}${fixed(s.waitHoursMedian, 1)}時間 ${p90}${fixed(s.waitHoursP90, 1)}時間`,
      )
      .join("、");
  return (
    <>
      <ChartCard
        id="steps"
        title={t("dashboard.steps.title")}
        help={t("dashboard.steps.help")}
        summary={`${t("dashboard.steps.title")}: ${sum("work")}`}
        controls={<ProcessSelect view={view} value={process} onChange={onProcess} />}
        height={height}
        empty={steps.length === 0}
        chart={chart("workMinutesMedian", "workMinutesP90")}
        table={table("work")}
      />
      <ChartCard
        id="wait"
        title={t("dashboard.wait.title")}
        help={t("dashboard.wait.help")}
        summary={`${t("dashboard.wait.title")}: ${sum("wait")}`}
        height={height}
        empty={steps.length === 0}
        chart={chart("waitHoursMedian", "waitHoursP90")}
        table={table("wait")}
      />
    </>
  );
}

export function BacklogChart({ view }: { view: DashboardView }) {
  const data = view.backlog.map((b) => ({ ...b, label: `${b.processLabel}／${b.stepLabel}` }));
  const open = t("dashboard.backlog.open");
  const height = Math.max(160, 48 + data.length * 36);
  return (
    <ChartCard
      id="backlog"
      title={t("dashboard.backlog.title")}
      summary={`${t("dashboard.backlog.title")}: ${data.map((d) => `${d.label} ${d.open}件`).join("、")}`}
      height={height}
      empty={data.length === 0}
      chart={
        <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 800, height }}>
          <BarChart data={data} layout="vertical" margin={{ top: 4, right: 24, bottom: 4, left: 8 }}>
            <CartesianGrid stroke="#E6E6E6" horizontal={false} />
            <XAxis type="number" allowDecimals={false} tick={axisTick} />
            <YAxis type="category" dataKey="label" width={260} tick={axisTick} interval={0} />
            <Tooltip />
            <Bar dataKey="open" name={open} fill={ORANGE} isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      }
      table={
        <table className={tableClass}>
          <caption className="sr-only">{t("dashboard.backlog.title")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("dashboard.process")}</th>
              <th scope="col">{t("dashboard.steps.step")}</th>
              <th scope="col" className={numClass}>{open}</th>
              <th scope="col" className={numClass}>{t("dashboard.backlog.oldest")}</th>
            </tr>
          </thead>
          <tbody>
            {data.map((b) => (
              <tr key={`${b.process}/${b.step}`}>
                <td>{b.processLabel}</td>
                <th scope="row">{b.stepLabel}</th>
                <td className={numClass}>{formatNumber(b.open)}</td>
                <td className={numClass}>{hoursText(b.oldestHours)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    />
  );
}

export function OverdueList({ view }: { view: DashboardView }) {
  return (
    <section className={sectionClass} aria-labelledby="dashboard-overdue-title" data-testid="dashboard-overdue">
      <h2 id="dashboard-overdue-title" className="mb-2 text-std-20B-150 text-solid-gray-900">
        {t("dashboard.overdue.title")}
      </h2>
      <p className="mb-3 text-std-16N-170" data-testid="dashboard-overdue-summary">
        {t("dashboard.overdue.summary", { total: formatNumber(view.deadlineCases), late: formatNumber(view.overdue.length) })}
      </p>
      {view.overdue.length === 0 ? (
        <p className="text-std-16N-170 text-solid-gray-700">{t("dashboard.overdue.none")}</p>
      ) : (
        <div className="max-h-96 overflow-auto" tabIndex={0} aria-labelledby="dashboard-overdue-title">
          <table className={tableClass}>
            <thead className="sticky top-0 bg-white">
              <tr>
                <th scope="col">{t("dashboard.process")}</th>
                <th scope="col">{t("dashboard.overdue.case")}</th>
                <th scope="col">{t("dashboard.overdue.office")}</th>
                <th scope="col">{t("dashboard.overdue.rule")}</th>
                <th scope="col">{t("dashboard.overdue.due")}</th>
                <th scope="col">{t("dashboard.overdue.met")}</th>
                <th scope="col" className={numClass}>{t("dashboard.overdue.late")}</th>
              </tr>
            </thead>
            <tbody>
              {view.overdue.map((o) => (
                <tr key={o.caseId}>
                  <td>{o.processLabel}</td>
                  <th scope="row" className="font-normal">{o.title}</th>
                  <td>{o.office}</td>
                  <td>{o.ruleLabel}</td>
                  <td className="tabular-nums">{o.due}</td>
                  <td className="tabular-nums">{o.met ?? t("dashboard.overdue.notMet")}</td>
                  <td className={numClass}>{t("dashboard.overdue.days", { n: o.daysLate })}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function OcrRate({ view }: { view: DashboardView }) {
  const o = view.ocr;
  const data = [{ label: t("dashboard.ocr.rate"), auto: o.autoAccepted, manual: Math.max(0, o.fields - o.autoAccepted) }];
  return (
    <ChartCard
      id="ocr"
      title={t("dashboard.ocr.title")}
      summary={`${t("dashboard.ocr.title")} ${percentOf(o.straightThroughRate)}`}
      height={120}
      empty={o.fields === 0}
      chart={
        <div className="flex h-full items-center gap-6">
          <p className="text-std-32B-150 tabular-nums" data-testid="dashboard-ocr-rate">
            {percentOf(o.straightThroughRate)}
          </p>
          <div className="h-full min-w-0 flex-1">
            <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 600, height: 120 }}>
              <BarChart data={data} layout="vertical" margin={{ top: 4, right: 16, bottom: 4, left: 0 }}>
                <XAxis type="number" hide domain={[0, Math.max(1, o.fields)]} />
                <YAxis type="category" dataKey="label" hide />
                <Legend />
                <Bar dataKey="auto" name={t("dashboard.ocr.auto")} stackId="a" fill={GREEN} isAnimationActive={false} />
                <Bar dataKey="manual" name={t("dashboard.ocr.manual")} stackId="a" fill={GREY} isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          </div>
        </div>
      }
      table={
        <p className="text-std-16N-170" data-testid="dashboard-ocr-detail">
          {percentOf(o.straightThroughRate)}{" "}
          {t("dashboard.ocr.detail", { fields: formatNumber(o.fields), auto: formatNumber(o.autoAccepted), documents: formatNumber(o.documents) })}
        </p>
      }
    />
  );
}

export function FlowTable({ view }: { view: DashboardView }) {
  const sorted = view.flowTable;
  return (
    <section className={sectionClass} aria-labelledby="dashboard-flow-title" data-testid="dashboard-flow">
      <h2 id="dashboard-flow-title" className="mb-2 text-std-20B-150 text-solid-gray-900">
        {t("dashboard.flow.title")}
      </h2>
      <p className="mb-3 text-dns-14N-130 text-solid-gray-700">{t("dashboard.flow.help")}</p>
      {sorted.length === 0 ? (
        <p className="text-std-16N-170 text-solid-gray-700">{t("dashboard.noData")}</p>
      ) : (
        <div className="overflow-auto">
          <table className={tableClass}>
            <thead>
              <tr>
                <th scope="col" className={numClass}>{t("dashboard.flow.order")}</th>
                <th scope="col">{t("dashboard.flow.process")}</th>
                <th scope="col">{t("dashboard.flow.actor")}</th>
                <th scope="col">{t("dashboard.flow.means")}</th>
                <th scope="col" className={numClass}>{t("dashboard.flow.minutes")}</th>
                <th scope="col" className={numClass}>{t("dashboard.flow.cases")}</th>
                <th scope="col" className={numClass}>{t("dashboard.flow.hours")}</th>
              </tr>
            </thead>
            <tbody>
              {sorted.map((r) => (
                <tr key={r.order} data-testid="dashboard-flow-row">
                  <td className={numClass}>{r.order}</td>
                  <th scope="row" className="font-normal">
                    {r.processLabel}／{r.stepLabel}
                  </th>
                  <td>{r.actorLabel}</td>
                  <td>{r.means}</td>
                  <td className={numClass}>{fixed(r.minutesPerCase, 1)}</td>
                  <td className={numClass}>{fixed(r.casesPerYear, 0)}</td>
                  <td className={numClass} data-testid="dashboard-flow-hours">
                    {fixed(r.hoursPerYear, 1)}
                  </td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr className="font-bold">
                <td />
                <th scope="row">{t("dashboard.flow.total")}</th>
                <td />
                <td />
                <td />
                <td />
                <td className={numClass} data-testid="dashboard-flow-total">
                  {fixed(totalHours(view), 1)}
                </td>
              </tr>
            </tfoot>
          </table>
        </div>
      )}
    </section>
  );
}

export function Comparison({ view }: { view: DashboardView }) {
  if (!view.compareAt) return null;
  const title = t("dashboard.compare.title", { date: view.compareAt });
  return (
    <section className={sectionClass} aria-labelledby="dashboard-compare-title" data-testid="dashboard-compare">
      <h2 id="dashboard-compare-title" className="mb-3 text-std-20B-150 text-solid-gray-900">
        {title}
      </h2>
      {view.comparison.length === 0 ? (
        <p className="text-std-16N-170 text-solid-gray-700">{t("dashboard.compare.none")}</p>
      ) : (
        <div className="overflow-auto">
          <table className={tableClass}>
            <thead>
              <tr>
                <th scope="col">{t("dashboard.steps.step")}</th>
                <th scope="col" className={numClass}>{t("dashboard.compare.cases")}</th>
                <th scope="col" className={numClass}>{t("dashboard.compare.workBefore")}</th>
                <th scope="col" className={numClass}>{t("dashboard.compare.workAfter")}</th>
                <th scope="col" className={numClass}>{t("dashboard.compare.change")}</th>
                <th scope="col" className={numClass}>{t("dashboard.compare.elapsedBefore")}</th>
                <th scope="col" className={numClass}>{t("dashboard.compare.elapsedAfter")}</th>
              </tr>
            </thead>
            <tbody>
              {view.comparison.map((r) => (
                <tr key={`${r.process}/${r.step}`}>
                  <th scope="row" className="font-normal">
                    {r.processLabel}／{r.stepLabel}
                  </th>
                  <td className={numClass}>
                    {formatNumber(r.beforeCases)} → {formatNumber(r.afterCases)}
                  </td>
                  <td className={numClass}>{t("dashboard.steps.minutes", { n: fixed(r.beforeWorkMinutesMedian, 1) })}</td>
                  <td className={numClass}>{t("dashboard.steps.minutes", { n: fixed(r.afterWorkMinutesMedian, 1) })}</td>
                  <td className={`${numClass} font-bold`} data-testid="dashboard-compare-change">
                    {changeText(r.workChangePercent ?? null)}
                  </td>
                  <td className={numClass}>{hoursText(r.beforeElapsedHoursMedian)}</td>
                  <td className={numClass}>{hoursText(r.afterElapsedHoursMedian)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

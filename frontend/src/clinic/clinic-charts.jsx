// Charts of the clinician screens, drawn with uPlot (fetched with the screens that import this
// module, never with the patient app's first load). A chart is a picture for sighted readers only
// (aria-hidden); every one carries a sentence saying what it shows and its numbers in a table.
import { msg, t } from '@lingui/core/macro';
import { i18n } from '../lib/i18n.js';
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { humanize } from '../lib/ui.jsx';
import { formatDate } from './util.jsx';

// Distinguishable in both schemes and in greyscale print (with the legend's labels).
const LIGHT = ['#0b5d6b', '#b3261e', '#7a4d00', '#4a3aa8', '#1f7a3a', '#8a2b6b', '#3d5257'];
const DARK = ['#7fd3dc', '#ff8a80', '#f0b547', '#b9aaff', '#5fd083', '#f49ad1', '#b5c6c9'];
const DOSE_COLOURS = { taken: ['#1f7a3a', '#5fd083'], missed: ['#b3261e', '#ff8a80'], skipped: ['#5c6b6e', '#b5c6c9'] };
const dark = (light) => !light && matchMedia('(prefers-color-scheme: dark)').matches;

export const dayToX = (day) => Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(day) ? `${day}T12:00:00Z` : day) / 1000;

function axes(light, extraY = {}) {
  const isDark = dark(light);
  const axis = { stroke: isDark ? '#e6eef0' : '#14252a', grid: { stroke: isDark ? '#2e4347' : '#dde6e8' }, ticks: { stroke: isDark ? '#2e4347' : '#c9d6d8' } };
  return [axis, { ...axis, ...extraY }];
}

// Draws options + data into the element; redraws on data change and follows its width.
function usePlot(makeOptions, data, { fixedWidth } = {}) {
  const ref = useRef(null);
  // Redrawn when the numbers change, not on every render of the screen around it.
  const key = data ? JSON.stringify(data) : '';
  useEffect(() => {
    const element = ref.current;
    if (!element || !data || !data[0]?.length) return undefined;
    const width = fixedWidth || element.clientWidth || 600;
    const plot = new uPlot({ width, ...makeOptions() }, data, element);
    let observer;
    if (!fixedWidth && 'ResizeObserver' in window) {
      observer = new ResizeObserver(() => {
        const next = element.clientWidth;
        if (next && Math.abs(next - plot.width) > 8) plot.setSize({ width: next, height: plot.height });
      });
      observer.observe(element);
    }
    return () => {
      observer?.disconnect();
      plot.destroy();
    };
  }, [key]);
  return ref;
}

function Figure({ title, headingLevel = 3, summary, table, children, testid }) {
  const Heading = `h${headingLevel}`;
  return (
    <figure class="chart-figure" data-testid={testid}>
      <figcaption>
        <Heading class="chart-figure__title">{title}</Heading>
        {summary && <p class="chart-figure__summary">{summary}</p>}
      </figcaption>
      {children}
      {table && (
        <details class="chart-figure__numbers">
          <summary>{t`The numbers: ${title.toLowerCase()}`}</summary>
          {table}
        </details>
      )}
    </figure>
  );
}

// Lines over days: `days` (ISO dates or datetimes) and `series` [{label, values}] aligned to them.
export function LineChart({ title, days, series, yRange, xRange, fromZero, unit = '', summary, height = 220, light, fixedWidth, headingLevel, testid }) {
  const shown = series.filter((s) => s.values.some((v) => v != null));
  const data = shown.length ? [days.map(dayToX), ...shown.map((s) => s.values.map((v) => (v == null ? null : Number(v))))] : null;
  const ref = usePlot(
    () => {
      const palette = dark(light) ? DARK : LIGHT;
      return {
        height,
        series: [
          {},
          ...shown.map((s, i) => ({
            label: s.label,
            stroke: palette[i % palette.length],
            width: 2,
            spanGaps: true,
            points: { show: days.length <= 60, size: 5 },
            value: (u, v) => (v == null ? '—' : `${v}${unit}`),
          })),
        ],
        scales: {
          // A period given (the overview's): every chart of it shares the same dates.
          x: { time: true, ...(xRange ? { range: () => xRange } : {}) },
          ...(yRange ? { y: { range: yRange } } : fromZero ? { y: { range: (u, min, max) => [0, max > 0 ? max * 1.15 : 1] } } : {}),
        },
        axes: axes(light),
        legend: { show: true, live: false },
        cursor: { show: false },
      };
    },
    data,
    { fixedWidth },
  );
  if (!data) return null;
  const table = (
    <div class="table-scroll" tabIndex={0} role="region" aria-label={t`${title}: the numbers`}>
      <table>
        <caption class="visually-hidden">{title}</caption>
        <thead>
          <tr>
            <th scope="col">{t`Date`}</th>
            {shown.map((s) => (
              <th scope="col" key={s.label}>
                {s.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {days.map(
            (day, i) =>
              shown.some((s) => s.values[i] != null) && (
                <tr key={day}>
                  <th scope="row">{formatDate(day)}</th>
                  {shown.map((s) => (
                    <td key={s.label}>{s.values[i] == null ? '—' : `${s.values[i]}${unit}`}</td>
                  ))}
                </tr>
              ),
          )}
        </tbody>
      </table>
    </div>
  );
  return (
    <Figure title={title} summary={summary} table={table} headingLevel={headingLevel} testid={testid}>
      <div class="chart" ref={ref} aria-hidden="true" />
    </Figure>
  );
}

// One sentence per series: latest value, highest, and the change from the first to the last.
export function describeSeries(days, series, unit = '') {
  return series
    .map(({ label, values }) => {
      const points = values.map((v, i) => [days[i], v]).filter(([, v]) => v != null).map(([d, v]) => [d, Number(v)]);
      if (!points.length) return null;
      const [lastDay, last] = points[points.length - 1];
      const [, first] = points[0];
      const peak = points.reduce((best, point) => (point[1] > best[1] ? point : best));
      const from = `${first}${unit}`;
      const trend = points.length < 2 || last === first ? t`unchanged` : last > first ? t`up from ${from}` : t`down from ${from}`;
      const value = `${last}${unit}`;
      const top = `${peak[1]}${unit}`;
      const on = formatDate(lastDay);
      const topOn = formatDate(peak[0]);
      return t`${label}: ${value} on ${on} (${trend}; highest ${top} on ${topOn}).`;
    })
    .filter(Boolean)
    .join(' ');
}

const STATUSES = ['taken', 'missed', 'skipped'];

// Doses taken, missed and skipped: one row per medication, one mark per day.
export function DoseTimeline({ doses, light, fixedWidth, headingLevel, testid }) {
  const names = [...new Map(doses.map((d) => [d.medication_id || d.medication, d.medication])).entries()];
  const index = Object.fromEntries(names.map(([key], i) => [key, i + 1]));
  // uPlot needs one value per x and series: each medication and status gets its own hour of the day.
  const points = [];
  doses.forEach((dose) => {
    STATUSES.forEach((status, s) => {
      if (dose[status] > 0) {
        const row = index[dose.medication_id || dose.medication];
        points.push({ x: dayToX(dose.date) + (row * 3 + s) * 1200 - 21600, row, status });
      }
    });
  });
  points.sort((a, b) => a.x - b.x);
  const data = points.length ? [points.map((p) => p.x), ...STATUSES.map((status) => points.map((p) => (p.status === status ? p.row : null)))] : null;
  const ref = usePlot(
    () => {
      const isDark = dark(light);
      return {
        height: Math.max(120, 48 * names.length + 70),
        series: [
          {},
          ...STATUSES.map((status) => {
            const colour = DOSE_COLOURS[status][isDark ? 1 : 0];
            return {
              label: humanize(status),
              stroke: colour,
              fill: colour,
              paths: () => null,
              points: { show: true, size: status === 'missed' ? 11 : 8, width: 2, stroke: colour, fill: status === 'skipped' ? 'transparent' : colour },
            };
          }),
        ],
        scales: { x: { time: true }, y: { range: [0.5, names.length + 0.5] } },
        axes: axes(light, {
          size: 130,
          splits: () => names.map((_, i) => i + 1),
          values: (u, splits) => splits.map((v) => names[v - 1]?.[1] ?? ''),
          grid: { show: false },
        }),
        legend: { show: true, live: false },
        cursor: { show: false },
      };
    },
    data,
    { fixedWidth },
  );
  if (!doses.length) return <p class="muted">{t`No doses in this period.`}</p>;
  const totals = names.map(([key, name]) => {
    const rows = doses.filter((d) => (d.medication_id || d.medication) === key);
    const sum = (status) => rows.reduce((n, d) => n + (d[status] || 0), 0);
    return { name, taken: sum('taken'), missed: sum('missed'), skipped: sum('skipped') };
  });
  const summary = totals.map(({ name, taken, missed, skipped }) => t`${name}: ${taken} taken, ${missed} missed, ${skipped} skipped.`).join(' ');
  const table = (
    <div class="table-scroll" tabIndex={0} role="region" aria-label={t`Doses per day: the numbers`}>
      <table>
        <caption class="visually-hidden">{t`Doses per day and medication`}</caption>
        <thead>
          <tr>
            <th scope="col">{t`Date`}</th>
            <th scope="col">{t`Medication`}</th>
            <th scope="col">{t`Taken`}</th>
            <th scope="col">{t`Missed`}</th>
            <th scope="col">{t`Skipped`}</th>
          </tr>
        </thead>
        <tbody>
          {doses.map((d, i) => (
            <tr key={i}>
              <th scope="row">{formatDate(d.date)}</th>
              <td>{d.medication}</td>
              <td>{d.taken}</td>
              <td>{d.missed}</td>
              <td>{d.skipped}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
  return (
    <Figure title={t`Doses taken, missed and skipped`} summary={summary} table={table} headingLevel={headingLevel} testid={testid}>
      <div class="chart" ref={ref} aria-hidden="true" />
      <table class="dose-totals">
        <caption class="visually-hidden">{t`Doses in this period per medication`}</caption>
        <thead>
          <tr>
            <th scope="col">{t`Medication`}</th>
            <th scope="col">{t`Taken`}</th>
            <th scope="col">{t`Missed`}</th>
            <th scope="col">{t`Skipped`}</th>
          </tr>
        </thead>
        <tbody>
          {totals.map((t) => (
            <tr key={t.name}>
              <th scope="row">{t.name}</th>
              <td>{t.taken}</td>
              <td class={t.missed ? 'missed' : undefined}>{t.missed}</td>
              <td>{t.skipped}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Figure>
  );
}

export const LABS = [
  ['tryptase', msg`Serum tryptase`, ' ng/mL'],
  ['kit_d816v', msg`KIT D816V allele burden`, '%'],
  ['total_ige', msg`Total IgE`, ' kU/L'],
];

// One small chart per analyte (their units differ), each with its values.
export function LabCharts({ labs, period, light, fixedWidth, headingLevel }) {
  const xRange = period?.from && period?.to ? [Date.parse(period.from) / 1000, Date.parse(period.to) / 1000] : undefined;
  const present = LABS.filter(([key]) => labs?.[key]?.length);
  if (!present.length) return <p class="muted">{t`No lab results in this period.`}</p>;
  return (
    <div class="lab-charts">
      {present.map(([key, titleMessage, unit]) => {
        const title = typeof titleMessage === 'string' ? titleMessage : i18n._(titleMessage);
        const rows = [...labs[key]].sort((a, b) => Date.parse(a.sampled_at) - Date.parse(b.sampled_at));
        const days = rows.map((r) => r.sampled_at);
        const series = [{ label: title, values: rows.map((r) => r.value) }];
        return (
          <LineChart
            key={key}
            testid={`lab-${key}`}
            title={title}
            days={days}
            series={series}
            unit={unit}
            height={160}
            xRange={xRange}
            fromZero
            light={light}
            fixedWidth={fixedWidth}
            headingLevel={headingLevel}
            summary={describeSeries(days, series, unit)}
          />
        );
      })}
    </div>
  );
}

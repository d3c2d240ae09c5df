// Trends over the last 8 weeks: symptom burden per area of the body, quality of life, doses
// taken and missed, and which triggers tended to come before a flare (with their counts). uPlot is
// imported here only, so it is fetched when this screen first opens. Each chart has its numbers
// as a list below it; nothing here is a table a phone would scroll sideways.
import { plural, t } from '@lingui/core/macro';
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { api, patientPath } from '../lib/api.js';
import { useData } from '../lib/data.js';
import { addDays, formatDay, formatNumber, todayIn } from '../lib/format.js';
import { Loaded } from '../lib/ui.jsx';
import { DOMAINS, say, TRIGGER_CATEGORIES } from '../lib/words.js';

const COLOURS = ['#0b5d6b', '#b3261e', '#7a4d00', '#4a3aa8', '#1f7a3a', '#8a2b6b', '#3d5257'];
const dark = () => matchMedia('(prefers-color-scheme: dark)').matches;

function Chart({ title, days, series }) {
  const ref = useRef(null);
  useEffect(() => {
    if (!ref.current || !days.length) return undefined;
    const axis = { stroke: dark() ? '#e6eef0' : '#14252a', grid: { stroke: dark() ? '#2e4347' : '#dde6e8' } };
    const plot = new uPlot(
      {
        width: ref.current.clientWidth || 300,
        height: 200,
        series: [{ value: (u, v) => (v == null ? '' : formatDay(new Date(v * 1000).toISOString().slice(0, 10))) }, ...series.map((s, i) => ({ label: s.label, stroke: COLOURS[i % COLOURS.length], width: 2, spanGaps: false }))],
        // Days on the axis in the reader's own way of writing them (15 Dec, 15. Dez.), not 12/15.
        axes: [{ ...axis, values: (u, ticks) => ticks.map((tick) => formatDay(new Date(tick * 1000).toISOString().slice(0, 10), { weekday: false })) }, axis],
        legend: { show: true },
      },
      [days.map((d) => Date.parse(`${d}T12:00:00Z`) / 1000), ...series.map((s) => s.values)],
      ref.current,
    );
    return () => plot.destroy();
  }, [days, series]);
  const rows = days.map((day, i) => [day, series.filter((s) => s.values[i] != null).map((s) => `${s.label} ${formatNumber(s.values[i])}`)]).filter(([, values]) => values.length);
  return (
    <figure class="card">
      <figcaption>
        <h2>{title}</h2>
      </figcaption>
      <div class="chart" ref={ref} aria-hidden="true" />
      <details>
        <summary class="links">{t`The numbers`}</summary>
        <ul class="list numbers" aria-label={title}>
          {rows.map(([day, values]) => (
            <li key={day} class="item">
              <span>{formatDay(day)}</span>
              <span>{values.join(', ')}</span>
            </li>
          ))}
        </ul>
      </details>
    </figure>
  );
}

function Insights({ triggers, flares }) {
  if (!triggers.length) return <p class="muted">{t`No triggers logged in this period.`}</p>;
  return (
    <ul class="list">
      {triggers.map((row) => (
        <li key={row.trigger} class="entry" data-testid="trigger-insight">
          <p class="entry__what">
            <strong>{row.name}</strong> <span class="muted">({say(TRIGGER_CATEGORIES, row.category)})</span>
          </p>
          <p>
            {plural(row.exposures, {
              one: `Logged once; followed by a flare within ${flares.window_hours} hours ${row.followed_by_flare} times.`,
              other: `Logged # times; followed by a flare within ${flares.window_hours} hours ${row.followed_by_flare} times.`,
            })}
          </p>
          {row.sufficient_data && row.ratio != null ? (
            <p class="muted">
              {t`That is ${formatNumber(row.proportion, { style: 'percent' })} of the times, against ${formatNumber(row.baseline, { style: 'percent' })} for any ${flares.window_hours} hours.`}
            </p>
          ) : (
            <p class="muted">{t`Too few entries yet to compare with an ordinary day.`}</p>
          )}
        </li>
      ))}
    </ul>
  );
}

export function Trends({ patient }) {
  const to = todayIn(patient.time_zone);
  const from = addDays(to, -55);
  const data = useData(
    async () => {
      const [insights, checkIns, schedule] = await Promise.all([
        api(patientPath(patient.id, `insights?from=${from}&to=${to}`)),
        api(patientPath(patient.id, `check-ins/?from=${from}&page_size=100`)),
        api(patientPath(patient.id, `medications/schedule/?start=${addDays(to, -55)}&end=${to}`)),
      ]);
      return { insights, checkIns: checkIns.results, adherence: schedule.adherence };
    },
    [patient.id, to],
    { cache: `trends:${patient.id}`, isEmpty: () => false },
  );
  return (
    <>
      <h1>{t`Trends`}</h1>
      <p class="muted">{t`The last 8 weeks, ${formatDay(from, { weekday: false })} to ${formatDay(to, { weekday: false })}.`}</p>
      <Loaded state={data}>
        {({ insights, checkIns, adherence }) => {
          const { burden } = insights;
          const domains = Object.entries(burden.domains).filter(([, values]) => values.some((v) => v != null && v > 0));
          const byDay = Object.fromEntries(checkIns.map((c) => [c.local_date, c.quality_of_life]));
          return (
            <>
              {domains.length ? (
                <Chart title={t`Symptoms by area (worst of each day, 0–10)`} days={burden.days} series={domains.map(([domain, values]) => ({ label: say(DOMAINS, domain), values }))} />
              ) : (
                <p class="card">{t`No symptoms logged in the last 8 weeks.`}</p>
              )}
              {checkIns.length ? (
                <Chart title={t`Quality of life (0–100)`} days={burden.days} series={[{ label: t`Quality of life`, values: burden.days.map((d) => byDay[d] ?? null) }]} />
              ) : (
                <p class="card">{t`No check-ins yet: the daily check-in draws the quality-of-life line.`}</p>
              )}
              <section class="card" aria-labelledby="adherence-title">
                <h2 id="adherence-title">{t`Doses in the last 8 weeks`}</h2>
                {adherence.length === 0 ? (
                  <p class="muted">{t`No scheduled doses.`}</p>
                ) : (
                  <ul class="list">
                    {adherence.map((a) => (
                      <li key={a.medication} class="entry">
                        <p class="entry__what">
                          <strong>{a.name}</strong>
                          {a.rate != null ? ` · ${formatNumber(a.rate, { style: 'percent' })}` : ''}
                        </p>
                        <p class="muted">{t`${a.taken + a.taken_late} taken, ${a.missed} missed, ${a.skipped} skipped`}</p>
                      </li>
                    ))}
                  </ul>
                )}
              </section>
              <section class="card" aria-labelledby="insights-title">
                <h2 id="insights-title">{t`What came before flares`}</h2>
                <p class="muted">{t`A flare here is a symptom of ${insights.flares.threshold} or more out of 10, or an anaphylaxis episode. This shows what happened together, not what caused what.`}</p>
                <Insights triggers={insights.triggers} flares={insights.flares} />
              </section>
              <p class="disclaimer">{insights.disclaimer}</p>
            </>
          );
        }}
      </Loaded>
    </>
  );
}
